#!/usr/bin/env node
// The `callbot-mock` command. This file is committed (dist/ is not) so that `npm ci` in a fresh
// clone links the command: npm skips a bin whose file does not exist yet, and dist/ is built
// after the install (`npm start`, `npm test`, `npm run build`).
try {
  await import('../dist/bin.js');
} catch (error) {
  if (error?.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes('dist/bin.js')) {
    process.stderr.write('callbot-mock: callbot-mock is not built yet; run `npm run build` in its repository\n');
    process.exit(1);
  }
  throw error;
}
