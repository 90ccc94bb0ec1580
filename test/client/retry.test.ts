import { describe, expect, it } from 'vitest';
import { backoffDelay, classifyFetchFailure, mayResend, resolveRetry } from '../../src/retry.js';

// Shapes of the errors Node's fetch (undici) throws: TypeError('fetch failed') with the socket or
// DNS error in `cause`, sometimes an AggregateError of several addresses.
const fetchFailed = (cause: unknown) => Object.assign(new TypeError('fetch failed'), { cause });
const sys = (code: string, syscall?: string) => Object.assign(new Error(code), { code, ...(syscall ? { syscall } : {}) });

describe('classifyFetchFailure: only a failure to connect proves nothing was sent', () => {
  it.each([
    ['connection refused', fetchFailed(sys('ECONNREFUSED', 'connect')), 'ECONNREFUSED'],
    ['unknown host', fetchFailed(sys('ENOTFOUND', 'getaddrinfo')), 'ENOTFOUND'],
    ['DNS temporarily failing', fetchFailed(sys('EAI_AGAIN', 'getaddrinfo')), 'EAI_AGAIN'],
    ['host unreachable while connecting', fetchFailed(sys('EHOSTUNREACH', 'connect')), 'EHOSTUNREACH'],
    ['undici connect timeout', fetchFailed(sys('UND_ERR_CONNECT_TIMEOUT')), 'UND_ERR_CONNECT_TIMEOUT'],
    ['every address refused', fetchFailed(new AggregateError([sys('ECONNREFUSED', 'connect'), sys('ECONNREFUSED', 'connect')])), 'ECONNREFUSED'],
    // DNS errors as resolvers report them: a code without a syscall, or a syscall with a code of its own.
    ['unknown host, code only', fetchFailed(sys('ENOTFOUND')), 'ENOTFOUND'],
    ['DNS temporarily failing, code only', fetchFailed(sys('EAI_AGAIN')), 'EAI_AGAIN'],
    ['a DNS failure known only by its syscall', fetchFailed(sys('EAI_NODATA', 'getaddrinfo')), 'EAI_NODATA'],
    ['the DNS error of fetch for an .invalid host', fetchFailed(Object.assign(sys('ENOTFOUND', 'getaddrinfo'), { hostname: 'vendor.invalid' })), 'ENOTFOUND'],
  ])('%s → not sent', (_name, error, code) => {
    expect(classifyFetchFailure(error)).toEqual({ sent: 'no', code });
  });

  it.each([
    ['host unreachable on an open connection', fetchFailed(sys('EHOSTUNREACH', 'read'))],
    ['network unreachable without a syscall', fetchFailed(sys('ENETUNREACH'))],
    ['reset after sending', fetchFailed(sys('ECONNRESET', 'read'))],
    ['undici socket closed', fetchFailed(Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }))],
    ['a timeout', new DOMException('The operation was aborted due to timeout', 'TimeoutError')],
    ['one address refused, another reset', fetchFailed(new AggregateError([sys('ECONNREFUSED', 'connect'), sys('ECONNRESET', 'read')]))],
    ['an error without any code', new SyntaxError('Unexpected token')],
    ['a "fetch failed" without a cause', new TypeError('fetch failed')],
    ['a "fetch failed" whose cause is null', fetchFailed(null)],
    ['a code that is not a string', fetchFailed(Object.assign(new Error('odd'), { code: 42, syscall: 'connect' }))],
    ['not an error at all', 'fetch failed'],
  ])('%s → unknown', (_name, error) => {
    expect(classifyFetchFailure(error).sent).toBe('unknown');
  });

  it('names the most telling code: the system error under an undici wrapper, else the wrapper', () => {
    const wrapped = Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET', cause: sys('ECONNRESET', 'read') });
    expect(classifyFetchFailure(fetchFailed(wrapped))).toEqual({ sent: 'unknown', code: 'ECONNRESET' });
    const alone = Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' });
    expect(classifyFetchFailure(fetchFailed(alone))).toEqual({ sent: 'unknown', code: 'UND_ERR_SOCKET' });
    const connectTimeout = Object.assign(new Error('connect timeout'), { code: 'UND_ERR_CONNECT_TIMEOUT', cause: sys('ECONNRESET') });
    expect(classifyFetchFailure(fetchFailed(connectTimeout))).toEqual({ sent: 'unknown', code: 'UND_ERR_CONNECT_TIMEOUT' });
  });

  it('a timeout or an abort is an unknown outcome named by the error', () => {
    expect(classifyFetchFailure(new DOMException('The operation was aborted due to timeout', 'TimeoutError'))).toEqual({
      sent: 'unknown',
      code: 'TimeoutError',
    });
    expect(classifyFetchFailure(new DOMException('This operation was aborted', 'AbortError'))).toEqual({ sent: 'unknown', code: 'AbortError' });
    expect(classifyFetchFailure(fetchFailed(new DOMException('aborted', 'AbortError')))).toEqual({ sent: 'unknown', code: 'AbortError' });
    expect(classifyFetchFailure(Object.assign(new Error('x'), { name: 'OtherError' }))).toEqual({ sent: 'unknown', code: undefined });
  });

  it('reads causes five levels deep, no deeper (a bound: undici nests two)', () => {
    const nest = (levels: number, inner: unknown): unknown => (levels === 0 ? inner : new Error(`wrapper ${levels}`, { cause: nest(levels - 1, inner) }));
    expect(classifyFetchFailure(nest(5, sys('ECONNREFUSED', 'connect')))).toEqual({ sent: 'no', code: 'ECONNREFUSED' });
    expect(classifyFetchFailure(nest(6, sys('ECONNREFUSED', 'connect')))).toEqual({ sent: 'unknown', code: undefined });
    const refusal = fetchFailed(new Error('bad port'));
    expect(classifyFetchFailure(nest(5, refusal))).toEqual({ sent: 'no', code: 'BAD_PORT', permanent: true });
    expect(classifyFetchFailure(nest(6, refusal))).toEqual({ sent: 'unknown', code: undefined });
  });

  it('only objects are read as errors: a function dressed as one proves nothing', () => {
    const dressed = <T extends object>(props: T) =>
      Object.defineProperties(() => {}, Object.fromEntries(Object.entries(props).map(([k, value]) => [k, { value }])));
    expect(classifyFetchFailure(fetchFailed(dressed({ code: 'ECONNREFUSED', syscall: 'connect' })))).toEqual({ sent: 'unknown', code: undefined });
    expect(classifyFetchFailure(dressed({ name: 'TypeError', message: 'fetch failed', cause: new Error('bad port') }))).toEqual({
      sent: 'unknown',
      code: undefined,
    });
    expect(classifyFetchFailure(fetchFailed(dressed({ message: 'bad port' })))).toEqual({ sent: 'unknown', code: undefined });
  });

  it('an AggregateError that lists itself ends', () => {
    const loop = new AggregateError([sys('ECONNREFUSED', 'connect')]);
    loop.errors.push(loop);
    expect(classifyFetchFailure(fetchFailed(loop))).toEqual({ sent: 'no', code: 'ECONNREFUSED' });
  });

  it('a cyclic cause chain ends (each error its own cause, or two causing each other)', () => {
    const self = fetchFailed(undefined);
    self.cause = self;
    expect(classifyFetchFailure(self)).toEqual({ sent: 'unknown', code: undefined });
    const a = sys('ECONNREFUSED', 'connect');
    const b = fetchFailed(a);
    Object.assign(a, { cause: b });
    expect(classifyFetchFailure(b)).toEqual({ sent: 'no', code: 'ECONNREFUSED' });
  });
});

