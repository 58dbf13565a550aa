// Spans through @opentelemetry/api, recorded by the SDK's in-memory exporter:
// one INTERNAL span per call, a CLIENT child span per attempt (so retries
// show), a CLIENT child span per token request (one CLIENT span per HTTP
// request, as the semantic conventions ask, so that span-derived HTTP metrics
// count each request once), the HTTP semantic conventions' attributes, and
// never a token, an assertion or an NHS number.
import { SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { inAppMessage, ServerError } from "../src/index.js";
import { telemetryUrl } from "../src/redaction.js";
import { type LoopbackApi, loopbackPrivateKeyPem, outcomeAnswer, startLoopbackApi } from "./loopback.js";
import { VALID_NHS_NUMBER } from "./support.js";

const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
const message = inAppMessage({ nhsNumber: VALID_NHS_NUMBER, odsCode: "B82041", text: "Your results are ready." });

let api: LoopbackApi;
beforeAll(async () => {
  api = await startLoopbackApi();
});
afterEach(() => exporter.reset());
afterAll(() => api.close());

const spans = () => exporter.getFinishedSpans();
const named = (name: string) => spans().filter((span) => span.name === name);
const only = (name: string) => {
  const found = named(name);
  expect(found, name).toHaveLength(1);
  return found[0] as ReadableSpan;
};
const childrenOf = (parent: ReadableSpan) =>
  spans().filter((span) => span.parentSpanContext?.spanId === parent.spanContext().spanId);
const clientSpans = () => spans().filter((span) => span.kind === SpanKind.CLIENT);

describe("OpenTelemetry spans", () => {
  it("a successful call: one INTERNAL span with HTTP attributes, a CLIENT attempt span and a CLIENT token span under it", async () => {
    const from = api.received.length;
    const sent = await api.client({ tracerProvider: provider }).sendInAppMessage(message);
    const call = only("nhs-app create-in-app");
    const url = `${api.baseUrl}/communication/in-app/FHIR/R4/CommunicationRequest`;
    expect(call.kind).toBe(SpanKind.INTERNAL);
    expect(call.status.code).toBe(SpanStatusCode.UNSET);
    expect(call.attributes).toEqual({
      "nhs_app.operation": "create-in-app",
      "nhs_app.correlation_id": sent.correlationId,
      "http.request.method": "POST",
      "url.full": url,
      "server.address": "127.0.0.1",
      "server.port": api.port,
      "http.response.status_code": 201,
    });
    const [attempt, ...others] = childrenOf(call);
    expect(others).toEqual([]);
    expect(attempt?.name).toBe("POST");
    expect(attempt?.kind).toBe(SpanKind.CLIENT);
    expect(attempt?.attributes).toEqual({
      "http.request.method": "POST",
      "url.full": url,
      "server.address": "127.0.0.1",
      "server.port": api.port,
      "http.response.status_code": 201,
    });
    const token = only("nhs-app token");
    expect(token.parentSpanContext?.spanId).toBe(attempt?.spanContext().spanId);
    expect(token.kind).toBe(SpanKind.CLIENT);
    // Two HTTP requests (the token, the message), two CLIENT spans: the call adds none.
    expect(api.received.length - from).toBe(2);
    expect(clientSpans().map((span) => span.name)).toEqual(["nhs-app token", "POST"]);
    expect(token.attributes).toMatchObject({
      "http.request.method": "POST",
      "url.full": api.tokenUrl,
      "http.response.status_code": 200,
    });
    expect(new Set(spans().map((span) => span.spanContext().traceId)).size).toBe(1);
  });

  it("a retried call: one CLIENT span per attempt with its resend count, and a retry event per wait", async () => {
    const from = api.received.length;
    api.script.push(outcomeAnswer(503, "unknown", "busy"), {
      status: 502,
      headers: { "content-type": "text/html" },
      body: "<html>bad gateway</html>",
    });
    const page = await api.client({ tracerProvider: provider }).getReceiptReport({ day: "2024-03-01" });
    expect(page.status).toBe(200);
    const call = only("nhs-app get-receipt-report");
    expect(call.kind).toBe(SpanKind.INTERNAL);
    expect(call.status.code).toBe(SpanStatusCode.UNSET);
    // A report's query holds a day (or an ODS code) and a page: kept.
    expect(call.attributes["url.full"]).toBe(
      `${api.baseUrl}/communication/report/receipts/FHIR/R4/Task?day=2024-03-01`,
    );
    expect(call.attributes["http.response.status_code"]).toBe(200);
    const attempts = childrenOf(call).filter((span) => span.name === "GET");
    expect(
      attempts.map((span) => ({
        status: span.attributes["http.response.status_code"],
        resend: span.attributes["http.request.resend_count"],
        error: span.attributes["error.type"],
        code: span.status.code,
      })),
    ).toEqual([
      { status: 503, resend: undefined, error: "503", code: SpanStatusCode.ERROR },
      { status: 502, resend: 1, error: "502", code: SpanStatusCode.ERROR },
      { status: 200, resend: 2, error: undefined, code: SpanStatusCode.UNSET },
    ]);
    expect(attempts.map((span) => span.kind)).toEqual([SpanKind.CLIENT, SpanKind.CLIENT, SpanKind.CLIENT]);
    // One CLIENT span per HTTP request over the socket (a token request and three attempts), and no other.
    const requests = api.received.slice(from);
    expect(requests.map((request) => request.method)).toEqual(["POST", "GET", "GET", "GET"]);
    expect(clientSpans()).toHaveLength(requests.length);
    expect(clientSpans().map((span) => span.name)).toEqual(["nhs-app token", "GET", "GET", "GET"]);
    const retries = call.events.filter((event) => event.name === "nhs_app.retry");
    expect(
      retries.map((event) => [
        event.attributes?.["http.request.resend_count"],
        event.attributes?.["nhs_app.retry.reason"],
      ]),
    ).toEqual([
      [1, "status 503"],
      [2, "status 502"],
    ]);
  });

  it("a failed call: status ERROR with the error's class name, and the attempt's own error type", async () => {
    api.script.push(outcomeAnswer(500, "exception", "An unknown error occurred"));
    const error = await api
      .client({ tracerProvider: provider })
      .sendInAppMessage(message)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServerError);
    const call = only("nhs-app create-in-app");
    expect(call.status).toEqual({ code: SpanStatusCode.ERROR, message: "ServerError" });
    expect(call.attributes["error.type"]).toBe("ServerError");
    expect(call.attributes["http.response.status_code"]).toBe(500);
    expect(call.events.find((event) => event.name === "exception")?.attributes?.["exception.type"]).toBe("ServerError");
    const [attempt] = childrenOf(call);
    expect(attempt?.attributes["error.type"]).toBe("500");
    expect(attempt?.status.code).toBe(SpanStatusCode.ERROR);
  });

  it("a call that fails validation is a failed span too, though nothing was sent", async () => {
    const from = api.received.length;
    await api
      .client({ tracerProvider: provider })
      .sendInAppMessage({ ...message, recipient: [] })
      .catch(() => undefined);
    const call = only("nhs-app create-in-app");
    expect(call.attributes["error.type"]).toBe("ClientValidationError");
    expect(childrenOf(call)).toEqual([]);
    expect(api.received.length).toBe(from);
  });

  it("a raw call that gets an HTTP error is a failed span, though the raw client returns the answer", async () => {
    api.script.push(outcomeAnswer(404, "not-found", "No such resource"));
    const { response } = await api
      .client({ tracerProvider: provider })
      .raw.GET("/communication/report/patients", { params: { query: { "ods-organisation-code": "T00001" } } });
    expect(response.status).toBe(404);
    const call = only("nhs-app raw");
    expect(call.status).toEqual({ code: SpanStatusCode.ERROR, message: "404" });
    expect(call.attributes["error.type"]).toBe("404");
    expect(childrenOf(call).map((span) => span.name)).toEqual(["GET"]);
  });

  it("uses the global tracer provider by default, even one registered after the client was made", async () => {
    const client = api.client();
    await client.getPatientReport({ odsCode: "T00001" });
    expect(spans()).toEqual([]); // nothing registered yet: the API's no-op tracer
    expect(trace.setGlobalTracerProvider(provider)).toBe(true);
    try {
      await client.getPatientReport({ odsCode: "T00001" });
    } finally {
      trace.disable();
    }
    expect(only("nhs-app get-patient-report").attributes["url.full"]).toBe(
      `${api.baseUrl}/communication/report/patients?ods-organisation-code=T00001`,
    );
  });

  it("puts no access token, client assertion, private key or NHS number in any span", async () => {
    const client = api.client({ tracerProvider: provider });
    const tokensBefore = api.tokensIssued.length;
    api.script.push(outcomeAnswer(429, "throttled", "spike in traffic"));
    await client.sendInAppMessage(message);
    api.script.push(outcomeAnswer(400, "invalid", `NHS Number ${VALID_NHS_NUMBER} is invalid`));
    await client.sendInAppMessage(message).catch(() => undefined);
    // The patient report's body is full of NHS numbers; a raw call can put one in a query or a path.
    await client.getPatientReport({ odsCode: "T00001" });
    await client.raw.GET("/communication/report/receipts/FHIR/R4/Task", {
      params: { query: { day: "2024-03-01", patient: VALID_NHS_NUMBER } as { day: string } },
    });
    await client.raw.GET(`/communication/report/patients/${VALID_NHS_NUMBER}` as "/communication/report/patients", {
      params: { query: { "ods-organisation-code": "T00001" } },
    });

    const recorded = spans().map((span) => ({
      name: span.name,
      attributes: span.attributes,
      status: span.status,
      events: span.events.map((event) => ({ name: event.name, attributes: event.attributes })),
    }));
    const output = JSON.stringify(recorded);
    expect(output).toContain("patient=REDACTED");
    expect(output).toContain("/communication/report/patients/*******919");
    expect(output).toContain("exception.message");
    expect(api.tokensIssued.length).toBeGreaterThan(tokensBefore);
    const secrets = [
      ...api.tokensIssued,
      ...api.assertions(),
      ...api.assertions().map((assertion) => assertion.split(".")[2] as string),
      ...loopbackPrivateKeyPem.split("\n").filter((line) => line.length > 20 && !line.startsWith("-----")),
      VALID_NHS_NUMBER,
    ];
    for (const secret of secrets) expect(output).not.toContain(secret);
  });
});

describe("telemetryUrl", () => {
  it.each([
    [
      "https://api.service.nhs.uk/nhs-app/x?day=2024-03-01&page=2",
      "https://api.service.nhs.uk/nhs-app/x?day=2024-03-01&page=2",
    ],
    [
      "https://api.service.nhs.uk/x?ods-organisation-code=A12345",
      "https://api.service.nhs.uk/x?ods-organisation-code=A12345",
    ],
    [
      "https://api.service.nhs.uk/x?nhsNumber=9434765919&day=2024-03-01",
      "https://api.service.nhs.uk/x?nhsNumber=REDACTED&day=2024-03-01",
    ],
    ["https://api.service.nhs.uk/x?page=943%20476%205919", "https://api.service.nhs.uk/x?page=REDACTED"],
    ["https://user:secret@api.service.nhs.uk/x#frag", "https://api.service.nhs.uk/x"],
    ["https://api.service.nhs.uk/Patient/9434765919", "https://api.service.nhs.uk/Patient/*******919"],
    ["not a url?token=abc", "not a url"],
  ])("%s becomes %s", (url, expected) => {
    expect(telemetryUrl(url)).toBe(expected);
  });
});
