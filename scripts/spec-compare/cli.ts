// `pnpm spec:compare <published nhs-app.yaml | URL> [--ours <alias>]`: compares
// a document NHS England published with ours. Exit 0 when every difference is
// explained by spec/departures.yaml, 1 when one is not, 2 when the input is bad.
import { Command, CommanderError } from "commander";
import { ContractInputError } from "../../packages/contract-check/src/load.ts";
import { compareWithPublished } from "./compare.ts";
import { formatComparison } from "./report.ts";

const program = new Command()
  .name("spec:compare")
  .description("Compare a published NHS App OpenAPI document with ours in spec/.")
  .argument("<published>", "path or URL of the published document; its $refs may point at other files")
  .option("--ours <alias>", "which of our documents to compare with (default: the one sharing its operationIds)")
  .option("--departures <file>", "the departures list (default: spec/departures.yaml)")
  .option("--json", "print the comparison as JSON")
  .exitOverride()
  .configureOutput({ writeErr: (text) => process.stderr.write(text) })
  .action(async (published: string, options: { ours?: string; departures?: string; json?: boolean }) => {
    const comparison = await compareWithPublished(published, {
      ...(options.ours ? { ours: options.ours } : {}),
      ...(options.departures ? { departuresFile: options.departures } : {}),
    });
    console.log(options.json ? JSON.stringify(comparison, null, 2) : formatComparison(comparison));
    process.exitCode = comparison.unexplained > 0 ? 1 : 0;
  });

try {
  await program.parseAsync();
} catch (error) {
  if (error instanceof CommanderError) {
    process.exitCode = error.exitCode === 0 ? 0 : 2;
  } else {
    const message = error instanceof ContractInputError ? error.message : `unexpected failure: ${String(error)}`;
    console.error(`spec:compare: ${message}`);
    process.exitCode = 2;
  }
}
