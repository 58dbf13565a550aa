// Deliberate breaking changes to the bundled spec. The harness must fail on
// every one of them: a contract check that stays green on a broken contract
// is worse than none.
// biome-ignore lint/suspicious/noExplicitAny: the spec is edited as plain JSON, where any is the honest type
type Json = Record<string, any>;

export interface Mutation {
  name: string;
  /** The document mutated: the NHS App API unless said otherwise. */
  document?: "nhs-app" | "oauth-token";
  /**
   * The static half must catch every mutation; "Prism verification" marks one
   * that Prism's half must catch on its own too (it is run only for those).
   */
  caughtBy?: "Prism verification";
  apply(spec: Json): void;
}

const schemas = (spec: Json) => spec.components.schemas as Json;
const requestSchemas = (spec: Json) => [schemas(spec).InAppCommunicationRequest, schemas(spec).PushNotificationRequest];
const drop = (list: string[] | undefined, name: string) => list?.filter((item) => item !== name);

export const mutations: Mutation[] = [
  {
    name: "rename recipient to recipients in the request schemas",
    apply(spec) {
      for (const schema of requestSchemas(spec)) {
        schema.properties.recipients = schema.properties.recipient;
        delete schema.properties.recipient;
        schema.required = schema.required.map((name: string) => (name === "recipient" ? "recipients" : name));
      }
    },
  },
  {
    name: "drop requester from the in-app request schema",
    apply(spec) {
      const schema = schemas(spec).InAppCommunicationRequest;
      delete schema.properties.requester;
      schema.required = drop(schema.required, "requester");
    },
  },
  {
    name: "turn the 201 of create-in-app into 200",
    apply(spec) {
      const responses = spec.paths["/communication/in-app/FHIR/R4/CommunicationRequest"].post.responses;
      responses["200"] = responses["201"];
      delete responses["201"];
    },
  },
  {
    name: "tighten maxLength of contentString below what the pact sends",
    apply(spec) {
      schemas(spec).ContentString.maxLength = 10;
    },
  },
  {
    name: "remove the Link header from the reports",
    apply(spec) {
      for (const path of ["/communication/report/receipts/FHIR/R4/Task", "/communication/report/patients"]) {
        delete spec.paths[path].get.responses["200"].headers.Link;
      }
    },
  },
  {
    name: "drop throttled from the OperationOutcome issue codes",
    apply(spec) {
      const code = schemas(spec).OperationOutcomeIssue.properties.code;
      code.enum = drop(code.enum, "throttled");
    },
  },
  {
    name: "rename the patient report path",
    apply(spec) {
      spec.paths["/communication/report/patient"] = spec.paths["/communication/report/patients"];
      delete spec.paths["/communication/report/patients"];
    },
  },
  {
    name: "require a field the client does not send",
    apply(spec) {
      const schema = schemas(spec).PushNotificationRequest;
      schema.properties.priority = { type: "string" };
      schema.required = [...schema.required, "priority"];
    },
  },
  {
    name: "make the receipt's lastModified a number",
    apply(spec) {
      schemas(spec).Receipt.properties.lastModified = { type: "integer" };
    },
  },
  {
    name: "accept only application/fhir+json for an in-app message",
    apply(spec) {
      const content = spec.paths["/communication/in-app/FHIR/R4/CommunicationRequest"].post.requestBody.content;
      content["application/fhir+json"] = content["application/json"];
      delete content["application/json"];
    },
  },
  {
    name: "accept only application/json for a push notification",
    apply(spec) {
      const content = spec.paths["/communication/notification/FHIR/R4/CommunicationRequest"].post.requestBody.content;
      delete content["application/fhir+json"];
    },
  },
  {
    name: "rename the page query parameter of the reports",
    apply(spec) {
      spec.components.parameters.Page.name = "pageNumber";
    },
  },
  {
    name: "make identifier required on push requests",
    caughtBy: "Prism verification",
    apply(spec) {
      const schema = schemas(spec).PushNotificationRequest;
      schema.required = [...schema.required, "identifier"];
    },
  },
  {
    name: "turn a patient's nhsNumber into an integer",
    caughtBy: "Prism verification",
    apply(spec) {
      schemas(spec).PatientReportEntry.properties.nhsNumber = { type: "integer" };
    },
  },
  {
    name: "drop Delivered from the receipt codes",
    caughtBy: "Prism verification",
    apply(spec) {
      const code = schemas(spec).ReceiptCode.properties.coding.items.properties.code;
      code.enum = drop(code.enum, "Delivered");
    },
  },
  {
    name: "rename expires_in in the token response",
    caughtBy: "Prism verification",
    document: "oauth-token",
    apply(spec) {
      const schema = schemas(spec).TokenResponse;
      schema.properties.expiresIn = schema.properties.expires_in;
      delete schema.properties.expires_in;
      schema.required = schema.required.map((name: string) => (name === "expires_in" ? "expiresIn" : name));
    },
  },
  {
    name: "require a form field the client does not send to the token endpoint",
    caughtBy: "Prism verification",
    document: "oauth-token",
    apply(spec) {
      const schema = schemas(spec).TokenRequest;
      schema.properties.scope = { type: "string" };
      schema.required = [...schema.required, "scope"];
    },
  },
  {
    name: "rename the X-Correlation-ID request header",
    apply(spec) {
      spec.components.parameters.XCorrelationId.name = "X-Request-ID";
    },
  },
];
