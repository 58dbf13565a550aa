import { inspect } from "node:util";
import { describe, expect, it, vi } from "vitest";
import { errorFromResponse, readBody } from "../src/errors/from-response.js";
import {
  AuthenticationError,
  BadRequestError,
  type RateLimitError,
  ServerError,
  UnexpectedResponseError,
} from "../src/index.js";

const request = {
  method: "POST",
  url: "https://x/communication/in-app/FHIR/R4/CommunicationRequest",
  operation: "create-in-app",
};
const fromBody = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  errorFromResponse({ status, headers: new Headers(headers), body, request, correlationId: "corr-1" });

describe("errors from responses", () => {
  it("reads any JSON content type, with or without charset, and HTML or empty bodies as text", async () => {
    const outcome = { resourceType: "OperationOutcome", issue: [{ severity: "error", code: "invalid" }] };
    for (const type of [
      "application/json",
      "application/fhir+json",
      "application/fhir+json; charset=utf-8",
      "text/plain",
    ]) {
      expect(await readBody(new Response(JSON.stringify(outcome), { headers: { "content-type": type } }))).toEqual(
        outcome,
      );
    }
    expect(await readBody(new Response("<html>Bad gateway</html>", { headers: { "content-type": "text/html" } }))).toBe(
      "<html>Bad gateway</html>",
    );
    expect(await readBody(new Response(""))).toBe("");
  });

  it("builds the message from the issues, with the correlation ID", () => {
    const error = fromBody(400, {
      resourceType: "OperationOutcome",
      issue: [
        {
          severity: "error",
          code: "invalid",
          diagnostics: "NHS Number is invalid",
          expression: ["recipient[0].identifier.value"],
        },
      ],
    });
    expect(error).toBeInstanceOf(BadRequestError);
    expect(error.kind).toBe("bad-request");
    expect(error.message).toBe(
      "400 Bad Request from create-in-app | invalid: NHS Number is invalid (at recipient[0].identifier.value) | correlation ID corr-1",
    );
  });

  it("copes with a gateway fault, a token-service body, HTML and an empty body", () => {
    const fault = fromBody(401, {
      fault: { faultstring: "Invalid ApiKey", detail: { errorcode: "oauth.v2.InvalidApiKey" } },
    });
    // issues holds an OperationOutcome's issues only; the gateway's own fault is exposed as what it is.
    expect(fault.issues).toEqual([]);
    expect(fault).toBeInstanceOf(AuthenticationError);
    expect((fault as AuthenticationError).issueCode).toBeUndefined();
    expect(fault.gatewayFault).toEqual({
      code: "oauth.v2.InvalidApiKey",
      description: "Invalid ApiKey",
      meaning: expect.stringContaining("API key"),
    });
    expect(fault.message).toContain("gateway fault oauth.v2.InvalidApiKey: Invalid ApiKey");
    expect(JSON.parse(JSON.stringify(fault)).gatewayFault.code).toBe("oauth.v2.InvalidApiKey");
    const unknownFault = fromBody(502, { fault: { faultstring: "Gateway Timeout" } });
    expect(unknownFault.gatewayFault).toMatchObject({ code: undefined, description: "Gateway Timeout" });
    const oauth = fromBody(400, { error: "invalid_request", error_description: "Missing client_assertion" });
    expect(oauth.issues).toEqual([]);
    expect(oauth.gatewayFault).toBeUndefined();
    const html = fromBody(502, "<html><body>Bad Gateway</body></html>");
    expect(html).toBeInstanceOf(ServerError);
    expect(html.issues).toEqual([]);
    expect(html.message).toContain("502 from create-in-app (non-JSON body)");
    expect(fromBody(418, "")).toBeInstanceOf(UnexpectedResponseError);
  });

  it("classifies 429s and reads Retry-After as seconds or a date", () => {
    const quota = fromBody(
      429,
      {
        resourceType: "OperationOutcome",
        issue: [
          {
            severity: "error",
            code: "throttled",
            diagnostics: "This API is currently receiving a high volume of requests and is being rate limited.",
          },
        ],
      },
      { "retry-after": "2" },
    ) as RateLimitError;
    expect(quota.limit).toBe("quota-proxy");
    expect(quota.retryAfterMs).toBe(2000);
    // A date a minute ahead, on a clock that stands still meanwhile.
    vi.useFakeTimers({ toFake: ["Date"], now: Date.parse("2026-03-02T10:00:00.000Z") });
    try {
      const dated = fromBody(429, "", { "retry-after": "Mon, 02 Mar 2026 10:01:00 GMT" }) as RateLimitError;
      expect(dated.limit).toBe("unknown");
      expect(dated.retryAfterMs).toBe(60_000);
    } finally {
      vi.useRealTimers();
    }
  });

  it("keeps the raw body off JSON and inspect output, and masks NHS numbers in messages", () => {
    const error = fromBody(400, {
      resourceType: "OperationOutcome",
      issue: [{ severity: "error", code: "invalid", diagnostics: "Patient 9434765919 is not registered" }],
    });
    expect(error.message).toContain("Patient *******919 is not registered");
    expect(error.message).not.toContain("9434765919");
    expect((error.body as { issue: unknown[] }).issue).toHaveLength(1);
    const json = JSON.stringify(error);
    expect(JSON.parse(json)).toMatchObject({ kind: "bad-request", status: 400, correlationId: "corr-1" });
    expect(json).not.toContain("9434765919");
    expect(inspect(error)).not.toContain("9434765919");
    expect(inspect(error)).toContain("BadRequestError [bad-request]");
  });

  it("masks NHS numbers written in groups too, and leaves other numbers alone", () => {
    const error = fromBody(400, {
      resourceType: "OperationOutcome",
      issue: [
        {
          severity: "error",
          code: "invalid",
          diagnostics:
            "Patients 943 476 5919, 943-476-5919, 943 4765919, ref-9434765919 and 9434765919-x; " +
            "request 12345678901, date 2026-11-24, code 123-456",
        },
      ],
    });
    expect(error.message).toContain("Patients *******919, *******919, *******919, ref-*******919 and *******919-x;");
    for (const form of ["943 476 5919", "943-476-5919", "9434765919"])
      expect(JSON.stringify(error)).not.toContain(form);
    expect(error.message).toContain("request 12345678901, date 2026-11-24, code 123-456");
  });
});
