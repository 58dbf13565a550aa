// Runs pnpm the way the current script was started: under `npx pnpm@10 ...`
// pnpm is not on PATH, but npm_execpath points at it.
export function pnpmCommand(args: string[]): { command: string; args: string[] } {
  const execPath = process.env.npm_execpath;
  return execPath && /pnpm/.test(execPath)
    ? { command: process.execPath, args: [execPath, ...args] }
    : { command: "pnpm", args };
}
