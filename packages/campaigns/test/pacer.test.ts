// The pacer's rule, on a fake clock: vitest's fake timers stand in for
// setTimeout and performance.now(), for the pacer and for the calls and
// server simulated here alike, so the time every call arrives is exact and a
// busy machine cannot move it. (`pnpm bench` measures the real rate a batch
// keeps against a rate-limited sandbox.)
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Pacer } from "../src/pacer.js";

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "performance"], loopLimit: 100_000 });
});
afterEach(() => {
  vi.useRealTimers();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `work` to its end, the fake clock moving from each timer to the next as nothing else is left to do. */
async function onFakeClock<T>(work: Promise<T>): Promise<T> {
  await vi.runAllTimersAsync();
  return work;
}

/**
 * Calls through the pacer, `inFlight` at a time, each travelling to a server
 * that counts it on arrival after `travelMs(i)` and answers it after
 * `travelMs(i)` more. Returns when each call arrived, in order of arrival.
 */
async function callThrough(pacer: Pacer, calls: number, inFlight: number, travelMs: (i: number) => number) {
  const arrivals: number[] = [];
  let next = 0;
  const worker = async () => {
    while (next < calls) {
      const i = next++;
      const answered = await pacer.turn();
      await sleep(travelMs(i));
      arrivals.push(performance.now());
      await sleep(travelMs(i));
      answered();
    }
  };
  await onFakeClock(Promise.all(Array.from({ length: inFlight }, worker)));
  return arrivals.sort((a, b) => a - b);
}

/** The most calls that arrived within any one second. */
const busiestSecond = (arrivals: number[]) =>
  Math.max(...arrivals.map((t, i) => arrivals.filter((u, j) => j >= i && u < t + 1000).length));

describe("the pacer", () => {
  it("never lets more than the rate arrive within a second, however unevenly the calls travel", async () => {
    // Every seventh call is slow on its way (30 ms), as when a network or a busy process holds one up:
    // a pacer that spaced starts alone would let the calls after it bunch up at the server.
    const arrivals = await callThrough(new Pacer(50), 150, 4, (i) => (i % 7 === 0 ? 30 : 1));
    expect(arrivals).toHaveLength(150);
    expect(busiestSecond(arrivals)).toBeLessThanOrEqual(50);
    // And it did keep to about the rate: 150 calls at 50 a second take about three seconds, not much more.
    expect((arrivals.at(-1) as number) - (arrivals[0] as number)).toBeLessThan(3600);
  });

  it("adds the arrival margin to the second after an answer before the turns a second later", async () => {
    // With no travel, the 51st call may start a second after the first call's answer, plus the margin.
    const withoutMargin = await callThrough(new Pacer(50), 51, 1, () => 0);
    expect((withoutMargin[50] as number) - (withoutMargin[0] as number)).toBe(1000);
    const arrivals = await callThrough(new Pacer(50, 200), 51, 1, () => 0);
    expect((arrivals[50] as number) - (arrivals[0] as number)).toBe(1200);
  });

  it("widens its margin by 5 ms each time the server refuses a call for the rate", async () => {
    const pacer = new Pacer(50, 190);
    pacer.widenMargin();
    pacer.widenMargin();
    const arrivals = await callThrough(pacer, 51, 1, () => 0);
    expect((arrivals[50] as number) - (arrivals[0] as number)).toBe(1200);
  });

  it("gives up a turn when its signal aborts, and the turns after it go on", async () => {
    const pacer = new Pacer(2); // a turn every 500 ms, two in any second
    const started = performance.now();
    (await pacer.turn())();
    const controller = new AbortController();
    const given = pacer.turn(controller.signal);
    controller.abort(new Error("stopped"));
    await expect(given).rejects.toThrow("stopped");
    // The next waits its second from the first call's answer, and no longer: the given-up turn holds nothing up.
    let third = false;
    const next = pacer.turn().then((answered) => {
      third = true;
      answered();
    });
    await vi.advanceTimersByTimeAsync(999);
    expect(third).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await next;
    expect(third).toBe(true);
    expect(performance.now() - started).toBe(1000);
  });

  it("refuses a rate that is not a positive number, and a margin below zero", () => {
    expect(() => new Pacer(0)).toThrow(RangeError);
    expect(() => new Pacer(Number.NaN)).toThrow(RangeError);
    expect(() => new Pacer(20, -1)).toThrow(/arrivalMarginMs must be zero or a positive number/);
  });
});
