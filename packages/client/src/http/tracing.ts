// OpenTelemetry spans through @opentelemetry/api alone: with no SDK
// registered every call here is a no-op, and attributes are only worked out
// for a span that records. A call gets one INTERNAL span (`nhs-app <operation>`);
// each attempt, and each token request, a CLIENT child span with the HTTP
// semantic conventions' attributes: the conventions want one CLIENT span per
// HTTP request, so that metrics derived from spans count each request once
// (a CLIENT call span over CLIENT attempts would count every call twice).
// Nothing secret goes in: URLs pass through telemetryUrl, errors give their
// class name and a redacted message.
import {
  type Attributes,
  context as contextApi,
  type Span,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  type TracerProvider,
  trace,
} from "@opentelemetry/api";
import { redactText, telemetryUrl } from "../redaction.js";
import { CLIENT_VERSION } from "../version.js";

export const TRACER_NAME = "@nhs-app-api/client";

export const ATTR = {
  method: "http.request.method",
  url: "url.full",
  serverAddress: "server.address",
  serverPort: "server.port",
  status: "http.response.status_code",
  resendCount: "http.request.resend_count",
  errorType: "error.type",
  operation: "nhs_app.operation",
  correlationId: "nhs_app.correlation_id",
  retryDelayMs: "nhs_app.retry.delay_ms",
  retryReason: "nhs_app.retry.reason",
} as const;

/** The caller's provider, or the global one (a proxy: an SDK registered later is still picked up). */
export const clientTracer = (provider: TracerProvider | undefined): Tracer =>
  (provider ?? trace.getTracerProvider()).getTracer(TRACER_NAME, CLIENT_VERSION);

/** The HTTP attributes of a request to `url`, worked out once per call. */
export function httpAttributes(method: string, url: string): Attributes {
  const attributes: Attributes = { [ATTR.method]: method, [ATTR.url]: telemetryUrl(url) };
  try {
    const { hostname, port, protocol } = new URL(url);
    attributes[ATTR.serverAddress] = hostname.replace(/^\[|\]$/g, "");
    attributes[ATTR.serverPort] = port ? Number(port) : protocol === "https:" ? 443 : 80;
  } catch {
    // A URL fetch could not use either: the attempt fails and says so.
  }
  return attributes;
}

/**
 * The span of one logical call, a child of whatever span is active where the
 * call was made. INTERNAL: it sends nothing itself; its attempts are the
 * CLIENT spans, one per HTTP request, retries included.
 */
export function startCallSpan(tracer: Tracer, operation: string, correlationId: string): Span {
  return tracer.startSpan(`nhs-app ${operation}`, {
    kind: SpanKind.INTERNAL,
    attributes: { [ATTR.operation]: operation, [ATTR.correlationId]: correlationId },
  });
}

/**
 * A CLIENT child of `parent` (or of the active span): one HTTP request, an
 * attempt (named by its method as HTTP client spans are) or a token request.
 */
export function startChildSpan(
  tracer: Tracer,
  parent: Span | undefined,
  name: string,
  attributes: () => Attributes,
  resendCount: number,
): Span {
  const context = carries(parent) ? trace.setSpan(contextApi.active(), parent) : contextApi.active();
  const span = tracer.startSpan(name, { kind: SpanKind.CLIENT }, context);
  if (span.isRecording()) {
    span.setAttributes(attributes());
    // The conventions set it on retries only, never on the first request.
    if (resendCount > 0) span.setAttribute(ATTR.resendCount, resendCount);
  }
  return span;
}

/** Runs `fn` with `span` active, so that instrumentation of fetch itself nests under it. */
export const withSpan = <T>(span: Span, fn: () => T): T =>
  carries(span) ? contextApi.with(trace.setSpan(contextApi.active(), span), fn) : fn();

/**
 * Whether a span has a trace to hand on. With no SDK and no caller's span
 * (what most callers run) it has none, and making it active would build a
 * context on every attempt for nothing to read.
 */
const carries = (span: Span | undefined): span is Span =>
  span !== undefined && trace.isSpanContextValid(span.spanContext());

/** Records an HTTP answer; 4xx and 5xx are errors of a client span, typed by their status. */
export function recordStatus(span: Span, status: number) {
  span.setAttribute(ATTR.status, status);
  if (status >= 400) {
    span.setAttribute(ATTR.errorType, String(status));
    span.setStatus({ code: SpanStatusCode.ERROR, message: String(status) });
  }
}

/** The error's class name (`TimeoutError`, `AbortError`), or `_OTHER` as the conventions say. */
export const errorTypeOf = (error: unknown): string =>
  error instanceof Error || (typeof error === "object" && error !== null && "name" in error)
    ? String((error as { name: unknown }).name) || "_OTHER"
    : "_OTHER";

/** Marks a span failed with the error's class name and its message, redacted once more for good measure. */
export function recordError(span: Span, error: unknown) {
  if (!span.isRecording()) return;
  const type = errorTypeOf(error);
  span.setAttribute(ATTR.errorType, type);
  span.setStatus({ code: SpanStatusCode.ERROR, message: type });
  const message = error instanceof Error ? error.message : undefined;
  span.addEvent("exception", {
    "exception.type": type,
    ...(message ? { "exception.message": redactText(message) } : {}),
  });
}
