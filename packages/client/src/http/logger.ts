// The client logs only through a logger the caller supplies; by default it is
// silent. Log fields never hold secrets or whole NHS numbers.

export type LogFields = Record<string, string | number | boolean | undefined>;

export interface Logger {
  debug?(message: string, fields?: LogFields): void;
  info?(message: string, fields?: LogFields): void;
  warn?(message: string, fields?: LogFields): void;
  error?(message: string, fields?: LogFields): void;
}

export const silentLogger: Logger = {};

/**
 * The caller's logger, made safe to call: a logger that throws must never
 * turn a sent request into a failure (or, worse, into a retry).
 */
export function guardedLogger(logger: Logger | undefined): Logger {
  if (!logger) return silentLogger;
  const guarded: Logger = {};
  for (const level of ["debug", "info", "warn", "error"] as const) {
    const write = logger[level];
    if (typeof write !== "function") continue;
    guarded[level] = (message, fields) => {
      try {
        write.call(logger, message, fields);
      } catch {
        // A broken logger loses its line, nothing more.
      }
    };
  }
  return guarded;
}
