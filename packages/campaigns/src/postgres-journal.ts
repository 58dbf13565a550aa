// The shared journal: one PostgreSQL table that several workers, on several
// machines, send one campaign from, and one row per rate budget (by default
// one for the whole application, as the platform counts) that they share. Each write is a single statement committed before its
// promise resolves (autocommit; synchronous_commit must not be off), so a
// claim is durable before the request goes out, as with the SQLite journal.
//
// pg is loaded only when a PostgreSQL journal is opened, so users of the
// other journals never load it.
import type { ConnectionOptions } from "node:tls";
import type { Pool, PoolClient, PoolConfig } from "pg";
import { sleep } from "./abortable.js";
import { type Journal, type JournalEntry, JournalError, type Settlement } from "./journal.js";
import { entryFromRow, type JournalRow } from "./journal-row.js";

export interface PostgresJournalOptions {
  /**
   * Where the database is: `postgres://user:password@host:5432/database`, as
   * node-postgres reads it (PGHOST, PGPASSWORD and the like fill in what it
   * leaves out). Errors name the host and port, never the password.
   */
  connectionString: string;
  /** Which campaign this journal holds (default "default"): one table serves many, each apart. */
  campaign?: string;
  /**
   * The budget every worker shares: request starts per second across all of
   * them (default 20, the dev and int limit). Give every worker the same
   * figure. sendBatch's own `requestsPerSecond` is then not used.
   */
  requestsPerSecond?: number;
  /**
   * Which rate budget the workers share (default "default"). The platform
   * limits each application, not each campaign, so every campaign sent with
   * one application's credentials at the same time should share one budget,
   * as the default does; name another only for another application.
   */
  rateBudget?: string;
  /** As sendBatch's `arrivalMarginMs`: milliseconds added to the second after an answer (default 0). */
  arrivalMarginMs?: number;
  /** The connection pool of this worker. */
  pool?: {
    /** Connections at most (default 10); a batch uses about `concurrency` of them. */
    max?: number;
    /** How long to wait for a connection before giving up (default 10 000 ms, not for ever). */
    connectionTimeoutMillis?: number;
    /** When an unused connection is closed (default 10 000 ms). */
    idleTimeoutMillis?: number;
    /** TLS to the server: true, or node:tls options (a CA, a server name). */
    ssl?: boolean | ConnectionOptions;
  };
}

const MESSAGES = "nhs_app_campaign_messages";
const RATE = "nhs_app_rate_budget";
const ANSWERS = "nhs_app_rate_answers";

const SCHEMA = `
CREATE TABLE IF NOT EXISTS ${MESSAGES} (
  campaign text NOT NULL,
  request_reference text NOT NULL,
  position bigint NOT NULL,
  kind text NOT NULL,
  body_hash text NOT NULL,
  body text NOT NULL,
  state text NOT NULL CHECK (state IN ('pending', 'sending', 'sent', 'refused', 'failed', 'unknown')),
  communication_id text,
  issues jsonb,
  reason text,
  sending_since timestamptz,
  attempts integer NOT NULL DEFAULT 0,
  PRIMARY KEY (campaign, request_reference)
);
CREATE INDEX IF NOT EXISTS ${MESSAGES}_position ON ${MESSAGES} (campaign, position);
CREATE TABLE IF NOT EXISTS ${RATE} (
  budget text PRIMARY KEY,
  next_start timestamptz NOT NULL,
  next_turn bigint NOT NULL
);
CREATE TABLE IF NOT EXISTS ${ANSWERS} (
  budget text NOT NULL,
  turn bigint NOT NULL,
  answered_at timestamptz NOT NULL,
  PRIMARY KEY (budget, turn)
)`;

// Advisory lock keys (first half): this module's, so that no other user of the database waits on them.
const LOCK_SCHEMA = 0x4e_48_53_01;
const LOCK_ADMIT = 0x4e_48_53_02;
// Rows per INSERT in admit: a batch of 100 000 stays one transaction without one huge statement.
const CHUNK = 1000;
// How often a turn looks again for answers still to come, and for how long at most (a worker that died
// mid-call never records its answer).
const ANSWER_POLL_MS = 5;
const MISSING_ANSWER_WAIT_MS = 5_000;
// Every so many turns, answers long past are deleted.
const PRUNE_EVERY = 256;

/** A row as pg gives it: the send's start as a Date. */
type Row = Omit<JournalRow, "sending_since"> & { sending_since: Date | null };

const COLUMNS =
  "request_reference, kind, body_hash, body, state, communication_id, issues, reason, sending_since, attempts";

const toEntry = (row: Row): JournalEntry =>
  entryFromRow({ ...row, sending_since: row.sending_since === null ? null : row.sending_since.toISOString() });

