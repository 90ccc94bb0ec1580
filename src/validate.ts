import { validators, type ValidatorError, type ValidatorName } from '../generated/validators.js';
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
    case 'const':
      return { path: toFieldPath(error.instancePath), message: `must be ${JSON.stringify(p.allowedValue)}` };
    case 'pattern':
      return { path: toFieldPath(error.instancePath), message: `must match ${String(p.pattern)}` };
    default:
      return { path: toFieldPath(error.instancePath), message: error.message ?? error.keyword };
  }
}

/** Every way `value` breaks the named schema of the spec; an empty list when it is valid. */
export function validateAgainst(schemaName: ValidatorName, value: unknown): ValidationIssue[] {
  const validate = validators[schemaName];
  if (validate(value)) return [];
  return (validate.errors ?? []).map(describe);
}

/** Problems with an importBatchCall body, each with its field path. Empty when it may be sent. */
export function validateImportRequest(body: unknown): ValidationIssue[] {
  return validateAgainst('ImportBatchCallRequest', body);
}
