// The inspector page as text: hand-built views of the workbench in, HTML out.
// What a browser makes of it is in inspector-browser.test.ts.
import { freeTextReply, inAppMessage, keywordReply, pushNotification } from "@nhs-app-api/client";
import { enums, QUIET_HOURS_RULE, RECEIPT_REPORT_RULE } from "@nhs-app-api/contract";
import { describe, expect, it } from "vitest";
import { FAULT_OPERATIONS, FAULT_STATUSES } from "../src/faults.js";
import { renderInspectorPage } from "../src/inspector-page.js";
import { escapeHtml, renderPushNotification } from "../src/patient-view.js";
import type { CallbackView, MessageView, WorkbenchView } from "../src/workbench-views.js";

const HOSTILE = `<script>alert("x")</script>`;
const ATTRIBUTE_BREAK = `"><img src=x onerror=alert(1)>`;

const clock: WorkbenchView["clock"] = {
  now: "2026-12-05T14:00:00.000Z",
  speed: 1,
  adjustable: true,
  receiptReports: { completeBefore: "2026-12-05", rule: RECEIPT_REPORT_RULE },
  pushQuietHours: { now: false, rule: QUIET_HOURS_RULE },
};

const callback = (over: Partial<CallbackView> & Pick<CallbackView, "id">): CallbackView => ({
  kind: "receipt",
  receipt: "Delivered",
  communicationId: "11111111-1111-4111-8111-111111111111",
  url: "http://127.0.0.1:9000/receipts",
  state: "delivered",
  attempts: [{ at: "2026-12-05T13:00:00.000Z", status: 202 }],
  body: { resourceType: "Communication" },
  ...over,
});

/** An in-app message with keywords, every receipt state, a reply planned and callbacks with retries and a replay. */
const inApp: MessageView = {
  communicationId: "11111111-1111-4111-8111-111111111111",
  kind: "in-app",
  nhsNumber: "9434765919",
  odsCode: "B82041",
  requestReference: "ref-1",
  campaignId: "flu-2026",
  onBehalfOf: "Y12345",
  receivedAt: "2026-12-05T13:00:00.000Z",
  body: inAppMessage({
    nhsNumber: "9434765919",
    odsCode: "B82041",
    text: "## Your appointment\n\nIs on **Monday**. [Details](https://www.nhs.uk/appointments)",
    reply: keywordReply(["YES", "NO"]),
  }),
  replyOffer: { kind: "keyword", codes: ["YES", "NO"] },
  receipts: [
    { kind: "Delivered", status: "completed", at: "2026-12-05T13:00:00.000Z", happened: true, source: "plan" },
    {
      kind: "NotificationAttempted",
      status: "completed",
      at: "2026-12-05T13:30:00.000Z",
      happened: true,
      source: "control",
    },
    { kind: "Notified", status: "completed", at: "2026-12-05T15:00:00.000Z", happened: false, source: "plan" },
    { kind: "Read", status: "completed", at: "2026-12-05T16:00:00.000Z", happened: false, source: "plan" },
  ],
  reply: {
    answer: { kind: "keyword", code: "YES" },
    at: "2026-12-05T16:05:00.000Z",
    happened: false,
    source: "plan",
  },
  callbacks: [
    callback({
      id: "cb-1",
      attempts: [
        { at: "2026-12-05T13:00:00.000Z", status: 500, reason: "answered 500, not 202" },
        { at: "2026-12-05T13:00:00.250Z", status: 500, reason: "answered 500, not 202" },
        { at: "2026-12-05T13:00:00.750Z", status: 202 },
      ],
    }),
    callback({ id: "cb-2", receipt: "NotificationAttempted", attempts: [{ at: "2026-12-05T13:30:00.000Z" }] }),
    callback({ id: "cb-3", replayOf: "cb-1", attempts: [{ at: "2026-12-05T13:40:00.000Z", status: 202 }] }),
  ],
};

