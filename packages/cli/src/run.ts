// Runs the program on a command line and turns whatever ends it into an exit
// code and at most one line on stderr: commander's usage errors (exit 2),
// the commands' own CliErrors, and anything unforeseen (exit 1), never with
// a stack trace.
import { type Command, CommanderError } from "commander";
import { CliError, ExitCode } from "./lib/errors.js";
import { errorLine, note } from "./lib/output.js";
import { createProgram } from "./program.js";

/** The command a command line reaches, following subcommand names (options are skipped). */
function reached(program: Command, argv: readonly string[]): Command {
  let command = program;
  for (const token of argv) {
    if (token.startsWith("-")) continue;
    const next = command.commands.find((sub) => sub.name() === token || sub.aliases().includes(token));
    if (!next) break;
    command = next;
  }
  return command;
}

const pathOf = (command: Command): string =>
  command.parent ? `${pathOf(command.parent)} ${command.name()}` : command.name();

export function exitCodeOf(error: unknown, program: Command, argv: readonly string[]): number {
  if (error instanceof CommanderError) {
    if (error.code === "commander.helpDisplayed" || error.code === "commander.version") return ExitCode.ok;
    if (error.code === "commander.help") {
      // A command group called without one of its commands: commander would print the whole help to stderr.
      const command = reached(program, argv);
      const names = command.commands.map((sub) => sub.name()).filter((name) => name !== "help");
      const which = command.parent ? `${command.name()} needs a command` : "a command is needed";
      note(errorLine(`${which}: ${names.join(", ")} (see ${pathOf(command)} --help)`));
      return ExitCode.usage;
    }
    note(errorLine(error.message.replace(/^error: /, "")));
    return ExitCode.usage;
  }
  if (error instanceof CliError) {
    if (error.message) note(errorLine(error.message));
    return error.exitCode;
  }
  note(errorLine(`unexpected error: ${error instanceof Error ? error.message : String(error)}`));
  return ExitCode.failed;
}

export async function run(argv: readonly string[]): Promise<number> {
  const program = createProgram();
  try {
    await program.parseAsync([...argv], { from: "user" });
    return ExitCode.ok;
  } catch (error) {
    return exitCodeOf(error, program, argv);
  }
}
