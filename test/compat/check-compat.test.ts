import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fromRoot } from 'callbot-test-kit/paths';

// Issue 22: no breaking change ships unnoticed. `npm run check:compat` (scripts/check-compat.mjs)
// compares the spec with the last release recorded in compat/last-release/ and fails on a breaking
// change no pending changeset accepts. Each planted break below is made in a copy of the bundled
// spec (JSON only) and checked with --from/--to and a --changesets folder of the test's own.

type Json = Record<string, any>;
type Change = { kind: string; side: string; path: string; what: string; names: string[]; acceptedBy?: string };
type Result = { ok: boolean; changes: Change[]; problems: string[]; summary: Record<string, number> };

const scratch = mkdtempSync(join(tmpdir(), 'callbot-compat-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function check(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [fromRoot('scripts', 'check-compat.mjs'), ...args], { cwd: fromRoot(), maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

const spec = (): Json => JSON.parse(readFileSync(fromRoot('generated', 'openapi.json'), 'utf8'));
const schemas = (doc: Json): Json => doc.components.schemas;
let n = 0;
function writeTemp(name: string, text: string): string {
  const file = join(scratch, `${++n}-${name}`);
  writeFileSync(file, text);
  return file;
}
function changesetDir(files: Record<string, string>): string {
  const dir = join(scratch, `${++n}-changesets`);
  mkdirSync(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}
const changeset = (level: string, text: string) => `---\n"callbot-contract": ${level}\n---\n\n${text}\n`;

describe('the repository', () => {
  it('passes on the current spec and pending changesets (every breaking change since the last release accepted)', async () => {
    const started = performance.now();
    const { code, stdout } = await check([]);
    const seconds = (performance.now() - started) / 1000;
    console.log(`check:compat on the repository: ${seconds.toFixed(2)} s`); // reported, not asserted
    expect(stdout).toMatch(/^Contract changes since 0\.\d+\.\d+ \(compat\/last-release\)/);
    expect(stdout).toMatch(/\d+ breaking \(\d+ accepted by a changeset, 0 not\)/);
    expect(code).toBe(0);
  });

  it('records the last release: its spec as released and {version, commit}', () => {
    const release = JSON.parse(readFileSync(fromRoot('compat', 'last-release', 'release.json'), 'utf8'));
    const pkg = JSON.parse(readFileSync(fromRoot('package.json'), 'utf8'));
    expect(release).toEqual({ version: expect.stringMatching(/^\d+\.\d+\.\d+$/), commit: expect.stringMatching(/^[0-9a-f]{40}$/) });
    expect(pkg.version).toBe(release.version); // between releases the version is the last one's
    expect(pkg.scripts['version-packages']).toMatch(/changeset version && node scripts\/record-release\.mjs/);
    expect(pkg.scripts['check:compat']).toBe('node scripts/check-compat.mjs');
  });
});

// Each break: what to change in the spec, where it must be reported, what kind, the name a
// changeset has to mention.
const BREAKS: { title: string; plant: (doc: Json) => void; side: string; path: RegExp; what: RegExp; name: string }[] = [
  {
    title: 'a removed answer field',
    plant: (doc) => delete schemas(doc).ListTaskResponse.properties.totalCount,
    side: 'answer',
    path: /^listTask 200 body totalCount$/,
    what: /^field removed$/,
    name: 'totalCount',
  },
  {
    title: 'a new required request field',
    plant: (doc) => {
      const create = schemas(doc).CreateTaskRequest;
      create.properties.priority = { type: 'string' };
      create.required.push('priority');
    },
    side: 'request',
    path: /^createTask body priority$/,
    what: /^new required field: priority$/,
    name: 'priority',
  },
  {
    title: 'a narrowed enum in a request',
    plant: (doc) => {
      schemas(doc).TaskOperate.enum = [1, 3]; // from the middle: the enum is compared as a set
    },
    side: 'request',
    path: /^mgrTaskStatus body taskOperate$/,
    what: /^enum narrowed: - 2$/,
    name: 'taskOperate',
  },
  {
    title: 'a tightened pattern in a request',
    plant: (doc) => {
      schemas(doc).CallOrder.properties.userPhone.pattern = '^[1-9][0-9]{6,13}$';
    },
    side: 'request',
    path: /^importBatchCall body callInfoList\.callList\[\]\.userPhone$/,
    what: /^pattern tightened: /,
    name: 'userPhone',
  },
  {
    title: 'an answer field made optional',
    plant: (doc) => {
      const list = schemas(doc).ListTaskResponse;
      list.required = list.required.filter((field: string) => field !== 'retMsg');
    },
    side: 'answer',
    path: /^listTask 200 body retMsg$/,
    what: /^field made optional: retMsg$/,
    name: 'retMsg',
  },
  {
    title: 'an enum widened in an answer',
    plant: (doc) => schemas(doc).TaskStatus.enum.push(6),
    side: 'answer',
    path: /^mgrTaskStatus 200 body taskStatus$/,
    what: /^enum widened: \+ 6$/,
    name: 'taskStatus',
  },
  {
    // A callback payload is read by the consumer: the answer side, behind the shared
    // components/callbacks and requestBodies the operations $ref.
    title: 'a field removed from a callback payload',
    plant: (doc) => {
      const payload = schemas(doc).OrderFinishedCallback;
      delete payload.properties.finish;
      payload.required = payload.required.filter((field: string) => field !== 'finish');
    },
    side: 'answer',
    path: /^orderFinished body finish$/,
    what: /^field removed$/,
    name: 'finish',
  },
];

describe('a planted break', () => {
  const base = writeTemp('base.json', JSON.stringify(spec()));
  it.each(BREAKS)('$title fails, naming the path and kind; a patch changeset does not pass it, a minor one naming it does', async (item) => {
    const doc = spec();
    item.plant(doc);
    const planted = writeTemp('planted.json', JSON.stringify(doc));
    const none = changesetDir({});
    const patch = changesetDir({ 'fix.md': changeset('patch', `Changes \`${item.name}\`.`) });
    const unnamed = changesetDir({ 'other.md': changeset('minor', 'Something else entirely.') });
    const named = changesetDir({ 'break.md': changeset('minor', `**Breaking:** \`${item.name}\` changed.`) });
    const [bare, withPatch, withUnnamed, withNamed, json] = await Promise.all([
      check(['--from', base, '--to', planted, '--changesets', none]),
      check(['--from', base, '--to', planted, '--changesets', patch]),
      check(['--from', base, '--to', planted, '--changesets', unnamed]),
      check(['--from', base, '--to', planted, '--changesets', named]),
      check(['--from', base, '--to', planted, '--changesets', none, '--json']),
    ]);
    const result = JSON.parse(json.stdout) as Result;
    const breaking = result.changes.filter((c) => c.kind === 'breaking');
    expect(breaking.map((c) => `${c.side} ${c.path}: ${c.what}`)).toContainEqual(expect.stringMatching(new RegExp(`^${item.side} `)));
    const hit = breaking.find((c) => item.path.test(c.path) && item.what.test(c.what));
    expect(hit, JSON.stringify(breaking, null, 1)).toBeDefined();
    expect(hit?.side).toBe(item.side);
    expect(hit?.names[0]).toBe(item.name);
    expect(json.code).toBe(1);

    // The line says the kind, the side, the path and what changed; the advice names the field.
    expect(bare.code).toBe(1);
    expect(bare.stdout).toMatch(
      new RegExp(
        `^breaking\\s+${item.side}\\s+${hit?.path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s+${hit?.what.slice(0, 12).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`,
        'm',
      ),
    );
    expect(bare.stdout).toMatch(new RegExp(`"callbot-contract": minor\\n---\\nand a text naming each change.*\`${item.name}\``));
    expect(withPatch.code).toBe(1);
    expect(withUnnamed.code).toBe(1);
    expect(withNamed.stdout).toMatch(/ 0 not\)/);
    expect(withNamed.stdout).toContain('(changeset break.md)');
    expect(withNamed.code).toBe(0);
  });

  it('an unchanged spec has no change at all', async () => {
    const { code, stdout } = await check(['--from', base, '--to', base, '--changesets', changesetDir({}), '--json']);
    expect(JSON.parse(stdout).changes).toEqual([]);
    expect(code).toBe(0);
  });

  it('an added answer field and a request field no longer required are compatible', async () => {
    const doc = spec();
    schemas(doc).ListTaskResponse.properties.newCount = { type: 'integer' };
    schemas(doc).CreateTaskRequest.required = schemas(doc).CreateTaskRequest.required.filter((f: string) => f !== 'sceneID');
    const { code, stdout } = await check([
      '--from',
      base,
      '--to',
      writeTemp('compatible.json', JSON.stringify(doc)),
      '--changesets',
      changesetDir({}),
      '--json',
    ]);
    const result = JSON.parse(stdout) as Result;
    expect(result.changes.map((c) => `${c.kind} ${c.side} ${c.path}: ${c.what}`)).toEqual([
      'compatible answer listTask 200 body newCount: field added',
      'compatible request createTask body sceneID: no longer required: sceneID',
    ]);
    expect(code).toBe(0);
  });
});

describe('0.1.0 → 0.3.0 (the three real changes of the 0.2.0 CHANGELOG)', () => {
  it('classifies the answer headers made optional, retCode widened on answers and the callback URL pattern tightened as breaking', async () => {
    // 0.1.0's bundled spec (git show 5fb572a~1:generated/openapi.json) is a fixture: a shallow
    // clone has no history to read it from.
    const from = fromRoot('test', 'fixtures', 'compat', 'openapi-0.1.0.json');
    const to = fromRoot('compat', 'last-release', 'openapi.json'); // 0.3.0 (7965b14)
    const { code, stdout } = await check(['--from', from, '--to', to, '--changesets', changesetDir({})]);
    const breaking = stdout.split('\n').filter((line) => line.startsWith('breaking'));
    for (const header of ['requestID', 'uuid', 'sign']) {
      expect(breaking).toContainEqual(expect.stringMatching(new RegExp(`^breaking\\s+answer\\s+importBatchCall 200 header ${header}\\s+made optional`)));
    }
    expect(breaking).toContainEqual(expect.stringMatching(/^breaking\s+answer\s+importBatchCall 200 body retCode\s+type widened/));
    for (const url of ['orderCallbackUrl', 'callCallbackUrl']) {
      expect(breaking).toContainEqual(
        expect.stringMatching(
          new RegExp(`^breaking\\s+request\\s+importBatchCall body callInfoList\\.${url}\\s+pattern tightened: "\\^https\\?://" → "\\^https\\?://\\[\\^/\\]"`),
        ),
      );
    }
    expect(code).toBe(1);
  });
});

describe('for the teams that upgrade', () => {
  it('the docs site has a changes page, linked from the API page, with the version and every change the check lists', async () => {
    const page = readFileSync(fromRoot('generated', 'docs', 'changes.html'), 'utf8');
    const index = readFileSync(fromRoot('generated', 'docs', 'index.html'), 'utf8');
    const { version } = JSON.parse(readFileSync(fromRoot('package.json'), 'utf8'));
    const release = JSON.parse(readFileSync(fromRoot('compat', 'last-release', 'release.json'), 'utf8'));
    expect(page).toContain(`callbot-contract <strong id="version">${version}</strong>`);
    expect(page).toContain(`<h1>Contract changes since ${release.version}</h1>`);
    expect(index).toMatch(
      new RegExp(`<a id="callbot-changes" href="changes\\.html"[^>]*>callbot-contract ${version.replaceAll('.', '\\.')} · \\d+ contract changes since`),
    );
    const { stdout } = await check(['--json', '--changesets', changesetDir({})]);
    const result = JSON.parse(stdout) as Result;
    const specChanges = result.changes.filter((c) => c.side !== 'types');
    for (const c of specChanges)
      expect(page).toContain(
        `<tr class="${c.kind}"><td>${c.kind}</td><td>${c.side}</td><td><code>${c.path.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;')}</code>`,
      );
    expect(page.match(/<tr class=/g)?.length ?? 0).toBe(specChanges.length);
  });

  it('record-release writes the classified list into the new version section of CHANGELOG.md, once', async () => {
    const file = writeTemp('CHANGELOG.md', '# callbot-contract\n\n## 0.4.0\n\n### Minor Changes\n\n- abc1234: something\n\n## 0.3.0\n\n### Patch Changes\n');
    const lib = fromRoot('scripts', 'lib', 'compat', 'changelog.mjs');
    const result = {
      lastRelease: { version: '0.3.0', commit: 'x' },
      changes: [
        { package: 'callbot-contract', kind: 'breaking', side: 'answer', path: 'listTask 200 body totalCount', what: 'field removed', names: [] },
        { package: 'callbot-contract', kind: 'compatible', side: 'answer', path: 'listTask 200 body newCount', what: 'field added', names: [] },
      ],
    };
    const script = `import { insertChangelogSection } from ${JSON.stringify(lib)}; const [file, result] = process.argv.slice(1); insertChangelogSection(file, '0.4.0', JSON.parse(result)); insertChangelogSection(file, '0.4.0', JSON.parse(result));`;
    await new Promise<void>((resolve, reject) =>
      execFile(process.execPath, ['--input-type=module', '-e', script, file, JSON.stringify(result)], (error) => (error ? reject(error) : resolve())),
    );
    expect(readFileSync(file, 'utf8')).toBe(
      '# callbot-contract\n\n## 0.4.0\n\n### Contract changes since 0.3.0 (breaking / compatible)\n\n' +
        '- `breaking  answer  listTask 200 body totalCount  field removed`\n' +
        '- `compatible  answer  listTask 200 body newCount  field added`\n\n' +
        '### Minor Changes\n\n- abc1234: something\n\n## 0.3.0\n\n### Patch Changes\n',
    );
  });
});

describe('the TypeScript surface goes through the same changeset rule', () => {
  // Planted in a copy of the released API reports: an export 0.3.0 "had" that is gone now, and a
  // function whose released signature took one more (optional) parameter than it does now.
  it('a removed export and a changed function signature fail the check, naming each; a minor changeset naming them passes it, a patch one does not', async () => {
    const release = join(scratch, `${++n}-api-release`);
    cpSync(fromRoot('compat', 'last-release', 'api'), release, { recursive: true });
    const file = join(release, 'callbot-contract.api.md');
    const text = readFileSync(file, 'utf8');
    const signature = 'export function retCodeInfo(code: number): RetCodeInfo | undefined;';
    expect(text).toContain(signature);
    writeFileSync(
      file,
      text.replace(
        signature,
        `export function removedHelper(): void;\n\nexport function retCodeInfo(code: number, language?: string): RetCodeInfo | undefined;`,
      ),
    );
    const pending = Object.fromEntries(
      readdirSync(fromRoot('.changeset'))
        .filter((name) => name.endsWith('.md') && name !== 'README.md')
        .map((name) => [name, readFileSync(fromRoot('.changeset', name), 'utf8')]),
    );
    const run = (extra: Record<string, string>) => check(['--api-release', release, '--changesets', changesetDir({ ...pending, ...extra }), '--json']);

    const failing = await run({});
    expect(failing.code).toBe(1);
    const unaccepted = (JSON.parse(failing.stdout) as Result).changes.filter((c) => c.kind === 'breaking' && !c.acceptedBy);
    expect(unaccepted.map((c) => [c.side, c.path]).sort()).toEqual([
      ['types', expect.stringMatching(/removedHelper/)],
      ['types', expect.stringMatching(/retCodeInfo/)],
    ]);
    expect(unaccepted.find((c) => /removedHelper/.test(c.path))!.what).toMatch(/removed/);

    const patch = await run({ 'z-patch.md': changeset('patch', '**Breaking:** removed `removedHelper`; `retCodeInfo` takes no language.') });
    expect(patch.code).toBe(1);
    // Named as plain words, not as code: not accepted (a word in passing is not a name).
    const words = await run({ 'z-words.md': changeset('minor', '**Breaking:** removed removedHelper; retCodeInfo takes no language.') });
    expect(words.code).toBe(1);
    // Named as code, but in a changeset that does not say it breaks anything: not accepted.
    const unsaid = await run({ 'z-unsaid.md': changeset('minor', 'Tidied `removedHelper` and `retCodeInfo`.') });
    expect(unsaid.code).toBe(1);
    const minor = await run({ 'z-minor.md': changeset('minor', '**Breaking:** removed `removedHelper`; `retCodeInfo` takes no language.') });
    expect(minor.code, minor.stdout.slice(0, 2000)).toBe(0);
  }, 60_000);
});
