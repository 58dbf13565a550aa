// How a command ends when it does not succeed: an exit code, and at most one
// line for stderr. Commands throw these; the entry point prints and exits, so
// no command ever prints a stack trace.

/** The exit codes the README documents. */
export const ExitCode = {
  /** Done; the check passed; the body is valid. */
  ok: 0,
  /** A check failed, the input is invalid, or the server or the network refused. */
  failed: 1,
  /** The command line was wrong: an unknown option, a bad value, a missing file or setting. */
  usage: 2,
} as const;

export type FailureCode = typeof ExitCode.failed | typeof ExitCode.usage;

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: FailureCode,
  ) {
    super(message);
    this.name = "CliError";
  }
}

/** The command line is wrong (exit 2). */
export const usageError = (message: string) => new CliError(message, ExitCode.usage);

/** The command ran and the answer is no (exit 1). */
export const failure = (message: string) => new CliError(message, ExitCode.failed);

/** Exit 1 with nothing more to say: the command already printed why (issues, a table). */
export const silentFailure = () => new CliError("", ExitCode.failed);
