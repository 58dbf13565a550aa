// Checks a client's options before any request, and says what to fix: every
// problem at once, none of them quoting a secret.
import type { KeyObject } from "node:crypto";
import type { TracerProvider } from "@opentelemetry/api";
import { type AssertionSigner, keySigner } from "./auth/client-assertion.js";
import { loadPrivateKey, type PrivateKeyInput } from "./auth/private-key.js";
import { type Endpoints, type EnvironmentName, environments } from "./environments.js";
import { ConfigurationError } from "./errors/errors.js";
import type { Hooks } from "./http/hooks.js";
import type { Logger } from "./http/logger.js";
import type { RateLimitOptions } from "./http/rate-limiter.js";
import type { RetryPolicy } from "./http/retry-policy.js";
import { isValidUserAgentProduct, userAgentOf } from "./http/user-agent.js";
import { LONGEST_TIMER_MS, retryIssues } from "./validation/call-options.js";

export interface NhsAppClientOptions {
  /** `"dev"` (the `dep` environment), `"int"`, `"prod"`, or your own URLs (a sandbox or a mock). */
  environment: EnvironmentName | Endpoints;
  /** The application's API key: the client assertion's `iss` and `sub`. */
  apiKey: string;
  /**
   * The platform's status key, which `status()` sends in the `apikey` header
   * (default: `apiKey`). The platform may give it apart from the application's
   * API key.
   */
  statusApiKey?: string | undefined;
  /** The `kid` under which the application's public key is registered. */
  keyId: string;
  /** The RSA private key: PEM text, a KeyObject or a JWK. Or give `signer` instead. */
  privateKey?: PrivateKeyInput | undefined;
  /** Signs assertions elsewhere (a KMS or HSM) instead of with `privateKey`. */
  signer?: AssertionSigner | undefined;
  /** A fetch to use instead of the global one (looked up at request time either way). */
  fetch?: typeof globalThis.fetch;
  /** Per attempt, for API and token calls alike (default 30 s). */
  timeoutMs?: number;
  retry?: RetryPolicy;
  /** A client-side limit shared by all calls of this client, e.g. `{ requestsPerSecond: 20 }` for dev and int. */
  rateLimit?: RateLimitOptions;
  /** Silent unless given. Called as `logger.info(fields, message)`, as pino is; a pino logger fits as it is. */
  logger?: Logger;
  /**
   * Your product, put before the client's own in every request's User-Agent:
   * `"my-gp-system/2.3"` gives `my-gp-system/2.3 nhs-app-api-client/<version> node/<version>`.
   */
  userAgent?: string | undefined;
  /** Where spans go (default: the global provider, a no-op until an OpenTelemetry SDK registers one). */
  tracerProvider?: TracerProvider | undefined;
  hooks?: Hooks;
  /** Check messages and parameters before sending (default true; false lets tests reach server errors). */
  validate?: boolean;
  /**
   * The Content-Type of message requests for both endpoints. By default each
   * gets the type the published contract declares: application/json for
   * in-app messages, application/fhir+json for push notifications.
   */
  contentType?: "application/json" | "application/fhir+json" | undefined;
}

export interface ResolvedConfig {
  environment: EnvironmentName | "custom";
  baseUrl: string;
  tokenUrl: string;
  apiKey: string;
  /** The key `status()` sends: `statusApiKey`, else `apiKey`. */
  statusApiKey: string;
  keyId: string;
  signer: AssertionSigner;
  timeoutMs: number;
  validate: boolean;
  contentType: "application/json" | "application/fhir+json" | undefined;
  /** The whole User-Agent header: the caller's product, then the client's. */
  userAgent: string;
}

const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]", "::1"]);

/** https, or plain http only on this machine, so production traffic can never go out in clear. */
function checkUrl(problems: string[], name: string, value: unknown) {
  if (typeof value !== "string" || value === "") return problems.push(`${name} is required`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return problems.push(`${name} must be an absolute URL`);
  }
  if (url.protocol === "https:") return;
  if (url.protocol === "http:" && LOOPBACK.has(url.hostname)) return;
  problems.push(`${name} must use https (plain http is allowed only for 127.0.0.1, ::1 and localhost)`);
}

