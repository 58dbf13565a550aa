// ODS codes. Each field of the API has its own rule, as the spec states it:
// the patient report takes a GP practice code (a letter and five digits, or
// letter-digit-letter-digit-letter, any case); a message's requester takes
// capitals and digits.
import { patterns } from "@nhs-app-api/contract";

const GP_PRACTICE = new RegExp(patterns.practiceOdsCode, "u");
const REQUESTER = new RegExp(patterns.requesterOdsCode, "u");

/** For `ods-organisation-code` of the patient report. */
export const isValidPracticeOdsCode = (value: string) => GP_PRACTICE.test(value);

/** For `requester.identifier.value` of an in-app message. */
export const isValidRequesterOdsCode = (value: string) => REQUESTER.test(value);
