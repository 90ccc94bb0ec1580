import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

// Where the files the mock reads and serves live. The bundled spec comes from callbot-contract
// (its published `./openapi.json` and `./openapi.yaml`); the offline docs site is copied into
// this package's `docs/` by its build, so the contract package does not carry 2.5 MB of HTML
// that only the mock serves. `docs/` sits one level above both src/ (tests) and dist/ (built).
const require = createRequire(import.meta.url);

export const specFile = (format: 'json' | 'yaml') => require.resolve(`callbot-contract/openapi.${format}`);
export const docsFile = (page: 'index.html' | 'changes.html' = 'index.html') => fileURLToPath(new URL(`../docs/${page}`, import.meta.url));

/**
 * The callbot-contract repository's demo script (`npm run demo`), when this mock runs from a
 * checkout of it (packages/mock/ two levels below the root); undefined for an installed mock,
 * whose users have no such script.
 */
export function repositoryDemoScript(): string | undefined {
  const script = fileURLToPath(new URL('../../../examples/play-demo-task.ts', import.meta.url));
  const rootManifest = fileURLToPath(new URL('../../../package.json', import.meta.url));
  try {
    return existsSync(script) && (JSON.parse(readFileSync(rootManifest, 'utf8')) as { name?: string }).name === 'callbot-contract' ? script : undefined;
  } catch {
    return undefined;
  }
}
