// A POST is retried only where it certainly was not processed; GETs retry
// network failures, 429 and 5xx. Every test counts what reached the server.
import { HttpResponse, http } from "msw";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ConnectionError, inAppMessage, RateLimitError, ServerError, TimeoutError } from "../src/index.js";
import {
  created,
  IN_APP,
  operationOutcome,
  RECEIPTS,
  server,
  testClient,
  tokenEndpoint,
  useMockServer,
} from "./support.js";

useMockServer();
afterEach(() => {
  vi.useRealTimers();
});

const message = inAppMessage({ nhsNumber: "9434765919", odsCode: "B82041", text: "Your results are ready." });
const bundle = () => HttpResponse.json({ resourceType: "Bundle", type: "searchset", link: [], entry: [] });

/** Answers the in-app endpoint from a script, one entry per request, and records each body received. */
function scriptedInApp(script: (() => Response | Promise<Response>)[]) {
  const bodies: unknown[] = [];
  server.use(
    tokenEndpoint().handler,
    http.post(IN_APP, async ({ request }) => {
      bodies.push(await request.json());
      const next = script.shift();
      if (!next) throw new Error("more requests than the script expected");
      return next();
    }),
  );
  return bodies;
}

describe("retries of message requests (POST)", () => {
  it("sends a POST that gets a 500 exactly once", async () => {
    const bodies = scriptedInApp([() => operationOutcome(500, "unknown", "An unknown error occurred")]);
    const error = await testClient()
      .sendInAppMessage(message)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServerError);
    expect(bodies).toHaveLength(1);
  });

  it("sends a POST that gets 429 and then 201 twice, with the whole body both times", async () => {
    const bodies = scriptedInApp([
      () =>
        operationOutcome(
          429,
          "throttled",
          "Your application, my-app, has created a spike in traffic and is being rate limited.",
        ),
      () => created(message as unknown as Record<string, unknown>),
    ]);
    const result = await testClient().sendInAppMessage(message);
    expect(result.status).toBe(201);
    expect(bodies).toEqual([message, message]);
  });

  it("gives up on 429 after the maximum attempts with a RateLimitError that says which limit", async () => {
    const throttle = () =>
      operationOutcome(
        429,
        "throttled",
        "Your application, my-app, has exceeded its quota of 100 requests every 1 minute(s) and is being rate limited.",
      );
    const bodies = scriptedInApp([throttle, throttle, throttle]);
    const error = (await testClient()
      .sendInAppMessage(message)
      .catch((e: unknown) => e)) as RateLimitError;
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error.limit).toBe("quota-app");
    expect(bodies).toHaveLength(3);
  });

  it("does not retry a POST that timed out, since it may have arrived", async () => {
    let arrived!: () => void;
    const atServer = new Promise<void>((resolve) => {
      arrived = resolve;
    });
    // The API takes the request and never answers.
    const bodies = scriptedInApp([
      () =>
        new Promise<Response>(() => {
          arrived();
        }),
    ]);
    // The token first, so that the deadline below is the request's alone.
    server.use(http.get(RECEIPTS, bundle));
    const client = testClient();
    await client.getReceiptReport({ day: "2026-11-23" });
    // The deadline's timer on a fake clock, run out once the request has reached the API: a busy machine
    // cannot make it run out before the request is even sent.
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    const call = client.sendInAppMessage(message, { timeoutMs: 50 }).catch((e: unknown) => e);
    await atServer;
    vi.advanceTimersByTime(50);
    const error = await call;
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as TimeoutError).mayHaveBeenProcessed).toBe(true);
    expect(bodies).toHaveLength(1);
  });

  it("does not retry a POST whose connection dropped after it was sent", async () => {
    const bodies = scriptedInApp([() => HttpResponse.error()]);
    const error = await testClient()
      .sendInAppMessage(message)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as ConnectionError).neverReachedServer).toBe(false);
    // Like the timeout, it says the message may have been delivered: nobody should simply send it again.
    expect((error as ConnectionError).message).toContain(
      "after the request was sent; the request may have been processed",
    );
    expect(bodies).toHaveLength(1);
  });

  it("retries a POST whose connection was refused, because it never arrived", async () => {
    const { handler, state } = tokenEndpoint();
    server.use(handler);
    let attempts = 0;
    // A fetch that refuses the first API connection as undici does, then passes requests to msw.
    const refusingFetch: typeof fetch = async (input, init) => {
      const url = input instanceof Request ? input.url : String(input);
      if (url === IN_APP && attempts++ === 0) {
        throw new TypeError("fetch failed", {
          cause: Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }),
        });
      }
      return fetch(input, init);
    };
    const bodies: unknown[] = [];
    server.use(
      http.post(IN_APP, async ({ request }) => {
        bodies.push(await request.json());
        return created(message as unknown as Record<string, unknown>);
      }),
    );
    const result = await testClient({ fetch: refusingFetch }).sendInAppMessage(message);
    expect(result.status).toBe(201);
    expect(attempts).toBe(2);
    expect(bodies).toEqual([message]);
    expect(state.tokensIssued).toHaveLength(1);
  });

  it("retries a POST after a 500 only when the caller accepts duplicate messages", async () => {
    const bodies = scriptedInApp([
      () => operationOutcome(500, "unknown", "An unknown error occurred"),
      () => created(message as unknown as Record<string, unknown>),
    ]);
    const result = await testClient({ retry: { baseDelayMs: 1, allowDuplicateMessages: true } }).sendInAppMessage(
      message,
    );
    expect(result.status).toBe(201);
    expect(bodies).toHaveLength(2);
  });
});

