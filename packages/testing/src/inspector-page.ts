// The sandbox's inspector page (GET /_sandbox/): one server-rendered HTML
// page of what the workbench shows (workbench-views.ts), with plain HTML
// forms that post to the control API (CONTROL-API.md). Self-contained: inline
// CSS, no script, no external resource, so it works offline and shows the
// same with scripts off. Everything taken from the view is escaped: a
// message's text and identifiers are whatever a sender sent.
//
// Lists the page offers (receipt codes, fault operations and statuses) come
// from the contract and faults.ts, and the patient's view from
// patient-view.ts, so nothing here is a second copy of a rule.

import { enums, pushQuietHours } from "@nhs-app-api/contract";
import type { InAppCommunicationRequest, PushNotificationRequest } from "@nhs-app-api/types";
import { FAULT_OPERATIONS, FAULT_STATUSES, MAX_FAULT_COUNT, MAX_SLOW_MS } from "./faults.js";
import { escapeHtml, renderContentString, renderPushNotification, renderReplyOptions } from "./patient-view.js";
import type {
  CallbackView,
  ClockView,
  FaultView,
  MessageView,
  ReceiptView,
  TestPatientView,
  WorkbenchView,
} from "./workbench-views.js";

/** What the page says at its top after a form: what was done, or why it was refused. */
export interface InspectorPageOptions {
  notice?: string;
  error?: string;
}

/** Where the control routes are; the page itself is at `${CONTROL}/`. */
const CONTROL = "/_sandbox";

const e = escapeHtml;

/** A control route's path with its ID part encoded, ready for an attribute. */
const route = (...parts: string[]) => e(`${CONTROL}/${parts.map((part) => encodeURIComponent(part)).join("/")}`);

// The page's own policy too, so that it loads nothing from elsewhere whoever serves it (a message's image included).
const CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; base-uri 'none'";

/** The complete inspector page for a view of the workbench. */
export function renderInspectorPage(view: WorkbenchView, options: InspectorPageOptions = {}): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${e(CSP)}">
<meta name="referrer" content="no-referrer">
<title>NHS App API sandbox</title>
<style>${STYLE}</style>
</head>
<body>
<header class="banner">
<div class="wrap">
<h1>NHS App API sandbox</h1>
<nav aria-label="Sections">
<a href="#clock">Clock</a>
<a href="#messages">Messages</a>
<a href="#faults">Faults</a>
<a href="#test-patients">Test patients</a>
<a href="#connect">Connect</a>
<a class="refresh" href="${CONTROL}/">Refresh</a>
</nav>
</div>
</header>
<main class="wrap">
${messagesOf(options)}
${clockSection(view.clock)}
${messagesSection(view)}
${faultsSection(view.faults)}
${testPatientsSection(view.testPatients)}
${connectSection(view)}
</main>
</body>
</html>
`;
}

function messagesOf(options: InspectorPageOptions): string {
  const parts: string[] = [];
  if (options.error !== undefined && options.error !== "") {
    parts.push(
      `<div class="alert alert-error" role="alert" id="error"><strong>Refused:</strong> ${e(options.error)}</div>`,
    );
  }
  if (options.notice !== undefined && options.notice !== "") {
    parts.push(`<div class="alert alert-notice" role="status" id="notice">${e(options.notice)}</div>`);
  }
  return parts.join("\n");
}

// --- Times ---

/** An ISO time as `2026-12-05 14:00:00 UTC` (milliseconds when there are any), in a <time>. */
function time(iso: string): string {
  const ms = Date.parse(iso);
  const text = Number.isFinite(ms)
    ? new Date(ms)
        .toISOString()
        .replace("T", " ")
        .replace(/\.000Z$/, " UTC")
        .replace(/Z$/, " UTC")
    : iso;
  return `<time datetime="${e(iso)}">${e(text)}</time>`;
}

/** The time of day in the quiet hours' zone (the hold ends at their end, local time). */
function localClock(iso: string): string | undefined {
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) return undefined;
  return new Intl.DateTimeFormat("en-GB", {
    timeZone: pushQuietHours.timeZone,
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  }).format(ms);
}

const plural = (count: number, one: string, many: string) => `${count} ${count === 1 ? one : many}`;

// --- Clock ---

function clockSection(clock: ClockView): string {
  const speed = clock.speed === 1 ? "1× (real time)" : `${clock.speed}×`;
  const quiet = clock.pushQuietHours.now;
  const controls = clock.adjustable
    ? `<div class="forms" data-clock-controls>
