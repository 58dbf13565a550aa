import { readFileSync } from "node:fs";
import { freeTextReply, inAppMessage, keywordReply, pushNotification } from "@nhs-app-api/client";
import { contentStringMarkdown } from "@nhs-app-api/contract";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import YAML from "yaml";
import { createdMessage } from "../src/created-messages.js";
import {
  escapeHtml,
  FREE_TEXT_PLACEHOLDER,
  MARKDOWN_FEATURES,
  type MarkdownFeature,
  NHS_APP_MARKDOWN,
  renderContentString,
  renderPatientView,
  renderPushNotification,
  renderReplyOptions,
} from "../src/patient-view.js";

const render = (text: string) => renderContentString(text);
const without = (feature: MarkdownFeature) => MARKDOWN_FEATURES.filter((f) => f !== feature);
const specPath = new URL("../../../spec/components/schemas/ContentString.yaml", import.meta.url);

describe("the Markdown subset comes from the spec", () => {
  it("the contract's contentStringMarkdown is ContentString's x-nhs-app-markdown", () => {
    const schema = YAML.parse(readFileSync(specPath, "utf8")) as Record<string, unknown>;
    expect(contentStringMarkdown).toEqual(schema["x-nhs-app-markdown"]);
    expect(NHS_APP_MARKDOWN).toBe(contentStringMarkdown);
  });

  it("renders every feature the spec lists, and knows each one", () => {
    for (const feature of contentStringMarkdown.features) expect(MARKDOWN_FEATURES).toContain(feature);
    expect(contentStringMarkdown.entities).toBe("decoded");
  });

  it("a feature list without bold shows **x** as text, leaving the other features alone", () => {
    const text = "## Title\n\nSee **this** [page](https://example.org)";
    expect(renderContentString(text)).toBe(
      '<h2>Title</h2>\n<p>See <strong>this</strong> <a href="https://example.org" rel="noopener noreferrer">page</a></p>',
    );
    expect(renderContentString(text, { features: without("bold") })).toBe(
      '<h2>Title</h2>\n<p>See **this** <a href="https://example.org" rel="noopener noreferrer">page</a></p>',
    );
  });

  it("an empty feature list shows every construct as text", () => {
    const text = "## H\n* a\n1. b\n**c** [d](https://e.org) ![f](https://g.org/i.png)  \nh";
    expect(renderContentString(text, { features: [] })).toBe(`<p>${escapeHtml(text).replace(/ +\n/g, "\n")}</p>`);
  });

  it("entities: literal shows entities as written, escaped", () => {
    expect(renderContentString("Tea &amp; cake", { entities: "literal" })).toBe("<p>Tea &amp;amp; cake</p>");
  });

  it("refuses a feature it does not know, naming it", () => {
    // @ts-expect-error: not a feature of the renderer
    expect(() => renderContentString("x", { features: ["italic"] })).toThrow(/unknown Markdown feature italic/);
  });
});

