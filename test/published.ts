// Where NHS England's published contract files are, if anywhere. CI for this
// repository has them beside the clone (../shared/published) and .ci/run
// names them in NHS_APP_PUBLISHED_DIR; a fork cloned from a public host has
// none. Tests that need them run where they are and, where they are not,
// skip and say so: the reason is written for pnpm test's closing summary.
import { appendFileSync, existsSync } from "node:fs";
import path from "node:path";
import { toolRoot } from "../scripts/lib/documents.ts";

const named = process.env.NHS_APP_PUBLISHED_DIR;
const beside = path.resolve(toolRoot, "../shared/published");

/** The folder of the published files; undefined when there is none. A folder named but missing is an error. */
export function publishedDir(): string | undefined {
  if (named) {
    if (!existsSync(named)) throw new Error(`NHS_APP_PUBLISHED_DIR names ${named}, which does not exist`);
    return named;
  }
  return existsSync(beside) ? beside : undefined;
}

/**
 * Records, for the closing summary of pnpm test, a check skipped for want of
 * something this machine lacks: by default the published files.
 */
export function noteSkipped(
  check: string,
  why = "no published files (../shared/published is missing and NHS_APP_PUBLISHED_DIR is not set)",
) {
  const reason = `${check}: skipped, ${why}`;
  const results = process.env.NHS_APP_TEST_RESULTS_DIR;
  if (results) appendFileSync(path.join(results, "skipped.txt"), `${reason}\n`);
}
