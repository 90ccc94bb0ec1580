// Module hooks (they run on Node's loader thread): each resolved URL, one line, appended to
// CALLBOT_TEST_LOADED_MODULES. Written synchronously, so the list is complete when the process ends.
import { appendFileSync } from 'node:fs';

export async function resolve(specifier, context, nextResolve) {
  const result = await nextResolve(specifier, context);
  const file = process.env.CALLBOT_TEST_LOADED_MODULES;
  if (file) appendFileSync(file, `${result.url}\n`);
  return result;
}
