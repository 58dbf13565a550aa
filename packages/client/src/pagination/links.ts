// Reads a report page's links: the RFC 8288 `Link` header first (the patient
// report has nothing else), then the receipt Bundle's `link` array.
import LinkHeader from "http-link-header";

export interface PageLinks {
  next?: string;
  last?: string;
  self?: string;
}

type Relation = keyof PageLinks;
const RELATIONS: readonly Relation[] = ["next", "last", "self"];

export function linksFromHeader(header: string | null): PageLinks {
  const links: PageLinks = {};
  if (!header) return links;
  let parsed: LinkHeader;
  try {
    parsed = LinkHeader.parse(header);
  } catch {
    return links; // a malformed header is treated as no links
  }
  for (const relation of RELATIONS) {
    const [first] = parsed.rel(relation);
    if (first?.uri) links[relation] = first.uri;
  }
  return links;
}

export function linksFromBundle(bundle: unknown): PageLinks {
  const links: PageLinks = {};
  const list = typeof bundle === "object" && bundle !== null ? (bundle as { link?: unknown }).link : undefined;
  if (!Array.isArray(list)) return links;
  for (const entry of list) {
    if (typeof entry !== "object" || entry === null) continue;
    const { relation, url } = entry as { relation?: unknown; url?: unknown };
    if (typeof url === "string" && RELATIONS.includes(relation as Relation) && !links[relation as Relation]) {
      links[relation as Relation] = url;
    }
  }
  return links;
}

/** Header links win; the Bundle fills what the header lacks. */
export const mergeLinks = (header: PageLinks, bundle: PageLinks): PageLinks => ({ ...bundle, ...header });

/** The `page` query parameter of a link, if it is a whole number. */
export function pageNumberOf(url: string | undefined): number | undefined {
  if (!url) return undefined;
  try {
    const page = new URL(url).searchParams.get("page");
    return page !== null && /^\d+$/.test(page) ? Number(page) : undefined;
  } catch {
    return undefined;
  }
}
