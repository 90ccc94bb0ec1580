// A replay store in the team's own Redis, through the team's own client (node-redis or ioredis):
// this package depends on neither. Each requestID is one key; every step is one Lua script
// (atomic on the server, one round trip).
import { checkLeaseMs, newClaimToken, type ReplayStore } from './replay-store.js';

/**
 * The one method used from a Redis client: node-redis (`redis` 4 and 5: `sendCommand([...])`)
 * or ioredis (`call(command, ...args)`). Replies are read as RESP2 strings and integers.
 */
export type RedisCommander = { sendCommand(args: string[]): Promise<unknown> } | { call(command: string, ...args: string[]): Promise<unknown> };

export interface RedisReplayStoreOptions {
  /** Put before each requestID to make its key. Default `callbot:replay:`. */
  keyPrefix?: string;
  /**
   * How long a claim holds without renewal (ms, default 30,000). The receiver renews it every
   * third of that while your handler runs; when the receiver dies, the claim runs out after at
   * most this long and the vendor's retry is handled by another receiver.
   */
  leaseMs?: number;
}

// Values: `h <keepUntil> <leaseEnd> <token>` while handled, `d` once done. A claim's key lives
// until its keepUntil, past its lease: a claim after the lease ran out (its receiver died) is
// then told apart from a first one (a takeover). TTLs are relative (PX, keepUntil - now); lease
// ends are the receivers' clocks, like the PostgreSQL store's: keep them in sync.
const CLAIM = `
local lease, keep, now = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local value = redis.call('GET', KEYS[1])
if value == 'd' then
  if keep - now > redis.call('PTTL', KEYS[1]) then redis.call('PEXPIRE', KEYS[1], keep - now) end
  return 'done'
end
local takeover = false
if value then
  local kept, leaseEnd, token = string.match(value, '^h (%d+) (%d+) (.*)$')
  kept = tonumber(kept)
  if tonumber(leaseEnd) > now then
    if keep > kept then
      redis.call('SET', KEYS[1], 'h ' .. keep .. ' ' .. leaseEnd .. ' ' .. token, 'PX', math.max(keep - now, redis.call('PTTL', KEYS[1])))
    end
    return 'handling'
  end
  takeover = true
  keep = math.max(keep, kept)
end
redis.call('SET', KEYS[1], 'h ' .. keep .. ' ' .. (now + lease) .. ' ' .. ARGV[1], 'PX', math.max(lease, keep - now))
if takeover then return 'takeover' end
return 'claimed'`;

// Done: kept until the later of the claim's keepUntil and the finish's. A claim whose lease ran
// out is still recorded as done when nobody took it meanwhile; another's claim is left alone.
const FINISH = `
local value = redis.call('GET', KEYS[1])
local keep = tonumber(ARGV[2])
if value then
  local kept, token = string.match(value, '^h (%d+) %d+ (.*)$')
  if token ~= ARGV[1] then return 0 end
  keep = math.max(keep, tonumber(kept))
end
local ttl = keep - tonumber(ARGV[3])
if ttl < 1 then redis.call('DEL', KEYS[1]) return 1 end
redis.call('SET', KEYS[1], 'd', 'PX', ttl)
return 1`;

const FORGET = `
local value = redis.call('GET', KEYS[1])
if value and string.match(value, '^h %d+ %d+ (.*)$') == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 0`;

// Done whoever holds it (a receiver's own output says it was handled): kept until the later of
// ARGV[1] and any claim's keepUntil or done entry's TTL.
const SETTLE = `
local value = redis.call('GET', KEYS[1])
local ttl = tonumber(ARGV[1]) - tonumber(ARGV[2])
if value == 'd' then ttl = math.max(ttl, redis.call('PTTL', KEYS[1])) end
local kept = value and string.match(value, '^h (%d+) ')
if kept then ttl = math.max(ttl, tonumber(kept) - tonumber(ARGV[2])) end
if ttl >= 1 then redis.call('SET', KEYS[1], 'd', 'PX', ttl) end
return 0`;

// The lease moved on (now + lease); the key lives at least as long.
const RENEW = `
local value = redis.call('GET', KEYS[1])
if not value then return 0 end
local kept, token = string.match(value, '^h (%d+) %d+ (.*)$')
if token ~= ARGV[1] then return 0 end
local lease, now = tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call('SET', KEYS[1], 'h ' .. kept .. ' ' .. (now + lease) .. ' ' .. token, 'PX', math.max(lease, tonumber(kept) - now))
return 0`;

/**
 * A replay store shared by every receiver given the same Redis: each requestID reaches one
 * handler between them. Pass a connected node-redis or ioredis client (not a cluster client:
 * each step touches one key, but is sent as EVAL). Entries expire by Redis TTL: a claim after
 * its lease, a done entry once no repeat of it can pass the createTs check. Redis's own memory
 * bound applies: a write refused by `maxmemory` is a store error (the receiver answers 503);
 * use a `noeviction` policy (or a volatile one that never picks these keys before their TTL).
 * Keys hold the prefix and the requestID only; values a time and a random token.
 */
export function redisReplayStore(client: RedisCommander, options: RedisReplayStoreOptions = {}): ReplayStore {
  const prefix = options.keyPrefix ?? 'callbot:replay:';
  if (typeof prefix !== 'string') throw new TypeError('keyPrefix must be a string');
  const leaseMs = checkLeaseMs(options.leaseMs);
  const evaluate = (script: string, key: string, ...args: string[]): Promise<unknown> => {
    const command = ['EVAL', script, '1', prefix + key, ...args];
    return 'call' in client ? client.call(command[0]!, ...command.slice(1)) : client.sendCommand(command);
  };
  return {
    async claim({ requestID, keepUntil, now }) {
      const token = newClaimToken();
      const state = await evaluate(CLAIM, requestID, token, String(leaseMs), String(keepUntil), String(now));
      if (state === 'claimed' || state === 'takeover')
        return { state: 'claimed', token, renewEveryMs: Math.floor(leaseMs / 3), takeover: state === 'takeover' };
      if (state === 'done' || state === 'handling') return { state };
      throw new Error(`unexpected answer from the Redis replay script: ${String(state)}`);
    },
    async renew({ requestID, token, now }) {
      await evaluate(RENEW, requestID, token, String(leaseMs), String(now));
    },
    async finish({ requestID, token, ok, keepUntil, now }) {
      if (ok) await evaluate(FINISH, requestID, token, String(keepUntil), String(now));
      else await evaluate(FORGET, requestID, token);
    },
    async settle({ requestID, keepUntil, now }) {
      await evaluate(SETTLE, requestID, String(keepUntil), String(now));
    },
  };
}
