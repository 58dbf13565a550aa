// `pnpm bench` (fifth part): a campaign's memory and its wait before the
// first send, for a large batch file through the CLI and a long generator
// through the library, each beside a small one from the same run (the
// baseline): a sender whose memory follows the messages in flight scores
// about 1.0x, whatever the campaign's size. Each run sends to the sandbox
// (on a thread of its own) at the CLI's default rate, 20 a second (the dev
// and int limit), for BENCH_MEMORY_SECONDS (default 15) after its first send,
// then is stopped as an operator would (Ctrl-C). Peak RSS is the child
// process's own (getrusage), read as it exits. (At ten times that rate every
// run, small or large, peaks near 250 MB: V8 grows its young generation with
// the rate fetch allocates at, whatever the campaign; BENCH_CAMPAIGN_RATE
// shows it.)
import { type ChildProcess, spawn } from "node:child_process";
import { createWriteStream, existsSync } from "node:fs";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { testNhsNumber } from "@nhs-app-api/testing";
import { type SandboxSettings, sandboxThread } from "./sandbox-thread.ts";

const FILE_MB = Number(process.env.BENCH_CAMPAIGN_FILE_MB ?? 100);
const GENERATED = Number(process.env.BENCH_CAMPAIGN_GENERATED ?? 500_000);
const SECONDS = Number(process.env.BENCH_MEMORY_SECONDS ?? 15);
const RATE = Number(process.env.BENCH_CAMPAIGN_RATE ?? 20);
const cli = fileURLToPath(new URL("../packages/cli/dist/index.js", import.meta.url));
const preload = fileURLToPath(new URL("./max-rss.mjs", import.meta.url));
const generator = fileURLToPath(new URL("./campaign-generator.mjs", import.meta.url));

/**
 * A batch file of about `megabytes`, builder lines as an operator writes them
 * (`invalid`: each with an NHS number whose check digit is wrong, so that each
 * is refused before sending and the whole file passes through without waiting
 * on the network).
 */
async function batchFile(file: string, megabytes: number, prefix: string, invalid = false): Promise<number> {
  const out = createWriteStream(file);
  let bytes = 0;
  let lines = 0;
  while (bytes < megabytes * 1e6) {
    const line = `${JSON.stringify({
      kind: "in-app",
      requestReference: `${prefix}-${String(lines).padStart(7, "0")}`,
      nhsNumber: invalid ? "1234567890" : testNhsNumber(lines % 1000),
      odsCode: "A12345",
      text: "Your flu vaccination is due. Please book an appointment at your GP practice: call 01234 567890 or book online.",
    })}\n`;
    bytes += line.length;
    lines++;
    if (!out.write(line)) await new Promise<void>((resolve) => out.once("drain", () => resolve()));
  }
  await new Promise<void>((resolve) => out.end(() => resolve()));
  return lines;
}

interface Run {
  peakMb: number;
  firstSendMs: number;
  sent: number;
}

/** Runs a child to its end and reads its peak RSS, with its run time: for a file that passes through whole. */
async function measureWhole(
  dir: string,
  start: (rssFile: string) => ChildProcess,
): Promise<{ peakMb: number; seconds: number }> {
  const rssFile = path.join(dir, `rss-whole-${Date.now()}`);
  const began = performance.now();
  const child = start(rssFile);
  await new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return { peakMb: Number(await readFile(rssFile, "utf8")) / 1024, seconds: (performance.now() - began) / 1000 };
}

/** Runs a child until SECONDS after the sandbox's first new arrival, then stops it (SIGINT) and reads its peak RSS. */
async function measure(
  sandbox: Awaited<ReturnType<typeof sandboxThread>>,
  dir: string,
  start: (rssFile: string) => ChildProcess,
): Promise<Run> {
  const before = (await sandbox.arrivals()).accepted.length;
  const rssFile = path.join(dir, `rss-${Date.now()}`);
  const began = Date.now();
  const child = start(rssFile);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  let first: number | undefined;
  while (first === undefined) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    first = (await sandbox.arrivals()).accepted[before];
    if (child.exitCode !== null) throw new Error("the campaign ended before its first send");
  }
  await new Promise((resolve) => setTimeout(resolve, SECONDS * 1000));
  child.kill("SIGINT");
  await exited;
  const peakKb = Number(await readFile(rssFile, "utf8"));
  return {
    peakMb: peakKb / 1024,
    firstSendMs: first - began,
    sent: (await sandbox.arrivals()).accepted.length - before,
  };
}

function cliRun(sandbox: SandboxSettings, file: string, journal: string, nodeFlags: string[] = []) {
  return (rssFile: string) =>
    spawn(
      process.execPath,
      [
        ...nodeFlags,
        "--import",
        preload,
        cli,
        "send",
        "batch",
        file,
        "--journal",
        journal,
        "--rate",
        String(RATE),
        "--quiet",
      ],
      {
        stdio: ["ignore", "ignore", "ignore"],
        env: {
          ...process.env,
          BENCH_MAX_RSS_FILE: rssFile,
          NHS_APP_ENVIRONMENT: "sandbox",
          NHS_APP_BASE_URL: sandbox.baseUrl,
          NHS_APP_TOKEN_URL: sandbox.tokenUrl,
          NHS_APP_PRIVATE_KEY_FILE: sandbox.privateKeyPath,
        },
      },
    );
}

function generatorRun(sandbox: SandboxSettings, messages: number, journal: string) {
  return (rssFile: string) =>
    spawn(
      process.execPath,
      [
        "--import",
        preload,
        "--no-warnings",
        generator,
        JSON.stringify({ sandbox, journalPath: journal, messages, rate: RATE, prefix: `generated-${messages}` }),
      ],
      { stdio: ["ignore", "ignore", "inherit"], env: { ...process.env, BENCH_MAX_RSS_FILE: rssFile } },
    );
}

