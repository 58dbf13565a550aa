// The fake NHS App API: one request -> response core, with no framework in
// it, behind both the msw handlers and the sandbox, so they cannot behave
// differently. It plays the platform's token endpoint (the platform's rules,
// token-rules.ts) and the API's gateway: bearer tokens checked, the request
// validated by the contract exactly as the client validates it, correlation
// IDs mirrored, and answers from the spec's examples, with multi-page
// reports (the receipt report of any day up to today by its clock, the
// patient report of T00001).
// It remembers each message it accepts (a fresh communication ID each), lists
// their receipts in the report of their day as the delivery state model times
// them (delivery-plan.ts), and applies the platform's rate limits when a test
// asks for them. Its clock also says which days' receipt reports are complete
// (the platform's rule), and `/_sandbox/clock` tells tools that ask over HTTP.
// What it records is bounded: request bodies over MAX_REQUEST_BODY_BYTES are
// refused (413) unread, a request refused by the token check is recorded
// without its body, and `requests` keeps only the latest (requestHistory).
import {
  acceptsMediaType,
  isReceiptReportComplete,
  mediaTypeOf,
  queryIssues,
  RECEIPT_REPORT_RULE,
  requestBodyIssues,
  requestMediaTypes,
  utcDayOf,
} from "@nhs-app-api/contract";
import type { InAppCommunicationRequest, OperationOutcome, PushNotificationRequest } from "@nhs-app-api/types";
import { type CreatedMessage, createdMessage, createdResponse } from "./created-messages.js";
import { reportReceipt } from "./delivery-bodies.js";
import {
  checkDeliveryScenario,
  type DeliveryPlan,
  type DeliveryScenario,
  planDelivery,
  receiptsBy,
} from "./delivery-plan.js";
import { type Fault, type FaultOperation, FaultQueue, faultResponse } from "./faults.js";
import { patientReportPage, receiptPageOf, receiptReportPage } from "./fixtures.js";
import { createTestKeys, type TestKeys } from "./keys.js";
import { type GatewayRateLimit, RateLimiter, type RateLimitRefusal } from "./rate-limit.js";
import {
  type ApiOperationId,
  apiKeyHeaderOf,
  exampleResponse,
  isPlatformEndpoint,
  type OperationId,
  operationPaths,
  type PlatformOperationId,
} from "./spec.js";
import { isTokenError, TokenIssuer } from "./token-rules.js";

export const MULTI_PAGE_ODS_CODE = "T00001";

/** Where the gateway's own controls live on its origin: a path prefix the API never uses. */
export const SANDBOX_CONTROL_PREFIX = "/_sandbox/";
/** `GET {origin}/_sandbox/clock`: the gateway's clock, and so which receipt reports are complete. */
export const SANDBOX_CLOCK_PATH = "/_sandbox/clock";

/**
 * The largest request body the gateway reads: 1 MiB. The largest valid
 * request of the API is an in-app message with a 5,000-character
 * `contentString` (at most 6 bytes a character as JSON, even as `\uXXXX`
 * escapes) and a few identifiers of at most 128 characters: well under
 * 64 KiB, so 1 MiB turns away no request the API could take. A larger body
 * is answered 413 (the sandbox stops reading it and closes the connection).
 */
export const MAX_REQUEST_BODY_BYTES = 1024 * 1024;

/** How much of what it received the gateway keeps in `requests`: the newest, within both bounds. */
export interface RequestHistory {
  /** The most requests kept (default 10,000); `Infinity` keeps every one, 0 none. */
  requests?: number;
  /**
   * The most request text (UTF-16 code units, about bytes) the kept bodies
   * may add up to (default 32 MiB); `Infinity` for no such bound. The newest
   * request is kept whatever its size.
   */
  bodyBytes?: number;
}

export const DEFAULT_REQUEST_HISTORY: Readonly<Required<RequestHistory>> = Object.freeze({
  requests: 10_000,
  bodyBytes: 32 * 1024 * 1024,
});

/** What a refused request's `authorization` header is recorded as: it may be a real token, sent here by mistake. */
export const NOT_KEPT = "(not kept)";

