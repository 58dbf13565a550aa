// The named examples of our callback specs, read from the bundles in @nhs-app-api/types.
import { createRequire } from "node:module";

type Bundle = {
  paths: Record<
    string,
    { post: { requestBody: { content: Record<string, { examples: Record<string, { $ref: string }> }> } } }
  >;
  components: { examples: Record<string, { value: unknown }> };
};

export function callbackExamples(document: "realtime-receipts" | "realtime-replies"): Record<string, unknown> {
  const bundle = createRequire(import.meta.url)(`@nhs-app-api/types/openapi/${document}.json`) as Bundle;
  const operation = Object.values(bundle.paths)[0]?.post;
  const examples = Object.values(operation?.requestBody.content ?? {})[0]?.examples ?? {};
  return Object.fromEntries(
    Object.entries(examples).map(([name, ref]) => [
      name,
      bundle.components.examples[ref.$ref.split("/").pop() as string]?.value,
    ]),
  );
}
