// NHS numbers: ten digits, the last a Modulus 11 check digit (NHS Data
// Dictionary, NHS NUMBER). The check itself is the contract's rule, shared
// with the mocks and the callback parsers; this module adds what a caller
// typing numbers in needs.
export { isValidNhsNumber } from "@nhs-app-api/contract";

/**
 * Removes the spaces and hyphens people write NHS numbers with ("943 476 5919").
 * Never applied silently: call it yourself when the input comes from a person.
 */
export const normaliseNhsNumber = (value: string) => value.replace(/[\s-]/g, "");
