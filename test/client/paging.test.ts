import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createCallbotClient, type CallbotClient } from '../../src/client.js';
import { CallbotPagingError, DEFAULT_MAX_PAGES, type PagingCountMismatch, readPages } from '../../src/paging.js';
import { startFakeVendor, type Behaviour, type FakeVendor } from 'callbot-test-kit/fake-vendor';

// The paged iterators against a vendor whose paging cannot be trusted (issue 18, finding 12):
// counts that disagree with the pages, a page repeated forever, pages that never end.

const account = { uuid: 'acct-uuid-paging', secretKey: 'PAGING-secret-key-0123456789' };
let vendor: FakeVendor;
beforeAll(async () => {
  vendor = await startFakeVendor(account);
});
afterAll(() => vendor.close());
beforeEach(() => {
  vendor.received.length = 0;
});

const client = (): CallbotClient => createCallbotClient({ ...account, baseUrl: vendor.url, retry: { maxAttempts: 1 } });
const order = (n: number) => ({ orderID: `o-${n}` });
const envelope = (page: number) => ({ retCode: 0, retMsg: 'success', responseID: `p${page}` });

/** `items` orders served `size` a page, each answer claiming `totalCount` (when given). */
const orders = (items: number, totalCount?: number): Behaviour => ({
  kind: 'compute',
  answer: (body) => {
    const from = (body.page - 1) * body.size;
    const list = Array.from({ length: Math.max(0, Math.min(body.size, items - from)) }, (_, i) => order(from + i));
    return { ...envelope(body.page), ...(totalCount === undefined ? {} : { totalCount }), orderList: list };
  },
});

/** Reads at most `limit` items (a loop that never ends would otherwise hang the test): the items, or the error. */
async function readAll(iterator: AsyncIterable<{ orderID?: string }>, limit = 1000) {
  const ids: string[] = [];
  try {
    for await (const item of iterator) {
      ids.push(item.orderID ?? '?');
      if (ids.length >= limit) return { ids, error: undefined, cut: true };
    }
  } catch (error) {
    return { ids, error, cut: false };
  }
  return { ids, error: undefined, cut: false };
}

describe('paging: counts that disagree with the pages', () => {
  it('totalCount 1 with a full page: the pages decide (every item is read), and the mismatch is reported', async () => {
    vendor.script(orders(5, 1));
    const mismatches: PagingCountMismatch[] = [];
    const { ids, error } = await readAll(client().orders({ userTaskID: 't', options: {}, size: 2 }, { onCountMismatch: (m) => mismatches.push(m) }));
    expect(error).toBeUndefined();
    expect(ids).toEqual(['o-0', 'o-1', 'o-2', 'o-3', 'o-4']);
    expect(vendor.received).toHaveLength(3);
    expect(mismatches).toEqual([expect.objectContaining({ kind: 'more', totalCount: 1, listed: 5, pages: 3, lastPage: 3 })]);
    expect(mismatches[0]!.message).toMatch(/listed 5 items, more than its totalCount of 1/);
  });

  it('an empty page 2 while totalCount says 500: the loop ends, and the mismatch says items may be missing', async () => {
    vendor.script(orders(2, 500));
    const mismatches: PagingCountMismatch[] = [];
    const { ids } = await readAll(client().orders({ userTaskID: 't', options: {}, size: 2 }, { onCountMismatch: (m) => mismatches.push(m) }));
    expect(ids).toEqual(['o-0', 'o-1']);
    expect(vendor.received).toHaveLength(2);
    expect(mismatches).toEqual([expect.objectContaining({ kind: 'fewer', totalCount: 500, listed: 2, pages: 2, lastPage: 2 })]);
    expect(mismatches[0]!.message).toMatch(/totalCount says 500, but its pages ended after 2 \(page 2 was empty\): items may be missing/);
  });

  it('counts that agree report nothing (a full last page that reaches totalCount ends the loop without one more request)', async () => {
    vendor.script(orders(6, 6));
    const mismatches: PagingCountMismatch[] = [];
    const { ids } = await readAll(client().orders({ userTaskID: 't', options: {}, size: 2 }, { onCountMismatch: (m) => mismatches.push(m) }));
    expect(ids).toHaveLength(6);
    expect(vendor.received).toHaveLength(3);
    expect(mismatches).toEqual([]);
  });

  it('a start page other than 1 counts the items before it', async () => {
    vendor.script(orders(6, 6));
    const mismatches: PagingCountMismatch[] = [];
    const { ids } = await readAll(client().orders({ userTaskID: 't', options: {}, size: 2, page: 2 }, { onCountMismatch: (m) => mismatches.push(m) }));
    expect(ids).toEqual(['o-2', 'o-3', 'o-4', 'o-5']);
    expect(mismatches).toEqual([]);
  });
});

