// The last guard on what the CLI prints about a failure: secrets it has read
// (the API key, the private key) are replaced wherever they appear, and runs
// of ten digits that could be NHS numbers are masked, as the client masks
// them. The client already keeps both out of its own messages; this covers
// every other message too.

import { redactText } from "@nhs-app-api/client";

const secrets = new Set<string>();

/** Remembers a value that must never be printed: a whole secret, and each long line of a multi-line one (a PEM). */
export function registerSecret(value: string): void {
  const whole = value.trim();
  if (whole.length >= 4) secrets.add(whole);
  for (const line of whole.split(/\r?\n/)) {
    const trimmed = line.trim();
    if (trimmed.length >= 16 && !trimmed.startsWith("-----")) secrets.add(trimmed);
  }
}

/**
 * The text with every registered secret replaced, then the client's own
 * masking (tokens, NHS-number-like digits; UUIDs kept whole), so the CLI and
 * the client cannot disagree on what an NHS number looks like.
 */
export function redact(text: string): string {
  let out = text;
  // Longest first, so a secret that contains another is replaced whole.
  for (const secret of [...secrets].sort((a, b) => b.length - a.length)) out = out.split(secret).join("[redacted]");
  return redactText(out);
}
