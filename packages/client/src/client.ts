// createNhsAppClient: checks the options, then wires the token provider, the
// transport and the typed openapi-fetch client together behind a small API.
import { inspect } from "node:util";
import type {
  InAppCommunicationRequest,
  InAppCommunicationResponse,
  PatientReportEntry,
  PushNotificationRequest,
  PushNotificationResponse,
  paths,
  Receipt,
} from "@nhs-app-api/types";
import openapiFetch, { type Client } from "openapi-fetch";
import { TokenProvider } from "./auth/token-provider.js";
import { type CallOptions, type ClientCore, traced } from "./call.js";
import { type NhsAppClientOptions, resolveConfig } from "./config.js";
import { guardedLogger } from "./http/logger.js";
import { TokenBucket } from "./http/rate-limiter.js";
import { resolveRetryPolicy } from "./http/retry-policy.js";
import { clientTracer, recordStatus } from "./http/tracing.js";
import { Transport } from "./http/transport.js";
import { type SentMessage, sendInAppMessage, sendPushNotification } from "./messages.js";
import type { ItemIterable, PageIterable } from "./pagination/page-iterable.js";
import { type PingResult, pingPlatform, platformStatus, type StatusResult } from "./platform.js";
import {
  getPatientReport,
  getReceiptReport,
  type PatientReportPage,
  type PatientReportQuery,
  patientIterators,
  type ReceiptReportPage,
  type ReceiptReportQuery,
  receiptIterators,
} from "./reports.js";
import type { ReportDay } from "./validation/report-parameters.js";

// openapi-fetch ships CommonJS with `exports.default`; the CommonJS build of
// this package sees that whole exports object as the default import, the ESM
// build sees the function. Take the function either way.
const createClient: typeof openapiFetch =
  typeof openapiFetch === "function"
    ? openapiFetch
    : (openapiFetch as unknown as { default: typeof openapiFetch }).default;

export interface NhsAppClient {
  readonly environment: string;
  readonly baseUrl: string;
  readonly tokenUrl: string;
  /** Sends an in-app message (validated first unless `validate: false`). Never retried after it may have arrived. */
  sendInAppMessage(
    message: InAppCommunicationRequest,
    options?: CallOptions,
  ): Promise<SentMessage<InAppCommunicationResponse>>;
  /** Sends a push notification (validated first unless `validate: false`). */
  sendPushNotification(
    message: PushNotificationRequest,
    options?: CallOptions,
  ): Promise<SentMessage<PushNotificationResponse>>;
  /** One page of the daily receipt report. */
  getReceiptReport(query: ReceiptReportQuery, options?: CallOptions): Promise<ReceiptReportPage>;
  /** One page of the patient report of a GP practice. */
  getPatientReport(query: PatientReportQuery, options?: CallOptions): Promise<PatientReportPage>;
  readonly receipts: {
    pages(day: ReportDay, options?: CallOptions): PageIterable<Receipt>;
    items(day: ReportDay, options?: CallOptions): ItemIterable<Receipt>;
  };
  readonly patients: {
    pages(odsCode: string, options?: CallOptions): PageIterable<PatientReportEntry>;
    items(odsCode: string, options?: CallOptions): ItemIterable<PatientReportEntry>;
  };
  /**
   * The platform's `_ping`, for liveness checks: the deployed release of the
   * API's proxy. Sends no credentials (no access token is fetched).
   */
  ping(options?: CallOptions): Promise<PingResult>;
  /**
   * The platform's `_status`, for monitoring: whether the NHS App behind the
   * proxy answered its health check (`passed`). Sends the status key
   * (`statusApiKey`, else `apiKey`) in the `apikey` header and no access
   * token; a refused key is an AuthenticationError.
   */
  status(options?: CallOptions): Promise<StatusResult>;
  /**
   * The typed openapi-fetch client for anything not wrapped above, with the
   * access token, correlation ID, timeout, retries and rate limit applied. It
   * does not validate and does not throw on HTTP errors: read `error`.
   */
  readonly raw: Client<paths>;
  /** How many token requests this client has sent. */
  readonly tokenRequestCount: number;
}

export function createNhsAppClient(options: NhsAppClientOptions): NhsAppClient {
  const config = resolveConfig(options);
  const logger = guardedLogger(options.logger);
  const tracer = clientTracer(options.tracerProvider);
  const currentFetch = () => options.fetch ?? globalThis.fetch;
  const tokens = new TokenProvider({
    apiKey: config.apiKey,
    kid: config.keyId,
    tokenUrl: config.tokenUrl,
    signer: config.signer,
    fetch: currentFetch,
    timeoutMs: config.timeoutMs,
    logger,
    tracer,
    userAgent: config.userAgent,
  });
  const transport = new Transport({
    tokens,
    fetch: currentFetch,
    limiter: options.rateLimit ? new TokenBucket(options.rateLimit) : undefined,
    logger,
    hooks: options.hooks ?? {},
    tracer,
    userAgent: config.userAgent,
  });
  const retry = resolveRetryPolicy(options.retry);
  // Calls through `raw` get a fresh context each; the wrapped operations pass their own fetch.
  const core: ClientCore = {
    config,
    retry,
    logger,
    tracer,
    transport,
    raw: undefined as unknown as Client<paths>,
  };
  core.raw = createClient<paths>({
    baseUrl: config.baseUrl,
    // The raw client's caller reads the body later, so it is read here, within the call's deadline.
    fetch: (request) => {
      const correlationId = request.headers.get("x-correlation-id") ?? undefined;
      const options = { ...(correlationId ? { correlationId } : {}), signal: request.signal };
      return traced(core, "raw", options, async (context) => {
        const response = await transport.sendAndRead(request, context);
        // The raw client returns an HTTP error rather than throwing it; its span still says the call failed.
        if (response.status >= 400) recordStatus(context.span, response.status);
        return response;
      });
    },
  });

  const receipts = receiptIterators(core);
  const patients = patientIterators(core);
  const client: NhsAppClient = {
    environment: config.environment,
    baseUrl: config.baseUrl,
    tokenUrl: config.tokenUrl,
    sendInAppMessage: (message, callOptions) => sendInAppMessage(core, message, callOptions),
    sendPushNotification: (message, callOptions) => sendPushNotification(core, message, callOptions),
    getReceiptReport: (query, callOptions) => getReceiptReport(core, query, callOptions),
    getPatientReport: (query, callOptions) => getPatientReport(core, query, callOptions),
    receipts,
    patients,
    ping: (callOptions) => pingPlatform(core, callOptions),
    status: (callOptions) => platformStatus(core, callOptions),
    raw: core.raw,
    get tokenRequestCount() {
      return tokens.requestsSent;
    },
  };
  // util.inspect(client) shows where it points, never its key or token.
  Object.defineProperty(client, inspect.custom, {
    value: () => `NhsAppClient { environment: ${config.environment}, baseUrl: ${config.baseUrl} }`,
  });
  return Object.freeze(client);
}