describe('paging: a vendor whose pages never end', () => {
  it('a vendor that repeats one page (ignores `page`): CallbotPagingError repeated-page at page 2', async () => {
    vendor.script({ answer: { ...envelope(1), orderList: [order(1), order(2)] } });
    const { ids, error, cut } = await readAll(client().orders({ userTaskID: 't', options: {}, size: 2 }));
    expect(cut).toBe(false);
    expect(error).toBeInstanceOf(CallbotPagingError);
    expect(error).toMatchObject({ reason: 'repeated-page', page: 2 });
    expect((error as Error).message).toMatch(/page 2 repeats page 1/);
    expect(ids).toEqual(['o-1', 'o-2']); // the repeat is not yielded
    expect(vendor.received).toHaveLength(2);
  });

  it('a vendor that cycles through three pages: stopped at the first page that comes back', async () => {
    vendor.script({ kind: 'compute', answer: (body) => ({ ...envelope(body.page), orderList: [order(body.page % 3), order(10 + (body.page % 3))] }) });
    const { error } = await readAll(client().orders({ userTaskID: 't', options: {}, size: 2 }));
    expect(error).toMatchObject({ reason: 'repeated-page', page: 4 });
    expect((error as Error).message).toMatch(/page 4 repeats page 1/);
  });

  it('new full pages forever: maxPages stops the loop with CallbotPagingError max-pages', async () => {
    vendor.script({ kind: 'compute', answer: (body) => ({ ...envelope(body.page), callList: [{ callID: `c-${body.page}` }] }) });
    const { error, cut } = await readAll(client().calls({ userTaskID: 't', options: {}, size: 1 }, { maxPages: 5 }) as AsyncIterable<never>);
    expect(cut).toBe(false);
    expect(error).toBeInstanceOf(CallbotPagingError);
    expect(error).toMatchObject({ reason: 'max-pages', page: 5 });
    expect((error as Error).message).toMatch(/did not end within 5 pages/);
    expect(vendor.received).toHaveLength(5);
  });

  it('a list that ends on its maxPages-th page is read whole', async () => {
    vendor.script(orders(9));
    const { ids, error } = await readAll(client().orders({ userTaskID: 't', options: {}, size: 2 }, { maxPages: 5 }));
    expect(error).toBeUndefined();
    expect(ids).toHaveLength(9);
  });

  it('maxPages must be a positive integer (checked when the loop is made)', () => {
    for (const maxPages of [0, -1, 1.5, Number.NaN]) {
      expect(() => client().orders({ userTaskID: 't', options: {} }, { maxPages })).toThrow(TypeError);
    }
  });

  it(`the default cap is ${DEFAULT_MAX_PAGES} pages`, async () => {
    let requests = 0;
    const endless = readPages(
      async (page) => {
        requests += 1;
        return { items: [page], totalCount: undefined, requestID: `r${page}` };
      },
      1,
      1,
    );
    const error = await (async () => {
      for await (const _ of endless) {
        if (requests > DEFAULT_MAX_PAGES + 10) return undefined;
      }
      return undefined;
    })().catch((e: unknown) => e);
    expect(error).toMatchObject({ reason: 'max-pages', page: DEFAULT_MAX_PAGES });
    expect(requests).toBe(DEFAULT_MAX_PAGES);
  });
});
