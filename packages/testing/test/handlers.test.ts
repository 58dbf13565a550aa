import {
  AuthenticationError,
  BadRequestError,
  inAppMessage,
  keywordReply,
  pushNotification,
} from "@nhs-app-api/client";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  createTestClient,
  exampleNames,
  exampleResponse,
  type OperationId,
  patientReportPage,
  receiptReportPage,
  responseBodyIssues,
  testNhsNumber,
} from "../src/index.js";
import { createNhsAppMock } from "../src/msw.js";

const mock = createNhsAppMock();
const IN_APP = "/communication/in-app/FHIR/R4/CommunicationRequest";
const PUSH = "/communication/notification/FHIR/R4/CommunicationRequest";
const RECEIPTS = "/communication/report/receipts/FHIR/R4/Task";
const PATIENTS = "/communication/report/patients";
const server = setupServer(...mock.handlers);
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => {
  server.resetHandlers();
  mock.requests.length = 0;
  mock.gateway.clearCreatedMessages();
});
afterAll(() => server.close());

describe("the mocks cannot drift from the contract", () => {
  const statuses: Record<OperationId, number[]> = {
    "create-in-app": [201, 400, 401, 403, 429, 500],
    "create-notification": [201, 400, 401, 403, 429, 500],
    "get-receipt-report": [200, 400, 401, 403, 404, 429, 500],
    "get-patient-report": [200, 400, 401, 403, 404, 429, 500],
    "get-ping": [200],
    // Its 401 has an empty text/plain body, not JSON (platform-endpoints.test.ts checks it).
    "get-status": [200],
  };
  for (const [operation, list] of Object.entries(statuses) as [OperationId, number[]][]) {
    for (const status of list) {
      it(`every ${status} example of ${operation} validates against the spec`, () => {
        const names = exampleNames(operation, status);
        expect(names.length).toBeGreaterThan(0);
        for (const name of names) {
          expect(responseBodyIssues(operation, status, exampleResponse(operation, status, name).body)).toEqual([]);
        }
      });
    }
  }

  it("what the handlers themselves answer validates against the spec: successes, validation 400s and 401s", async () => {
    const client = createTestClient(mock);
    const message = inAppMessage({ nhsNumber: testNhsNumber(1), odsCode: "B82041", text: "Hello" });
    const push = pushNotification({ nhsNumber: testNhsNumber(2), text: "Hello", url: "https://www.nhs.uk" });
    const correlation = { "X-Correlation-ID": "drift-check" };
    const cases: [OperationId, number, () => Promise<{ data?: unknown; error?: unknown; response: Response }>][] = [
      ["create-in-app", 201, () => client.raw.POST(IN_APP, { body: message, headers: correlation })],
      [
        "create-in-app",
        400,
        () => client.raw.POST(IN_APP, { body: { ...message, recipient: [] }, headers: correlation }),
      ],
      ["create-notification", 201, () => client.raw.POST(PUSH, { body: push, headers: correlation })],
      [
        "get-receipt-report",
        200,
        () => client.raw.GET(RECEIPTS, { params: { query: { day: "2026-11-23" } }, headers: correlation }),
      ],
      [
        "get-receipt-report",
        400,
        () => client.raw.GET(RECEIPTS, { params: { query: { day: "23/11/2026" } }, headers: correlation }),
      ],
      [
        "get-patient-report",
        200,
        () =>
          client.raw.GET(PATIENTS, { params: { query: { "ods-organisation-code": "T00001" } }, headers: correlation }),
      ],
      [
        "get-patient-report",
        400,
        () => client.raw.GET(PATIENTS, { params: { query: { "ods-organisation-code": "abc" } }, headers: correlation }),
      ],
    ];
    for (const [operation, status, call] of cases) {
      const { data, error, response } = await call();
      expect(`${operation} ${response.status}`).toBe(`${operation} ${status}`);
      expect(responseBodyIssues(operation, status, data ?? error)).toEqual([]);
      expect(response.headers.get("x-correlation-id")).toBe("drift-check");
      if (status === 201) expect(response.headers.get("location")).toMatch(/^https?:\/\/\S+\/[0-9a-f-]{36}$/);
    }
    const unauthenticated = await fetch(`${mock.baseUrl}${PATIENTS}?ods-organisation-code=T00001`);
    expect(unauthenticated.status).toBe(401);
    expect(responseBodyIssues("get-patient-report", 401, await unauthenticated.json())).toEqual([]);
  });

  it("refuses a message sent with a media type its endpoint does not accept, in the spec's 400 shape", async () => {
    const client = createTestClient(mock);
    const message = inAppMessage({ nhsNumber: testNhsNumber(1), odsCode: "B82041", text: "Hello" });
    const { error, response } = await client.raw.POST(IN_APP, {
      body: message,
      headers: { "Content-Type": "text/plain" },
    });
    expect(response.status).toBe(400);
    expect(responseBodyIssues("create-in-app", 400, error)).toEqual([]);
    expect(JSON.stringify(error)).toContain("Unsupported Content-Type text/plain: send application/json");
  });

  it("built report pages of any size validate against the spec", () => {
    for (const page of [1, 2, 5]) {
      const receipts = receiptReportPage({ baseUrl: mock.baseUrl, day: "2024-03-01", page, pageCount: 5, perPage: 7 });
      expect(responseBodyIssues("get-receipt-report", 200, receipts.body)).toEqual([]);
      const patients = patientReportPage({ baseUrl: mock.baseUrl, odsCode: "T00001", page, pageCount: 5, perPage: 7 });
      expect(responseBodyIssues("get-patient-report", 200, patients.body)).toEqual([]);
    }
    expect(responseBodyIssues("get-patient-report", 200, [{ nhsNumber: "123" }])).not.toEqual([]);
  });

  it("makes valid NHS numbers for fixtures", async () => {
    const { isValidNhsNumber } = await import("@nhs-app-api/client");
    for (let n = 0; n < 50; n++) expect(isValidNhsNumber(testNhsNumber(n))).toBe(true);
  });
});