<form method="post" action="${CONTROL}/clock" class="inline" aria-label="Move the clock forward">
<span class="form-label" id="clock-quick-label">Move forward</span>
<span role="group" aria-labelledby="clock-quick-label">
<button type="submit" name="advance" value="1m" class="secondary">+1 min</button>
<button type="submit" name="advance" value="1h" class="secondary">+1 h</button>
<button type="submit" name="advance" value="1d" class="secondary">+1 d</button>
</span>
</form>
<form method="post" action="${CONTROL}/clock" class="inline">
<label for="clock-advance">Move forward by</label>
<input id="clock-advance" name="advance" type="text" required placeholder="90m" size="8" aria-describedby="clock-advance-hint">
<span class="hint" id="clock-advance-hint">s, m, h or d, such as 90m</span>
<button type="submit" class="secondary">Move</button>
</form>
<form method="post" action="${CONTROL}/clock" class="inline">
<label for="clock-to">Move forward to</label>
<input id="clock-to" name="to" type="text" required placeholder="${e(clock.now)}" size="26" aria-describedby="clock-to-hint">
<span class="hint" id="clock-to-hint">ISO 8601 with a zone; forward only</span>
<button type="submit" class="secondary">Move</button>
</form>
<form method="post" action="${CONTROL}/clock" class="inline">
<label for="clock-speed">Speed</label>
<input id="clock-speed" name="speed" type="number" required min="0.001" max="1000000" step="any" value="${e(String(clock.speed))}" size="8">
<button type="submit" class="secondary">Set speed</button>
</form>
</div>`
    : `<p class="hint" data-clock-fixed>This sandbox's clock is the <code>now</code> a test gave it: move that clock instead.</p>`;
  return `<section id="clock" aria-labelledby="clock-heading">
<h2 id="clock-heading">Clock</h2>
<dl class="facts">
<dt>Now</dt><dd data-clock-now>${time(clock.now)}</dd>
<dt>Speed</dt><dd data-clock-speed="${e(String(clock.speed))}">${e(speed)}</dd>
<dt>Push quiet hours</dt><dd data-quiet-hours="${quiet}"><strong>${quiet ? "On now" : "Off now"}</strong>: ${e(clock.pushQuietHours.rule)}</dd>
<dt>Receipt reports</dt><dd data-complete-before="${e(clock.receiptReports.completeBefore)}">Complete for the days before <strong>${e(clock.receiptReports.completeBefore)}</strong>: ${e(clock.receiptReports.rule)}</dd>
</dl>
${controls}
</section>`;
}

// --- Messages ---

function messagesSection(view: WorkbenchView): string {
  const shown = view.messages.length;
  const summary =
    view.totalMessages === 0
      ? `No messages yet: send one to <code>${e(view.baseUrl)}</code>.`
      : `Showing ${shown} of ${plural(view.totalMessages, "message", "messages")}, newest first.`;
  return `<section id="messages" aria-labelledby="messages-heading">
<h2 id="messages-heading">Messages</h2>
<p class="count" data-shown="${shown}" data-total="${view.totalMessages}">${summary}</p>
${view.messages.map(messageArticle).join("\n")}
</section>`;
}

