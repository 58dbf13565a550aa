// Child process of the callbacks verification (the native verifier is loud): writes the results as JSON.
import { writeFile } from "node:fs/promises";
import { verifyCallbacks } from "./verify-callbacks.ts";

const [pactFile, output, mode] = process.argv.slice(2) as [string, string, string | undefined];
await writeFile(output, JSON.stringify(await verifyCallbacks(pactFile, { broken: mode === "broken" })));
