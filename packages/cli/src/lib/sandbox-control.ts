// The HTTP calls of `nhs-app sandbox messages|deliver|reply|...` to a running
// sandbox's control API (packages/testing/CONTROL-API.md). Which sandbox:
// --sandbox-url, else NHS_APP_SANDBOX_URL, else the origin of
// NHS_APP_BASE_URL (what the sandbox's banner exports), else the default
// port. The controls answer only on this machine, so any other host is
// refused before a request is made.
import { isLoopbackHost } from "@nhs-app-api/testing";
import { failure, usageError } from "./errors.js";
import { SANDBOX_DEFAULT_PORT } from "./sandbox-endpoints.js";

/** Where the control API's routes start on the sandbox's origin. */
const CONTROL_PREFIX = "/_sandbox";

/** How long one call may take: the routes answer at once, so a silent port is not a sandbox. */
export const CONTROL_TIMEOUT_MS = 10_000;

/** The origin of the sandbox to drive, checked: plain http on this machine. */
export function sandboxOrigin(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  const given: [string, string] | undefined =
    flag !== undefined
      ? [flag, "--sandbox-url"]
      : env.NHS_APP_SANDBOX_URL
        ? [env.NHS_APP_SANDBOX_URL, "NHS_APP_SANDBOX_URL"]
        : env.NHS_APP_BASE_URL
          ? [env.NHS_APP_BASE_URL, "NHS_APP_BASE_URL"]
          : undefined;
  if (!given) return `http://127.0.0.1:${SANDBOX_DEFAULT_PORT}`;
  const [text, source] = given;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw usageError(`the sandbox URL (${source}) is not a URL: ${text}`);
  }
  if (!isLoopbackHost(url.hostname)) {
    throw usageError(
      `the sandbox URL (${source}) must be on this machine (127.0.0.1, localhost or [::1]): the sandbox's controls answer only there, not at ${url.host}`,
    );
  }
  if (url.protocol !== "http:") {
    throw usageError(
      `the sandbox URL (${source}) must be http://, as the local sandbox serves (it is ${url.protocol})`,
    );
  }
  return url.origin;
}

/** What a refusal is about, so that a 404 names what was not found. */
export interface ControlCall {
  method: "GET" | "POST" | "DELETE";
  /** The route under `/_sandbox`, such as `/messages`. */
  path: string;
  body?: unknown;
  /** What the route is about, for a 404: `message 8f7e...`, `callback cb-3`. */
  about?: { what: string; id: string };
}

/** The diagnostics of a control API refusal (an OperationOutcome), or undefined when the body is not one. */
function diagnosticsOf(body: unknown): string[] | undefined {
  if (typeof body !== "object" || body === null) return undefined;
  const outcome = body as { resourceType?: unknown; issue?: unknown };
  if (outcome.resourceType !== "OperationOutcome" || !Array.isArray(outcome.issue)) return undefined;
  return outcome.issue.map((issue: { diagnostics?: unknown; code?: unknown }) =>
    typeof issue?.diagnostics === "string" ? issue.diagnostics : String(issue?.code ?? "refused"),
  );
}

const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
};

/**
 * One call to the control API, answered with its JSON. A sandbox that does
 * not answer, a refusal (each issue's diagnostics) and a server that is not
 * a sandbox are each a failure (exit 1) worded for the terminal.
 */
export async function controlCall<T>(origin: string, call: ControlCall): Promise<T> {
  const route = `${call.method} ${CONTROL_PREFIX}${call.path}`;
  let response: Response;
  let text: string;
  try {
    response = await fetch(`${origin}${CONTROL_PREFIX}${call.path}`, {
      method: call.method,
      headers: {
        accept: "application/json",
        ...(call.body === undefined ? {} : { "content-type": "application/json" }),
      },
      ...(call.body === undefined ? {} : { body: JSON.stringify(call.body) }),
      redirect: "manual",
      signal: AbortSignal.timeout(CONTROL_TIMEOUT_MS),
    });
    text = await response.text();
  } catch {
    // Refused, reset, or silent past the timeout: whatever is there is not a working sandbox.
    throw failure(`no sandbox answers at ${origin}: start one with \`nhs-app sandbox\``);
  }
  const body = text === "" ? undefined : parseJson(text);
  if (response.ok && body !== undefined) return body as T;
  const problems = response.ok ? undefined : diagnosticsOf(body);
  if (!problems) {
    // Another server on that port (or a sandbox from before the control API).
    throw failure(
      `what answers at ${origin} is not a sandbox with a control API (${route} got ${response.status}): start one with \`nhs-app sandbox\``,
    );
  }
  let said = problems.join("; ");
  // The sandbox names the ID it did not find; say it whatever it says.
  if (response.status === 404 && call.about && !said.includes(call.about.id)) {
    said = `no ${call.about.what} ${call.about.id}: ${said}`;
  }
  throw failure(`the sandbox at ${origin} refused (${response.status}): ${said}`);
}
