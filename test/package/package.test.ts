import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromRoot, repoRoot } from 'callbot-test-kit/paths';

// The three packages as users get them: `npm pack` of each (dist/ was built by the global
// setup, so packing runs no script), installed into empty projects with npm, then used from
// ESM, CommonJS, TypeScript and the two bins — real calls against callbot-mock, not just
// imports — on the Node running this suite (CI runs it on 20, 22 and 24: scripts/test-on-node.sh). Third-party dependencies come from npm's cache (`--prefer-offline`); our own
// three names never reach a registry: they are the tarballs given on the command line.
const run = promisify(execFile);
const bin = (name: string) => fromRoot('node_modules', '.bin', name);
// Outside the repository: inside it, Node's resolution would climb to the repository's own
// node_modules and find what the consumer did not install (a missing dependency would pass).
// One folder per checkout and Node version: two checkouts testing at once must not empty each
// other's (a shared one lost its tarballs mid-install when a sibling worktree's run started).
const work = join(tmpdir(), `callbot-package-test-${process.version}-${createHash('sha256').update(repoRoot).digest('hex').slice(0, 8)}`);
const packs = join(work, 'packs');
const NAMES = ['callbot-contract', 'callbot-mock', 'callbot-cli'] as const;
type Name = (typeof NAMES)[number];
const tarball = {} as Record<Name, string>;
const version = (dir: string) => (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version;

async function installInto(dir: string, names: readonly Name[]): Promise<void> {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }));
  await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error', ...names.map((n) => tarball[n])], {
    cwd: dir,
  });
}

/** Every installed package, from the lockfile npm wrote: `node_modules/…` paths. */
const installedPackages = (dir: string) =>
  Object.keys((JSON.parse(readFileSync(join(dir, 'package-lock.json'), 'utf8')) as { packages: Record<string, unknown> }).packages).filter((key) => key !== '');

beforeAll(async () => {
  rmSync(work, { recursive: true, force: true });
  mkdirSync(packs, { recursive: true });
  // The published workspaces, as scripts/pack.mjs packs them: callbot-test-kit is private.
  const published = (JSON.parse((await run('npm', ['query', '.workspace:not(:private)'], { cwd: repoRoot })).stdout) as Array<{ name: string }>).map(
    (w) => w.name,
  );
  const { stdout } = await run(
    'npm',
    ['pack', '--ignore-scripts', ...published.map((name) => `--workspace=${name}`), '--pack-destination', packs, '--json', '--loglevel=error'],
    { cwd: repoRoot },
  );
  for (const entry of JSON.parse(stdout) as Array<{ name: Name; filename: string }>) tarball[entry.name] = join(packs, entry.filename);
  expect(Object.keys(tarball).sort()).toEqual([...NAMES].sort());
}, 120_000);