function messageArticle(message: MessageView): string {
  const id = message.communicationId;
  const kind = message.kind === "push" ? "Push notification" : "In-app message";
  const patient =
    message.testPatient === undefined
      ? ""
      : ` <span class="tag" data-test-patient="${e(message.testPatient)}">test patient: ${e(message.testPatient)}</span>`;
  return `<article class="message" id="message-${e(id)}" data-communication-id="${e(id)}" data-kind="${e(message.kind)}">
<header class="message-head">
<h3><span class="tag tag-kind">${kind}</span> to ${e(message.nhsNumber)}${patient}</h3>
<p class="received">Received ${time(message.receivedAt)}</p>
</header>
<div class="message-grid">
<div class="patient-side">
<h4>What the patient sees</h4>
${patientView(message)}
<h4>Identifiers</h4>
${identifiers(message)}
<details class="raw"><summary>Request as sent</summary><pre>${e(json(message.body))}</pre></details>
</div>
<div class="timeline-side">
<h4>Delivery timeline</h4>
${timeline(message)}
<h4>Make it happen now</h4>
${messageControls(message)}
</div>
</div>
</article>`;
}

function identifiers(message: MessageView): string {
  const rows: [string, string, string | undefined][] = [
    ["communicationId", "Communication ID", message.communicationId],
    ["requestReference", "Request reference", message.requestReference],
    ["campaignId", "Campaign ID", message.campaignId],
    ["onBehalfOf", "On behalf of", message.onBehalfOf],
    ["odsCode", "ODS code", message.odsCode],
    ["nhsNumber", "NHS number", message.nhsNumber],
    ["testPatient", "Test patient", message.testPatient],
  ];
  const items = rows
    .filter((row): row is [string, string, string] => row[2] !== undefined)
    .map(([field, label, value]) => `<dt>${label}</dt><dd data-field="${field}"><code>${e(value)}</code></dd>`);
  return `<dl class="facts identifiers">\n${items.join("\n")}\n</dl>`;
}

/** The message as the NHS App shows it, from patient-view.ts. */
function patientView(message: MessageView): string {
  if (message.kind === "push") {
    const content = (message.body as PushNotificationRequest).payload?.[0]?.contentReference;
    return `<div class="lock-screen" data-patient-view="push">
${renderPushNotification(content?.display ?? "", content?.reference)}
</div>`;
  }
  const content = renderContentString((message.body as InAppCommunicationRequest).payload?.[0]?.contentString ?? "");
  const reply = renderReplyOptions(message.replyOffer);
  const images = content.includes("<img ")
    ? `\n<p class="hint">Images are not loaded here: this page fetches nothing from outside the sandbox.</p>`
    : "";
  return `<div class="phone" data-patient-view="in-app">
<div class="nhs-app-message">
${content}
</div>
${reply === "" ? "" : `<div class="nhs-app-reply">\n${reply}\n</div>`}
</div>${images}`;
}

interface TimelineEntry {
  at: string;
  html: string;
}

/**
 * Accepted, the receipts, the push hold and the reply in time order (planned
 * ones last, as they are still to come), each receipt's and the reply's
 * callbacks under it; a callback that belongs to none (should there be one)
 * at its first try.
 */
