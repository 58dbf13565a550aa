// The local sandbox, started in the test process on a free port, and the
// environment that points the CLI at it.
import { type Sandbox, type SandboxOptions, startSandbox } from "@nhs-app-api/testing";

export async function sandboxFor(
  options: Pick<SandboxOptions, "receiptPages" | "patientPages" | "receiptsPerPage" | "now" | "delivery"> = {},
) {
  const sandbox: Sandbox = await startSandbox({ port: 0, ...options });
  const env = {
    NHS_APP_ENVIRONMENT: "sandbox",
    NHS_APP_BASE_URL: sandbox.baseUrl,
    NHS_APP_TOKEN_URL: sandbox.tokenUrl,
    NHS_APP_PRIVATE_KEY_FILE: sandbox.privateKeyPath,
  };
  return { sandbox, env };
}
