// Secrets after a real-engine run: a recognisable external id, required by the account's role,
// reaches AWS (the update succeeds) but appears in no state file, no stack config file, no
// engine log, no report and no `pulumi` command line. The credential sweep (issue 21) runs every
// command over an organization with the delegated administrator's registration stack, the bot on
// temporary credentials (a session token, as in CI), and greps everything the tool wrote.

import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";

import { World } from "./harness";

const ACCOUNT = "230000000001";
const EXTERNAL_ID = "PLANTED-EXTERNAL-ID-7f3a";

/** Every file under `dir` (recursively) whose text holds `needle`. */
function filesHolding(dir: string, needle: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name))
    .filter((file) => fs.readFileSync(file).includes(needle));
}

describe("secrets after a real-engine run", function () {
  let world: World;
  let argvLog: string;
  let pulumiRoot: string;

  before(async () => {
    world = await World.start({
      label: "secrets",
      accounts: [{ id: ACCOUNT, name: "planted", externalId: EXTERNAL_ID }],
    });
    // A `pulumi` that records its arguments, then runs the real CLI.
    argvLog = path.join(world.tmp, "argv.log");
    pulumiRoot = path.join(world.tmp, "recording-pulumi");
    fs.mkdirSync(path.join(pulumiRoot, "bin"), { recursive: true });
    const real = path.join(path.dirname(world.command.command), "pulumi");
    fs.writeFileSync(
      path.join(pulumiRoot, "bin", "pulumi"),
      `#!/bin/sh\nprintf '%s\\n' "$*" >> '${argvLog}'\nexec '${real}' "$@"\n`,
      { mode: 0o755 },
    );
  });

  after(async () => {
    await world?.close();
  });

  it("keeps the external id out of state, stack config, logs, the report and every command line", async () => {
    const fleetFile = world.writeFleetFile(
      "fleet.yaml",
      `backend: file://./state
secretsProvider: passphrase
defaults:
  roleName: AccessAnalyzerDeployer
  externalId: ${EXTERNAL_ID}
  regions: [us-east-1, eu-west-1]
accounts:
  - { id: "${ACCOUNT}", name: planted }
`,
    );
    const report = path.join(world.tmp, "report.json");
    // --verbose: the engine's lines on stderr must not hold it either.
    const run = await world.runFleet(
      ["up", "--verbose", "--fleet", fleetFile, "--pulumi-root", pulumiRoot],
      {
        reportFile: report,
      },
    );

    // The role requires the id: the update only succeeds if it reached the provider.
    assert.equal(run.code, 0, run.stderr.slice(-3000));
    assert.deepEqual(Object.keys(await world.analyzersInFake(ACCOUNT)), ["eu-west-1", "us-east-1"]);

    const argv = fs.readFileSync(argvLog, "utf8");
    assert.match(argv, /config set-all/, "the recording wrapper saw the config writes");
    assert.ok(!argv.includes(EXTERNAL_ID), "no pulumi command line holds the external id");

    const state = path.join(world.tmp, "state");
    assert.ok(
      filesHolding(state, ACCOUNT).length > 0,
      "the file backend holds the account's state",
    );
    const stackFiles = fs.readdirSync(world.workDir).filter((f) => /^Pulumi\..+\.yaml$/.test(f));
    assert.ok(stackFiles.length > 0, "the stack has a config file");

    const holding = [
      ...filesHolding(state, EXTERNAL_ID),
      ...stackFiles
        .map((f) => path.join(world.workDir, f))
        .filter((f) => fs.readFileSync(f, "utf8").includes(EXTERNAL_ID)),
      ...filesHolding(path.join(world.tmp, "logs"), EXTERNAL_ID),
      ...(fs.readFileSync(report, "utf8").includes(EXTERNAL_ID) ? [report] : []),
    ];
    assert.deepEqual(holding, [], "files holding the planted external id");
    assert.ok(!run.stdout.includes(EXTERNAL_ID) && !run.stderr.includes(EXTERNAL_ID));
  });
});

