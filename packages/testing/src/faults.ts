// Faults a developer asks for: the next N calls of an operation answered
// with a chosen failure (401, 403, 429 with Retry-After, a 5xx, a dropped
// connection, a slow answer) instead of the gateway's own answer, to
// rehearse what their system does then. With `processed` the call is
// handled first (a message created) and only its answer replaced: the case
// where a sender cannot know whether the platform acted, which must never
// lead to the same message sent twice.
import { operations } from "@nhs-app-api/contract";
import { exampleNames, exampleResponse, type OperationId, operationPaths } from "./spec.js";
import type { FaultView } from "./workbench-views.js";

/** The statuses a fault may answer with: what the platform's proxy and the API give a caller to handle. */
export const FAULT_STATUSES = [401, 403, 429, 500, 502, 503, 504] as const;
export type FaultStatus = (typeof FAULT_STATUSES)[number];

/** What the faulted calls get. */
export type FaultAnswer =
  | { kind: "status"; status: FaultStatus; retryAfterSeconds?: number }
  | { kind: "drop" }
  | { kind: "slow"; delayMs: number };

/** The operations a fault may name: the API's (by operation ID) and the token endpoint (`token`). */
export type FaultOperation = OperationId | "token";

export const FAULT_OPERATIONS: readonly FaultOperation[] = [...(Object.keys(operationPaths) as OperationId[]), "token"];

export interface Fault {
  readonly id: string;
  readonly operation: FaultOperation;
  remaining: number;
  readonly answer: FaultAnswer;
  readonly processed: boolean;
}

/** The longest slow answer: a minute is slower than any client's timeout should be. */
export const MAX_SLOW_MS = 60_000;
/** The most calls one fault may cover. */
export const MAX_FAULT_COUNT = 10_000;

const isWhole = (value: unknown, least: number, most: number): value is number =>
  typeof value === "number" && Number.isSafeInteger(value) && value >= least && value <= most;

/**
 * A fault as the control API takes it (`{ operation, count, status,
 * retryAfter, drop, slowMs, processed }`), checked: every problem is listed.
 * Form fields arrive as text: numbers and `true` are read from text too.
 */
export function parseFault(input: unknown): { fault: Omit<Fault, "id"> } | { problems: string[] } {
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    return { problems: ['the body must be a JSON object such as { "operation": "create-in-app", "status": 503 }'] };
  }
  const body = input as Record<string, unknown>;
  const problems: string[] = [];
  const number = (name: string) => {
    const value = body[name];
    if (typeof value === "string" && value.trim() !== "") return Number(value);
    return value === "" ? undefined : value;
  };
  const flag = (name: string) => body[name] === true || body[name] === "true" || body[name] === "on";
  const known = new Set(["operation", "count", "status", "retryAfter", "drop", "slowMs", "processed"]);
  for (const key of Object.keys(body)) if (!known.has(key)) problems.push(`"${key}" is not a field of a fault`);

  const operation = body.operation;
  if (typeof operation !== "string" || !FAULT_OPERATIONS.includes(operation as FaultOperation)) {
    problems.push(`operation must be one of ${FAULT_OPERATIONS.join(", ")} (it is ${JSON.stringify(operation)})`);
  }
  const count = number("count") ?? 1;
  if (!isWhole(count, 1, MAX_FAULT_COUNT)) {
    problems.push(`count must be a whole number from 1 to ${MAX_FAULT_COUNT} (it is ${JSON.stringify(body.count)})`);
  }
  const status = number("status");
  const slowMs = number("slowMs");
  const drop = flag("drop");
  const chosen = [status !== undefined, drop, slowMs !== undefined].filter(Boolean).length;
  if (chosen !== 1) problems.push("give exactly one of status, drop (true) or slowMs");
  let answer: FaultAnswer | undefined;
  if (status !== undefined) {
    if (!FAULT_STATUSES.includes(status as FaultStatus)) {
      problems.push(`status must be one of ${FAULT_STATUSES.join(", ")} (it is ${JSON.stringify(body.status)})`);
    } else {
      const retryAfter = number("retryAfter");
      if (retryAfter !== undefined && !isWhole(retryAfter, 0, 86_400)) {
        problems.push(`retryAfter must be whole seconds from 0 to 86400 (it is ${JSON.stringify(body.retryAfter)})`);
      }
      answer = {
        kind: "status",
        status: status as FaultStatus,
        ...(typeof retryAfter === "number" ? { retryAfterSeconds: retryAfter } : {}),
      };
    }
  } else if (number("retryAfter") !== undefined) {
    problems.push("retryAfter goes with a status (429 or 503)");
  }
  if (drop && chosen === 1) answer = { kind: "drop" };
  if (slowMs !== undefined) {
    if (!isWhole(slowMs, 1, MAX_SLOW_MS)) {
      problems.push(
        `slowMs must be whole milliseconds from 1 to ${MAX_SLOW_MS} (it is ${JSON.stringify(body.slowMs)})`,
      );
    } else if (chosen === 1) answer = { kind: "slow", delayMs: slowMs };
  }
  const processed = flag("processed");
  if (processed && answer?.kind === "slow")
    problems.push("processed goes with a status or drop: a slow answer is the call's own");
  if (problems.length > 0 || answer === undefined) return { problems };
  return { fault: { operation: operation as FaultOperation, remaining: count as number, answer, processed } };
}

