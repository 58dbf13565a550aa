// The patient's view of a message, as the NHS App shows it: an in-app
// message's text (the spec's ContentString) rendered from the NHS App's
// Markdown subset, the reply it offers, and a push notification as a line on
// the lock screen. Pure functions from text to an HTML fragment that is safe
// to put in a page, for the local sandbox's inspector.
//
// The subset is the spec's, in one place: `x-nhs-app-markdown` on
// ContentString, which `pnpm generate` carries into @nhs-app-api/contract as
// `contentStringMarkdown`. Exactly the features listed there are rendered;
// everything else (italics, `# H1`, `#### H4`, tables, code, quotes, raw
// HTML) is shown as the text it is, escaped. When NHS England changes the
// subset, the spec changes and nothing here does, unless a feature is new to
// this renderer: then `NHS_APP_MARKDOWN` below stops type-checking.
//
// Hand-written rather than a Markdown library: the subset is eight small
// constructs, and the libraries render far more (italics, code, quotes,
// tables, raw HTML, autolinks, reference links, setext headings) with rules
// that cannot be switched off one by one (markdown-it's `emphasis` rule does
// both `*italic*` and `**bold**`), so "exactly these features" would be a
// list of exceptions to maintain.
//
// Safety: HTML entities are decoded first (as the NHS App does), then every
// character of text and every attribute value is escaped on output, so
// `&lt;script&gt;` shows the text `<script>`. Links are made only to http(s),
// mailto and tel URLs and images only from http(s) URLs; any other link or
// image (`javascript:`, `data:`, relative) is shown as the text it is.
import { contentStringMarkdown } from "@nhs-app-api/contract";
import { decodeHTMLStrict } from "entities/decode";
import type { CreatedMessage } from "./created-messages.js";
import { type ReplyOffer, replyOffered } from "./delivery-plan.js";

/** Every Markdown feature this renderer can render; the spec's x-nhs-app-markdown picks from these. */
export const MARKDOWN_FEATURES = [
  "bold",
  "heading-2",
  "heading-3",
  "bulleted-list",
  "ordered-list",
  "link",
  "image",
  "line-break",
] as const;

/** A Markdown feature: `bold` (`**x**`), `heading-2` (`## x`), `heading-3`, `bulleted-list` (`* x`), `ordered-list` (`1. x`), `link`, `image`, `line-break` (two or more trailing spaces). */
export type MarkdownFeature = (typeof MARKDOWN_FEATURES)[number];

/** Whether HTML entities (`&amp;`, `&#163;`) are decoded before rendering (`decoded`) or shown as written (`literal`). */
export type EntityHandling = "decoded" | "literal";

/** A Markdown subset: the features rendered and the handling of entities. */
export interface MarkdownSubset {
  readonly features: readonly MarkdownFeature[];
  readonly entities: EntityHandling;
}

/**
 * The NHS App's subset, from the spec (x-nhs-app-markdown on ContentString).
 * Typed so that a feature the spec names and this renderer lacks fails the
 * type check here, naming the feature.
 */
export const NHS_APP_MARKDOWN: MarkdownSubset = contentStringMarkdown;

/** Options of {@link renderContentString}; each defaults to the spec's ({@link NHS_APP_MARKDOWN}). */
export interface ContentStringOptions {
  /** The features to render; anything else is shown as text. */
  features?: readonly MarkdownFeature[];
  /** Whether HTML entities are decoded before rendering. */
  entities?: EntityHandling;
}

/** The NHS App's name, as a push notification shows it. */
export const PUSH_APP_NAME = "NHS App";

/** The placeholder of the text box a free-text reply offers. */
export const FREE_TEXT_PLACEHOLDER = "Type your reply";

const LINK_SCHEMES = new Set(["http:", "https:", "mailto:", "tel:"]);
const WEB_SCHEMES = new Set(["http:", "https:"]);
const KNOWN = new Set<string>(MARKDOWN_FEATURES);