describe('the packed tarballs', () => {
  const listing = async (name: Name) => (await run('tar', ['-tzf', tarball[name]])).stdout.trim().split('\n');

  it('callbot-contract ships dist/, the bundled spec and types, openapi/, LICENSE; no sources, tests, docs site or mock', async () => {
    const files = await listing('callbot-contract');
    expect(files).toEqual(
      expect.arrayContaining([
        'package/dist/index.js',
        'package/dist/index.cjs',
        'package/dist/index.d.ts',
        'package/dist/index.d.cts',
        'package/generated/openapi.json',
        'package/generated/openapi.yaml',
        'package/openapi/openapi.yaml',
        'package/LICENSE',
        'package/THIRD-PARTY-NOTICES.md',
        'package/README.md',
      ]),
    );
    expect(files.filter((f) => /^package\/(src|test|packages|scripts|bench)\//.test(f) || f.includes('docs/index.html'))).toEqual([]);
  });

  it('callbot-mock ships its dist/, the offline docs site and LICENSE; callbot-cli its dist/, examples and LICENSE', async () => {
    expect(await listing('callbot-mock')).toEqual(
      expect.arrayContaining([
        'package/bin/callbot-mock.js',
        'package/dist/bin.js',
        'package/dist/index.js',
        'package/dist/index.cjs',
        'package/docs/index.html',
        'package/examples/msw-fetch-handler.mjs', // the README's msw example
        'package/LICENSE',
        'package/README.md',
      ]),
    );
    expect(await listing('callbot-cli')).toEqual(
      expect.arrayContaining([
        'package/bin/callbot.js',
        'package/dist/cli.js',
        'package/examples/call-list.csv',
        'package/schema/probe-report.schema.json',
        'package/LICENSE',
        'package/README.md',
      ]),
    );
  });

  it.each(NAMES)('%s passes publint --strict', async (name) => {
    const { stdout } = await run(bin('publint'), ['run', tarball[name], '--strict']);
    expect(stdout).toContain('All good');
  });

  // callbot-cli's library entry (runImport) is ESM only, like its bin: checked with attw's
  // esm-only profile, which does not count `require()` from node16 CommonJS as a problem.
  it.each([
    ['callbot-contract', 'node16', ['node10']],
    ['callbot-mock', 'node16', ['node10']],
    ['callbot-cli', 'esm-only', ['node10', 'node16-cjs']],
  ] as const)('%s passes @arethetypeswrong/cli (profile %s)', async (name, profile, ignored) => {
    const exclude = name === 'callbot-contract' ? ['--exclude-entrypoints', './openapi.yaml'] : []; // an asset, not a module
    const result = await run(bin('attw'), [tarball[name], '--profile', profile, ...exclude, '--format', 'json']).catch((error: { stdout: string }) => error);
    const report = JSON.parse(result.stdout) as { analysis: { problems: Array<{ resolutionKind?: string }> } };
    // The json format also lists what the profile ignores.
    expect(report.analysis.problems.filter((p) => !(ignored as readonly string[]).includes(p.resolutionKind ?? ''))).toEqual([]);
  });
});

describe('callbot-contract alone: what a team that wants only the types and the client installs', () => {
  const consumer = join(work, 'contract-only');
  beforeAll(async () => {
    await installInto(consumer, ['callbot-contract']);
    cpSync(fromRoot('test/fixtures/consumer'), consumer, { recursive: true });
  }, 180_000);

  it("is small: at most 5 MB on disk and three packages (the streaming JSON parser is bundled), none of the mock's or the command's dependencies", async () => {
    const { stdout } = await run('du', ['-sk', join(consumer, 'node_modules')]);
    const kilobytes = Number(stdout.split('\t')[0]);
    const packages = installedPackages(consumer);
    console.log(
      `callbot-contract installed alone: ${(kilobytes / 1024).toFixed(2)} MB on disk, ${packages.length} packages (${packages.map((p) => p.replace(/^.*node_modules\//, '')).join(', ')})`,
    );
    expect(kilobytes).toBeLessThanOrEqual(5 * 1024);
    expect(packages.map((p) => p.replace(/^.*node_modules\//, '')).sort()).toEqual(['callbot-contract', 'openapi-fetch', 'openapi-typescript-helpers']);
    for (const heavy of ['@stoplight', '@faker-js', 'csv-parse', 'libphonenumber-js', 'commander', 'cli-progress', 'ajv']) {
      expect(
        packages.filter((p) => p.includes(`node_modules/${heavy}`)),
        heavy,
      ).toEqual([]);
    }
  });

  it('works from ESM: vectors, retCodes, openapi.json, and a client import with one retry', async () => {
    const { stdout } = await run(process.execPath, ['smoke.mjs'], { cwd: consumer });
    expect(stdout).toContain(`esm ok on node ${process.version}`);
  });

  it('works from CommonJS', async () => {
    const { stdout } = await run(process.execPath, ['smoke.cjs'], { cwd: consumer });
    expect(stdout).toContain(`cjs ok on node ${process.version}`);
  });

  it('type-checks for a consumer on moduleResolution node16 (and rejects what must not compile)', async () => {
    writeFileSync(
      join(consumer, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { module: 'node16', moduleResolution: 'node16', strict: true, noEmit: true, skipLibCheck: false, types: [] },
        files: ['types.ts'],
      }),
    );
    const result = await run(process.execPath, [fromRoot('node_modules/typescript/bin/tsc'), '-p', consumer]).catch((e: { stdout: string }) => e);
    expect('stdout' in result ? result.stdout : '').toBe('');
  });
});

describe('the three packages installed together', () => {
  const consumer = join(work, 'all-three');
  let mock: ReturnType<typeof spawn> | undefined;
  beforeAll(() => installInto(consumer, NAMES), 300_000);
  afterAll(() => {
    mock?.kill('SIGTERM');
  });

  it('resolved our own names to the tarballs, once each (no registry, no second copy of the contract)', () => {
    const lock = JSON.parse(readFileSync(join(consumer, 'package-lock.json'), 'utf8')) as { packages: Record<string, { resolved?: string }> };
    for (const name of NAMES) expect(lock.packages[`node_modules/${name}`]?.resolved, name).toMatch(/^file:/);
    expect(installedPackages(consumer).filter((p) => p.endsWith('/callbot-contract'))).toEqual(['node_modules/callbot-contract']);
  });

  it('`callbot mock` runs callbot-mock when it is installed, and says how to get it when it is not', async () => {
    const callbot = join(consumer, 'node_modules', '.bin', 'callbot');
    const pointed = await run(callbot, ['mock', '--version']);
    expect(pointed.stdout.trim()).toBe(version(fromRoot('packages', 'mock')));
    const mockDir = join(consumer, 'node_modules', 'callbot-mock');
    renameSync(mockDir, `${mockDir}.away`);
    try {
      const missing = await run(callbot, ['mock']).catch((error: { code: number; stderr: string }) => error);
      expect('code' in missing ? missing.code : 0).toBe(1);
      expect(missing.stderr).toContain('npm install --save-dev callbot-mock');
    } finally {
      renameSync(`${mockDir}.away`, mockDir);
    }
  });

  it("`callbot --version` and `callbot-mock --version` print the packages' versions", async () => {
    const cli = await run(join(consumer, 'node_modules', '.bin', 'callbot'), ['--version']);
    expect(cli.stdout.trim()).toBe(version(fromRoot('packages', 'cli')));
    const mockVersion = await run(join(consumer, 'node_modules', '.bin', 'callbot-mock'), ['--version']);
    expect(mockVersion.stdout.trim()).toBe(version(fromRoot('packages', 'mock')));
  });

  // Every consumer the READMEs promise, in this one install, each making real calls on loopback
  // against a callbot-mock it starts in-process: test/fixtures/consumer-with-mock/scenario.ts
  // (client, receiver fed by the mock's signed callbacks, a forged callback refused, the
  // middlewares on the user's own openapi-fetch client) type-checked by tsc under each module
  // setting and run as emitted, as ES module and as CommonJS; readme-forms.mjs/.cjs, the plain
  // JavaScript import forms of the READMEs. On the Node running this suite (CI: 20, 22 and 24).
  describe('every consumer makes real calls against callbot-mock', () => {
    // Node's own types for the scenario (node:http, node:crypto) come from the repository's
    // @types/node: they are the user's environment, not part of what is tested, and installing
    // them here would ask the registry.
    const settings = {
      node16: { compilerOptions: { module: 'node16', moduleResolution: 'node16' }, files: ['consumer.mts', 'consumer.cts'] },
      nodenext: { compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext' }, files: ['consumer.mts', 'consumer.cts'] },
      // A bundler user's .ts files in a "type": "module" project.
      bundler: { compilerOptions: { module: 'esnext', moduleResolution: 'bundler' }, files: ['consumer.ts'] },
    } as const;
    const fixtures = fromRoot('test/fixtures/consumer-with-mock');
    let typecheck: { code: number; output: string };

    beforeAll(async () => {
      for (const file of ['readme-forms.mjs', 'readme-forms.cjs']) cpSync(join(fixtures, file), join(consumer, file));
      for (const [setting, { compilerOptions, files }] of Object.entries(settings)) {
        const dir = join(consumer, `ts-${setting}`);
        mkdirSync(dir, { recursive: true });
        for (const file of files) cpSync(join(fixtures, 'scenario.ts'), join(dir, file));
        if (setting === 'bundler') writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
        const options = {
          ...compilerOptions,
          target: 'es2022',
          lib: ['es2022'],
          strict: true,
          // The packages' own .d.ts files are checked with skipLibCheck off by the contract-only
          // consumer above; here the scenario's @ts-expect-error lines show the types resolved.
          skipLibCheck: true,
          types: ['node'],
          typeRoots: [fromRoot('node_modules', '@types')],
          outDir: 'out',
        };
        writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: options, files }));
      }
      // One tsc process for the three settings: --build parses the shared declarations once.
      const dirs = Object.keys(settings).map((setting) => join(consumer, `ts-${setting}`));
      typecheck = await run(process.execPath, [fromRoot('node_modules/typescript/bin/tsc'), '-b', ...dirs]).then(
        ({ stdout }) => ({ code: 0, output: stdout }),
        (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, output: `${error.stdout}${error.stderr}` }),
      );
    }, 240_000);

    /** Runs a consumer on this Node; its last stdout line is its JSON summary. */
    const runConsumer = async (file: string) => {
      const { stdout } = await run(process.execPath, [file], { cwd: consumer, timeout: 50_000 });
      return JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as Record<string, unknown>;
    };

    it("type-checks with tsc against the tarballs' types on module node16, nodenext and bundler", () => {
      expect(typecheck).toEqual({ code: 0, output: '' });
    });

    it.each([
      ['node16', 'consumer.mjs', 'esm'],
      ['node16', 'consumer.cjs', 'commonjs'],
      ['nodenext', 'consumer.mjs', 'esm'],
      ['nodenext', 'consumer.cjs', 'commonjs'],
      ['bundler', 'consumer.js', 'esm'],
    ] as const)('TypeScript %s, emitted %s (%s): client, receiver and middlewares against the mock', async (setting, file, module) => {
      const result = await runConsumer(join(consumer, `ts-${setting}`, 'out', file));
      expect(result).toMatchObject({ consumer: 'ok', module, node: process.version, imported: 2, forgedStatus: 401, middleware: { listTask: 0, ping: 0 } });
      const callbacks = result.callbacks as { call: number; order: number; task: number };
      expect(callbacks.order).toBe(2);
      expect(callbacks.call).toBeGreaterThanOrEqual(2);
      expect(callbacks.task).toBeGreaterThanOrEqual(1);
    });

    it.each([
      ['readme-forms.mjs', 'esm'],
      ['readme-forms.cjs', 'commonjs'],
    ] as const)("plain JavaScript, the READMEs' import forms: %s (%s)", async (file, module) => {
      const result = await runConsumer(join(consumer, file));
      expect(result).toMatchObject({ forms: 'ok', module, node: process.version, imported: 1, busy: 1001 });
    });
  });

  it('callbot-mock serves one signed import sent by `callbot import` (the demo account, the shipped sample list)', async () => {
    mock = spawn(join(consumer, 'node_modules', '.bin', 'callbot-mock'), ['--port', '0', '--host', '127.0.0.1', '--no-callbacks'], {
      cwd: consumer,
    });
    let banner = '';
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`callbot-mock did not start: ${banner}`)), 30_000);
      mock!.stdout!.on('data', (chunk: Buffer) => {
        banner += chunk.toString();
        const match = /listening on (http:\/\/\S+)[\s\S]*Press Ctrl-C/.exec(banner);
        if (match) {
          clearTimeout(timer);
          resolve(match[1]!);
        }
      });
      mock!.once('exit', (code) => reject(new Error(`callbot-mock exited ${code}: ${banner}`)));
    });
    // The installed mock offers what its users have: no `npm run demo` (this repository's script).
    expect(banner).toContain('  play:');
    expect(banner).not.toContain('npm run demo');
    const list = join(consumer, 'node_modules', 'callbot-cli', 'examples', 'call-list.csv');
    expect(existsSync(list)).toBe(true);
    const report = join(consumer, 'report.csv');
    const imported = await run(
      join(consumer, 'node_modules', '.bin', 'callbot'),
      ['import', list, '--task', 'package-test', '--base-url', url, '--report', report, '--json'],
      { cwd: consumer },
    );
    const summary = JSON.parse(imported.stdout) as { outcome: string; exitCode: number; counts: Record<string, number> };
    expect(summary.outcome).toBe('imported');
    expect(summary.exitCode).toBe(0);
    expect(readdirSync(consumer)).toContain('report.csv');
  });
});
