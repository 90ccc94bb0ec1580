import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

// Where the files the mock reads and serves live. The bundled spec comes from callbot-contract
// (its published `./openapi.json` and `./openapi.yaml`); the offline docs site is copied into
// this package's `docs/` by its build, so the contract package does not carry 2.5 MB of HTML
// that only the mock serves. `docs/` sits one level above both src/ (tests) and dist/ (built).
const require = createRequire(import.meta.url);

export const specFile = (format: 'json' | 'yaml') => require.resolve(`callbot-contract/openapi.${format}`);
export const docsFile = () => fileURLToPath(new URL('../docs/index.html', import.meta.url));