const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** Escapes text for an HTML element's content or a quoted attribute value: `&`, `<`, `>`, `"` and `'`. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] as string);
}

/**
 * An in-app message's text as the NHS App shows it: an HTML fragment of
 * `<p>`, `<h2>`, `<h3>`, `<ul>`/`<ol>` blocks, one per line of output, with
 * `<strong>`, `<a href title rel>`, `<img src alt title>` and `<br>` inside.
 * Text outside the subset is shown as text, escaped.
 */
export function renderContentString(text: string, options: ContentStringOptions = {}): string {
  const features = options.features ?? NHS_APP_MARKDOWN.features;
  const unknown = features.filter((f) => !KNOWN.has(f));
  if (unknown.length > 0) {
    throw new TypeError(
      `renderContentString: unknown Markdown feature ${unknown.join(", ")} (known: ${MARKDOWN_FEATURES.join(", ")})`,
    );
  }
  const entities = options.entities ?? NHS_APP_MARKDOWN.entities;
  if (entities !== "decoded" && entities !== "literal") {
    throw new TypeError(`renderContentString: entities must be "decoded" or "literal" (it is ${String(entities)})`);
  }
  const on = new Set<MarkdownFeature>(features);
  // Strict decoding: an entity needs its `;` (`&copy=1` in a URL stays as written), as in CommonMark.
  const source = entities === "decoded" ? decodeHTMLStrict(text) : text;
  return blocksOf(source, on)
    .map((block) => renderBlock(block, on))
    .join("\n");
}

/**
 * A push notification as a lock-screen line: the app's name, the text
 * (escaped, no Markdown: the NHS App shows it as written) and, when given,
 * the URL it opens (a link when it is http(s), else text).
 */
export function renderPushNotification(text: string, url?: string): string {
  const parts = [
    `<strong class="nhs-app-push-app">${escapeHtml(PUSH_APP_NAME)}</strong>`,
    `<span class="nhs-app-push-text">${escapeHtml(text)}</span>`,
  ];
  if (url !== undefined) {
    parts.push(
      isSafeUrl(url, WEB_SCHEMES)
        ? `<a class="nhs-app-push-url" href="${escapeHtml(url)}" rel="noopener noreferrer">${escapeHtml(url)}</a>`
        : `<span class="nhs-app-push-url">${escapeHtml(url)}</span>`,
    );
  }
  return `<p class="nhs-app-push">${parts.join(" ")}</p>`;
}

/**
 * The reply a message offers (see `replyOffered`): its keywords as a list of
 * button-like items (`data-keyword` on each), or a text box for a free-text
 * reply; nothing when it offers none.
 */
export function renderReplyOptions(offer: ReplyOffer | undefined): string {
  if (offer === undefined) return "";
  if (offer.kind === "text") {
    return `<textarea class="nhs-app-reply-text" placeholder="${escapeHtml(FREE_TEXT_PLACEHOLDER)}" aria-label="Your reply" disabled></textarea>`;
  }
  const items = offer.codes.map(
    (code) => `<li class="nhs-app-reply-keyword" data-keyword="${escapeHtml(code)}">${escapeHtml(code)}</li>`,
  );
  return `<ul class="nhs-app-reply-keywords">\n${items.join("\n")}\n</ul>`;
}

/**
 * A message the gateway accepted, as the patient sees it: an in-app
 * message's text and the reply it offers, or a push notification's line.
 */
export function renderPatientView(message: CreatedMessage, options: ContentStringOptions = {}): string {
  if (message.kind === "push") {
    const content = message.body.payload[0]?.contentReference;
    return `<article class="nhs-app-message" data-kind="push">\n${renderPushNotification(content?.display ?? "", content?.reference)}\n</article>`;
  }
  const text = message.body.payload[0]?.contentString ?? "";
  const reply = renderReplyOptions(replyOffered(message));
  return [
    `<article class="nhs-app-message" data-kind="in-app">`,
    renderContentString(text, options),
    ...(reply === "" ? [] : [reply]),
    "</article>",
  ].join("\n");
}

// Blocks: a heading, a list, or a paragraph of lines; a blank line ends any.

type Block =
  | { kind: "heading"; level: 2 | 3; text: string }
  | { kind: "list"; ordered: boolean; start: number; items: string[] }
  | { kind: "paragraph"; lines: string[] };

const HEADING_2 = /^ {0,3}##[ \t]+(.*\S)/;
const HEADING_3 = /^ {0,3}###[ \t]+(.*\S)/;
const BULLET = /^ {0,3}\*[ \t]+(.*\S)/;
const ORDERED = /^ {0,3}(\d{1,9})\.[ \t]+(.*\S)/;

function blocksOf(text: string, on: ReadonlySet<MarkdownFeature>): Block[] {
  const blocks: Block[] = [];
  let paragraph: Extract<Block, { kind: "paragraph" }> | undefined;
  let list: Extract<Block, { kind: "list" }> | undefined;
  for (const line of text.split(/\r\n|\r|\n/)) {
    if (line.trim() === "") {
      paragraph = undefined;
      list = undefined;
      continue;
    }
    const h2 = on.has("heading-2") ? HEADING_2.exec(line) : null;
    const h3 = on.has("heading-3") ? HEADING_3.exec(line) : null;
    const heading = h2 ?? h3;
    if (heading) {
      blocks.push({ kind: "heading", level: h2 ? 2 : 3, text: heading[1] as string });
      paragraph = undefined;
      list = undefined;
      continue;
    }
    const bullet = on.has("bulleted-list") ? BULLET.exec(line) : null;
    const numbered = on.has("ordered-list") ? ORDERED.exec(line) : null;
    if (bullet || numbered) {
      const ordered = numbered !== null;
      if (!list || list.ordered !== ordered) {
        list = { kind: "list", ordered, start: numbered ? Number(numbered[1]) : 1, items: [] };
        blocks.push(list);
      }
      list.items.push((numbered ? numbered[2] : (bullet as RegExpExecArray)[1]) as string);
      paragraph = undefined;
      continue;
    }
    list = undefined;
    if (!paragraph) {
      paragraph = { kind: "paragraph", lines: [] };
      blocks.push(paragraph);
    }
    paragraph.lines.push(line);
  }
  return blocks;
}

function renderBlock(block: Block, on: ReadonlySet<MarkdownFeature>): string {
  switch (block.kind) {
    case "heading":
      return `<h${block.level}>${renderInline(block.text, on, false)}</h${block.level}>`;
    case "list": {
      const tag = block.ordered ? "ol" : "ul";
      const start = block.ordered && block.start !== 1 ? ` start="${block.start}"` : "";
      const items = block.items.map((item) => `<li>${renderInline(item, on, false)}</li>`);
      return `<${tag}${start}>\n${items.join("\n")}\n</${tag}>`;
    }
    case "paragraph": {
      // Leading and trailing spaces go; two or more at the end of a line (not the last) are a line break.
      const last = block.lines.length - 1;
      const text = block.lines
        .map((line, i) => {
          const hard = on.has("line-break") && i < last && / {2,}$/.test(line);
          return line.trim() + (hard ? HARD_BREAK : "");
        })
        .join("\n");
      return `<p>${renderInline(text, on, false)}</p>`;
    }
  }
}

// Inline: bold, links and images; every other character is text.

/** Marks a line break inside a paragraph's text: two spaces, then the newline that follows. */
const HARD_BREAK = "  ";

function renderInline(text: string, on: ReadonlySet<MarkdownFeature>, inLink: boolean): string {
  let out = "";
  let i = 0;
  while (i < text.length) {
    if (on.has("line-break") && text.startsWith(`${HARD_BREAK}\n`, i)) {
      out += "<br>\n";
      i += HARD_BREAK.length + 1;
      continue;
    }
    const image = on.has("image") && text.startsWith("![", i) ? linkAt(text, i + 1, true) : undefined;
    if (image) {
      out += isSafeUrl(image.url, WEB_SCHEMES)
        ? `<img src="${escapeHtml(image.url)}" alt="${escapeHtml(image.label)}"${titleAttribute(image.title)}>`
        : escapeHtml(text.slice(i, image.end));
      i = image.end;
      continue;
    }
    const link = on.has("link") && !inLink && text[i] === "[" ? linkAt(text, i, false) : undefined;
    if (link) {
      out += isSafeUrl(link.url, LINK_SCHEMES)
        ? `<a href="${escapeHtml(link.url)}"${titleAttribute(link.title)} rel="noopener noreferrer">${renderInline(link.label, on, true)}</a>`
        : escapeHtml(text.slice(i, link.end));
      i = link.end;
      continue;
    }
    const boldEnd = on.has("bold") && text.startsWith("**", i) ? closingBold(text, i + 2) : -1;
    if (boldEnd >= 0) {
      out += `<strong>${renderInline(text.slice(i + 2, boldEnd), on, inLink)}</strong>`;
      i = boldEnd + 2;
      continue;
    }
    out += escapeHtml(text[i] as string);
    i += 1;
  }
  return out;
}

const titleAttribute = (title: string | undefined) => (title === undefined ? "" : ` title="${escapeHtml(title)}"`);

/** Where the `**` closing bold text that starts at `from` is: content that neither starts nor ends with a space. */
function closingBold(text: string, from: number): number {
  if (from >= text.length || /\s/.test(text[from] as string)) return -1;
  for (let k = text.indexOf("**", from + 1); k >= 0; k = text.indexOf("**", k + 1)) {
    if (!/\s/.test(text[k - 1] as string)) return k;
  }
  return -1;
}

interface LinkSyntax {
  label: string;
  url: string;
  title?: string;
  /** The index just past the closing `)`. */
  end: number;
}

/**
 * `[label](url)` or `[label](url "title")` (or `'title'`) starting at the
 * `[` at `start`; undefined when the text there is not one. The URL has no
 * spaces; parentheses in it must balance.
 */
function linkAt(text: string, start: number, emptyLabel: boolean): LinkSyntax | undefined {
  let i = start + 1;
  while (i < text.length && text[i] !== "]" && text[i] !== "[") i++;
  if (text[i] !== "]" || text[i + 1] !== "(") return undefined;
  const label = text.slice(start + 1, i);
  if (label === "" && !emptyLabel) return undefined;
  i += 2;
  while (text[i] === " " || text[i] === "\t") i++;
  const urlStart = i;
  let depth = 0;
  for (; i < text.length; i++) {
    const c = text[i] as string;
    if (/\s/.test(c)) break;
    if (c === "(") depth++;
    else if (c === ")") {
      if (depth === 0) break;
      depth--;
    }
  }
  const url = text.slice(urlStart, i);
  if (url === "" || depth !== 0) return undefined;
  let title: string | undefined;
  const afterUrl = i;
  while (text[i] === " " || text[i] === "\t") i++;
  const quote = text[i];
  if (i > afterUrl && (quote === '"' || quote === "'")) {
    const close = text.indexOf(quote, i + 1);
    if (close < 0) return undefined;
    title = text.slice(i + 1, close);
    i = close + 1;
    while (text[i] === " " || text[i] === "\t") i++;
  }
  if (text[i] !== ")") return undefined;
  return { label, url, ...(title === undefined ? {} : { title }), end: i + 1 };
}

/** Whether a URL is absolute, with one of these schemes, and free of control characters. */
function isSafeUrl(url: string, schemes: ReadonlySet<string>): boolean {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point.
  if (/[\u0000-\u001f\u007f\s]/.test(url)) return false;
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1];
  if (scheme === undefined || !schemes.has(`${scheme.toLowerCase()}:`)) return false;
  try {
    return schemes.has(new URL(url).protocol);
  } catch {
    return false;
  }
}
