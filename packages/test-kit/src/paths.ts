import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, whatever the working directory of the test run. */
export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const fromRoot = (...parts: string[]) => join(repoRoot, ...parts);
/** Where tests may write (screenshots, reports); ignored by git. */
export const testOutput = (...parts: string[]) => join(repoRoot, 'test-output', ...parts);
