import { HttpResponse, http } from "msw";
import { describe, expect, it } from "vitest";
import { assertionClaims } from "../src/auth/client-assertion.js";
import { AuthenticationError, inAppMessage } from "../src/index.js";
import {
  API_KEY,
  created,
  IN_APP,
  KEY_ID,
  operationOutcome,
  RECEIPTS,
  server,
  TOKEN_URL,
  testClient,
  tokenEndpoint,
  useMockServer,
} from "./support.js";

useMockServer();

const message = inAppMessage({ nhsNumber: "9434765919", odsCode: "B82041", text: "Hello" });
const receiptsOk = () =>
  HttpResponse.json({ resourceType: "Bundle", type: "searchset", link: [], entry: [] }, { status: 200 });

describe("signed JWT authentication", () => {
  it("signs an RS512 assertion with the platform's header and claims", async () => {
    const { state, handler } = tokenEndpoint();
    server.use(handler, http.get(RECEIPTS, receiptsOk));
    await testClient().getReceiptReport({ day: "2024-03-01" });
    const after = Date.now() / 1000;
    expect(state.assertions).toHaveLength(1);
    const [{ header, claims }] = state.assertions as [(typeof state.assertions)[0]];
    expect(header).toEqual({ alg: "RS512", typ: "JWT", kid: KEY_ID });
    expect(claims.iss).toBe(API_KEY);
    expect(claims.sub).toBe(API_KEY);
    expect(claims.aud).toBe(TOKEN_URL);
    expect(claims.jti).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    // Ahead of the signing, by at most 300 s: it was signed before `after`, so it is ahead of `after` and within
    // 300 s of it however long the call took. (The next test pins the lifetime on a fixed clock.)
    expect(Number(claims.exp)).toBeGreaterThan(after);
    expect(Number(claims.exp)).toBeLessThanOrEqual(after + 300);
    expect(claims).not.toHaveProperty("nbf");
    expect(claims).not.toHaveProperty("iat");
  });

  it("gives the assertion an exp 280 s after the whole second it is signed in: under the platform's 300", () => {
    const signedAt = Date.parse("2026-03-02T10:00:00.900Z");
    const { exp } = assertionClaims(API_KEY, TOKEN_URL, signedAt);
    expect(exp).toBe(Date.parse("2026-03-02T10:04:40.000Z") / 1000);
    expect(exp - signedAt / 1000).toBeLessThanOrEqual(300);
  });

  it("sends the token as a bearer token and reuses it while it is valid", async () => {
    const { state, handler } = tokenEndpoint();
    const seen: (string | null)[] = [];
    server.use(
      handler,
      http.get(RECEIPTS, ({ request }) => {
        seen.push(request.headers.get("authorization"));
        return receiptsOk();
      }),
    );
    const client = testClient();
    await client.getReceiptReport({ day: "2024-03-01" });
    await client.getReceiptReport({ day: "2024-03-02" });
    expect(state.tokensIssued).toHaveLength(1);
    expect(seen).toEqual([`Bearer ${state.tokensIssued[0]}`, `Bearer ${state.tokensIssued[0]}`]);
  });

  it("makes one token request for many concurrent calls", async () => {
    const { state, handler } = tokenEndpoint();
    server.use(handler, http.get(RECEIPTS, receiptsOk));
    const client = testClient();
    await Promise.all(Array.from({ length: 25 }, () => client.getReceiptReport({ day: "2024-03-01" })));
    expect(state.assertions).toHaveLength(1);
    expect(client.tokenRequestCount).toBe(1);
  });

  it("accepts expires_in as a number too, and renews a token that is about to expire", async () => {
    const { state, handler } = tokenEndpoint();
    state.expiresIn = 1; // renewed at half its life: every call here needs a new one
    server.use(handler, http.get(RECEIPTS, receiptsOk));
    const client = testClient();
    await client.getReceiptReport({ day: "2024-03-01" });
    await new Promise((resolve) => setTimeout(resolve, 600));
    await client.getReceiptReport({ day: "2024-03-01" });
    expect(state.tokensIssued).toHaveLength(2);
  });

  it("gives every token request a new jti", async () => {
    const { state, handler } = tokenEndpoint();
    state.expiresIn = "1";
    server.use(handler, http.get(RECEIPTS, receiptsOk));
    const client = testClient();
    await client.getReceiptReport({ day: "2024-03-01" });
    await new Promise((resolve) => setTimeout(resolve, 600));
    await client.getReceiptReport({ day: "2024-03-01" });
    const jtis = state.assertions.map((a) => a.claims.jti);
    expect(jtis).toHaveLength(2);
    expect(new Set(jtis).size).toBe(2);
  });

  it("renews an expired token once and replays the call, for a POST too", async () => {
    const { state, handler } = tokenEndpoint();
    let posts = 0;
    server.use(
      handler,
      http.post(IN_APP, async ({ request }) => {
        posts++;
        const body = (await request.json()) as Record<string, unknown>;
        if (request.headers.get("authorization") === `Bearer ${state.tokensIssued[0]}`) {
          return operationOutcome(401, "expired", "Access Token expired");
        }
        return created(body);
      }),
    );
    const result = await testClient().sendInAppMessage(message);
    expect(result.status).toBe(201);
    expect(posts).toBe(2);
    expect(state.tokensIssued).toHaveLength(2);
  });

  it("renews the token, and drops the old one, on the gateway's raw fault for an expired token too", async () => {
    const { state, handler } = tokenEndpoint();
    const seen: (string | null)[] = [];
    server.use(
      handler,
      http.get(RECEIPTS, ({ request }) => {
        seen.push(request.headers.get("authorization"));
        if (request.headers.get("authorization") === `Bearer ${state.tokensIssued[0]}`) {
          return HttpResponse.json(
            {
              fault: {
                faultstring: "Access Token expired",
                detail: { errorcode: "keymanagement.service.access_token_expired" },
              },
            },
            { status: 401 },
          );
        }
        return HttpResponse.json({ resourceType: "Bundle", type: "searchset", link: [], entry: [] });
      }),
    );
    const client = testClient();
    await client.getReceiptReport({ day: "2024-03-01" });
    expect(seen).toEqual([`Bearer ${state.tokensIssued[0]}`, `Bearer ${state.tokensIssued[1]}`]);
    expect(client.tokenRequestCount).toBe(2);
  });

  it("does not loop on 401 forbidden, nor on a second expired", async () => {
    const { state, handler } = tokenEndpoint();
    let gets = 0;
    server.use(
      handler,
      http.get(RECEIPTS, () => {
        gets++;
        return operationOutcome(401, "forbidden", "Invalid Access Token");
      }),
    );
    const error = await testClient()
      .getReceiptReport({ day: "2024-03-01" })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthenticationError);
    expect((error as AuthenticationError).issueCode).toBe("forbidden");
    expect((error as AuthenticationError).source).toBe("api");
    expect(gets).toBe(1);
    expect(state.tokensIssued).toHaveLength(1);

    let expiredGets = 0;
    server.use(
      http.get(RECEIPTS, () => {
        expiredGets++;
        return operationOutcome(401, "expired", "Access Token expired");
      }),
    );
    const client = testClient();
    const again = await client.getReceiptReport({ day: "2024-03-01" }).catch((e: unknown) => e);
    expect((again as AuthenticationError).issueCode).toBe("expired");
    expect(expiredGets).toBe(2);
    expect(client.tokenRequestCount).toBe(2);

    // Having given up, the client has dropped the expired token: the next call starts with a new one.
    const seen: (string | null)[] = [];
    server.use(
      http.get(RECEIPTS, ({ request }) => {
        seen.push(request.headers.get("authorization"));
        return HttpResponse.json({ resourceType: "Bundle", type: "searchset", link: [], entry: [] });
      }),
    );
    await client.getReceiptReport({ day: "2024-03-01" });
    expect(client.tokenRequestCount).toBe(3);
    expect(seen).toEqual([`Bearer ${state.tokensIssued.at(-1)}`]);
  });

  it("turns token-endpoint errors into an AuthenticationError with the service's description", async () => {
    server.use(
      http.post(TOKEN_URL, () =>
        HttpResponse.json(
          {
            error: "invalid_request",
            error_description: "Invalid 'kid' header in client_assertion JWT - no matching public key",
            message_id: "rrt-42",
          },
          { status: 401 },
        ),
      ),
    );
    const error = (await testClient()
      .getReceiptReport({ day: "2024-03-01" })
      .catch((e: unknown) => e)) as AuthenticationError;
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error.source).toBe("token-endpoint");
    expect(error.status).toBe(401);
    expect(error.issueCode).toBe("invalid_request");
    expect(error.description).toBe("Invalid 'kid' header in client_assertion JWT - no matching public key");
    expect(error.messageId).toBe("rrt-42");
    expect(error.message).toContain("no matching public key");
  });

  it("retries a token request that failed with 5xx, with a new assertion", async () => {
    const { state, handler } = tokenEndpoint();
    state.failures.push(HttpResponse.json({ error: "unknown_error", error_description: "boom" }, { status: 503 }));
    server.use(handler, http.get(RECEIPTS, receiptsOk));
    await testClient().getReceiptReport({ day: "2024-03-01" });
    expect(state.assertions).toHaveLength(2);
    expect(state.assertions[0]?.claims.jti).not.toBe(state.assertions[1]?.claims.jti);
    expect(state.tokensIssued).toHaveLength(1);
  });

  it("uses a custom signer instead of a key (for keys held in a KMS)", async () => {
    const { state, handler } = tokenEndpoint();
    server.use(handler, http.get(RECEIPTS, receiptsOk));
    const { keySignerForTests } = await import("./signer.js");
    const calls: unknown[] = [];
    const client = testClient({
      privateKey: undefined,
      signer: async (claims, header) => {
        calls.push({ claims, header });
        return keySignerForTests(claims, header);
      },
    });
    await client.getReceiptReport({ day: "2024-03-01" });
    expect(calls).toHaveLength(1);
    expect(state.tokensIssued).toHaveLength(1);
  });
});
