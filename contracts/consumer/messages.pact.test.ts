// What @nhs-app-api/client sends when it sends messages, and what it needs
// back. Each test drives the real client against the Pact mock server.
import { freeTextReply, identifiers, inAppMessage, keywordReply, pushNotification } from "@nhs-app-api/client";
import type { InAppCommunicationRequest, PushNotificationRequest } from "@nhs-app-api/types";
import { MatchersV3 } from "@pact-foundation/pact";
import { describe, expect, it } from "vitest";
import { providerStates } from "../provider-states.ts";
import {
  bearer,
  COMMUNICATION_ID_SYSTEM,
  correlationHeader,
  echoedIdentifiers,
  json,
  location,
  UUID,
} from "./shapes.ts";
import { clientFor, NHS_NUMBER, newPact, ODS_CODE, showingErrors, useTokenEndpoint } from "./support.ts";

useTokenEndpoint();

const IN_APP = "/communication/in-app/FHIR/R4/CommunicationRequest";
const ids = { campaignId: "optional campaign id", requestId: "optional request reference" };
const { like, regex, eachLike } = MatchersV3;

/** The request body with matchers where the sender chooses the value. */
function requestShape(message: ReturnType<typeof inAppMessage>) {
  return {
    ...message,
    identifier: identifiers(ids).map((identifier) => ({ ...identifier, value: like(identifier.value) })),
    payload: [{ contentString: like(message.payload[0]?.contentString ?? "") }],
    recipient: [
      {
        type: "Patient",
        identifier: { system: "https://fhir.nhs.uk/Id/nhs-number", value: regex(/^\d{10}$/, NHS_NUMBER) },
      },
    ],
    requester: {
      type: "Organization",
      identifier: { system: "https://fhir.nhs.uk/Id/ods-organization-code", value: regex(/^[0-9A-Z]+$/, ODS_CODE) },
    },
  };
}

