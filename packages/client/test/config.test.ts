import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { ConfigurationError, createNhsAppClient, environments, type NhsAppClientOptions } from "../src/index.js";
import { API_KEY, BASE_URL, KEY_ID, privateKey, privateKeyPem, TOKEN_URL } from "./support.js";

const valid: NhsAppClientOptions = {
  environment: { baseUrl: BASE_URL, tokenUrl: TOKEN_URL },
  apiKey: API_KEY,
  keyId: KEY_ID,
  privateKey: privateKeyPem,
};

const problem = (options: Partial<NhsAppClientOptions>) => {
  try {
    createNhsAppClient({ ...valid, ...options } as NhsAppClientOptions);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigurationError);
    return (error as ConfigurationError).message;
  }
  throw new Error("expected a ConfigurationError");
};

describe("client configuration", () => {
  it("answers no options, or options of the wrong type, with a ConfigurationError listing what is missing, never a TypeError", () => {
    const loose = createNhsAppClient as unknown as (options: unknown) => unknown;
    for (const options of [undefined, null, "int", 42, []]) {
      let thrown: unknown;
      try {
        loose(options);
      } catch (error) {
        thrown = error;
      }
      expect(thrown, String(options)).toBeInstanceOf(ConfigurationError);
      expect((thrown as Error).message).toMatch(/environment is required.*apiKey is required/);
    }
  });

  it("names each client-wide setting of the wrong type", () => {
    const wrong = (options: Record<string, unknown>) => problem(options as Partial<NhsAppClientOptions>);
    expect(wrong({ fetch: "fetch" })).toContain("fetch must be a function");
    expect(wrong({ validate: "yes" })).toContain("validate must be true or false");
    expect(wrong({ timeoutMs: "5000" })).toContain("timeoutMs must be a positive number");
    expect(wrong({ timeoutMs: 2 ** 31 })).toContain("timeoutMs must be a positive number");
    expect(wrong({ retry: { maxAttempts: 0, baseDelayMs: -1 } })).toMatch(
      /retry\.maxAttempts must be a whole number.*retry\.baseDelayMs must be a number/,
    );
    expect(wrong({ retry: "twice" })).toContain("retry must be an object");
    expect(wrong({ rateLimit: { requestsPerSecond: "20" } })).toContain("rateLimit.requestsPerSecond");
    expect(wrong({ rateLimit: { requestsPerSecond: 20, burst: 0 } })).toContain("rateLimit.burst");
  });

  it("has presets for dev (the dep environment), int and prod", () => {
    expect(environments.dev).toEqual({
      baseUrl: "https://dep.api.service.nhs.uk/nhs-app-dep",
      tokenUrl: "https://dep.api.service.nhs.uk/oauth2-dep/token",
    });
    expect(environments.int.tokenUrl).toBe("https://int.api.service.nhs.uk/oauth2/token");
    expect(environments.prod.baseUrl).toBe("https://api.service.nhs.uk/nhs-app");
    const client = createNhsAppClient({ ...valid, environment: "int" });
    expect(client.baseUrl).toBe("https://int.api.service.nhs.uk/nhs-app");
    expect(client.tokenUrl).toBe("https://int.api.service.nhs.uk/oauth2/token");
  });

  it("accepts a PEM string, a KeyObject and a private JWK", () => {
    expect(() => createNhsAppClient(valid)).not.toThrow();
    expect(() => createNhsAppClient({ ...valid, privateKey })).not.toThrow();
    expect(() => createNhsAppClient({ ...valid, privateKey: privateKey.export({ format: "jwk" }) })).not.toThrow();
  });

  it("refuses an empty kid and an empty API key", () => {
    expect(problem({ keyId: " " })).toContain("keyId (the JWT kid of your registered public key) must not be empty");
    expect(problem({ apiKey: "" })).toContain("apiKey is required");
  });

  it("refuses a PEM that lost its newlines, and says how to fix it", () => {
    const flattened = privateKeyPem.replace(/\n/g, "\\n");
    const message = problem({ privateKey: flattened });
    expect(message).toContain("has no line breaks");
    expect(message).toContain("restore the newlines");
    expect(message).not.toContain(privateKeyPem.split("\n")[1]);
  });

  it("refuses a key that is not an RSA private key", () => {
    const ec = generateKeyPairSync("ec", { namedCurve: "P-256" });
    expect(problem({ privateKey: ec.privateKey })).toContain("this is a ec key; the platform needs an RSA key");
    const publicPem = ec.publicKey.export({ type: "spki", format: "pem" }).toString();
    expect(problem({ privateKey: publicPem })).toContain("this is a public key or certificate");
    expect(problem({ privateKey: "not a key" })).toContain("expected a PEM private key");
    const small = generateKeyPairSync("rsa", { modulusLength: 1024 });
    expect(problem({ privateKey: small.privateKey })).toContain("has 1024 bits; RS512 needs at least 2048");
    const { d: _d, ...publicJwk } = privateKey.export({ format: "jwk" });
    expect(problem({ privateKey: publicJwk })).toContain("the JWK has no private part");
  });

  it("refuses plain http except on loopback, and relative URLs", () => {
    expect(problem({ environment: { baseUrl: BASE_URL, tokenUrl: "http://example.org/token" } })).toContain(
      "environment.tokenUrl must use https (plain http is allowed only for 127.0.0.1, ::1 and localhost)",
    );
    expect(problem({ environment: { baseUrl: "/nhs-app", tokenUrl: TOKEN_URL } })).toContain(
      "environment.baseUrl must be an absolute URL",
    );
    for (const host of ["127.0.0.1", "localhost", "[::1]"]) {
      expect(() =>
        createNhsAppClient({
          ...valid,
          environment: { baseUrl: `http://${host}:1/x`, tokenUrl: `http://${host}:1/t` },
        }),
      ).not.toThrow();
    }
  });

  it("lists every problem at once", () => {
    const message = problem({ keyId: "", apiKey: "", privateKey: undefined, environment: "test" as never });
    expect(message).toContain("environment must be");
    expect(message).toContain("apiKey is required");
    expect(message).toContain("keyId");
    expect(message).toContain("privateKey (or signer) is required");
  });

  it("takes either a private key or a signer, not both", () => {
    const signer = async () => "a.b.c";
    expect(() => createNhsAppClient({ ...valid, privateKey: undefined, signer })).not.toThrow();
    expect(problem({ signer })).toContain("give either privateKey or signer, not both");
  });
});
