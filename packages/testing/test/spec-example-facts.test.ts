// Facts the sandbox takes from the callback specs' examples (a rejection's
// reason, the id a reply's payload points at) rather than making them up: a
// spec that lost one fails when a mock, sandbox or delivery is made, with an
// error that says what is missing. The examples are changed here as a spec
// edit would change them.
import { describe, expect, it, vi } from "vitest";
import type * as Examples from "../src/callback-examples.js";

const lost = vi.hoisted(() => ({ rejectionReason: false, answersId: false, answersDisagree: false }));

vi.mock("../src/callback-examples.js", async (importOriginal) => {
  const real = await importOriginal<typeof Examples>();
  return {
    ...real,
    receiptExamples: () =>
      real.receiptExamples().map((example) => {
        if (!lost.rejectionReason || example.body.code.coding[0]?.code !== "Rejected") return example;
        const { statusReason: _, ...body } = example.body;
        return { ...example, body };
      }),
    replyExamples: () =>
      real.replyExamples().map((example, index) => {
        const [answers] = example.body.contained;
        if (!answers) return example;
        if (lost.answersId) {
          const { id: _, ...rest } = answers;
          return { ...example, body: { ...example.body, contained: [rest as typeof answers] } };
        }
        if (lost.answersDisagree && index === 0) {
          return {
            ...example,
            body: {
              ...example.body,
              contained: [{ ...answers, id: "other" }],
              payload: [{ contentReference: { reference: "#other" } }],
            },
          };
        }
        return example;
      }),
  };
});

const { CallbackDelivery } = await import("../src/callback-delivery.js");
const { answersId } = await import("../src/delivery-bodies.js");
const { checkDeliveryScenario, rejectionReason } = await import("../src/delivery-plan.js");
const { createNhsAppMock } = await import("../src/msw.js");

const delivery = () => new CallbackDelivery({ baseUrl: "https://127.0.0.1:9" });

describe("facts taken from the callback specs' examples", () => {
  it("a Rejected example without its reason is an error, not a reason made up, when a mock is made", () => {
    lost.rejectionReason = true;
    try {
      const missing = /The realtime receipts spec has no Rejected example with a statusReason\.text/;
      expect(() => rejectionReason()).toThrow(missing);
      expect(() => checkDeliveryScenario({})).toThrow(missing);
      expect(() => createNhsAppMock()).toThrow(missing);
    } finally {
      lost.rejectionReason = false;
    }
  });

  it("reply examples without the answers' id, or not agreeing on it, are an error when a delivery is made", () => {
    const missing = /do not agree on a contained QuestionnaireResponse id/;
    for (const flag of ["answersId", "answersDisagree"] as const) {
      lost[flag] = true;
      try {
        expect(() => answersId()).toThrow(missing);
        expect(() => delivery()).toThrow(missing);
      } finally {
        lost[flag] = false;
      }
    }
  });

  it("take the spec's own values when it has them", () => {
    expect(rejectionReason()).toBe("NHS number not found");
    expect(answersId()).toBe("answers");
    expect(delivery().baseUrl).toBe("https://127.0.0.1:9");
  });
});
