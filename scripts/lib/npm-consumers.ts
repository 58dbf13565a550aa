// Another team's view of a release: the packed tarballs installed with plain
// npm into a scratch project outside the workspace (so no workspace link or
// hoisted package can stand in for a missing dependency), then an ES module
// and a CommonJS consumer (test/npm-consumers/) compiled under strict
// TypeScript and run against them, and an application that traces with the
// current OpenTelemetry SDK (test/npm-consumers/otel.mts).
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { copyFile, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { type ReleaseOptions, writeRelease } from "../../packages/contract-check/test/release.ts";
import { toolRoot } from "./documents.ts";

const run = promisify(execFile);

export interface ConsumerStep {
  name: string;
  ok: boolean;
  output: string;
}

/**
 * The environment for npm and the consumers: pnpm's own settings left out, so
 * npm behaves as it does for a user, and NODE_PATH too. The workspace's bin
 * shims set NODE_PATH to its hoisted node_modules, through which a consumer
 * would find packages it never installed (Prism did, before this).
 */
export function npmEnvironment(): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !/^(npm_|PNPM_|pnpm_|NODE_PATH$)/i.test(key)),
  ) as NodeJS.ProcessEnv;
}

/**
 * What an application that traces adds, as its team would: the current SDK
 * (any 2.x, so npm takes the newest) and the API at a range as wide as the
 * SDK's, leaving npm to choose the version that satisfies every peer range
 * (the SDK's, and the client's). Not the workspace's versions: the point is
 * what npm makes of our declaration beside theirs.
 */
export const OTEL_APP_DEPENDENCIES = {
  "@opentelemetry/api": "^1.3.0",
  "@opentelemetry/context-async-hooks": "^2.0.0",
  "@opentelemetry/sdk-trace-base": "^2.0.0",
};

/** A project depending on each tarball, as another team's package.json would on the released versions. */
const consumerManifest = (tarballs: Record<string, string>, others: Record<string, string> = {}) =>
  JSON.stringify(
    {
      name: "npm-consumer",
      private: true,
      type: "module",
      dependencies: {
        ...others,
        ...Object.fromEntries(Object.entries(tarballs).map(([name, file]) => [name, `file:${file}`])),
      },
    },
    null,
    2,
  );

/** A new project outside the workspace with the tarballs installed by plain npm; its folder. */
export async function installTarballs(tarballs: Record<string, string>, prefix = "nhs-app-npm-"): Promise<string> {
  const project = await mkdtemp(path.join(tmpdir(), prefix));
  await writeFile(path.join(project, "package.json"), consumerManifest(tarballs));
  await run("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline"], {
    cwd: project,
    env: npmEnvironment(),
    maxBuffer: 16 * 1024 * 1024,
  });
  return project;
}

/** Runs each step in turn, stopping at the first that fails; a step's output is kept only when it fails or speaks. */
export async function checkNpmConsumers(tarballs: Record<string, string>): Promise<ConsumerStep[]> {
  const project = await mkdtemp(path.join(tmpdir(), "nhs-app-npm-consumer-"));
  const steps: ConsumerStep[] = [];
  const step = async (name: string, command: string, args: string[]) => {
    const result = await run(command, args, { cwd: project, env: npmEnvironment(), maxBuffer: 16 * 1024 * 1024 }).then(
      ({ stdout }) => ({ ok: true, output: stdout.trim() }),
      (error: { stdout?: string; stderr?: string; message: string }) => ({
        ok: false,
        output: `${error.stdout ?? ""}${error.stderr ?? error.message}`.trim(),
      }),
    );
    steps.push({ name, ...result });
    return result.ok;
  };
  try {
    // An application that already traces, then adds our packages: npm keeps the API it chose for the SDK,
    // so a package that brought its own copy of the API would get one of its own beside it.
    await writeFile(path.join(project, "package.json"), consumerManifest({}, OTEL_APP_DEPENDENCIES));
    for (const file of ["esm.ts", "cjs.cts", "otel.mts"]) {
      await copyFile(path.join(toolRoot, "test/npm-consumers", file), path.join(project, file));
    }
    await writeFile(
      path.join(project, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          noUncheckedIndexedAccess: true,
          exactOptionalPropertyTypes: true,
          module: "nodenext",
          moduleResolution: "nodenext",
          target: "es2022",
          outDir: "dist",
          // Node's types from the workspace: the only thing not installed here, and not ours.
          typeRoots: [path.join(toolRoot, "node_modules/@types")],
          types: ["node"],
        },
        files: ["esm.ts", "cjs.cts", "otel.mts"],
      }),
    );
    const install = ["install", "--no-audit", "--no-fund", "--prefer-offline"];
    if (!(await step("npm install the application's OpenTelemetry SDK (the current 2.x)", "npm", install))) {
      return steps;
    }
    await writeFile(path.join(project, "package.json"), consumerManifest(tarballs, OTEL_APP_DEPENDENCIES));
    const installed =
      (await step("npm install the tarballs", "npm", install)) &&
      (await step("msw and Prism stay out (optional peers)", process.execPath, [
        "-e",
        `for (const name of ["msw", "@stoplight/prism-cli"]) if (require("node:fs").existsSync("node_modules/" + name)) { console.error(name + " was installed"); process.exit(1); }`,
      ]));
    if (!installed) return steps;
    // Not a reason to stop: the traced run below shows what a second copy costs.
    await oneCopyOfTheApi(project, steps);
    if (
      !(await step("strict tsc, ESM and CJS", path.join(toolRoot, "node_modules/.bin/tsc"), ["-p", "tsconfig.json"]))
    ) {
      return steps;
    }
    if (existsSync(path.join(project, "dist/esm.js")))
      await step("run the ESM consumer", process.execPath, ["dist/esm.js"]);
    if (existsSync(path.join(project, "dist/cjs.cjs")))
      await step("run the CJS consumer", process.execPath, ["dist/cjs.cjs"]);
    if (existsSync(path.join(project, "dist/otel.mjs")))
      await step("run the OpenTelemetry consumer (the current SDK registered globally)", process.execPath, [
        "dist/otel.mjs",
      ]);
    steps.push(...(await checkInstalledContracts(project)));
    return steps;
  } finally {
    await rm(project, { recursive: true, force: true });
  }
}