/** A push notification held for the quiet hours. */
const push: MessageView = {
  communicationId: "22222222-2222-4222-8222-222222222222",
  kind: "push",
  nhsNumber: "9999999042",
  receivedAt: "2026-12-05T22:30:00.000Z",
  body: pushNotification({
    nhsNumber: "9999999042",
    text: "You have a new message",
    url: "https://www.nhsapp.service.nhs.uk/messages",
  }),
  receipts: [
    { kind: "Delivered", status: "completed", at: "2026-12-05T22:30:00.000Z", happened: true, source: "plan" },
    {
      kind: "NotificationAttempted",
      status: "completed",
      at: "2026-12-06T06:00:00.000Z",
      happened: false,
      source: "plan",
    },
  ],
  pushHold: { requestedAt: "2026-12-05T22:30:00.000Z", until: "2026-12-06T06:00:00.000Z", rule: QUIET_HOURS_RULE },
  callbacks: [],
  testPatient: "never-reads",
};

/** Rejected by control, with a hostile reason, and identifiers made to break out of the page. */
const hostile: MessageView = {
  communicationId: `33333333-${HOSTILE}`,
  kind: "in-app",
  nhsNumber: "9999999018",
  odsCode: ATTRIBUTE_BREAK,
  requestReference: HOSTILE,
  campaignId: ATTRIBUTE_BREAK,
  onBehalfOf: "</dd></dl><h1>owned</h1>",
  receivedAt: "2026-12-05T12:00:00.000Z",
  body: inAppMessage({
    nhsNumber: "9999999018",
    odsCode: "B82041",
    text: `Hello ${HOSTILE} &lt;b&gt;bold?&lt;/b&gt; [x](javascript:alert(1))`,
    reply: freeTextReply(),
  }),
  replyOffer: { kind: "text" },
  receipts: [
    {
      kind: "Rejected",
      status: "rejected",
      reason: `Patient ${HOSTILE} not found`,
      at: "2026-12-05T12:01:00.000Z",
      happened: true,
      source: "control",
    },
  ],
  callbacks: [
    callback({
      id: `cb-${ATTRIBUTE_BREAK}`,
      communicationId: `33333333-${HOSTILE}`,
      receipt: "Rejected",
      url: `http://127.0.0.1:9000/${HOSTILE}`,
      state: "undelivered",
      reason: HOSTILE,
      attempts: [{ at: "2026-12-05T12:01:00.000Z", reason: HOSTILE }],
      body: { note: HOSTILE },
    }),
  ],
  testPatient: "rejected",
};

const view = (over: Partial<WorkbenchView> = {}): WorkbenchView => ({
  clock,
  messages: [push, inApp, hostile],
  totalMessages: 7,
  faults: [
    {
      id: "fault-1",
      operation: "create-in-app",
      remaining: 2,
      answer: { kind: "status", status: 429, retryAfterSeconds: 30 },
      processed: false,
    },
    { id: "fault-2", operation: "token", remaining: 1, answer: { kind: "drop" }, processed: true },
    { id: "fault-3", operation: "get-ping", remaining: 3, answer: { kind: "slow", delayMs: 5000 }, processed: false },
  ],
  testPatients: [
    { nhsNumber: "9999999018", name: "rejected", outcome: "Rejected at once" },
    { nhsNumber: "9999999042", name: "never-reads", outcome: "Delivered, NotificationAttempted, Notified; never read" },
  ],
  callbackUrl: "http://127.0.0.1:9000",
  baseUrl: "http://127.0.0.1:4010",
  ...over,
});

interface Form {
  action: string;
  /** The form's own HTML, tags included. */
  html: string;
  /** The names of its fields (inputs, selects, textareas, named buttons), in order, once each. */
  fields: string[];
}

function formsOf(html: string): Form[] {
  return [...html.matchAll(/<form method="post" action="([^"]*)"[^>]*>([\s\S]*?)<\/form>/g)].map((match) => ({
    action: match[1] as string,
    html: match[0],
    fields: [
      ...new Set(
        [...(match[2] as string).matchAll(/<(?:input|select|textarea|button)\b[^>]*\bname="([^"]*)"/g)].map(
          (m) => m[1] as string,
        ),
      ),
    ],
  }));
}

