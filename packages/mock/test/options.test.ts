import { describe, expect, it } from 'vitest';
import { parseAccountSpec, parseFaultList, resolveOptions } from '../src/index.js';
import { FaultInjector } from '../src/requests/faults.js';

describe('mock options', () => {
  it('parses --account UUID:SECRET[:ALGORITHM]', () => {
    expect(parseAccountSpec('acme:s3cret')).toEqual({ uuid: 'acme', secretKey: 's3cret', algorithm: 'MD5' });
    expect(parseAccountSpec('acme:s3cret:SHA256')).toEqual({ uuid: 'acme', secretKey: 's3cret', algorithm: 'SHA256' });
    expect(parseAccountSpec('acme:a:b:c')).toEqual({ uuid: 'acme', secretKey: 'a:b:c', algorithm: 'MD5' });
    expect(() => parseAccountSpec('acme')).toThrow(/UUID:SECRET/);
    expect(() => parseAccountSpec('acme:s3cret:sha256')).toThrow(/MD5 or SHA256/);
    try {
      parseAccountSpec('acme:very-secret:sha256');
    } catch (error) {
      expect((error as Error).message).not.toContain('very-secret');
    }
  });

  it('parses fault lists and refuses unknown ones', () => {
    expect(parseFaultList('latency=200, busy')).toEqual([{ kind: 'latency', latencyMs: 200 }, { kind: 'busy' }]);
    expect(parseFaultList('busy:2', { allowSchedule: true })).toEqual([{ kind: 'busy', times: 2 }]);
    expect(parseFaultList('maintenance@0.25', { allowSchedule: true })).toEqual([{ kind: 'maintenance', probability: 0.25 }]);
    expect(() => parseFaultList('busy:2')).toThrow(/configured faults only/);
    expect(() => parseFaultList('latency')).toThrow(/latency=MS/);
    expect(() => parseFaultList('explode')).toThrow(/unknown fault/);
    expect(() => parseFaultList('maintenance@2', { allowSchedule: true })).toThrow(/probability/);
  });

  it('counts down configured faults and combines them with the header', () => {
    const faults = new FaultInjector(
      [
        { kind: 'busy', times: 1 },
        { kind: 'latency', latencyMs: 10 },
      ],
      1,
    );
    expect(faults.plan(undefined)).toEqual({ latencyMs: 10, retCode: 'busy' });
    expect(faults.plan('drop')).toEqual({ latencyMs: 10, connection: 'drop' });
  });

  it('plans drop-before-body apart from the other faults, each rule used up only where it is planned', () => {
    const faults = new FaultInjector(
      [
        { kind: 'drop-before-body', times: 1 },
        { kind: 'busy', times: 1 },
      ],
      1,
    );
    expect(faults.plan(undefined)).toEqual({ latencyMs: 0, retCode: 'busy' }); // drop-before-body not planned (nor used up) here
    expect(faults.plan(undefined)).toEqual({ latencyMs: 0 });
    expect(faults.dropsBeforeBody(undefined)).toBe(true);
    expect(faults.dropsBeforeBody(undefined)).toBe(false);
    expect(faults.dropsBeforeBody('latency=5,drop-before-body')).toBe(true);
    expect(faults.dropsBeforeBody('explode')).toBe(false); // reported by plan() after authentication
    expect(() => faults.plan('explode')).toThrow(/unknown fault/);
  });

  it('checks options so that a typo fails at start', () => {
    expect(resolveOptions().maxOrders).toBe(100_000);
    expect(resolveOptions()).toMatchObject({
      maxTasks: 10_000,
      maxStoredOrders: 250_000,
      maxCallbackRecords: 1000,
      seed: 1,
      speed: 60,
      settleTimeoutMs: 30_000,
      headersTimeoutMs: 10_000,
      requestTimeoutMs: 60_000,
      keepAliveTimeoutMs: 5000,
      maxConnections: 256,
    });
    // callbacks.seed is the older name of seed: either sets both; seed wins.
    expect(resolveOptions({ callbacks: { seed: 9 } })).toMatchObject({ seed: 9, callbacks: { seed: 9, enabled: true } });
    expect(resolveOptions({ seed: 4, callbacks: { seed: 9 } })).toMatchObject({ seed: 4, callbacks: { seed: 4 } });
    expect(resolveOptions({ speed: 0 }).speed).toBe(0);
    expect(() => resolveOptions({ speed: -1 })).toThrow(/speed/);
    expect(() => resolveOptions({ speed: Number.NaN })).toThrow(/speed/);
    expect(() => resolveOptions({ seed: 1.5 })).toThrow(/seed/);
    expect(() => resolveOptions({ startAt: -1 })).toThrow(/startAt/);
    expect(() => resolveOptions({ simulator: { maxTasks: 3 } as never })).toThrow(/simulator\.maxTasks: set it at the top level/);
    expect(() => resolveOptions({ maxOrders: -1 })).toThrow(/maxOrders/);
    expect(() => resolveOptions({ callbacks: { maxAttempts: 0 } })).toThrow(/maxAttempts/);
    expect(() => resolveOptions({ faults: [{ kind: 'nope' as never }] })).toThrow(/unknown fault/);
    expect(() => resolveOptions({ accounts: [{ uuid: 'a', secretKey: 'b', algorithm: 'SHA1' as never }] })).toThrow(/MD5 or SHA256/);
    expect(resolveOptions({ callbacks: { allowHosts: [' Hooks.Example.com '] } }).callbacks.allowHosts).toEqual(['hooks.example.com']);
  });
});
