// `nhs-app contracts --against <folder|file|URL>`: the pacts this package
// carries (what @nhs-app-api/client sends and reads, and what the NHS App
// sends a callback endpoint) checked against another version of the
// contract, such as a new release of NHS England's files, with our
// departures allowed. For CI: a line per interaction, --junit and --json,
// exit 0 when the contract is kept, 1 when an interaction breaks, 2 when the
// input cannot be read. The check lives in @nhs-app-api/contract-check,
// loaded only when this command runs.
import { writeFile } from "node:fs/promises";
import type { Command } from "commander";
import { silentFailure, usageError } from "../lib/errors.js";
import { note, out } from "../lib/output.js";

interface ContractsFlags {
  against: string;
  departures?: string;
  junit?: string;
  json?: boolean;
}

async function contracts(flags: ContractsFlags) {
  const check = await import("@nhs-app-api/contract-check");
  let result: Awaited<ReturnType<typeof check.checkContract>>;
  try {
    result = await check.checkContract({
      against: flags.against,
      ...(flags.departures ? { departures: flags.departures } : {}),
    });
  } catch (error) {
    if (error instanceof check.ContractInputError) throw usageError(error.message);
    throw error;
  }
  if (flags.junit) {
    await writeFile(flags.junit, check.toJUnit(result)).catch((error: NodeJS.ErrnoException) => {
      throw usageError(`cannot write the JUnit report ${flags.junit} (${error.code ?? error.message})`);
    });
  }
  await out(flags.json ? `${JSON.stringify(result, null, 2)}\n` : `${check.formatCheck(result)}\n`);
  if (result.kept) return;
  if (!flags.json && result.counts.checked === 0) note("nhs-app: no interaction could be checked");
  throw silentFailure();
}

export function registerContracts(program: Command): void {
  program
    .command("contracts")
    .description("check that the client and the callbacks keep another version of the contract (exit 1 when not)")
    .requiredOption(
      "--against <location>",
      "the other version: a folder laid out as NHS England's repository (or any folder of OpenAPI documents), a file or a URL",
    )
    .option("--departures <file>", "the departures to allow (default: the list this CLI was released with)")
    .option("--junit <file>", "also write the result as JUnit XML, a test case per interaction")
    .option("--json", "print the result as JSON instead of text")
    .addHelpText(
      "after",
      `
Where the departures list explains a difference between that version and this
project's contract (a known mistake in NHS England's files), our value is put
back first; everything else is judged as that version has it. Each broken
interaction is printed as FAILED <document>: <interaction>: <field>: <why>.

Exit codes: 0 every interaction checked keeps the contract; 1 one breaks it
(or none could be checked); 2 usage error, or the input cannot be read.`,
    )
    .action(contracts);
}
