#!/usr/bin/env node
// One receiver for bench/callbacks.mjs, in a process of its own (so the sender does not share its
// event loop): `node bench/callback-server.mjs KIND [STORE_URL]`, where KIND is
//   bare      a node:http server that reads the body and answers the vendor's success JSON
//             (no signature, no parsing: the ceiling of this machine for the same exchange);
//   memory    createCallbackHandler on toNodeListener, the default memory replay store;
//   redis     the same with redisReplayStore over node-redis 5 (STORE_URL redis://…);
//   postgres  the same with postgresReplayStore over a pg Pool (STORE_URL postgres://…).
// Prints `listening on http://127.0.0.1:PORT` once it accepts requests. The handler does nothing
// (the bench measures the receiver, not an application).
import { createServer } from 'node:http';
import { createCallbackHandler, DEMO_ACCOUNT, postgresReplayStore, redisReplayStore, toNodeListener } from '../dist/index.js';

const [kind, storeUrl] = process.argv.slice(2);
const SUCCESS = Buffer.from(JSON.stringify({ retCode: 0, retMsg: 'success' }));

async function replayStore() {
  if (kind === 'redis') {
    const { createClient } = await import('redis');
    const client = createClient({ url: storeUrl });
    client.on('error', () => {});
    await client.connect();
    return redisReplayStore(client);
  }
  if (kind === 'postgres') {
    const { default: pg } = await import('pg');
    // Pool of 16: one connection per concurrent sender.
    return postgresReplayStore(new pg.Pool({ connectionString: storeUrl, max: 16 }), { createTable: true });
  }
  return undefined;
}

function bareListener(req, res) {
  req.on('data', () => {});
  req.on('end', () => {
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': String(SUCCESS.length) });
    res.end(SUCCESS);
  });
}

const listener =
  kind === 'bare'
    ? bareListener
    : toNodeListener(
        createCallbackHandler({
          uuid: DEMO_ACCOUNT.uuid,
          secretKey: DEMO_ACCOUNT.secretKey,
          replayStore: await replayStore(),
          onOrderFinished: () => {},
          onCallFinished: () => {},
          onTaskStatusChanged: () => {},
        }),
      );
if (!['bare', 'memory', 'redis', 'postgres'].includes(kind)) throw new Error(`unknown receiver ${kind}`);
const server = createServer(listener);
server.listen(0, '127.0.0.1', () => console.log(`listening on http://127.0.0.1:${server.address().port}`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
