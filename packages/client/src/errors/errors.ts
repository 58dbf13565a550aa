// The client's error classes. Every error carries a string `kind` to switch
// on, the HTTP status, the correlation ID, the issues (from the server's
// OperationOutcome or from client-side validation) and a redacted description
// of the request. Messages are built from the issues; secrets and NHS numbers
// never appear in messages, JSON.stringify(error) or util.inspect(error).
import { inspect } from "node:util";
import type { OperationOutcome } from "@nhs-app-api/types";
import { redactText } from "../redaction.js";
import { describeIssues, type GatewayFault, type Issue } from "./operation-outcome.js";

export type NhsAppErrorKind =
  | "configuration"
  | "client-validation"
  | "bad-request"
  | "authentication"
  | "permission"
  | "not-found"
  | "rate-limit"
  | "server"
  | "timeout"
  | "connection"
  | "unexpected-response"
  | "pagination";

/** What was being asked for, without headers, bodies or secrets. */
export interface RequestDescription {
  method: string;
  /** The URL, with NHS-number-like values masked. */
  url: string;
  /** The operationId, e.g. `create-in-app`, or `token` for the token endpoint. */
  operation?: string;
}

export interface NhsAppErrorDetails {
  status?: number;
  correlationId?: string;
  issues?: readonly Issue[];
  operationOutcome?: OperationOutcome;
  request?: RequestDescription;
  /** The gateway's own fault, when the API gateway answered in its raw shape instead of an OperationOutcome. */
  gatewayFault?: GatewayFault;
  /** The response body as received (parsed JSON or text); kept off JSON and inspect output. */
  body?: unknown;
  cause?: unknown;
}

const withCorrelationId = (id: string | undefined) => (id ? ` | correlation ID ${id}` : "");

export abstract class NhsAppError extends Error {
  abstract readonly kind: NhsAppErrorKind;
  readonly status: number | undefined;
  readonly correlationId: string | undefined;
  readonly issues: readonly Issue[];
  readonly operationOutcome: OperationOutcome | undefined;
  readonly request: RequestDescription | undefined;
  /**
   * Set when the API gateway refused the request in its own raw shape
   * (`{"fault": ...}`) rather than with an OperationOutcome: its code, its
   * words and what they mean. `issues` is then empty.
   */
  readonly gatewayFault: GatewayFault | undefined;
  declare readonly body: unknown;

  constructor(summary: string, details: NhsAppErrorDetails = {}) {
    const issues = details.issues ?? [];
    const parts = [summary];
    if (issues.length > 0) parts.push(describeIssues(issues));
    const fault = details.gatewayFault;
    if (fault) parts.push(`gateway fault ${fault.code ?? "(no code)"}: ${fault.description} (${fault.meaning})`);
    // The correlation ID is never masked: support needs it exactly as it was sent.
    const message = redactText(parts.join(" | ")) + withCorrelationId(details.correlationId);
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = new.target.name;
    this.status = details.status;
    this.correlationId = details.correlationId;
    this.issues = issues;
    this.operationOutcome = details.operationOutcome;
    this.request = details.request;
    this.gatewayFault = fault;
    // The raw body may hold patient data: readable on purpose, never printed.
    Object.defineProperty(this, "body", { value: details.body, enumerable: false });
  }

  /**
   * This error as one call sees it: a copy carrying that call's correlation
   * ID. A token-endpoint failure is shared by every call that waited for the
   * same token, so it is copied per call, never changed in place.
   */
  forCall(correlationId: string): this {
    if (this.correlationId !== undefined) return this;
    const copy = Object.create(Object.getPrototypeOf(this)) as this;
    for (const key of Reflect.ownKeys(this)) {
      Object.defineProperty(copy, key, Object.getOwnPropertyDescriptor(this, key) as PropertyDescriptor);
    }
    Object.defineProperty(copy, "correlationId", { value: correlationId, enumerable: true });
    Object.defineProperty(copy, "message", { value: `${this.message}${withCorrelationId(correlationId)}` });
    Object.defineProperty(copy, "stack", { value: this.stack?.replace(this.message, copy.message) });
    return copy;
  }

  /** What JSON.stringify(error) shows: no body, no stack, nothing secret. */
  toJSON() {
    return {
      name: this.name,
      kind: this.kind,
      message: this.message,
      status: this.status,
      correlationId: this.correlationId,
      issues: this.issues.map(({ severity, code, diagnostics, expression }) => ({
        severity,
        code,
        ...(diagnostics === undefined ? {} : { diagnostics: redactText(diagnostics) }),
        ...(expression === undefined ? {} : { expression }),
      })),
      request: this.request,
      ...(this.gatewayFault ? { gatewayFault: this.gatewayFault } : {}),
    };
  }

