// How @nhs-app-api/client meets the API's errors: each arrives as a typed
// error carrying the OperationOutcome, and an expired token is renewed once.
import {
  AuthenticationError,
  BadRequestError,
  inAppMessage,
  NotFoundError,
  PermissionError,
  RateLimitError,
} from "@nhs-app-api/client";
import { MatchersV3 } from "@pact-foundation/pact";
import { describe, expect, it } from "vitest";
import { providerStates } from "../provider-states.ts";
import { bearer, correlationHeader, echoedIdentifiers, json, location, operationOutcome, UUID } from "./shapes.ts";
import { clientFor, NHS_NUMBER, newPact, ODS_CODE, showingErrors, useTokenEndpoint } from "./support.ts";

useTokenEndpoint();

const IN_APP = "/communication/in-app/FHIR/R4/CommunicationRequest";
const ids = { campaignId: "optional campaign id", requestId: "optional request reference" };
const message = inAppMessage({
  nhsNumber: NHS_NUMBER,
  odsCode: ODS_CODE,
  text: "Hello, your results are ready.",
  ...ids,
});
const { like, regex } = MatchersV3;

const messageShape = {
  ...message,
  identifier: message.identifier?.map((identifier) => ({ ...identifier, value: like(identifier.value ?? "") })),
  payload: [{ contentString: like("Hello, your results are ready.") }],
  recipient: [
    {
      type: "Patient",
      identifier: { system: "https://fhir.nhs.uk/Id/nhs-number", value: regex(/^\d{10}$/, NHS_NUMBER) },
    },
  ],
};

describe("errors", () => {
  it("surfaces a 400 with several issues (sent with client-side validation off)", async () => {
    // Schema-valid, but the server refuses it: a repeated campaign ID and an NHS number with a wrong check digit.
    const bad = {
      ...message,
      identifier: [
        ...(message.identifier ?? []),
        { system: "https://fhir.nhs.uk/NHSApp/campaign-id", value: "a second campaign" },
      ],
      recipient: [
        { type: "Patient", identifier: { system: "https://fhir.nhs.uk/Id/nhs-number", value: "9692113840" } },
      ],
    };
    await newPact()
      .addInteraction()
      .given(providerStates.severalProblems.name)
      .uponReceiving("a request to send a message with several problems")
      .withRequest("POST", IN_APP, (builder) => {
        builder
          .headers({ Authorization: bearer(), "Content-Type": "application/json", ...correlationHeader })
          .jsonBody(bad);
      })
      .willRespondWith(400, (builder) => {
        builder
          .headers({ ...correlationHeader, ...json })
          .jsonBody(operationOutcome("invalid", { atLeast: 2, expression: true }));
      })
      .executeTest(
        showingErrors(async (server) => {
          const error = (await clientFor(server.url)
            .sendInAppMessage(bad as typeof message, { validate: false })
            .catch((e: unknown) => e)) as BadRequestError;
          expect(error).toBeInstanceOf(BadRequestError);
          expect(error.issues.length).toBeGreaterThanOrEqual(2);
          expect(error.operationOutcome?.resourceType).toBe("OperationOutcome");
          expect(error.correlationId).toBeDefined();
        }),
      );
  });

  it("renews an expired token and replays the message once", async () => {
    const pact = newPact();
    pact
      .addInteraction()
      .given(providerStates.tokenExpired.name)
      .uponReceiving("a request to send a message with an expired access token")
      .withRequest("POST", IN_APP, (builder) => {
        builder
          .headers({ Authorization: "Bearer token-1", "Content-Type": "application/json", ...correlationHeader })
          .jsonBody(messageShape);
      })
      .willRespondWith(401, (builder) => {
        builder.headers({ ...correlationHeader, ...json }).jsonBody(operationOutcome("expired"));
      });
    await pact
      .addInteraction()
      .given(providerStates.renewedTokenValid.name)
      .uponReceiving("the same request again with a renewed access token")
      .withRequest("POST", IN_APP, (builder) => {
        builder
          .headers({ Authorization: "Bearer token-2", "Content-Type": "application/json", ...correlationHeader })
          .jsonBody(messageShape);
      })
      .willRespondWith(201, (builder) => {
        builder
          .headers({ Location: location("in-app"), ...correlationHeader, ...json })
          .jsonBody({ resourceType: "CommunicationRequest", identifier: echoedIdentifiers, status: "active" });
      })
      .executeTest(
        showingErrors(async (server) => {
          const client = clientFor(server.url);
          const sent = await client.sendInAppMessage(message);
          expect(sent.communicationId).toBe(UUID);
          expect(client.tokenRequestCount).toBe(2);
        }),
      );
  });

  it("surfaces a 403 security as a PermissionError", async () => {
    await newPact()
      .addInteraction()
      .given(providerStates.noInAppPermission.name)
      .uponReceiving("a request to send a message without the permission")
      .withRequest("POST", IN_APP, (builder) => {
        builder
          .headers({ Authorization: bearer(), "Content-Type": "application/json", ...correlationHeader })
          .jsonBody(messageShape);
      })
      .willRespondWith(403, (builder) => {
        builder.headers({ ...correlationHeader, ...json }).jsonBody(operationOutcome("security"));
      })
      .executeTest(
        showingErrors(async (server) => {
          const error = await clientFor(server.url)
            .sendInAppMessage(message)
            .catch((e: unknown) => e);
          expect(error).toBeInstanceOf(PermissionError);
          expect((error as PermissionError).issues[0]?.code).toBe("security");
        }),
      );
  });

  it("surfaces a missing report as a NotFoundError", async () => {
    await newPact()
      .addInteraction()
      .given(providerStates.noReceiptReport.name)
      .uponReceiving("a request for the receipts of a day without a report")
      .withRequest("GET", "/communication/report/receipts/FHIR/R4/Task", (builder) => {
        builder.query({ day: "2022-08-20" }).headers({ Authorization: bearer(), ...correlationHeader });
      })
      .willRespondWith(404, (builder) => {
        builder.headers({ ...correlationHeader, ...json }).jsonBody(operationOutcome("not-found"));
      })
      .executeTest(
        showingErrors(async (server) => {
          const error = await clientFor(server.url)
            .getReceiptReport({ day: "2022-08-20" })
            .catch((e: unknown) => e);
          expect(error).toBeInstanceOf(NotFoundError);
        }),
      );
  });

  it("surfaces a 429 throttled as a RateLimitError", async () => {
    await newPact()
      .addInteraction()
      .given(providerStates.rateLimited.name)
      .uponReceiving("a request to send a message over the rate limit")
      .withRequest("POST", IN_APP, (builder) => {
        builder
          .headers({ Authorization: bearer(), "Content-Type": "application/json", ...correlationHeader })
          .jsonBody(messageShape);
      })
      .willRespondWith(429, (builder) => {
        builder.headers({ ...json }).jsonBody(operationOutcome("throttled"));
      })
      .executeTest(
        showingErrors(async (server) => {
          const error = await clientFor(server.url)
            .sendInAppMessage(message)
            .catch((e: unknown) => e);
          expect(error).toBeInstanceOf(RateLimitError);
          expect(error).not.toBeInstanceOf(AuthenticationError);
        }),
      );
  });
});
