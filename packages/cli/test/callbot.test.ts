import { describe, expect, it } from 'vitest';
import { runCallbot } from '../src/callbot.js';
import { testIo } from './support/run-in-process.js';

// runCallbot (src/callbot.ts), the in-process entry the bin and the tests share: everything the
// command writes goes to the IO it is given, and every end — commander's own (help, version,
// usage errors) and a verb's — comes back as the exit code, never as an exit of this process.

describe('runCallbot(args, io)', () => {
  it('--version and --help: on the given stdout, exit 0', async () => {
    const version = testIo();
    expect(await runCallbot(['--version'], version.io)).toBe(0);
    expect(version.stdout()).toMatch(/^\d+\.\d+\.\d+\n$/);
    const help = testIo();
    expect(await runCallbot(['sign', '--help'], help.io)).toBe(0);
    expect(help.stdout()).toMatch(/^Usage: callbot sign \[options\]/);
    expect(help.stderr()).toBe('');
  });

  it("a usage error: commander's three lines on the given stderr and its exit code returned, not exited", async () => {
    const run = testIo();
    expect(await runCallbot(['orders', '--task', 't', '--bogus'], run.io)).toBe(1);
    expect(run.stderr()).toBe("error: unknown option '--bogus'\nUsage: callbot orders [options]\nSee `callbot orders --help`.\n");
    expect(run.stdout()).toBe('');
    const none = testIo();
    expect(await runCallbot([], none.io)).toBe(1);
    expect(none.stderr()).toMatch(/^Usage: callbot \[options\] \[command\]/);
  });

  it("a verb's exit code and its reading of the IO's env and stdin", async () => {
    const run = testIo({ env: { CALLBOT_UUID: 'u', CALLBOT_SECRET_KEY: 'k'.repeat(32) }, input: '{}' });
    expect(await runCallbot(['sign', '--create-ts', '1', '--request-id', 'r', '--verify', 'NOT-IT'], run.io)).toBe(2);
    expect(run.stdout()).toContain('&body={}&createTs=1&requestID=r&uuid=u');
    expect(run.stdout()).toContain('verify: DOES NOT MATCH NOT-IT');
  });
});
