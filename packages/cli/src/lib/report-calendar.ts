// When a day's receipts report is complete, as the environment the CLI talks
// to says it. The NHS App builds each day's report in a daily batch, so on
// dev, int and prod it is complete from the next day (UTC), by this
// machine's clock. A sandbox keeps its own clock (its `now`), so the CLI asks
// it, at `GET {origin}/_sandbox/clock`, on every question: a sandbox clock
// that moves is followed. Whatever answers without a clock (a real gateway's
// 404, something else) gets the platform's rule; nothing answering at all
// makes no day complete (its clock might be behind this machine's).
import { isCalendarDate, isReceiptReportComplete } from "@nhs-app-api/contract";
import type { SandboxClock } from "@nhs-app-api/testing";
import { type ConnectionFlags, SANDBOX } from "./connection-options.js";
import { sandboxEndpoints } from "./sandbox-endpoints.js";

/** The testing package's SANDBOX_CLOCK_PATH, kept here so that the CLI loads that package only for `--environment sandbox`. */
export const SANDBOX_CLOCK_PATH = "/_sandbox/clock";

/** How long a clock may take to answer before the platform's rule is used instead. */
export const SANDBOX_CLOCK_TIMEOUT_MS = 2_000;

export interface ReportCalendarOptions {
  /** This machine's clock, epoch ms, for the platform's rule (default Date.now). */
  now?: () => number;
  /** How long to wait for a sandbox's clock (default SANDBOX_CLOCK_TIMEOUT_MS). */
  timeoutMs?: number;
}

export interface ReportCalendar {
  /** Whether the receipts report of a day (YYYY-MM-DD) is complete now, for the environment of the flags. */
  isReportComplete: (day: string) => Promise<boolean>;
  /** Where the sandbox's clock is asked, or undefined for a named environment (the platform's rule alone). */
  clockUrl: string | undefined;
}

/**
 * Where to ask for a clock: the origin of the base URL when it may be a
 * sandbox (`--environment sandbox`, or an explicit `--base-url`: a sandbox
 * elsewhere may be behind it); nowhere for dev, int and prod.
 */
function clockUrlOf(flags: ConnectionFlags): string | undefined {
  const baseUrl = flags.baseUrl ?? (flags.environment === SANDBOX ? sandboxEndpoints().baseUrl : undefined);
  if (baseUrl === undefined) return undefined;
  try {
    // The origin only: no path, and no user info, which is never sent to a clock.
    return new URL(SANDBOX_CLOCK_PATH, new URL(baseUrl).origin).href;
  } catch {
    // A base URL that is no URL: connecting will say so; the platform's rule meanwhile.
    return undefined;
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** The first day whose report is incomplete, from an answer shaped as SandboxClock; undefined for anything else. */
function completeBeforeOf(answer: unknown): string | undefined {
  const reports: unknown = isRecord(answer) ? (answer as Partial<SandboxClock>).receiptReports : undefined;
  const day = isRecord(reports) ? reports.completeBefore : undefined;
  return typeof day === "string" && isCalendarDate(day) ? day : undefined;
}

/**
 * The sandbox's first incomplete day; undefined when the URL answers but has
 * no clock (404, another shape, a redirect); "unanswered" when nothing
 * answered in time, when no day may be taken for complete.
 */
async function askClock(url: string, timeoutMs: number): Promise<string | undefined | "unanswered"> {
  try {
    const response = await fetch(url, {
      headers: { accept: "application/json" },
      // A clock answers itself; a redirect is something else's answer.
      redirect: "manual",
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (response.status !== 200) {
      await response.body?.cancel();
      return undefined;
    }
    try {
      return completeBeforeOf(JSON.parse(await response.text()));
    } catch {
      return undefined; // an answer that is not JSON: no clock there
    }
  } catch {
    return "unanswered";
  }
}

/** The receipts report calendar of the environment the connection flags name. */
export function reportCalendar(flags: ConnectionFlags, options: ReportCalendarOptions = {}): ReportCalendar {
  const now = options.now ?? Date.now;
  const timeoutMs = options.timeoutMs ?? SANDBOX_CLOCK_TIMEOUT_MS;
  const clockUrl = clockUrlOf(flags);
  const platformRule = (day: string) => isReceiptReportComplete(day, now());
  return {
    clockUrl,
    isReportComplete: async (day) => {
      if (clockUrl === undefined) return platformRule(day);
      const completeBefore = await askClock(clockUrl, timeoutMs);
      // Unanswered, a sandbox's clock might be behind this machine's: nothing is taken for complete (the
      // safe side: an unknown stays unknown, never sent again).
      if (completeBefore === "unanswered") return false;
      // A sandbox's own clock decides, even one ahead of this machine's; without one, the platform's rule.
      if (completeBefore === undefined) return platformRule(day);
      return isCalendarDate(day) && day < completeBefore;
    },
  };
}
