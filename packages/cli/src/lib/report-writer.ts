// Writes a report's rows as they arrive, page by page, in one of three
// formats: a JSON array, one JSON object a line (NDJSON), or CSV with a
// header row. Nothing is held back but the current page.
import { csvRecord } from "./csv.js";

export const REPORT_FORMATS = ["json", "ndjson", "csv"] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** A CSV column: its header, and how to read it from a row. */
export interface Column<Row> {
  header: string;
  value: (row: Row) => unknown;
}

export interface ReportWriter<Row> {
  write(rows: readonly Row[]): Promise<void>;
  end(): Promise<void>;
}

export function reportWriter<Row>(
  format: ReportFormat,
  columns: readonly Column<Row>[],
  out: (text: string) => Promise<void>,
): ReportWriter<Row> {
  let started = false;
  const start = async () => {
    if (started) return;
    started = true;
    if (format === "csv") await out(csvRecord(columns.map((column) => column.header)));
    if (format === "json") await out("[");
  };
  let count = 0;
  return {
    async write(rows) {
      await start();
      if (rows.length === 0) return;
      if (format === "csv") {
        await out(rows.map((row) => csvRecord(columns.map((column) => column.value(row)))).join(""));
      } else if (format === "ndjson") {
        await out(rows.map((row) => `${JSON.stringify(row)}\n`).join(""));
      } else {
        await out(rows.map((row, i) => `${count + i === 0 ? "\n" : ",\n"}  ${JSON.stringify(row)}`).join(""));
      }
      count += rows.length;
    },
    async end() {
      await start();
      if (format === "json") await out(count === 0 ? "]\n" : "\n]\n");
    },
  };
}
