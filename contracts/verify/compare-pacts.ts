// The static half of the harness: the pact compared with the spec by
// swagger-mock-validator (request and response bodies, headers, status codes,
// paths and parameters), without running anything. No analytics URL is
// passed, so it makes no network call.
import { SwaggerMockValidatorFactory } from "@pactflow/swagger-mock-validator";

export interface ComparisonResult {
  success: boolean;
  errors: string[];
  warnings: string[];
}

const describe = (m: { code: string; message: string; mockDetails?: { interactionDescription?: string } }) =>
  `${m.code}: ${m.message}${m.mockDetails?.interactionDescription ? ` (${m.mockDetails.interactionDescription})` : ""}`;

export async function comparePactWithSpec(options: { pactFile: string; specPath: string }): Promise<ComparisonResult> {
  const validator = SwaggerMockValidatorFactory.create();
  const result = await validator.validate({ mockPathOrUrl: options.pactFile, specPathOrUrl: options.specPath });
  return { success: result.success, errors: result.errors.map(describe), warnings: result.warnings.map(describe) };
}
