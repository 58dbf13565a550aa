// RFC 4180 CSV: a field with a comma, a double quote, a line break or
// surrounding spaces is quoted, quotes inside doubled; records end in CRLF.
// Small enough that a dependency would cost more than it saves.
//
// Reports carry text the platform hands back (reasons, references, a
// patient's reply): a cell that a spreadsheet would read as a formula is
// written with a leading apostrophe, as OWASP's CSV injection advice says,
// so opening the file never runs `=HYPERLINK(...)` or `@SUM(...)`.

/** What starts a formula in Excel, LibreOffice and Google Sheets, possibly after spaces. */
const FORMULA_START = /^[\s]*[=+\-@\t\r]/;

/** One field: empty for null and undefined, the text of anything else (objects as JSON). */
export function csvField(value: unknown): string {
  if (value === null || value === undefined) return "";
  let text = typeof value === "object" ? JSON.stringify(value) : String(value);
  // A number is data, even a negative one; only text can smuggle in a formula.
  if (typeof value === "string" && FORMULA_START.test(text)) text = `'${text}`;
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** One record, with its CRLF. */
export const csvRecord = (values: readonly unknown[]) => `${values.map(csvField).join(",")}\r\n`;
