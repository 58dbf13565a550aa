// The test patients are listed in the root README and the package's README
// for people to read: both lists must be TEST_PATIENTS, row for row.
import { readFile } from "node:fs/promises";
import { expect, it } from "vitest";
import { TEST_PATIENTS } from "../src/index.js";

const rows = (text: string) =>
  // Cells are trimmed: the formatter pads a table's columns to one width.
  [...text.matchAll(/^\| `(\d{10})` +\| `([a-z-]+)` +\| (.+?) *\|$/gm)].map(([, nhsNumber, name, outcome]) => ({
    nhsNumber,
    name,
    outcome,
  }));

const expected = TEST_PATIENTS.map(({ nhsNumber, name, outcome }) => ({ nhsNumber, name, outcome }));

it.each(["../../../README.md", "../README.md"])("%s lists exactly the test patients", async (file) => {
  expect(rows(await readFile(new URL(file, import.meta.url), "utf8"))).toEqual(expected);
});
