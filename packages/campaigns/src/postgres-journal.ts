// The shared journal: one PostgreSQL table that several workers, on several
// machines, send one campaign from, and one row per rate budget (by default
// one for the whole application, as the platform counts) that they share.
// Each write is a single statement committed before its promise resolves
// (autocommit; synchronous_commit must not be off), so a claim is durable
// before the request goes out, as with the SQLite journal.
//
// Each opened journal is one worker, with a lease it renews every fifth of
// `leaseMs`: a worker whose lease has run out (or is gone: it closed) has
// stopped, so its `sending` entries are leftovers (claimLive false) and the
// rate turns it took and never started hold nobody up any more.
//
// pg is loaded only when a PostgreSQL journal is opened, so users of the
// other journals never load it.
import { randomUUID } from "node:crypto";
import type { ConnectionOptions } from "node:tls";
import type { Pool, PoolClient, PoolConfig } from "pg";
import { sleep } from "./abortable.js";
import {
  type CampaignSource,
  JOURNAL_FORMAT,
  type Journal,
  type JournalEntry,
  JournalError,
  JournalRefusedError,
  type Settlement,
} from "./journal.js";
import { entryFromRow, type JournalRow } from "./journal-row.js";

export interface PostgresJournalOptions extends CampaignSource {
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
  /**
   * How long this worker, or a call it started, may give no sign before the
   * other workers take it for gone (default 5000 ms): its lease, renewed
   * every fifth of this, runs out that long after the last renewal, and a
   * call still unanswered that long after it started no longer holds up the
   * rate turns after it. Shorter notices a crash sooner; it must stay well
   * above the database's round trip. (Tests shorten it.)
   */
  leaseMs?: number;
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
const CAMPAIGNS = "nhs_app_campaigns";
const WORKERS = "nhs_app_campaign_workers";

// Columns added since the first layout are added by ALTER, so that tables made before gain them too.
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
-- The worker whose send it is (see ${WORKERS}); null in rows from before.
ALTER TABLE ${MESSAGES} ADD COLUMN IF NOT EXISTS claimed_by text;
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
);
-- A row per turn from when it is taken: whose it is, when its call started, until when an answer is
-- waited for, and, once given up, why: 'unstarted' (its worker went before its call) or 'unanswered'.
-- answered_at is null until the answer; -infinity for a turn whose call was never made.
ALTER TABLE ${ANSWERS}
  ADD COLUMN IF NOT EXISTS worker text,
  ADD COLUMN IF NOT EXISTS started_at timestamptz,
  ADD COLUMN IF NOT EXISTS answer_by timestamptz,
  ADD COLUMN IF NOT EXISTS given_up text CHECK (given_up IN ('unstarted', 'unanswered')),
  ALTER COLUMN answered_at DROP NOT NULL;
