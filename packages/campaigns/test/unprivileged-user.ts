// Under root, an unprivileged account of this machine, for what must not run
// as root: PostgreSQL's server refuses to, and a file's permissions bind only
// a process that is not root.
import { readFileSync } from "node:fs";

/** Under root, an account to run a child process as (postgres, else nobody); undefined when not root. */
export function unprivilegedUser(): { name: string; uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  let passwd: string[];
  try {
    passwd = readFileSync("/etc/passwd", "utf8").split("\n");
  } catch {
    return undefined;
  }
  for (const name of ["postgres", "nobody"]) {
    const fields = passwd.find((line) => line.startsWith(`${name}:`))?.split(":");
    const uid = Number(fields?.[2]);
    const gid = Number(fields?.[3]);
    if (fields && uid > 0 && Number.isInteger(gid)) return { name, uid, gid };
  }
  return undefined;
}