describe("retries of report requests (GET)", () => {
  function scriptedReceipts(script: (() => Response)[]) {
    let count = 0;
    server.use(
      tokenEndpoint().handler,
      http.get(RECEIPTS, () => {
        count++;
        const next = script.shift();
        if (!next) throw new Error("more requests than the script expected");
        return next();
      }),
    );
    return () => count;
  }

  it("retries 5xx and network failures until success", async () => {
    const count = scriptedReceipts([() => new HttpResponse(null, { status: 503 }), () => HttpResponse.error(), bundle]);
    const page = await testClient().getReceiptReport({ day: "2024-03-01" });
    expect(page.status).toBe(200);
    expect(count()).toBe(3);
  });

  it("stops at the maximum number of attempts", async () => {
    const count = scriptedReceipts([
      () => new HttpResponse(null, { status: 502 }),
      () => new HttpResponse(null, { status: 502 }),
    ]);
    const error = await testClient({ retry: { maxAttempts: 2, baseDelayMs: 1 } })
      .getReceiptReport({ day: "2024-03-01" })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServerError);
    expect((error as ServerError).status).toBe(502);
    expect(count()).toBe(2);
  });

  it("honours Retry-After, and stops when the wait would pass the time budget", async () => {
    const delays: number[] = [];
    const count = scriptedReceipts([
      () => new HttpResponse(null, { status: 429, headers: { "retry-after": "0" } }),
      () => new HttpResponse(null, { status: 429, headers: { "retry-after": "120" } }),
    ]);
    const error = await testClient({ hooks: { onRetry: (info) => delays.push(info.delayMs) } })
      .getReceiptReport({ day: "2024-03-01" })
      .catch((e: unknown) => e);
    expect(delays).toEqual([0]);
    expect(count()).toBe(2);
    expect(error).toBeInstanceOf(RateLimitError);
    expect((error as RateLimitError).retryAfterMs).toBe(120_000);
  });

  it("does not retry a 4xx other than 429", async () => {
    const count = scriptedReceipts([() => operationOutcome(400, "invalid", "Invalid format", ["day"])]);
    await expect(testClient().getReceiptReport({ day: "2024-03-01" }, { validate: false })).rejects.toThrow(
      "Invalid format",
    );
    expect(count()).toBe(1);
  });

  it("sends nothing at all when the caller's signal is already aborted, through any door", async () => {
    const bodies = scriptedInApp([() => created({})]);
    const count = scriptedReceipts([bundle]);
    const aborted = AbortSignal.abort(new Error("cancelled before the start"));
    const client = testClient();
    await expect(client.sendInAppMessage(message, { signal: aborted })).rejects.toThrow("cancelled before the start");
    await expect(client.getReceiptReport({ day: "2024-03-01" }, { signal: aborted })).rejects.toThrow(
      "cancelled before the start",
    );
    await expect(
      client.raw.POST("/communication/in-app/FHIR/R4/CommunicationRequest", { body: message, signal: aborted }),
    ).rejects.toThrow();
    expect(bodies).toHaveLength(0);
    expect(count()).toBe(0);
  });

  it("stops retrying, and waiting, when the caller aborts", async () => {
    const count = scriptedReceipts([() => new HttpResponse(null, { status: 503 }), bundle]);
    const controller = new AbortController();
    const client = testClient({
      retry: { baseDelayMs: 10_000, maxDelayMs: 10_000 },
      hooks: { onRetry: () => controller.abort(new Error("caller gave up")) },
    });
    await expect(client.getReceiptReport({ day: "2024-03-01" }, { signal: controller.signal })).rejects.toThrow(
      "caller gave up",
    );
    expect(count()).toBe(1);
  });
});
