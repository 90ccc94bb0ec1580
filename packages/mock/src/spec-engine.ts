import { IMPORT_BATCH_CALL_PATH } from 'callbot-contract';
import { specFile } from './assets.js';

/** One schema violation as Prism reports it: `location` starts with "body". */
export interface SpecViolation {
  location: string[];
  code: string;
  message: string;
}

export interface SpecEngine {
  /** The request body's violations of the spec (empty when it is valid). */
  validateImport(body: unknown): SpecViolation[];
}

type Prism = typeof import('@stoplight/prism-http/dist/utils/operations.js');
type IHttpOperation = Awaited<ReturnType<Prism['getHttpOperationsFromSpec']>>[number];
type ValidateInput = typeof import('@stoplight/prism-http/dist/validator/index.js').validateInput;
let loaded: Promise<{ operation: IHttpOperation; validateInput: ValidateInput }> | undefined;

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
    const operations = await getHttpOperationsFromSpec(specFile('json'));
    const operation = operations.find((op) => op.method === 'post' && op.path === IMPORT_BATCH_CALL_PATH);
    if (!operation) throw new Error(`the bundled spec has no POST ${IMPORT_BATCH_CALL_PATH}`);
    return { operation, validateInput };
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
export async function createSpecEngine(): Promise<SpecEngine> {
  const { operation: resource, validateInput } = await loadPrism();
  return {
    validateImport(body) {
      const result = validateInput({
        resource,
        element: { method: 'post', url: { path: IMPORT_BATCH_CALL_PATH }, headers: { 'content-type': 'application/json' }, body },
      });
      if (result._tag === 'Right') return [];
      return result.left.map((diagnostic) => ({
        location: (diagnostic.path ?? []).map(String),
        code: String(diagnostic.code ?? ''),
        message: String(diagnostic.message ?? ''),
      }));
    },
  };
}
