// Test support: a key pair made once per run, a token endpoint (msw) that
// enforces the platform's client-assertion rules, and helpers to build the
// client against http://127.0.0.1 mocks. msw intercepts globalThis.fetch,
// which the client looks up at request time.
import { generateKeyPairSync, type KeyObject } from "node:crypto";
import { decodeProtectedHeader, jwtVerify } from "jose";
import { HttpResponse, http } from "msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll } from "vitest";
import { createNhsAppClient, type NhsAppClientOptions } from "../src/index.js";

export const BASE_URL = "http://127.0.0.1:9/nhs-app";
export const TOKEN_URL = "http://127.0.0.1:9/oauth2/token";
export const API_KEY = "test-api-key";
export const KEY_ID = "test-key-1";

const pair = generateKeyPairSync("rsa", { modulusLength: 2048 });
export const privateKey: KeyObject = pair.privateKey;
export const publicKey: KeyObject = pair.publicKey;
export const privateKeyPem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();

export const server = setupServer();

/** Call in a test file's top level: msw for every test, failing on any request nobody expected. */
export function useMockServer() {
  beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
  afterEach(() => server.resetHandlers());
  afterAll(() => server.close());
}

export interface TokenEndpointState {
  /** Every assertion received, decoded. */
  assertions: { header: Record<string, unknown>; claims: Record<string, unknown>; raw: string }[];
  tokensIssued: string[];
  /** Set to make the next token responses fail, in order. */
  failures: Response[];
  expiresIn: string | number;
}

/** A token endpoint that checks what the platform checks, and answers as it does (expires_in as a string). */
export function tokenEndpoint(): { state: TokenEndpointState; handler: ReturnType<typeof http.post> } {
  const state: TokenEndpointState = { assertions: [], tokensIssued: [], failures: [], expiresIn: "599" };
  const seenJti = new Set<string>();
  const error = (status: number, description: string) =>
    HttpResponse.json({ error: "invalid_request", error_description: description, message_id: "rrt-test" }, { status });
  const handler = http.post(TOKEN_URL, async ({ request }) => {
    if (request.headers.get("content-type") !== "application/x-www-form-urlencoded") {
      return error(415, "Content-Type header must be application/x-www-form-urlencoded");
    }
    const form = new URLSearchParams(await request.text());
    const assertion = form.get("client_assertion") ?? "";
    if (form.get("grant_type") !== "client_credentials") return error(400, "grant_type is invalid");
    if (form.get("client_assertion_type") !== "urn:ietf:params:oauth:client-assertion-type:jwt-bearer") {
      return error(400, "Missing or invalid client_assertion_type");
    }
    let header: Record<string, unknown>;
    let claims: Record<string, unknown>;
    try {
      header = decodeProtectedHeader(assertion) as Record<string, unknown>;
      ({ payload: claims } = await jwtVerify(assertion, publicKey, { algorithms: ["RS512"], audience: TOKEN_URL }));
    } catch {
      return error(401, "JWT signature verification failed");
    }
    state.assertions.push({ header, claims, raw: assertion });
    const jti = String(claims.jti);
    if (seenJti.has(jti)) return error(400, "Non-unique 'jti' claim in client_assertion JWT");
    seenJti.add(jti);
    const failure = state.failures.shift();
    if (failure) return failure;
    const token = `access-token-${state.tokensIssued.length + 1}-${crypto.randomUUID()}`;
    state.tokensIssued.push(token);
    return HttpResponse.json({
      access_token: token,
      expires_in: state.expiresIn,
      token_type: "Bearer",
      issued_at: "1",
    });
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
  const record = (level: string) => (message: string, fields?: object) => {
    lines.push(`${level} ${message} ${JSON.stringify(fields ?? {})}`);
  };
  return {
    lines,
    logger: { debug: record("debug"), info: record("info"), warn: record("warn"), error: record("error") },
  };
}

export const VALID_NHS_NUMBER = "9434765919";
