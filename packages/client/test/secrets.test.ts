// The private key, client assertions, access tokens and NHS numbers must not
// appear in any log line, hook payload, error message, JSON.stringify(error)
// or util.inspect output, across successes, retries, renewals and failures.
import { inspect } from "node:util";
import { HttpResponse, http } from "msw";
import { describe, expect, it } from "vitest";
import { inAppMessage, pushNotification } from "../src/index.js";
import {
  created,
  IN_APP,
  operationOutcome,
  PUSH,
  privateKeyPem,
  RECEIPTS,
  recordingLogger,
  server,
  TOKEN_URL,
  testClient,
  tokenEndpoint,
  useMockServer,
  VALID_NHS_NUMBER,
} from "./support.js";

useMockServer();

describe("secrets and patient data stay out of logs and errors", () => {
  it("across a session of successes, a renewal, retries and failures", async () => {
    const { lines, logger } = recordingLogger();
    const hookPayloads: string[] = [];
    const record = (info: object) => hookPayloads.push(JSON.stringify(info));
    const { state, handler } = tokenEndpoint();
    let posts = 0;
    server.use(
      handler,
      http.post(IN_APP, async ({ request }) => {
        posts++;
        const body = (await request.json()) as Record<string, unknown>;
        if (posts === 1) return operationOutcome(401, "expired", "Access Token expired");
        if (posts === 2) return operationOutcome(429, "throttled", "spike in traffic");
        if (posts === 3) return created(body);
        return operationOutcome(400, "invalid", `NHS Number ${VALID_NHS_NUMBER} is invalid`, [
          "recipient[0].identifier.value",
        ]);
      }),
      http.post(PUSH, () => HttpResponse.error()),
      http.get(RECEIPTS, () => new HttpResponse("<html>upstream 9434765919 failed</html>", { status: 502 })),
    );
    const client = testClient({ logger, hooks: { onRequest: record, onResponse: record, onRetry: record } });
    const message = inAppMessage({ nhsNumber: VALID_NHS_NUMBER, odsCode: "B82041", text: "Hello" });
    const errors: unknown[] = [];
    await client.sendInAppMessage(message);
    await client.sendInAppMessage(message).catch((e: unknown) => errors.push(e));
    await client
      .sendPushNotification(
        pushNotification({ nhsNumber: VALID_NHS_NUMBER, text: "Hi", url: "https://www.nhsapp.service.nhs.uk/" }),
      )
      .catch((e: unknown) => errors.push(e));
    await client.getReceiptReport({ day: "2024-03-01" }).catch((e: unknown) => errors.push(e));
    await client
      .sendInAppMessage({
        ...message,
        recipient: [{ identifier: { system: "https://fhir.nhs.uk/Id/nhs-number", value: "9434765910" } }],
      })
      .catch((e: unknown) => errors.push(e));

    server.use(
      http.post(TOKEN_URL, () =>
        HttpResponse.json({ error: "invalid_request", error_description: "nope" }, { status: 400 }),
      ),
    );
    await testClient({ logger })
      .getReceiptReport({ day: "2024-03-01" })
      .catch((e: unknown) => errors.push(e));

    expect(errors).toHaveLength(5);
    expect(lines.length).toBeGreaterThan(10);
    const output = [
      ...lines,
      ...hookPayloads,
      ...errors.flatMap((e) => [String(e), (e as Error).message, JSON.stringify(e), inspect(e)]),
      inspect(client),
      JSON.stringify(client),
    ].join("\n");

    const secrets = [
      ...privateKeyPem.split("\n").filter((line) => line.length > 20 && !line.startsWith("-----")),
      ...state.assertions.map((a) => a.raw),
      ...state.assertions.map((a) => a.raw.split(".")[2] as string),
      ...state.tokensIssued,
      VALID_NHS_NUMBER,
      "9434765910",
    ];
    expect(secrets.length).toBeGreaterThan(10);
    for (const secret of secrets) expect(output).not.toContain(secret);
    expect(output).not.toMatch(/Bearer\s+access-token/);
    expect(output).toContain("*******919");
  });
});
