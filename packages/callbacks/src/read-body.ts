// Turns whatever a framework hands over (raw text, a Buffer, or JSON it has
// already parsed) into the FHIR resource a callback should carry, refusing
// bodies over the size limit, bytes that are not UTF-8, text that is not
// JSON, and JSON that is not the expected resource.
import { issue, type Refused, refused } from "./issues.js";

export const DEFAULT_MAX_BODY_BYTES = 64 * 1024;

export type RawBody = string | Uint8Array | object;

// fatal: bytes that are not UTF-8 are refused rather than turned into U+FFFD,
// which could make two different communication IDs look the same.
const utf8 = new TextDecoder("utf-8", { fatal: true });

export function readJson(
  body: RawBody,
  maxBytes: number = DEFAULT_MAX_BODY_BYTES,
): { ok: true; value: unknown } | Refused {
  if (typeof body === "string" || body instanceof Uint8Array) {
    const size = typeof body === "string" ? Buffer.byteLength(body) : body.byteLength;
    if (size > maxBytes)
      return refused(issue("too-long", `The body is ${size} bytes; at most ${maxBytes} are accepted`));
    let text: string;
    try {
      text = typeof body === "string" ? body : utf8.decode(body);
    } catch {
      return refused(issue("structure", "The body is not valid UTF-8"));
    }
    try {
      return { ok: true, value: JSON.parse(text) as unknown };
    } catch {
      // Only a body that failed to parse is looked at again, to say whether it was empty.
      return refused(issue("structure", text.trim() === "" ? "The body is empty" : "The body is not valid JSON"));
    }
  }
  if (body === null || typeof body !== "object") return refused(issue("structure", "The body must be a JSON object"));
  return { ok: true, value: body };
}

/** A short, safe description of a value for a diagnostic: never the whole of a hostile value. */
export function describeValue(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (value === undefined) return "missing";
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}

/** The body as a JSON object whose resourceType is the one expected. */
export function readResource(
  body: RawBody,
  maxBytes: number,
  resourceType: string,
): { ok: true; value: Record<string, unknown> } | Refused {
  const json = readJson(body, maxBytes);
  if (!json.ok) return json;
  const value = json.value;
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return refused(issue("structure", "The body must be a JSON object"));
  }
  const actual = (value as { resourceType?: unknown }).resourceType;
  if (actual !== resourceType) {
    return refused(
      issue("value", `resourceType must be ${resourceType}, not ${describeValue(actual)}`, "resourceType"),
    );
  }
  return { ok: true, value: value as Record<string, unknown> };
}

/**
 * Runs a parser so that it cannot throw: hostile input that trips something
 * unforeseen (a stack overflow on absurd nesting, say) is refused, not raised.
 * The parser's arguments are passed through rather than closed over, so a
 * request costs no closure.
 */
export function neverThrowing<A extends unknown[], T>(parse: (...args: A) => T | Refused, ...args: A): T | Refused {
  try {
    return parse(...args);
  } catch {
    return refused(issue("structure", "The body could not be read as a resource"));
  }
}
