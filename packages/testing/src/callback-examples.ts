// The spec's own examples of the calls the NHS App makes to a supplier's
// callback endpoint (real-time receipts and replies), for teams testing their
// own endpoint: whole bodies, with the path and method to send them to.
import { createRequire } from "node:module";
import { operations } from "@nhs-app-api/contract";
import type { RealtimeReceipt } from "@nhs-app-api/types/realtime-receipts";
import type { RealtimeReply } from "@nhs-app-api/types/realtime-replies";

export interface CallbackExample<Body> {
  /** The example's name in the spec, e.g. `receipt-delivered`. */
  name: string;
  method: "POST";
  /** The path under the supplier's callback base URL. */
  path: string;
  /** A fresh copy each call: a test may change it freely. */
  body: Body;
}

type Bundle = { components: { examples: Record<string, { value: unknown }> } };

function examplesOf<Body>(file: string, path: string): CallbackExample<Body>[] {
  const bundle = createRequire(import.meta.url)(`@nhs-app-api/types/openapi/${file}`) as Bundle;
  return Object.entries(bundle.components.examples).map(([name, example]) => ({
    name,
    method: "POST",
    path,
    body: structuredClone(example.value) as Body,
  }));
}

/** Every real-time receipt example of the spec (one per receipt code). */
export function receiptExamples(): CallbackExample<RealtimeReceipt>[] {
  return examplesOf("realtime-receipts.json", operations["create-realtime-receipt"].path);
}

/** Every reply example of the spec (keyword and free text). */
export function replyExamples(): CallbackExample<RealtimeReply>[] {
  return examplesOf("realtime-replies.json", operations["create-realtime-replies"].path);
}
