// The documented GitHub Actions workflow (docs/github-workflow.yml, shown in
// docs/FINDINGS.md): it parses, it has the jobs, steps and permissions code scanning needs, and
// every fleet command it runs uses only options that command has.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { main, type CliDeps } from "../../../fleet/cli";

const ROOT = path.join(__dirname, "..", "..", "..");
const FILE = path.join(ROOT, "docs", "github-workflow.yml");

interface Step {
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
}
interface Job {
  needs?: string | string[];
  if?: string;
  permissions?: Record<string, string>;
  strategy?: { "fail-fast"?: boolean; matrix?: { shard?: number[] } };
  steps: Step[];
}
interface Workflow {
  on: Record<string, unknown>;
  permissions: Record<string, string>;
  jobs: Record<string, Job>;
}

const text = fs.readFileSync(FILE, "utf8");
const workflow = parse(text) as Workflow;

/** The `npm run fleet -- …` command lines of a job, one per line of its `run:` steps. */
function fleetCommands(job: Job): string[][] {
  return job.steps
    .flatMap((s) => (s.run ?? "").split("\n"))
    .filter((l) => l.includes("npm run fleet --"))
    .map((l) =>
      l
        .slice(l.indexOf("npm run fleet --") + "npm run fleet --".length)
        .replace(/\|\|.*$/, "")
        .replace(/\$\{\{\s*(.*?)\s*\}\}/g, "${{$1}}")
        .trim()
        .split(/\s+/),
    );
}

async function helpOf(command: string[]): Promise<string> {
  let out = "";
  const deps = {
    stdout: (t: string) => (out += t),
    stderr: (t: string) => (out += t),
    env: {},
    cwd: ROOT,
    version: "0.0.0-test",
    exit: () => undefined,
    now: () => new Date(),
  } as unknown as CliDeps;
  assert.strictEqual(await main([...command, "--help"], deps), 0, command.join(" "));
  return out;
}

describe("the documented GitHub Actions workflow", () => {
  it("parses, runs on a schedule and by hand, and asks only for OIDC and read access at the top", () => {
    assert.deepStrictEqual(Object.keys(workflow.on).sort(), ["schedule", "workflow_dispatch"]);
    assert.deepStrictEqual(workflow.permissions, { "id-token": "write", contents: "read" });
    assert.deepStrictEqual(Object.keys(workflow.jobs), ["up", "findings", "code-scanning"]);
  });

  it("reads the findings in the same shards as up, each shard's JSON report kept as an artifact", () => {
    const { up, findings } = workflow.jobs;
    assert.deepStrictEqual(findings.strategy?.matrix?.shard, up.strategy?.matrix?.shard);
    assert.strictEqual(findings.strategy?.["fail-fast"], false);
    assert.strictEqual(findings.needs, "up");
    const [cmd] = fleetCommands(findings);
    const shards = up.strategy?.matrix?.shard?.length;
    assert.deepStrictEqual(cmd.slice(0, 3), [
      "findings",
      "--shard",
      `\${{matrix.shard}}/${shards}`,
    ]);
    assert.deepStrictEqual(cmd.slice(cmd.indexOf("--format"), cmd.indexOf("--format") + 2), [
      "--format",
      "json",
    ]);
    const upload = findings.steps.find((s) => s.uses?.startsWith("actions/upload-artifact@"));
    assert.strictEqual(upload?.with?.path, "findings-${{ matrix.shard }}.json");
  });

  it("merges the shards, compares with the last run and uploads SARIF with security-events: write", () => {
    const job = workflow.jobs["code-scanning"];
    assert.strictEqual(job.needs, "findings");
    assert.strictEqual(job.if, "always()");
    assert.strictEqual(job.permissions?.["security-events"], "write");
    assert.strictEqual(job.permissions?.contents, "read");
    const uses = job.steps.map((s) => s.uses?.replace(/@.*$/, "") ?? "run");
    const at = (name: string) => uses.indexOf(name);
    assert.ok(at("actions/download-artifact") >= 0);
    assert.ok(at("actions/download-artifact") < uses.indexOf("run", at("actions/cache/restore")));
    const merges = fleetCommands(job);
    assert.ok(merges.every((m) => m[0] === "report" && m[1] === "merge"));
    assert.deepStrictEqual(
      merges.map((m) => (m.includes("--format") ? m[m.indexOf("--format") + 1] : "json")),
      ["json", "html", "sarif"],
    );
    assert.ok(merges.every((m) => m.includes("findings-*.json") && m.includes("$since")));
    const upload = job.steps[at("github/codeql-action/upload-sarif")];
    const sarif = merges.find((m) => m.includes("sarif"))!;
    assert.strictEqual(upload.with?.sarif_file, sarif[sarif.indexOf("--output") + 1]);
    assert.ok(at("github/codeql-action/upload-sarif") > uses.lastIndexOf("run"));
    assert.ok(at("actions/cache/save") > at("github/codeql-action/upload-sarif"));
  });

  it("runs only options its fleet commands have", async () => {
    for (const job of Object.values(workflow.jobs)) {
      for (const cmd of fleetCommands(job)) {
        const name = cmd[0] === "report" ? cmd.slice(0, 2) : cmd.slice(0, 1);
        const help = await helpOf(name);
        for (const option of cmd.filter((a) => a.startsWith("--"))) {
          assert.ok(help.includes(`${option} `), `${name.join(" ")} has ${option}`);
        }
      }
    }
  });

  it("is the one docs/FINDINGS.md shows", () => {
    const docs = fs.readFileSync(path.join(ROOT, "docs", "FINDINGS.md"), "utf8");
    const block = /```yaml\n(# The fleet in GitHub Actions[\s\S]*?)```/.exec(docs)?.[1];
    assert.strictEqual(block, text);
  });
});
