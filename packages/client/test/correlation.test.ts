import { HttpResponse, http } from "msw";
import { describe, expect, it } from "vitest";
import { inAppMessage, type RequestInfo, type ServerError } from "../src/index.js";
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

describe("correlation IDs, hooks and the raw client", () => {
  it("keeps one correlation ID across retries and puts it on the error", async () => {
    const sent: (string | null)[] = [];
    server.use(
      tokenEndpoint().handler,
      http.get(RECEIPTS, ({ request }) => {
        sent.push(request.headers.get("x-correlation-id"));
        return operationOutcome(503, "unknown", "busy");
      }),
    );
    const error = (await testClient()
      .getReceiptReport({ day: "2024-03-01" }, { correlationId: "trace-42" })
      .catch((e: unknown) => e)) as ServerError;
    expect(sent).toEqual(["trace-42", "trace-42", "trace-42"]);
    expect(error.correlationId).toBe("trace-42");
  });

  it("tells the hooks about every attempt, without secrets", async () => {
    const events: string[] = [];
    const seen: RequestInfo[] = [];
    const { state, handler } = tokenEndpoint();
    let posts = 0;
    server.use(
      handler,
      http.post(IN_APP, async ({ request }) =>
        ++posts === 1
          ? operationOutcome(429, "throttled", "spike in traffic")
          : created((await request.json()) as Record<string, unknown>),
      ),
    );
    await testClient({
      hooks: {
        onRequest: (info) => {
          events.push(`request ${info.operation} #${info.attempt}`);
          seen.push(info);
        },
        onResponse: (info) => events.push(`response ${info.status}`),
        onRetry: (info) => events.push(`retry after ${info.reason}`),
      },
    }).sendInAppMessage(inAppMessage({ nhsNumber: "9434765919", odsCode: "B82041", text: "Hi" }));
    expect(events).toEqual([
      "request create-in-app #1",
      "response 429",
      "retry after status 429",
      "request create-in-app #2",
      "response 201",
    ]);
    expect(JSON.stringify(seen)).not.toContain(state.tokensIssued[0]);
  });

  it("a hook that throws does not break the call", async () => {
    server.use(
      tokenEndpoint().handler,
      http.get(RECEIPTS, () => HttpResponse.json({ resourceType: "Bundle", type: "searchset", link: [], entry: [] })),
    );
    const page = await testClient({
      hooks: {
        onRequest: () => {
          throw new Error("hook bug");
        },
      },
    }).getReceiptReport({ day: "2024-03-01" });
    expect(page.status).toBe(200);
  });

  it("gives raw openapi-fetch access with the token and a correlation ID applied", async () => {
    const { state, handler } = tokenEndpoint();
    const seen: { auth: string | null; correlation: string | null }[] = [];
    server.use(
      handler,
      http.get(RECEIPTS, ({ request }) => {
        seen.push({ auth: request.headers.get("authorization"), correlation: request.headers.get("x-correlation-id") });
        return HttpResponse.json({ resourceType: "Bundle", type: "searchset", link: [], entry: [] });
      }),
    );
    const client = testClient();
    const { data, response } = await client.raw.GET("/communication/report/receipts/FHIR/R4/Task", {
      params: { query: { day: "2024-03-01" }, header: { "X-Correlation-ID": "raw-1" } },
    });
    expect(response.status).toBe(200);
    expect(data?.resourceType).toBe("Bundle");
    await client.raw.GET("/communication/report/receipts/FHIR/R4/Task", { params: { query: { day: "2024-03-02" } } });
    expect(seen[0]).toEqual({ auth: `Bearer ${state.tokensIssued[0]}`, correlation: "raw-1" });
    expect(seen[1]?.correlation).toMatch(/^[0-9a-f-]{36}$/);
  });
});