function timeline(message: MessageView): string {
  const placed = new Set<string>();
  const callbacksFor = (match: (callback: CallbackView) => boolean) => {
    const mine = message.callbacks.filter((callback) => !placed.has(callback.id) && match(callback));
    for (const callback of mine) placed.add(callback.id);
    return mine;
  };
  const entries: TimelineEntry[] = [
    {
      at: message.receivedAt,
      html: `<li class="event happened" data-event="accepted" data-happened="true"><span class="what">Accepted</span> ${time(message.receivedAt)}</li>`,
    },
  ];
  for (const receipt of message.receipts) {
    const callbacks = callbacksFor((callback) => callback.kind === "receipt" && callback.receipt === receipt.kind);
    entries.push({ at: receipt.at, html: receiptEntry(receipt, callbacks) });
  }
  if (message.pushHold) {
    const hold = message.pushHold;
    const local = localClock(hold.until);
    entries.push({
      at: hold.requestedAt,
      html: `<li class="event hold" data-event="push-hold" data-until="${e(hold.until)}"><span class="what">Push held for quiet hours</span> ${time(hold.requestedAt)}: sent at ${local === undefined ? "" : `${e(local)} ${e(pushQuietHours.timeZone)} time, `}${time(hold.until)}<p class="rule">${e(hold.rule)}</p></li>`,
    });
  }
  if (message.reply) {
    const reply = message.reply;
    const answer = reply.answer.kind === "keyword" ? reply.answer.code : reply.answer.text;
    const callbacks = callbacksFor((callback) => callback.kind === "reply");
    entries.push({
      at: reply.at,
      html: `<li class="event ${reply.happened ? "happened" : "planned"}" data-event="reply" data-happened="${reply.happened}" data-source="${e(reply.source)}" data-answer-kind="${e(reply.answer.kind)}"><span class="what">Reply</span> <q class="answer">${e(answer)}</q> ${when(reply.happened, reply.at)}${madeNow(reply.source)}${callbackList(callbacks)}</li>`,
    });
  }
  const rest = callbacksFor(() => true);
  for (const callback of rest) {
    entries.push({
      at: callback.attempts[0]?.at ?? message.receivedAt,
      html: `<li class="event" data-event="callback">${callbackList([callback])}</li>`,
    });
  }
  // Stable: what happened at the same moment keeps the order above (a receipt before the next).
  const ordered = entries
    .map((entry, index) => ({ entry, index, ms: Date.parse(entry.at) }))
    .sort((a, b) =>
      Number.isFinite(a.ms) && Number.isFinite(b.ms) && a.ms !== b.ms ? a.ms - b.ms : a.index - b.index,
    );
  return `<ol class="timeline">\n${ordered.map(({ entry }) => entry.html).join("\n")}\n</ol>`;
}

const when = (happened: boolean, at: string) => (happened ? time(at) : `<span class="due">due at ${time(at)}</span>`);

const madeNow = (source: "plan" | "control") =>
  source === "control" ? ' <span class="tag tag-control" data-made-now>made now</span>' : "";

function receiptEntry(receipt: ReceiptView, callbacks: readonly CallbackView[]): string {
  const reason = receipt.reason === undefined ? "" : `<p class="reason">Reason: ${e(receipt.reason)}</p>`;
  return `<li class="event ${receipt.happened ? "happened" : "planned"} status-${e(receipt.status)}" data-event="receipt" data-receipt="${e(receipt.kind)}" data-status="${e(receipt.status)}" data-happened="${receipt.happened}" data-source="${e(receipt.source)}"><span class="what">${e(receipt.kind)}</span> ${when(receipt.happened, receipt.at)}${madeNow(receipt.source)}${reason}${callbackList(callbacks)}</li>`;
}

function callbackList(callbacks: readonly CallbackView[]): string {
  if (callbacks.length === 0) return "";
  return `<ul class="callbacks">\n${callbacks.map(callbackItem).join("\n")}\n</ul>`;
}