describe("sending messages", () => {
  const cases = [
    { title: "a plain in-app message", state: providerStates.inAppAccepted, reply: undefined },
    {
      title: "an in-app message with a keyword reply",
      state: providerStates.keywordReplyAccepted,
      reply: keywordReply(["SMOKE", "EX", "NEVER"]),
    },
    {
      title: "an in-app message with a free-text reply",
      state: providerStates.freeTextReplyAccepted,
      reply: freeTextReply(),
    },
  ];
  for (const { title, state, reply } of cases) {
    it(`sends ${title} and reads the communication ID from the 201`, async () => {
      const message = inAppMessage({
        nhsNumber: NHS_NUMBER,
        odsCode: ODS_CODE,
        text: "Hello, we would like to ask you a question.",
        ...(reply ? { reply } : {}),
        ...ids,
      });
      await newPact()
        .addInteraction()
        .given(state.name)
        .uponReceiving(`a request to send ${title}`)
        .withRequest("POST", IN_APP, (builder) => {
          builder
            .headers({ Authorization: bearer(), "Content-Type": "application/json", ...correlationHeader })
            .jsonBody(requestShape(message));
        })
        .willRespondWith(201, (builder) => {
          builder.headers({ Location: location("in-app"), ...correlationHeader, ...json }).jsonBody({
            resourceType: "CommunicationRequest",
            identifier: echoedIdentifiers,
            status: "active",
            ...(reply
              ? { contained: [{ resourceType: "Questionnaire", id: like(reply.contained[0].id), status: "active" }] }
              : {}),
          });
        })
        .executeTest(
          showingErrors(async (server) => {
            const sent = await clientFor(server.url).sendInAppMessage(message);
            expect(sent.status).toBe(201);
            expect(sent.communicationId).toBe(UUID);
            expect(sent.location).toMatch(new RegExp(`/${UUID}$`));
          }),
        );
    });
  }

  // Interactions with only the required fields: a field the spec makes required later fails them.
  it("sends an in-app message with only the required fields", async () => {
    const message: InAppCommunicationRequest = {
      resourceType: "CommunicationRequest",
      status: "active",
      payload: [{ contentString: "Your results are ready." }],
      recipient: [{ identifier: { system: "https://fhir.nhs.uk/Id/nhs-number", value: NHS_NUMBER } }],
      requester: { identifier: { system: "https://fhir.nhs.uk/Id/ods-organization-code", value: ODS_CODE } },
    };
    await newPact()
      .addInteraction()
      .given(providerStates.inAppAccepted.name)
      .uponReceiving("a request to send an in-app message with only the required fields")
      .withRequest("POST", IN_APP, (builder) => {
        builder
          .headers({ Authorization: bearer(), "Content-Type": "application/json", ...correlationHeader })
          .jsonBody({
            ...message,
            payload: [{ contentString: like("Your results are ready.") }],
            recipient: [
              {
                identifier: { system: "https://fhir.nhs.uk/Id/nhs-number", value: regex(/^\d{10}$/, NHS_NUMBER) },
              },
            ],
            requester: {
              identifier: {
                system: "https://fhir.nhs.uk/Id/ods-organization-code",
                value: regex(/^[0-9A-Z]+$/, ODS_CODE),
              },
            },
          });
      })
      .willRespondWith(201, (builder) => {
        builder.headers({ Location: location("in-app"), ...correlationHeader, ...json }).jsonBody({
          resourceType: "CommunicationRequest",
          identifier: eachLike({ system: like(COMMUNICATION_ID_SYSTEM), value: like(UUID) }),
          status: "active",
        });
      })
      .executeTest(
        showingErrors(async (server) => {
          const sent = await clientFor(server.url).sendInAppMessage(message);
          expect(sent.status).toBe(201);
          expect(sent.communicationId).toBe(UUID);
        }),
      );
  });

  it("sends a push notification with only the required fields", async () => {
    const push: PushNotificationRequest = {
      resourceType: "CommunicationRequest",
      status: "active",
      payload: [
        {
          contentReference: {
            reference: "https://www.nhsapp.service.nhs.uk/patient/messages/app-messaging",
            display: "You have a new message.",
          },
        },
      ],
      recipient: [{ identifier: { system: "https://fhir.nhs.uk/Id/nhs-number", value: NHS_NUMBER } }],
    };
    await newPact()
      .addInteraction()
      .given(providerStates.pushAccepted.name)
      .uponReceiving("a request to send a push notification with only the required fields")
      .withRequest("POST", "/communication/notification/FHIR/R4/CommunicationRequest", (builder) => {
        builder
          .headers({ Authorization: bearer(), "Content-Type": "application/fhir+json", ...correlationHeader })
          .jsonBody({
            ...push,
            payload: [
              {
                contentReference: {
                  reference: like("https://www.nhsapp.service.nhs.uk/patient/messages/app-messaging"),
                  display: like("You have a new message."),
                },
              },
            ],
            recipient: [
              {
                identifier: { system: "https://fhir.nhs.uk/Id/nhs-number", value: regex(/^\d{10}$/, NHS_NUMBER) },
              },
            ],
          });
      })
      .willRespondWith(201, (builder) => {
        builder.headers({ Location: location("notification"), ...correlationHeader, ...json }).jsonBody({
          resourceType: "CommunicationRequest",
          identifier: eachLike({ system: like(COMMUNICATION_ID_SYSTEM), value: like(UUID) }),
          status: "active",
        });
      })
      .executeTest(
        showingErrors(async (server) => {
          const sent = await clientFor(server.url).sendPushNotification(push);
          expect(sent.communicationId).toBe(UUID);
        }),
      );
  });

  it("sends a push notification as FHIR JSON", async () => {
    const push = pushNotification({
      nhsNumber: NHS_NUMBER,
      text: "You have a new message. The message may contain something important.",
      url: "https://www.nhsapp.service.nhs.uk/patient/messages/app-messaging",
      ...ids,
    });
    await newPact()
      .addInteraction()
      .given(providerStates.pushAccepted.name)
      .uponReceiving("a request to send a push notification")
      .withRequest("POST", "/communication/notification/FHIR/R4/CommunicationRequest", (builder) => {
        builder
          .headers({ Authorization: bearer(), "Content-Type": "application/fhir+json", ...correlationHeader })
          .jsonBody({
            ...push,
            identifier: identifiers(ids).map((identifier) => ({ ...identifier, value: like(identifier.value) })),
            payload: [
              {
                contentReference: {
                  reference: like("https://www.nhsapp.service.nhs.uk/patient/messages/app-messaging"),
                  display: like("You have a new message."),
                },
              },
            ],
            recipient: [
              {
                type: "Patient",
                identifier: { system: "https://fhir.nhs.uk/Id/nhs-number", value: regex(/^\d{10}$/, NHS_NUMBER) },
              },
            ],
          });
      })
      .willRespondWith(201, (builder) => {
        builder
          .headers({ Location: location("notification"), ...correlationHeader, ...json })
          .jsonBody({ resourceType: "CommunicationRequest", identifier: echoedIdentifiers, status: "active" });
      })
      .executeTest(
        showingErrors(async (server) => {
          const sent = await clientFor(server.url).sendPushNotification(push);
          expect(sent.status).toBe(201);
          expect(sent.communicationId).toBe(UUID);
        }),
      );
  });
});
