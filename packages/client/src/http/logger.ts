// The client logs only through a logger the caller supplies; by default it is
// silent. Log fields never hold secrets or whole NHS numbers.
//
// Each level is called as `logger.info(fields, message)`: pino's (and
// bunyan's) `(obj, msg)`, so a pino logger is passed as it is and every field
// arrives as a JSON property. winston takes `(message, meta)`: see the README
// for the one-line adapter.

export type LogFields = Record<string, string | number | boolean | undefined>;

export type LogMethod = (fields: LogFields, message: string) => void;

export interface Logger {
  debug?: LogMethod;
  info?: LogMethod;
  warn?: LogMethod;
  error?: LogMethod;
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
    guarded[level] = (fields, message) => {
      try {
        // Called on the logger itself: pino's methods read `this`.
        write.call(logger, fields, message);
      } catch {
        // A broken logger loses its line, nothing more.
      }
    };
  }
  return guarded;
}