function callbackItem(callback: CallbackView): string {
  const tries = callback.attempts.length;
  const attempts = callback.attempts.map((attempt) => {
    const status = attempt.status === undefined ? "" : ` data-status="${attempt.status}"`;
    const answer =
      attempt.status === undefined ? `<span class="no-answer">no answer</span>` : `<strong>${attempt.status}</strong>`;
    const reason = attempt.reason === undefined ? "" : ` <span class="reason">${e(attempt.reason)}</span>`;
    return `<li class="attempt"${status} data-at="${e(attempt.at)}">${time(attempt.at)}: ${answer}${reason}</li>`;
  });
  const replay = callback.replayOf === undefined ? "" : ` <span class="tag">replay of ${e(callback.replayOf)}</span>`;
  const given = callback.reason === undefined ? "" : `<p class="reason">Given up: ${e(callback.reason)}</p>`;
  const what = callback.kind === "reply" ? "Reply callback" : `${e(callback.receipt ?? "Receipt")} callback`;
  return `<li class="callback state-${e(callback.state)}" id="callback-${e(callback.id)}" data-callback-id="${e(callback.id)}" data-callback-kind="${e(callback.kind)}" data-state="${e(callback.state)}" data-attempts="${tries}"${callback.replayOf === undefined ? "" : ` data-replay-of="${e(callback.replayOf)}"`}>
<p><span class="what">${what}</span> <code>${e(callback.id)}</code> <span class="state">${e(callback.state)}</span>, ${plural(tries, "try", "tries")}${replay}</p>
<p class="url">to <code>${e(callback.url)}</code></p>
${attempts.length === 0 ? "" : `<ol class="attempts">\n${attempts.join("\n")}\n</ol>`}
${given}
<form method="post" action="${route("callbacks", callback.id, "replay")}" class="inline"><button type="submit" class="secondary small" data-action="replay">Replay ${e(callback.id)}</button></form>
<details class="raw"><summary>Body posted</summary><pre>${e(json(callback.body))}</pre></details>
</li>`;
}

function messageControls(message: MessageView): string {
  const id = message.communicationId;
  const receipts = route("messages", id, "receipts");
  const forms: string[] = [];
  if (message.receipts.some((receipt) => !receipt.happened)) {
    forms.push(
      `<form method="post" action="${receipts}" class="inline"><button type="submit" data-action="next-receipt">Deliver next receipt</button></form>`,
    );
  }
  const codes = enums.receiptCodes.map((code) => `<option value="${e(code)}">${e(code)}</option>`).join("");
  forms.push(`<form method="post" action="${receipts}" class="inline" data-form="deliver">
<label for="receipt-${e(id)}">Receipt</label>
<select id="receipt-${e(id)}" name="receipt">${codes}</select>
<label for="reason-${e(id)}">Reason <span class="hint">(Rejected only)</span></label>
<input id="reason-${e(id)}" name="reason" type="text" maxlength="500" size="20">
<button type="submit" class="secondary" data-action="deliver">Deliver</button>
</form>`);
  const offer = message.replyOffer;
  if (offer && !message.reply?.happened) {
    const reply = route("messages", id, "reply");
    forms.push(
      offer.kind === "keyword"
        ? `<form method="post" action="${reply}" class="inline" data-form="reply">
<span class="form-label" id="reply-label-${e(id)}">Patient replies</span>
<span role="group" aria-labelledby="reply-label-${e(id)}">
${offer.codes.map((code) => `<button type="submit" name="keyword" value="${e(code)}" data-action="reply" data-keyword="${e(code)}">${e(code)}</button>`).join("\n")}
</span>
</form>`
        : `<form method="post" action="${reply}" class="inline" data-form="reply">
<label for="reply-text-${e(id)}">Patient replies</label>
<textarea id="reply-text-${e(id)}" name="text" required rows="2" cols="30"></textarea>
<button type="submit" data-action="reply">Reply</button>
</form>`,
    );
  }
  return `<div class="forms controls">\n${forms.join("\n")}\n</div>`;
}

// --- Faults ---

