// The identifier systems, URLs and limits of the NHS App API, as the spec
// states them (generated into @nhs-app-api/contract by `pnpm generate`).
// Systems are case-sensitive.
export { limits, systems } from "@nhs-app-api/contract";
