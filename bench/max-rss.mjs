// Preloaded into a benchmark's child process (node --import): on exit, writes
// the process's peak resident set size (kilobytes) to BENCH_MAX_RSS_FILE.
import { writeFileSync } from "node:fs";

process.on("exit", () => {
  if (process.env.BENCH_MAX_RSS_FILE)
    writeFileSync(process.env.BENCH_MAX_RSS_FILE, String(process.resourceUsage().maxRSS));
});
