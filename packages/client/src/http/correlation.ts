// Every logical call carries an X-Correlation-ID, the caller's or a new UUID,
// kept the same across retries so that one support request finds them all.
import { randomUUID } from "node:crypto";

export const CORRELATION_HEADER = "X-Correlation-ID";

export const newCorrelationId = () => randomUUID();