/** An error's own words; a failed connection to a name with several addresses has none, only its code. */
function wordsOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  if (error.message) return error.message;
  const code = (error as { code?: unknown }).code;
  return typeof code === "string" ? code : error.name;
}

/**
 * Reads the server's clock on this process's monotonic one, so that a turn's time is the server's
 * (the workers' clocks need not agree) and lateness counts from it, not from when its answer arrived.
 * The offset is the smallest recent gap between an answer's arrival and the server time it carries:
 * that of the least delayed answer. Recent ones only, so that it follows a drifting clock.
 */
function serverClockReading() {
  const gaps: number[] = [];
  return {
    toLocal(serverMs: number, serverNowMs: number, arrivedAt: number): number {
      gaps.push(arrivedAt - serverNowMs);
      if (gaps.length > 64) gaps.shift();
      return serverMs + Math.min(...gaps);
    },
  };
}

/**
 * Opens (and creates, if absent) the PostgreSQL journal of one campaign. It
 * connects before it returns: a database that cannot be reached, or a role
 * that cannot create or read the tables, is a JournalError here, before
 * anything is sent.
 */
export async function openPostgresJournal(options: PostgresJournalOptions): Promise<Journal> {
  const campaign = options.campaign ?? "default";
  const rateBudget = options.rateBudget ?? "default";
  const requestsPerSecond = options.requestsPerSecond ?? 20;
  if (!(requestsPerSecond > 0) || !Number.isFinite(requestsPerSecond)) {
    throw new RangeError(`requestsPerSecond must be a positive number, not ${requestsPerSecond}`);
  }
  const arrivalMarginMs = options.arrivalMarginMs ?? 0;
  if (!(arrivalMarginMs >= 0) || !Number.isFinite(arrivalMarginMs)) {
    throw new RangeError(`arrivalMarginMs must be zero or a positive number, not ${arrivalMarginMs}`);
  }
  const intervalMs = 1000 / requestsPerSecond;
  const perWindow = Math.max(1, Math.floor(requestsPerSecond));

  let pg: typeof import("pg");
  try {
    pg = await import("pg");
  } catch (error) {
    throw new JournalError(
      "The PostgreSQL journal needs the pg package (node-postgres), a dependency of @nhs-app-api/campaigns",
      { cause: error },
    );
  }
  const config: PoolConfig = {
    connectionString: options.connectionString,
    max: options.pool?.max ?? 10,
    connectionTimeoutMillis: options.pool?.connectionTimeoutMillis ?? 10_000,
    idleTimeoutMillis: options.pool?.idleTimeoutMillis ?? 10_000,
    ...(options.pool?.ssl === undefined ? {} : { ssl: options.pool.ssl }),
  };

  // pg's own reading of the connection string (and PG* variables), for naming the server in errors.
  // A string it cannot read is not echoed: it may hold the password.
  let where: string;
  let password: string | undefined;
  try {
    const probe = new pg.Client(config);
    where = `${probe.host || "localhost"}:${probe.port}${probe.database ? `/${probe.database}` : ""}`;
    password = typeof probe.password === "string" && probe.password !== "" ? probe.password : undefined;
  } catch {
    throw new JournalError("The PostgreSQL journal's connection string could not be read (it is not shown here)");
  }
  const clean = (text: string) => (password ? text.split(password).join("***") : text);
  const fail = (doing: string, error: unknown): never => {
    if (error instanceof JournalError) throw error;
    throw new JournalError(`The PostgreSQL journal at ${where} could not ${doing}: ${clean(wordsOf(error))}`, {
      cause: error,
    });
  };

  const pool: Pool = new pg.Pool(config);
  // An idle connection the server drops (a restart, a failover) is reported here; without a
  // listener it would end the process. The next query fails instead, as a JournalError.
  pool.on("error", () => {});

  const inTransaction = async <T>(work: (client: PoolClient) => Promise<T>): Promise<T> => {
    const client = await pool.connect();
    try {
      await client.query("BEGIN");
      const result = await work(client);
      await client.query("COMMIT");
      client.release();
      return result;
    } catch (error) {
      await client.query("ROLLBACK").catch(() => {});
      // A connection in an unknown state is closed rather than handed out again.
      client.release(true);
      throw error;
    }
  };

  try {
    const { rows } = await pool.query<{
      messages: string | null;
      rate: string | null;
      answers: string | null;
      commit: string;
    }>(
      `SELECT to_regclass($1) AS messages, to_regclass($2) AS rate, to_regclass($3) AS answers,
              current_setting('synchronous_commit') AS commit`,
      [MESSAGES, RATE, ANSWERS],
    );
    const found = rows[0];
    // With synchronous_commit off, a claim could be lost in a crash after its request went out.
    if (found?.commit === "off") {
      throw new JournalError(
        `The PostgreSQL journal at ${where} has synchronous_commit off, so a claim might not survive a crash; set it on for this role or database`,
      );
    }
    // Created only when missing: a role without CREATE on the schema can use tables made for it.
    if (!found?.messages || !found.rate || !found.answers) {
      // Concurrent CREATE TABLE IF NOT EXISTS can still collide in the catalogue: workers starting together take turns.
      await inTransaction(async (client) => {
        await client.query("SELECT pg_advisory_xact_lock($1, 0)", [LOCK_SCHEMA]);
        await client.query(SCHEMA);
      });
    }
  } catch (error) {
    await pool.end().catch(() => {});
    fail("be opened", error);
  }

  const selectEntries = async (client: Pick<Pool, "query">, filter: string, params: unknown[]) =>
    (
      await client.query<Row>(`SELECT ${COLUMNS} FROM ${MESSAGES} WHERE campaign = $1 ${filter} ORDER BY position`, [
        campaign,
        ...params,
      ])
    ).rows.map(toEntry);

  const update = async (reference: string, assignments: string, params: unknown[]) => {
    await pool.query(`UPDATE ${MESSAGES} SET ${assignments} WHERE campaign = $1 AND request_reference = $2`, [
      campaign,
      reference,
      ...params,
    ]);
  };

  const serverClock = serverClockReading();

  /** Records when a turn's call was answered (or given up), by the server's clock; other workers wait on it. */
  const answer = (turn: number) => {
    pool
      .query(
        `INSERT INTO ${ANSWERS} (budget, turn, answered_at) VALUES ($1, $2, clock_timestamp()) ON CONFLICT DO NOTHING`,
        [rateBudget, turn],
      )
      // Unrecorded, it holds the turns a second later up for MISSING_ANSWER_WAIT_MS at most.
      .catch(() => {});
  };
  /** Answers far behind every turn still to come are of no more use. */
  const prune = (turn: number) => {
    pool
      .query(`DELETE FROM ${ANSWERS} WHERE budget = $1 AND turn < $2`, [rateBudget, turn - 4 * perWindow])
      .catch(() => {});
  };
  /**
   * Waits until a second (plus the margin) after the latest answer to the turns a window before `turn`
   * (the window's worth before that too, for a slow answer). A turn whose answer never comes (its worker
   * died) is waited for MISSING_ANSWER_WAIT_MS at most.
   */
  const afterAnswers = async (turn: number, signal?: AbortSignal) => {
    const last = turn - perWindow;
    const first = Math.max(0, last - perWindow + 1);
    const giveUpAt = performance.now() + MISSING_ANSWER_WAIT_MS;
    for (;;) {
      const { rows } = await pool.query<{ answers: number; latest_ms: number | null; now_ms: number }>(
        `SELECT count(*)::int AS answers,
                extract(epoch FROM max(answered_at))::float8 * 1000 AS latest_ms,
                extract(epoch FROM clock_timestamp())::float8 * 1000 AS now_ms
         FROM ${ANSWERS} WHERE budget = $1 AND turn BETWEEN $2 AND $3`,
        [rateBudget, first, last],
      );
      const found = rows[0];
      const arrived = performance.now();
      if (found && (found.answers === last - first + 1 || arrived >= giveUpAt)) {
        if (found.latest_ms === null) return;
        const at = serverClock.toLocal(found.latest_ms + 1000 + arrivalMarginMs, found.now_ms, arrived);
        for (let left = at - performance.now(); left > 0; left = at - performance.now()) await sleep(left, signal);
        return;
      }
      await sleep(ANSWER_POLL_MS, signal);
    }
  };
  let closed = false;
  return {
    // Several workers on several machines share it: a recent `sending` entry may be another's send in flight.
    shared: true,
    async admit(messages) {
      try {
        return await inTransaction(async (client) => {
          // One admission at a time per campaign: positions follow each batch's order, and two
          // workers admitting overlapping batches in different orders cannot deadlock.
          await client.query("SELECT pg_advisory_xact_lock($1, hashtext($2))", [LOCK_ADMIT, campaign]);
          const next =
            (
              await client.query<{ next: string }>(
                `SELECT COALESCE(MAX(position), -1) + 1 AS next FROM ${MESSAGES} WHERE campaign = $1`,
                [campaign],
              )
            ).rows[0]?.next ?? "0";
          const admitted: JournalEntry[][] = [];
          for (let start = 0; start < messages.length; start += CHUNK) {
            const chunk = messages.slice(start, start + CHUNK);
            await client.query(
              `INSERT INTO ${MESSAGES} (campaign, request_reference, kind, body_hash, body, state, position)
               SELECT $1, m.reference, m.kind, m.hash, m.body, 'pending', $6::bigint + $7::bigint + m.n - 1
               FROM unnest($2::text[], $3::text[], $4::text[], $5::text[]) WITH ORDINALITY
                 AS m(reference, kind, hash, body, n)
               ORDER BY m.n
               ON CONFLICT (campaign, request_reference) DO NOTHING`,
              [
                campaign,
                chunk.map((m) => m.requestReference),
                chunk.map((m) => m.kind),
                chunk.map((m) => m.bodyHash),
                chunk.map((m) => m.body),
                next,
                start,
              ],
            );
            admitted.push(
              await selectEntries(client, "AND request_reference = ANY($2::text[])", [
                chunk.map((m) => m.requestReference),
              ]),
            );
          }
          return admitted.flat();
        });
      } catch (error) {
        return fail("be written", error);
      }
    },

    // The claim is one conditional UPDATE, and that is what makes it race-free across workers and
    // machines: the row lock and the state check are both in the server. A second UPDATE of the same
    // row waits for the first to commit, then (READ COMMITTED) re-checks its WHERE against the row as
    // committed: now 'sending', it matches nothing and returns no row. Exactly one claim wins, and it
    // has committed before this resolves. If the answer is lost after the commit, this throws and
    // sendBatch sends nothing; the row stays 'sending' and a rerun treats it as unknown, never resends.
    async markSending(reference, at) {
      try {
        const claimed = await pool.query(
          `UPDATE ${MESSAGES} SET state = 'sending', sending_since = $3, attempts = attempts + 1
           WHERE campaign = $1 AND request_reference = $2 AND state IN ('pending', 'failed')
           RETURNING request_reference`,
          [campaign, reference, at],
        );
        return claimed.rowCount === 1;
      } catch (error) {
        return fail("record a send before it starts", error);
      }
    },

    // The budget is one row (per application, by default) holding the next turn's number and its due time.
    // Each turn takes both in a single atomic upsert (the row lock orders concurrent turns), due at
    // greatest(next_start, now): turns are spaced evenly across every worker, and a budget left idle does
    // not build up into a burst. Then, as the in-process pacer does, it waits a second past the answers to
    // the turns a window before it, which their workers record in the answers table: an answer proves the
    // call had arrived, so however unevenly the calls travel, the server never counts more than the budget
    // in a second. All times are the database server's, so the workers' clocks need not agree.
    async rateTurn(signal) {
      if (signal?.aborted) throw signal.reason;
      let turn: number | undefined;
      try {
        const { rows } = await pool.query<{ turn: string; due_ms: number; now_ms: number }>(
          `INSERT INTO ${RATE} AS r (budget, next_start, next_turn)
           VALUES ($1, clock_timestamp() + $2::float8 * interval '1 millisecond', 1)
           ON CONFLICT (budget) DO UPDATE
             SET next_start = greatest(r.next_start, clock_timestamp()) + $2::float8 * interval '1 millisecond',
                 next_turn = r.next_turn + 1
           RETURNING r.next_turn - 1 AS turn,
                     extract(epoch FROM r.next_start)::float8 * 1000 - $2::float8 AS due_ms,
                     extract(epoch FROM clock_timestamp())::float8 * 1000 AS now_ms`,
          [rateBudget, intervalMs],
        );
        const reserved = rows[0];
        if (!reserved) throw new Error("the rate budget's row was not returned");
        turn = Number(reserved.turn);
        const waitMs = serverClock.toLocal(reserved.due_ms, reserved.now_ms, performance.now()) - performance.now();
        if (waitMs > 0) await sleep(waitMs, signal);
        if (turn >= perWindow) await afterAnswers(turn, signal);
      } catch (error) {
        if (signal?.aborted) {
          if (turn !== undefined) answer(turn); // given up: it holds up no later turn
          throw signal.reason;
        }
        return fail("take a turn of the shared rate budget", error);
      }
      const taken = turn;
      if (taken % PRUNE_EVERY === 0) prune(taken);
      let answered = false;
      return () => {
        if (answered) return;
        answered = true;
        answer(taken);
      };
    },

    async settle(reference, settlement: Settlement) {
      try {
        switch (settlement.state) {
          case "sent":
            return await update(reference, "state = 'sent', communication_id = $3, reason = NULL", [
              settlement.communicationId,
            ]);
          case "refused":
            return await update(reference, "state = 'refused', issues = $3::jsonb, reason = $4", [
              JSON.stringify(settlement.issues),
              settlement.reason ?? null,
            ]);
          default:
            return await update(reference, "state = $3, reason = $4", [settlement.state, settlement.reason]);
        }
      } catch (error) {
        fail("record how a send ended", error);
      }
    },

    async entries() {
      try {
        return await selectEntries(pool, "", []);
      } catch (error) {
        return fail("be read", error);
      }
    },

    async close() {
      if (closed) return;
      closed = true;
      await pool.end();
    },
  };
}