/** What `GET {origin}/_sandbox/clock` answers: the gateway's clock, and the first day whose receipt report is incomplete. */
export interface SandboxClock {
  /** The gateway's time, ISO 8601 UTC. */
  now: string;
  receiptReports: {
    /** Every day before this one (YYYY-MM-DD, today UTC by the gateway's clock) has a complete report. */
    completeBefore: string;
    /** The rule, in words. */
    rule: string;
  };
}

export interface GatewayOptions {
  /** The API base URL the gateway answers under (its path prefixes every operation's path). */
  baseUrl: string;
  /** The token endpoint's URL: also the `aud` a client assertion must name. */
  tokenUrl: string;
  apiKey: string;
  keys?: TestKeys;
  /** Seconds a token lasts (default 599, as on the platform). */
  tokenLifetimeSeconds?: number;
  /** Makes each access token (default: random). */
  newAccessToken?: () => string;
  /** Pages of the receipt report for every day (default 3). */
  receiptPages?: number;
  /** Pages of the patient report for T00001 (default 4). */
  patientPages?: number;
  /** Receipts on a page of the receipt report (default 4). */
  receiptsPerPage?: number;
  /**
   * The platform's rate limits, over sliding windows of API calls (the token
   * endpoint is not counted); off by default. See INTEGRATION_RATE_LIMIT.
   */
  rateLimit?: GatewayRateLimit;
  /**
   * The clock (epoch ms) for the rate limits, for when a message was
   * accepted (its day) and for which days' receipt reports are complete
   * (and which are still to come: 404); default the real one. Token checks
   * keep the real clock, as the client signs its assertions with it.
   */
  now?: () => number;
  /** Makes each communication ID (default: a random UUID). */
  newCommunicationId?: () => string;
  /** The platform's status key, which `_status` wants in its `apikey` header (default: `apiKey`). */
  statusApiKey?: string;
  /** How accepted messages fare (timing, outcomes by NHS number, replies): what the receipt report shows. */
  delivery?: DeliveryScenario;
  /** Told of each message accepted, with its delivery plan (the sandbox's callback delivery listens here). */
  onCreated?: (message: CreatedMessage, plan: DeliveryPlan) => void;
  /** How much of what it received `requests` keeps (default {@link DEFAULT_REQUEST_HISTORY}). */
  requestHistory?: RequestHistory;
}

/** What a test may tune in the fake gateway: the msw handlers and the sandbox hand these on as they are. */
export type GatewayTuning = Pick<
  GatewayOptions,
  | "tokenLifetimeSeconds"
  | "receiptPages"
  | "patientPages"
  | "receiptsPerPage"
  | "rateLimit"
  | "now"
  | "statusApiKey"
  | "delivery"
  | "requestHistory"
>;

/** A request as any framework hands it over: the body already read as text. */
export interface GatewayRequest {
  method: string;
  url: string;
  headers: Headers;
  body: string;
}

/**
 * An answer for any framework to send: a JSON value, or text (empty for
 * none). A fault may ask for no answer at all (`drop`: close the connection)
 * or for the answer late (`delayMs`, real milliseconds).
 */
export interface GatewayResponse {
  status: number;
  headers: Record<string, string>;
  body: unknown;
  drop?: boolean;
  delayMs?: number;
}

/** Answers the requests under `/_sandbox/` (the sandbox's workbench): see useControls. */
export type ControlHandler = (request: GatewayRequest) => GatewayResponse | Promise<GatewayResponse>;

export interface RecordedRequest {
  operation: OperationId | "token";
  method: string;
  url: string;
  headers: Record<string, string>;
  /** The parsed body (the text when it is not JSON); undefined for a GET, and when `bodyOmitted` says why. */
  body: unknown;
  /** When the gateway got it: epoch milliseconds, with a fraction on the real clock (the `now` option's otherwise). */
  receivedAt: number;
  /**
   * Why the body was not kept: `unauthenticated` (refused by the token
   * check, 401) or `too-large` (over MAX_REQUEST_BODY_BYTES, 413, never read
   * whole). The `authorization` header of such a request is not kept either.
   */
  bodyOmitted?: "unauthenticated" | "too-large";
}

/** A request without its body: all the gateway needs to refuse one too large to read. */
export type GatewayRequestHead = Omit<GatewayRequest, "body">;

