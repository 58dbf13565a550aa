import { describe, expect, it } from "vitest";
import { ReferenceSet } from "../src/reference-set.js";

describe("ReferenceSet", () => {
  it("knows every reference it was given, and no other, across many growths", () => {
    const set = new ReferenceSet();
    let added = 0;
    for (let i = 0; i < 200_000; i++) if (set.add(`campaign-${i}`)) added++;
    expect(added).toBe(200_000);
    expect(set.size).toBe(200_000);
    let again = 0;
    for (let i = 0; i < 200_000; i += 997) if (!set.add(`campaign-${i}`)) again++;
    expect(again).toBe(Math.ceil(200_000 / 997));
    // Near misses are not repeats.
    for (const other of ["campaign-", "Campaign-1", "campaign-1 ", "campaign-200000", ""])
      expect(set.add(other)).toBe(true);
    expect(set.size).toBe(200_005);
  });
});
