// `npm run api:report`: writes api/<package>.api.md, the TypeScript surface of each published
// package, from the built declarations (run `npm run build` first). Commit the files with the
// change that moved them: the test suite fails while they differ from dist/ (issue 22).
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeApiReports } from './lib/compat/api-report.mjs';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const reports = await writeApiReports(root);
for (const name of reports.keys()) console.log(`api/${name}.api.md`);
