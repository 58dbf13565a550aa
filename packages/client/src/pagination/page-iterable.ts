// Walks a report page by page, following `rel="next"` until there is none.
// Where a link may lead is next-link.ts's decision; this module only walks,
// and stops when a link leads back to a page already read.
import { PaginationError } from "../errors/errors.js";
import type { PageLinks } from "./links.js";
import type { NextPage } from "./next-link.js";

export interface Page<Item> {
  items: Item[];
  links: PageLinks;
  /** The page number this page was fetched as (1-based). */
  page: number;
  /** The number of the last page, from `rel="last"`, when the server gave it. */
  lastPage: number | undefined;
  correlationId: string;
  status: number;
}

/** Fetches one page; `next` is the page a link asked for, or undefined for the first. */
export type PageFetcher<Item> = (next: NextPage | undefined) => Promise<Page<Item>>;

/** Reads a page's next link as the request for the next page (or refuses it). */
export type LinkFollower<Item> = (link: string, page: Page<Item>) => NextPage;

export class PageIterable<Item> implements AsyncIterable<Page<Item>> {
  constructor(
    private readonly fetchPage: PageFetcher<Item>,
    private readonly follow: LinkFollower<Item>,
    private readonly operation: string,
  ) {}

  async *[Symbol.asyncIterator](): AsyncIterator<Page<Item>> {
    let next: NextPage | undefined;
    const seen = new Set<string>();
    for (;;) {
      const page = await this.fetchPage(next);
      yield page;
      if (!page.links.next) return;
      next = this.follow(page.links.next, page);
      const key = `${next.value}\u0000${next.page}`;
      // Pages run forwards: a link back to this page or an earlier one, or to one already read, would loop.
      if (next.page <= page.page || seen.has(key)) {
        throw new PaginationError(`${this.operation} returned a next link to a page already read; stopping`, {
          correlationId: page.correlationId,
          status: page.status,
        });
      }
      seen.add(key);
    }
  }

  /** The items of every page, one by one. */
  items(): ItemIterable<Item> {
    return new ItemIterable(this);
  }

  /** At most `limit` pages; the limit is required so that a huge report cannot fill memory by accident. */
  toArray(options: { limit: number }): Promise<Page<Item>[]> {
    return collect(this, options.limit);
  }
}

export class ItemIterable<Item> implements AsyncIterable<Item> {
  constructor(private readonly pages: AsyncIterable<Page<Item>>) {}

  async *[Symbol.asyncIterator](): AsyncIterator<Item> {
    for await (const page of this.pages) yield* page.items;
  }

  /** At most `limit` items; the limit is required so that a huge report cannot fill memory by accident. */
  toArray(options: { limit: number }): Promise<Item[]> {
    return collect(this, options.limit);
  }
}

async function collect<T>(iterable: AsyncIterable<T>, limit: number): Promise<T[]> {
  if (!Number.isInteger(limit) || limit < 1)
    throw new RangeError("toArray needs a limit: a whole number of at least 1");
  const out: T[] = [];
  for await (const value of iterable) {
    out.push(value);
    if (out.length >= limit) break;
  }
  return out;
}