function faultsSection(faults: readonly FaultView[]): string {
  const list =
    faults.length === 0
      ? `<p class="hint" data-faults="0">No faults waiting: every call gets the sandbox's own answer.</p>`
      : `<div class="scroll"><table data-faults="${faults.length}">
<thead><tr><th scope="col">Fault</th><th scope="col">Operation</th><th scope="col">Calls left</th><th scope="col">Answer</th><th scope="col">Processed first</th></tr></thead>
<tbody>
${faults.map(faultRow).join("\n")}
</tbody>
</table></div>
<form method="post" action="${CONTROL}/faults" class="inline">
<input type="hidden" name="clear" value="true">
<button type="submit" class="warning" data-action="clear-faults">Clear faults</button>
</form>`;
  return `<section id="faults" aria-labelledby="faults-heading">
<h2 id="faults-heading">Faults</h2>
<p>The next calls of an operation fail as chosen here, to rehearse what your system does then.</p>
${list}
<div class="fault-forms">
${faultForm("status")}
${faultForm("drop")}
${faultForm("slow")}
</div>
</section>`;
}

function faultRow(fault: FaultView): string {
  const answer =
    fault.answer.kind === "status"
      ? `${fault.answer.status}${fault.answer.retryAfterSeconds === undefined ? "" : `, Retry-After ${fault.answer.retryAfterSeconds} s`}`
      : fault.answer.kind === "drop"
        ? "connection dropped"
        : `slow: ${fault.answer.delayMs} ms late`;
  return `<tr data-fault-id="${e(fault.id)}" data-answer="${e(fault.answer.kind)}"><td><code>${e(fault.id)}</code></td><td>${e(fault.operation)}</td><td>${fault.remaining}</td><td>${e(answer)}</td><td>${fault.processed ? "yes" : "no"}</td></tr>`;
}

/** One form per kind of answer, so the route gets exactly one of status, drop and slowMs. */
function faultForm(kind: "status" | "drop" | "slow"): string {
  const id = (field: string) => `fault-${kind}-${field}`;
  const title = { status: "Answer with a status", drop: "Drop the connection", slow: "Answer late" }[kind];
  const operations = FAULT_OPERATIONS.map(
    (operation) => `<option value="${e(operation)}">${e(operation)}</option>`,
  ).join("");
  const fields = [
    `<label for="${id("operation")}">Operation</label><select id="${id("operation")}" name="operation">${operations}</select>`,
    `<label for="${id("count")}">Calls</label><input id="${id("count")}" name="count" type="number" min="1" max="${MAX_FAULT_COUNT}" step="1" value="1" required>`,
  ];
  if (kind === "status") {
    const statuses = FAULT_STATUSES.map((status) => `<option value="${status}">${status}</option>`).join("");
    fields.push(
      `<label for="${id("status")}">Status</label><select id="${id("status")}" name="status">${statuses}</select>`,
      `<label for="${id("retryAfter")}">Retry-After <span class="hint">(seconds, optional)</span></label><input id="${id("retryAfter")}" name="retryAfter" type="number" min="0" max="86400" step="1">`,
    );
  }
  if (kind === "drop") fields.push(`<input type="hidden" name="drop" value="true">`);
  if (kind === "slow") {
    fields.push(
      `<label for="${id("slowMs")}">Late by <span class="hint">(ms)</span></label><input id="${id("slowMs")}" name="slowMs" type="number" min="1" max="${MAX_SLOW_MS}" step="1" value="5000" required>`,
    );
  } else {
    fields.push(
      `<span class="check"><input id="${id("processed")}" name="processed" type="checkbox" value="true"><label for="${id("processed")}">Processed first <span class="hint">(the message is created; only the answer fails)</span></label></span>`,
    );
  }
  return `<form method="post" action="${CONTROL}/faults" class="card" data-form="fault-${kind}">
<fieldset>
<legend>${title}</legend>
${fields.join("\n")}
<button type="submit" class="secondary" data-action="add-fault">Add fault</button>
</fieldset>
</form>`;
}

// --- Test patients, connecting, reset ---

