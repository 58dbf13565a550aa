// The local sandbox, started in the test process on a free port, and the
// environment that points the CLI at it.
import { type Sandbox, type SandboxOptions, startSandbox } from "@nhs-app-api/testing";

export async function sandboxFor(
  options: Pick<SandboxOptions, "receiptPages" | "patientPages" | "receiptsPerPage" | "now" | "delivery"> = {},
) {
  // Noon UTC today unless a test brings its own clock: outside the push quiet hours, whatever the hour the suite runs at.
  const noon = `${new Date().toISOString().slice(0, 10)}T12:00:00Z`;
  const sandbox: Sandbox = await startSandbox({
    port: 0,
    ...(options.now ? {} : { clock: { start: noon } }),
    ...options,
  });
  const env = {
    NHS_APP_ENVIRONMENT: "sandbox",
    NHS_APP_BASE_URL: sandbox.baseUrl,
    NHS_APP_TOKEN_URL: sandbox.tokenUrl,
    NHS_APP_PRIVATE_KEY_FILE: sandbox.privateKeyPath,
  };
  return { sandbox, env };
}
