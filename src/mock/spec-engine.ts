import { createLogger } from '@stoplight/prism-core';
import { getHttpOperationsFromSpec } from '@stoplight/prism-http';
import { createClientFromOperations } from '@stoplight/prism-http/dist/client.js';
import { IMPORT_BATCH_CALL_PATH } from '../defaults.js';
import { generatedFile } from '../paths.js';

/** One schema violation as Prism reports it: `location` starts with "body". */
export interface SpecViolation {
  location: string[];
  code: string;
  message: string;
}

export interface SpecEngine {
  /** The request body's violations of the spec (empty when it is valid). */
  validateImport(body: unknown): Promise<SpecViolation[]>;
}

type Operations = Awaited<ReturnType<typeof getHttpOperationsFromSpec>>;
let operationsOnce: Promise<Operations> | undefined;

/**
 * The bundled spec's operations, loaded once per process. The operation `callbacks` are removed:
 * Prism's mocker would otherwise POST the spec's example payloads, unsigned, to whatever URLs
 * the request body names, after every valid request. The mock sends its own callbacks, to
 * loopback only unless allow-listed (callbacks.ts).
 */
function loadOperations(): Promise<Operations> {
  operationsOnce ??= getHttpOperationsFromSpec(generatedFile('openapi.json')).then((operations) =>
    operations.map((operation) => ({ ...operation, callbacks: [] })),
  );
  return operationsOnce;
}

/**
 * Prism as the engine that knows the spec: the request body goes to Prism's own validator
 * through its in-process client (not through prism-http-server, which caps bodies at 10 MiB and
 * cannot read gzip). Security is checked by verify-request.ts (Prism only checks presence), so
 * Prism is told to skip it; only the body is handed over.
 */
export async function createSpecEngine(): Promise<SpecEngine> {
  const operations = await loadOperations();
  const client = createClientFromOperations(operations, {
    mock: { dynamic: false },
    checkSecurity: false,
    validateRequest: true,
    validateResponse: false,
    errors: false,
    upstreamProxy: undefined,
    isProxy: false,
    logger: createLogger('callbot-mock-prism', { level: 'silent' }),
  });
  return {
    async validateImport(body) {
      try {
        await client.post(IMPORT_BATCH_CALL_PATH, body, { headers: { 'content-type': 'application/json' } });
        return [];
      } catch (error) {
        const validation = (error as { status?: number; additional?: { validation?: unknown } }).additional?.validation;
        if ((error as { status?: number }).status === 422 && Array.isArray(validation)) {
          return validation.map((item: { location?: unknown[]; code?: unknown; message?: unknown }) => ({
            location: (item.location ?? []).map(String),
            code: String(item.code ?? ''),
            message: String(item.message ?? ''),
          }));
        }
        throw error;
      }
    },
  };
}
