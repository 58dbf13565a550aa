// The sandbox's clock on a source a test moves by hand: it starts where
// asked, runs at its speed, moves forward only, and fires what falls due,
// whether by its own running or by a move.
import { describe, expect, it } from "vitest";
import { parseDuration, SandboxTime, type TimeSource } from "../src/index.js";

/** Real time by hand: `tick(ms)` passes it, firing the real timers due. */
function handSource() {
  let now = 0;
  const timers = new Map<number, { at: number; fire: () => void }>();
  let next = 1;
  const source: TimeSource = {
    now: () => now,
    setTimeout(fire, ms) {
      const id = next++;
      timers.set(id, { at: now + ms, fire });
      return id;
    },
    clearTimeout(handle) {
      timers.delete(handle as number);
    },
  };
  const tick = (ms: number) => {
    now += ms;
    for (const [id, timer] of [...timers].sort((a, b) => a[1].at - b[1].at)) {
      if (timer.at <= now && timers.delete(id)) timer.fire();
    }
  };
  return { source, tick, pending: () => timers.size };
}

const START = Date.parse("2026-12-05T21:59:00.000Z");

describe("SandboxTime", () => {
  it("starts where asked and runs at its speed", () => {
    const hand = handSource();
    const time = new SandboxTime({ start: "2026-12-05T21:59:00Z", speed: 60 }, hand.source);
    expect(time.now()).toBe(START);
    hand.tick(1_000);
    expect(time.now()).toBe(START + 60_000);
    time.setSpeed(1);
    hand.tick(1_000);
    expect(time.now()).toBe(START + 61_000);
  });

  it("fires a timer when its running reaches it, and one a move passes at once, in time order", () => {
    const hand = handSource();
    const time = new SandboxTime({ start: START, speed: 10 }, hand.source);
    const fired: string[] = [];
    time.after(10_000, () => fired.push("ten seconds"));
    time.after(3_600_000, () => fired.push("an hour"));
    time.after(1_800_000, () => fired.push("half an hour"));
    hand.tick(999);
    expect(fired).toEqual([]);
    hand.tick(1);
    expect(fired).toEqual(["ten seconds"]);
    time.advance(3_600_000);
    expect(fired).toEqual(["ten seconds", "half an hour", "an hour"]);
    expect(hand.pending()).toBe(0);
  });

  it("cancels, moves forward only, and stops every timer", () => {
    const hand = handSource();
    const time = new SandboxTime({ start: START }, hand.source);
    const fired: string[] = [];
    const cancel = time.after(5_000, () => fired.push("cancelled"));
    cancel();
    time.after(5_000, () => fired.push("stopped"));
    expect(() => time.advanceTo(START - 1)).toThrow(/forward only/);
    expect(() => time.advance(-1)).toThrow(RangeError);
    time.stop();
    hand.tick(10_000);
    time.advance(10_000);
    expect(fired).toEqual([]);
  });

  it("refuses a start without a zone, a speed of 0, and reads durations", () => {
    expect(() => new SandboxTime({ start: "2026-12-05T21:59:00" })).toThrow(/with a zone/);
    expect(() => new SandboxTime({ start: "tomorrow" })).toThrow(/ISO 8601/);
    expect(() => new SandboxTime({ speed: 0 })).toThrow(/speed/);
    expect(parseDuration("90m")).toBe(5_400_000);
    expect(parseDuration("1h30m")).toBe(5_400_000);
    expect(parseDuration("1d")).toBe(86_400_000);
    expect(parseDuration("250ms")).toBe(250);
    expect(() => parseDuration("90")).toThrow(/unit/);
    expect(() => parseDuration("2 h")).toThrow(/unit/);
  });
});
