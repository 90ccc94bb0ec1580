import { createHash } from 'node:crypto';
import { CallbotPackageError } from './errors.js';

// The loop behind the client's paged iterators (tasks(), orders(), calls()), kept apart from
// the client so its rules can be read in one place. The vendor's paging is trusted only as far
// as it stays consistent:
// - a short or empty page ends the list; a full page ends it only when it reaches `totalCount`
//   exactly (a full page that runs past the count means the count is wrong: the pages decide);
// - when the list ends where `totalCount` does not, the caller is told (onCountMismatch), once;
// - at most `maxPages` pages are read: a vendor that sends full pages forever is stopped;
// - a full page identical to one of the few pages before it (a vendor that ignores `page`, or
//   cycles) stops the loop: reading on would only repeat it until maxPages.

/** The most pages one loop reads unless told otherwise: 10,000,000 items at 100 a page. */
export const DEFAULT_MAX_PAGES = 100_000;

/** How many of the latest full pages a page is compared with (a digest each: bounded memory). */
const REPEAT_WINDOW = 8;

export interface PagingOptions {
  /**
   * The most pages this loop reads (default 100,000). Reaching it with the list not ended
   * rejects the loop with CallbotPagingError (`reason` `max-pages`).
   */
  maxPages?: number;
  /**
   * Called once, when the list has ended, if the vendor's `totalCount` (the latest page's) does not
   * match where the pages ended. Not called when the answers carry no `totalCount`.
   */
  onCountMismatch?: (mismatch: PagingCountMismatch) => void;
}

export interface PagingCountMismatch {
  /** The latest `totalCount` the vendor sent. */
  totalCount: number;
  /** Where the pages ended, as the vendor numbers items: `(firstPage - 1) * size` + the items read. */
  listed: number;
  /** Pages read; the last one is the page that ended the list. */
  pages: number;
  /** The last page's number. */
  lastPage: number;
  /** `fewer`: the pages ended before `totalCount` (items may be missing); `more`: they ran past it. */
  kind: 'fewer' | 'more';
  /** One sentence for a warning. */
  message: string;
}

/**
 * The vendor's paging cannot be trusted: it sent more than `maxPages` pages without the list
 * ending (`max-pages`), or a full page identical to an earlier one (`repeated-page`). The items
 * yielded before it were real answers; the list is incomplete.
 */
export class CallbotPagingError extends CallbotPackageError {
  readonly reason: 'max-pages' | 'repeated-page';
  /** The page at which the loop stopped. */
  readonly page: number;

  constructor(reason: 'max-pages' | 'repeated-page', message: string, page: number, requestID: string | undefined) {
    super(message, { requestID });
    this.reason = reason;
    this.page = page;
  }
}

/** One page as the loop needs it. */
export interface FetchedPage<T> {
  items: readonly T[] | undefined;
  totalCount: unknown;
  requestID: string;
}

/** `maxPages` checked: a positive integer, or the default. */
export function resolveMaxPages(maxPages: number | undefined): number {
  if (maxPages === undefined) return DEFAULT_MAX_PAGES;
  if (!Number.isSafeInteger(maxPages) || maxPages < 1) throw new TypeError('paging: maxPages must be a positive integer');
  return maxPages;
}

/** Reads pages `first`, `first + 1`, … of `size` items through `fetchPage`, under the rules above. */
export async function* readPages<T>(
  fetchPage: (page: number) => Promise<FetchedPage<T>>,
  first: number,
  size: number,
  options: PagingOptions = {},
): AsyncGenerator<T, void, undefined> {
  const maxPages = resolveMaxPages(options.maxPages);
  const recent: string[] = [];
  let listed = (first - 1) * size;
  let totalCount: number | undefined;
  for (let page = first, pages = 1; ; page += 1, pages += 1) {
    const answer = await fetchPage(page);
    const list = answer.items ?? [];
    if (typeof answer.totalCount === 'number' && Number.isSafeInteger(answer.totalCount) && answer.totalCount >= 0) totalCount = answer.totalCount;
    const full = list.length > 0 && list.length >= size;
    if (full) {
      const digest = pageDigest(list);
      const earlier = recent.indexOf(digest);
      if (earlier !== -1) {
        throw new CallbotPagingError(
          'repeated-page',
          `The vendor's paging cannot be trusted: page ${page} repeats page ${page - (recent.length - earlier)} item for item; stopped after ${pages} pages`,
          page,
          answer.requestID,
        );
      }
      recent.push(digest);
      if (recent.length > REPEAT_WINDOW) recent.shift();
    }
    listed += list.length;
    yield* list;
    if (!full || (totalCount !== undefined && listed === totalCount)) {
      if (totalCount !== undefined && listed !== totalCount) options.onCountMismatch?.(mismatch(totalCount, listed, pages, page, list.length));
      return;
    }
    if (pages >= maxPages) {
      throw new CallbotPagingError(
        'max-pages',
        `The vendor's paging did not end within ${maxPages} pages (maxPages); stopped after ${listed} items`,
        page,
        answer.requestID,
      );
    }
  }
}

function mismatch(totalCount: number, listed: number, pages: number, lastPage: number, lastLength: number): PagingCountMismatch {
  const kind = listed < totalCount ? 'fewer' : 'more';
  const ending = lastLength === 0 ? `page ${lastPage} was empty` : `page ${lastPage} had ${lastLength} items`;
  const message =
    kind === 'fewer'
      ? `the vendor's totalCount says ${totalCount}, but its pages ended after ${listed} (${ending}): items may be missing`
      : `the vendor's pages listed ${listed} items, more than its totalCount of ${totalCount}`;
  return { totalCount, listed, pages, lastPage, kind, message };
}

/** A page's items as one digest: equal digests, equal pages. */
const pageDigest = (items: readonly unknown[]) => createHash('sha256').update(JSON.stringify(items)).digest('base64');
