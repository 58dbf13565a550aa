// Where the local sandbox answers when nothing else is said: the port
// `nhs-app sandbox` (and `pnpm sandbox`) listens on by default, with the
// integration environment's paths, as the sandbox serves them.
import { environments } from "@nhs-app-api/contract";

export const SANDBOX_DEFAULT_PORT = 4010;

export function sandboxEndpoints(port: number = SANDBOX_DEFAULT_PORT) {
  const origin = `http://127.0.0.1:${port}`;
  return {
    baseUrl: `${origin}${new URL(environments.int.baseUrl).pathname}`,
    tokenUrl: `${origin}${new URL(environments.int.tokenUrl).pathname}`,
  };
}
