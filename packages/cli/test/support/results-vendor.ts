import { DEMO_ACCOUNT } from 'callbot-contract';
import { type Behaviour, type FakeVendor, startFakeVendor } from 'callbot-test-kit/fake-vendor';

// A task of generated orders, served by the signed fake vendor (packages/test-kit/src/fake-vendor.ts)
// as the vendor's reading operations would: exportBatchCall (the latest batch: one entry per
// call, one per uncalled order), listOrderDetail (every call of the given orders; more than
// 500 ids is an error), listOrder (each called order with its last call, paged, `finish`
// filter) and listCall (every call, paged, startTs/endTs filter).
//
// Order i (1-based): orderID o-00000i, phone 86156 + i, (i % 3) calls, finished when it has 2
// calls. Some names and pass-through texts are formula-like, to check the CSV writer.

export const TRICKY = ["=cmd|' /C calc'!A0", '+SUM(1,2)', '-2+3', '@A1', '\tTAB', 'plain, "quoted"'];

export interface GeneratedCall {
  callID: string;
  callStatus: number;
  callStartTs: number;
  callAnswerTs: number;
  callEndTs: number;
  callDuration: number;
  callAudioUrl: string;
  hangupCause: string;
  termSipCode: string;
  intents: { intentID: string; intentName: string; intentTag: string; intentLevel: number }[];
  sms: never[];
  params: never[];
}

export interface GeneratedOrder {
  orderID: string;
  userPhone: string;
  userName: string;
  other: string;
  finish: boolean;
  calls: GeneratedCall[];
}

export const BASE_TS = 1_790_000_000;

export function generateOrders(count: number): GeneratedOrder[] {
  return Array.from({ length: count }, (_, index) => {
    const i = index + 1;
    const n = i % 3;
    const calls = Array.from({ length: n }, (_, k) => {
      const start = BASE_TS + i * 10 + k * 3600;
      const answered = k === n - 1;
      return {
        callID: `c-${i}-${k + 1}`,
        callStatus: answered ? 1 : 2,
        callStartTs: start,
        callAnswerTs: answered ? start + 5 : 0,
        callEndTs: start + (answered ? 5 + (i % 60) : 20),
        callDuration: answered ? i % 60 : 0,
        callAudioUrl: answered ? `https://rec.example/${i}.wav` : '',
        hangupCause: answered ? 'NORMAL_CLEARING' : 'NO_ANSWER',
        termSipCode: answered ? '200' : '480',
        intents: answered ? [{ intentID: `i-${i % 4}`, intentName: `level-${i % 4}`, intentTag: 'A', intentLevel: i % 4 }] : [],
        sms: [],
        params: [],
      };
    });
    return {
      orderID: `o-${String(i).padStart(6, '0')}`,
      userPhone: `86156${String(i).padStart(8, '0')}`,
      userName: i <= TRICKY.length ? TRICKY[i - 1]! : `客户${i}`,
      other: i === 1 ? '=HYPERLINK("http://evil")' : `crm-${i}`,
      finish: n === 2,
      calls,
    };
  });
}

const envelope = { retCode: 0, retMsg: 'success', responseID: 'resp-1' };
const TASK = { userTaskID: 'task-1', taskID: '880012', sceneID: 'scene-1' };

const orderCall = (o: GeneratedOrder, call: GeneratedCall) => ({
  orderID: o.orderID,
  userPhone: o.userPhone,
  userName: o.userName,
  other: o.other,
  finish: o.finish,
  ...TASK,
  callInfoDetail: call,
});

/** The answer the vendor would give to `body` at `path`, from `orders`. */
export function answerFor(orders: GeneratedOrder[], body: any, path: string): Record<string, unknown> {
  const operation = path.slice(path.lastIndexOf('/') + 1);
  const page = <T>(all: T[]) => all.slice((body.page - 1) * body.size, body.page * body.size);
  switch (operation) {
    case 'exportBatchCall':
      return {
        ...envelope,
        batchID: 'b-1',
        totalCount: orders.length,
        callList: orders.flatMap((o) =>
          o.calls.length === 0
            ? [{ orderID: o.orderID, userPhone: o.userPhone, other: o.other, callID: '', callStatus: 0, callStartTs: 0, intents: [] }]
            : o.calls.map((c) => ({
                orderID: o.orderID,
                userPhone: o.userPhone,
                other: o.other,
                callID: c.callID,
                callStatus: c.callStatus,
                callStartTs: c.callStartTs,
                intents: c.intents,
              })),
        ),
      };
    case 'listOrderDetail': {
      if (body.orderList.length > 500) return { retCode: 3, retMsg: 'orderList over 500', responseID: 'r' };
      const byId = new Map(orders.map((o) => [o.orderID, o]));
      return {
        ...envelope,
        orderDetailList: body.orderList.flatMap((id: string) => {
          const o = byId.get(id);
          // Calls listed newest first: the export must pick the last call by time, not position.
          return o
            ? [
                {
                  orderID: o.orderID,
                  userPhone: o.userPhone,
                  userName: o.userName,
                  other: o.other,
                  finish: o.finish,
                  ...TASK,
                  callInfoDetailList: [...o.calls].reverse(),
                },
              ]
            : [];
        }),
      };
    }
    case 'listOrder': {
      const finish = body.options?.finish;
      const matching = orders.filter((o) => o.calls.length > 0 && (finish === undefined || finish === null || o.finish === (finish === 1)));
      return { ...envelope, totalCount: matching.length, orderList: page(matching).map((o) => orderCall(o, o.calls.at(-1)!)) };
    }
    case 'listCall': {
      const { startTs, endTs } = body.options ?? {};
      const calls = orders.flatMap((o) => o.calls.map((c) => ({ o, c })));
      const matching = calls.filter(({ c }) => (startTs === undefined || c.callStartTs >= startTs) && (endTs === undefined || c.callStartTs <= endTs));
      return { ...envelope, totalCount: matching.length, callList: page(matching).map(({ o, c }) => orderCall(o, c)) };
    }
    default:
      return { retCode: 3, retMsg: `not served here: ${operation}`, responseID: 'r' };
  }
}

export const serve = (orders: GeneratedOrder[], gzip = false): Behaviour => ({ kind: 'compute', answer: (body, path) => answerFor(orders, body, path), gzip });

/** A fake vendor serving `orders` (signed with the demo account, which `callbot` uses on loopback). */
export async function startResultsVendor(orders: GeneratedOrder[]): Promise<FakeVendor> {
  const vendor = await startFakeVendor(DEMO_ACCOUNT);
  vendor.script(serve(orders, true));
  return vendor;
}

/** The request bodies the vendor received for one operation. */
export const bodiesOf = (vendor: FakeVendor, operation: string) =>
  vendor.received.filter((r) => r.path.endsWith(`/${operation}`)).map((r) => JSON.parse(r.json) as Record<string, any>);
