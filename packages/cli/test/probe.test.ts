import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { fromRoot } from 'callbot-test-kit/paths';
import { startMockProcess, type MockProcess } from 'callbot-test-kit/mock-process';
import { PHONE, NAME, startDivergentVendor, type DivergentVendor } from './probe-divergent-vendor.js';
import { freshDir, spawnCli, type LiveCli } from './support/run-cli.js';
import { runInProcess } from './support/run-in-process.js';

// `callbot probe` as a user runs it (the built command, a real process), against the built
// mock (the contract's defaults: every probe confirmed, or unknown where the mock cannot tell)
// and against a vendor that departs from the contract on every point the probe checks (each
// departure must come out `differs`, naming the file under openapi/ to change). No test
// reaches a real vendor.

interface Check {
  name: string;
  result: string;
  observed: string;
  spec: { file: string; pointer: string; paragraph?: string };
}
interface Probe {
  id: string;
  result: string;
  reason?: string;
  checks: Check[];
  issues?: { operation: string; kind: string; path: string; file: string; detail: string }[];
}
interface Report {
  interrupted: boolean;
  requests: { sent: number; max: number };
  probes: Probe[];
  workingForm?: { requestIdHeader: string; algorithmHeader: string | null };
}

const schema = JSON.parse(readFileSync(fromRoot('packages', 'cli', 'schema', 'probe-report.schema.json'), 'utf8'));
const ajv = new Ajv2020({ allErrors: true, strict: true });
addFormats.default(ajv);
const validateReport = ajv.compile(schema);

function readProbeReport(file: string): { text: string; report: Report } {
  const text = readFileSync(file, 'utf8');
  const report = JSON.parse(text) as Report;
  expect(validateReport(report), JSON.stringify(validateReport.errors, null, 2)).toBe(true);
  return { text, report };
}

const probe = (report: Report, id: string) => {
  const found = report.probes.find((p) => p.id === id);
  if (!found) throw new Error(`no probe ${id} in the report`);
  return found;
};
const checkOf = (report: Report, id: string, name: string) => {
  const found = probe(report, id).checks.find((c) => c.name === name);
  if (!found)
    throw new Error(
      `no check "${name}" in probe ${id}: ${probe(report, id)
        .checks.map((c) => c.name)
        .join(', ')}`,
    );
  return found;
};

/** Every spec location in a report names a file that exists and a paragraph the spec still has. */
function expectSpecLocationsResolve(report: Report) {
  for (const p of report.probes) {
    for (const c of p.checks) {
      expect(existsSync(fromRoot(c.spec.file)), `${p.id}/${c.name}: ${c.spec.file}`).toBe(true);
      expect(c.spec.paragraph ?? '', `${p.id}/${c.name}`).not.toContain('not found in the bundled spec');
    }
    for (const i of p.issues ?? []) expect(existsSync(fromRoot(i.file)), i.file).toBe(true);
  }
}

