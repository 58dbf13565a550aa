// Which page a `rel="next"` link asks for. The access token goes only to the
// configured API, so a link is never fetched as it stands: when its path is
// this report's (the configured base path and the operation's path), its
// query is asked of the configured base URL, whatever host the link names
// (the published example names the production host). Any other link stops
// the walk with an error naming the page that held it.
import { limits } from "@nhs-app-api/contract";
import { PaginationError } from "../errors/errors.js";
import { redactUrl } from "../redaction.js";

export interface Report {
  /** The operationId, for errors. */
  operation: string;
  /** The operation's path, from the spec. */
  path: string;
  /** The query parameter that names the report (`day`, `ods-organisation-code`). */
  parameter: string;
}

/** The request a next link stands for. */
export interface NextPage {
  value: string;
  page: number;
}

/** The answer that held the link: its errors carry these. */
export interface LinkHolder {
  correlationId: string;
  status: number;
}

const withoutTrailingSlash = (path: string) => path.replace(/\/+$/, "");

export function nextPageOf(link: string, baseUrl: string, report: Report, holder: LinkHolder): NextPage {
  const refuse = (why: string) =>
    new PaginationError(`${report.operation} returned a next link ${why}; it was not followed`, {
      request: { method: "GET", url: redactUrl(link), operation: report.operation },
      correlationId: holder.correlationId,
      status: holder.status,
    });
  let url: URL;
  try {
    url = new URL(link, baseUrl);
  } catch {
    throw refuse("that is not a URL");
  }
  const expected = withoutTrailingSlash(`${withoutTrailingSlash(new URL(baseUrl).pathname)}${report.path}`);
  if (withoutTrailingSlash(url.pathname) !== expected) {
    throw refuse(`outside this report (${url.origin}${url.pathname}), so the access token stays with the API`);
  }
  const value = url.searchParams.get(report.parameter);
  const page = url.searchParams.get("page");
  const pageNumber = page !== null && /^\d+$/.test(page) ? Number(page) : Number.NaN;
  if (value === null || !(pageNumber >= limits.firstPage && pageNumber <= limits.lastPage)) {
    throw refuse(`without ${report.parameter} and a page number from ${limits.firstPage} to ${limits.lastPage}`);
  }
  return { value, page: pageNumber };
}
