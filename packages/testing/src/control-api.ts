// The workbench over HTTP, under `/_sandbox/` on the sandbox's origin
// (CONTROL-API.md): JSON for programs and the CLI, HTML forms for the
// inspector page (answered with a redirect back to it). Local only: a
// request naming another host (DNS rebinding) or sent by another web page
// (a cross-site form) is refused, so a page on the internet cannot drive a
// developer's sandbox.

import { isLoopbackHost } from "./callback-delivery.js";
import type { GatewayRequest, GatewayResponse } from "./gateway.js";
import { renderInspectorPage } from "./inspector-page.js";
import { type Workbench, WorkbenchError } from "./workbench.js";

/** Where the page is: the prefix itself. */
export const INSPECTOR_PATH = "/_sandbox/";

type Method = "GET" | "POST" | "DELETE";

interface Route {
  pattern: RegExp;
  methods: Partial<Record<Method, (match: string[], body: Record<string, unknown>, query: URLSearchParams) => unknown>>;
  /** Where a form posted here returns to on the page (an anchor). */
  anchor?: (match: string[]) => string;
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}): GatewayResponse => ({
  status,
  headers: { "content-type": "application/json", "cache-control": "no-store", ...headers },
  body,
});

const refusal = (
  status: number,
  problems: readonly string[],
  headers: Record<string, string> = {},
): GatewayResponse => ({
  status,
  headers: { "content-type": "application/fhir+json", "cache-control": "no-store", ...headers },
  body: {
    resourceType: "OperationOutcome",
    issue: problems.map((diagnostics) => ({
      severity: "error",
      code: status === 404 ? "not-found" : status === 403 ? "forbidden" : status === 409 ? "processing" : "invalid",
      diagnostics,
    })),
  },
});

const limitOf = (query: URLSearchParams) => {
  const text = query.get("limit");
  if (text === null) return 50;
  const limit = Number(text);
  if (!(Number.isSafeInteger(limit) && limit >= 1))
    throw new WorkbenchError(400, [`limit must be a whole number of at least 1 (it is "${text}")`]);
  return limit;
};

function routes(workbench: Workbench): Route[] {
  return [
    {
      pattern: /^\/_sandbox\/clock$/,
      methods: {
        GET: () => workbench.clock(),
        POST: (_match, body) => workbench.moveClock(body as never),
      },
      anchor: () => "clock",
    },
    {
      pattern: /^\/_sandbox\/messages$/,
      methods: { GET: (_match, _body, query) => workbench.messages(limitOf(query)) },
    },
    {
      pattern: /^\/_sandbox\/messages\/([^/]+)$/,
      methods: { GET: ([id]) => workbench.message(id as string) },
    },
    {
      pattern: /^\/_sandbox\/messages\/([^/]+)\/receipts$/,
      methods: {
        POST: ([id], body) => {
          only(body, ["receipt", "reason"]);
          const receipt = body.receipt;
          const reason = body.reason;
          return workbench.deliverReceipt(id as string, {
            ...(receipt === undefined || receipt === "" ? {} : { receipt: receipt as string }),
            ...(reason === undefined || reason === "" ? {} : { reason: reason as string }),
          });
        },
      },
      anchor: ([id]) => `message-${id}`,
    },
    {
      pattern: /^\/_sandbox\/messages\/([^/]+)\/reply$/,
      methods: {
        POST: ([id], body) => {
          only(body, ["keyword", "text"]);
          return workbench.reply(id as string, { keyword: body.keyword, text: body.text });
        },
      },
      anchor: ([id]) => `message-${id}`,
    },
    {
      pattern: /^\/_sandbox\/callbacks$/,
      methods: { GET: () => ({ callbacks: workbench.callbacks() }) },
    },
    {
      pattern: /^\/_sandbox\/callbacks\/([^/]+)\/replay$/,
      methods: {
        POST: ([id], body) => {
          only(body, []);
          return workbench.replay(id as string);
        },
      },
      anchor: ([id]) => `callback-${id}`,
    },
    {
      pattern: /^\/_sandbox\/faults$/,
      methods: {
        GET: () => ({ faults: workbench.faults() }),
        // An HTML form cannot send DELETE: the page posts `clear=true` instead.
        POST: (_match, body) => {
          if (body.clear === "true" || body.clear === true) {
            only(body, ["clear"]);
            workbench.clearFaults();
            return { faults: workbench.faults() };
          }
          return workbench.addFault(body);
        },
        DELETE: () => {
          workbench.clearFaults();
          return { faults: workbench.faults() };
        },
      },
      anchor: () => "faults",
    },
    {
      pattern: /^\/_sandbox\/reset$/,
      methods: {
        POST: (_match, body) => {
          only(body, []);
          workbench.reset();
          return { reset: true, clock: workbench.clock() };
        },
      },
    },
    {
      pattern: /^\/_sandbox\/test-patients$/,
      methods: { GET: () => ({ testPatients: workbench.testPatients() }) },
    },
  ];
}

