// One process at a time sends from a SQLite journal. A second one (another
// terminal, an overlapping scheduled job) would take the first one's sends in
// flight for a crash's leftovers and settle them under it. So the process
// that writes holds a lease in the journal, renewed every second; another
// waits for it to lapse (a crashed holder on this machine is seen at once, by
// its process ID) and is refused if it does not. A holder that finds its lease
// taken (it stalled for longer than the lease) stops before its next send.
import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import { sleep } from "./abortable.js";
import { JournalError, JournalRefusedError } from "./journal.js";

const LEASE_MS = 5_000;
const RENEW_MS = 1_000;
const RETRY_MS = 200;

interface Holder {
  id: string;
  pid: number;
  host: string;
  /** Epoch ms the lease lapses at, unless renewed. */
  until: number;
}

/** What the lease needs of the journal's database: read and write one key of its metadata, in a transaction. */
export interface LeaseStore {
  /** Runs `work` inside BEGIN IMMEDIATE: the holder as it stands, and a way to replace or remove it. */
  transaction<T>(work: (holder: string | undefined, write: (value: string | undefined) => void) => T): T;
}

/** Whether a process of this machine is still running. */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

const parse = (text: string | undefined): Holder | undefined => {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as Holder;
  } catch {
    return undefined;
  }
};

export function sqliteLease(path: string, store: LeaseStore) {
  const me: Omit<Holder, "until"> = { id: randomUUID(), pid: process.pid, host: hostname() };
  let held = false;
  let lost = false;
  let timer: NodeJS.Timeout | undefined;

  /** Takes or renews the lease if it is free, lapsed, or ours; else says who holds it. */
  const tryTake = (): Holder | undefined =>
    store.transaction((text, write) => {
      const holder = parse(text);
      const free =
        holder === undefined ||
        holder.id === me.id ||
        holder.until < Date.now() ||
        (holder.host === me.host && !running(holder.pid));
      if (held && holder?.id !== me.id) {
        lost = true;
        return holder;
      }
      if (!free) return holder;
      write(JSON.stringify({ ...me, until: Date.now() + LEASE_MS }));
      return undefined;
    });

  return {
    /** Before the first write: waits for another holder's lease to lapse, at most a lease and a bit. */
    async acquire(): Promise<void> {
      if (held) return;
      const giveUpAt = Date.now() + LEASE_MS + RENEW_MS;
      for (;;) {
        const other = tryTake();
        if (other === undefined) break;
        if (Date.now() >= giveUpAt) {
          throw new JournalRefusedError(
            "in-use",
            `The journal ${path} is in use by another process (process ${other.pid} on ${other.host}): one run of a campaign at a time; let it finish, or stop it`,
          );
        }
        await sleep(RETRY_MS);
      }
      held = true;
      timer = setInterval(() => {
        try {
          tryTake();
        } catch {
          // A renewal that fails (a busy file) is tried again; the lease outlasts several.
        }
      }, RENEW_MS);
      timer.unref();
    },
    /** Throws when the lease was taken by another process: nothing more may be sent from this journal. */
    check(): void {
      if (lost) {
        throw new JournalError(
          `The journal ${path} was taken over by another process while this one stalled: stopping before the next send`,
        );
      }
    },
    release(): void {
      if (timer) clearInterval(timer);
      if (!held || lost) return;
      held = false;
      try {
        store.transaction((text, write) => {
          if (parse(text)?.id === me.id) write(undefined);
        });
      } catch {
        // Closing anyway: the lease lapses by itself.
      }
    },
  };
}