/**
 * One @opentelemetry/api in the tree, by `npm ls`: the API keeps its globals
 * per major version and a copy ignores a provider registered by an older
 * minor, so a second copy (the client's own, were it a dependency rather
 * than a peer) would never see the application's SDK.
 */
async function oneCopyOfTheApi(project: string, steps: ConsumerStep[]) {
  const name = "one @opentelemetry/api in the tree (npm ls)";
  const listed = await run("npm", ["ls", "@opentelemetry/api", "--all", "--parseable", "--long"], {
    cwd: project,
    env: npmEnvironment(),
  }).then(
    ({ stdout }) => ({ stdout, failure: "" }),
    (error: { stdout?: string; stderr?: string; message: string }) => ({
      stdout: error.stdout ?? "",
      failure: error.stderr ?? error.message,
    }),
  );
  // Each line is `path:name@version[:...]`, one per folder the package is installed in.
  const copies = [
    ...new Set(
      listed.stdout
        .trim()
        .split("\n")
        .filter((line) => line.includes("@opentelemetry/api@")),
    ),
  ];
  const where = copies.map((line) => line.split(":").slice(0, 2).join(" ").replace(`${project}/`, "")).join("\n");
  steps.push({
    name,
    ok: copies.length === 1 && listed.failure === "",
    output:
      copies.length === 1 && listed.failure === ""
        ? where
        : `${copies.length} copies:\n${where}\n${listed.failure}`.trim(),
  });
}

/**
 * `nhs-app contracts` as another team's CI runs it, from the installed CLI
 * and nothing else: against a release laid out as NHS England's repository
 * (our documents, from the installed types package) it exits 0 and writes its
 * JUnit file; against a broken copy it exits 1 naming interaction and field;
 * against NHS England's published files, when they are here, it exits 0.
 */
async function checkInstalledContracts(project: string): Promise<ConsumerStep[]> {
  const steps: ConsumerStep[] = [];
  const cli = path.join(project, "node_modules/.bin/nhs-app");
  const contracts = (against: string, extra: string[] = []) =>
    run(cli, ["contracts", "--against", against, ...extra], { cwd: project, env: npmEnvironment() }).then(
      ({ stdout }) => ({ code: 0, stdout }),
      (error: { code?: number; stdout?: string; stderr?: string }) => ({
        code: error.code ?? -1,
        stdout: `${error.stdout ?? ""}${error.stderr ?? ""}`,
      }),
    );
  const bundles = path.join(project, "node_modules/@nhs-app-api/types/openapi");
  const release = (name: string, options: ReleaseOptions = {}) =>
    writeRelease(path.join(project, name), { bundles, ...options });

  const kept = await contracts(await release("release"), ["--junit", "contracts.xml"]);
  const junit = existsSync(path.join(project, "contracts.xml"));
  steps.push({
    name: "nhs-app contracts from the installed CLI: a release that keeps the contract",
    ok: kept.code === 0 && junit && /^(\d+) of \1 interactions checked keep that contract/m.test(kept.stdout),
    output:
      kept.code === 0 && junit
        ? (kept.stdout.trimEnd().split("\n").at(-1) ?? "")
        : `exit ${kept.code}, JUnit file ${junit ? "written" : "missing"}\n${kept.stdout}`,
  });
  const broken = await contracts(
    await release("broken", {
      edit: {
        "nhs-app": (document) => {
          document.components.schemas.PatientReportEntry.properties.nhsNumber = { type: "integer" };
        },
      },
    }),
  );
  steps.push({
    name: "nhs-app contracts from the installed CLI: a breaking release",
    ok: broken.code === 1 && /^FAILED nhs-app: .+: response body \[0\]\.nhsNumber: /m.test(broken.stdout),
    output: broken.code === 1 ? "" : `exit ${broken.code}\n${broken.stdout}`,
  });
  const published = process.env.NHS_APP_PUBLISHED_DIR;
  if (published) {
    const theirs = await contracts(published);
    steps.push({
      name: "nhs-app contracts from the installed CLI: NHS England's published files",
      ok: theirs.code === 0,
      output:
        theirs.code === 0
          ? (theirs.stdout.trimEnd().split("\n").at(-1) ?? "")
          : `exit ${theirs.code}\n${theirs.stdout}`,
    });
  }
  return steps;
}
