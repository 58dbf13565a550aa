// `nhs-app callbacks`: tools for the endpoint a supplier hosts for the NHS App's callbacks.
import type { Command } from "commander";
import { registerCallbacksCerts } from "./callbacks-certs.js";
import { registerCallbacksCheck } from "./callbacks-check.js";

export function registerCallbacks(program: Command): void {
  const callbacks = program
    .command("callbacks")
    .description("check a callback endpoint over mutual TLS, or make certificates to try one locally");
  registerCallbacksCheck(callbacks);
  registerCallbacksCerts(callbacks);
}
