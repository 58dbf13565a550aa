// Turns the connection options into a client: which URLs (a named
// environment, the sandbox, or explicit URLs), which credentials, and the
// private key read from its file. Every problem is a usage error that names
// the setting, never its value.
import { createNhsAppClient, type Endpoints, isNhsAppError, type NhsAppClient } from "@nhs-app-api/client";
import { environments } from "@nhs-app-api/contract";
import { type ConnectionFlags, SANDBOX } from "./connection-options.js";
import { usageError } from "./errors.js";
import { readText } from "./files.js";
import { registerSecret } from "./redact.js";
import { sandboxEndpoints } from "./sandbox-endpoints.js";

type NamedEnvironment = keyof typeof environments;

interface Target {
  endpoints: Endpoints;
  /** The environment's documented request rate, when it has one. */
  requestsPerSecond?: number;
  /** Credentials that are no secret: the sandbox's own test values. */
  defaults?: { apiKey: string; keyId: string };
}

const isNamed = (name: string): name is NamedEnvironment => Object.hasOwn(environments, name);

async function targetOf(flags: ConnectionFlags): Promise<Target> {
  const name = flags.environment;
  if (name === SANDBOX) {
    // Loaded only here: the sandbox's test credentials live in the testing package.
    const { SANDBOX_API_KEY, SANDBOX_KEY_ID } = await import("@nhs-app-api/testing");
    return { endpoints: sandboxEndpoints(), defaults: { apiKey: SANDBOX_API_KEY, keyId: SANDBOX_KEY_ID } };
  }
  if (name !== undefined && isNamed(name)) {
    const environment = environments[name];
    const { baseUrl, tokenUrl } = environment;
    return {
      endpoints: { baseUrl, tokenUrl },
      ...("requestsPerSecond" in environment ? { requestsPerSecond: environment.requestsPerSecond } : {}),
    };
  }
  if (name !== undefined) throw usageError(`unknown environment ${name}: use one of dev, int, prod or sandbox`);
  if (flags.baseUrl && flags.tokenUrl) return { endpoints: { baseUrl: flags.baseUrl, tokenUrl: flags.tokenUrl } };
  throw usageError(
    "no environment: set NHS_APP_ENVIRONMENT or --environment (dev, int, prod or sandbox), or give both --base-url and --token-url",
  );
}

/** A client for the chosen environment; throws a usage error naming what is missing or wrong. */
export async function connect(flags: ConnectionFlags): Promise<NhsAppClient> {
  const target = await targetOf(flags);
  const endpoints = {
    baseUrl: flags.baseUrl ?? target.endpoints.baseUrl,
    tokenUrl: flags.tokenUrl ?? target.endpoints.tokenUrl,
  };
  const apiKey = flags.apiKey ?? target.defaults?.apiKey;
  const keyId = flags.keyId ?? target.defaults?.keyId;
  // NHS_APP_PRIVATE_KEY_PATH is the older name (the demo and contracts:smoke used it); it still works.
  const keyFile = flags.privateKeyFile ?? process.env.NHS_APP_PRIVATE_KEY_PATH;
  const missing = [
    apiKey ? undefined : "the API key (NHS_APP_API_KEY or --api-key)",
    keyId ? undefined : "the key ID (NHS_APP_KEY_ID or --key-id)",
    keyFile ? undefined : "the private key file (NHS_APP_PRIVATE_KEY_FILE or --private-key-file)",
  ].filter((item) => item !== undefined);
  if (missing.length > 0 || !apiKey || !keyId || !keyFile) throw usageError(`missing ${missing.join(", ")}`);
  registerSecret(apiKey);
  const privateKey = await readText(keyFile, "the private key file");
  registerSecret(privateKey);
  try {
    return createNhsAppClient({
      environment: endpoints,
      apiKey,
      keyId,
      privateKey,
      ...(target.requestsPerSecond === undefined ? {} : { rateLimit: { requestsPerSecond: target.requestsPerSecond } }),
    });
  } catch (error) {
    // The client lists every wrong setting at once and never quotes a secret.
    if (isNhsAppError(error) && error.kind === "configuration") throw usageError(error.message);
    throw error;
  }
}
