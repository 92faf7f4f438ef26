// A consumer project with this package installed as npm would install it: packed with `npm pack`
// (so `files`, `main`, `types` and `exports` are what is tested) and unpacked into its
// node_modules, with the peer dependencies (`@pulumi/*`) and its dependencies linked from this
// repository.

import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

const ROOT = path.join(__dirname, "..", "..");

const PACKAGE_JSON = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as {
  name: string;
  dependencies?: Record<string, string>;
};

/** The package's name, as a consumer imports it. */
export const PACKAGE_NAME = PACKAGE_JSON.name;

/**
 * Packs the package (its prepack script builds it with tsc first), installs the tarball into a new
 * `consumer` folder under `parent`, writes `files` there, and returns the consumer folder.
 */
export function makePackedConsumer(parent: string, files: Record<string, string>): string {
  const tarball = execFileSync("npm", ["pack", "--silent", "--pack-destination", parent], {
    cwd: ROOT,
    encoding: "utf8",
  })
    .trim()
    .split("\n")
    .pop()!;
  const consumer = path.join(parent, "consumer");
  const installed = path.join(consumer, "node_modules", PACKAGE_NAME);
  fs.mkdirSync(installed, { recursive: true });
  execFileSync("tar", [
    "-xzf",
    path.join(parent, tarball),
    "-C",
    installed,
    "--strip-components=1",
  ]);
  fs.symlinkSync(
    path.join(ROOT, "node_modules", "@pulumi"),
    path.join(consumer, "node_modules", "@pulumi"),
  );
  // The package's own dependencies, as npm would install them beside it (zod, for validation).
  for (const dependency of Object.keys(PACKAGE_JSON.dependencies ?? {})) {
    const link = path.join(consumer, "node_modules", dependency);
    fs.mkdirSync(path.dirname(link), { recursive: true });
    fs.symlinkSync(path.join(ROOT, "node_modules", dependency), link);
  }
  fs.writeFileSync(path.join(consumer, "package.json"), `{"name":"consumer","private":true}`);
  for (const [name, text] of Object.entries(files)) {
    fs.writeFileSync(path.join(consumer, name), text);
  }
  return consumer;
}
