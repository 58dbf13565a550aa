// RFC 4180 CSV: a field with a comma, a double quote, a line break or
// surrounding spaces is quoted, quotes inside doubled; records end in CRLF.
// Small enough that a dependency would cost more than it saves.

/** One field: empty for null and undefined, the text of anything else (objects as JSON). */
export function csvField(value: unknown): string {
  if (value === null || value === undefined) return "";
  const text = typeof value === "object" ? JSON.stringify(value) : String(value);
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** One record, with its CRLF. */
export const csvRecord = (values: readonly unknown[]) => `${values.map(csvField).join(",")}\r\n`;