describe('callbot probe against the built mock (the contract defaults)', () => {
  let mock: MockProcess;
  let report: Report;
  let text: string;
  let code: number | null;
  let stdout: string;

  beforeAll(async () => {
    mock = await startMockProcess(['--account', 'probe-sha-account:probe-sha-secret-0123456789abcdef:SHA256']);
    const dir = freshDir('callbot-probe-');
    const run = await runInProcess(['probe', '--base-url', mock.url, '--task', 'probe-task', '--out', 'report.json'], { cwd: dir });
    code = run.code;
    stdout = run.stdout;
    ({ text, report } = readProbeReport(join(dir, 'report.json')));
  }, 120_000);
  afterAll(async () => {
    await mock?.stop();
  });

  it('exits 0 and prints the table with each probe, its result and its spec file, and where to send the report', () => {
    expect(code, stdout).toBe(0);
    for (const p of report.probes) expect(stdout).toMatch(new RegExp(`${p.id}\\s+${p.result}\\s+openapi/`));
    expect(stdout).toMatch(/Attach this file to an issue/);
  });

  it('finds nothing that differs; the contract form is the working form', () => {
    expect(report.probes.filter((p) => p.result === 'differs').map((p) => p.checks.filter((c) => c.result === 'differs'))).toEqual([]);
    expect(report.workingForm).toEqual({ requestIdHeader: 'requestID', algorithmHeader: 'MD5', signAlgorithm: 'MD5' });
  });

  it('confirms what the mock implements from the contract', () => {
    for (const id of ['header-case', 'signature-body', 'request-gzip', 'createts-window', 'answer-signature'])
      expect(probe(report, id).result, id).toBe('confirmed');
    expect(checkOf(report, 'algorithm-header', 'MD5 and SHA256 accepted').result).toBe('confirmed');
    expect(checkOf(report, 'algorithm-header', 'lowercase values refused').result).toBe('confirmed');
    expect(checkOf(report, 'answer-schema', 'ping answers').result).toBe('confirmed');
    expect(checkOf(report, 'createts-window', 'createTs ahead of the server').observed).toBe('accepted at 290 s, refused at 310 s');
    expect(checkOf(report, 'createts-window', 'createTs behind the server').observed).toBe('accepted at 290 s, refused at 310 s');
  });

  it('says unknown, with the reason, where the mock cannot tell', () => {
    // The demo account uses MD5: "absent header = MD5" and "absent header = the account's
    // setting" predict the same answers.
    const absent = checkOf(report, 'algorithm-header', 'absent header means MD5');
    expect(absent.result).toBe('unknown');
    expect(absent.observed).toMatch(/cannot tell/);
    // The mock does not compress answers: an uncompressed answer is allowed ("may come gzip-compressed").
    for (const c of probe(report, 'answer-gzip').checks) {
      expect(c.result).toBe('unknown');
      expect(c.observed).toMatch(/not compressed/);
    }
    // The list operations may answer a refusal for an unknown task (only refusals seen: unknown), never a departure.
    expect(['confirmed', 'unknown']).toContain(probe(report, 'answer-schema').result);
    expect(probe(report, 'answer-schema').issues).toEqual([]);
  });

  it('cites a file under openapi/ and a paragraph the spec has, for every check', () => {
    expectSpecLocationsResolve(report);
    expect(checkOf(report, 'createts-window', 'createTs ahead of the server').spec.paragraph).toMatch(/±300 seconds/);
  });

  it('never writes the demo secret or a signature base into the report', () => {
    expect(text).not.toContain('demo-secret-for-the-local-mock-only');
    expect(text).not.toMatch(/&body=\{/);
  });

  it('confirms "absent header means MD5" with an account set to SHA256 (the mock: the header default wins)', async () => {
    const dir = freshDir('callbot-probe-');
    const run = await runInProcess(['probe', '--base-url', mock.url, '--out', 'sha.json', '--algorithm', 'SHA256'], {
      cwd: dir,
      env: { CALLBOT_UUID: 'probe-sha-account', CALLBOT_SECRET_KEY: 'probe-sha-secret-0123456789abcdef' },
    });
    expect(run.code, run.stderr).toBe(0);
    const sha = readProbeReport(join(dir, 'sha.json'));
    expect(checkOf(sha.report, 'algorithm-header', 'absent header means MD5').result).toBe('confirmed');
    expect(sha.text).not.toContain('probe-sha-secret-0123456789abcdef');
  }, 120_000);
});

const SECRET = 'divergent-secret-7f3a9c2e1b5d4f60';
const UUID = 'divergent-account-uuid';
const credentials = { CALLBOT_UUID: UUID, CALLBOT_SECRET_KEY: SECRET };

describe('callbot probe against a vendor that departs from the contract', () => {
  let vendor: DivergentVendor;
  let report: Report;
  let text: string;
  let run: { code: number | null; stdout: string; stderr: string };

  beforeAll(async () => {
    vendor = await startDivergentVendor({ uuid: UUID, secretKey: SECRET });
    const dir = freshDir('callbot-probe-');
    run = await runInProcess(['probe', '--base-url', vendor.url, '--task', 'div-task', '--out', 'report.json'], { cwd: dir, env: credentials });
    ({ text, report } = readProbeReport(join(dir, 'report.json')));
  }, 120_000);
  afterAll(async () => {
    await vendor?.close();
  });

  it('exits 2 (some probe differs) and finds a form the vendor takes: requestId, no algorithm header', () => {
    expect(run.code, run.stderr).toBe(2);
    expect(report.workingForm).toEqual({ requestIdHeader: 'requestId', algorithmHeader: null, signAlgorithm: 'MD5' });
  });

  it('header-case: requestID and requestid refused → differs, CallbotSign.yaml (Choice (header case))', () => {
    const c = checkOf(report, 'header-case', 'request header requestID');
    expect(c.result).toBe('differs');
    expect(c.spec.file).toBe('openapi/components/securitySchemes/CallbotSign.yaml');
    expect(c.spec.paragraph).toMatch(/^\*\*Choice \(header case\):\*\*/);
    expect(checkOf(report, 'header-case', 'request header requestid').result).toBe('differs');
    expect(checkOf(report, 'header-case', 'request header requestId').result).toBe('confirmed');
  });

  it('algorithm-header: MD5/SHA256 refused and md5/sha256 taken → differs, Algorithm.yaml and CallbotSign.yaml', () => {
    const exact = checkOf(report, 'algorithm-header', 'MD5 and SHA256 accepted');
    expect(exact.result).toBe('differs');
    expect(exact.spec.file).toBe('openapi/components/parameters/Algorithm.yaml');
    const lower = checkOf(report, 'algorithm-header', 'lowercase values refused');
    expect(lower.result).toBe('differs');
    expect(lower.spec.file).toBe('openapi/components/securitySchemes/CallbotSign.yaml');
    expect(lower.spec.paragraph).toMatch(/^\*\*Choice \(algorithm values\):\*\*/);
  });

  it('createts-window: a 60-second window → differs, CallbotCreateTs.yaml', () => {
    for (const name of ['createTs ahead of the server', 'createTs behind the server']) {
      const c = checkOf(report, 'createts-window', name);
      expect(c.result).toBe('differs');
      expect(c.observed).toMatch(/accepted at (30|60) s, refused at (60|120) s/);
      expect(c.spec.file).toBe('openapi/components/securitySchemes/CallbotCreateTs.yaml');
    }
  });

  it('request-gzip: gzip bodies refused → differs, CallbotSign.yaml (Choice (gzip))', () => {
    const c = checkOf(report, 'request-gzip', 'gzip ping, sign over JSON');
    expect(c.result).toBe('differs');
    expect(c.observed).toMatch(/gzip bodies refused/);
    expect(c.spec.file).toBe('openapi/components/securitySchemes/CallbotSign.yaml');
    expect(c.spec.paragraph).toMatch(/^\*\*Choice \(gzip\):\*\*/);
  });

  it('answer-gzip: gzipped list answers, signed over the JSON text → confirmed (the one point this vendor keeps)', () => {
    expect(probe(report, 'answer-gzip').result).toBe('confirmed');
    for (const operation of ['listCall', 'exportBatchCall']) {
      expect(checkOf(report, 'answer-gzip', `${operation} answer compressed`).result).toBe('confirmed');
      const covers = checkOf(report, 'answer-gzip', `${operation} answer sign covers`);
      expect(covers.result).toBe('confirmed');
      expect(covers.spec.file).toBe('openapi/paths/callcentre_api_v3_listCall.yaml');
      expect(covers.spec.paragraph).toMatch(/^\*\*Unknown:\*\* whether the answer's `sign` covers the compressed bytes/);
    }
  });

  it('answer-signature: lowercase answer signatures → differs, headers/Sign.yaml, naming the variant that verifies', () => {
    const c = checkOf(report, 'answer-signature', 'answer sign formula');
    expect(c.result).toBe('differs');
    expect(c.observed).toMatch(/lowercase hex, answer's createTs, over the JSON text/);
    expect(c.spec.file).toBe('openapi/components/headers/Sign.yaml');
  });

  it('answer-schema: undocumented fields and an undocumented enum value, each with its path and schema file', () => {
    const issues = probe(report, 'answer-schema').issues ?? [];
    const find = (operation: string, path: string, kind: string) => issues.find((i) => i.operation === operation && i.path === path && i.kind === kind);
    expect(find('ping', '$.serverRegion', 'undocumented-field')?.file).toBe('openapi/components/schemas/PingResponse.yaml');
    expect(find('listTask', '$.total', 'undocumented-field')?.file).toBe('openapi/components/schemas/ListTaskResponse.yaml');
    expect(find('listTask', '$.taskData[].taskStatus', 'enum-value')?.file).toBe('openapi/components/schemas/TaskStatus.yaml');
    expect(find('listOrder', '$.orderList[].callInfoDetail.callStartTs', 'missing-field')?.file).toBe('openapi/components/schemas/CallInfoDetail.yaml');
    expect(probe(report, 'answer-schema').result).toBe('differs');
    expect(checkOf(report, 'answer-schema', 'listTask answers').result).toBe('differs');
  });

  it('the report holds no secret, no signature base, no phone number and no name; the phone is masked', () => {
    expect(text).not.toContain(SECRET);
    expect(text).not.toMatch(/&body=\{/);
    expect(text).not.toContain(PHONE);
    expect(text).not.toContain(NAME);
    expect(text).toContain('8613******000'); // the refusal message, masked
    expect(run.stdout + run.stderr).not.toContain(SECRET);
    expect(run.stdout + run.stderr).not.toContain(PHONE);
    expectSpecLocationsResolve(report);
  });

  it('sends no more than 3 requests in any second, and stays under the cap', () => {
    const t = vendor.arrivals;
    expect(t.length).toBe(report.requests.sent);
    expect(t.length).toBeLessThanOrEqual(report.requests.max);
    for (let i = 3; i < t.length; i++) expect(t[i]! - t[i - 3]!, `requests ${i - 3}..${i}`).toBeGreaterThanOrEqual(1000);
  });
});

describe('callbot probe bounds and interruption', () => {
  let vendor: DivergentVendor | undefined;
  let live: LiveCli | undefined;
  afterEach(async () => {
    if (live && live.child.exitCode === null && live.child.signalCode === null) live.child.kill('SIGKILL');
    await vendor?.close();
    vendor = undefined;
    live = undefined;
  });

  it('stops at --max-requests: the vendor sees no more, the probes left are unknown (budget exhausted)', async () => {
    vendor = await startDivergentVendor({ uuid: UUID, secretKey: SECRET });
    const dir = freshDir('callbot-probe-');
    const run = await runInProcess(['probe', '--base-url', vendor.url, '--max-requests', '10', '--out', 'r.json'], { cwd: dir, env: credentials });
    const { report } = readProbeReport(join(dir, 'r.json'));
    expect(vendor.arrivals.length).toBe(10);
    expect(report.requests).toMatchObject({ sent: 10, max: 10 });
    expect(report.probes.some((p) => p.result === 'unknown' && /budget exhausted/.test(p.reason ?? ''))).toBe(true);
    expect(run.code).not.toBe(130);
  }, 60_000);

  it('SIGINT mid-run: writes a partial report (the rest "interrupted") and exits 130', async () => {
    vendor = await startDivergentVendor({ uuid: UUID, secretKey: SECRET });
    const dir = freshDir('callbot-probe-');
    live = spawnCli(['probe', '--base-url', vendor.url, '--out', 'partial.json'], { cwd: dir, env: credentials });
    await live.waitForStderr('probe algorithm-header');
    live.child.kill('SIGINT');
    const ended = await live.done;
    expect(ended.code, ended.stderr).toBe(130);
    const { report, text } = readProbeReport(join(dir, 'partial.json'));
    expect(report.interrupted).toBe(true);
    expect(probe(report, 'header-case').result).toBe('differs'); // finished before the signal
    const interrupted = report.probes.filter((p) => p.reason === 'interrupted').map((p) => p.id);
    expect(interrupted).toContain('answer-signature');
    expect(interrupted.length).toBeGreaterThanOrEqual(6);
    for (const id of interrupted) expect(probe(report, id).result).toBe('unknown');
    expect(report.probes).toHaveLength(8);
    expect(text).not.toContain(SECRET);
  }, 60_000);

  it("wrong credentials: no form accepted, every probe unknown, the vendor's refusals listed (--json on stdout)", async () => {
    vendor = await startDivergentVendor({ uuid: UUID, secretKey: SECRET });
    const dir = freshDir('callbot-probe-');
    const run = await runInProcess(['probe', '--base-url', vendor.url, '--json', '--out', 'r.json'], {
      cwd: dir,
      env: { CALLBOT_UUID: UUID, CALLBOT_SECRET_KEY: 'not-the-secret' },
    });
    expect(run.code, run.stderr).toBe(3);
    const printed = JSON.parse(run.stdout) as Report & { formSearch: string[] };
    expect(validateReport(printed), JSON.stringify(validateReport.errors)).toBe(true);
    expect(printed).toEqual(readProbeReport(join(dir, 'r.json')).report);
    expect(printed.workingForm).toBeUndefined();
    expect(printed.probes.every((p) => p.result === 'unknown')).toBe(true);
    expect(printed.formSearch).toHaveLength(9);
    expect(printed.formSearch.filter((line) => line.includes('refused (code 6: incorrect signature)'))).toHaveLength(2);
  }, 60_000);

  it('refuses a non-loopback base URL without credentials (exit 1, nothing sent)', async () => {
    const run = await runInProcess(['probe', '--base-url', 'https://devnxbot.nxcloud.invalid']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/no credentials/);
  });
});
