import { createServer } from 'node:http';
import {
  type CallbackKind,
  type CallFinishedCallback,
  createCallbackHandler,
  type OrderFinishedCallback,
  type TaskStatusChangedCallback,
  toNodeListener,
} from '../../../src/index.js';
import { listenOnLoopback } from './listen.js';

export interface ReceivedCallbacks {
  call: CallFinishedCallback[];
  order: OrderFinishedCallback[];
  task: TaskStatusChangedCallback[];
  /** Deliveries the package's handler refused (status and answer), by path: a bad signature lands here. */
  refused: { path: string; status: number; body: string }[];
}

export interface CallbackReceiver {
  /** `http://127.0.0.1:PORT`: callbacks go to `${url}/call`, `${url}/order`, `${url}/task`. */
  url: string;
  received: ReceivedCallbacks;
  close(): Promise<void>;
}

/**
 * The contract's own receiver (createCallbackHandler, one per callback URL with `only`, mounted
 * with toNodeListener) on a free loopback port: it verifies each callback's signature, freshness
 * (createTs against the real clock) and schema before recording it. `strict`: the callbacks the
 * mock sends must fit the spec exactly, so a deviation shows up in `refused` (a user's receiver
 * is tolerant by default and would hand it on with its deviations).
 */
export async function startCallbackReceiver(account: { uuid: string; secretKey: string }): Promise<CallbackReceiver> {
  const received: ReceivedCallbacks = { call: [], order: [], task: [], refused: [] };
  const handlers = new Map<string, ReturnType<typeof toNodeListener>>();
  for (const kind of ['call', 'order', 'task'] as CallbackKind[]) {
    const handler = createCallbackHandler({
      secretKey: account.secretKey,
      uuid: account.uuid,
      only: kind,
      strict: true,
      onCallFinished: (payload) => void received.call.push(payload),
      onOrderFinished: (payload) => void received.order.push(payload),
      onTaskStatusChanged: (payload) => void received.task.push(payload),
    });
    // Refusals are recorded too, so that a test sees why a callback is missing.
    handlers.set(
      `/${kind}`,
      toNodeListener(async (request) => {
        const answer = await handler(request);
        if (answer.status !== 200) received.refused.push({ path: `/${kind}`, status: answer.status, body: await answer.clone().text() });
        return answer;
      }),
    );
  }
  const server = createServer((req, res) => {
    const listener = handlers.get(new URL(req.url ?? '/', 'http://x').pathname);
    if (listener) void listener(req, res);
    else res.writeHead(404).end();
  });
  const { url, close } = await listenOnLoopback(server);
  return { url, received, close };
}
