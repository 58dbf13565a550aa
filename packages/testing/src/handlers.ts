// msw handlers that stand in for the NHS App API and its token endpoint in
// other teams' tests. They hand every request to the fake gateway
// (gateway.ts), the same core the sandbox runs, so the two answer alike:
// tokens checked by the platform's rules, requests validated as the client
// validates them, answers from the spec's examples unless a test overrides
// them, in a typed way, with `respond(...)`.

import type { operations } from "@nhs-app-api/types";
import { delay, type HttpHandler, HttpResponse, http } from "msw";
import { controlHandler } from "./control-api.js";
import type { CreatedMessage } from "./created-messages.js";
import { DEFAULT_API_KEY, DEFAULT_BASE_URL, DEFAULT_TOKEN_URL } from "./defaults.js";
import {
  FakeGateway,
  type GatewayOptions,
  type GatewayResponse,
  type GatewayTuning,
  type RecordedRequest,
  SANDBOX_CONTROL_PREFIX,
} from "./gateway.js";
import type { GatewayRateLimit } from "./rate-limit.js";
import { isPlatformEndpoint, type OperationId, operationPaths } from "./spec.js";
import { Workbench } from "./workbench.js";

export type { CreatedMessage, GatewayRateLimit, RecordedRequest };

/** The gateway's tuning, and who the mock is: where it answers, its API key and keys, the IDs it makes. */
export interface NhsAppMockOptions
  extends GatewayTuning,
    Pick<GatewayOptions, "keys" | "newAccessToken" | "newCommunicationId"> {
  baseUrl?: string;
  tokenUrl?: string;
  apiKey?: string;
}

type Responses<Op extends OperationId> = operations[Op]["responses"];
type StatusOf<Op extends OperationId> = Extract<keyof Responses<Op>, number>;
type BodyOf<Op extends OperationId, S extends StatusOf<Op>> = Responses<Op>[S] extends { content: infer C }
  ? C[keyof C]
  : never;

/** A response for one operation: a named example of the spec, or a body of the right type. */
export type MockResponse<Op extends OperationId, S extends StatusOf<Op>> =
  | { example: string; headers?: Record<string, string> }
  | { body: BodyOf<Op, S>; headers?: Record<string, string> };

/** The gateway's answer as an msw response. */
export function toMswResponse(answer: GatewayResponse): Response {
  const body =
    answer.body === null || answer.body === undefined || answer.body === ""
      ? null
      : typeof answer.body === "string"
        ? answer.body
        : JSON.stringify(answer.body);
  return new HttpResponse(body, { status: answer.status, headers: answer.headers });
}

const fromMsw = async (request: Request) => ({
  method: request.method,
  url: request.url,
  headers: request.headers,
  body: request.method === "GET" || request.method === "HEAD" ? "" : await request.text(),
});

export function createNhsAppMock(options: NhsAppMockOptions = {}) {
  const { baseUrl: base, tokenUrl: token, apiKey, ...rest } = options;
  const gateway = new FakeGateway({
    ...rest,
    baseUrl: base ?? DEFAULT_BASE_URL,
    tokenUrl: token ?? DEFAULT_TOKEN_URL,
    apiKey: apiKey ?? DEFAULT_API_KEY,
  });
  const { baseUrl, tokenUrl } = gateway;
  // The same workbench as the sandbox's (messages, faults, test patients, reset), without callbacks or a clock of its own.
  const workbench = new Workbench({ gateway });
  gateway.useControls(controlHandler(workbench, new URL(baseUrl).origin));

  const answer = async ({ request }: { request: Request }) => {
    const answered = await gateway.handle(await fromMsw(request));
    // A fault asked for no answer (a dropped connection) or a late one.
    if (answered.drop) return HttpResponse.error();
    if (answered.delayMs !== undefined) await delay(answered.delayMs);
    return toMswResponse(answered);
  };
  /** The token endpoint alone, for tests that mock the API themselves. */
  const tokenHandler = http.all(tokenUrl, answer);
  const handlers: HttpHandler[] = [
    tokenHandler,
    http.all(`${baseUrl}/*`, answer),
    // The sandbox's controls (GET /_sandbox/clock) sit on the origin, outside the base path: served here too, so the two doors agree.
    http.all(`${new URL(baseUrl).origin}${SANDBOX_CONTROL_PREFIX}*`, answer),
  ];

  /**
   * A handler that answers one operation with the response a test wants, for
   * `server.use(...)`. The request is still authenticated and recorded, but
   * not validated, so a test can return anything the spec allows.
   */
  function respond<Op extends OperationId, S extends StatusOf<Op>>(
    operation: Op,
    status: S,
    response: MockResponse<Op, S>,
    handlerOptions: { once?: boolean } = {},
  ): HttpHandler {
    const { method, path } = operationPaths[operation];
    // A platform endpoint answers HEAD as GET: the gateway says which methods are this operation's.
    const handler = isPlatformEndpoint(operation) ? http.all : http[method];
    return handler(
      `${baseUrl}${path}`,
      async ({ request }) => {
        if (gateway.operationOf(request.method, request.url) !== operation) return undefined;
        return toMswResponse(await gateway.operation(operation, await fromMsw(request), { ...response, status }));
      },
      { once: handlerOptions.once ?? false },
    );
  }

  return {
    baseUrl,
    tokenUrl,
    apiKey: gateway.apiKey,
    keys: gateway.keys,
    issuer: gateway.issuer,
    gateway,
    requests: gateway.requests,
    /** The workbench: messages with their timelines, faults for the next calls, test patients, reset. */
    workbench,
    /** Every message accepted with 201, in order (the same list as `gateway.createdMessages`). */
    createdMessages: gateway.createdMessages,
    handlers,
    tokenHandler,
    respond,
  };
}

export type NhsAppMock = ReturnType<typeof createNhsAppMock>;
