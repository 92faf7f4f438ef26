/**
 * Writes fleet/fleet.schema.json from the zod schema in fleetFile.ts (`npm run fleet-schema`).
 * `--check` fails instead of writing when the checked-in file is stale (for CI).
 */
import * as fs from "fs";
import * as path from "path";
import { fleetJsonSchema } from "../fleet/settings/schema";

export const SCHEMA_PATH = path.join(__dirname, "..", "fleet", "fleet.schema.json");

/** The file's exact text, formatted by the repository's Prettier settings (so `prettier --write` keeps it). */
export async function schemaText(): Promise<string> {
  // Prettier is a dev dependency, like this script; shipped code never loads it.
  const prettier = await import("prettier");
  const config = (await prettier.resolveConfig(SCHEMA_PATH)) ?? {};
  return prettier.format(JSON.stringify(fleetJsonSchema()), { ...config, parser: "json" });
}

async function main(): Promise<number> {
  const text = await schemaText();
  if (process.argv.includes("--check")) {
    const current = fs.existsSync(SCHEMA_PATH) ? fs.readFileSync(SCHEMA_PATH, "utf8") : "";
    if (current !== text) {
      process.stderr.write(`${SCHEMA_PATH} is stale; run: npm run fleet-schema\n`);
      return 1;
    }
    return 0;
  }
  fs.writeFileSync(SCHEMA_PATH, text);
  process.stdout.write(`wrote ${path.relative(process.cwd(), SCHEMA_PATH)}\n`);
  return 0;
}

if (require.main === module) {
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
