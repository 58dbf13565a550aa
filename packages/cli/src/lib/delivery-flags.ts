// The `nhs-app sandbox` flags that say how sent messages fare (outcomes by
// NHS number, timing, replies) and where the simulated NHS App posts their
// receipts and replies (a callback URL, and a client certificate for mutual
// TLS), turned into the sandbox's `delivery` and `callbacks` options.
import { isValidNhsNumber } from "@nhs-app-api/contract";
import {
  checkCallbackBaseUrl,
  type DeliveryOutcomes,
  type DeliveryScenario,
  type DeliveryTiming,
  type ReplyScenario,
  replyAnswerProblem,
  type SandboxOptions,
} from "@nhs-app-api/testing";
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
  callbackTimeout?: number;
  rejected?: string[];
  unnotified?: string[];
  notAcknowledged?: string[];
  read?: string;
  receiptInterval?: number;
  firstReceipt?: number;
  replyDelay?: number;
  replyText?: string;
  replyKeyword?: string;
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

/**
 * Refuses a --reply-text or --reply-keyword that would make reply callbacks
 * the replies contract refuses, naming the contract's limit (from
 * @nhs-app-api/testing, which reads it from the contract).
 */
function checkReplyFlags({ replyText, replyKeyword }: DeliveryFlags) {
  const problems = [
    replyText === undefined ? undefined : ["--reply-text", replyAnswerProblem({ kind: "text", text: replyText })],
    replyKeyword === undefined
      ? undefined
      : ["--reply-keyword", replyAnswerProblem({ kind: "keyword", code: replyKeyword })],
  ];
  for (const problem of problems) {
    if (problem?.[1] !== undefined) throw usageError(`${problem[0]} ${problem[1]}`);
  }
}

/** The sandbox's `delivery` option from the flags (undefined when none was given). */
export function deliveryScenario(flags: DeliveryFlags): DeliveryScenario | undefined {
  checkReplyFlags(flags);
  const outcomes: DeliveryOutcomes = {
    ...(flags.rejected ? { rejected: flags.rejected } : {}),
    ...(flags.unnotified ? { unnotified: flags.unnotified } : {}),
    ...(flags.notAcknowledged ? { notAcknowledged: flags.notAcknowledged } : {}),
    ...(flags.read === undefined ? {} : { read: readOutcome(flags.read) }),
  };
  const timing: DeliveryTiming = {
    ...(flags.firstReceipt === undefined ? {} : { firstMs: flags.firstReceipt }),
    ...(flags.receiptInterval === undefined ? {} : { stepMs: flags.receiptInterval }),
    ...(flags.replyDelay === undefined ? {} : { replyMs: flags.replyDelay }),
  };
  const { replyKeyword } = flags;
  const replies: ReplyScenario = {
    ...(flags.replyText === undefined ? {} : { text: flags.replyText }),
    // A keyword the message did not offer is not sent (the library would send it as given): the first offered is.
    ...(replyKeyword === undefined
      ? {}
      : { keyword: (offered: readonly string[]) => (offered.includes(replyKeyword) ? replyKeyword : offered[0]) }),
  };
  const scenario: DeliveryScenario = {
    ...(Object.keys(outcomes).length > 0 ? { outcomes } : {}),
    ...(Object.keys(timing).length > 0 ? { timing } : {}),
    ...(Object.keys(replies).length > 0 ? { replies } : {}),
  };
  return Object.keys(scenario).length > 0 ? scenario : undefined;
}

const lowerFirst = (text: string) => text.charAt(0).toLowerCase() + text.slice(1);

/** The sandbox's `callbacks` option from the flags, the certificate files read (undefined without --callback-url). */
export async function callbackOptions(flags: DeliveryFlags): Promise<SandboxOptions["callbacks"]> {
  const files = [flags.callbackCert, flags.callbackKey, flags.callbackCa];
  const given = files.filter((file) => file !== undefined).length;
  if (flags.callbackUrl === undefined) {
    if (given > 0 || flags.callbackRetries !== undefined || flags.callbackTimeout !== undefined) {
      throw usageError(
        "--callback-cert, --callback-key, --callback-ca, --callback-retries and --callback-timeout need --callback-url",
      );
    }
    return undefined;
  }
  if (given !== 0 && given !== 3) {
    throw usageError("give --callback-cert, --callback-key and --callback-ca together, for mutual TLS");
  }
  try {
    // The library's own rule, so that the flag and startSandbox agree.
    checkCallbackBaseUrl(flags.callbackUrl, { tls: given === 3 });
  } catch (error) {
    throw usageError(lowerFirst((error as Error).message));
  }
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
    ...(flags.callbackTimeout === undefined ? {} : { timeoutMs: flags.callbackTimeout }),
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
