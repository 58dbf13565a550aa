// Walks a report page by page, following `rel="next"` until there is none.
// A next link is followed only to the API's own origin and base path: a link
// elsewhere would send the access token to another server.
import { PaginationError } from "../errors/errors.js";
import { redactUrl } from "../redaction.js";
import type { PageLinks } from "./links.js";

export interface Page<Item> {
  items: Item[];
  links: PageLinks;
  /** The page number this page was fetched as (1-based). */
  page: number;
  /** The number of the last page, from `rel="last"`, when the server gave it. */
  lastPage: number | undefined;
  correlationId: string;
}

/** Fetches one page; `next` is the URL of the page to fetch, or undefined for the first. */
export type PageFetcher<Item> = (next: URL | undefined) => Promise<Page<Item>>;

/** A next link is safe to follow when it stays under the API's base URL. */
export function checkNextLink(next: string, baseUrl: string, operation: string): URL {
  let url: URL;
  try {
    url = new URL(next);
  } catch {
    throw new PaginationError(`${operation} returned a next link that is not a URL`, {
      request: { method: "GET", url: redactUrl(next), operation },
    });
  }
  const base = new URL(baseUrl);
  const basePath = base.pathname.replace(/\/$/, "");
  if (url.origin !== base.origin || !(url.pathname === basePath || url.pathname.startsWith(`${basePath}/`))) {
    throw new PaginationError(
      `${operation} returned a next link outside the API (${url.origin}); it was not followed, so the access token stays with the API`,
      { request: { method: "GET", url: redactUrl(next), operation } },
    );
  }
  return url;
}

export class PageIterable<Item> implements AsyncIterable<Page<Item>> {
  constructor(
    private readonly fetchPage: PageFetcher<Item>,
    private readonly baseUrl: string,
    private readonly operation: string,
  ) {}

  async *[Symbol.asyncIterator](): AsyncIterator<Page<Item>> {
    let next: URL | undefined;
    const seen = new Set<string>();
    for (;;) {
      const page = await this.fetchPage(next);
      yield page;
      if (!page.links.next) return;
      next = checkNextLink(page.links.next, this.baseUrl, this.operation);
      if (seen.has(next.href)) {
        throw new PaginationError(`${this.operation} returned a next link to a page already read; stopping`, {
          request: { method: "GET", url: redactUrl(next.href), operation: this.operation },
        });
      }
      seen.add(next.href);
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
