// Keeps patient identifiers and secrets out of logs and error messages.
// NHS numbers are masked wherever ten digits stand alone, written as one run
// or in the usual 3-3-4 groups with spaces or hyphens; bearer tokens and JWTs
// are replaced outright. UUIDs (correlation and communication IDs) are left
// exactly as they are: their hex groups can hold ten digits in a row, and a
// support request needs the ID whole.

// Ten digits in a row, whatever stands around them except more digits.
const TEN_DIGITS = /(?<!\d)\d{10}(?!\d)/g;
// Ten digits in 3-3-4 groups, separated by spaces or hyphens (mixed too), not inside a longer run of groups.
const GROUPED = /(?<![\d-])\d{3}[ -]\d{3}[ -]?\d{4}(?![\d-])|(?<![\d-])\d{3}[ -]?\d{3}[ -]\d{4}(?![\d-])/g;
const JWT = /\beyJ[\w-]+\.[\w-]+\.[\w-]*/g;
const BEARER = /\b(Bearer)\s+[^\s"',]+/gi;
// A UUID standing alone: no hex digit right before or after it (a hyphen or any other character may be there).
const UUID = /(?<![0-9a-f])[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(?![0-9a-f])/gi;

/** `9434765919` (or `943 476 5919`) becomes `*******919`: enough to tell numbers apart, not to identify a patient. */
export const maskNhsNumber = (value: string) => `*******${value.slice(-3)}`;

const maskNumbers = (text: string) => text.replace(TEN_DIGITS, maskNhsNumber).replace(GROUPED, maskNhsNumber);

/**
 * Masks every token (a bearer token, a JWT, whatever it looks like) and every
 * NHS-number-like run of ten digits in a text; UUIDs stay whole.
 */
export function redactText(text: string): string {
  // Tokens first, over the whole text: a bearer token may itself look like a UUID.
  const withoutTokens = text.replace(JWT, "[redacted JWT]").replace(BEARER, "$1 [redacted]");
  let out = "";
  let from = 0;
  for (const match of withoutTokens.matchAll(UUID)) {
    out += maskNumbers(withoutTokens.slice(from, match.index)) + match[0];
    from = match.index + match[0].length;
  }
  return out + maskNumbers(withoutTokens.slice(from));
}

// The URL redacted last: a client sends to the same few URLs over and over.
let lastUrl: { url: string; redacted: string } | undefined;

/** A URL as it may appear in a log: query values that could identify a patient are masked. */
export function redactUrl(url: string): string {
  if (lastUrl?.url !== url) lastUrl = { url, redacted: redactText(url) };
  return lastUrl.redacted;
}

/** Query parameters whose values never identify a patient: a report's day and page, a practice's ODS code. */
const SAFE_QUERY_PARAMETERS = new Set(["day", "page", "ods-organisation-code"]);

/**
 * A URL for a span's `url.full`, where nothing is masked after the fact: no
 * user or password, no fragment, tokens and NHS numbers masked in the path,
 * and every query value `REDACTED` except the report parameters above (and
 * those only when they hold nothing that looks like an NHS number or token).
 */
export function telemetryUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return redactText(url.replace(/[?#].*$/s, ""));
  }
  const query = new URLSearchParams();
  for (const [name, value] of parsed.searchParams) {
    query.append(name, SAFE_QUERY_PARAMETERS.has(name) && redactText(value) === value ? value : "REDACTED");
  }
  const search = query.size > 0 ? `?${query}` : "";
  return `${parsed.origin}${redactText(parsed.pathname)}${search}`;
}