describe("the msw handlers", () => {
  it("serve a client end to end: token, in-app message, push notification and both reports", async () => {
    const client = createTestClient(mock);
    const sent = await client.sendInAppMessage(
      inAppMessage({ nhsNumber: "9434765919", odsCode: "B82041", text: "Hi", reply: keywordReply(["YES", "NO"]) }),
    );
    // A fresh communication ID each, the request echoed (its reply Questionnaire included).
    expect(sent.communicationId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(sent.resource.contained?.[0]?.id).toBe("answeroptions");
    const push = await client.sendPushNotification(
      pushNotification({ nhsNumber: "9434765919", text: "Hi", url: "https://www.nhsapp.service.nhs.uk/" }),
    );
    expect(push.communicationId).not.toBe(sent.communicationId);
    expect(mock.createdMessages.map((m) => m.communicationId)).toEqual([sent.communicationId, push.communicationId]);
    const receipts = await client.getReceiptReport({ day: "2022-08-19" });
    expect(receipts.items.length).toBe(4);
    expect(receipts.lastPage).toBe(3);
    const patients = await client.getPatientReport({ odsCode: "Y00001" });
    expect(patients.items[0]?.nhsNumber).toBe("9074662803");
    expect(mock.requests.map((r) => r.operation)).toEqual([
      "token",
      "create-in-app",
      "create-notification",
      "get-receipt-report",
      "get-patient-report",
    ]);
  });

  it("validate requests against the spec and answer in the API's 400 shape", async () => {
    const client = createTestClient(mock, { validate: false });
    const message = { ...inAppMessage({ nhsNumber: "9434765910", odsCode: "b82041", text: "x".repeat(5001) }) };
    const error = (await client.sendInAppMessage(message).catch((e: unknown) => e)) as BadRequestError;
    expect(error).toBeInstanceOf(BadRequestError);
    expect(error.issues.map((i) => `${i.expression?.[0]}: ${i.diagnostics}`).sort()).toEqual([
      "payload[0].contentString: Exceeds maximum length",
      "recipient[0].identifier.value: NHS Number is invalid",
    ]);
    const missing = (await client.getReceiptReport({ day: "2021-13-01" }).catch((e: unknown) => e)) as BadRequestError;
    expect(missing.issues).toEqual([
      { severity: "error", code: "invalid", diagnostics: "Invalid format", expression: ["day"] },
    ]);
  });

  it("refuse requests without a valid token", async () => {
    const response = await fetch(`${mock.baseUrl}/communication/report/patients?ods-organisation-code=A12345`, {
      headers: { authorization: "Bearer made-up" },
    });
    expect(response.status).toBe(401);
    expect(((await response.json()) as { issue: { code: string }[] }).issue[0]?.code).toBe("forbidden");
  });

  it("enforce the platform's client-assertion rules at the token endpoint", async () => {
    const wrongKey = createTestClient(mock, { keyId: "unknown-kid" });
    const error = (await wrongKey
      .getPatientReport({ odsCode: "A12345" })
      .catch((e: unknown) => e)) as AuthenticationError;
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error.description).toBe("Invalid 'kid' header in client_assertion JWT - no matching public key");
    const form = new URLSearchParams({ grant_type: "password" });
    const response = await fetch(mock.tokenUrl, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: form,
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      error: "unsupported_grant_type",
      error_description: "grant_type is invalid",
    });
  });

  it("let a test choose a response, by example name or typed body, once", async () => {
    const client = createTestClient(mock);
    server.use(
      mock.respond("create-in-app", 403, { example: "missing-app-message-permission" }, { once: true }),
      mock.respond("get-patient-report", 200, {
        body: [{ nhsNumber: "9434765919", notificationsEnabled: false }],
        headers: {
          link: `<${mock.baseUrl}/communication/report/patients?ods-organisation-code=A12345&page=1>; rel="last"`,
        },
      }),
    );
    const message = inAppMessage({ nhsNumber: "9434765919", odsCode: "B82041", text: "Hi" });
    await expect(client.sendInAppMessage(message)).rejects.toMatchObject({ kind: "permission", status: 403 });
    await expect(client.sendInAppMessage(message)).resolves.toMatchObject({ status: 201 });
    const page = await client.getPatientReport({ odsCode: "A12345" });
    expect(page.items).toEqual([{ nhsNumber: "9434765919", notificationsEnabled: false }]);
    expect(page.lastPage).toBe(1);
    // @ts-expect-error a 418 is not a response of create-in-app
    mock.respond("create-in-app", 418, { example: "x" });
    // @ts-expect-error the body of a 201 must be an in-app CommunicationRequest
    mock.respond("create-in-app", 201, { body: { resourceType: 42 } });
  });
});
