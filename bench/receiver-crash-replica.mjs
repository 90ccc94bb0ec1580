#!/usr/bin/env node
// One replica of bench/receiver-crash.mjs: createCallbackHandler on toNodeListener with a shared
// replay store, whose handler's side effect is a row in a PostgreSQL table without a unique
// constraint (a duplicate would show as a second row), and `alreadyHandled` looks there.
// `node bench/receiver-crash-replica.mjs STORE STORE_URL SIDE_EFFECT_URL TABLE REPLICA LEASE_MS`
// STORE: redis | postgres. Prints `listening on http://127.0.0.1:PORT`.
import { createServer } from 'node:http';
import pg from 'pg';
import { createClient } from 'redis';
import { createCallbackHandler, DEMO_ACCOUNT, postgresReplayStore, redisReplayStore, toNodeListener } from '../dist/index.js';

const [store, storeUrl, sideEffectUrl, table, replica, leaseMs] = process.argv.slice(2);
const sideEffects = new pg.Pool({ connectionString: sideEffectUrl, max: 8 });

async function replayStore() {
  if (store === 'postgres') return postgresReplayStore(new pg.Pool({ connectionString: storeUrl, max: 8 }), { createTable: true, leaseMs: Number(leaseMs) });
  const client = createClient({ url: storeUrl });
  client.on('error', () => {});
  await client.connect();
  return redisReplayStore(client, { leaseMs: Number(leaseMs) });
}

const handler = createCallbackHandler({
  uuid: DEMO_ACCOUNT.uuid,
  secretKey: DEMO_ACCOUNT.secretKey,
  replayStore: await replayStore(),
  // Asked only when this replica takes over a claim whose replica died mid-handler: the row
  // tells whether that one got as far as the side effect.
  alreadyHandled: async (requestID) => (await sideEffects.query(`SELECT 1 FROM ${table} WHERE request_id = $1`, [requestID])).rowCount > 0,
  onOrderFinished: async (payload, meta) => {
    await sideEffects.query(`INSERT INTO ${table} (request_id, replica, order_id) VALUES ($1, $2, $3)`, [meta.requestID, Number(replica), payload.orderID]);
  },
});
const server = createServer(toNodeListener(handler));
server.keepAliveTimeout = 5_000;
server.listen(0, '127.0.0.1', () => console.log(`listening on http://127.0.0.1:${server.address().port}`));
