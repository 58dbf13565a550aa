import { describe, expect, it } from "vitest";
import { Pacer } from "../src/pacer.js";

describe("the pacer", () => {
  it("never lets more than the rate start within a second, even when a timer fires late", async () => {
    const pacer = new Pacer(50);
    const starts: number[] = [];
    for (let i = 0; i < 120; i++) {
      await pacer.turn();
      starts.push(performance.now());
      // Now and then the event loop is busy, as on a loaded machine.
      if (i % 17 === 0) {
        const until = performance.now() + 30;
        while (performance.now() < until);
      }
    }
    for (let i = 50; i < starts.length; i++) {
      expect((starts[i] as number) - (starts[i - 50] as number)).toBeGreaterThanOrEqual(1000);
    }
  });

  it("adds the arrival margin to each second: the (n+1)th start waits a second plus the margin", async () => {
    const pacer = new Pacer(50, 200);
    const starts: number[] = [];
    for (let i = 0; i < 51; i++) {
      await pacer.turn();
      starts.push(performance.now());
    }
    expect((starts[50] as number) - (starts[0] as number)).toBeGreaterThanOrEqual(1199);
  });

  it("widens its margin by 5 ms each time the server refuses a request for the rate", async () => {
    const pacer = new Pacer(50, 190);
    pacer.widenMargin();
    pacer.widenMargin();
    const starts: number[] = [];
    for (let i = 0; i < 51; i++) {
      await pacer.turn();
      starts.push(performance.now());
    }
    expect((starts[50] as number) - (starts[0] as number)).toBeGreaterThanOrEqual(1199);
  });

  it("refuses a rate that is not a positive number, and a margin below zero", () => {
    expect(() => new Pacer(0)).toThrow(RangeError);
    expect(() => new Pacer(Number.NaN)).toThrow(RangeError);
    expect(() => new Pacer(20, -1)).toThrow(/arrivalMarginMs must be zero or a positive number/);
  });
});
