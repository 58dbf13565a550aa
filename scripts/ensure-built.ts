// `tsx scripts/ensure-built.ts [package ...]`: builds the named workspace
// packages (all of them when none is named) where they are not built or out
// of date, before a command that imports them through their dist/.
import { ensureBuilt } from "./lib/ensure-built.ts";

await ensureBuilt(process.argv.length > 2 ? process.argv.slice(2) : undefined);
