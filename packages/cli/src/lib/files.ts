// Reading the files a command is given. A file that cannot be read is a
// usage error naming the file and the reason, never Node's stack; text that
// is not JSON is described by where it breaks, never by quoting it (it may
// hold an NHS number or a secret).
import { readFile } from "node:fs/promises";
import { usageError } from "./errors.js";

const reasons: Readonly<Record<string, string>> = {
  ENOENT: "does not exist",
  EISDIR: "is a directory, not a file",
  EACCES: "cannot be read (permission denied)",
  EPERM: "cannot be read (permission denied)",
  ENOTDIR: "is not under a directory",
};

/** The usage error for a file that cannot be read; `what` names it ("the message file"). */
export function fileProblem(path: string, what: string, error: unknown) {
  const code = (error as NodeJS.ErrnoException).code ?? "";
  return usageError(`${what} ${path} ${reasons[code] ?? `cannot be read (${code || "unknown error"})`}`);
}

/** The bytes of a file; `what` names it in the error ("the message file"). */
export async function readBytes(path: string, what: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    throw fileProblem(path, what, error);
  }
}

/** A file's text (UTF-8). */
export async function readText(path: string, what: string): Promise<string> {
  return (await readBytes(path, what)).toString("utf8");
}

export type JsonResult = { ok: true; value: unknown } | { ok: false; reason: string };

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

/** Where V8's JSON error says the text broke, as line and column; nothing of the text itself. */
function where(text: string, error: unknown): string {
  const position = /position (\d+)/.exec(error instanceof Error ? error.message : "")?.[1];
  if (position === undefined) return /end of JSON input/.test(String(error)) ? " (it ends too soon)" : "";
  const before = text.slice(0, Number(position)).split("\n");
  return ` (at line ${before.length}, column ${(before.at(-1)?.length ?? 0) + 1})`;
}

/** Parses bytes as UTF-8 JSON (a byte-order mark is dropped, as fetch drops it). */
export function parseJson(bytes: Uint8Array): JsonResult {
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return { ok: false, reason: "is not UTF-8 text" };
  }
  if (text.trim() === "") return { ok: false, reason: "is empty" };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    return { ok: false, reason: `is not valid JSON${where(text, error)}` };
  }
}
