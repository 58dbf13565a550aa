// Test support: a key pair made once per run, the repository's one token
// endpoint (the platform's rules, from @nhs-app-api/testing, reached here
// through the workspace root, which depends on it), and helpers to build the
// client against http://127.0.0.1 mocks. msw intercepts globalThis.fetch,
// which the client looks up at request time.
import { createTestKeys, FakeGateway, type ReceivedAssertion } from "@nhs-app-api/testing";
import { toMswResponse } from "@nhs-app-api/testing/msw";
import { HttpResponse, http } from "msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll } from "vitest";
import { createNhsAppClient, type LogFields, type NhsAppClientOptions } from "../src/index.js";

export const BASE_URL = "http://127.0.0.1:9/nhs-app";
export const TOKEN_URL = "http://127.0.0.1:9/oauth2/token";
export const API_KEY = "test-api-key";
export const KEY_ID = "test-key-1";

const keys = createTestKeys(KEY_ID);
export const privateKey = keys.privateKey;
export const publicKey = keys.publicKey;
export const privateKeyPem = keys.privateKeyPem;

export const server = setupServer();

/** Call in a test file's top level: msw for every test, failing on any request nobody expected. */
export function useMockServer() {
  beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
  afterEach(() => server.resetHandlers());
  afterAll(() => server.close());
}

export interface TokenEndpointState {
  /** Every assertion received, decoded. */
  readonly assertions: readonly ReceivedAssertion[];
  tokensIssued: string[];
  /** Set to make the next token responses fail, in order (after the assertion was checked and its jti burned). */
  failures: Response[];
  /** What the next token responses say in `expires_in` (the platform sends a string). */
  expiresIn: string | number;
}

/**
 * The platform's token endpoint, as the sandbox and the msw handlers run it,
 * with two test controls on top: queued failures, and the `expires_in` to
 * announce.
 */
export function tokenEndpoint(): { state: TokenEndpointState; handler: ReturnType<typeof http.post> } {
  const gateway = new FakeGateway({ baseUrl: BASE_URL, tokenUrl: TOKEN_URL, apiKey: API_KEY, keys });
  const state: TokenEndpointState = {
    get assertions() {
      return gateway.issuer.assertions;
    },
    tokensIssued: [],
    failures: [],
    expiresIn: "599",
  };
  const handler = http.post(TOKEN_URL, async ({ request }) => {
    const answer = await gateway.token({
      method: request.method,
      url: request.url,
      headers: request.headers,
      body: await request.text(),
    });
    if (answer.status !== 200) return toMswResponse(answer);
    const failure = state.failures.shift();
    if (failure) return failure;
    const token = answer.body as { access_token: string };
    state.tokensIssued.push(token.access_token);
    return HttpResponse.json({ ...token, expires_in: state.expiresIn });
  });
  return { state, handler };
}

export function testClient(overrides: Partial<NhsAppClientOptions> = {}) {
  return createNhsAppClient({
    environment: { baseUrl: BASE_URL, tokenUrl: TOKEN_URL },
    apiKey: API_KEY,
    keyId: KEY_ID,
    privateKey: privateKeyPem,
    retry: { baseDelayMs: 1, maxDelayMs: 5 },
    ...overrides,
  });
}

export const api = (path: string) => `${BASE_URL}${path}`;
export const IN_APP = api("/communication/in-app/FHIR/R4/CommunicationRequest");
export const PUSH = api("/communication/notification/FHIR/R4/CommunicationRequest");
export const RECEIPTS = api("/communication/report/receipts/FHIR/R4/Task");
export const PATIENTS = api("/communication/report/patients");

export const COMMUNICATION_ID = "8f7ec136-66eb-4a9e-97ca-5c7a53d2710c";

/** A 201 as the API sends it: the request echoed with the communication ID added. */
export function created(body: Record<string, unknown>, path = "in-app") {
  const identifier = [
    { system: "https://fhir.nhs.uk/Id/nhs-app-communication-id", value: COMMUNICATION_ID },
    ...((body.identifier as unknown[]) ?? []),
  ];
  return HttpResponse.json(
    { ...body, identifier },
    {
      status: 201,
      headers: {
        "content-type": "application/fhir+json",
        location: `${BASE_URL}/communication/${path}/FHIR/R4/CommunicationRequest/${COMMUNICATION_ID}`,
      },
    },
  );
}

export const operationOutcome = (status: number, code: string, diagnostics: string, expression?: string[]) =>
  HttpResponse.json(
    {
      resourceType: "OperationOutcome",
      issue: [{ severity: "error", code, diagnostics, ...(expression ? { expression } : {}) }],
    },
    { status, headers: { "content-type": "application/fhir+json" } },
  );

/** A logger that keeps every line, for the no-secrets checks. */
export function recordingLogger() {
  const lines: string[] = [];
  const record = (level: string) => (fields: LogFields, message: string) => {
    lines.push(`${level} ${message} ${JSON.stringify(fields)}`);
  };
  return {
    lines,
    logger: { debug: record("debug"), info: record("info"), warn: record("warn"), error: record("error") },
  };
}

export const VALID_NHS_NUMBER = "9434765919";
