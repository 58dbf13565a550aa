// Turns an HTTP error response into the matching error class, whatever its
// body: an OperationOutcome, a token-service error, a gateway fault, HTML or
// nothing at all.
import { parseRetryAfter } from "../http/backoff.js";
import {
  AuthenticationError,
  BadRequestError,
  type NhsAppClientError,
  type NhsAppErrorDetails,
  NotFoundError,
  PermissionError,
  RateLimitError,
  type RateLimitKind,
  type RequestDescription,
  ServerError,
  UnexpectedResponseError,
} from "./errors.js";
import { gatewayFaultOf, isOAuthError, isOperationOutcome, issuesFromBody } from "./operation-outcome.js";

export interface ErrorResponse {
  status: number;
  headers: Headers;
  /** Parsed JSON when the body was JSON, else its text (possibly empty). */
  body: unknown;
  request: RequestDescription;
  correlationId: string | undefined;
}

/** Reads a response body as JSON when it is JSON of any flavour (application/fhir+json, charset...), else as text. */
export async function readBody(response: Response): Promise<unknown> {
  const text = await response.text();
  if (text.trim() === "") return "";
  const type = response.headers.get("content-type") ?? "";
  if (/[/+]json\b/i.test(type) || /^\s*[[{]/.test(text)) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  }
  return text;
}

export function classifyRateLimit(diagnostics: string | undefined): RateLimitKind {
  if (!diagnostics) return "unknown";
  if (/spike in traffic/i.test(diagnostics)) return "spike-arrest";
  if (/exceeded its quota/i.test(diagnostics)) return "quota-app";
  if (/API is currently receiving a high volume/i.test(diagnostics)) return "quota-proxy";
  return "unknown";
}

const STATUS_TEXT: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  429: "Too Many Requests",
};

export function errorFromResponse(response: ErrorResponse): NhsAppClientError {
  const { status, body, request, correlationId } = response;
  const issues = issuesFromBody(body);
  const gatewayFault = gatewayFaultOf(body);
  const details: NhsAppErrorDetails = {
    status,
    issues,
    request,
    body,
    ...(correlationId ? { correlationId } : {}),
    ...(isOperationOutcome(body) ? { operationOutcome: body } : {}),
    ...(gatewayFault ? { gatewayFault } : {}),
  };
  const where = request.operation ?? `${request.method} ${request.url}`;
  const summary = `${status}${STATUS_TEXT[status] ? ` ${STATUS_TEXT[status]}` : ""} from ${where}`;
  const emptyNote = issues.length === 0 && typeof body === "string" && body ? " (non-JSON body)" : "";
  switch (true) {
    case status === 400:
      return new BadRequestError(summary + emptyNote, details);
    case status === 401: {
      const code = issues[0]?.code;
      return new AuthenticationError(summary + emptyNote, {
        ...details,
        source: "api",
        ...(code ? { issueCode: code } : {}),
      });
    }
    case status === 403:
      return new PermissionError(summary + emptyNote, details);
    case status === 404:
      return new NotFoundError(summary + emptyNote, details);
    case status === 429: {
      const retryAfterMs = parseRetryAfter(response.headers.get("retry-after"));
      return new RateLimitError(summary + emptyNote, {
        ...details,
        limit: classifyRateLimit(issues[0]?.diagnostics),
        ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
      });
    }
    case status >= 500:
      return new ServerError(summary + emptyNote, details);
    default:
      return new UnexpectedResponseError(summary + emptyNote, details);
  }
}

/** An error from the token endpoint: always an AuthenticationError, carrying the service's description. */
export function tokenErrorFromResponse(response: ErrorResponse): AuthenticationError {
  const { status, body, request } = response;
  const oauth = isOAuthError(body) ? body : undefined;
  const description = oauth?.error_description;
  const gatewayFault = gatewayFaultOf(body);
  return new AuthenticationError(
    `The token endpoint refused the client assertion (${status}${oauth ? ` ${oauth.error}` : ""})${description ? `: ${description}` : ""}; nothing was sent`,
    {
      status,
      request,
      body,
      ...(gatewayFault ? { gatewayFault } : {}),
      source: "token-endpoint",
      ...(oauth ? { issueCode: oauth.error } : {}),
      ...(description ? { description } : {}),
      ...(oauth?.message_id ? { messageId: oauth.message_id } : {}),
    },
  );
}
