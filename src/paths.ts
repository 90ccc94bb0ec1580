import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The package root: the folder holding `generated/`. Works from src/ (tests), dist/ (the built
 * package) and node_modules/callbot-contract/dist/ alike, because each sits one level below it.
 */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i += 1) {
    if (existsSync(join(dir, 'generated', 'openapi.json'))) return dir;
    dir = dirname(dir);
  }
  throw new Error('callbot-contract: cannot find generated/openapi.json next to the package');
}

export const generatedFile = (...parts: string[]) => join(packageRoot(), 'generated', ...parts);