CREATE TABLE IF NOT EXISTS ${CAMPAIGNS} (
  campaign text PRIMARY KEY,
  format integer NOT NULL,
  source text,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS ${WORKERS} (
  worker text PRIMARY KEY,
  campaign text NOT NULL,
  seen_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL
)`;

// Advisory lock keys (first half): this module's, so that no other user of the database waits on them.
const LOCK_SCHEMA = 0x4e_48_53_01;
const LOCK_ADMIT = 0x4e_48_53_02;
// Rows per INSERT in admit: a batch of 100 000 stays one transaction without one huge statement.
const CHUNK = 1000;
// How often a turn looks again for answers still to come.
const ANSWER_POLL_MS = 5;
// Every so many turns, answers long past are deleted.
const PRUNE_EVERY = 256;

/** SQL: true while the lease of the worker named by the column `worker` has not run out (a closed worker has none). */
const LIVE = (worker: string) =>
  `EXISTS (SELECT 1 FROM ${WORKERS} w WHERE w.worker = ${worker} AND w.expires_at > clock_timestamp())`;

/** A row as pg gives it: the send's start as a Date, and for a `sending` row whether its worker is live. */
type Row = Omit<JournalRow, "sending_since"> & { sending_since: Date | null; claim_live: boolean | null };

// $2 is the reading worker: its own sends are live, whatever its lease row says.
const COLUMNS = `request_reference, kind, body_hash, body, state, communication_id, issues, reason, sending_since,
  attempts, CASE WHEN state = 'sending' THEN claimed_by IS NOT NULL AND (claimed_by = $2 OR ${LIVE("claimed_by")}) END
  AS claim_live`;

const toEntry = (row: Row): JournalEntry => {
  const entry = entryFromRow({
    ...row,
    sending_since: row.sending_since === null ? null : row.sending_since.toISOString(),
  });
  return row.claim_live === null ? entry : { ...entry, claimLive: row.claim_live };
};

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

// A turn of the budget: the budget's next number and due time, taken in one atomic upsert (the row lock
// orders concurrent turns), and the turn's row in the answers table, this worker's, in the same statement.
const TAKE_TURN = `
WITH taken AS (
  INSERT INTO ${RATE} AS r (budget, next_start, next_turn)
  VALUES ($1, clock_timestamp() + $2::float8 * interval '1 millisecond', 1)
  ON CONFLICT (budget) DO UPDATE
    SET next_start = greatest(r.next_start, clock_timestamp()) + $2::float8 * interval '1 millisecond',
        next_turn = r.next_turn + 1
  RETURNING r.next_turn - 1 AS turn, r.next_start
), held AS (
  INSERT INTO ${ANSWERS} (budget, turn, worker) SELECT $1, turn, $3 FROM taken
  ON CONFLICT (budget, turn) DO UPDATE
    SET worker = excluded.worker, started_at = NULL, answer_by = NULL, answered_at = NULL, given_up = NULL
)
SELECT turn,
       extract(epoch FROM next_start)::float8 * 1000 - $2::float8 AS due_ms,
       extract(epoch FROM clock_timestamp())::float8 * 1000 AS now_ms
FROM taken`;

// The answers to turns $2 to $3 still awaited, after giving up, once and for every worker, those that will
// not come: a turn never started whose worker has gone, and a call still unanswered at its answer_by. SKIP
// LOCKED: a row another turn is giving up (or its worker answering) is looked at again on the next poll, so
// that two turns giving up overlapping windows never wait on each other.
const SETTLE_WINDOW = `
WITH given_up AS (
  UPDATE ${ANSWERS} a
  SET answered_at = CASE WHEN a.started_at IS NULL THEN '-infinity'::timestamptz ELSE clock_timestamp() END,
      given_up = CASE WHEN a.started_at IS NULL THEN 'unstarted' ELSE 'unanswered' END
  FROM (
    SELECT t.turn FROM ${ANSWERS} t
    WHERE t.budget = $1 AND t.turn BETWEEN $2 AND $3 AND t.answered_at IS NULL
      AND (t.answer_by < clock_timestamp() OR (t.started_at IS NULL AND NOT ${LIVE("t.worker")}))
    FOR UPDATE SKIP LOCKED
  ) due
  WHERE a.budget = $1 AND a.turn = due.turn
  RETURNING a.answered_at
)
SELECT (SELECT count(*) FROM ${ANSWERS} WHERE budget = $1 AND turn BETWEEN $2 AND $3 AND answered_at IS NULL)::int
         - (SELECT count(*) FROM given_up)::int AS waiting,
       extract(epoch FROM greatest(
         (SELECT max(answered_at) FROM ${ANSWERS}
          WHERE budget = $1 AND turn BETWEEN $2 AND $3 AND answered_at > '-infinity'),
         (SELECT max(answered_at) FROM given_up WHERE answered_at > '-infinity')
       ))::float8 * 1000 AS latest_ms,
       extract(epoch FROM clock_timestamp())::float8 * 1000 AS now_ms`;

/**
 * Opens (and creates, if absent) the PostgreSQL journal of one campaign. It
 * connects before it returns: a database that cannot be reached, or a role
 * that cannot create or read the tables, is a JournalError here, before
 * anything is sent; a campaign recorded by a newer version, or (when `source`
 * is given) started from another source, is a JournalRefusedError.
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
  const leaseMs = options.leaseMs ?? 5_000;
  if (!(leaseMs > 0) || !Number.isFinite(leaseMs)) {
    throw new RangeError(`leaseMs must be a positive number, not ${leaseMs}`);
  }
  const { source } = options;
  const intervalMs = 1000 / requestsPerSecond;
  const perWindow = Math.max(1, Math.floor(requestsPerSecond));
  // This journal's worker: its lease, its claims and its rate turns go by this name.
  const worker = randomUUID();

  let pg: typeof import("pg");
  try {
    pg = await import("pg");
  } catch (error) {
    throw new JournalError(
      "The PostgreSQL journal needs the pg package (node-postgres) 8.x, an optional peer of @nhs-app-api/campaigns: install it beside this package (npm install pg)",
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

  /** Renews this worker's lease (made anew if it is gone), by the server's clock. */
  const renewLease = () =>
    pool.query(
      `INSERT INTO ${WORKERS} AS w (worker, campaign, seen_at, expires_at)
       VALUES ($1, $2, clock_timestamp(), clock_timestamp() + $3::float8 * interval '1 millisecond')
       ON CONFLICT (worker) DO UPDATE SET seen_at = excluded.seen_at, expires_at = excluded.expires_at`,
      [worker, campaign, leaseMs],
    );

  /**
   * The campaign's row: made by the first worker to open it (a campaign journalled before there were such
   * rows gets one too), then checked by each: its format, and its source when this worker names one.
   */
  const identify = () =>
    inTransaction(async (client) => {
      // Workers opening a new campaign together agree: one row is made, and each reads it back, locked.
      await client.query(
        `INSERT INTO ${CAMPAIGNS} (campaign, format, source) VALUES ($1, $2, $3) ON CONFLICT (campaign) DO NOTHING`,
        [campaign, JOURNAL_FORMAT, source ?? null],
      );
      const recorded = (
        await client.query<{ format: number; source: string | null }>(
          `SELECT format, source FROM ${CAMPAIGNS} WHERE campaign = $1 FOR UPDATE`,
          [campaign],
        )
      ).rows[0];
      if (!recorded) throw new Error(`the row of campaign "${campaign}" was not found`);
      if (recorded.format > JOURNAL_FORMAT) {
        throw new JournalRefusedError(
          "newer-format",
          clean(
            `The journal of campaign "${campaign}" (PostgreSQL at ${where}) was written by a newer version of @nhs-app-api/campaigns (format ${recorded.format}; this version reads ${JOURNAL_FORMAT}): use that version`,
          ),
        );
      }
      if (source === undefined || recorded.source === source) return;
      if (recorded.source !== null && !options.acceptChangedSource) {
        throw new JournalRefusedError(
          "other-source",
          clean(
            `The journal of campaign "${campaign}" (PostgreSQL at ${where}) was started from another source (${recorded.source}, not ${source}): to carry on with a changed file, say so explicitly`,
          ),
          recorded.source,
          source,
        );
      }
      await client.query(`UPDATE ${CAMPAIGNS} SET source = $2 WHERE campaign = $1`, [campaign, source]);
    });

  try {
    const { rows } = await pool.query<{ ready: boolean; commit: string }>(
      `SELECT to_regclass($2) IS NOT NULL AND to_regclass($4) IS NOT NULL AND to_regclass($5) IS NOT NULL
              AND EXISTS (SELECT 1 FROM pg_attribute
                          WHERE attrelid = to_regclass($1) AND attname = 'claimed_by' AND NOT attisdropped)
              AND EXISTS (SELECT 1 FROM pg_attribute
                          WHERE attrelid = to_regclass($3) AND attname = 'given_up' AND NOT attisdropped) AS ready,
              current_setting('synchronous_commit') AS commit`,
      [MESSAGES, RATE, ANSWERS, CAMPAIGNS, WORKERS],
    );
    const found = rows[0];
    // With synchronous_commit off, a claim could be lost in a crash after its request went out.
    if (found?.commit === "off") {
      throw new JournalError(
        `The PostgreSQL journal at ${where} has synchronous_commit off, so a claim might not survive a crash; set it on for this role or database`,
      );
    }
    // Created (or given their newer columns) only when needed: a role without CREATE on the schema can use
    // tables made for it.
    if (!found?.ready) {
      // Concurrent CREATE TABLE IF NOT EXISTS can still collide in the catalogue: workers starting together take turns.
      await inTransaction(async (client) => {
        await client.query("SELECT pg_advisory_xact_lock($1, 0)", [LOCK_SCHEMA]);
        await client.query(SCHEMA);
      });
    }
    await identify();
    await renewLease();
    // A lease run out is as good as gone; those of workers long gone are of no more use to anyone.
    await pool.query(`DELETE FROM ${WORKERS} WHERE expires_at < clock_timestamp() - interval '1 day'`);
  } catch (error) {
    await pool.end().catch(() => {});
    fail("be opened", error);
  }

  // A renewal that fails is tried again on the next tick; should they all fail for leaseMs, the others take
  // this worker for gone (see rateTurn for what happens to its turns).
  let renewing: Promise<unknown> | undefined;
  const leaseTimer = setInterval(() => {
    renewing ??= renewLease()
      .catch(() => {})
      .finally(() => {
        renewing = undefined;
      });
  }, leaseMs / 5);
  // The lease alone does not keep the process alive: a worker that has finished but not closed may exit.
  leaseTimer.unref();

  const selectEntries = async (client: Pick<Pool, "query">, filter: string, params: unknown[]) =>
    (
      await client.query<Row>(`SELECT ${COLUMNS} FROM ${MESSAGES} WHERE campaign = $1 ${filter} ORDER BY position`, [
        campaign,
        worker,
        ...params,
      ])
    ).rows.map(toEntry);

  const serverClock = serverClockReading();
  /** Sleeps until a time on the server's clock, read on this process's (see serverClockReading). */
  const untilServerTime = async (atMs: number, serverNowMs: number, arrived: number, signal?: AbortSignal) => {
    const at = serverClock.toLocal(atMs, serverNowMs, arrived);
    for (let left = at - performance.now(); left > 0; left = at - performance.now()) await sleep(left, signal);
  };

  /** Records when a turn's call was answered (or failed), by the server's clock; other workers wait on it. */
  const answer = (turn: number) => {
    pool
      .query(
        `UPDATE ${ANSWERS} SET answered_at = clock_timestamp() WHERE budget = $1 AND turn = $2 AND answered_at IS NULL`,
        [rateBudget, turn],
      )
      // Unrecorded, it is given up leaseMs after its call started.
      .catch(() => {});
  };
  /** A turn not used after all: if its call was never started it holds up no later turn. */
  const release = (turn: number) => {
    pool
      .query(
        `UPDATE ${ANSWERS} SET answered_at = CASE WHEN started_at IS NULL THEN '-infinity' ELSE clock_timestamp() END
         WHERE budget = $1 AND turn = $2 AND answered_at IS NULL`,
        [rateBudget, turn],
      )
      .catch(() => {});
  };
  /**
   * Marks a turn's call as starting now, unless the turn was given up while it waited (this worker's lease
   * had run out: it was taken for gone). From here its answer is waited for until answer_by.
   */
  const start = async (turn: number) =>
    (
      await pool.query(
        `UPDATE ${ANSWERS}
         SET started_at = clock_timestamp(), answer_by = clock_timestamp() + $3::float8 * interval '1 millisecond'
         WHERE budget = $1 AND turn = $2 AND answered_at IS NULL`,
        [rateBudget, turn, leaseMs],
      )
    ).rowCount === 1;
  /** Answers long past (and turns given up) are of no more use: nothing waits a minute past one. */
  const prune = (turn: number) => {
    pool
      .query(
        `DELETE FROM ${ANSWERS}
         WHERE budget = $1 AND turn < $2 AND answered_at < clock_timestamp() - $3::float8 * interval '1 millisecond'`,
        [rateBudget, turn - 4 * perWindow, 60_000 + arrivalMarginMs],
      )
      .catch(() => {});
  };
  /**
   * Waits until a second (plus the margin) after the latest answer to the turns a window before `turn`
   * (the window's worth before that too, for a slow answer), once none of them is still awaited.
   */
  const afterAnswers = async (turn: number, signal?: AbortSignal) => {
    const last = turn - perWindow;
    const first = Math.max(0, last - perWindow + 1);
    for (;;) {
      const { rows } = await pool.query<{ waiting: number; latest_ms: number | null; now_ms: number }>(SETTLE_WINDOW, [
        rateBudget,
        first,
        last,
      ]);
      const found = rows[0];
      const arrived = performance.now();
      if (found && found.waiting <= 0) {
        if (found.latest_ms !== null) {
          await untilServerTime(found.latest_ms + 1000 + arrivalMarginMs, found.now_ms, arrived, signal);
        }
        return;
      }
      await sleep(ANSWER_POLL_MS, signal);
    }
  };

  let closed = false;
  return {
    // Several workers on several machines share it: a `sending` entry may be another's send in flight.
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
              await selectEntries(client, "AND request_reference = ANY($3::text[])", [
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
    // The claim names this worker, so that others can tell a send in flight from a crash's leftover.
    async markSending(reference, at) {
      try {
        const claimed = await pool.query(
          `UPDATE ${MESSAGES} SET state = 'sending', sending_since = $3, attempts = attempts + 1, claimed_by = $4
           WHERE campaign = $1 AND request_reference = $2 AND state IN ('pending', 'failed')
           RETURNING request_reference`,
          [campaign, reference, at, worker],
        );
        return claimed.rowCount === 1;
      } catch (error) {
        return fail("record a send before it starts", error);
      }
    },

    // The budget is one row (per application, by default) holding the next turn's number and its due time.
    // Each turn takes both at once, due at greatest(next_start, now): turns are spaced evenly across every
    // worker, and a budget left idle does not build up into a burst. Then, as the in-process pacer does, it
    // waits a second past the answers to the turns a window before it, which their workers record in the
    // answers table: an answer proves the call had arrived, so however unevenly the calls travel, the server
    // never counts more than the budget in a second. All times are the database server's, so the workers'
    // clocks need not agree.
    //
    // An answer that will not come is given up once, for every worker, by the first turn to find it so, and
    // recorded; the turns after it then see it settled rather than each waiting for it again, so a worker
    // that dies holds the others up once: about leaseMs (5 s by default), not that much per turn.
    // - A turn never started whose worker's lease has run out (or is gone) holds nobody up (answered at
    //   -infinity): no call was made, and none will be, for start() makes a call of a turn only if the turn
    //   has not been given up; a worker that was merely stalled finds it so and takes another turn.
    // - A call unanswered leaseMs after it started (a worker that died mid-call, or a call hanging) is
    //   taken to have arrived by then, and counts as answered when given up: the turns a window later
    //   still start a second after that. This is the one assumption the budget rests on beyond answers,
    //   that a call arrives within leaseMs of its start; it is waited for no longer, so that a hung call
    //   cannot hold every worker up until its timeout.
    async rateTurn(signal) {
      for (;;) {
        if (signal?.aborted) throw signal.reason;
        let turn: number | undefined;
        let started: boolean;
        try {
          const { rows } = await pool.query<{ turn: string; due_ms: number; now_ms: number }>(TAKE_TURN, [
            rateBudget,
            intervalMs,
            worker,
          ]);
          const reserved = rows[0];
          if (!reserved) throw new Error("the rate budget's row was not returned");
          turn = Number(reserved.turn);
          await untilServerTime(reserved.due_ms, reserved.now_ms, performance.now(), signal);
          if (turn >= perWindow) await afterAnswers(turn, signal);
          started = await start(turn);
        } catch (error) {
          if (turn !== undefined) release(turn); // not used: it holds up no later turn
          if (signal?.aborted) throw signal.reason;
          return fail("take a turn of the shared rate budget", error);
        }
        if (!started) {
          // Taken for gone while it waited (its lease had run out): live again before the next turn.
          await renewLease().catch(() => {});
          continue;
        }
        const taken = turn;
        if (taken % PRUNE_EVERY === 0) prune(taken);
        let answered = false;
        return () => {
          if (answered) return;
          answered = true;
          answer(taken);
        };
      }
    },

    async settle(reference, settlement: Settlement, expected) {
      // $1 campaign, $2 reference, $3 and $4 the state and attempts it must still stand at (NULL: no condition).
      const write = async (assignments: string, params: unknown[]) => {
        const written = await pool.query(
          `UPDATE ${MESSAGES} SET ${assignments}
           WHERE campaign = $1 AND request_reference = $2
             AND ($3::text IS NULL OR (state = $3::text AND attempts = $4::int))
           RETURNING 1`,
          [campaign, reference, expected?.state ?? null, expected?.attempts ?? null, ...params],
        );
        return written.rowCount === 1;
      };
      try {
        switch (settlement.state) {
          case "sent":
            return await write("state = 'sent', communication_id = $5, reason = NULL", [settlement.communicationId]);
          case "refused":
            return await write("state = 'refused', issues = $5::jsonb, reason = $6", [
              JSON.stringify(settlement.issues),
              settlement.reason ?? null,
            ]);
          default:
            return await write("state = $5, reason = $6", [settlement.state, settlement.reason]);
        }
      } catch (error) {
        return fail("record how a send ended", error);
      }
    },

    async lookup(references) {
      if (references.length === 0) return [];
      try {
        return await selectEntries(pool, "AND request_reference = ANY($3::text[])", [[...references]]);
      } catch (error) {
        return fail("be read", error);
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
      clearInterval(leaseTimer);
      await renewing;
      // Ended cleanly: the others need not wait for the lease to run out to know it.
      await pool.query(`DELETE FROM ${WORKERS} WHERE worker = $1`, [worker]).catch(() => {});
      await pool.end();
    },
  };
}