describe("each feature renders as the NHS App shows it", () => {
  it("bold", () => {
    expect(render("A **bold** word")).toBe("<p>A <strong>bold</strong> word</p>");
    expect(render("**one** and **two**")).toBe("<p><strong>one</strong> and <strong>two</strong></p>");
  });

  it("heading-2 and heading-3", () => {
    expect(render("## Heading 2")).toBe("<h2>Heading 2</h2>");
    expect(render("### Heading 3")).toBe("<h3>Heading 3</h3>");
    expect(render("## A **bold** heading")).toBe("<h2>A <strong>bold</strong> heading</h2>");
  });

  it("a bulleted list", () => {
    expect(render("* One\n* **Two**")).toBe("<ul>\n<li>One</li>\n<li><strong>Two</strong></li>\n</ul>");
  });

  it("an ordered list, with its start when it is not 1", () => {
    expect(render("1. One\n2. Two")).toBe("<ol>\n<li>One</li>\n<li>Two</li>\n</ol>");
    expect(render("3. Three\n4. Four")).toBe('<ol start="3">\n<li>Three</li>\n<li>Four</li>\n</ol>');
  });

  it("a link, with an optional title", () => {
    expect(render("[Link text](https://example.org)")).toBe(
      '<p><a href="https://example.org" rel="noopener noreferrer">Link text</a></p>',
    );
    expect(render('[Link text](https://example.org "Title")')).toBe(
      '<p><a href="https://example.org" title="Title" rel="noopener noreferrer">Link text</a></p>',
    );
    expect(render("[**Bold** link](https://example.org/a_(b)?x=1&y=2)")).toBe(
      '<p><a href="https://example.org/a_(b)?x=1&amp;y=2" rel="noopener noreferrer"><strong>Bold</strong> link</a></p>',
    );
    expect(render("[Call us](tel:01234567890) or [email](mailto:a@example.org)")).toBe(
      '<p><a href="tel:01234567890" rel="noopener noreferrer">Call us</a> or <a href="mailto:a@example.org" rel="noopener noreferrer">email</a></p>',
    );
  });

  it("an image", () => {
    expect(render("![NHS Logo](https://assets.nhs.uk/images/nhs-logo.png)")).toBe(
      '<p><img src="https://assets.nhs.uk/images/nhs-logo.png" alt="NHS Logo"></p>',
    );
    expect(render("![Logo](https://example.org/l.png 'The logo')")).toBe(
      '<p><img src="https://example.org/l.png" alt="Logo" title="The logo"></p>',
    );
  });

  it("a line break: two or more spaces at the end of a line", () => {
    expect(render("Line one  \nLine two   \nLine three")).toBe("<p>Line one<br>\nLine two<br>\nLine three</p>");
    expect(render("Line one \nLine two")).toBe("<p>Line one\nLine two</p>");
    expect(renderContentString("Line one  \nLine two", { features: without("line-break") })).toBe(
      "<p>Line one\nLine two</p>",
    );
  });

  it("paragraphs for blocks separated by blank lines; headings and lists end a paragraph", () => {
    expect(render("One\n\n \nTwo\nstill two\n## Head\n* item\nThree")).toBe(
      "<p>One</p>\n<p>Two\nstill two</p>\n<h2>Head</h2>\n<ul>\n<li>item</li>\n</ul>\n<p>Three</p>",
    );
    expect(render("* a\n1. b")).toBe("<ul>\n<li>a</li>\n</ul>\n<ol>\n<li>b</li>\n</ol>");
    expect(render("")).toBe("");
  });

  it("the spec's example", () => {
    expect(render("You have a new appointment, please confirm you can attend.")).toBe(
      "<p>You have a new appointment, please confirm you can attend.</p>",
    );
  });
});

describe("everything outside the subset shows as text", () => {
  const asText: [string, string][] = [
    ["italic with asterisks", "*italic*"],
    ["italic with underscores", "_italic_"],
    ["bold with underscores", "__bold__"],
    ["a level-1 heading", "# Heading 1"],
    ["a level-4 heading", "#### Heading 4"],
    ["a heading with no space", "##Heading"],
    ["a dash list", "- item"],
    ["a plus list", "+ item"],
    ["inline code", "`code`"],
    ["a code fence", "```\ncode\n```"],
    ["a table", "| a | b |\n| - | - |\n| 1 | 2 |"],
    ["a quote", "> quoted"],
    ["a reference link", "[text][ref]"],
    ["an autolink", "<https://example.org>"],
    ["a backslash escape", "\\*"],
    ["a relative link", "[page](/appointments)"],
    ["unbalanced bold", "**not closed"],
    ["bold around spaces", "** spaced **"],
    ["strikethrough", "~~gone~~"],
  ];
  for (const [name, text] of asText) {
    it(name, () => expect(render(text)).toBe(`<p>${escapeHtml(text)}</p>`));
  }
});

describe("entities are decoded, then escaped again", () => {
  it("named and numeric entities become characters", () => {
    expect(render("Tea &amp; cake, &pound;5 &#163;5 &#x20AC;5 &copy; a&nbsp;b &apos;q&apos;")).toBe(
      "<p>Tea &amp; cake, £5 £5 €5 © a\u00a0b &#39;q&#39;</p>",
    );
  });

  it("&lt;script&gt; shows the text <script>, never a tag", () => {
    expect(render("&lt;script&gt;alert(1)&lt;/script&gt; &quot;x&quot;")).toBe(
      "<p>&lt;script&gt;alert(1)&lt;/script&gt; &quot;x&quot;</p>",
    );
  });

  it("an entity needs its semicolon; an unknown one stays as written", () => {
    expect(render("&pound5 &bogus; [q](https://example.org/?a=1&copy=2)")).toBe(
      '<p>&amp;pound5 &amp;bogus; <a href="https://example.org/?a=1&amp;copy=2" rel="noopener noreferrer">q</a></p>',
    );
  });

  it("decoding happens before rendering: &amp;amp; is the text &amp;", () => {
    expect(render("&amp;amp;")).toBe("<p>&amp;amp;</p>");
  });
});