/** Refuses fields a route does not take: a typo must not pass for "the next receipt". */
function only(body: Record<string, unknown>, fields: readonly string[]) {
  const unknown = Object.keys(body).filter((key) => !fields.includes(key));
  if (unknown.length > 0) {
    throw new WorkbenchError(
      400,
      unknown.map(
        (key) =>
          `"${key}" is not a field here${fields.length > 0 ? ` (it takes ${fields.join(", ")})` : " (it takes none)"}`,
      ),
    );
  }
}

/**
 * The body as an object: JSON, an HTML form, or nothing. A body that starts
 * with `{` is read as JSON whatever its content type says (`curl -d` labels
 * JSON as a form); a form is only what a form sends.
 */
function bodyOf(request: GatewayRequest): { body: Record<string, unknown>; form: boolean } {
  const type = (request.headers.get("content-type") ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
  const text = request.body.trim();
  if (text === "") return { body: {}, form: type === "application/x-www-form-urlencoded" };
  if (type === "application/x-www-form-urlencoded" && !text.startsWith("{")) {
    return { body: Object.fromEntries(new URLSearchParams(text)), form: true };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new WorkbenchError(400, ["The body is not JSON (send a JSON object, content-type application/json)"]);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new WorkbenchError(400, ["The body must be a JSON object"]);
  }
  return { body: parsed as Record<string, unknown>, form: false };
}

/**
 * Whether a request may drive the sandbox: its Host (when it names one) is
 * this machine, and a request a browser sent from another page is refused.
 */
function foreign(request: GatewayRequest, origin: string): string | undefined {
  const host = request.headers.get("host");
  if (host !== null) {
    let hostname: string;
    try {
      hostname = new URL(`http://${host}`).hostname;
    } catch {
      return "The Host header is not a host";
    }
    if (!isLoopbackHost(hostname)) return `The sandbox's controls answer only on this machine, not as ${host}`;
  }
  const from = request.headers.get("origin");
  const site = request.headers.get("sec-fetch-site");
  if (
    request.method.toUpperCase() !== "GET" &&
    ((from !== null && from !== "null" && !sameSandbox(from, origin)) || site === "cross-site")
  ) {
    return "The sandbox's controls take no requests from other web pages";
  }
  return undefined;
}

/** The sandbox's origin, as 127.0.0.1 or localhost on its port. */
function sameSandbox(from: string, origin: string): boolean {
  try {
    const a = new URL(from);
    const b = new URL(origin);
    return a.protocol === b.protocol && a.port === b.port && isLoopbackHost(a.hostname);
  } catch {
    return false;
  }
}

/** Answers a request under `/_sandbox/` from the workbench; `origin` is the sandbox's. */
export function controlHandler(workbench: Workbench, origin: string) {
  const table = routes(workbench);
  return (request: GatewayRequest): GatewayResponse => {
    const url = new URL(request.url);
    const path = url.pathname.replace(/\/+$/, "") || "/";
    const method = request.method.toUpperCase();
    const problem = foreign(request, origin);
    if (problem) return refusal(403, [problem]);
    if (path === "/_sandbox" || path === "/_sandbox/inspector") {
      if (method !== "GET" && method !== "HEAD")
        return { status: 405, headers: { allow: "GET, HEAD", "content-type": "text/plain" }, body: "" };
      const notice = url.searchParams.get("notice") ?? undefined;
      const error = url.searchParams.get("error") ?? undefined;
      const page = renderInspectorPage(workbench.view(), {
        ...(notice === undefined ? {} : { notice }),
        ...(error === undefined ? {} : { error }),
      });
      return {
        status: 200,
        headers: {
          "content-type": "text/html; charset=utf-8",
          "cache-control": "no-store",
          "x-frame-options": "DENY",
          "content-security-policy":
            "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        },
        body: method === "HEAD" ? "" : page,
      };
    }
    for (const route of table) {
      const match = route.pattern.exec(path);
      if (!match) continue;
      const handler = route.methods[method as Method];
      const allow = Object.keys(route.methods).join(", ");
      if (!handler) return { status: 405, headers: { allow, "content-type": "text/plain" }, body: "" };
      const params = match.slice(1).map((part) => decodeURIComponent(part));
      let form = false;
      try {
        const parsed = bodyOf(request);
        form = parsed.form;
        const result = handler(params, parsed.body, url.searchParams);
        if (form) return back(route, params, "Done.");
        return json(
          method === "POST" && /\/(faults)$/.test(path) && !("faults" in (result as object)) ? 201 : 200,
          result,
        );
      } catch (error) {
        if (!(error instanceof WorkbenchError)) throw error;
        if (form) return back(route, params, undefined, error.problems.join("; "));
        return refusal(error.status, error.problems);
      }
    }
    return refusal(404, [
      `No such sandbox control: ${method} ${path} (see CONTROL-API.md; the page is GET ${INSPECTOR_PATH})`,
    ]);
  };
}

/** After a form: back to the page, where it was, with a word of what happened. */
function back(route: Route, params: string[], notice?: string, error?: string): GatewayResponse {
  const query = new URLSearchParams();
  if (notice) query.set("notice", notice);
  if (error) query.set("error", error);
  const anchor = route.anchor ? `#${route.anchor(params)}` : "";
  return {
    status: 303,
    headers: { location: `${INSPECTOR_PATH}?${query}${anchor}`, "content-type": "text/plain" },
    body: "",
  };
}
