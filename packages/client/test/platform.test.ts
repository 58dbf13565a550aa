// ping() and status(): the platform's own endpoints, reached without an
// access token. No token endpoint is mocked here, and any request nobody
// expected fails the test, so a token fetched for them would show.
import { HttpResponse, http } from "msw";
import { describe, expect, it } from "vitest";
import { AuthenticationError, ServerError, UnexpectedResponseError } from "../src/index.js";
import { API_KEY, api, PATIENTS, server, testClient, tokenEndpoint, useMockServer } from "./support.js";

useMockServer();

const PING = api("/_ping");
const STATUS = api("/_status");

const release = {
  version: "v1.0.132-beta",
  revision: "132",
  releaseId: "13579",
  commitId: "23cd12327b53c0a3b1c8a5f4e1d2c3b4a5968778",
};
const statusBody = (status: "pass" | "fail") => ({
  status,
  ...release,
  checks: {
    "nhsa:status": [
      {
        status,
        timeout: status === "pass" ? "false" : "true",
        responseCode: status === "pass" ? 200 : null,
        outcome: status === "pass" ? "OK" : null,
        links: { self: "https://nhs-app.example/health-check" },
      },
    ],
  },
});

/** The platform's `_status`: the status key in `apikey`, else 401 with an empty text/plain body. */
function statusEndpoint(key: string, status: "pass" | "fail" = "pass") {
  const seen: Headers[] = [];
  server.use(
    http.get(STATUS, ({ request }) => {
      seen.push(request.headers);
      if (request.headers.get("apikey") !== key) {
        return new HttpResponse("", { status: 401, headers: { "content-type": "text/plain" } });
      }
      const correlationId = request.headers.get("x-correlation-id");
      return HttpResponse.json(statusBody(status), {
        headers: correlationId ? { "x-correlation-id": correlationId } : {},
      });
    }),
  );
  return seen;
}

describe("ping()", () => {
  it("asks _ping with no Authorization and no token request, and gives the release back, typed", async () => {
    const seen: Headers[] = [];
    server.use(
      http.get(PING, ({ request }) => {
        seen.push(request.headers);
        return HttpResponse.json(release, {
          headers: { "x-correlation-id": request.headers.get("x-correlation-id") ?? "" },
        });
      }),
    );
    const client = testClient();
    const result = await client.ping({ correlationId: "ping-1" });
    expect(result).toEqual({ body: release, status: 200, correlationId: "ping-1" });
    expect(result.body.commitId).toBe(release.commitId);
    expect(seen).toHaveLength(1);
    expect(seen[0]?.get("authorization")).toBeNull();
    expect(seen[0]?.get("apikey")).toBeNull();
    expect(seen[0]?.get("x-correlation-id")).toBe("ping-1");
    expect(client.tokenRequestCount).toBe(0);
  });

  it("makes up a correlation ID when none is given, as for every call", async () => {
    let sent: string | null = null;
    server.use(
      http.get(PING, ({ request }) => {
        sent = request.headers.get("x-correlation-id");
        return HttpResponse.json(release);
      }),
    );
    const result = await testClient().ping();
    expect(sent).toMatch(/^[0-9a-f-]{36}$/);
    expect(result.correlationId).toBe(sent);
  });

  it("turns a 5xx into the client's ServerError and a body that is not an object into UnexpectedResponseError", async () => {
    server.use(http.get(PING, () => new HttpResponse("", { status: 503 })));
    await expect(testClient().ping({ retry: { maxAttempts: 1 } })).rejects.toBeInstanceOf(ServerError);
    server.use(http.get(PING, () => HttpResponse.text("pong")));
    await expect(testClient().ping()).rejects.toBeInstanceOf(UnexpectedResponseError);
  });
});

describe("status()", () => {
  it("sends the client's API key in apikey, no Authorization, and reads pass", async () => {
    const seen = statusEndpoint(API_KEY);
    const client = testClient();
    const result = await client.status({ correlationId: "status-1" });
    expect(result.passed).toBe(true);
    expect(result.status).toBe(200);
    expect(result.correlationId).toBe("status-1");
    expect(result.body).toEqual(statusBody("pass"));
    expect(result.body.checks["nhsa:status"][0]?.responseCode).toBe(200);
    expect(seen[0]?.get("apikey")).toBe(API_KEY);
    expect(seen[0]?.get("authorization")).toBeNull();
    expect(client.tokenRequestCount).toBe(0);
  });

  it("sends statusApiKey instead when the platform gave a separate status key", async () => {
    const seen = statusEndpoint("the-status-key");
    const result = await testClient({ statusApiKey: "the-status-key" }).status();
    expect(result.passed).toBe(true);
    expect(seen[0]?.get("apikey")).toBe("the-status-key");
  });

  it("reads a 200 that reports fail as passed: false, not as an error", async () => {
    statusEndpoint(API_KEY, "fail");
    const result = await testClient().status();
    expect(result.passed).toBe(false);
    expect(result.body.checks["nhsa:status"][0]?.timeout).toBe("true");
  });

  it("turns the platform's 401 with an empty text/plain body into an AuthenticationError naming the status key", async () => {
    statusEndpoint("the-status-key");
    const error = await testClient()
      .status({ correlationId: "status-401" })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthenticationError);
    const refused = error as AuthenticationError;
    expect(refused.status).toBe(401);
    expect(refused.source).toBe("api");
    expect(refused.correlationId).toBe("status-401");
    expect(refused.message).toContain("status key");
    expect(refused.message).not.toContain(API_KEY);
    expect(refused.body).toBe("");
    expect(refused.request?.operation).toBe("get-status");
  });

  it("refuses an empty statusApiKey when the client is made", () => {
    expect(() => testClient({ statusApiKey: " " })).toThrow("statusApiKey, when given, must not be empty");
  });

  it("does not wait for the client's rate limit, which only the API's own calls spend", async () => {
    statusEndpoint(API_KEY);
    let reports = 0;
    server.use(
      tokenEndpoint().handler,
      http.get(PATIENTS, () => {
        reports++;
        return HttpResponse.json([]);
      }),
    );
    // One API call in 1000 s: a call queued behind the first cannot go during the test.
    const client = testClient({ rateLimit: { requestsPerSecond: 0.001, burst: 1 } });
    await client.getPatientReport({ odsCode: "A12345" }); // spends the only token
    const controller = new AbortController();
    const queued = client.getPatientReport({ odsCode: "A12345" }, { signal: controller.signal });
    // _status is answered while the API call asked for before it still waits for the rate limit.
    expect((await client.status()).passed).toBe(true);
    expect(reports).toBe(1);
    controller.abort(new Error("the queued call gave up"));
    await expect(queued).rejects.toThrow("the queued call gave up");
    expect(reports).toBe(1);
  });
});
