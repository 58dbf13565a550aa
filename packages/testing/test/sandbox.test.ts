import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  type AssertionClaims,
  type AssertionHeader,
  type AuthenticationError,
  BadRequestError,
  createNhsAppClient,
  inAppMessage,
  keywordReply,
  NotFoundError,
  pushNotification,
} from "@nhs-app-api/client";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { type Sandbox, startSandbox } from "../src/index.js";

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, tokenLifetimeSeconds: 2 });
});
afterAll(() => sandbox?.stop());
afterEach(() => {
  vi.useRealTimers();
});

const clientFor = (s: Sandbox, overrides = {}) =>
  createNhsAppClient({
    environment: { baseUrl: s.baseUrl, tokenUrl: s.tokenUrl },
    apiKey: s.apiKey,
    keyId: s.keyId,
    privateKey: s.privateKeyPem,
    retry: { baseDelayMs: 1 },
    ...overrides,
  });

describe("the local sandbox", () => {
  it("listens on 127.0.0.1 only", () => {
    expect(new URL(sandbox.baseUrl).hostname).toBe("127.0.0.1");
    expect(new URL(sandbox.tokenUrl).pathname).toBe("/oauth2/token");
  });

  it("takes messages from a correctly configured client, echoing each with a fresh communication ID", async () => {
    const client = clientFor(sandbox);
    const sent = await client.sendInAppMessage(
      inAppMessage({ nhsNumber: "9434765919", odsCode: "B82041", text: "Hi", reply: keywordReply(["YES", "NO"]) }),
      { correlationId: "sandbox-trace" },
    );
    expect(sent.status).toBe(201);
    expect(sent.correlationId).toBe("sandbox-trace");
    expect(sent.location).toBe(
      `${sandbox.baseUrl}/communication/in-app/FHIR/R4/CommunicationRequest/${sent.communicationId}`,
    );
    expect(sent.resource.contained?.[0]?.item?.[0]?.type).toBe("choice");
    const push = await client.sendPushNotification(
      pushNotification({ nhsNumber: "9434765919", text: "Hi", url: "https://www.nhsapp.service.nhs.uk/" }),
    );
    expect(push.status).toBe(201);
  });

  it("serves multi-page reports for T00001 and for any day, with Link headers the client follows", async () => {
    const client = clientFor(sandbox);
    const pages = await client.patients.pages("T00001").toArray({ limit: 10 });
    expect(pages.map((p) => p.page)).toEqual([1, 2, 3, 4]);
    const receipts = await client.receipts.items("2024-03-01").toArray({ limit: 100 });
    expect(receipts).toHaveLength(12);
    await expect(client.getPatientReport({ odsCode: "T00001", page: 5 })).rejects.toBeInstanceOf(NotFoundError);
  });

  it("refuses an invalid request with the API's 400 OperationOutcome", async () => {
    const client = clientFor(sandbox, { validate: false });
    const error = (await client
      .sendInAppMessage(inAppMessage({ nhsNumber: "9434765910", odsCode: "B82041", text: "Hi" }))
      .catch((e: unknown) => e)) as BadRequestError;
    expect(error).toBeInstanceOf(BadRequestError);
    expect(error.issues[0]?.diagnostics).toBe("NHS Number is invalid");
  });

  it("enforces the token rules: unknown kid, reused jti and a foreign audience are refused", async () => {
    const wrongKid = (await clientFor(sandbox, { keyId: "other" })
      .getPatientReport({ odsCode: "A12345" })
      .catch((e: unknown) => e)) as AuthenticationError;
    expect(wrongKid.description).toBe("Invalid 'kid' header in client_assertion JWT - no matching public key");
    const assertions: string[] = [];
    const { keySignerForTests } = await import("./signer.js");
    const replaying = clientFor(sandbox, {
      privateKey: undefined,
      signer: async (claims: AssertionClaims, header: AssertionHeader) => {
        assertions[0] ??= await keySignerForTests(sandbox.privateKeyPem, claims, header);
        return assertions[0];
      },
    });
    await replaying.getPatientReport({ odsCode: "A12345" });
    const reused = new URLSearchParams({
      grant_type: "client_credentials",
      client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
      client_assertion: assertions[0] as string,
    });
    const again = await fetch(sandbox.tokenUrl, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: reused,
    });
    expect(again.status).toBe(400);
    expect(((await again.json()) as { error_description: string }).error_description).toBe(
      "Non-unique 'jti' claim in client_assertion JWT",
    );
  });

  it("answers 401 expired for an expired token; the client renews its own before that", async () => {
    // The wall clock, which the client and the sandbox's tokens both keep, faked: it stands still but when
    // moved, so no token runs out while a busy machine is slow, and no test waits for one to.
    vi.useFakeTimers({ toFake: ["Date"] });
    const client = clientFor(sandbox);
    await client.getPatientReport({ odsCode: "A12345" });
    const issuedBefore = sandbox.issuer.issued.length;
    vi.setSystemTime(Date.now() + 2100); // the sandbox's tokens last 2 s here
    // The client renews 1 s early (half of a 2 s token), so force the old token to be used:
    const token = sandbox.issuer.issued.at(-1)?.accessToken;
    const raw = await fetch(`${sandbox.baseUrl}/communication/report/patients?ods-organisation-code=A12345`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(raw.status).toBe(401);
    expect(((await raw.json()) as { issue: { code: string }[] }).issue[0]?.code).toBe("expired");
    await client.getPatientReport({ odsCode: "A12345" });
    expect(sandbox.issuer.issued.length).toBe(issuedBefore + 1);
  });

  it("says clearly when its port is taken, and leaves no private key behind", async () => {
    const blocker = createServer();
    const port = await new Promise<number>((resolve) =>
      blocker.listen(0, "127.0.0.1", () => resolve((blocker.address() as { port: number }).port)),
    );
    // A private temporary folder for this start, so other tests' sandboxes cannot blur the count.
    const scratch = mkdtempSync(path.join(tmpdir(), "sandbox-port-test-"));
    const saved = process.env.TMPDIR;
    process.env.TMPDIR = scratch;
    try {
      await expect(startSandbox({ port })).rejects.toThrow(`Port ${port} on 127.0.0.1 is taken`);
      expect(readdirSync(scratch)).toEqual([]);
    } finally {
      if (saved === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = saved;
      rmSync(scratch, { recursive: true, force: true });
      blocker.close();
    }
  });
});
