// A small integration with the NHS App API, as a GP system might write it.
// It reads its settings from the environment (pnpm demo points them at the
// local sandbox), then: starts its callback endpoint (mutual TLS), obtains a
// token with a signed assertion, sends an in-app message with a keyword reply
// and a push notification, follows both through the NHS App's real-time
// receipts to the patient's reply, walks a multi-page patient report, reads a
// receipt report, and shows how the client reports a bad message before
// sending it and a server error after.
import { readFile } from "node:fs/promises";
import { createCallbackServer, createDeliveryTracker, type Reply } from "@nhs-app-api/callbacks";
import { createNhsAppClient, inAppMessage, isNhsAppError, keywordReply, pushNotification } from "@nhs-app-api/client";

const setting = (name: string) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set (pnpm demo sets it for the local sandbox)`);
  return value;
};

const step = (n: number, title: string) => console.log(`\n${n}. ${title}`);

/**
 * The endpoint the NHS App posts real-time receipts and replies to, behind
 * mutual TLS: only a client certificate signed by the trusted CA gets in.
 * Every receipt goes into a delivery tracker; every reply is kept.
 */
async function startCallbackEndpoint() {
  const tracker = createDeliveryTracker();
  const replies: Reply[] = [];
  /** The UTC day each message was accepted on, as its receipts say (authoredOn): the day whose report lists it. */
  const acceptedOn = new Map<string, string>();
  let changed = () => {};
  const server = await createCallbackServer({
    port: Number(setting("NHS_APP_CALLBACK_PORT")),
    key: await readFile(setting("NHS_APP_CALLBACK_KEY_FILE"), "utf8"),
    cert: await readFile(setting("NHS_APP_CALLBACK_CERT_FILE"), "utf8"),
    ca: await readFile(setting("NHS_APP_CALLBACK_CA_FILE"), "utf8"),
    onReceipt: (receipt) => {
      tracker.record(receipt);
      acceptedOn.set(receipt.communicationId, receipt.authoredOn.slice(0, 10));
      console.log(`   receipt  ${receipt.kind.padEnd(22)} for ${receipt.communicationId}`);
      changed();
    },
    onReply: (reply) => {
      replies.push(reply);
      const answer = reply.answer.kind === "keyword" ? `keyword ${reply.answer.code}` : `"${reply.answer.text}"`;
      console.log(`   reply    ${answer.padEnd(22)} for ${reply.communicationId}`);
      changed();
    },
  });
  /** Resolves once `done()` holds, checked after each callback; rejects after `ms`. */
  const until = (done: () => boolean, ms: number) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no answer at the callback endpoint within ${ms} ms`)), ms);
      changed = () => {
        if (!done()) return;
        clearTimeout(timer);
        resolve();
      };
      changed();
    });
  return { server, tracker, replies, acceptedOn, until };
}

async function main() {
  const nhsApp = createNhsAppClient({
    environment: { baseUrl: setting("NHS_APP_BASE_URL"), tokenUrl: setting("NHS_APP_TOKEN_URL") },
    apiKey: setting("NHS_APP_API_KEY"),
    keyId: setting("NHS_APP_KEY_ID"),
    privateKey: await readFile(setting("NHS_APP_PRIVATE_KEY_FILE"), "utf8"),
    rateLimit: { requestsPerSecond: 20 },
  });
  console.log(`NHS App API demo against ${nhsApp.baseUrl}`);

  const callbacks = await startCallbackEndpoint();
  console.log(`Callback endpoint listening at ${callbacks.server.url} (mutual TLS)`);
  try {
    await steps(nhsApp, callbacks);
  } finally {
    await callbacks.server.close();
  }
  console.log("\nDone.");
}

