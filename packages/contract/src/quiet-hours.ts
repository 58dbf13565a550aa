// The push notifications' quiet hours (x-nhs-app-quiet-hours in spec/, the
// generated `pushQuietHours`): the NHS App sends no push notification from
// `start` to `end`, local time in `timeZone`; one requested then, or the push
// after an in-app message, is sent at `end`. The server does the waiting, so
// nothing here refuses or delays a request: these say when a push will go,
// for a caller's own display or scheduling. Local time comes from
// Intl.DateTimeFormat, so summer time follows the zone's rules (BST for
// Europe/London) with no dependency.
import { pushQuietHours } from "./generated/contract.js";

/** Quiet hours: `start` (inclusive) to `end` (exclusive), "HH:MM" local times in an IANA `timeZone`. */
export interface QuietHours {
  readonly timeZone: string;
  readonly start: string;
  readonly end: string;
}

/** The rule in words, from the spec's hours, for those who show it. */
export const QUIET_HOURS_RULE = `push notifications are not sent from ${pushQuietHours.start} to ${pushQuietHours.end} ${pushQuietHours.timeZone} time; one requested then is sent at ${pushQuietHours.end}`;

const MINUTE = 60_000;
const DAY = 86_400_000;
const CLOCK_TIME = /^([01]\d|2[0-3]):([0-5]\d)$/;

function timeOf(at: Date | number): number {
  const time = typeof at === "number" ? at : at.getTime();
  if (!Number.isFinite(time)) throw new RangeError("Invalid time value");
  return time;
}

/** Minutes after local midnight of an "HH:MM" time. */
function minutesOf(name: string, time: string): number {
  const match = CLOCK_TIME.exec(time);
  if (!match) throw new RangeError(`quiet hours: ${name} must be "HH:MM" from "00:00" to "23:59", not ${time}`);
  return Number(match[1]) * 60 + Number(match[2]);
}

function windowOf(hours: QuietHours) {
  const start = minutesOf("start", hours.start);
  const end = minutesOf("end", hours.end);
  if (start === end) throw new RangeError(`quiet hours: start and end are both ${hours.start}`);
  return { start, end, zone: zoneOf(hours.timeZone) };
}

// One formatter per zone: building one costs far more than using it.
const formatters = new Map<string, Intl.DateTimeFormat>();

/** A zone's wall clock: `wall(t)` is the local date and time at `t`, written as if it were a UTC time (ms). */
function zoneOf(timeZone: string) {
  let format = formatters.get(timeZone);
  if (!format) {
    // Throws a RangeError for a zone Intl does not know.
    format = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      era: "short",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    formatters.set(timeZone, format);
  }
  const formatter = format;
  const wall = (time: number): number => {
    const part: Record<string, string> = {};
    for (const { type, value } of formatter.formatToParts(time)) part[type] = value;
    const year = Number(part.year);
    const local = new Date(0);
    // setUTCFullYear, not Date.UTC, which reads years 0-99 as 1900-1999.
    local.setUTCFullYear(part.era === "BC" ? 1 - year : year, Number(part.month) - 1, Number(part.day));
    local.setUTCHours(Number(part.hour), Number(part.minute), Number(part.second));
    // Offsets are whole seconds, so the milliseconds are the instant's own.
    return local.getTime() + (((time % 1000) + 1000) % 1000);
  };
  return { wall };
}

/** Minutes after local midnight, from a wall time. */
const minuteOfDay = (wall: number) => Math.floor((((wall % DAY) + DAY) % DAY) / MINUTE);

const inWindow = (minute: number, start: number, end: number) =>
  start < end ? minute >= start && minute < end : minute >= start || minute < end;

/**
 * Whether a push notification requested at `at` waits: its local time in
 * `hours.timeZone` is from `start` (inclusive) to `end` (exclusive). A window
 * may cross midnight (22:00 to 06:00) or not (01:00 to 05:00). Throws a
 * RangeError for an invalid time, time zone or clock time.
 */
export function isQuietHours(at: Date | number, hours: QuietHours = pushQuietHours): boolean {
  const time = timeOf(at);
  const { start, end, zone } = windowOf(hours);
  return inWindow(minuteOfDay(zone.wall(time)), start, end);
}

/**
 * When a push notification requested at `at` is sent (epoch ms): `at`
 * itself outside quiet hours, else the next `end` local time in the zone
 * (23:30 on 28 March 2026 in London gives 06:00 BST on the 29th, 05:00Z).
 * It is the first moment from `at` at which isQuietHours is false, which
 * settles the two odd cases at a clock change: an `end` the clocks skip
 * (spring forward) gives the moment they jump past it, and an `end` they
 * show twice (fall back) gives its first showing from `at`. Throws a
 * RangeError for an invalid time, time zone or clock time.
 */
export function quietHoursEnd(at: Date | number, hours: QuietHours = pushQuietHours): number {
  const time = timeOf(at);
  const { start, end, zone } = windowOf(hours);
  const wall = zone.wall(time);
  const minute = minuteOfDay(wall);
  if (!inWindow(minute, start, end)) return time;
  // The end is today's, or tomorrow's when the window crosses midnight and `at` is before it.
  const midnight = wall - (((wall % DAY) + DAY) % DAY);
  const target = midnight + (start > end && minute >= start ? DAY : 0) + end * MINUTE;
  // The instants showing `target`: one, two in a fold, none in a gap. A day
  // either side gives the offsets before and after any clock change near it.
  const offsets = [zone.wall(target - DAY) - (target - DAY), zone.wall(target + DAY) - (target + DAY)];
  const guesses = [...new Set(offsets.map((offset) => target - offset))].sort((a, b) => a - b);
  const showing = guesses.find((guess) => guess >= time && zone.wall(guess) === target);
  if (showing !== undefined) return showing;
  // A gap: the first whole second (clock changes fall on one) whose wall time has passed `target`.
  let low = Math.floor((guesses[0] as number) / 1000);
  let high = Math.ceil((guesses.at(-1) as number) / 1000);
  while (low < high) {
    const middle = Math.floor((low + high) / 2);
    if (zone.wall(middle * 1000) >= target) high = middle;
    else low = middle + 1;
  }
  return Math.max(high * 1000, time);
}
