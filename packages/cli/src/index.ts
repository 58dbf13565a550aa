// The `nhs-app` executable. See README.md for the commands and exit codes.
import { ExitCode } from "./lib/errors.js";
import { flushed, whenStdoutCloses } from "./lib/output.js";
import { run } from "./run.js";

// A reader that stops early (`| head`) is not an error, unless the command says otherwise.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code !== "EPIPE") return;
  if (whenStdoutCloses.stop) whenStdoutCloses.stop();
  // Once the command has ended, its own exit code stands (the pipe may break as the last bytes are flushed).
  else process.exit(typeof process.exitCode === "number" ? process.exitCode : ExitCode.ok);
});

const code = await run(process.argv.slice(2));
process.exitCode = code;
await flushed(process.stdout);
await flushed(process.stderr);
// Exit now rather than wait for idle keep-alive sockets to close.
process.exit(code);
