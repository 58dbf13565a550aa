// msw handlers that stand in for the NHS App API and its token endpoint in
// other teams' tests. Every request is checked against the bundled spec (and
// the token rules); answers come from the spec's own examples unless a test
// overrides them, in a typed way, with `respond(...)`.
import type { operations } from "@nhs-app-api/types";
import { type HttpHandler, HttpResponse, http } from "msw";
import { createTestKeys, type TestKeys } from "./keys.js";
import { exampleResponse, type OperationId, operationPaths, replyKind } from "./spec.js";
import { isTokenError, TokenIssuer } from "./token-rules.js";
import { operationOutcome, queryIssues, requestBodyIssues } from "./validate-request.js";

export const DEFAULT_BASE_URL = "http://127.0.0.1:9/nhs-app";
export const DEFAULT_TOKEN_URL = "http://127.0.0.1:9/oauth2/token";
export const DEFAULT_API_KEY = "test-api-key";

export interface NhsAppMockOptions {
  baseUrl?: string;
  tokenUrl?: string;
  apiKey?: string;
  keys?: TestKeys;
  tokenLifetimeSeconds?: number;
}

export interface RecordedRequest {
  operation: OperationId | "token";
  method: string;
  url: string;
  headers: Record<string, string>;
  body: unknown;
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

const mirror = (request: Request, headers: Record<string, string>) => {
  const id = request.headers.get("x-correlation-id");
  return id ? { ...headers, "x-correlation-id": id } : headers;
};

export function createNhsAppMock(options: NhsAppMockOptions = {}) {
  const baseUrl = (options.baseUrl ?? DEFAULT_BASE_URL).replace(/\/$/, "");
  const tokenUrl = options.tokenUrl ?? DEFAULT_TOKEN_URL;
  const apiKey = options.apiKey ?? DEFAULT_API_KEY;
  const keys = options.keys ?? createTestKeys();
  const issuer = new TokenIssuer({
    tokenUrl,
    apiKey,
    publicKeys: new Map([[keys.keyId, keys.publicKey]]),
    ...(options.tokenLifetimeSeconds === undefined ? {} : { tokenLifetimeSeconds: options.tokenLifetimeSeconds }),
  });
  const requests: RecordedRequest[] = [];
  const record = (operation: RecordedRequest["operation"], request: Request, body: unknown) =>
    requests.push({
      operation,
      method: request.method,
      url: request.url,
      headers: Object.fromEntries(request.headers),
      body,
    });

  const tokenHandler = http.post(tokenUrl, async ({ request }) => {
    const form = await request.text();
    record("token", request, form);
    const result = await issuer.handle(request.headers.get("content-type"), form);
    return isTokenError(result)
      ? HttpResponse.json(result.body, { status: result.status })
      : HttpResponse.json(result.body);
  });

  /** Answers an operation: auth first, then the spec's validation, then `answer`. */
  const operationHandler = (operation: OperationId, answer: (request: Request, body: unknown) => Response) => {
    const { method, path } = operationPaths[operation];
    const url = `${baseUrl}${path}`;
    return http[method](url, async ({ request }) => {
      const text = method === "post" ? await request.text() : "";
      let body: unknown;
      let malformed = false;
      if (method === "post") {
        try {
          body = JSON.parse(text);
        } catch {
          malformed = true;
        }
      }
      record(operation, request, malformed ? text : body);
      const auth = issuer.check(request.headers.get("authorization"));
      if (auth !== "valid") {
        const example = exampleResponse(
          operation,
          401,
          auth === "expired" ? "expired-access-token" : "invalid-access-token",
        );
        return HttpResponse.json(example.body as object, {
          status: 401,
          headers: mirror(request, { "content-type": "application/json" }),
        });
      }
      const issues = malformed
        ? [{ severity: "error" as const, code: "invalid" as const, diagnostics: "Invalid Json encountered." }]
        : method === "post"
          ? requestBodyIssues(operation, body, request.headers.get("content-type") ?? "")
          : queryIssues(operation, new URL(request.url).searchParams);
      if (issues.length > 0) {
        return HttpResponse.json(operationOutcome(issues), {
          status: 400,
          headers: mirror(request, { "content-type": "application/fhir+json" }),
        });
      }
      return answer(request, body);
    });
  };

  const fromExample = (request: Request, operation: OperationId, status: number, example?: string) => {
    const response = exampleResponse(operation, status, example);
    return HttpResponse.json(response.body as object, { status, headers: mirror(request, response.headers) });
  };

  const handlers: HttpHandler[] = [
    tokenHandler,
    operationHandler("create-in-app", (request, body) => fromExample(request, "create-in-app", 201, replyKind(body))),
    operationHandler("create-notification", (request) => fromExample(request, "create-notification", 201)),
    operationHandler("get-receipt-report", (request) => fromExample(request, "get-receipt-report", 200)),
    operationHandler("get-patient-report", (request) => fromExample(request, "get-patient-report", 200)),
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
    return http[method](
      `${baseUrl}${path}`,
      async ({ request }) => {
        record(operation, request, method === "post" ? await request.clone().text() : undefined);
        if (issuer.check(request.headers.get("authorization")) !== "valid") {
          return fromExample(request, operation, 401, "invalid-access-token");
        }
        if ("example" in response) {
          const example = exampleResponse(operation, status, response.example);
          return HttpResponse.json(example.body as object, {
            status,
            headers: mirror(request, { ...example.headers, ...response.headers }),
          });
        }
        return HttpResponse.json(response.body as object, {
          status,
          headers: mirror(request, { "content-type": "application/json", ...response.headers }),
        });
      },
      { once: handlerOptions.once ?? false },
    );
  }

  return { baseUrl, tokenUrl, apiKey, keys, issuer, requests, handlers, respond };
}

export type NhsAppMock = ReturnType<typeof createNhsAppMock>;
