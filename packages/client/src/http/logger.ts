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
