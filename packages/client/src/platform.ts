// The platform's own endpoints, for health checks and monitoring: `_ping`
// (is the API's proxy up?) and `_status` (is the NHS App behind it up?). The
// platform answers both itself, without an access token, so none is fetched:
// `_ping` goes with no credentials, `_status` with the platform's status key
// in the header its security scheme names (both from the contract).
import { operations } from "@nhs-app-api/contract";
import type { PingResponse, StatusResponse } from "@nhs-app-api/types";
import { type Answer, type CallOptions, type ClientCore, callOperation, traced, unexpected } from "./call.js";
import { AuthenticationError } from "./errors/errors.js";
import type { Authentication, CallContext } from "./http/call-context.js";
import { wireRequestClass } from "./http/wire-request.js";

/** What a platform endpoint answered. */
export interface PlatformAnswer<Body> {
  /** The body as the platform sent it. */
  body: Body;
  /** The HTTP status (200). */
  status: number;
  correlationId: string;
}

/** `_ping`'s answer: the release of the API's proxy that is deployed. */
export type PingResult = PlatformAnswer<PingResponse>;

/** `_status`'s answer: the release and the check of the NHS App behind the proxy. */
export interface StatusResult extends PlatformAnswer<StatusResponse> {
  /** Whether every check passed (`body.status` is `pass`): a 200 can still report a failure. */
  passed: boolean;
}

const ping = operations["get-ping"];
const status = operations["get-status"];

/** The credentials an operation's security scheme asks for, given the key it would take. */
function authenticationOf(operation: (typeof operations)["get-ping" | "get-status"], key: string): Authentication {
  const schemes: readonly { type: string; in?: string; name?: string }[] = operation.security;
  const apiKey = schemes.find((scheme) => scheme.type === "apiKey" && scheme.in === "header");
  return apiKey?.name ? { type: "api-key", header: apiKey.name, value: key } : { type: "none" };
}

const isObject = (body: unknown): body is Record<string, unknown> =>
  typeof body === "object" && body !== null && !Array.isArray(body);

function get(core: ClientCore, context: CallContext, path: "/_ping" | "/_status"): Promise<Answer> {
  return callOperation(core, context, (fetch) =>
    core.raw.GET(path, { parseAs: "text", Request: wireRequestClass, fetch }),
  );
}

export function pingPlatform(core: ClientCore, options: CallOptions = {}): Promise<PingResult> {
  return traced(core, "get-ping", options, async (context) => {
    const answer = await get(core, { ...context, authentication: authenticationOf(ping, "") }, ping.path);
    if (!isObject(answer.body)) throw unexpected(answer, "its body is not the platform's ping object");
    return { body: answer.body as PingResponse, status: answer.status, correlationId: answer.correlationId };
  });
}

export function platformStatus(core: ClientCore, options: CallOptions = {}): Promise<StatusResult> {
  return traced(core, "get-status", options, async (context) => {
    const authentication = authenticationOf(status, core.config.statusApiKey);
    let answer: Answer;
    try {
      answer = await get(core, { ...context, authentication }, status.path);
    } catch (error) {
      // The platform refuses a wrong key with an empty body: say which key it was.
      if (error instanceof AuthenticationError && error.status === 401) throw refusedStatusKey(error);
      throw error;
    }
    const body = answer.body;
    if (!isObject(body) || (body.status !== "pass" && body.status !== "fail")) {
      throw unexpected(answer, 'its body is not the platform\'s status object (with status "pass" or "fail")');
    }
    return {
      body: body as StatusResponse,
      status: answer.status,
      correlationId: answer.correlationId,
      passed: body.status === "pass",
    };
  });
}

function refusedStatusKey(error: AuthenticationError): AuthenticationError {
  return new AuthenticationError(
    "401 Unauthorized from get-status: the platform refused the status key (the client's statusApiKey, or its apiKey when none is given)",
    {
      status: 401,
      request: error.request ?? { method: "GET", url: status.path, operation: "get-status" },
      body: error.body,
      source: "api",
      description: "the apikey header is missing or is not the platform's status key",
      ...(error.correlationId === undefined ? {} : { correlationId: error.correlationId }),
    },
  );
}
