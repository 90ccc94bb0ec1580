import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import formats from 'ajv-formats';
import spec from '../generated/openapi.json' with { type: 'json' };
import type { ValidationIssue } from './errors.js';

// Request and callback bodies are checked against the spec's own schemas (generated/openapi.json),
// compiled once, on first use, with a JSON Schema 2020-12 validator: there is no second,
// hand-written copy of the rules to drift from the contract.
const SPEC_ID = 'callbot-openapi';
let ajv: Ajv2020 | undefined;
const compiled = new Map<string, ValidateFunction>();

function validatorFor(schemaName: string): ValidateFunction {
  let validate = compiled.get(schemaName);
  if (!validate) {
    if (!ajv) {
      ajv = new Ajv2020({ strict: false, allErrors: true });
      formats.default(ajv, ['uri']);
      ajv.addSchema(spec as object, SPEC_ID);
    }
    validate = ajv.getSchema(`${SPEC_ID}#/components/schemas/${schemaName}`);
    if (!validate) throw new Error(`callbot-contract: no schema ${schemaName} in generated/openapi.json`);
    compiled.set(schemaName, validate);
  }
  return validate;
}

/** `/callInfoList/callList/3/userPhone` → `callInfoList.callList[3].userPhone`. */
export function toFieldPath(instancePath: string, child?: string): string {
  const segments = instancePath.split('/').slice(1).map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'));
  if (child !== undefined) segments.push(child);
  return segments.reduce((path, segment) => (/^\d+$/.test(segment) ? `${path}[${segment}]` : path ? `${path}.${segment}` : segment), '');
}

function describe(error: ErrorObject): ValidationIssue {
  const p = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return { path: toFieldPath(error.instancePath, String(p.missingProperty)), message: 'is required' };
    case 'additionalProperties':
      return { path: toFieldPath(error.instancePath, String(p.additionalProperty)), message: 'is not a field of the contract' };
    case 'const':
      return { path: toFieldPath(error.instancePath), message: `must be ${JSON.stringify(p.allowedValue)}` };
    case 'pattern':
      return { path: toFieldPath(error.instancePath), message: `must match ${String(p.pattern)}` };
    default:
      return { path: toFieldPath(error.instancePath), message: error.message ?? error.keyword };
  }
}

/** Every way `value` breaks the named schema of the spec; an empty list when it is valid. */
export function validateAgainst(schemaName: string, value: unknown): ValidationIssue[] {
  const validate = validatorFor(schemaName);
  if (validate(value)) return [];
  return (validate.errors ?? []).map(describe);
}

/** Problems with an importBatchCall body, each with its field path. Empty when it may be sent. */
export function validateImportRequest(body: unknown): ValidationIssue[] {
  return validateAgainst('ImportBatchCallRequest', body);
}
