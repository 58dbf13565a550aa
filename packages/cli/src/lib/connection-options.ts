// The options that say where to send and with which credentials, shared by
// `send` and `report`. Each also reads an environment variable, so scripts
// and CI keep secrets out of the command line (which other users can see).
import { environments } from "@nhs-app-api/contract";
import { type Command, Option } from "commander";

/** The local sandbox (`nhs-app sandbox`), beside the contract's named environments. */
export const SANDBOX = "sandbox";

export const ENVIRONMENT_NAMES: readonly string[] = [...Object.keys(environments), SANDBOX];

export interface ConnectionFlags {
  environment?: string;
  baseUrl?: string;
  tokenUrl?: string;
  apiKey?: string;
  keyId?: string;
  privateKeyFile?: string;
}

export function addConnectionOptions(command: Command): Command {
  return command
    .addOption(
      new Option("--environment <name>", "the environment to use")
        .choices(ENVIRONMENT_NAMES)
        .env("NHS_APP_ENVIRONMENT"),
    )
    .addOption(
      new Option("--base-url <url>", "the API base URL, instead of the environment's (a sandbox elsewhere)").env(
        "NHS_APP_BASE_URL",
      ),
    )
    .addOption(
      new Option("--token-url <url>", "the token endpoint, instead of the environment's").env("NHS_APP_TOKEN_URL"),
    )
    .addOption(
      new Option("--api-key <key>", "the application's API key (prefer the environment variable)").env(
        "NHS_APP_API_KEY",
      ),
    )
    .addOption(
      new Option("--key-id <kid>", "the key ID under which the public key is registered").env("NHS_APP_KEY_ID"),
    )
    .addOption(
      new Option("--private-key-file <path>", "the RSA private key, PEM (also NHS_APP_PRIVATE_KEY_PATH)").env(
        "NHS_APP_PRIVATE_KEY_FILE",
      ),
    );
}