function testPatientsSection(patients: readonly TestPatientView[]): string {
  const rows = patients.map(
    (patient) =>
      `<tr data-nhs-number="${e(patient.nhsNumber)}"><td><code>${e(patient.nhsNumber)}</code></td><td>${e(patient.name)}</td><td>${e(patient.outcome)}</td></tr>`,
  );
  return `<section id="test-patients" aria-labelledby="test-patients-heading">
<h2 id="test-patients-heading">Test patients</h2>
<p>Send to these NHS numbers and no flags are needed: their messages always fare the same way.</p>
<div class="scroll"><table>
<thead><tr><th scope="col">NHS number</th><th scope="col">Name</th><th scope="col">Outcome</th></tr></thead>
<tbody>
${rows.join("\n")}
</tbody>
</table></div>
</section>`;
}

function connectSection(view: WorkbenchView): string {
  const callbacks =
    view.callbackUrl === undefined
      ? "No callback URL: receipts and replies are in the reports only (start the sandbox with a callback URL to have them posted)."
      : `Callbacks are posted to <code data-callback-url>${e(view.callbackUrl)}</code>.`;
  return `<section id="connect" aria-labelledby="connect-heading">
<h2 id="connect-heading">Connect</h2>
<dl class="facts">
<dt>API base URL</dt><dd><code data-base-url>${e(view.baseUrl)}</code></dd>
<dt>Callbacks</dt><dd>${callbacks}</dd>
<dt>Control API</dt><dd><code>${CONTROL}/</code> on this origin (CONTROL-API.md)</dd>
</dl>
<form method="post" action="${CONTROL}/reset" class="inline" id="reset">
<button type="submit" class="warning" data-action="reset">Reset</button>
<span class="hint">Forgets every message, receipt, reply, callback, fault and recorded request; the clock stays.</span>
</form>
</section>`;
}

function json(value: unknown): string {
  return JSON.stringify(value, null, 2) ?? String(value);
}

