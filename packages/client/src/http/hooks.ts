// What a caller's hooks are told about each attempt: nothing secret, the URL
// with NHS numbers masked. A hook that throws is logged, never allowed to
// break (or retry) the call.
import type { Logger } from "./logger.js";

export interface RequestInfo {
  operation: string;
  method: string;
  url: string;
  correlationId: string;
  attempt: number;
}

export interface Hooks {
  onRequest?(info: RequestInfo): void;
  onResponse?(info: RequestInfo & { status: number; durationMs: number }): void;
  onRetry?(info: RequestInfo & { delayMs: number; reason: string }): void;
}

export function callHook(logger: Logger, call: () => void) {
  try {
    call();
  } catch (error) {
    logger.warn?.({ error: error instanceof Error ? error.name : "unknown" }, "a hook threw; the call goes on");
  }
}
