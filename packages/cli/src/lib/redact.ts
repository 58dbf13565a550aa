// The last guard on what the CLI prints about a failure: secrets it has read
// (the API key, the private key) are replaced wherever they appear, and runs
// of ten digits that could be NHS numbers are masked. The client already
// keeps both out of its own messages; this covers every other message too.

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

// A UUID (a correlation or communication ID) stays whole: its hex groups may hold ten digits in a row.
const UUID = /(?<![0-9a-f])[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(?![0-9a-f])/gi;
// Ten digits standing alone, or in 3-3-4 groups.
const NHS_NUMBER_LIKE = /(?<![\d-])(?:\d{10}|\d{3}[ -]\d{3}[ -]\d{4})(?![\d-])/g;

const maskNumbers = (text: string) => text.replace(NHS_NUMBER_LIKE, (digits) => `*******${digits.slice(-3)}`);

/** The text with every registered secret replaced and NHS-number-like digits masked. */
export function redact(text: string): string {
  let out = text;
  // Longest first, so a secret that contains another is replaced whole.
  for (const secret of [...secrets].sort((a, b) => b.length - a.length)) out = out.split(secret).join("[redacted]");
  let masked = "";
  let from = 0;
  for (const match of out.matchAll(UUID)) {
    masked += maskNumbers(out.slice(from, match.index)) + match[0];
    from = match.index + match[0].length;
  }
  return masked + maskNumbers(out.slice(from));
}
