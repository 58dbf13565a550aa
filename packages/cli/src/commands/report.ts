// `nhs-app report receipts|patients`: every page of a report, through the
// client's pagination, written to stdout as it arrives (JSON, NDJSON or CSV),
// with progress on stderr so a pipe gets only the data.
import {
  type NhsAppClient,
  type PageIterable,
  validatePatientReportQuery,
  validateReceiptReportQuery,
} from "@nhs-app-api/client";
import { type Command, Option } from "commander";
import { fromClientError } from "../lib/client-errors.js";
import { connect } from "../lib/connect.js";
import { addConnectionOptions, type ConnectionFlags } from "../lib/connection-options.js";
import { usageError } from "../lib/errors.js";
import type { IssueLike } from "../lib/issues.js";
import { note, out } from "../lib/output.js";
import { patientColumns, receiptColumns } from "../lib/report-columns.js";
import { type Column, REPORT_FORMATS, type ReportFormat, reportWriter } from "../lib/report-writer.js";

interface ReportFlags extends ConnectionFlags {
  format: ReportFormat;
  quiet?: boolean;
}

/** A query the contract refuses is a bad option value: one line, exit 2, nothing sent. */
function checkQuery(flag: string, issues: readonly IssueLike[]) {
  if (issues.length > 0) throw usageError(`${flag}: ${issues.map((issue) => issue.diagnostics).join("; ")}`);
}

async function walk<Row>(
  pages: (client: NhsAppClient) => PageIterable<Row>,
  columns: readonly Column<Row>[],
  flags: ReportFlags,
) {
  const client = await connect(flags);
  const writer = reportWriter(flags.format, columns, out);
  let rows = 0;
  try {
    for await (const page of pages(client)) {
      rows += page.items.length;
      await writer.write(page.items);
      if (!flags.quiet) {
        note(`page ${page.page}${page.lastPage === undefined ? "" : ` of ${page.lastPage}`}, ${rows} rows`);
      }
    }
  } catch (error) {
    throw fromClientError(error);
  }
  await writer.end();
}

const reportOptions = (command: Command) =>
  addConnectionOptions(
    command
      .addOption(new Option("--format <format>", "how to write the rows").choices(REPORT_FORMATS).default("json"))
      .option("--quiet", "no progress on stderr"),
  );

export function registerReport(program: Command): void {
  const report = program.command("report").description("read a report, every page of it");

  reportOptions(
    report
      .command("receipts")
      .description("the receipts of every message, for one day")
      .requiredOption("--day <YYYY-MM-DD>", "the report's calendar day"),
  ).action(async (flags: ReportFlags & { day: string }) => {
    checkQuery("--day", validateReceiptReportQuery({ day: flags.day }));
    await walk((client) => client.receipts.pages(flags.day), receiptColumns, flags);
  });

  reportOptions(
    report
      .command("patients")
      .description("the NHS App users registered at a GP practice, and whether they have notifications on")
      .requiredOption("--ods <code>", "the GP practice's ODS code, e.g. A12345"),
  ).action(async (flags: ReportFlags & { ods: string }) => {
    checkQuery("--ods", validatePatientReportQuery({ odsCode: flags.ods }));
    await walk((client) => client.patients.pages(flags.ods), patientColumns, flags);
  });
}
