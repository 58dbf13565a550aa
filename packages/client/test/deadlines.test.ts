// The timeout and the caller's AbortSignal cover the whole call: the wait for
// an access token, the answer, and its body to the last byte. A real loopback
// server plays the API here, because what matters is what a socket does when
// a server sends its headers and then goes quiet; msw plays the token endpoint.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { trace } from "@opentelemetry/api";
import { delay, HttpResponse, http } from "msw";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { TokenProvider } from "../src/auth/token-provider.js";
import { AuthenticationError, ConnectionError, inAppMessage, TimeoutError } from "../src/index.js";
import { server as msw, TOKEN_URL, testClient, tokenEndpoint, VALID_NHS_NUMBER } from "./support.js";

const message = inAppMessage({ nhsNumber: VALID_NHS_NUMBER, odsCode: "B82041", text: "Your results are ready." });

let api: Server;
let baseUrl: string;
let requests: string[] = [];
let answer: (request: IncomingMessage, response: ServerResponse) => void = () => undefined;
/** Resolves when the API has sent its headers, for the test that aborts mid-body. */
let headersSent: () => void = () => undefined;

beforeAll(async () => {
  msw.listen({ onUnhandledRequest: "bypass" });
  api = createServer((request, response) => {
    requests.push(`${request.method} ${request.url}`);
    request.resume();
    answer(request, response);
  });
  await new Promise<void>((resolve) => api.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}/nhs-app`;
});
afterEach(() => {
  vi.useRealTimers();
  msw.resetHandlers();
  api.closeAllConnections();
  requests = [];
});
afterAll(async () => {
  msw.close();
  await new Promise<void>((resolve) => api.close(() => resolve()));
});

/** Headers and half a body, then nothing more. */
const stallAfterHeaders = (status: number) => (_: IncomingMessage, response: ServerResponse) => {
  response.writeHead(status, { "content-type": "application/fhir+json", "content-length": "1000" });
  response.write('{"resourceType":');
  headersSent();
};

const client = (overrides: Parameters<typeof testClient>[0] = {}) =>
  testClient({ environment: { baseUrl, tokenUrl: TOKEN_URL }, ...overrides });

/**
 * The client with its access token already in hand (one quick report read,
 * forgotten afterwards): on a busy machine signing a token can outlast a
 * short deadline, and a call that times out waiting for its token rightly
 * sends nothing, which is not what the tests below are about.
 */
async function withToken(c: ReturnType<typeof client>) {
  answer = (_, response) => {
    response.writeHead(200, { "content-type": "application/fhir+json" });
    response.end('{"resourceType":"Bundle","type":"searchset","link":[],"entry":[]}');
  };
  await c.getReceiptReport({ day: "2026-11-23" }, { timeoutMs: 30_000 });
  requests = [];
  return c;
}

/**
 * A client whose answers' headers the test can wait for, with its token in
 * hand, and its deadlines' timers then on a fake clock: the test runs a
 * deadline out once the answer's headers are in, which a busy machine
 * cannot make it do any sooner.
 */
async function onFakeClock(timeoutMs: number) {
  let headers = () => {};
  const c = await withToken(client({ timeoutMs, hooks: { onResponse: () => headers() } }));
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
  const headersIn = new Promise<void>((resolve) => {
    headers = resolve;
  });
  return { c, headersIn };
}

describe("deadlines", () => {
  it("times out a POST whose answer stalls after its headers, and does not send it again", async () => {
    msw.use(tokenEndpoint().handler);
    const { c, headersIn } = await onFakeClock(300);
    answer = stallAfterHeaders(201);
    const call = c.sendInAppMessage(message).catch((e: unknown) => e);
    await headersIn;
    vi.advanceTimersByTime(300);
    const error = await call;
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as TimeoutError).mayHaveBeenProcessed).toBe(true);
    expect((error as TimeoutError).message).toContain("No complete answer within 300 ms");
    expect(requests).toEqual(["POST /nhs-app/communication/in-app/FHIR/R4/CommunicationRequest"]);
  });

  it("stops a report read when the caller aborts while the body is still arriving", async () => {
    msw.use(tokenEndpoint().handler);
    answer = stallAfterHeaders(200);
    const controller = new AbortController();
    const reason = new Error("the caller gave up");
    const arrived = new Promise<void>((resolve) => {
      headersSent = resolve;
    });
    const call = client({ timeoutMs: 60_000 })
      .getReceiptReport({ day: "2026-11-23" }, { signal: controller.signal })
      .catch((e: unknown) => e);
    await arrived;
    controller.abort(reason);
    expect(await call).toBe(reason);
    expect(requests).toHaveLength(1);
  });

  it("times out the raw client too, whose body is read for the caller within the deadline", async () => {
    msw.use(tokenEndpoint().handler);
    const { c, headersIn } = await onFakeClock(300);
    answer = stallAfterHeaders(200);
    const call = c.raw
      .GET("/communication/report/patients", { params: { query: { "ods-organisation-code": "T00001" } } })
      .catch((e: unknown) => e);
    await headersIn;
    vi.advanceTimersByTime(300);
    expect(await call).toBeInstanceOf(TimeoutError);
    expect(requests).toHaveLength(1);
  });

  it("counts the wait for an access token in the call's timeout, and says nothing was sent", async () => {
    msw.use(
      http.post(TOKEN_URL, async () => {
        await delay(2_000);
        return HttpResponse.json({ access_token: "late", expires_in: "599", token_type: "Bearer" });
      }),
    );
    answer = (_, response) => response.writeHead(201).end("{}");
    const error = await client({ timeoutMs: 100 })
      .sendInAppMessage(message)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as TimeoutError).mayHaveBeenProcessed).toBe(false);
    expect((error as TimeoutError).message).toContain("nothing was sent");
    expect(requests).toEqual([]);
  });

  it("has the token endpoint's own timeout and connection failures say that nothing was sent", async () => {
    const hang: typeof fetch = (_url, init) =>
      new Promise((_, reject) => init?.signal?.addEventListener("abort", () => reject(init.signal?.reason)));
    const refuse: typeof fetch = () => Promise.reject(new TypeError("fetch failed"));
    const provider = (fetchImpl: typeof fetch) =>
      new TokenProvider({
        apiKey: "key",
        kid: "kid",
        tokenUrl: TOKEN_URL,
        signer: async () => "signed",
        fetch: () => fetchImpl,
        timeoutMs: 50,
        logger: {},
        tracer: trace.getTracer("test"),
        userAgent: "test",
        maxAttempts: 1,
      });
    const timedOut = await provider(hang)
      .getToken()
      .catch((e: unknown) => e);
    expect(timedOut).toBeInstanceOf(TimeoutError);
    expect((timedOut as TimeoutError).mayHaveBeenProcessed).toBe(false);
    const refused = await provider(refuse)
      .getToken()
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ConnectionError);
    expect((refused as ConnectionError).neverReachedServer).toBe(true);
    // A token answer whose body stalls, or breaks off, fails the same way: never as a raw error.
    const stalledBody: typeof fetch = async (_url, init) =>
      new Response(
        new ReadableStream({
          start(controller) {
            controller.enqueue(new TextEncoder().encode('{"access_token":'));
            init?.signal?.addEventListener("abort", () => controller.error(init.signal?.reason));
          },
        }),
        { status: 200, headers: { "content-type": "application/json" } },
      );
    const brokenBody: typeof fetch = async () =>
      new Response(
        new ReadableStream({
          start(controller) {
            controller.error(new TypeError("terminated"));
          },
        }),
        { status: 200, headers: { "content-type": "application/json" } },
      );
    const stalled = await provider(stalledBody)
      .getToken()
      .catch((e: unknown) => e);
    expect(stalled).toBeInstanceOf(TimeoutError);
    expect((stalled as TimeoutError).mayHaveBeenProcessed).toBe(false);
    const broken = await provider(brokenBody)
      .getToken()
      .catch((e: unknown) => e);
    expect(broken).toBeInstanceOf(ConnectionError);
    expect((broken as ConnectionError).neverReachedServer).toBe(true);
  });
});

describe("token-endpoint failures", () => {
  it("carry each waiting call's own correlation ID, from one shared token request", async () => {
    let tokenRequests = 0;
    msw.use(
      http.post(TOKEN_URL, () => {
        tokenRequests++;
        return HttpResponse.json(
          {
            error: "invalid_request",
            error_description: "Missing 'kid' header in client_assertion JWT",
            message_id: "m-1",
          },
          { status: 400 },
        );
      }),
    );
    const nhsApp = client();
    const [a, b] = await Promise.all(
      ["corr-a", "corr-b"].map((correlationId) =>
        nhsApp.sendInAppMessage(message, { correlationId }).then(
          () => undefined,
          (e: unknown) => e as AuthenticationError,
        ),
      ),
    );
    expect(tokenRequests).toBe(1);
    for (const [error, id] of [
      [a, "corr-a"],
      [b, "corr-b"],
    ] as const) {
      expect(error).toBeInstanceOf(AuthenticationError);
      expect(error?.correlationId).toBe(id);
      expect(error?.description).toBe("Missing 'kid' header in client_assertion JWT");
      expect(error?.messageId).toBe("m-1");
      expect(error?.message).toContain(`correlation ID ${id}`);
      expect(JSON.parse(JSON.stringify(error)).correlationId).toBe(id);
    }
    expect(requests).toEqual([]);
  });
});

describe("what the raw client and a broken logger cannot break", () => {
  it("keeps a raw answer's status and URL, bodiless ones included", async () => {
    msw.use(tokenEndpoint().handler);
    for (const status of [200, 205]) {
      answer = (_, response) =>
        response.writeHead(status, { "content-type": "application/json" }).end(status === 200 ? "[]" : "");
      const { response } = await client().raw.GET("/communication/report/patients", {
        params: { query: { "ods-organisation-code": "T00001" } },
      });
      expect(response.status).toBe(status);
      expect(response.url).toBe(`${baseUrl}/communication/report/patients?ods-organisation-code=T00001`);
    }
  });

  it("sends a request once and returns its answer when the logger throws on every line", async () => {
    msw.use(tokenEndpoint().handler);
    answer = (_, response) => response.writeHead(200, { "content-type": "application/json" }).end("[]");
    const explode = () => {
      throw new Error("the log disk is full");
    };
    const page = await client({
      logger: { debug: explode, info: explode, warn: explode, error: explode },
    }).getPatientReport({
      odsCode: "T00001",
    });
    expect(page.items).toEqual([]);
    expect(requests).toHaveLength(1);
  });
});
