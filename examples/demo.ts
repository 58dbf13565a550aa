// A small integration with the NHS App API, as a GP system might write it.
// It reads its settings from the environment (pnpm demo points them at the
// local sandbox), then: obtains a token with a signed assertion, sends an
// in-app message with a keyword reply and a push notification, walks a
// multi-page patient report, reads a receipt report, and shows how the client
// reports a bad message before sending it and a server error after.
import { readFile } from "node:fs/promises";
import { createNhsAppClient, inAppMessage, isNhsAppError, keywordReply, pushNotification } from "@nhs-app-api/client";

const setting = (name: string) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set (pnpm demo sets it for the local sandbox)`);
  return value;
};

const step = (n: number, title: string) => console.log(`\n${n}. ${title}`);

async function main() {
  const nhsApp = createNhsAppClient({
    environment: { baseUrl: setting("NHS_APP_BASE_URL"), tokenUrl: setting("NHS_APP_TOKEN_URL") },
    apiKey: setting("NHS_APP_API_KEY"),
    keyId: setting("NHS_APP_KEY_ID"),
    privateKey: await readFile(setting("NHS_APP_PRIVATE_KEY_FILE"), "utf8"),
    rateLimit: { requestsPerSecond: 20 },
  });
  console.log(`NHS App API demo against ${nhsApp.baseUrl}`);

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

  step(3, "Walk the patient report of GP practice T00001, page by page");
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

  step(4, "Read the receipt report of a day");
  const kinds = new Map<string, number>();
  for await (const receipt of nhsApp.receipts.items("2026-11-23")) {
    const kind = receipt.code.coding[0]?.code ?? "unknown";
    kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
  }
  console.log(`   ${[...kinds].map(([kind, count]) => `${count} ${kind}`).join(", ")}`);

  step(5, "A message to an NHS number with a wrong check digit is stopped before sending");
  const wrongNumber = inAppMessage({ nhsNumber: "9434765910", odsCode: "B82041", text: "Hello" });
  try {
    await nhsApp.sendInAppMessage(wrongNumber);
  } catch (error) {
    if (!isNhsAppError(error) || error.kind !== "client-validation") throw error;
    for (const issue of error.issues) console.log(`   ${issue.expression?.join(", ")}: ${issue.diagnostics}`);
    console.log("   nothing was sent");
  }

  step(6, "The same message sent without client-side checks: the server's answer is a typed error");
  try {
    await nhsApp.sendInAppMessage(wrongNumber, { validate: false, correlationId: "demo-bad-request" });
  } catch (error) {
    if (!isNhsAppError(error)) throw error;
    console.log(`   ${error.name} (kind ${error.kind}), status ${error.status}, correlation ID ${error.correlationId}`);
    for (const issue of error.operationOutcome?.issue ?? []) {
      console.log(`   OperationOutcome issue: ${issue.code}: ${issue.diagnostics} at ${issue.expression?.join(", ")}`);
    }
  }
  console.log("\nDone.");
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