/** A message's article, by its communication ID as the page writes it (escaped). */
function articleOf(html: string, communicationId: string): string {
  const start = html.indexOf(`<article class="message" id="message-${escapeHtml(communicationId)}"`);
  expect(start, `article of ${communicationId}`).toBeGreaterThanOrEqual(0);
  return html.slice(start, html.indexOf("</article>", start) + "</article>".length);
}

/** The `<li>` that starts with these attributes, up to its first nested list (enough for its own text). */
const eventOf = (html: string, attributes: string) => {
  const start = html.indexOf(attributes);
  expect(start, attributes).toBeGreaterThanOrEqual(0);
  return html.slice(html.lastIndexOf("<li", start), html.indexOf("</li>", start));
};

const options = (select: string) => [...select.matchAll(/<option value="([^"]*)"/g)].map((m) => m[1]);
const selectNamed = (html: string, name: string) =>
  html.match(new RegExp(`<select[^>]*name="${name}"[^>]*>[\\s\\S]*?</select>`))?.[0] ?? "";

describe("the inspector page", () => {
  it("is one complete HTML5 document, titled, for phones too", () => {
    const html = renderInspectorPage(view());
    expect(html.startsWith("<!doctype html>")).toBe(true);
    expect(html).toContain('<html lang="en">');
    expect(html).toContain('<meta charset="utf-8">');
    expect(html).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
    expect(html).toContain("<title>NHS App API sandbox</title>");
    expect(html).toContain("<h1>NHS App API sandbox</h1>");
    expect(html.trimEnd().endsWith("</html>")).toBe(true);
    expect(html).toContain('<a class="refresh" href="/_sandbox/">Refresh</a>');
  });

  it("escapes everything from the view: identifiers, text, reasons, URLs, callback IDs, notice and error", () => {
    const html = renderInspectorPage(view(), { notice: HOSTILE, error: ATTRIBUTE_BREAK });
    // The page has no script of its own, so any <script> would be injected.
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toContain("<img src=x");
    expect(html).not.toContain("<h1>owned</h1>");
    expect(html).not.toMatch(/href="javascript:/i);
    const article = articleOf(html, hostile.communicationId);
    expect(article).toContain(`data-communication-id="${escapeHtml(hostile.communicationId)}"`);
    expect(article).toContain(`<dd data-field="requestReference"><code>${escapeHtml(HOSTILE)}</code></dd>`);
    expect(article).toContain(`<dd data-field="campaignId"><code>${escapeHtml(ATTRIBUTE_BREAK)}</code></dd>`);
    expect(article).toContain(`Reason: Patient ${escapeHtml(HOSTILE)} not found`);
    // The patient's view: entities decoded then escaped, so the patient sees the text <b>, not bold.
    expect(article).toContain("Hello &lt;script&gt;");
    expect(article).toContain("&lt;b&gt;bold?&lt;/b&gt;");
    expect(article).toContain(`data-callback-id="${escapeHtml(`cb-${ATTRIBUTE_BREAK}`)}"`);
    expect(article).toContain(`<code>${escapeHtml(`http://127.0.0.1:9000/${HOSTILE}`)}</code>`);
    expect(article).toContain(escapeHtml(JSON.stringify({ note: HOSTILE }, null, 2)));
    // Route parts are URL-encoded, then escaped for the attribute.
    const actions = formsOf(article).map((form) => form.action);
    expect(actions).toContain(`/_sandbox/messages/${encodeURIComponent(hostile.communicationId)}/receipts`);
    expect(actions).toContain(`/_sandbox/callbacks/${escapeHtml(encodeURIComponent(`cb-${ATTRIBUTE_BREAK}`))}/replay`);
    expect(html).toContain(`role="status" id="notice">${escapeHtml(HOSTILE)}</div>`);
    expect(html).toContain(`${escapeHtml(ATTRIBUTE_BREAK)}</div>`);
  });

  it("shows the notice and the error at the top, before the clock", () => {
    const html = renderInspectorPage(view(), { notice: "Done.", error: "receipt must be one of ..." });
    const clockAt = html.indexOf('<section id="clock"');
    expect(html.indexOf('role="alert"')).toBeGreaterThan(0);
    expect(html.indexOf('role="alert"')).toBeLessThan(clockAt);
    expect(html.indexOf('role="status" id="notice">Done.')).toBeLessThan(clockAt);
    expect(renderInspectorPage(view())).not.toMatch(/role="(alert|status)"/);
  });

  it("keeps the messages newest first, as given, and says how many of how many", () => {
    const html = renderInspectorPage(view());
    const ids = [...html.matchAll(/<article class="message" id="message-[^"]*" data-communication-id="([^"]*)"/g)].map(
      (m) => m[1],
    );
    expect(ids).toEqual(view().messages.map((message) => escapeHtml(message.communicationId)));
    expect(html).toContain('data-shown="3" data-total="7">Showing 3 of 7 messages, newest first.');
    const empty = renderInspectorPage(view({ messages: [], totalMessages: 0 }));
    expect(empty).toContain("No messages yet: send one to <code>http://127.0.0.1:4010</code>.");
    expect(empty).not.toContain("<article");
  });

  it("shows each message's kind and identifiers", () => {
    const article = articleOf(renderInspectorPage(view()), inApp.communicationId);
    expect(article).toContain('data-kind="in-app"');
    expect(article).toContain("In-app message</span> to 9434765919");
    for (const [field, value] of [
      ["communicationId", inApp.communicationId],
      ["requestReference", "ref-1"],
      ["campaignId", "flu-2026"],
      ["onBehalfOf", "Y12345"],
      ["odsCode", "B82041"],
      ["nhsNumber", "9434765919"],
    ]) {
      expect(article).toContain(`<dd data-field="${field}"><code>${value}</code></dd>`);
    }
    expect(article).not.toContain('data-field="testPatient"');
    expect(article).toContain('Received <time datetime="2026-12-05T13:00:00.000Z">2026-12-05 13:00:00 UTC</time>');
    const pushArticle = articleOf(renderInspectorPage(view()), push.communicationId);
    expect(pushArticle).toContain("Push notification</span> to 9999999042");
    expect(pushArticle).toContain('data-test-patient="never-reads"');
    expect(pushArticle).toContain('<dd data-field="testPatient"><code>never-reads</code></dd>');
  });

  it("shows the patient's view: the in-app text rendered with its reply choices, the push as a lock-screen line", () => {
    const html = renderInspectorPage(view());
    const article = articleOf(html, inApp.communicationId);
    expect(article).toContain('data-patient-view="in-app"');
    expect(article).toContain("<h2>Your appointment</h2>");
    expect(article).toContain("<strong>Monday</strong>");
    expect(article).toContain('<a href="https://www.nhs.uk/appointments" rel="noopener noreferrer">Details</a>');
    expect(article).toContain('<li class="nhs-app-reply-keyword" data-keyword="YES">YES</li>');
    expect(articleOf(html, hostile.communicationId)).toContain('class="nhs-app-reply-text"');
    const pushArticle = articleOf(html, push.communicationId);
    expect(pushArticle).toContain('data-patient-view="push"');
    expect(pushArticle).toContain(
      renderPushNotification("You have a new message", "https://www.nhsapp.service.nhs.uk/messages"),
    );
  });

  it("lays out the delivery timeline in time order: accepted, receipts happened and due, the reply, the callbacks under theirs", () => {
    const article = articleOf(renderInspectorPage(view()), inApp.communicationId);
    const order = [...article.matchAll(/data-event="([^"]*)"(?: data-receipt="([^"]*)")?/g)].map((m) => m[2] ?? m[1]);
    expect(order).toEqual(["accepted", "Delivered", "NotificationAttempted", "Notified", "Read", "reply"]);
    expect(eventOf(article, 'data-event="accepted"')).toContain("Accepted");
    const delivered = eventOf(article, 'data-receipt="Delivered"');
    expect(delivered).toContain('data-happened="true"');
    expect(delivered).toContain('data-source="plan"');
    expect(delivered).not.toContain("made now");
    const attempted = eventOf(article, 'data-receipt="NotificationAttempted"');
    expect(attempted).toContain('data-source="control"');
    expect(attempted).toContain("made now");
    const notified = eventOf(article, 'data-receipt="Notified"');
    expect(notified).toContain('data-happened="false"');
    expect(notified).toContain('due at <time datetime="2026-12-05T15:00:00.000Z">');
    const reply = eventOf(article, 'data-event="reply"');
    expect(reply).toContain('<q class="answer">YES</q>');
    expect(reply).toContain("due at");
  });

  it("shows each callback under its receipt: URL, state, every try with its status or reason, the count, replays", () => {
    const article = articleOf(renderInspectorPage(view()), inApp.communicationId);
    const delivered = article.slice(
      article.indexOf('data-receipt="Delivered"'),
      article.indexOf('data-receipt="NotificationAttempted"'),
    );
    expect(delivered).toContain('data-callback-id="cb-1"');
    expect(delivered).toContain('data-callback-id="cb-3"');
    const cb1 = delivered.slice(
      delivered.indexOf('data-callback-id="cb-1"'),
      delivered.indexOf('data-callback-id="cb-3"'),
    );
    expect(cb1).toContain('data-state="delivered"');
    expect(cb1).toContain('data-attempts="3"');
    expect(cb1).toContain("3 tries");
    expect(cb1).toContain("<code>http://127.0.0.1:9000/receipts</code>");
    expect([...cb1.matchAll(/class="attempt" data-status="(\d+)"/g)].map((m) => m[1])).toEqual(["500", "500", "202"]);
    expect(cb1).toContain(
      '<time datetime="2026-12-05T13:00:00.250Z">2026-12-05 13:00:00.250 UTC</time>: <strong>500</strong>',
    );
    expect(cb1).toContain("answered 500, not 202");
    expect(delivered).toContain('data-replay-of="cb-1"');
    expect(delivered).toContain("replay of cb-1");
    const cb2 = eventOf(article, 'data-callback-id="cb-2"');
    expect(cb2).toContain('data-attempts="1"');
    expect(cb2).toContain("1 try");
    const none = articleOf(renderInspectorPage(view()), hostile.communicationId);
    expect(none).toContain('<span class="no-answer">no answer</span>');
    expect(none).toContain(`Given up: ${escapeHtml(HOSTILE)}`);
    expect(none).toContain('data-state="undelivered"');
  });

  it("shows a Rejected receipt with its reason, and a push held for the quiet hours until 06:00", () => {
    const html = renderInspectorPage(view());
    const rejected = eventOf(articleOf(html, hostile.communicationId), 'data-receipt="Rejected"');
    expect(rejected).toContain('data-status="rejected"');
    expect(rejected).toContain("made now");
    const pushArticle = articleOf(html, push.communicationId);
    const order = [...pushArticle.matchAll(/data-event="([^"]*)"(?: data-receipt="([^"]*)")?/g)].map(
      (m) => m[2] ?? m[1],
    );
    expect(order).toEqual(["accepted", "Delivered", "push-hold", "NotificationAttempted"]);
    const hold = eventOf(pushArticle, 'data-event="push-hold"');
    expect(hold).toContain("Push held for quiet hours");
    expect(hold).toContain("sent at 06:00 Europe/London time");
    expect(hold).toContain(escapeHtml(QUIET_HOURS_RULE));
  });

  it("offers each message's controls: next receipt, a chosen receipt (the contract's codes) with a reason, a reply, a replay", () => {
    const html = renderInspectorPage(view());
    const forms = formsOf(articleOf(html, inApp.communicationId));
    const base = `/_sandbox/messages/${inApp.communicationId}`;
    const next = forms.find((form) => form.html.includes("Deliver next receipt"));
    expect(next).toMatchObject({ action: `${base}/receipts`, fields: [] });
    const deliver = forms.find((form) => form.html.includes('data-form="deliver"'));
    expect(deliver).toMatchObject({ action: `${base}/receipts`, fields: ["receipt", "reason"] });
    expect(options(selectNamed(deliver?.html ?? "", "receipt"))).toEqual([...enums.receiptCodes]);
    const reply = forms.find((form) => form.action === `${base}/reply`);
    expect(reply?.fields).toEqual(["keyword"]);
    expect(
      [...(reply?.html ?? "").matchAll(/<button type="submit" name="keyword" value="([^"]*)"/g)].map((m) => m[1]),
    ).toEqual(["YES", "NO"]);
    expect(
      forms.filter((form) => /\/_sandbox\/callbacks\/cb-\d\/replay/.test(form.action)).map((form) => form.fields),
    ).toEqual([[], [], []]);

    // Free text: a text box; every receipt happened: no "next"; no offer or a reply made: no reply form.
    const text = formsOf(articleOf(html, hostile.communicationId));
    expect(text.find((form) => form.action.endsWith("/reply"))?.fields).toEqual(["text"]);
    expect(text.some((form) => form.html.includes("Deliver next receipt"))).toBe(false);
    expect(formsOf(articleOf(html, push.communicationId)).some((form) => form.action.endsWith("/reply"))).toBe(false);
    const replied = { ...inApp, reply: { ...(inApp.reply as NonNullable<MessageView["reply"]>), happened: true } };
    const after = formsOf(articleOf(renderInspectorPage(view({ messages: [replied] })), inApp.communicationId));
    expect(after.some((form) => form.action.endsWith("/reply"))).toBe(false);
  });

  it("lists the faults and offers one form per kind of answer, so the route gets exactly one of status, drop and slowMs", () => {
    const html = renderInspectorPage(view());
    const section = html.slice(
      html.indexOf('<section id="faults"'),
      html.indexOf("</section>", html.indexOf('<section id="faults"')),
    );
    expect(section).toContain('<table data-faults="3">');
    expect(section).toMatch(
      /data-fault-id="fault-1"[^>]*>.*create-in-app.*<td>2<\/td><td>429, Retry-After 30 s<\/td><td>no<\/td>/,
    );
    expect(section).toMatch(/data-fault-id="fault-2".*token.*connection dropped.*<td>yes<\/td>/);
    expect(section).toMatch(/data-fault-id="fault-3".*get-ping.*slow: 5000 ms late/);
    const forms = formsOf(section);
    expect(forms.every((form) => form.action === "/_sandbox/faults")).toBe(true);
    const clear = forms.find((form) => form.fields.includes("clear"));
    expect(clear?.fields).toEqual(["clear"]);
    expect(clear?.html).toContain('<input type="hidden" name="clear" value="true">');
    const added = forms.filter((form) => form.fields.includes("operation"));
    expect(added.map((form) => form.fields)).toEqual([
      ["operation", "count", "status", "retryAfter", "processed"],
      ["operation", "count", "drop", "processed"],
      ["operation", "count", "slowMs"],
    ]);
    for (const form of added) {
      expect(options(selectNamed(form.html, "operation"))).toEqual([...FAULT_OPERATIONS]);
      expect(FAULT_OPERATIONS).toEqual(
        expect.arrayContaining([
          "create-in-app",
          "create-notification",
          "get-receipt-report",
          "get-patient-report",
          "get-ping",
          "get-status",
          "token",
        ]),
      );
    }
    expect(options(selectNamed(added[0]?.html ?? "", "status"))).toEqual(FAULT_STATUSES.map(String));
    expect(added[0]?.html).toContain('name="processed" type="checkbox" value="true"');
    expect(added[1]?.html).toContain('<input type="hidden" name="drop" value="true">');

    const none = renderInspectorPage(view({ faults: [] }));
    expect(none).toContain("No faults waiting");
    expect(formsOf(none).some((form) => form.fields.includes("clear"))).toBe(false);
  });

  it("shows the clock and offers to move it: +1 min, +1 h, +1 d, by a duration, to a time, at a speed", () => {
    const html = renderInspectorPage(view());
    const section = html.slice(
      html.indexOf('<section id="clock"'),
      html.indexOf("</section>", html.indexOf('<section id="clock"')),
    );
    expect(section).toContain(
      '<dd data-clock-now><time datetime="2026-12-05T14:00:00.000Z">2026-12-05 14:00:00 UTC</time></dd>',
    );
    expect(section).toContain("1× (real time)");
    expect(section).toContain(`data-quiet-hours="false"><strong>Off now</strong>: ${escapeHtml(QUIET_HOURS_RULE)}`);
    expect(section).toContain(
      `Complete for the days before <strong>2026-12-05</strong>: ${escapeHtml(RECEIPT_REPORT_RULE)}`,
    );
    const forms = formsOf(section);
    expect(forms.every((form) => form.action === "/_sandbox/clock")).toBe(true);
    expect(forms.map((form) => form.fields)).toEqual([["advance"], ["advance"], ["to"], ["speed"]]);
    expect([...(forms[0]?.html ?? "").matchAll(/name="advance" value="([^"]*)"/g)].map((m) => m[1])).toEqual([
      "1m",
      "1h",
      "1d",
    ]);
    const quiet = renderInspectorPage(
      view({ clock: { ...clock, speed: 60, pushQuietHours: { now: true, rule: QUIET_HOURS_RULE } } }),
    );
    expect(quiet).toContain("<strong>On now</strong>");
    expect(quiet).toContain("60×");
  });

  it("hides the clock's controls when the clock is a test's own", () => {
    const html = renderInspectorPage(view({ clock: { ...clock, adjustable: false } }));
    expect(formsOf(html).some((form) => form.action === "/_sandbox/clock")).toBe(false);
    expect(html).toContain("data-clock-fixed");
    expect(html).toContain("data-clock-now");
  });

  it("lists the test patients, and offers a reset", () => {
    const html = renderInspectorPage(view());
    expect(html).toContain("Send to these NHS numbers and no flags are needed");
    expect(html).toContain(
      '<tr data-nhs-number="9999999018"><td><code>9999999018</code></td><td>rejected</td><td>Rejected at once</td></tr>',
    );
    expect(formsOf(html).filter((form) => form.action === "/_sandbox/reset")).toEqual([
      expect.objectContaining({ fields: [] }),
    ]);
    expect(html).toContain("<code data-callback-url>http://127.0.0.1:9000</code>");
    const { callbackUrl: _, ...withoutCallbacks } = view();
    expect(renderInspectorPage(withoutCallbacks)).toContain("No callback URL");
  });

  it("labels every form control, and every form posts to a control route", () => {
    const html = renderInspectorPage(view());
    const controls = [...html.matchAll(/<(input|select|textarea)\b([^>]*)>/g)].filter(
      (m) => !(m[2] as string).includes('type="hidden"'),
    );
    expect(controls.length).toBeGreaterThan(10);
    for (const control of controls) {
      // The patient's view draws its (disabled) reply box with an aria-label.
      if (/\baria-label="[^"]+"/.test(control[2] as string)) continue;
      const id = /\bid="([^"]*)"/.exec(control[2] as string)?.[1];
      expect(id, control[0]).toBeDefined();
      expect(html, control[0]).toContain(`<label for="${id}"`);
    }
    const ids = [...html.matchAll(/\bid="([^"]*)"/g)].map((m) => m[1]);
    expect(new Set(ids).size).toBe(ids.length);
    for (const button of html.matchAll(/<button\b[^>]*>([\s\S]*?)<\/button>/g))
      expect((button[1] as string).trim()).not.toBe("");
    for (const form of formsOf(html)) expect(form.action).toMatch(/^\/_sandbox\//);
    expect(
      [...html.matchAll(/<form\b[^>]*>/g)].every((m) => m[0].startsWith('<form method="post" action="/_sandbox/')),
    ).toBe(true);
  });

  it("loads nothing from elsewhere: no external script, style, image, font or link except the messages' own links", () => {
    const html = renderInspectorPage(view());
    expect(html).not.toMatch(/<link\b|<script\b|<iframe\b|@import|url\(/i);
    const urls = [...html.matchAll(/\b(?:src|href|action)="([^"]*)"/g)].map((m) => m[1] as string);
    const external = urls.filter((url) => /^[a-z][a-z0-9+.-]*:/i.test(url) || url.startsWith("//"));
    expect(external.sort()).toEqual(["https://www.nhs.uk/appointments", "https://www.nhsapp.service.nhs.uk/messages"]);
    expect(html).toContain('http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;');
  });
});
