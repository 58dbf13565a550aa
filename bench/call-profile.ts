// Where a call's time goes, from a CPU profile of this thread (the bench's
// server runs in a worker, outside it): V8's sampling profiler runs while
// `send` is called `calls` times, and each sample's own time is put down to
// the part of the stack it was in (validation, the token, tracing, logging,
// body handling, openapi-fetch, fetch itself, garbage collection, waiting).
// Sampled, so a small part is a few microseconds give or take; the
// "waiting for the server" line is the thread idle while the answer travels.
import { Session } from "node:inspector/promises";

interface CallFrame {
  functionName: string;
  url: string;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** The client's own functions, by name, that belong to one concern (the bundle keeps their names). */
const CLIENT_FUNCTIONS: Record<string, readonly string[]> = {
  validation: ["callOptionsIssues", "optionsIssues", "retryIssues", "wireBodyIssues", "checked", "toWire", "onTheWire"],
  "access token": ["getToken", "accessTokenWithin", "assertionClaims", "keySigner", "readTokenResponse"],
  tracing: [
    "startCallSpan",
    "startChildSpan",
    "withSpan",
    "recordStatus",
    "recordError",
    "httpAttributes",
    "telemetryUrl",
  ],
  "logging and redaction": ["guardedLogger", "callHook", "redactText", "redactUrl", "maskNumbers"],
  "body (JSON out and in)": ["toWireJson", "parseText", "communicationIdOf", "readWithin", "bodyOf"],
};

export const PARTS = [
  "validation",
  "body (JSON out and in)",
  "access token",
  "tracing",
  "logging and redaction",
  "rest of the client (calls, retries, deadline)",
  "openapi-fetch",
  "fetch (undici), streams and the socket",
  "garbage collection",
  "the profiler itself",
  "other JavaScript and Node",
  "waiting for the server",
] as const;
export type Part = (typeof PARTS)[number];

function partOf({ functionName, url }: CallFrame): Part {
  if (functionName === "(idle)") return "waiting for the server";
  if (functionName === "(garbage collector)") return "garbage collection";
  if (url.includes("/packages/contract/dist/")) return "validation";
  if (url.includes("@opentelemetry")) return "tracing";
  if (url.includes("/openapi-fetch/")) return "openapi-fetch";
  if (url.includes("/packages/client/dist/")) {
    for (const [part, names] of Object.entries(CLIENT_FUNCTIONS)) if (names.includes(functionName)) return part as Part;
    return "rest of the client (calls, retries, deadline)";
  }
  // JSON.stringify and JSON.parse are native: no URL, their own names.
  if (url === "" && (functionName === "stringify" || functionName === "parse")) return "body (JSON out and in)";
  if (url === "node:inspector") return "the profiler itself";
  // writev and its kin are the socket's own native calls.
  if (url === "" && /^(writev|writeBuffer|writeUtf8String|writeLatin1String|readStart|readStop)$/.test(functionName))
    return "fetch (undici), streams and the socket";
  if (/node:internal\/(deps\/undici|webstreams|streams|stream_base|net|http|encoding)|^node:(net|stream)/.test(url))
    return "fetch (undici), streams and the socket";
  return "other JavaScript and Node";
}

/** Microseconds per call spent in each part, from a profile of `calls` calls of `send`. */
export async function profileCalls(send: () => Promise<unknown>, calls: number): Promise<Record<Part, number>> {
  const session = new Session();
  session.connect();
  await session.post("Profiler.enable");
  await session.post("Profiler.setSamplingInterval", { interval: 50 });
  await session.post("Profiler.start");
  for (let i = 0; i < calls; i++) await send();
  const { profile } = (await session.post("Profiler.stop")) as { profile: Profile };
  await session.post("Profiler.disable");
  session.disconnect();
  const frames = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
  const totals = Object.fromEntries(PARTS.map((part) => [part, 0])) as Record<Part, number>;
  profile.samples.forEach((id, index) => {
    const frame = frames.get(id);
    if (frame) totals[partOf(frame)] += profile.timeDeltas[index] ?? 0;
  });
  for (const part of PARTS) totals[part] /= calls;
  return totals;
}
