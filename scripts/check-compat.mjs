#!/usr/bin/env node
// npm run check:compat — the contract now against the last release recorded in compat/last-release/,
// every change classified for a consumer of our client and types (CONTRIBUTING.md, "Compatibility
// check"). Exits 1 on a breaking change no pending changeset accepts, or a problem of the
// TypeScript half (an API report out of date); 2 on a usage error.
//   --from FILE / --against FILE   the spec before (default compat/last-release/openapi.json)
//   --to FILE                      the spec after (default generated/openapi.json)
//   --changesets DIR               the pending changesets (default .changeset)
//   --api-release DIR              the released API reports (default compat/last-release/api)
//   --json                         one JSON document instead of the lines
// With --from or --to only the two specs are compared (not the TypeScript API reports).
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { checkCompat, formatReport } from './lib/compat/check.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
let values;
try {
  ({ values } = parseArgs({
    options: {
      from: { type: 'string' },
      against: { type: 'string' },
      to: { type: 'string' },
      changesets: { type: 'string' },
      'api-release': { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  }));
} catch (error) {
  console.error(`check-compat: ${error.message}`);
  process.exit(2);
}
// A process substitution (<(git show …)) is a pipe that can be read once: read each file here.
const copy = (file) => (file === undefined ? undefined : { file, text: readFileSync(file, 'utf8') });
const from = copy(values.from ?? values.against);
const to = copy(values.to);
const result = await checkCompat({
  root,
  from: from?.file,
  to: to?.file,
  fromText: from?.text,
  toText: to?.text,
  changesetsDir: values.changesets,
  apiReleaseDir: values['api-release'],
  types: from === undefined && to === undefined,
});
if (values.json) console.log(JSON.stringify(result, null, 2));
else console.log(formatReport(result));
process.exitCode = result.ok ? 0 : 1;