describe("the output is safe to put in a page", () => {
  it("a javascript: link is shown as text", () => {
    expect(render("[x](javascript:alert(1))")).toBe("<p>[x](javascript:alert(1))</p>");
    expect(render("[x](JavaScript:alert(1))")).toBe("<p>[x](JavaScript:alert(1))</p>");
    expect(render("[x](javascript&colon;alert(1))")).toBe("<p>[x](javascript:alert(1))</p>");
    expect(render("[x](&#106;avascript:alert(1))")).toBe("<p>[x](javascript:alert(1))</p>");
  });

  it("a javascript: or data: image is shown as text", () => {
    expect(render("![x](javascript:alert(1))")).toBe("<p>![x](javascript:alert(1))</p>");
    expect(render("![x](data:image/svg+xml,abc)")).toBe("<p>![x](data:image/svg+xml,abc)</p>");
    expect(render("![x](mailto:a@example.org)")).toBe("<p>![x](mailto:a@example.org)</p>");
  });

  it("quotes in a title or alt text are escaped", () => {
    expect(render(`[x](https://example.org 'a" onmouseover="alert(1)')`)).toBe(
      '<p><a href="https://example.org" title="a&quot; onmouseover=&quot;alert(1)" rel="noopener noreferrer">x</a></p>',
    );
    expect(render(`![a" onerror="alert(1)](https://example.org/i.png)`)).toBe(
      '<p><img src="https://example.org/i.png" alt="a&quot; onerror=&quot;alert(1)"></p>',
    );
    expect(render(`[x](https://example.org "&quot;onmouseover=alert(1)")`)).toBe(
      "<p>[x](https://example.org &quot;&quot;onmouseover=alert(1)&quot;)</p>",
    );
  });

  it("HTML in the text is shown as text (the API refuses it, the renderer must not trust that)", () => {
    expect(render('<img src=x onerror="alert(1)">')).toBe("<p>&lt;img src=x onerror=&quot;alert(1)&quot;&gt;</p>");
    expect(render("&lt;img src=x onerror=alert(1)&gt;")).toBe("<p>&lt;img src=x onerror=alert(1)&gt;</p>");
    expect(render("**<b>x</b>**")).toBe("<p><strong>&lt;b&gt;x&lt;/b&gt;</strong></p>");
  });

  it("whatever the text, it makes only the subset's tags and attributes, with safe URLs", () => {
    const pieces = fc.constantFrom(
      "**",
      "*",
      "_",
      "#",
      "## ",
      "### ",
      "* ",
      "1. ",
      "[",
      "]",
      "(",
      ")",
      "![",
      '"',
      "'",
      "  \n",
      "\n",
      "\n\n",
      " ",
      "x",
      "<",
      ">",
      "&",
      "&lt;",
      "&quot;",
      "&#34;",
      "https://e.org",
      "javascript:alert(1)",
      "data:x",
      "onerror=",
    );
    const tag = /<(\/?)([a-z0-9]+)((?:\s[a-z]+="[^"<>]*")*)>/g;
    const allowed = new Set(["p", "h2", "h3", "strong", "ul", "ol", "li", "a", "img", "br"]);
    fc.assert(
      fc.property(fc.array(pieces, { maxLength: 40 }), (parts) => {
        const html = render(parts.join(""));
        // Every `<` of the output opens one of the subset's tags: text never holds a raw `<` or `>`.
        const stripped = html.replace(tag, (_whole, _close: string, name: string, attributes: string) => {
          expect(allowed).toContain(name);
          for (const [, attribute, value] of attributes.matchAll(/\s([a-z]+)="([^"]*)"/g)) {
            expect(["href", "src", "alt", "title", "rel", "start"]).toContain(attribute);
            if (attribute === "href") expect(value).toMatch(/^(https?|mailto|tel):/);
            if (attribute === "src") expect(value).toMatch(/^https?:/);
          }
          return "";
        });
        expect(stripped).not.toMatch(/[<>"']/);
      }),
      { numRuns: 500 },
    );
  });
});

describe("a push notification as a lock-screen line", () => {
  it("the app's name, the text and the URL it opens", () => {
    expect(
      renderPushNotification(
        "You have a new message.",
        "https://www.nhsapp.service.nhs.uk/patient/messages/app-messaging",
      ),
    ).toBe(
      '<p class="nhs-app-push"><strong class="nhs-app-push-app">NHS App</strong> <span class="nhs-app-push-text">You have a new message.</span> <a class="nhs-app-push-url" href="https://www.nhsapp.service.nhs.uk/patient/messages/app-messaging" rel="noopener noreferrer">https://www.nhsapp.service.nhs.uk/patient/messages/app-messaging</a></p>',
    );
  });

  it("the text as written: no Markdown, no entity decoding, escaped", () => {
    expect(renderPushNotification('**Hi** &amp; <b>"you"</b>')).toBe(
      '<p class="nhs-app-push"><strong class="nhs-app-push-app">NHS App</strong> <span class="nhs-app-push-text">**Hi** &amp;amp; &lt;b&gt;&quot;you&quot;&lt;/b&gt;</span></p>',
    );
  });

  it("a URL that is not http(s) is shown as text", () => {
    expect(renderPushNotification("Hi", "javascript:alert(1)")).toContain(
      '<span class="nhs-app-push-url">javascript:alert(1)</span>',
    );
  });
});

describe("the reply a message offers", () => {
  it("keywords as button-like list items", () => {
    expect(renderReplyOptions({ kind: "keyword", codes: ["YES", "NO", '<"x">'] })).toBe(
      [
        '<ul class="nhs-app-reply-keywords">',
        '<li class="nhs-app-reply-keyword" data-keyword="YES">YES</li>',
        '<li class="nhs-app-reply-keyword" data-keyword="NO">NO</li>',
        '<li class="nhs-app-reply-keyword" data-keyword="&lt;&quot;x&quot;&gt;">&lt;&quot;x&quot;&gt;</li>',
        "</ul>",
      ].join("\n"),
    );
  });

  it("free text as a text box", () => {
    expect(renderReplyOptions({ kind: "text" })).toBe(
      `<textarea class="nhs-app-reply-text" placeholder="${FREE_TEXT_PLACEHOLDER}" aria-label="Your reply" disabled></textarea>`,
    );
  });

  it("nothing when none is offered", () => {
    expect(renderReplyOptions(undefined)).toBe("");
  });
});

describe("a message the gateway accepted, as the patient sees it", () => {
  const at = new Date("2026-05-04T10:00:00.000Z");
  const base = { nhsNumber: "9434765919", odsCode: "B82041" };

  it("an in-app message with keywords: its text, then its keywords", () => {
    const body = inAppMessage({ ...base, text: "## Flu jab\nCan you come?", reply: keywordReply(["YES", "NO"]) });
    expect(renderPatientView(createdMessage("create-in-app", body, "id-1", at))).toBe(
      [
        '<article class="nhs-app-message" data-kind="in-app">',
        "<h2>Flu jab</h2>",
        "<p>Can you come?</p>",
        '<ul class="nhs-app-reply-keywords">',
        '<li class="nhs-app-reply-keyword" data-keyword="YES">YES</li>',
        '<li class="nhs-app-reply-keyword" data-keyword="NO">NO</li>',
        "</ul>",
        "</article>",
      ].join("\n"),
    );
  });

  it("an in-app message with a free-text reply, and one with none", () => {
    const free = inAppMessage({ ...base, text: "Tell us", reply: freeTextReply() });
    expect(renderPatientView(createdMessage("create-in-app", free, "id-2", at))).toContain("<p>Tell us</p>\n<textarea");
    const plain = inAppMessage({ ...base, text: "Hello" });
    expect(renderPatientView(createdMessage("create-in-app", plain, "id-3", at))).toBe(
      '<article class="nhs-app-message" data-kind="in-app">\n<p>Hello</p>\n</article>',
    );
  });

  it("a push notification: its lock-screen line", () => {
    const body = pushNotification({
      nhsNumber: base.nhsNumber,
      text: "New message",
      url: "https://www.nhsapp.service.nhs.uk/",
    });
    expect(renderPatientView(createdMessage("create-notification", body, "id-4", at))).toBe(
      `<article class="nhs-app-message" data-kind="push">\n${renderPushNotification("New message", "https://www.nhsapp.service.nhs.uk/")}\n</article>`,
    );
  });
});