export function resolveConfig(given: NhsAppClientOptions): ResolvedConfig {
  // From JavaScript, no options at all (or null) is a configuration error listing what is missing, not a TypeError.
  const options = (typeof given === "object" && given !== null ? given : {}) as NhsAppClientOptions;
  const problems: string[] = [];
  let endpoints: Endpoints | undefined;
  const { environment } = options;
  if (typeof environment === "string") {
    endpoints = environments[environment as EnvironmentName];
    if (!endpoints) problems.push(`environment must be "dev", "int", "prod" or { baseUrl, tokenUrl }`);
  } else if (typeof environment === "object" && environment !== null) {
    checkUrl(problems, "environment.baseUrl", environment.baseUrl);
    checkUrl(problems, "environment.tokenUrl", environment.tokenUrl);
    endpoints = environment;
  } else {
    problems.push(`environment is required: "dev", "int", "prod" or { baseUrl, tokenUrl }`);
  }
  if (typeof options.apiKey !== "string" || options.apiKey.trim() === "") problems.push("apiKey is required");
  if (
    options.statusApiKey !== undefined &&
    (typeof options.statusApiKey !== "string" || options.statusApiKey.trim() === "")
  ) {
    problems.push("statusApiKey, when given, must not be empty");
  }
  if (typeof options.keyId !== "string" || options.keyId.trim() === "") {
    problems.push("keyId (the JWT kid of your registered public key) must not be empty");
  }
  let signer: AssertionSigner | undefined;
  if (options.signer && options.privateKey) problems.push("give either privateKey or signer, not both");
  else if (options.signer) {
    if (typeof options.signer !== "function") problems.push("signer must be a function returning the signed JWT");
    else signer = options.signer;
  } else if (options.privateKey !== undefined) {
    try {
      const key: KeyObject = loadPrivateKey(options.privateKey);
      signer = keySigner(key);
    } catch (error) {
      problems.push(error instanceof ConfigurationError ? error.message : "privateKey could not be read");
    }
  } else {
    problems.push("privateKey (or signer) is required to sign client assertions");
  }
  const timeoutMs = options.timeoutMs ?? 30_000;
  if (typeof timeoutMs !== "number" || !(timeoutMs > 0 && timeoutMs <= LONGEST_TIMER_MS))
    problems.push(`timeoutMs must be a positive number of milliseconds, at most ${LONGEST_TIMER_MS}`);
  if (options.fetch !== undefined && typeof options.fetch !== "function") problems.push("fetch must be a function");
  if (options.validate !== undefined && typeof options.validate !== "boolean") {
    problems.push("validate must be true or false");
  }
  for (const wrong of retryIssues(options.retry, "retry")) {
    problems.push(`${wrong.expression?.[0] ?? "retry"} ${wrong.diagnostics ?? "is not valid"}`);
  }
  const rate = options.rateLimit as unknown;
  if (rate !== undefined && rate !== null) {
    const { requestsPerSecond, burst } = (typeof rate === "object" ? rate : {}) as Record<string, unknown>;
    if (typeof requestsPerSecond !== "number" || !Number.isFinite(requestsPerSecond) || requestsPerSecond <= 0) {
      problems.push("rateLimit.requestsPerSecond must be a positive number");
    }
    if (burst !== undefined && !(typeof burst === "number" && Number.isFinite(burst) && burst >= 1)) {
      problems.push("rateLimit.burst, when given, must be a number of at least 1");
    }
  }
  const contentType = options.contentType;
  if (contentType !== undefined && contentType !== "application/json" && contentType !== "application/fhir+json") {
    problems.push("contentType must be application/json or application/fhir+json");
  }
  if (options.userAgent !== undefined && !isValidUserAgentProduct(options.userAgent)) {
    problems.push('userAgent must be printable ASCII on one line, e.g. "my-gp-system/2.3"');
  }
  if (options.tracerProvider !== undefined && typeof options.tracerProvider?.getTracer !== "function") {
    problems.push("tracerProvider must be an OpenTelemetry TracerProvider (with getTracer)");
  }
  if (problems.length > 0 || !endpoints || !signer) {
    throw new ConfigurationError(`The NHS App client is not configured correctly: ${problems.join("; ")}`);
  }
  return {
    environment: typeof environment === "string" ? environment : "custom",
    baseUrl: endpoints.baseUrl.replace(/\/+$/, ""),
    tokenUrl: endpoints.tokenUrl,
    apiKey: options.apiKey,
    statusApiKey: options.statusApiKey ?? options.apiKey,
    keyId: options.keyId,
    signer,
    timeoutMs,
    validate: options.validate ?? true,
    contentType,
    userAgent: userAgentOf(options.userAgent),
  };
}
