import { describe, expect, it } from 'vitest';
import { backoffDelay, classifyFetchFailure, resolveRetry } from '../../src/retry.js';

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
  ])('%s → unknown', (_name, error) => {
    expect(classifyFetchFailure(error).sent).toBe('unknown');
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
});
