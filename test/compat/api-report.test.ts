import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fromRoot, repoRoot } from 'callbot-test-kit/paths';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiChange, checkApiReports } from '../../scripts/lib/compat/api-report.mjs';

// The TypeScript surface check (issue 22), on the dist/ the global setup built. The reports are
// built once (a few seconds; buildApiReports keeps its last build) and compared with planted
// copies of the committed ones, and with the committed ones, written by another process.

const CONTRACT = 'callbot-contract.api.md';
const work = mkdtempSync(join(tmpdir(), 'callbot-api-report-'));
const reportsDir = join(work, 'api');
const releaseDir = join(work, 'release');

/** `text` with `from` replaced by `to`; `from` must be there (else the test would prove nothing). */
function plant(text: string, from: string, to: string): string {
  expect(text, `planted text not found: ${from}`).toContain(from);
  return text.replace(from, to);
}

let planted: { changes: ApiChange[]; problems: string[] };
const about = (name: string) => planted.changes.filter((change) => change.message.includes(` ${name} `));

beforeAll(async () => {
  // The checked-in reports with one line changed.
  cpSync(fromRoot('api'), reportsDir, { recursive: true });
  const current = readFileSync(join(reportsDir, CONTRACT), 'utf8');
  writeFileSync(join(reportsDir, CONTRACT), plant(current, 'export type SignAlgorithm =', 'export type SignAlgorithmX ='));

  // A release whose surface differs from today's as if today's had removed or changed an export.
  cpSync(fromRoot('api'), releaseDir, { recursive: true });
  let release = current;
  const index = '## callbot-contract (dist/index.d.ts)\n\n';
  release = plant(release, index, `${index}export function removedHelper(value: string): void;\n\n`);
  release = plant(release, 'export function retCodeInfo(code: number): RetCodeInfo | undefined;', 'export function retCodeInfo(code: number): RetCodeInfo;');
  // Today's surface adds an export, optional parameters, an optional member, a required member.
  release = plant(release, 'export function replayTableDdl(table: string): string[];\n\n', '');
  release = plant(release, 'gzipRequestMiddleware(options?: GzipRequestOptions): Middleware;', 'gzipRequestMiddleware(): Middleware;');
  release = plant(release, '  maxElapsedMs?: number | undefined;\n', '');
  release = plant(
    release,
    'sleep?: ((ms: number, signal?: AbortSignal) => Promise<void>) | undefined;',
    'sleep?: ((ms: number) => Promise<void>) | undefined;',
  );
  release = plant(release, '  ping: (data?: string, options?: CallOptions) =>', '  ping: (text?: string) =>');
  release = plant(release, '  readonly suppressed: number;\n', '');
  // The checker's order of a union's members is not part of the surface.
  release = plant(release, "export type CallbackKind = 'order' | 'call' | 'task';", "export type CallbackKind = 'task' | 'order' | 'call';");
  writeFileSync(join(releaseDir, CONTRACT), release);

  planted = await checkApiReports({ root: repoRoot, reportsDir, releaseDir });
}, 120_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('checkApiReports', () => {
  it('passes on the committed reports (the same text from another process)', async () => {
    const committed = await checkApiReports({ root: repoRoot, releaseDir });
    expect(committed.problems).toEqual([]);
    expect(planted.problems.filter((problem) => !problem.includes(CONTRACT))).toEqual([]);
  }, 120_000);

  it('fails while a checked-in report differs from the built surface', () => {
    expect(planted.problems).toHaveLength(1);
    expect(planted.problems[0]).toMatch(/callbot-contract\.api\.md is out of date: run npm run api:report and commit it$/);
  });

  it('reports an export the release had and the surface lacks as breaking, naming it', () => {
    expect(about('removedHelper')).toEqual([
      expect.objectContaining({
        package: 'callbot-contract',
        kind: 'breaking',
        path: 'api/callbot-contract.api.md',
        message: expect.stringMatching(/^callbot-contract: removedHelper removed \(was export function removedHelper\(value: string\): void;\)$/),
      }),
    ]);
  });

  it('reports a changed function signature as breaking, with the old and the new one', () => {
    const [change, ...rest] = about('retCodeInfo');
    expect(rest).toEqual([]);
    expect(change?.kind).toBe('breaking');
    expect(change?.message).toContain('was export function retCodeInfo(code: number): RetCodeInfo;');
    expect(change?.message).toContain('now export function retCodeInfo(code: number): RetCodeInfo | undefined;');
  });

  it('reports an added export, a trailing optional parameter and an optional member as compatible', () => {
    expect(about('replayTableDdl').map((change) => change.kind)).toEqual(['compatible']);
    expect(about('replayTableDdl')[0]?.message).toMatch(/replayTableDdl added/);
    expect(about('gzipRequestMiddleware').map((change) => change.kind)).toEqual(['compatible']);
    expect(about('RetryOptions').map((change) => change.kind)).toEqual(['compatible']);
  });

  it('takes a method that only gains an optional parameter (its others renamed) for compatible', () => {
    const [change, ...rest] = about('CallbotClient');
    expect(rest).toEqual([]);
    expect(change?.kind).toBe('compatible');
    expect(change?.message).toContain('was ping: ping: (text?: string) =>');
  });

  it('reports a required member added to an interface as breaking (a caller may build the object)', () => {
    const [change] = about('AnswerDeviationReport');
    expect(change?.kind).toBe('breaking');
    expect(change?.message).toContain('now suppressed: readonly suppressed: number;');
  });

  it('does not take a reordered union for a change, and finds nothing else', () => {
    expect(about('CallbackKind')).toEqual([]);
    expect(planted.changes).toHaveLength(7);
  });
});