  [inspect.custom]() {
    return `${this.name} [${this.kind}]: ${this.message}`;
  }
}

export class ConfigurationError extends NhsAppError {
  readonly kind = "configuration" as const;
}

/** A ValidationIssue keeps the offending value, but only for a caller who reads it on purpose. */
export interface ValidationIssue extends Issue {
  readonly value?: unknown;
}

/** Raised before anything is sent: the message or parameters would be refused by the server. */
export class ClientValidationError extends NhsAppError {
  readonly kind = "client-validation" as const;
  declare readonly issues: readonly ValidationIssue[];
  constructor(what: string, issues: readonly ValidationIssue[], details: NhsAppErrorDetails = {}) {
    const count = issues.length === 1 ? "1 problem" : `${issues.length} problems`;
    super(`${what} is not valid (${count}; nothing was sent)`, { ...details, issues });
  }
}

export class BadRequestError extends NhsAppError {
  readonly kind = "bad-request" as const;
}

export type AuthenticationSource = "api" | "token-endpoint" | "signer";

export class AuthenticationError extends NhsAppError {
  readonly kind = "authentication" as const;
  /** Where authentication failed. */
  readonly source: AuthenticationSource;
  /** For API 401s: `expired` or `forbidden`. For token-endpoint errors: the OAuth `error`. */
  readonly issueCode: string | undefined;
  /** The token service's `error_description`. */
  readonly description: string | undefined;
  /** The token service's `message_id`, to quote to support. */
  readonly messageId: string | undefined;
  constructor(
    summary: string,
    details: NhsAppErrorDetails & {
      source: AuthenticationSource;
      issueCode?: string;
      description?: string;
      messageId?: string;
    },
  ) {
    super(summary, details);
    this.source = details.source;
    this.issueCode = details.issueCode;
    this.description = details.description;
    this.messageId = details.messageId;
  }
}

export class PermissionError extends NhsAppError {
  readonly kind = "permission" as const;
}

export class NotFoundError extends NhsAppError {
  readonly kind = "not-found" as const;
}

/** Which limit was hit, from the gateway's diagnostics. */
export type RateLimitKind = "quota-app" | "spike-arrest" | "quota-proxy" | "unknown";

export class RateLimitError extends NhsAppError {
  readonly kind = "rate-limit" as const;
  readonly limit: RateLimitKind;
  /** From a `Retry-After` header, when the gateway sent one. */
  readonly retryAfterMs: number | undefined;
  constructor(summary: string, details: NhsAppErrorDetails & { limit: RateLimitKind; retryAfterMs?: number }) {
    super(summary, details);
    this.limit = details.limit;
    this.retryAfterMs = details.retryAfterMs;
  }
}

export class ServerError extends NhsAppError {
  readonly kind = "server" as const;
}

/**
 * The call took too long. If the request had been sent, the server may have
 * processed it: a message may have been delivered although no answer came.
 */
export class TimeoutError extends NhsAppError {
  readonly kind = "timeout" as const;
  /** False only when the call timed out before its request was sent (waiting for an access token). */
  readonly mayHaveBeenProcessed: boolean;
  constructor(summary: string, details: NhsAppErrorDetails & { mayHaveBeenProcessed?: boolean } = {}) {
    super(summary, details);
    this.mayHaveBeenProcessed = details.mayHaveBeenProcessed ?? true;
  }
}

/**
 * The connection failed. `neverReachedServer` is true when the request
 * certainly never arrived: the connection was refused, the host was not
 * found, or the token endpoint failed before the API call was sent.
 */
export class ConnectionError extends NhsAppError {
  readonly kind = "connection" as const;
  readonly neverReachedServer: boolean;
  constructor(summary: string, details: NhsAppErrorDetails & { neverReachedServer: boolean }) {
    super(summary, details);
    this.neverReachedServer = details.neverReachedServer;
  }
}

export class UnexpectedResponseError extends NhsAppError {
  readonly kind = "unexpected-response" as const;
}

/** Pagination was stopped, for example by a next link that leaves the API's origin. */
export class PaginationError extends NhsAppError {
  readonly kind = "pagination" as const;
}

/** Every error the client throws; `switch (error.kind)` narrows it. */
export type NhsAppClientError =
  | ConfigurationError
  | ClientValidationError
  | BadRequestError
  | AuthenticationError
  | PermissionError
  | NotFoundError
  | RateLimitError
  | ServerError
  | TimeoutError
  | ConnectionError
  | UnexpectedResponseError
  | PaginationError;

export const isNhsAppError = (error: unknown): error is NhsAppClientError => error instanceof NhsAppError;
