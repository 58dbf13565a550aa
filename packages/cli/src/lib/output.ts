// Writing to stdout and stderr. Results go to stdout, written with
// backpressure so a large report piped into a slow reader is not buffered
// whole; progress and errors go to stderr, errors always as one line.
import { redact } from "./redact.js";

/**
 * What happens when stdout's reader goes away (EPIPE). By default the command
 * ends, exit 0 (`| head` is no error); a command that must not stop half way
 * (send batch) sets `stop` to stop its own way.
 */
export const whenStdoutCloses: { stop?: (() => void) | undefined } = {};

/** Writes to stdout, waiting when the pipe is full (or until it breaks). */
export function out(text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const ok = process.stdout.write(text, (error) => (error ? reject(error) : undefined));
    if (ok) return resolve();
    const done = () => {
      process.stdout.off("drain", done).off("error", done);
      resolve();
    };
    process.stdout.once("drain", done).once("error", done);
  });
}

/** A line on stderr (progress, notes), as it is. */
export function note(line: string): void {
  process.stderr.write(`${line}\n`);
}

/** A message folded onto one line: commander's and Node's messages may span several. */
export const oneLine = (message: string) => message.replace(/\s*\r?\n\s*/g, " ").trim();

/** The error line: `nhs-app: <message>`, on one line, with secrets and NHS numbers masked. */
export const errorLine = (message: string) => `nhs-app: ${redact(oneLine(message))}`;

/** Resolves once everything written so far has been handed to the operating system. */
export const flushed = (stream: NodeJS.WriteStream) =>
  new Promise<void>((resolve) => {
    stream.write("", () => resolve());
  });
