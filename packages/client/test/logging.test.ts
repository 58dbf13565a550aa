// A real pino logger, passed as it is: every structured field must arrive as a
// JSON property of pino's line (the old message-first order lost them all),
// and no token, assertion or NHS number may appear in what pino writes.

import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inAppMessage } from "../src/index.js";
import { type LoopbackApi, loopbackPrivateKeyPem, outcomeAnswer, startLoopbackApi } from "./loopback.js";
import { VALID_NHS_NUMBER } from "./support.js";

let api: LoopbackApi;
beforeAll(async () => {
  api = await startLoopbackApi();
});
afterAll(() => api.close());

/** pino writing its JSON lines into an array. */
function capturedPino() {
  const written: string[] = [];
  const logger = pino({ level: "debug" }, { write: (line: string) => void written.push(line) });
  return { written, logger, lines: () => written.map((line) => JSON.parse(line) as Record<string, unknown>) };
}

describe("logging through pino", () => {
  it("puts the correlation ID, method, status and attempt of every attempt in pino's JSON fields", async () => {
    const { logger, lines } = capturedPino();
    api.script.push(outcomeAnswer(429, "throttled", "spike in traffic"));
    const sent = await api
      .client({ logger })
      .sendInAppMessage(inAppMessage({ nhsNumber: VALID_NHS_NUMBER, odsCode: "B82041", text: "Hi" }));

    const about = lines().filter((line) => line.correlationId === sent.correlationId);
    const summary = about.map(({ level, msg, method, status, attempt, operation }) => ({
      level,
      msg,
      method,
      status,
      attempt,
      operation,
    }));
    expect(summary).toEqual([
      { level: 20, msg: "request", method: "POST", status: undefined, attempt: 1, operation: "create-in-app" },
      { level: 20, msg: "response", method: "POST", status: 429, attempt: 1, operation: "create-in-app" },
      { level: 30, msg: "retrying", method: "POST", status: undefined, attempt: 1, operation: "create-in-app" },
      { level: 20, msg: "request", method: "POST", status: undefined, attempt: 2, operation: "create-in-app" },
      { level: 20, msg: "response", method: "POST", status: 201, attempt: 2, operation: "create-in-app" },
    ]);
    const retrying = about.find((line) => line.msg === "retrying");
    expect(retrying).toMatchObject({
      reason: "status 429",
      url: `${api.baseUrl}/communication/in-app/FHIR/R4/CommunicationRequest`,
    });
    expect(typeof retrying?.delayMs).toBe("number");
    expect(typeof about.find((line) => line.msg === "response")?.durationMs).toBe("number");
    // The token request is logged too, in pino's own shape.
    expect(lines().some((line) => line.msg === "requesting an access token" && line.attempt === 1)).toBe(true);
  });

  it("writes no access token, client assertion, private key or NHS number", async () => {
    const { written, logger } = capturedPino();
    const client = api.client({ logger });
    await client.sendInAppMessage(inAppMessage({ nhsNumber: VALID_NHS_NUMBER, odsCode: "B82041", text: "Hi" }));
    // An NHS number in a URL (a raw call can put one there) is masked in the logged URL.
    await client.raw.GET("/communication/report/receipts/FHIR/R4/Task", {
      params: { query: { day: "2024-03-01", patient: VALID_NHS_NUMBER } as { day: string } },
    });
    const output = written.join("");
    expect(output).toContain("*******919");
    const secrets = [
      ...api.tokensIssued,
      ...api.assertions(),
      ...loopbackPrivateKeyPem.split("\n").filter((line) => line.length > 20 && !line.startsWith("-----")),
      VALID_NHS_NUMBER,
    ];
    expect(secrets.length).toBeGreaterThan(3);
    for (const secret of secrets) expect(output).not.toContain(secret);
  });
});
