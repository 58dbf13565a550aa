// ODS codes. Each field of the API has its own rule: the patient report takes
// a GP practice code (a letter and five digits, or letter-digit-letter-digit-
// letter, any case); a message's requester takes capitals and digits.

const GP_PRACTICE = /^[A-Za-z]\d{5}$|^[A-Za-z]\d[A-Za-z]\d[A-Za-z]$/;
const REQUESTER = /^[0-9A-Z]+$/;

/** For `ods-organisation-code` of the patient report. */
export const isValidPracticeOdsCode = (value: string) => GP_PRACTICE.test(value);

/** For `requester.identifier.value` of an in-app message. */
export const isValidRequesterOdsCode = (value: string) => REQUESTER.test(value);