const outcomeCode = (status: number) =>
  status === 401 ? "security" : status === 403 ? "forbidden" : status === 429 ? "throttled" : "unknown";

/**
 * The answer a faulted call gets for a status: the spec's own example for
 * that operation and status when it has one (its 401, its 429), else an
 * OperationOutcome (the token endpoint: an OAuth error). A Retry-After
 * header when the fault asked for one.
 */
export function faultResponse(
  operation: FaultOperation,
  answer: Extract<FaultAnswer, { kind: "status" }>,
): { status: number; headers: Record<string, string>; body: unknown } {
  const { status } = answer;
  const headers: Record<string, string> =
    answer.retryAfterSeconds === undefined ? {} : { "retry-after": String(answer.retryAfterSeconds) };
  const diagnostics = `Sandbox fault: ${status} asked for through the sandbox's control API`;
  if (operation === "token") {
    const error =
      status === 401
        ? "invalid_client"
        : status === 403
          ? "access_denied"
          : status === 429 || status === 503
            ? "temporarily_unavailable"
            : "server_error";
    return {
      status,
      headers: { "content-type": "application/json", ...headers },
      body: { error, error_description: diagnostics },
    };
  }
  const statuses: readonly string[] = operations[operation].responses;
  if (statuses.includes(String(status)) && exampleNames(operation, status).length > 0) {
    const example = exampleResponse(operation, status);
    return { status, headers: { ...example.headers, ...headers }, body: example.body };
  }
  return {
    status,
    headers: { "content-type": "application/fhir+json", ...headers },
    body: { resourceType: "OperationOutcome", issue: [{ severity: "error", code: outcomeCode(status), diagnostics }] },
  };
}

/** The faults waiting, in the order asked for; each call of an operation takes from the first that names it. */
export class FaultQueue {
  readonly #faults: Fault[] = [];
  #next = 1;

  add(fault: Omit<Fault, "id">): Fault {
    const added: Fault = { ...fault, id: `fault-${this.#next++}` };
    this.#faults.push(added);
    return added;
  }

  /** The fault that answers this call of an operation, if one waits (counted down, and gone at 0). */
  take(operation: FaultOperation): Fault | undefined {
    const index = this.#faults.findIndex((fault) => fault.operation === operation);
    const fault = this.#faults[index];
    if (!fault) return undefined;
    fault.remaining--;
    if (fault.remaining <= 0) this.#faults.splice(index, 1);
    return fault;
  }

  get size(): number {
    return this.#faults.length;
  }

  list(): FaultView[] {
    return this.#faults.map(({ id, operation, remaining, answer, processed }) => ({
      id,
      operation,
      remaining,
      answer: { ...answer },
      processed,
    }));
  }

  clear(): void {
    this.#faults.length = 0;
  }
}
