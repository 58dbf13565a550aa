// A path as it can be pasted into a POSIX shell: as it is when it is plain,
// otherwise in single quotes.
export const shellQuote = (text: string) =>
  /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replaceAll("'", `'\\''`)}'`;
