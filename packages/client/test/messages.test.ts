import { HttpResponse, http } from "msw";
import { describe, expect, it } from "vitest";
import {
  BadRequestError,
  ClientValidationError,
  freeTextReply,
  inAppMessage,
  keywordReply,
  PermissionError,
  pushNotification,
  UnexpectedResponseError,
} from "../src/index.js";
import {
  BASE_URL,
  COMMUNICATION_ID,
  created,
  IN_APP,
  operationOutcome,
  PUSH,
  server,
  testClient,
  tokenEndpoint,
  useMockServer,
} from "./support.js";

useMockServer();

const nhsNumber = "9434765919";

describe("sending messages", () => {
  it("sends an in-app message with a keyword reply and returns the communication ID, Location and correlation ID", async () => {
    const received: { body: unknown; contentType: string | null; correlationId: string | null }[] = [];
    server.use(
      tokenEndpoint().handler,
      http.post(IN_APP, async ({ request }) => {
        const body = (await request.json()) as Record<string, unknown>;
        received.push({
          body,
          contentType: request.headers.get("content-type"),
          correlationId: request.headers.get("x-correlation-id"),
        });
        const response = created(body);
        response.headers.set("x-correlation-id", request.headers.get("x-correlation-id") ?? "");
        return response;
      }),
    );
    const message = inAppMessage({
      nhsNumber,
      odsCode: "b82041",
      text: "Do you smoke? Reply SMOKE, EX or NEVER.",
      reply: keywordReply(["SMOKE", "EX", "NEVER"]),
      campaignId: "smoking-2024",
    });
    const result = await testClient().sendInAppMessage(message, { correlationId: "my-trace-1" });
    expect(result.communicationId).toBe(COMMUNICATION_ID);
    expect(result.location).toBe(`${BASE_URL}/communication/in-app/FHIR/R4/CommunicationRequest/${COMMUNICATION_ID}`);
    expect(result.correlationId).toBe("my-trace-1");
    expect(result.status).toBe(201);
    expect(result.resource.contained?.[0]?.item?.[0]?.answerOption?.map((o) => o.valueCoding?.code)).toEqual([
      "SMOKE",
      "EX",
      "NEVER",
    ]);
    expect(received).toHaveLength(1);
    expect(received[0]?.contentType).toBe("application/json");
    expect(received[0]?.correlationId).toBe("my-trace-1");
    expect(received[0]?.body).toEqual(message);
    const sent = received[0]?.body as { requester: { identifier: { value: string } } } | undefined;
    expect(sent?.requester.identifier.value).toBe("B82041");
  });

  it("sends a push notification as application/fhir+json, as the contract declares, or as asked", async () => {
    const contentTypes: (string | null)[] = [];
    server.use(
      tokenEndpoint().handler,
      http.post(PUSH, async ({ request }) => {
        contentTypes.push(request.headers.get("content-type"));
        return created((await request.json()) as Record<string, unknown>, "notification");
      }),
    );
    const push = pushNotification({
      nhsNumber,
      text: "You have a new message.",
      url: "https://www.nhsapp.service.nhs.uk/patient/messages",
    });
    const result = await testClient().sendPushNotification(push);
    await testClient({ contentType: "application/json" }).sendPushNotification(push);
    expect(result.communicationId).toBe(COMMUNICATION_ID);
    expect(contentTypes).toEqual(["application/fhir+json", "application/json"]);
  });

  it("generates a UUID correlation ID when none is given", async () => {
    let sent: string | null = null;
    server.use(
      tokenEndpoint().handler,
      http.post(IN_APP, async ({ request }) => {
        sent = request.headers.get("x-correlation-id");
        return created((await request.json()) as Record<string, unknown>);
      }),
    );
    const result = await testClient().sendInAppMessage(inAppMessage({ nhsNumber, odsCode: "B82041", text: "Hi" }));
    expect(sent).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(result.correlationId).toBe(sent);
  });

  it("rejects an invalid message before sending, listing every problem with the server's expressions", async () => {
    let requests = 0;
    server.use(
      tokenEndpoint().handler,
      http.post(IN_APP, () => {
        requests++;
        return HttpResponse.json({});
      }),
    );
    const message = inAppMessage({
      nhsNumber: "9434765910",
      odsCode: "B82041",
      text: "x".repeat(5001),
      reply: keywordReply(["A", "B", "C", "D", "E", "F", "G"]),
      campaignId: "c".repeat(129),
    });
    const error = (await testClient()
      .sendInAppMessage(message)
      .catch((e: unknown) => e)) as ClientValidationError;
    expect(error).toBeInstanceOf(ClientValidationError);
    expect(error.kind).toBe("client-validation");
    expect(error.issues.map((i) => `${i.expression?.[0]}: ${i.diagnostics}`)).toEqual([
      "identifier[0].value: Exceeds maximum length",
      "payload[0].contentString: Exceeds maximum length",
      "contained[0].item[0].answerOptions: Exceeds maximum length",
      "recipient[0].identifier.value: NHS Number is invalid",
    ]);
    expect(error.message).toContain("4 problems; nothing was sent");
    expect(requests).toBe(0);
  });

  it("sends an invalid message anyway with validate: false, and surfaces the server's 400 issues", async () => {
    server.use(
      tokenEndpoint().handler,
      http.post(IN_APP, () =>
        HttpResponse.json(
          {
            resourceType: "OperationOutcome",
            issue: [
              {
                severity: "error",
                code: "invalid",
                diagnostics: "Multiple Campaign IDs specified",
                expression: ["identifier"],
              },
              { severity: "error", code: "invalid", diagnostics: "Not specified", expression: ["recipient"] },
            ],
          },
          {
            status: 400,
            headers: { "content-type": "application/fhir+json; charset=utf-8", "x-correlation-id": "c-400" },
          },
        ),
      ),
    );
    const message = { ...inAppMessage({ nhsNumber, odsCode: "B82041", text: "Hi" }), recipient: [] };
    const error = (await testClient()
      .sendInAppMessage(message as never, { validate: false, correlationId: "c-400" })
      .catch((e: unknown) => e)) as BadRequestError;
    expect(error).toBeInstanceOf(BadRequestError);
    expect(error.status).toBe(400);
    expect(error.correlationId).toBe("c-400");
    expect(error.issues).toHaveLength(2);
    expect(error.operationOutcome?.resourceType).toBe("OperationOutcome");
    expect(error.message).toContain("400 Bad Request from create-in-app");
    expect(error.message).toContain("invalid: Multiple Campaign IDs specified (at identifier)");
    expect(error.message).toContain("invalid: Not specified (at recipient)");
    expect(error.message).toContain("correlation ID c-400");
  });

  it("surfaces a 403 as a PermissionError", async () => {
    server.use(
      tokenEndpoint().handler,
      http.post(IN_APP, () =>
        operationOutcome(403, "security", "Supplier with ID e2efe52b does not have channel App Message permission"),
      ),
    );
    const error = await testClient()
      .sendInAppMessage(inAppMessage({ nhsNumber, odsCode: "B82041", text: "Hi", reply: freeTextReply() }))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PermissionError);
    expect((error as PermissionError).issues[0]?.code).toBe("security");
  });

  it("takes the communication ID from Location when the body lacks it, and says a 201 without one was accepted", async () => {
    server.use(
      tokenEndpoint().handler,
      http.post(
        IN_APP,
        () =>
          new HttpResponse("", {
            status: 201,
            headers: { location: `${BASE_URL}/communication/in-app/FHIR/R4/CommunicationRequest/${COMMUNICATION_ID}` },
          }),
      ),
    );
    const message = inAppMessage({ nhsNumber, odsCode: "B82041", text: "Hi" });
    expect((await testClient().sendInAppMessage(message)).communicationId).toBe(COMMUNICATION_ID);

    server.use(http.post(IN_APP, () => new HttpResponse("not json", { status: 201 })));
    const error = await testClient()
      .sendInAppMessage(message)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnexpectedResponseError);
    expect((error as UnexpectedResponseError).status).toBe(201);
    expect((error as Error).message).toContain("the message was accepted, do not send it again");
  });
});
