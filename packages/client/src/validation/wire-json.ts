// What the server judges is the JSON text the client sends, not the
// JavaScript object it was given: a getter on a prototype, a non-enumerable
// property, a toJSON or a Date all make the two differ. So a body is
// serialised once, the value that text stands for is what gets validated,
// and that very text is what goes out.
import type { ValidationIssue } from "../errors/errors.js";
import { redactText } from "../redaction.js";

export type WireJson =
  /** `text` is undefined when the body has no JSON form at all (undefined, a function, a symbol). */
  | { text: string | undefined; value: unknown; issue?: undefined }
  | { text?: undefined; value?: undefined; issue: ValidationIssue };

/** The body as JSON text and as the value the server will read from it, or why it cannot be written as JSON. */
export function toWireJson(body: unknown): WireJson {
  let text: string | undefined;
  try {
    text = JSON.stringify(body) as string | undefined;
  } catch (error) {
    // A cycle, a BigInt, or a getter or toJSON that throws: nothing could be sent.
    const reason = error instanceof Error ? redactText(error.message.split("\n")[0] ?? "") : "it cannot be serialised";
    return {
      issue: {
        severity: "error",
        code: "invalid",
        diagnostics: `Not valid JSON: ${reason}`,
      },
    };
  }
  if (text === undefined) return { text, value: undefined };
  // Plain data (what the builders make) is its own JSON: validating it is validating the wire, without
  // parsing the text back. Anything else is parsed back: exactly what the server's JSON reader will see.
  return { text, value: isPlainData(body, 0) ? body : JSON.parse(text) };
}

/** Deeper than any CommunicationRequest: past it, the text is parsed back instead. */
const MAX_DEPTH = 32;

/**
 * Whether JSON.stringify writes this value exactly as a validator reads it:
 * only plain objects and arrays (no class, no Date, no toJSON, no
 * non-enumerable property, no undefined member, no hole), strings, finite
 * numbers, booleans and null.
 */
function isPlainData(value: unknown, depth: number): boolean {
  if (value === null) return true;
  switch (typeof value) {
    case "string":
    case "boolean":
      return true;
    case "number":
      return Number.isFinite(value);
    case "object": {
      if (depth > MAX_DEPTH || "toJSON" in value) return false;
      if (Array.isArray(value)) {
        if (Object.getPrototypeOf(value) !== Array.prototype) return false;
        // A hole reads as undefined here and is written as null: not plain.
        for (let i = 0; i < value.length; i++) if (!isPlainData(value[i], depth + 1)) return false;
        return true;
      }
      const prototype = Object.getPrototypeOf(value);
      if (prototype !== Object.prototype && prototype !== null) return false;
      const keys = Object.keys(value);
      // A non-enumerable property is read by a validator but left out of the JSON.
      if (Object.getOwnPropertyNames(value).length !== keys.length) return false;
      for (const key of keys) if (!isPlainData((value as Record<string, unknown>)[key], depth + 1)) return false;
      return true;
    }
    default:
      // undefined, a function, a symbol or a BigInt member: the JSON leaves it out or fails.
      return false;
  }
}
