import { Command } from "commander";

// The `nhs-app` command. Commands are added one module each under src/commands.
const program = new Command("nhs-app").description(
  "Send messages through the NHS App API, read its reports, validate bodies, run the sandbox and check a callback endpoint",
);

await program.parseAsync(process.argv);