async function steps(
  nhsApp: ReturnType<typeof createNhsAppClient>,
  callbacks: Awaited<ReturnType<typeof startCallbackEndpoint>>,
) {
  step(1, "Send an in-app message the patient can answer by keyword");
  const message = await nhsApp.sendInAppMessage(
    inAppMessage({
      nhsNumber: "9434765919",
      odsCode: "B82041",
      text: "Do you smoke? Reply **SMOKE**, **EX** or **NEVER**.",
      reply: keywordReply(["SMOKE", "EX", "NEVER"]),
      campaignId: "smoking-status-2026",
    }),
  );
  console.log(`   accepted (${message.status}): communication ID ${message.communicationId}`);
  console.log(
    `   correlation ID ${message.correlationId}; access tokens requested so far: ${nhsApp.tokenRequestCount}`,
  );

  step(2, "Send a push notification");
  const push = await nhsApp.sendPushNotification(
    pushNotification({
      nhsNumber: "9434765919",
      text: "You have a new message in the NHS App.",
      url: "https://www.nhsapp.service.nhs.uk/patient/messages/app-messaging",
    }),
  );
  console.log(`   accepted (${push.status}): communication ID ${push.communicationId}`);

  step(3, "Receipts and the patient's reply arrive at the callback endpoint");
  const { tracker, replies } = callbacks;
  await callbacks.until(
    () =>
      tracker.get(message.communicationId)?.final === true &&
      replies.some((reply) => reply.communicationId === message.communicationId) &&
      tracker.get(push.communicationId)?.state === "Notified",
    15_000,
  );
  console.log("   the delivery tracker's final state:");
  for (const [name, id] of [
    ["in-app message", message.communicationId],
    ["push notification", push.communicationId],
  ] as const) {
    const status = tracker.get(id);
    const path = Object.keys(status?.events ?? {}).join(" -> ");
    console.log(`   ${name.padEnd(18)} ${status?.state}${status?.final ? " (final)" : ""}: ${path}`);
  }
  const answer = replies.find((reply) => reply.communicationId === message.communicationId)?.answer;
  console.log(`   the patient answered ${answer?.kind === "keyword" ? answer.code : JSON.stringify(answer)}`);

  step(4, "Walk the patient report of GP practice T00001, page by page");
  let pages = 0;
  let patients = 0;
  let withNotifications = 0;
  for await (const page of nhsApp.patients.pages("T00001")) {
    pages++;
    patients += page.items.length;
    withNotifications += page.items.filter((p) => p.notificationsEnabled).length;
    console.log(`   page ${page.page} of ${page.lastPage ?? "?"}: ${page.items.length} patients`);
  }
  console.log(`   ${patients} NHS App users on ${pages} pages, ${withNotifications} with notifications on`);

  step(5, "The receipt report of the day it was sent tells the same story as the callbacks");
  // The NHS App builds the report daily; the sandbox lists each receipt as soon as it has happened.
  // The day is the platform's (UTC, as the receipts' authoredOn gives it), not this machine's calendar.
  const sentOn = callbacks.acceptedOn.get(message.communicationId) ?? new Date().toISOString().slice(0, 10);
  const fromReport = createDeliveryTracker();
  for await (const receipt of nhsApp.receipts.items(sentOn)) fromReport.record(receipt);
  for (const id of [message.communicationId, push.communicationId]) {
    const [reported, called] = [fromReport.get(id), tracker.get(id)];
    const agrees = JSON.stringify(reported?.events) === JSON.stringify(called?.events);
    console.log(`   ${id}: ${reported?.state} in the report, ${agrees ? "as" : "unlike"} the callbacks`);
  }

  step(6, "A message to an NHS number with a wrong check digit is stopped before sending");
  const wrongNumber = inAppMessage({ nhsNumber: "9434765910", odsCode: "B82041", text: "Hello" });
  try {
    await nhsApp.sendInAppMessage(wrongNumber);
  } catch (error) {
    if (!isNhsAppError(error) || error.kind !== "client-validation") throw error;
    for (const issue of error.issues) console.log(`   ${issue.expression?.join(", ")}: ${issue.diagnostics}`);
    console.log("   nothing was sent");
  }

  step(7, "The same message sent without client-side checks: the server's answer is a typed error");
  try {
    await nhsApp.sendInAppMessage(wrongNumber, { validate: false, correlationId: "demo-bad-request" });
  } catch (error) {
    if (!isNhsAppError(error)) throw error;
    console.log(`   ${error.name} (kind ${error.kind}), status ${error.status}, correlation ID ${error.correlationId}`);
    for (const issue of error.operationOutcome?.issue ?? []) {
      console.log(`   OperationOutcome issue: ${issue.code}: ${issue.diagnostics} at ${issue.expression?.join(", ")}`);
    }
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
