import { readFile } from 'node:fs/promises';
import { IMPORT_BATCH_CALL_PATH, Operations, validateAgainst } from 'callbot-contract';
import { specFile } from '../assets.js';

/** One schema violation as Prism reports it: `location` starts with "body". */
export interface SpecViolation {
  location: string[];
  code: string;
  message: string;
}

/** One named example of an operation's answer (`Prefer: example=NAME` picks it by `name`). */
export interface AnswerExample {
  name: string;
  value: unknown;
}

/** A POST operation of the bundled spec, as the mock routes and answers it. */
export interface SpecOperation {
  /** `/callcentre/api/v3/listTask` */
  path: string;
  operationId: string;
  /** The HTTP 200 answer's examples, in the spec's order. */
  answerExamples: AnswerExample[];
  /** The HTTP 200 answer schema's `required` fields (resolved through `$ref`). */
  answerRequired: string[];
}

export interface SpecEngine {
  /** Every POST operation of the bundled spec, read once when the engine is created. */
  readonly operations: readonly SpecOperation[];
  /** The request body's violations of that operation's request schema (empty when it is valid). */
  validate(operationPath: string, body: unknown): SpecViolation[];
  /** `validate(IMPORT_BATCH_CALL_PATH, body)`. */
  validateImport(body: unknown): SpecViolation[];
}

type Prism = typeof import('@stoplight/prism-http/dist/utils/operations.js');
type IHttpOperation = Awaited<ReturnType<Prism['getHttpOperationsFromSpec']>>[number];
type ValidateInput = typeof import('@stoplight/prism-http/dist/validator/index.js').validateInput;
let loaded: Promise<{ operations: Map<string, IHttpOperation>; validateInput: ValidateInput }> | undefined;

/**
 * Prism is imported on first use, not at module load: the `callbot` command's other
 * subcommands (and `--help`) should not pay the ~0.5 s it takes to load.
 */
function loadPrism() {
  loaded ??= (async () => {
    const [{ getHttpOperationsFromSpec }, { validateInput }] = await Promise.all([
      import('@stoplight/prism-http/dist/utils/operations.js'),
      import('@stoplight/prism-http/dist/validator/index.js'),
    ]);
    const all = await getHttpOperationsFromSpec(specFile('json'));
    const operations = new Map(all.filter((op) => op.method === 'post').map((op) => [op.path, op]));
    if (!operations.has(IMPORT_BATCH_CALL_PATH)) throw new Error(`the bundled spec has no POST ${IMPORT_BATCH_CALL_PATH}`);
    return { operations, validateInput };
  })();
  loaded.catch(() => (loaded = undefined));
  return loaded;
}

/**
 * Prism as the engine that knows the spec: the bundled spec is read by Prism
 * (`getHttpOperationsFromSpec`) and each request body is checked by Prism's own request
 * validator (`validateInput`, the function Prism's mock server and in-process client call).
 *
 * Why the validator and not `createClientFromOperations` or prism-http-server: the server caps
 * bodies at 10 MiB and cannot read gzip; the in-process client goes through Prism's mocker,
 * which (a) loads a fake-data generator that makes start-up ~1.5 s slower and (b) POSTs the
 * spec's example callbacks, unsigned, to whatever URLs the request names. The mock needs none
 * of that: it answers and sends callbacks itself (loopback only unless allow-listed).
 * Security headers are checked by verify-request.ts (Prism only checks presence).
 */
export async function createSpecEngine({ precheck = true }: { precheck?: boolean } = {}): Promise<SpecEngine> {
  const { operations: prismOperations, validateInput } = await loadPrism();
  const operations = readOperations(JSON.parse(await readFile(specFile('json'), 'utf8')) as Spec).filter((op) => prismOperations.has(op.path));
  // The contract's precompiled validators (same bundled spec, Ajv standalone code) answer the
  // common case, a valid body, in a fraction of Prism's time (Prism's validateInput was a third of
  // the mock's CPU per import: bench/mock-load.mjs). Prism stays the engine that judges: any body
  // the fast check refuses goes to Prism, whose violations are the ones reported.
  // test/spec-engine.test.ts holds the two to the same verdict (`precheck: false` is Prism alone).
  const requestSchemas = new Map(Object.values(Operations).map((operation) => [operation.path as string, operation.requestSchema]));
  const validate = (operationPath: string, body: unknown): SpecViolation[] => {
    const resource = prismOperations.get(operationPath);
    if (!resource) throw new RangeError(`the bundled spec has no POST ${operationPath}`);
    const schema = requestSchemas.get(operationPath);
    if (precheck && schema !== undefined && validateAgainst(schema, body).length === 0) return [];
    const result = validateInput({
      resource,
      element: { method: 'post', url: { path: operationPath }, headers: { 'content-type': 'application/json' }, body },
    });
    if (result._tag === 'Right') return [];
    return result.left.map((diagnostic) => ({
      location: (diagnostic.path ?? []).map(String),
      code: String(diagnostic.code ?? ''),
      message: String(diagnostic.message ?? ''),
    }));
  };
  return { operations, validate, validateImport: (body) => validate(IMPORT_BATCH_CALL_PATH, body) };
}

type Json = Record<string, unknown>;
type Spec = { paths?: Record<string, Record<string, unknown>>; components?: Json };

/** `#/components/examples/X` → the object it points at (local references only, as in the bundle). */
function resolve(spec: Spec, value: unknown, seen = 0): unknown {
  if (!value || typeof value !== 'object' || !('$ref' in value) || seen > 16) return value;
  const ref = String((value as { $ref: unknown }).$ref);
  if (!ref.startsWith('#/')) return value;
  let target: unknown = spec;
  for (const part of ref.slice(2).split('/')) target = (target as Json | undefined)?.[part.replaceAll('~1', '/').replaceAll('~0', '~')];
  return resolve(spec, target, seen + 1);
}

/** The POST operations of the bundled spec, with their HTTP 200 JSON answer examples. */
function readOperations(spec: Spec): SpecOperation[] {
  const operations: SpecOperation[] = [];
  for (const [path, item] of Object.entries(spec.paths ?? {})) {
    const post = resolve(spec, item.post) as Json | undefined;
    if (!post || typeof post !== 'object') continue;
    const responses = (post.responses ?? {}) as Json;
    const media = ((resolve(spec, responses['200']) as Json | undefined)?.content as Json | undefined)?.['application/json'] as Json | undefined;
    const examples = Object.entries((media?.examples ?? {}) as Json).map(([name, example]) => ({
      name,
      value: (resolve(spec, example) as Json | undefined)?.value,
    }));
    if (examples.length === 0 && media && 'example' in media) examples.push({ name: 'example', value: media.example });
    const schema = resolve(spec, media?.schema) as Json | undefined;
    operations.push({
      path,
      operationId: typeof post.operationId === 'string' ? post.operationId : path.split('/').pop() || path,
      answerExamples: examples,
      answerRequired: Array.isArray(schema?.required) ? schema.required.map(String) : [],
    });
  }
  return operations;
}
