// @nhs-app-api/contract-check: the committed pacts of @nhs-app-api/client and
// of the NHS App's callbacks, checked against another version of the NHS App
// API's contract (a new release of NHS England's files), with nothing to
// build and no server to start. `nhs-app contracts` is its command line.
export {
  type CheckOptions,
  type ContractCheck,
  checkContract,
  type PactCheck,
  type ReleaseDifference,
} from "./check.js";
export { type ContractDocument, contractDocuments, shippedDepartures, shippedPactsDir } from "./documents.js";
export type { Fault, InteractionVerdict } from "./interactions.js";
export { toJUnit } from "./junit.js";
export { ContractInputError } from "./load.js";
export { describeDifference, formatCheck } from "./report.js";
