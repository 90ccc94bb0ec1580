import { Redis as IORedis } from 'ioredis';
import pg from 'pg';
import { createClient } from 'redis';
import { createClient as createClient4 } from 'redis4';
import { describe, expectTypeOf, it } from 'vitest';
import { type PgQueryable, postgresReplayStore, type RedisCommander, type ReplayStore, redisReplayStore } from '../../src/index.js';

// The stores take the team's own clients through one method each (no dependency of ours): the
// real clients' types must fit, checked against the packages themselves (issue 20, item 2).
describe('replay store client types', () => {
  it('node-redis 5 and 4 and ioredis clients fit RedisCommander', () => {
    expectTypeOf(createClient()).toExtend<RedisCommander>();
    expectTypeOf(createClient4()).toExtend<RedisCommander>();
    expectTypeOf(new IORedis({ lazyConnect: true })).toExtend<RedisCommander>();
    expectTypeOf(redisReplayStore(createClient(), { keyPrefix: 'x:' })).toEqualTypeOf<ReplayStore>();
  });

  it("pg's Pool and Client fit PgQueryable", () => {
    expectTypeOf(new pg.Pool()).toExtend<PgQueryable>();
    expectTypeOf(new pg.Client()).toExtend<PgQueryable>();
    expectTypeOf(postgresReplayStore(new pg.Pool(), { table: 'ops.callbot_replay' })).toEqualTypeOf<ReplayStore>();
  });

  it('something else is refused', () => {
    // @ts-expect-error: no sendCommand or call
    redisReplayStore({ get: async () => null });
    // @ts-expect-error: no query
    postgresReplayStore({ execute: async () => [] });
  });
});
