import { describe, expect, it } from 'vitest';
import type { DeliveryRecord } from '../src/index.js';
import { UnreachableLog } from '../src/callbacks/unreachable-log.js';

const failure = (url: string, overrides: Partial<DeliveryRecord> = {}): DeliveryRecord => ({
  id: 1,
  kind: 'call',
  url,
  seq: 1,
  userTaskID: 't',
  orderID: 'o',
  requestID: 'r',
  status: 'failed',
  attempts: 3,
  lastError: 'connect ECONNREFUSED 127.0.0.1:8787',
  at: '',
  virtualAt: '',
  ...overrides,
});

describe('UnreachableLog', () => {
  it('logs the first failure per origin with a receiver hint, then one count summary at most every 10 s', () => {
    let now = 1_000_000;
    const lines: string[] = [];
    const log = new UnreachableLog({ info() {}, error() {}, warn: (line) => lines.push(line) }, () => now);
    for (let i = 0; i < 50; i += 1) log.failed(failure('http://127.0.0.1:8787/call'));
    log.failed(failure('http://localhost:9000/order', { kind: 'order', lastError: undefined, lastStatusCode: 500 }));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toContain('http://127.0.0.1:8787');
    expect(lines[0]).toContain('callbot listen --port 8787');
    expect(lines[1]).toContain('HTTP 500');
    expect(lines[1]).not.toContain('callbot listen'); // someone answered: no receiver hint

    now += 9_999;
    log.failed(failure('http://127.0.0.1:8787/call'));
    expect(lines).toHaveLength(2); // not yet 10 s
    now += 1;
    log.failed(failure('http://127.0.0.1:8787/call'));
    expect(lines).toHaveLength(3);
    expect(lines[2]).toMatch(/^51 more callback\(s\) failed or were skipped \(to http:\/\/127\.0\.0\.1:8787\)$/);
    log.flush();
    expect(lines).toHaveLength(3); // nothing new to count
    now += 10_000;
    log.failed(failure('http://127.0.0.1:8787/call'));
    expect(lines.at(-1)).toMatch(/^1 more callback/);
  });
});