describe("the credential sweep: every command over an organization, on temporary credentials", function () {
  // Twelve bot runs, four stacks each: about 4 min on an idle machine, 14 at a load of 27.
  this.timeout(1_800_000);
  const MGMT = "230000000011";
  const ADMIN = "230000000012";
  const MEMBER = "230000000013";
  const PLANTED = "PLANTED-ORG-EXTERNAL-ID-c41e";
  let world: World;
  let tmpdir: string;
  /** The secrets the bot was given: the external id, its session token and secret key. */
  const given: Record<string, string> = { externalId: PLANTED };

  before(async () => {
    world = await World.start({
      label: "secrets-org",
      accounts: [
        {
          id: MGMT,
          name: "management",
          orgRole: "management",
          externalId: PLANTED,
          policies: [
            "deployer.json",
            "audit.json",
            "organizations-read.json",
            "delegated-admin-registration.json",
          ],
        },
        { id: ADMIN, name: "security", orgRole: "member", ou: "Security", externalId: PLANTED },
        { id: MEMBER, name: "prod", orgRole: "member", ou: "Prod", externalId: PLANTED },
      ],
      organization: { trustedAccess: [] },
    });
    // The bot runs on STS temporary credentials, as a CI job does: the fake requires the token.
    const tooling = world.fake.state.credentials.get(world.env.AWS_ACCESS_KEY_ID);
    assert.ok(tooling, "the World's tooling key");
    const temporary = world.fake.state.issueTemporaryCredentials(tooling.principal, 3600);
    assert.ok(temporary.sessionToken);
    given.sessionToken = temporary.sessionToken;
    given.secretAccessKey = temporary.secretAccessKey;
    world.env.AWS_ACCESS_KEY_ID = temporary.accessKeyId;
    world.env.AWS_SECRET_ACCESS_KEY = temporary.secretAccessKey;
    world.env.AWS_SESSION_TOKEN = temporary.sessionToken;
    tmpdir = path.join(world.tmp, "tmpdir");
    fs.mkdirSync(tmpdir);
    world.env.TMPDIR = tmpdir;
  });

  after(async () => {
    await world?.close();
  });

  it("finds no secret in any stdout, stderr, log, report, state or config file, and no temporary folder left", async () => {
    const fleetFile = world.writeFleetFile(
      "fleet.yaml",
      `backend: file://./state
secretsProvider: passphrase
defaults:
  roleName: AccessAnalyzerDeployer
  externalId: ${PLANTED}
  regions: [eu-west-1]
organization:
  roleArn: ${World.roleArn(MGMT)}
  externalId: ${PLANTED}
  delegatedAdministrator:
    accountId: "${ADMIN}"
    enableTrustedAccess: true
`,
    );
    const findingsJson = path.join(world.tmp, "findings.json");
    const findingsSarif = path.join(world.tmp, "findings.sarif");
    const commands: { args: string[]; code: number }[] = [
      { args: ["validate"], code: 0 },
      { args: ["validate", "--json"], code: 0 },
      { args: ["preview"], code: 0 },
      { args: ["up"], code: 0 },
      { args: ["refresh"], code: 0 },
      { args: ["drift"], code: 0 },
      { args: ["outputs"], code: 0 },
      { args: ["audit"], code: 0 },
      { args: ["findings", "--format", "json", "--output", findingsJson], code: 0 },
      { args: ["findings", "--format", "sarif", "--output", findingsSarif], code: 0 },
      // A failed run prints its error: bad input, and an account the organization does not have.
      { args: ["up", "--accounts", "999999999999"], code: 3 },
      { args: ["destroy", "--yes", "--accounts", MEMBER], code: 0 },
    ];
    const printed: string[] = [];
    for (const { args, code } of commands) {
      const started = Date.now();
      const run = await world.runFleet([...args, "--fleet", fleetFile]);
      console.error(`    ${args[0]}: exit ${run.code} after ${Date.now() - started} ms`);
      assert.equal(run.code, code, `${args.join(" ")}:\n${run.stderr.slice(-3000)}`);
      printed.push(`${args.join(" ")}\n${run.stdout}\n${run.stderr}`);
    }
    // The registration stack ran, through the role that needs the planted id.
    assert.ok(fs.readFileSync(findingsJson, "utf8").length > 0);
    const stacks = path.join(world.tmp, "state", ".pulumi", "stacks", "access-analyzer");
    assert.ok(fs.existsSync(path.join(stacks, "org-delegated-admin.json")), "registration stack");

    // Every token and secret key the fake issued to the bot's role sessions, too.
    const issued = [...world.fake.state.credentials.values()].flatMap((c) =>
      c.sessionToken !== undefined ? [c.sessionToken, c.secretAccessKey] : [],
    );
    assert.ok(issued.length > 2, "the bot assumed roles");
    const secrets = [...Object.values(given), ...issued];

    const written = fs
      .readdirSync(world.tmp, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => path.join(e.parentPath, e.name))
      // The fleet file is the user's input, not the tool's output.
      .filter((f) => f !== fleetFile && !f.includes(`${path.sep}node_modules${path.sep}`));
    assert.ok(
      written.some((f) => f.startsWith(path.join(world.tmp, "logs"))),
      "engine logs",
    );
    const leaks: string[] = [];
    for (const file of written) {
      const text = fs.readFileSync(file, "latin1");
      for (const secret of secrets) {
        if (text.includes(secret))
          leaks.push(`${path.relative(world.tmp, file)}: ${secrets.indexOf(secret)}`);
      }
    }
    for (const out of printed) {
      for (const secret of secrets) {
        if (out.includes(secret))
          leaks.push(`output of ${out.split("\n")[0]}: ${secrets.indexOf(secret)}`);
      }
    }
    assert.deepEqual(leaks, [], "where a secret was found (file: index of the secret)");
    assert.deepEqual(
      // ts-node's loader keeps its compile cache across runs: a cache, not a run's leftover.
      fs.readdirSync(tmpdir).filter((f) => !f.startsWith("v8-compile-cache")),
      [],
      "temporary folders left in TMPDIR",
    );
  });
});
