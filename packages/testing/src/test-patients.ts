// Test patients: NHS numbers (with valid Modulus 11 check digits, at the
// top of the 999 range no real patient has, apart from testNhsNumber's) whose messages always fare the same way in
// the sandbox and the msw mock, so that a team's own tests can rehearse each
// outcome by whom they send to, with no flags. A scenario's own lists
// (`--rejected`, `outcomes.read`, ...) come first; these apply to the
// numbers it does not name. The README and the inspector page list them
// from here.
import type { DeliveryBranch } from "./delivery-plan.js";

export interface TestPatient {
  readonly nhsNumber: string;
  /** A short name for the outcome. */
  readonly name: string;
  /** What happens to messages sent to this patient, in words. */
  readonly outcome: string;
  /** The state model's branch their messages take. */
  readonly branch: DeliveryBranch;
  /** Whether they read their in-app messages. */
  readonly reads: boolean;
  /** Whether they answer a message that offers a reply (once read). */
  readonly replies: boolean;
}

export const TEST_PATIENTS: readonly TestPatient[] = Object.freeze([
  {
    nhsNumber: "9999999018",
    name: "rejected",
    outcome: "Rejected at once, with the reason of the spec's Rejected example",
    branch: "rejected",
    reads: false,
    replies: false,
  },
  {
    nhsNumber: "9999999026",
    name: "notifications-off",
    outcome: "Delivered, then Unnotified (notifications turned off); never read",
    branch: "unnotified",
    reads: false,
    replies: false,
  },
  {
    nhsNumber: "9999999034",
    name: "not-acknowledged",
    outcome: "Delivered, NotificationAttempted, never Notified (no device acknowledged); never read",
    branch: "not-acknowledged",
    reads: false,
    replies: false,
  },
  {
    nhsNumber: "9999999042",
    name: "never-reads",
    outcome: "Delivered, NotificationAttempted, Notified; never read",
    branch: "notified",
    reads: false,
    replies: false,
  },
  {
    nhsNumber: "9999999050",
    name: "reads",
    outcome: "Delivered, NotificationAttempted, Notified, Read (every in-app message); never replies",
    branch: "notified",
    reads: true,
    replies: false,
  },
  {
    nhsNumber: "9999999069",
    name: "reads-and-replies",
    outcome:
      "Delivered, NotificationAttempted, Notified, Read (every in-app message), then replies when a reply is offered (the first keyword, or the default free text)",
    branch: "notified",
    reads: true,
    replies: true,
  },
  {
    nhsNumber: "9999999077",
    name: "notifications-off-reads",
    outcome:
      "Delivered, Unnotified, then Read (reads the inbox with notifications off); replies when a reply is offered",
    branch: "unnotified",
    reads: true,
    replies: true,
  },
]);

const byNumber = new Map(TEST_PATIENTS.map((patient) => [patient.nhsNumber, patient]));

/** The test patient with this NHS number, if it is one. */
export function testPatient(nhsNumber: string): TestPatient | undefined {
  return byNumber.get(nhsNumber);
}
