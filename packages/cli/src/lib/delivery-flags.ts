// The `nhs-app sandbox` flags that say how sent messages fare (outcomes by
// NHS number, timing, replies) and where the simulated NHS App posts their
// receipts and replies (a callback URL, and a client certificate for mutual
// TLS), turned into the sandbox's `delivery` and `callbacks` options.
import { isValidNhsNumber } from "@nhs-app-api/contract";
import type { DeliveryOutcomes, DeliveryScenario, SandboxOptions } from "@nhs-app-api/testing";
import { InvalidArgumentError } from "commander";
import { usageError } from "./errors.js";
import { readBytes } from "./files.js";
import { note } from "./output.js";

export interface DeliveryFlags {
  callbackUrl?: string;
  callbackCert?: string;
  callbackKey?: string;
  callbackCa?: string;
  callbackRetries?: number;
  rejected?: string[];
  unnotified?: string[];
  notAcknowledged?: string[];
  read?: string;
  receiptInterval?: number;
  replyText?: string;
}

/** Comma-separated NHS numbers, added to those of earlier uses of the flag. */
export function nhsNumbers(value: string, previous: string[] = []): string[] {
  const numbers = value
    .split(",")
    .map((part) => part.trim())
    .filter((part) => part !== "");
  const wrong = numbers.find((number) => !isValidNhsNumber(number));
  if (wrong !== undefined || numbers.length === 0) {
    throw new InvalidArgumentError("Give valid NHS numbers (ten digits, check digit right), separated by commas.");
  }
  return [...previous, ...numbers];
}

const READ_CHOICES = ["all", "none", "reply-offered"] as const;

/** Whose messages are read: all, none, reply-offered, or comma-separated NHS numbers. */
export function whoReads(value: string): string {
  if ((READ_CHOICES as readonly string[]).includes(value)) return value;
  nhsNumbers(value);
  return value;
}

function readOutcome(read: string): NonNullable<DeliveryOutcomes["read"]> {
  const choice = READ_CHOICES.find((c) => c === read);
  return choice ?? nhsNumbers(read);
}

/** The sandbox's `delivery` option from the flags (undefined when none was given). */
export function deliveryScenario(flags: DeliveryFlags): DeliveryScenario | undefined {
  const outcomes: DeliveryOutcomes = {
    ...(flags.rejected ? { rejected: flags.rejected } : {}),
    ...(flags.unnotified ? { unnotified: flags.unnotified } : {}),
    ...(flags.notAcknowledged ? { notAcknowledged: flags.notAcknowledged } : {}),
    ...(flags.read === undefined ? {} : { read: readOutcome(flags.read) }),
  };
  const scenario: DeliveryScenario = {
    ...(Object.keys(outcomes).length > 0 ? { outcomes } : {}),
    ...(flags.receiptInterval === undefined ? {} : { timing: { stepMs: flags.receiptInterval } }),
    ...(flags.replyText === undefined ? {} : { replies: { text: flags.replyText } }),
  };
  return Object.keys(scenario).length > 0 ? scenario : undefined;
}

/** The sandbox's `callbacks` option from the flags, the certificate files read (undefined without --callback-url). */
export async function callbackOptions(flags: DeliveryFlags): Promise<SandboxOptions["callbacks"]> {
  const files = [flags.callbackCert, flags.callbackKey, flags.callbackCa];
  const given = files.filter((file) => file !== undefined).length;
  if (flags.callbackUrl === undefined) {
    if (given > 0 || flags.callbackRetries !== undefined) {
      throw usageError("--callback-cert, --callback-key, --callback-ca and --callback-retries need --callback-url");
    }
    return undefined;
  }
  if (given !== 0 && given !== 3) {
    throw usageError("give --callback-cert, --callback-key and --callback-ca together, for mutual TLS");
  }
  let url: URL;
  try {
    url = new URL(flags.callbackUrl);
  } catch {
    throw usageError(`${flags.callbackUrl} is not a URL: give the callback base URL, e.g. https://127.0.0.1:8443`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw usageError(`the callback URL must be https (or http for a plain local endpoint), not ${url.protocol}`);
  }
  if (given === 3 && url.protocol !== "https:") throw usageError("mutual TLS needs an https callback URL");
  const tls =
    given === 3
      ? {
          cert: await readBytes(flags.callbackCert as string, "the client certificate file"),
          key: await readBytes(flags.callbackKey as string, "the client key file"),
          ca: await readBytes(flags.callbackCa as string, "the CA file"),
        }
      : undefined;
  return {
    baseUrl: flags.callbackUrl,
    ...(tls ? { tls } : {}),
    ...(flags.callbackRetries === undefined ? {} : { retry: { retries: flags.callbackRetries } }),
    log: note,
  };
}

/** How many times a callback is tried again: 0 to 20. */
export function retries(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) > 20) {
    throw new InvalidArgumentError("Retries must be a whole number from 0 to 20.");
  }
  return Number(value);
}
