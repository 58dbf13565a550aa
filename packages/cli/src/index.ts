// The `nhs-app` executable. See README.md for the commands and exit codes.
import { ExitCode } from "./lib/errors.js";
import { flushed } from "./lib/output.js";
import { run } from "./run.js";

// A reader that stops early (`| head`) is not an error.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code === "EPIPE") process.exit(ExitCode.ok);
});

const code = await run(process.argv.slice(2));
await flushed(process.stdout);
await flushed(process.stderr);
// Exit now rather than wait for idle keep-alive sockets to close.
process.exit(code);
