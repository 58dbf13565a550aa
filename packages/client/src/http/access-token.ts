// Gets the access token an attempt needs, within the attempt's deadline. A
// failure here means nothing was sent, and the error says so; a failure of
// the token endpoint, shared by every call waiting for the same token, is
// copied onto this call with its own correlation ID.
import type { Span } from "@opentelemetry/api";
import type { TokenProvider } from "../auth/token-provider.js";
import { NhsAppError, type RequestDescription, TimeoutError } from "../errors/errors.js";
import { type CallContext, errorDetails } from "./call-context.js";
import type { Deadline } from "./deadline.js";

export async function accessTokenWithin(
  tokens: TokenProvider,
  deadline: Deadline,
  context: CallContext,
  request: RequestDescription,
  attempt: Span,
): Promise<string> {
  try {
    // A token request this sets off is traced as a child of the attempt that needed it.
    return await tokens.getToken(deadline.signal, attempt);
  } catch (error) {
    if (context.signal?.aborted) throw context.signal.reason;
    if (deadline.timedOut) {
      throw new TimeoutError(
        `No access token within ${context.timeoutMs} ms for ${context.operation}; nothing was sent`,
        { ...errorDetails(context, request), cause: error, mayHaveBeenProcessed: false },
      );
    }
    throw error instanceof NhsAppError ? error.forCall(context.correlationId) : error;
  }
}
