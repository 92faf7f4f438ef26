// Copyright 2026 The pulumi-access-analyzer-all-regions authors.
// SPDX-License-Identifier: Apache-2.0

// Writes provider/schema.json: the component provider's schema, inferred from the components'
// TypeScript types (provider/provider.ts, `inferSchema`). `npm run provider-schema`. With
// `--check`, writes nothing and fails when the checked-in file differs (the unit test does the
// same; this is for a quick look).

import * as fs from "node:fs";

import { SCHEMA_FILE, formatSchema, inferSchema } from "../provider/provider";

async function main(): Promise<void> {
  const text = formatSchema(await inferSchema());
  if (process.argv.includes("--check")) {
    const current = fs.existsSync(SCHEMA_FILE) ? fs.readFileSync(SCHEMA_FILE, "utf8") : "";
    if (current !== text) {
      process.stderr.write(
        `${SCHEMA_FILE} is out of date with the components' types; run npm run provider-schema\n`,
      );
      process.exitCode = 1;
    }
    return;
  }
  fs.writeFileSync(SCHEMA_FILE, text);
  process.stderr.write(`wrote ${SCHEMA_FILE}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
