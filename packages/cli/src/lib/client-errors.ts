// The client's errors as the CLI reports them: its message (already one
// line, built from the server's issues, NHS numbers masked, the correlation
// ID kept whole) and an exit code: settings the client refused are a usage
// error, anything the server or the network refused a failure.
import { isNhsAppError } from "@nhs-app-api/client";
import { CliError, failure, usageError } from "./errors.js";

export function fromClientError(error: unknown): unknown {
  if (error instanceof CliError || !isNhsAppError(error)) return error;
  return error.kind === "configuration" ? usageError(error.message) : failure(error.message);
}
