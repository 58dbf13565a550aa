// Callbacks run the other way: the NHS App is the consumer and the supplier's
// endpoint (our handler) the provider. Each interaction is one call the NHS
// App makes, built from the callback specs' own examples: one per receipt
// kind, one per reply kind, and bodies the endpoint must refuse.
import { createRequire } from "node:module";
import { MatchersV3, PactV4 } from "@pact-foundation/pact";
import { describe, expect, it } from "vitest";
import { pactDir, recorded } from "../consumer/support.ts";
import { CALLBACK_CONSUMER, CALLBACK_PROVIDER } from "../provider-states.ts";

type Bundle = {
  paths: Record<
    string,
    { post: { requestBody: { content: Record<string, { examples: Record<string, { $ref: string }> }> } } }
  >;
  components: { examples: Record<string, { value: Record<string, unknown> }> };
};

function examples(document: string) {
  const bundle = createRequire(import.meta.url)(`@nhs-app-api/types/openapi/${document}.json`) as Bundle;
  const [[path, item]] = Object.entries(bundle.paths) as [[string, Bundle["paths"][string]]];
  const named = Object.values(item.post.requestBody.content)[0]?.examples ?? {};
  return Object.entries(named).map(([name, ref]) => ({
    path,
    name,
    body: bundle.components.examples[ref.$ref.split("/").pop() as string]?.value as Record<string, unknown>,
  }));
}

const { like, eachLike } = MatchersV3;
const refused = {
  resourceType: "OperationOutcome",
  issue: eachLike({ severity: "error", code: like("value"), diagnostics: like("why") }),
};

const newPact = () =>
  new PactV4({ consumer: CALLBACK_CONSUMER, provider: CALLBACK_PROVIDER, dir: pactDir, logLevel: "error" });

const send = (url: string, body: unknown) =>
  fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

describe("the NHS App's calls to a supplier's callback endpoint", () => {
  for (const { path, name, body } of [...examples("realtime-receipts"), ...examples("realtime-replies")]) {
    it(`delivers the ${name} example and expects 202`, async () => {
      await newPact()
        .addInteraction()
        .uponReceiving(`a ${path.endsWith("Task") ? "receipt" : "reply"}: ${name}`)
        .withRequest("POST", path, (builder) => {
          builder.headers({ "Content-Type": "application/json" }).jsonBody(body);
        })
        .willRespondWith(202)
        .executeTest(
          recorded(async (server) => {
            expect((await send(`${server.url}${path}`, body)).status).toBe(202);
          }),
        );
    });
  }

  const [delivered] = examples("realtime-receipts");
  const { lastModified: _lastModified, ...withoutLastModified } = delivered?.body ?? {};
  const invalid = [
    { title: "a receipt without lastModified", path: "/FHIR/R4/Task", body: withoutLastModified },
    {
      title: "a receipt whose resourceType is Patient",
      path: "/FHIR/R4/Task",
      body: { ...delivered?.body, resourceType: "Patient" },
    },
    { title: "a reply that is a receipt", path: "/FHIR/R4/CommunicationRequest", body: delivered?.body },
  ];
  for (const { title, path, body } of invalid) {
    it(`sends ${title} and expects a 400 OperationOutcome`, async () => {
      await newPact()
        .addInteraction()
        .uponReceiving(`an invalid body: ${title}`)
        .withRequest("POST", path, (builder) => {
          builder.headers({ "Content-Type": "application/json" }).jsonBody(body);
        })
        .willRespondWith(400, (builder) => {
          builder.headers({ "Content-Type": "application/fhir+json" }).jsonBody(refused);
        })
        .executeTest(
          recorded(async (server) => {
            expect((await send(`${server.url}${path}`, body)).status).toBe(400);
          }),
        );
    });
  }
});
