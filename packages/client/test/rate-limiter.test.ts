import { describe, expect, it } from "vitest";
import { TokenBucket } from "../src/http/rate-limiter.js";

describe("client-side rate limiter (token bucket)", () => {
  it("lets a burst through at once, then spaces requests at the configured rate", async () => {
    let now = 0;
    const bucket = new TokenBucket({ requestsPerSecond: 20, burst: 2 }, () => now);
    await bucket.acquire();
    await bucket.acquire();
    let third = false;
    const waiting = bucket.acquire().then(() => {
      third = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(third).toBe(false); // no time has passed on the bucket's clock
    now = 50; // 20 per second: one token every 50 ms
    await waiting;
    expect(third).toBe(true);
  });

  it("serves waiting callers in order, and one who aborts does not hold up the rest", async () => {
    const bucket = new TokenBucket({ requestsPerSecond: 1000, burst: 1 });
    await bucket.acquire();
    const order: string[] = [];
    const controller = new AbortController();
    const first = bucket.acquire(controller.signal).then(
      () => order.push("first"),
      () => order.push("first aborted"),
    );
    const second = bucket.acquire().then(() => order.push("second"));
    controller.abort(new Error("gave up"));
    await Promise.all([first, second]);
    expect(order).toEqual(["first aborted", "second"]);
  });

  it("refuses a rate that is not a positive number", () => {
    expect(() => new TokenBucket({ requestsPerSecond: 0 })).toThrow(RangeError);
  });
});
