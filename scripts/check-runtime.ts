// Loads each built package the two ways consumers do, `require` from a
// CommonJS module and `import` from an ES module, in a fresh Node process,
// and uses it a little: type-only checks (publint, attw) cannot see a
// default-import interop mistake that only breaks at run time.
import { spawnSync } from "node:child_process";
import { toolRoot } from "./lib/documents.ts";

// Each smoke test receives the package's exports as `m` and throws if anything is wrong.
const smoke: Record<string, string> = {
  "@nhs-app-api/client": `
    const { generateKeyPairSync } = require("node:crypto");
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const client = m.createNhsAppClient({
      environment: { baseUrl: "http://127.0.0.1:9/nhs-app", tokenUrl: "http://127.0.0.1:9/oauth2/token" },
      apiKey: "key", keyId: "kid", privateKey,
    });
    if (typeof client.raw.GET !== "function") throw new Error("no raw client");
    const message = m.inAppMessage({ nhsNumber: "9434765919", odsCode: "B82041", text: "Hello" });
    if (m.validateInAppMessage(message).length !== 0) throw new Error("a valid message was refused");`,
  "@nhs-app-api/callbacks": `
    const result = m.parseReceipt("{}");
    if (result.ok) throw new Error("an empty receipt was accepted");
    m.createDeliveryTracker().snapshot();`,
  "@nhs-app-api/testing": `
    if (typeof m.createNhsAppMock !== "undefined") throw new Error("the main entry exports the msw handlers");
    if (!m.createTestKeys().privateKeyPem.includes("PRIVATE KEY")) throw new Error("no test keys");
    if (m.receiptExamples().length === 0 || m.replyExamples().length === 0) throw new Error("no callback examples");`,
  "@nhs-app-api/testing/msw": `
    const mock = m.createNhsAppMock();
    if (!Array.isArray(mock.handlers) || mock.handlers.length === 0) throw new Error("no handlers");`,
  "@nhs-app-api/contract": `
    const issues = m.requestBodyIssues("create-in-app", { resourceType: "CommunicationRequest" });
    if (!issues.some((i) => i.expression && i.expression[0] === "recipient")) throw new Error("no recipient issue");
    if (m.queryIssues("get-receipt-report", { day: "2023-02-29" }).length !== 1) throw new Error("a bad day passed");
    if (!m.systems.nhsNumber.startsWith("https://")) throw new Error("no systems");`,
  "@nhs-app-api/campaigns": `
    const journal = m.createMemoryJournal();
    if (typeof m.sendBatch !== "function" || typeof m.openSqliteJournal !== "function") throw new Error("no sender");
    journal.admit([]).then((entries) => { if (entries.length !== 0) throw new Error("an empty admit returned entries"); });`,
  "@nhs-app-api/contract-check": `
    const { existsSync } = require("node:fs");
    if (m.contractDocuments.length !== 4) throw new Error("not the four documents");
    if (!existsSync(m.shippedPactsDir() + "/nhs-app-api-client-nhs-app-api.json")) throw new Error("no pacts inside");
    if (!existsSync(m.shippedDepartures())) throw new Error("no departures inside");
    if (typeof m.checkContract !== "function" || typeof m.toJUnit !== "function") throw new Error("no check");`,
  "@nhs-app-api/types": `
    if (require("@nhs-app-api/types/openapi.json").openapi === undefined) throw new Error("no bundle");`,
};

let failed = false;
for (const [name, body] of Object.entries(smoke)) {
  for (const kind of ["require", "import"] as const) {
    const load =
      kind === "require"
        ? `const m = require(${JSON.stringify(name)});`
        : `const m = await import(${JSON.stringify(name)});`;
    const source =
      kind === "require"
        ? `(async () => { ${load} ${body} })().catch((e) => { console.error(e.message); process.exit(1); });`
        : `import { createRequire } from "node:module"; const require = createRequire(import.meta.url); ${load} ${body}`;
    const result = spawnSync(process.execPath, [...(kind === "import" ? ["--input-type=module"] : []), "-e", source], {
      cwd: toolRoot,
      encoding: "utf8",
    });
    const ok = result.status === 0;
    console.log(`${ok ? "ok  " : "FAIL"} ${kind} ${name}`);
    if (!ok) {
      failed = true;
      console.log(`${result.stdout}${result.stderr}`.trim());
    }
  }
}
process.exit(failed ? 1 : 0);
