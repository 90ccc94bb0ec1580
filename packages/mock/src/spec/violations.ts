import { RetCodes } from 'callbot-contract';
import { refuse, type Refusal } from '../requests/refusals.js';
import type { SpecViolation } from './spec-engine.js';

const MISSING = RetCodes.MissingParameter.code;
const FORMAT = RetCodes.ParameterFormatError.code;
const VALUE = RetCodes.InvalidParameterValue.code;
/** The three codes a field problem can have. */
type FieldRetCode = typeof MISSING | typeof FORMAT | typeof VALUE;

/** A violation translated into the vendor's terms. */
export interface FieldProblem {
  retCode: FieldRetCode;
  /** `callInfoList.callList[3].userPhone` */
  field: string;
  detail: string;
  /** Index in callList when the problem lies inside one order. */
  orderIndex?: number;
}

/**
 * Prism (ajv) keyword → the vendor's retCode:
 * MissingParameter "missing": a required field is absent, or a required string/list is empty
 *   (the vendor's "may be an empty string" fields have no minLength, so an empty value here
 *   means "not given");
 * ParameterFormatError "format": wrong JSON type, pattern, format, a field the schema does not know;
 * InvalidParameterValue "value": a well-formed value that is not allowed (const, enum, ranges).
 */
const RETCODE_BY_KEYWORD: Record<string, FieldRetCode> = {
  required: MISSING,
  minLength: MISSING,
  minItems: MISSING,
  type: FORMAT,
  pattern: FORMAT,
  format: FORMAT,
  additionalProperties: FORMAT,
  const: VALUE,
  enum: VALUE,
  minimum: VALUE,
  maximum: VALUE,
  exclusiveMinimum: VALUE,
  exclusiveMaximum: VALUE,
  maxLength: VALUE,
  maxItems: VALUE,
  uniqueItems: VALUE,
};

/** `["body","callInfoList","callList","3","userPhone"]` → `callInfoList.callList[3].userPhone` */
export function fieldPath(location: readonly string[]): string {
  let path = '';
  for (const part of location[0] === 'body' ? location.slice(1) : location) {
    path += /^\d+$/.test(part) ? `[${part}]` : path ? `.${part}` : part;
  }
  return path || 'body';
}

const quoted = (message: string) => /'([^']+)'/.exec(message)?.[1];

export function toFieldProblem(violation: SpecViolation): FieldProblem {
  const location = [...violation.location];
  let detail = violation.message.replace(/^Request body( property \S+)?\s*/, '') || violation.code;
  // ajv reports a missing or unknown property at its parent: name the property itself.
  if (violation.code === 'required' || violation.code === 'additionalProperties') {
    const name = quoted(violation.message);
    if (name) location.push(name);
    detail = violation.code === 'required' ? 'is required' : 'is not a field of this request';
  }
  const problem: FieldProblem = { retCode: RETCODE_BY_KEYWORD[violation.code] ?? FORMAT, field: fieldPath(location), detail };
  const body = location[0] === 'body' ? location.slice(1) : location;
  if (body[0] === 'callInfoList' && body[1] === 'callList' && body[2] !== undefined && /^\d+$/.test(body[2]) && body.length > 3) {
    problem.orderIndex = Number(body[2]);
  }
  return problem;
}

/**
 * **Choice:** a `userPhone` that is a string but not a phone number (the schema's pattern) is
 * refused for its order only, in `errList`, like a duplicate orderID: the vendor's `errList`
 * is keyed by phone number and says why "this number" was not imported. Any other violation
 * refuses the whole request.
 */
export const isPerOrderProblem = (violation: SpecViolation, problem: FieldProblem): boolean =>
  problem.orderIndex !== undefined && violation.code === 'pattern' && /\.userPhone$/.test(problem.field);

/** Orders the problems as they appear in the body (top-level fields, then order 0, 1, …). */
function documentOrder(a: FieldProblem, b: FieldProblem): number {
  const key = (p: FieldProblem) => [p.orderIndex ?? -1, p.field.length] as const;
  const [ai, al] = key(a);
  const [bi, bl] = key(b);
  return ai - bi || al - bl;
}

/** The refusal for a request with whole-request problems: the first one, and how many more. */
export function refusalFor(problems: FieldProblem[]): Refusal {
  const sorted = [...problems].sort(documentOrder);
  const first = sorted[0];
  if (!first) throw new RangeError('refusalFor needs at least one problem');
  const more = sorted.length > 1 ? ` (and ${sorted.length - 1} more problem${sorted.length > 2 ? 's' : ''})` : '';
  return refuse(first.retCode, `${first.field} ${first.detail}${more}`);
}
