// `npm run sandbox`: a fake AWS organisation to try each of the three paths by hand, offline.
// It starts fake-aws with two member accounts and a tooling account (the caller), copies the program
// into a temp folder, writes a shell file with the environment (the real Pulumi CLI built here, the
// stand-in AWS plugin, a file:// backend, the fake's endpoint and its throwaway keys) and a fleet
// file, prints what to type, and serves until Ctrl-C, which removes the folder.
//
// Not shipped with the package. It reuses the end-to-end harness (tests/e2e/harness.ts), so what
// you try is exactly what the end-to-end tests run.

import * as fs from "node:fs";
import * as path from "node:path";

import { ROOT, World } from "../tests/e2e/harness";

const ACCOUNTS = [
  { id: "111122223333", name: "prod", optedInRegions: ["eu-south-1"] },
  { id: "444455556666", name: "dev" },
];

function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

async function main(): Promise<void> {
  process.stderr.write(
    "sandbox: starting fake-aws (the first run builds the Pulumi CLI, ~8 min)\n",
  );
  const world = await World.start({ accounts: ACCOUNTS, label: "sandbox" });
  const envFile = path.join(world.tmp, "env.sh");
  // The keys are the fake's own, valid nowhere else; the file is still private to you.
  fs.writeFileSync(
    envFile,
    Object.entries(world.env)
      .map(([key, value]) => `export ${key}=${shellQuote(value)}\n`)
      .join(""),
    { mode: 0o600 },
  );
  const fleetFile = world.writeFleetFile(
    "fleet.yaml",
    [
      `backend: file://${path.join(world.tmp, "state")}`,
      "secretsProvider: passphrase",
      "defaults: { roleName: AccessAnalyzerDeployer }",
      "accounts:",
      ...ACCOUNTS.map((a) => `  - { id: "${a.id}", name: ${a.name} }`),
      "",
    ].join("\n"),
  );
  const [prod] = ACCOUNTS;
  const say = (line = "") => process.stdout.write(`${line}\n`);
  say(`sandbox ready in ${world.tmp} (AWS is fake-aws at ${world.fake.url})`);
  say(`accounts: ${ACCOUNTS.map((a) => `${a.id} (${a.name})`).join(", ")}`);
  say();
  say("In another terminal:");
  say(`  source ${envFile}`);
  say();
  say("One account (the per-account program, a copy of this repository's):");
  say(`  cd ${world.workDir} && pulumi stack init dev`);
  say(
    `  pulumi config set access-analyzer:providerArgs '{"assumeRoles":[{"roleArn":"${World.roleArn(prod.id)}"}]}'`,
  );
  say("  pulumi up && pulumi stack output analyzerArns");
  say();
  say("The fleet (both accounts):");
  say(`  cd ${ROOT} && npm run fleet -- up --fleet ${fleetFile} --work-dir ${world.workDir}`);
  say(`  npm run fleet -- audit --fleet ${fleetFile}`);
  say(`  npm run fleet -- findings --fleet ${fleetFile} --format html --output findings.html`);
  say();
  say("Embed: in a project of your own, `npm install " + ROOT + "` and the same environment.");
  say();
  say("Ctrl-C stops fake-aws and removes the folder (E2E_KEEP_TMP=true keeps it).");
  await new Promise<void>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  await world.close();
}

main().catch((error: unknown) => {
  process.stderr.write(`sandbox: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