const row = (label: string, run: Run, baseline?: Run) =>
  console.log(
    `${label.padEnd(44)}${run.peakMb.toFixed(0).padStart(8)} MB ${baseline ? `${(run.peakMb / baseline.peakMb).toFixed(2)}x`.padStart(7) : "  1.00x"}${run.firstSendMs.toFixed(0).padStart(9)} ms ${baseline ? `${(run.firstSendMs / baseline.firstSendMs).toFixed(2)}x`.padStart(7) : "  1.00x"}${String(run.sent).padStart(8)}`,
  );

if (process.getBuiltinModule?.("node:sqlite") === undefined) {
  console.log("\nCampaign memory: skipped (the journal needs node:sqlite, Node 22.13 or later)");
} else {
  const dir = await mkdtemp(path.join(tmpdir(), "nhs-app-bench-memory-"));
  const sandbox = await sandboxThread();
  try {
    const small = path.join(dir, "small.ndjson");
    const large = path.join(dir, "large.ndjson");
    const smallLines = await batchFile(small, 1, "small");
    const largeLines = await batchFile(large, FILE_MB, "large");
    const largeMb = (await stat(large)).size / 1e6;
    console.log(
      `\nA campaign's peak memory and its wait before the first send, sending ${SECONDS} s at ${RATE}/s then stopped (Ctrl-C), against a small one of the same run:\n`,
    );
    console.log(`${"".padEnd(44)}peak RSS   ratio  first send   ratio    sent`);
    const smallRun = await measure(sandbox, dir, cliRun(sandbox.settings, small, path.join(dir, "small.db")));
    row(`CLI, ${smallLines} lines (1 MB file)`, smallRun);
    const largeRun = await measure(sandbox, dir, cliRun(sandbox.settings, large, path.join(dir, "large.db")));
    row(`CLI, ${largeLines} lines (${largeMb.toFixed(0)} MB file)`, largeRun, smallRun);
    const fewRun = await measure(sandbox, dir, generatorRun(sandbox.settings, 5_000, path.join(dir, "few.db")));
    row("library, a generator of 5000", fewRun);
    const manyRun = await measure(sandbox, dir, generatorRun(sandbox.settings, GENERATED, path.join(dir, "many.db")));
    row(`library, a generator of ${GENERATED}`, manyRun, fewRun);
    // The whole file through, every line refused before sending: memory with every line read, not a window.
    const invalid = path.join(dir, "invalid.ndjson");
    const smallInvalid = path.join(dir, "small-invalid.ndjson");
    const invalidLines = await batchFile(invalid, FILE_MB, "invalid", true);
    const smallInvalidLines = await batchFile(smallInvalid, 1, "small-invalid", true);
    // The journal on a memory-backed file system where there is one: the fsync per refusal is not what this measures.
    const fast = existsSync("/dev/shm") ? "/dev/shm" : dir;
    const wholeSmall = await measureWhole(
      dir,
      cliRun(sandbox.settings, smallInvalid, path.join(fast, `nhs-app-bench-${process.pid}-a.db`)),
    );
    const wholeLarge = await measureWhole(
      dir,
      cliRun(sandbox.settings, invalid, path.join(fast, `nhs-app-bench-${process.pid}-b.db`)),
    );
    const wholeSmallYoung = await measureWhole(
      dir,
      cliRun(sandbox.settings, invalid, path.join(fast, `nhs-app-bench-${process.pid}-c.db`), [
        "--max-semi-space-size=16",
      ]),
    );
    for (const suffix of ["a", "b", "c"]) {
      for (const tail of ["", "-wal", "-shm"])
        await rm(path.join(fast, `nhs-app-bench-${process.pid}-${suffix}.db${tail}`), { force: true });
    }
    console.log(`\nThe whole file read, every line refused before sending (nothing waits on the network):\n`);
    console.log(`${"".padEnd(44)}peak RSS   ratio    lines/s`);
    const whole = (
      label: string,
      lines: number,
      run: { peakMb: number; seconds: number },
      baseline?: { peakMb: number },
    ) =>
      console.log(
        `${label.padEnd(44)}${run.peakMb.toFixed(0).padStart(8)} MB ${baseline ? `${(run.peakMb / baseline.peakMb).toFixed(2)}x`.padStart(7) : "  1.00x"}${(lines / run.seconds).toFixed(0).padStart(11)}`,
      );
    whole(`CLI, ${smallInvalidLines} lines (1 MB file)`, smallInvalidLines, wholeSmall);
    whole(`CLI, ${invalidLines} lines (${FILE_MB} MB file)`, invalidLines, wholeLarge, wholeSmall);
    whole("  the same, node --max-semi-space-size=16", invalidLines, wholeSmallYoung, wholeSmall);
    console.log(
      "(The difference is V8's young generation, which grows with the rate a run allocates at, not with the file: the last row caps it.)",
    );
    const met = largeRun.peakMb <= 200 && largeRun.firstSendMs <= 2000 && manyRun.peakMb <= 200;
    console.log(
      `\ntarget: a 100 MB file and a generator of 500,000 within 200 MB, the file's first send within 2 s: ${met ? "met" : "not met"}`,
    );
    console.log(
      `the whole 100 MB file at full speed within 200 MB: ${wholeLarge.peakMb <= 200 ? "met" : "not met"} (${wholeSmallYoung.peakMb <= 200 ? "met" : "not met"} with the young generation capped)`,
    );
  } finally {
    await sandbox.stop();
    await rm(dir, { recursive: true, force: true });
  }
}