const STYLE = `
*,*::before,*::after{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Arial,sans-serif;color:#212b32;background:#f0f4f5}
.wrap{max-width:1100px;margin:0 auto;padding:0 16px}
.banner{background:#005eb8;color:#fff;padding:12px 0}
.banner h1{margin:0;font-size:1.5rem}
.banner nav{display:flex;flex-wrap:wrap;gap:4px 16px;margin-top:4px}
.banner a{color:#fff}
.banner a.refresh{font-weight:600}
a{color:#005eb8}
a:focus,button:focus,input:focus,select:focus,textarea:focus,summary:focus{outline:3px solid #ffeb3b;outline-offset:0;box-shadow:0 0 0 5px #212b32}
section{background:#fff;margin:16px 0;padding:8px 16px 16px;border-radius:4px;border:1px solid #d8dde0}
h2{font-size:1.3rem;margin:8px 0}
h3{font-size:1.1rem;margin:0}
h4{font-size:1rem;margin:12px 0 6px;color:#4c6272}
code{font-family:ui-monospace,Consolas,monospace;font-size:.9em;overflow-wrap:anywhere}
pre{white-space:pre-wrap;overflow-wrap:anywhere;background:#f0f4f5;padding:8px;font-size:.85rem;max-height:320px;overflow:auto}
.alert{margin:16px 0;padding:12px 16px;border-left:8px solid;background:#fff}
.alert-error{border-color:#d5281b}
.alert-notice{border-color:#007f3b}
.facts{display:grid;grid-template-columns:max-content 1fr;gap:4px 16px;margin:8px 0}
.facts dt{font-weight:600}
.facts dd{margin:0;overflow-wrap:anywhere}
@media (max-width:600px){.facts{grid-template-columns:1fr;gap:0}.facts dd{margin-bottom:6px}}
.hint{color:#4c6272;font-size:.9rem}
.tag{display:inline-block;padding:0 6px;border-radius:3px;background:#e8edee;font-size:.85rem;font-weight:600}
.tag-kind{background:#005eb8;color:#fff}
.tag-control{background:#ffeb3b}
.forms{display:flex;flex-direction:column;gap:8px;margin-top:8px}
form.inline{display:flex;flex-wrap:wrap;align-items:center;gap:6px}
label,.form-label{font-weight:600}
input,select,textarea{font:inherit;padding:4px 6px;border:2px solid #4c6272;border-radius:0;max-width:100%}
button{font:inherit;font-weight:600;padding:6px 12px;border:0;border-radius:4px;background:#007f3b;color:#fff;cursor:pointer;box-shadow:0 3px 0 #00401e}
button.secondary{background:#4c6272;box-shadow:0 3px 0 #263139}
button.small{padding:2px 8px;font-size:.85rem;box-shadow:0 2px 0 #263139}
input[type=number]{width:8em}
button.warning{background:#d5281b;box-shadow:0 3px 0 #6b140e}
.message{border-top:4px solid #005eb8;padding:12px 0;margin-top:12px}
.message-head{display:flex;flex-wrap:wrap;justify-content:space-between;gap:4px 16px}
.received{margin:0;color:#4c6272}
.message-grid{display:grid;grid-template-columns:1fr;gap:16px}
@media (min-width:760px){.message-grid{grid-template-columns:minmax(0,1fr) minmax(0,1.3fr)}}
.phone{background:#fff;border:8px solid #212b32;border-radius:20px;padding:12px 16px;max-width:380px;overflow-wrap:anywhere}
.phone img{max-width:100%;min-width:48px;min-height:32px;border:1px dashed #aeb7bd}
.phone h2{font-size:1.25rem}
.phone h3{font-size:1.1rem;margin:8px 0}
.nhs-app-reply-keywords{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:8px}
.nhs-app-reply-keyword{border:2px solid #005eb8;color:#005eb8;border-radius:4px;padding:4px 12px;font-weight:600}
.nhs-app-reply-text{width:100%}
.lock-screen{background:#212b32;border-radius:20px;padding:24px 12px;max-width:380px}
.lock-screen .nhs-app-push{background:rgba(255,255,255,.92);border-radius:12px;padding:8px 12px;margin:0;overflow-wrap:anywhere}
.lock-screen .nhs-app-push-app{display:block;font-size:.85rem}
.lock-screen .nhs-app-push-url{display:block;font-size:.85rem}
.timeline{list-style:none;margin:0;padding:0 0 0 16px;border-left:3px solid #005eb8}
.event{position:relative;margin:0 0 10px;padding-left:8px}
.event::before{content:"";position:absolute;left:-25px;top:6px;width:14px;height:14px;border-radius:50%;background:#005eb8;border:2px solid #fff}
.event.planned{color:#4c6272}
.event.planned::before{background:#fff;border:2px dashed #4c6272}
.event.status-rejected::before{background:#d5281b}
.event.hold::before{background:#ffb81c}
.what{font-weight:700}
.due{font-style:italic}
.reason,.rule{margin:2px 0;color:#4c6272;font-size:.9rem}
.callbacks{list-style:none;margin:6px 0 0;padding:0}
.callback{background:#f0f4f5;border-left:4px solid #4c6272;padding:6px 10px;margin:6px 0}
.callback p{margin:2px 0}
.callback.state-delivered{border-color:#007f3b}
.callback.state-undelivered{border-color:#d5281b}
.callback .state{font-weight:700}
.attempts{margin:4px 0;padding-left:24px;font-size:.9rem}
.no-answer{color:#d5281b;font-weight:600}
.identifiers{font-size:.9rem}
.raw summary{cursor:pointer;color:#005eb8}
.fault-forms{display:grid;grid-template-columns:repeat(auto-fit,minmax(260px,1fr));gap:12px;margin-top:12px}
.card fieldset{border:1px solid #d8dde0;padding:8px 12px;display:flex;flex-direction:column;gap:4px;height:100%}
.card legend{font-weight:700}
.card button{align-self:flex-start;margin-top:6px}
.check{display:flex;gap:6px;align-items:baseline}
.scroll{overflow-x:auto}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:4px 8px;border-bottom:1px solid #d8dde0;vertical-align:top}
`;
