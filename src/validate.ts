import { strictValidators, type ValidateFunction, type ValidatorError, type ValidatorName, type VendorSentName, validators } from '../generated/validators.js';
import { Operations } from '../generated/operations.js';
import type { ValidationIssue } from './errors.js';

// Request and callback bodies are checked against the spec's own schemas: generated/validators.js
// is emitted from generated/openapi.json by `npm run generate` (Ajv standalone code, JSON Schema
// 2020-12), so there is no hand-written copy of the rules to drift from the contract, and nothing
// compiles a schema at run time (no start-up cost, no Ajv compiler in the package).

/** `/callInfoList/callList/3/userPhone` → `callInfoList.callList[3].userPhone`. */
export function toFieldPath(instancePath: string, child?: string): string {
  const segments = instancePath
    .split('/')
    .slice(1)
    .map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'));
  if (child !== undefined) segments.push(child);
  return segments.reduce((path, segment) => (/^\d+$/.test(segment) ? `${path}[${segment}]` : path ? `${path}.${segment}` : segment), '');
}

function describe(error: ValidatorError): ValidationIssue {
  const p = error.params;
  switch (error.keyword) {
    case 'required':
      return { path: toFieldPath(error.instancePath, String(p.missingProperty)), message: 'is required' };
    case 'additionalProperties':
      return { path: toFieldPath(error.instancePath, String(p.additionalProperty)), message: 'is not a field of the contract' };
    case 'unevaluatedProperties':
      return { path: toFieldPath(error.instancePath, String(p.unevaluatedProperty)), message: 'is not a field of the contract' };
    case 'const':
      return { path: toFieldPath(error.instancePath), message: `must be ${JSON.stringify(p.allowedValue)}` };
    case 'pattern':
      return { path: toFieldPath(error.instancePath), message: `must match ${String(p.pattern)}` };
    case 'enum':
      // Ajv says "must be equal to one of the allowed values": name them (a value the vendor added is then easy to spot).
      return { path: toFieldPath(error.instancePath), message: `must be one of ${allowed(p.allowedValues)}` };
    default:
      return { path: toFieldPath(error.instancePath), message: error.message ?? error.keyword };
  }
}

function allowed(values: unknown): string {
  const list = Array.isArray(values) ? values.map((v) => JSON.stringify(v)) : [];
  return list.length > 12 ? `${list.slice(0, 12).join(', ')}, …` : list.join(', ');
}

/**
 * Every way `value` breaks the named schema of the spec; an empty list when it is valid. A value
 * that fits no branch of an `anyOf` / `oneOf` is one issue naming what each branch wanted (Ajv
 * reports each branch's errors, then the anyOf's, at the same path): `taskStatus: must be
 * integer or one of 1, 2, 3, 4, 5` rather than four lines.
 */
export function validateAgainst(schemaName: ValidatorName, value: unknown): ValidationIssue[] {
  return issuesOf(validators[schemaName], value, Number.POSITIVE_INFINITY).issues;
}

/**
 * validateAgainst's first `limit` issues, and how many there are in all. Only those kept are
 * described: a verified vendor payload can break a schema millions of times (4 MiB of `[7,7,…]`
 * where objects are declared), and a message per break cost seconds and a gigabyte.
 */
export function firstIssues(schemaName: ValidatorName, value: unknown, limit: number): { issues: ValidationIssue[]; count: number } {
  return issuesOf(validators[schemaName], value, limit);
}

function issuesOf(validate: ValidateFunction, value: unknown, limit: number): { issues: ValidationIssue[]; count: number } {
  if (validate(value)) return { issues: [], count: 0 };
  const issues: ValidationIssue[] = [];
  let count = 0;
  const keep = (issue: () => ValidationIssue) => {
    count += 1;
    if (issues.length < limit) issues.push(issue());
  };
  let run: ValidatorError[] = []; // consecutive errors at one instancePath, not yet said
  const flush = () => {
    for (const error of run) keep(() => describe(error));
    run = [];
  };
  for (const error of validate.errors ?? []) {
    if (run.length > 0 && run[0]!.instancePath !== error.instancePath) flush();
    if ((error.keyword === 'anyOf' || error.keyword === 'oneOf') && run.length > 0) {
      const branches = run;
      keep(() => ({ path: toFieldPath(error.instancePath), message: joinAlternatives([...new Set(branches.map((e) => describe(e).message))]) }));
      run = [];
    } else run.push(error);
  }
  flush();
  return { issues, count };
}

/** `["must be integer", "must be one of 1, 2"]` → `must be integer or one of 1, 2`. */
function joinAlternatives(messages: string[]): string {
  return messages.map((m, i) => (i > 0 && m.startsWith('must be ') ? m.slice('must be '.length) : m)).join(' or ');
}

/**
 * Where a payload the vendor sent (an answer, a callback) departs from the spec, read closed:
 * besides validateAgainst's issues, a field the spec does not declare is one too ("is not a field
 * of the contract"). Reported, never refused for: the spec's own schemas stay open. Like
 * firstIssues, only the first `limit` are described; `count` counts them all.
 */
export function vendorDeviations(schemaName: VendorSentName, value: unknown, limit: number): { issues: ValidationIssue[]; count: number } {
  return issuesOf(strictValidators[schemaName], value, limit);
}

/** Problems with an importBatchCall body, each with its field path. Empty when it may be sent. */
export function validateImportRequest(body: unknown): ValidationIssue[] {
  return validateAgainst(Operations.importBatchCall.requestSchema, body);
}
