// Turns whatever a framework hands over (raw text, a Buffer, or JSON it has
// already parsed) into a JSON value, refusing bodies over the size limit and
// bodies that are not JSON.
import { type CallbackIssue, issue } from "./issues.js";

export const DEFAULT_MAX_BODY_BYTES = 64 * 1024;

export type RawBody = string | Uint8Array | object;

export function readJson(
  body: RawBody,
  maxBytes: number = DEFAULT_MAX_BODY_BYTES,
): { ok: true; value: unknown } | { ok: false; issues: CallbackIssue[] } {
  if (typeof body === "string" || body instanceof Uint8Array) {
    const size = typeof body === "string" ? Buffer.byteLength(body) : body.byteLength;
    if (size > maxBytes) {
      return { ok: false, issues: [issue("too-long", `The body is ${size} bytes; at most ${maxBytes} are accepted`)] };
    }
    const text =
      typeof body === "string" ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString("utf8");
    if (text.trim() === "") return { ok: false, issues: [issue("structure", "The body is empty")] };
    try {
      return { ok: true, value: JSON.parse(text) as unknown };
    } catch {
      return { ok: false, issues: [issue("structure", "The body is not valid JSON")] };
    }
  }
  if (body === null || typeof body !== "object") {
    return { ok: false, issues: [issue("structure", "The body must be a JSON object")] };
  }
  return { ok: true, value: body };
}