/** What a test chose to answer instead: a named example of the spec, or a body. */
export type Override =
  | { example: string; headers?: Record<string, string> }
  | { body: unknown; headers?: Record<string, string> };

type Issue = OperationOutcome["issue"][number];

const outcome = (issues: readonly Issue[]): OperationOutcome => ({
  resourceType: "OperationOutcome",
  issue: issues.map(({ severity, code, diagnostics, expression }) => ({
    severity,
    code,
    ...(diagnostics === undefined ? {} : { diagnostics }),
    ...(expression === undefined ? {} : { expression }),
  })) as OperationOutcome["issue"],
});

const withoutTrailingSlash = (path: string) => path.replace(/\/+$/, "") || "/";

/** Whether a body's UTF-8 encoding is over MAX_REQUEST_BODY_BYTES (each UTF-16 unit takes 1 to 3 bytes), counted without encoding it. */
function overBodyLimit(body: string): boolean {
  if (body.length * 3 <= MAX_REQUEST_BODY_BYTES) return false;
  if (body.length > MAX_REQUEST_BODY_BYTES) return true;
  let bytes = 0;
  for (let i = 0; i < body.length; i++) {
    const unit = body.charCodeAt(i);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (unit >= 0xd800 && unit <= 0xdbff && (body.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      // A surrogate pair: one character of 4 bytes.
      bytes += 4;
      i++;
    } else bytes += 3; // including a lone surrogate, encoded as U+FFFD
    if (bytes > MAX_REQUEST_BODY_BYTES) return true;
  }
  return false;
}

function checkedHistory(history: RequestHistory = {}): Required<RequestHistory> {
  const checked = { ...DEFAULT_REQUEST_HISTORY, ...history };
  for (const name of ["requests", "bodyBytes"] as const) {
    const value = checked[name];
    if (!(value === Number.POSITIVE_INFINITY || (Number.isSafeInteger(value) && value >= 0))) {
      throw new RangeError(`requestHistory.${name} must be a whole number, 0 or more, or Infinity (it is ${value})`);
    }
  }
  return checked;
}

export class FakeGateway {
  readonly baseUrl: string;
  readonly tokenUrl: string;
  readonly apiKey: string;
  readonly keys: TestKeys;
  readonly issuer: TokenIssuer;
  /**
   * The requests received, in order, with their headers and parsed bodies:
   * the newest, as many as `requestHistory` keeps (by default the last
   * 10,000). A plain array: a test may read it, or empty it (`length = 0`).
   */
  readonly requests: RecordedRequest[] = [];
  readonly #history: Required<RequestHistory>;
  /** The body text each recorded request counts against `requestHistory.bodyBytes`. */
  readonly #sizes = new WeakMap<RecordedRequest, number>();
  /** What `requests` held when last recorded to, to notice a test emptying it. */
  #kept = { count: 0, bytes: 0 };
  readonly #basePath: string;
  readonly #origin: string;
  readonly #created: CreatedMessage[] = [];
  readonly #byId = new Map<string, CreatedMessage>();
  /** The faults asked for: the next calls of an operation answered with a failure (faults.ts). */
  readonly faults = new FaultQueue();
  #controls: ControlHandler | undefined;
  /** Each created message's delivery plan, by communication ID. */
  readonly #plans = new Map<string, DeliveryPlan>();
  /** Each receipt's ID (by communication ID and kind), made once so that reading a report twice gives the same receipts. */
  readonly #receiptIds = new Map<string, string>();
  readonly #limiter: RateLimiter | undefined;
  readonly #receiptsPerPage: number;

  constructor(readonly options: GatewayOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, "");
    this.tokenUrl = options.tokenUrl;
    this.apiKey = options.apiKey;
    this.keys = options.keys ?? createTestKeys();
    this.#basePath = new URL(this.baseUrl).pathname.replace(/\/+$/, "");
    this.#origin = new URL(this.baseUrl).origin;
    this.issuer = new TokenIssuer({
      tokenUrl: options.tokenUrl,
      apiKey: options.apiKey,
      publicKeys: new Map([[this.keys.keyId, this.keys.publicKey]]),
      ...(options.tokenLifetimeSeconds === undefined ? {} : { tokenLifetimeSeconds: options.tokenLifetimeSeconds }),
      ...(options.newAccessToken ? { newAccessToken: options.newAccessToken } : {}),
    });
    const { rateLimit, receiptsPerPage = 4 } = options;
    this.#limiter =
      rateLimit && (rateLimit.requestsPerSecond !== undefined || rateLimit.requestsPerMinute !== undefined)
        ? new RateLimiter(rateLimit)
        : undefined;
    if (!(Number.isSafeInteger(receiptsPerPage) && receiptsPerPage > 0)) {
      throw new RangeError(`receiptsPerPage must be a whole number of at least 1 (it is ${receiptsPerPage})`);
    }
    this.#receiptsPerPage = receiptsPerPage;
    this.#history = checkedHistory(options.requestHistory);
    checkDeliveryScenario(options.delivery);
  }

  /** Every message accepted with 201 (in-app and push), in order; refused ones (400, 401, 429) never appear. */
  get createdMessages(): readonly CreatedMessage[] {
    return this.#created;
  }

  /** Forgets the created messages (and so their receipts), e.g. between tests. */
  clearCreatedMessages() {
    this.#created.length = 0;
    this.#byId.clear();
    this.#plans.clear();
    this.#receiptIds.clear();
  }

  /** Forgets everything it was told: messages (and so receipts), recorded requests and faults waiting. */
  reset() {
    this.clearCreatedMessages();
    this.requests.length = 0;
    this.faults.clear();
  }

  /** A message it accepted, by communication ID. */
  message(communicationId: string): CreatedMessage | undefined {
    return this.#byId.get(communicationId);
  }

  /**
   * A message's delivery plan, by communication ID: the very object the
   * receipt report and the callback delivery read, so a change to it (the
   * workbench's "deliver now") shows in both.
   */
  planOf(communicationId: string): DeliveryPlan | undefined {
    return this.#plans.get(communicationId);
  }

  /** Has `/_sandbox/...` answered by the sandbox's workbench instead of the clock alone. */
  useControls(handler: ControlHandler) {
    this.#controls = handler;
  }

  /** The gateway's clock, epoch ms: the `now` option, else the real one. */
  now(): number {
    return (this.options.now ?? Date.now)();
  }

  /** Whether a day's receipt report is complete by the gateway's clock: the platform's rule (from the next day, UTC). */
  receiptReportComplete(day: string): boolean {
    return isReceiptReportComplete(day, this.now());
  }

  /** The gateway's clock as `GET {origin}/_sandbox/clock` tells it, read once. */
  clock(): SandboxClock {
    const now = this.now();
    return {
      now: new Date(now).toISOString(),
      receiptReports: { completeBefore: utcDayOf(now), rule: RECEIPT_REPORT_RULE },
    };
  }

  /** Whether a URL is the token endpoint's. */
  isTokenRequest(url: string) {
    const target = new URL(url);
    const token = new URL(this.tokenUrl);
    return (
      target.origin === token.origin && withoutTrailingSlash(target.pathname) === withoutTrailingSlash(token.pathname)
    );
  }

  /**
   * The operation a request is for, by its path (a trailing slash is ignored;
   * the query, in any order, is no part of it) and method. The platform
   * answers HEAD on its own endpoints as it answers GET.
   */
  operationOf(method: string, url: string): OperationId | undefined {
    const target = new URL(url);
    if (target.origin !== this.#origin) return undefined;
    const path = withoutTrailingSlash(target.pathname);
    const wanted = method.toLowerCase();
    return (Object.keys(operationPaths) as OperationId[]).find(
      (id) =>
        withoutTrailingSlash(`${this.#basePath}${operationPaths[id].path}`) === path &&
        (operationPaths[id].method === wanted ||
          (wanted === "head" && operationPaths[id].method === "get" && isPlatformEndpoint(id))),
    );
  }

  /** Answers any request: the token endpoint, the gateway's own controls, an operation of the API, or 404. */
  async handle(request: GatewayRequest): Promise<GatewayResponse> {
    if (overBodyLimit(request.body)) return this.tooLarge(request);
    if (this.isControlRequest(request.url)) return this.#controls ? this.#controls(request) : this.control(request);
    const operation = this.isTokenRequest(request.url) ? "token" : this.operationOf(request.method, request.url);
    if (!operation) {
      return this.#json(
        request,
        404,
        outcome([{ severity: "error", code: "not-found", diagnostics: "No such resource" }]),
      );
    }
    const fault = this.faults.take(operation);
    if (fault) return this.#faulted(operation, request, fault);
    return operation === "token" ? this.token(request) : this.operation(operation, request);
  }

  /**
   * A call a fault answers. Unless it is `processed`, the call is only
   * recorded (nothing created) and answered with the failure; a processed
   * one is handled as usual first, then its answer replaced. A slow answer
   * is the call's own answer, late.
   */
  async #faulted(operation: FaultOperation, request: GatewayRequest, fault: Fault): Promise<GatewayResponse> {
    const own = () => (operation === "token" ? this.token(request) : this.operation(operation, request));
    const { answer } = fault;
    if (answer.kind === "slow") return { ...(await own()), delayMs: answer.delayMs };
    if (fault.processed) await own();
    else {
      let body: unknown;
      try {
        body = request.body === "" ? undefined : JSON.parse(request.body);
      } catch {
        body = request.body;
      }
      this.#record(operation, request, body, undefined, request.body);
    }
    if (answer.kind === "drop") return { status: 0, headers: {}, body: "", drop: true };
    const failed = faultResponse(operation, answer);
    return operation === "token" ? failed : this.#json(request, failed.status, failed.body, failed.headers);
  }

  /**
   * Whether the answer to a request may depend on its body: only at the
   * token endpoint, and for an API call with a valid access token. The
   * sandbox reads no other body (it only counts its size, for the 413).
   */
  needsBody(request: GatewayRequestHead): boolean {
    if (this.isTokenRequest(request.url)) return true;
    // The workbench's controls take small JSON or form bodies (within the same cap).
    if (this.isControlRequest(request.url)) return true;
    const operation = this.operationOf(request.method, request.url);
    if (operation === undefined || isPlatformEndpoint(operation)) return false;
    return this.issuer.check(request.headers.get("authorization")) === "valid";
  }

  /**
   * The answer to a request whose body is over MAX_REQUEST_BODY_BYTES: 413
   * with an OperationOutcome (the spec has no 413; this is the gateway's
   * own). Recorded without its body (an API call or a token request; like
   * any 404, another path is not). The sandbox calls this with the request's
   * head as soon as it knows, without reading the body.
   */
  tooLarge(request: GatewayRequestHead): GatewayResponse {
    const operation = this.isTokenRequest(request.url) ? "token" : this.operationOf(request.method, request.url);
    if (operation) this.#record(operation, request, undefined, "too-large");
    const diagnostics = `The request body is over ${MAX_REQUEST_BODY_BYTES} bytes (${MAX_REQUEST_BODY_BYTES / 1024 / 1024} MiB), the most this gateway reads: no valid request is near that size`;
    return this.#json(request, 413, outcome([{ severity: "error", code: "invalid", diagnostics }]));
  }

  /** Whether a URL is one of the gateway's own controls: `/_sandbox/...` on its origin. */
  isControlRequest(url: string) {
    const target = new URL(url);
    return target.origin === this.#origin && target.pathname.startsWith(SANDBOX_CONTROL_PREFIX);
  }

  /**
   * The gateway's own controls, for local tools (no token, no rate limit,
   * not recorded in `requests`: they are no API calls). `GET /_sandbox/clock`
   * gives its clock; any other `/_sandbox/` path is 404.
   */
  control(request: GatewayRequest): GatewayResponse {
    if (withoutTrailingSlash(new URL(request.url).pathname) !== SANDBOX_CLOCK_PATH) {
      const diagnostics = `No such sandbox control: the sandbox has GET ${SANDBOX_CLOCK_PATH}`;
      return this.#json(request, 404, outcome([{ severity: "error", code: "not-found", diagnostics }]));
    }
    if (request.method.toUpperCase() !== "GET") {
      return { status: 405, headers: { allow: "GET", "content-type": "text/plain" }, body: "" };
    }
    return this.#json(request, 200, this.clock(), { "content-type": "application/json", "cache-control": "no-store" });
  }

  /** The platform's token endpoint. */
  async token(request: GatewayRequest): Promise<GatewayResponse> {
    this.#record("token", request, request.body, undefined, request.body);
    if (request.method.toUpperCase() !== "POST") {
      return { status: 405, headers: { allow: "POST", "content-type": "text/plain" }, body: "" };
    }
    const result = await this.issuer.handle(request.headers.get("content-type"), request.body);
    return isTokenError(result)
      ? { status: result.status, headers: { "content-type": "application/json" }, body: result.body }
      : { status: 200, headers: { "content-type": "application/json" }, body: result.body };
  }

  /** One operation: the token first, then the request's validity, then the answer (or a test's override). */
  async operation(operation: OperationId, request: GatewayRequest, override?: Override & { status: number }) {
    // Also here, for callers that come straight to an operation (the msw handlers' respond(...)).
    if (overBodyLimit(request.body)) return this.tooLarge(request);
    if (isPlatformEndpoint(operation)) return this.#platform(operation, request, override);
    const isPost = request.method.toUpperCase() === "POST";
    const auth = this.issuer.check(request.headers.get("authorization"));
    if (auth !== "valid") {
      // Nobody's request: recorded without its body, which is not even parsed.
      this.#record(operation, request, undefined, "unauthenticated");
      const example = exampleResponse(
        operation,
        401,
        auth === "expired" ? "expired-access-token" : "invalid-access-token",
      );
      // The gateway's 401 is application/json, whatever the spec's media type.
      return this.#json(request, 401, example.body, { "content-type": "application/json" });
    }
    let body: unknown;
    let malformed = false;
    if (isPost) {
      try {
        body = JSON.parse(request.body);
      } catch {
        malformed = true;
      }
    }
    this.#record(operation, request, isPost ? (malformed ? request.body : body) : undefined, undefined, request.body);
    // The platform's limits apply before anything reaches the API, a test's chosen answer included.
    const refusal = this.#limiter?.take(this.options.now ? this.options.now() : performance.now());
    if (refusal) return this.#throttled(operation, refusal);
    if (override) return this.#override(operation, request, override);

    const issues = this.#problems(operation, request, isPost, malformed, body);
    if (issues.length > 0)
      return this.#json(request, 400, outcome(issues), { "content-type": "application/fhir+json" });
    return this.#answer(operation, request, body);
  }

  /**
   * A platform endpoint, as the platform's proxy answers it: no access token
   * and no rate limit. `_status` wants the status key in the header its
   * security scheme names, and refuses any other with 401 and an empty
   * text/plain body (a fault rule's answer: no correlation ID mirrored). HEAD
   * gets GET's status and headers, without the body.
   */
  #platform(
    operation: PlatformOperationId,
    request: GatewayRequest,
    override?: Override & { status: number },
  ): GatewayResponse {
    this.#record(operation, request, undefined);
    const header = apiKeyHeaderOf(operation);
    const statusKey = this.options.statusApiKey ?? this.apiKey;
    const answer: GatewayResponse =
      header !== undefined && request.headers.get(header) !== statusKey
        ? { status: 401, headers: { "content-type": "text/plain" }, body: "" }
        : override
          ? this.#override(operation, request, override)
          : this.#example(request, operation, 200);
    if (request.method.toUpperCase() !== "HEAD") return answer;
    const length = answer.body === "" ? 0 : new TextEncoder().encode(JSON.stringify(answer.body)).byteLength;
    return { status: answer.status, headers: { ...answer.headers, "content-length": String(length) }, body: "" };
  }

  #problems(operation: OperationId, request: GatewayRequest, isPost: boolean, malformed: boolean, body: unknown) {
    if (!isPost) return queryIssues(operation, new URL(request.url).searchParams);
    const contentType = request.headers.get("content-type");
    if (!acceptsMediaType(operation, contentType)) {
      const sent = mediaTypeOf(contentType) || "(none)";
      return [
        {
          severity: "error" as const,
          code: "invalid" as const,
          diagnostics: `Unsupported Content-Type ${sent}: send ${requestMediaTypes(operation).join(" or ")}`,
        },
      ];
    }
    if (malformed)
      return [{ severity: "error" as const, code: "invalid" as const, diagnostics: "Invalid Json encountered." }];
    return requestBodyIssues(operation, body, contentType ?? undefined);
  }

  #answer(operation: ApiOperationId, request: GatewayRequest, body: unknown): GatewayResponse {
    const query = new URL(request.url).searchParams;
    const page = Number(query.get("page") ?? "1");
    const receipts = operation === "get-receipt-report";
    const multiPagePatients =
      operation === "get-patient-report" && query.get("ods-organisation-code")?.toUpperCase() === MULTI_PAGE_ODS_CODE;
    const day = query.get("day") as string;
    // A day to come has no report yet: the live API's 404 for a day without one, never made-up receipts.
    if (receipts && day > utcDayOf(this.now())) return this.#example(request, operation, 404, "report-not-found");
    if (receipts && this.#created.length > 0) {
      const happened = this.#receiptsOn(day);
      if (happened) return this.#createdReceipts(request, day, page, happened);
    }
    if (receipts || multiPagePatients) {
      const pageCount = receipts ? (this.options.receiptPages ?? 3) : (this.options.patientPages ?? 4);
      if (page > pageCount) return this.#example(request, operation, 404, "report-not-found");
      const perPage = this.#receiptsPerPage;
      const built = receipts
        ? receiptReportPage({ baseUrl: this.baseUrl, day, page, pageCount, perPage })
        : patientReportPage({ baseUrl: this.baseUrl, odsCode: MULTI_PAGE_ODS_CODE, page, pageCount });
      return this.#json(request, 200, built.body, built.headers);
    }
    if (operation === "get-patient-report") {
      // A one-page report of the spec's example patients, its Link naming this very report; past it, 404.
      if (page > 1) return this.#example(request, operation, 404, "report-not-found");
      const code = query.get("ods-organisation-code") ?? "";
      const link = `<${this.baseUrl}${operationPaths[operation].path}?ods-organisation-code=${encodeURIComponent(code)}&page=1>; rel="last"`;
      return this.#example(request, operation, 200, undefined, { link });
    }
    return this.#create(operation, request, body as InAppCommunicationRequest | PushNotificationRequest);
  }

  /** An accepted message: a fresh communication ID, remembered, and the request echoed as the API echoes it. */
  #create(
    operation: "create-in-app" | "create-notification",
    request: GatewayRequest,
    body: InAppCommunicationRequest | PushNotificationRequest,
  ): GatewayResponse {
    const communicationId = this.options.newCommunicationId?.() ?? globalThis.crypto.randomUUID();
    const message = createdMessage(operation, body, communicationId, new Date(this.now()));
    this.#created.push(message);
    this.#byId.set(communicationId, message);
    const plan = planDelivery(message, this.options.delivery);
    this.#plans.set(communicationId, plan);
    this.options.onCreated?.(message, plan);
    const location = `${this.baseUrl}${operationPaths[operation].path}/${communicationId}`;
    return this.#json(request, 201, createdResponse(message), { location });
  }

  /**
   * The receipts of created messages that happened on a day, by now, in the
   * order they happened (a message's own in its plan's order); undefined when
   * no message was accepted that day and none of their receipts fell on it.
   */
  #receiptsOn(day: string) {
    const now = this.now();
    let touched = false;
    const happened = this.#created.flatMap((message) => {
      if (message.day === day) touched = true;
      const plan = this.#plans.get(message.communicationId);
      const receipts = plan ? receiptsBy(plan, now).filter((receipt) => receipt.at.startsWith(day)) : [];
      if (receipts.length > 0) touched = true;
      return receipts.map((receipt) => ({ message, receipt, time: Date.parse(receipt.at) }));
    });
    // A stable sort: receipts at the same moment keep the order of their messages and plans.
    return touched ? happened.sort((a, b) => a.time - b.time) : undefined;
  }

  /**
   * The receipt report of a day touched by created messages: their receipts
   * alone, as many as have happened, paged as the made-up report is (with no
   * made-up receipts mixed in).
   */
  #createdReceipts(
    request: GatewayRequest,
    day: string,
    page: number,
    happened: readonly { message: CreatedMessage; receipt: DeliveryPlan["receipts"][number] }[],
  ) {
    const perPage = this.#receiptsPerPage;
    const pageCount = Math.max(1, Math.ceil(happened.length / perPage));
    if (page > pageCount) return this.#example(request, "get-receipt-report", 404, "report-not-found");
    const receipts = happened.slice((page - 1) * perPage, page * perPage).map(({ message, receipt }) => {
      const key = `${message.communicationId} ${receipt.kind}`;
      let id = this.#receiptIds.get(key);
      if (!id) {
        id = globalThis.crypto.randomUUID();
        this.#receiptIds.set(key, id);
      }
      return reportReceipt(message, receipt, id);
    });
    const built = receiptPageOf({ baseUrl: this.baseUrl, day, page, pageCount, receipts, total: happened.length });
    return this.#json(request, 200, built.body, built.headers);
  }

  /**
   * The platform's 429, with the spec's own example body. As its proxy sends
   * it: application/json, no Retry-After, and no X-Correlation-ID (that fault
   * rule has no mirror step; contract notes § 6).
   */
  #throttled(operation: OperationId, refusal: RateLimitRefusal): GatewayResponse {
    return {
      status: 429,
      headers: { "content-type": "application/json" },
      body: exampleResponse(operation, 429, refusal).body,
    };
  }

  #override(operation: OperationId, request: GatewayRequest, override: Override & { status: number }): GatewayResponse {
    if ("example" in override)
      return this.#example(request, operation, override.status, override.example, override.headers);
    return this.#json(request, override.status, override.body, {
      "content-type": "application/json",
      ...override.headers,
    });
  }

  #example(
    request: GatewayRequest,
    operation: OperationId,
    status: number,
    name?: string,
    headers: Record<string, string> = {},
  ): GatewayResponse {
    const example = exampleResponse(operation, status, name);
    return this.#json(request, status, example.body, { ...example.headers, ...headers });
  }

  /** A JSON answer with the request's X-Correlation-ID mirrored, as the API does. */
  #json(
    request: GatewayRequestHead,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ): GatewayResponse {
    const correlationId = request.headers.get("x-correlation-id");
    // Only the request's own: a header example of the spec is not a correlation ID anyone sent.
    const { "x-correlation-id": _example, ...rest } = headers;
    return {
      status,
      headers: {
        "content-type": "application/fhir+json",
        ...rest,
        ...(correlationId ? { "x-correlation-id": correlationId } : {}),
      },
      body,
    };
  }

  /**
   * Records a request, then drops the oldest while `requests` holds more than
   * `requestHistory` allows. `text` is the body's text, counted against its
   * `bodyBytes` (none when no body is kept).
   */
  #record(
    operation: RecordedRequest["operation"],
    request: GatewayRequestHead,
    body: unknown,
    omitted?: RecordedRequest["bodyOmitted"],
    text?: string,
  ) {
    const headers = Object.fromEntries(request.headers);
    if (omitted !== undefined && headers.authorization !== undefined) headers.authorization = NOT_KEPT;
    const entry: RecordedRequest = {
      operation,
      method: request.method.toUpperCase(),
      url: request.url,
      headers,
      body,
      receivedAt: this.options.now ? this.options.now() : performance.timeOrigin + performance.now(),
      ...(omitted === undefined ? {} : { bodyOmitted: omitted }),
    };
    const size = body === undefined ? 0 : (text?.length ?? 0);
    this.#sizes.set(entry, size);
    const { requests } = this;
    // A test may have emptied or cut the list: count again what it holds.
    let bytes =
      requests.length === this.#kept.count
        ? this.#kept.bytes
        : requests.reduce((sum, kept) => sum + (this.#sizes.get(kept) ?? 0), 0);
    requests.push(entry);
    bytes += size;
    const { requests: most, bodyBytes } = this.#history;
    while (requests.length > most || (bytes > bodyBytes && requests.length > 1)) {
      const dropped = requests.shift() as RecordedRequest;
      bytes -= this.#sizes.get(dropped) ?? 0;
    }
    this.#kept = { count: requests.length, bytes };
  }
}