describe('classifyFetchFailure: what fetch refuses before connecting', () => {
  // undici checks the port against the Fetch standard's block list before it opens a
  // connection; its error carries no code, only the message (issue 9, finding 11).
  it.each([1, 6000])('the real error of fetch for port %i → not sent, permanent (not worth retrying)', async (port) => {
    const error = await fetch(`http://127.0.0.1:${port}/x`, { method: 'POST', body: '{}' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(classifyFetchFailure(error)).toEqual({ sent: 'no', code: 'BAD_PORT', permanent: true });
  });

  it('a "bad port" message anywhere else (a server error text, no fetch wrapper) proves nothing', () => {
    expect(classifyFetchFailure(new Error('bad port')).sent).toBe('unknown');
    expect(classifyFetchFailure(fetchFailed(Object.assign(new Error('bad port'), { code: 'ECONNRESET' }))).sent).toBe('unknown');
    // Only the exact shape: a TypeError "fetch failed" whose cause is a plain "bad port" with no cause of its own.
    expect(classifyFetchFailure(fetchFailed(Object.assign(new Error('bad port'), { cause: new Error('x') })))).toEqual({ sent: 'unknown', code: undefined });
    expect(classifyFetchFailure(Object.assign(new Error('fetch failed'), { cause: new Error('bad port') }))).toEqual({ sent: 'unknown', code: undefined });
    expect(classifyFetchFailure(Object.assign(new TypeError('fetch went wrong'), { cause: new Error('bad port') }))).toEqual({
      sent: 'unknown',
      code: undefined,
    });
    expect(classifyFetchFailure(fetchFailed(new Error('bad gateway')))).toEqual({ sent: 'unknown', code: undefined });
    expect(classifyFetchFailure(fetchFailed('bad port'))).toEqual({ sent: 'unknown', code: undefined });
  });

  it("finds the refusal under a wrapper of ours (an error whose cause is fetch's)", () => {
    const refusal = fetchFailed(new Error('bad port'));
    expect(classifyFetchFailure(new Error('send failed', { cause: refusal }))).toEqual({ sent: 'no', code: 'BAD_PORT', permanent: true });
  });
});

describe('backoff', () => {
  it('grows exponentially within [base/2, cap] and never exceeds maxDelayMs', () => {
    const low = resolveRetry({ baseDelayMs: 100, maxDelayMs: 1000, random: () => 0 });
    const high = resolveRetry({ baseDelayMs: 100, maxDelayMs: 1000, random: () => 1 });
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffDelay(n, high))).toEqual([100, 200, 400, 800, 1000, 1000]);
    expect([1, 2, 3].map((n) => backoffDelay(n, low))).toEqual([50, 50, 50]);
  });

  it('retry: false means one attempt', () => {
    expect(resolveRetry(false).maxAttempts).toBe(1);
  });

  it('the documented defaults: 4 attempts, 1 s doubling up to 15 s, 90 s in all', () => {
    expect(resolveRetry(undefined)).toMatchObject({ maxAttempts: 4, baseDelayMs: 1000, maxDelayMs: 15_000, maxElapsedMs: 90_000 });
    expect(resolveRetry({})).toMatchObject({ maxAttempts: 4, baseDelayMs: 1000, maxDelayMs: 15_000, maxElapsedMs: 90_000 });
    const given = { maxAttempts: 2, baseDelayMs: 10, maxDelayMs: 20, maxElapsedMs: 30 };
    expect(resolveRetry(given)).toMatchObject(given);
  });

  it('maxAttempts counts whole attempts, at least one', () => {
    expect(resolveRetry({ maxAttempts: 0 }).maxAttempts).toBe(1);
    expect(resolveRetry({ maxAttempts: -3 }).maxAttempts).toBe(1);
    expect(resolveRetry({ maxAttempts: 2.9 }).maxAttempts).toBe(2);
  });

  it('the default wait really waits, the default jitter varies, the default clock is the time', async () => {
    const retry = resolveRetry({});
    const started = performance.now();
    await retry.sleep(60);
    expect(performance.now() - started).toBeGreaterThanOrEqual(55);
    const draws = new Set(Array.from({ length: 20 }, () => retry.random()));
    expect(draws.size).toBeGreaterThan(1);
    for (const r of draws) expect(r >= 0 && r < 1).toBe(true);
    expect(Math.abs(retry.now() - Date.now())).toBeLessThan(1000);
  });

  it('a mid-range draw lands between floor and ceiling; a cap below base/2 is the wait', () => {
    const mid = resolveRetry({ baseDelayMs: 100, maxDelayMs: 1000, random: () => 0.5 });
    expect([1, 2, 3].map((n) => backoffDelay(n, mid))).toEqual([75, 125, 225]);
    const capped = resolveRetry({ baseDelayMs: 1000, maxDelayMs: 100, random: () => 0.5 });
    expect(backoffDelay(3, capped)).toBe(100);
  });
});

describe('mayResend: what was certainly not processed may be sent again; an unknown outcome only for a read', () => {
  const write = { resendUnknown: false };
  const read = { resendUnknown: true };
  it.each([
    ['not-processed', true, true],
    ['not-sent', true, true],
    ['unknown', false, true],
    ['final', false, false],
  ] as const)('%s: a write %s, a read %s', (outcome, forWrite, forRead) => {
    expect(mayResend(outcome, write)).toBe(forWrite);
    expect(mayResend(outcome, read)).toBe(forRead);
  });
});
