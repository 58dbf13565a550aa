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
  // Parsed back rather than copied: exactly what the server's JSON reader will see, no more.
  return { text, value: text === undefined ? undefined : JSON.parse(text) };
}
