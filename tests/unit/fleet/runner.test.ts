import {
  ConcurrentUpdateError,
  PulumiCommand,
  StackAlreadyExistsError,
  StackNotFoundError,
  type ConfigMap,
  type EngineEvent,
  type OpMap,
  type OutputMap,
} from "@pulumi/pulumi/automation";
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { RESOURCE_TYPES } from "../../../components/contract";
import type { ArchiveRuleClient } from "../../../fleet/domain/account";
import { lockAdvice, lockHolders } from "../../../fleet/domain/failures";
import type { Operation } from "../../../fleet/domain/outcomes";
import { noChanges } from "../../../fleet/domain/outcomes";
import {
  configUpdate,
  findOrphans,
  namesOrphan,
  orphanTarget,
  phaseBlocked,
  planOperation,
  runPhases,
  successOutcome,
} from "../../../fleet/domain/plan";
import { makeRedactor } from "../../../fleet/domain/redact";
import {
  AutomationStackRunner,
  BlockedError,
  localStackOpener,
  logFileName,
  openStack,
  readOutputs,
  type RunnerStack,
  type StackOpener,
} from "../../../fleet/run/automation";
import { errorOutcome, retrySelectAfterCreate } from "../../../fleet/run/errors";
import { workDirIdentity } from "../../../fleet/run/unchanged";
import { stackConfigFor } from "../../../fleet/domain/stackConfig";
import { PROJECT_NAME, settingsFingerprint } from "../../../program/contract";
import { target } from "./helpers";

const ARCHIVE_RULE = RESOURCE_TYPES.archiveRule;

/** A CommandError as the Automation API builds it from a failed `pulumi` command. */
function commandError<T>(ErrorClass: abstract new (message?: string) => T, stderr: string): T {
  // The constructor is @internal: it takes the command's result, not a message.
  const Make = ErrorClass as unknown as new (result: object) => T;
  return new Make({
    stdout: "",
    stderr,
    code: 255,
    toString: () => `code: 255\n stderr: ${stderr}`,
  });
}

const SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRETKEY";
const KEY_ID = "AKIAIOSFODNN7EXAMPLE";

describe("runner decisions (fleet/runPlan)", () => {
  describe("planOperation", () => {
    it("drift previews with refresh, whatever --refresh says", () => {
      for (const flag of [false, true]) {
        const plan = planOperation("drift", flag);
        assert.strictEqual(plan.call, "preview");
        assert.strictEqual(plan.refresh, true);
      }
    });

    it("calls the operation's own Automation API method; drift previews", () => {
      const calls = Object.fromEntries(
        (["preview", "up", "refresh", "destroy", "drift"] as const).map((op) => [
          op,
          planOperation(op, false).call,
        ]),
      );
      assert.deepStrictEqual(calls, {
        preview: "preview",
        up: "up",
        refresh: "refresh",
        destroy: "destroy",
        drift: "preview",
      });
    });

    it("passes --refresh through to preview, up and destroy", () => {
      for (const op of ["preview", "up", "destroy"] as const) {
        assert.strictEqual(planOperation(op, true).refresh, true, op);
        assert.strictEqual(planOperation(op, false).refresh, false, op);
      }
    });

    it("creates stacks only for preview and up", () => {
      const opens = Object.fromEntries(
        (["preview", "up", "refresh", "destroy", "drift", "outputs"] as Operation[]).map((op) => [
          op,
          planOperation(op, false).open,
        ]),
      );
      assert.deepStrictEqual(opens, {
        preview: "create-or-select",
        up: "create-or-select",
        refresh: "select",
        destroy: "select",
        drift: "select",
        outputs: "select",
      });
    });

    it("writes config for every operation but outputs, which makes no call", () => {
      assert.strictEqual(planOperation("outputs", false).writeConfig, false);
      assert.strictEqual(planOperation("outputs", false).call, undefined);
      for (const op of ["preview", "up", "refresh", "destroy", "drift"] as const) {
        assert.strictEqual(planOperation(op, false).writeConfig, true, op);
      }
    });

    it("takes up's outputs from its result, reads them after preview/refresh/drift, none after destroy", () => {
      assert.strictEqual(planOperation("up", false).outputs, "result");
      assert.strictEqual(planOperation("destroy", false).outputs, "none");
      for (const op of ["preview", "refresh", "drift", "outputs"] as const) {
        assert.strictEqual(planOperation(op, false).outputs, "read", op);
      }
    });
  });

  describe("successOutcome", () => {
    it("is drifted for a drift with changes, succeeded without", () => {
      assert.strictEqual(successOutcome("drift", { ...noChanges(), create: 1 }), "drifted");
      assert.strictEqual(successOutcome("drift", { ...noChanges(), same: 4 }), "succeeded");
    });

    it("is succeeded for any other operation with changes", () => {
      assert.strictEqual(successOutcome("preview", { ...noChanges(), delete: 2 }), "succeeded");
    });
  });

  describe("errorOutcome", () => {
    it("maps a ConcurrentUpdateError to locked, even after an abort", () => {
      const e = commandError(
        ConcurrentUpdateError,
        "error: the stack is currently locked by 1 lock(s)",
      );
      const r = errorOutcome(e, "acct-1", true);
      assert.strictEqual(r.outcome, "locked");
      assert.match(r.error, /locked by another update; not cancelled/);
    });

    it("maps a lock message without the error class to locked", () => {
      const r = errorOutcome(
        new Error("error: [409] Conflict: Another update is currently in progress."),
        "acct-1",
        false,
      );
      assert.strictEqual(r.outcome, "locked");
    });

    it("maps StackNotFoundError to missing", () => {
      const e = commandError(StackNotFoundError, "error: no stack named 'acct-1' found");
      assert.deepStrictEqual(errorOutcome(e, "acct-1", false), {
        outcome: "missing",
        error: 'stack acct-1 does not exist (never deployed with "up")',
      });
    });

    it("maps any other error after an abort to aborted", () => {
      assert.deepStrictEqual(errorOutcome(new Error("boom"), "acct-1", true), {
        outcome: "aborted",
        error: "aborted",
      });
    });

    it("maps any other error to failed with the engine's error lines", () => {
      const r = errorOutcome(
        new Error(
          "code: 255\n stdout: ok\n stderr: error: update failed\nerror: AccessDenied: nope",
        ),
        "acct-1",
        false,
      );
      assert.deepStrictEqual(r, { outcome: "failed", error: "error: AccessDenied: nope" });
    });
  });

  describe("retrySelectAfterCreate", () => {
    it("retries on StackAlreadyExistsError and on its message", () => {
      assert.ok(
        retrySelectAfterCreate(
          commandError(StackAlreadyExistsError, "error: stack 'acct-1' already exists"),
        ),
      );
      assert.ok(retrySelectAfterCreate(new Error("error: stack 'org/p/acct-1' already exists")));
    });

    it("does not retry on other errors", () => {
      assert.ok(!retrySelectAfterCreate(new Error("error: could not create stack: denied")));
    });
  });

  describe("configUpdate", () => {
    it("removes the program's keys the target no longer sets and sets the rest", () => {
      const t = { ...target("111122223333"), settings: { analyzerName: "aa" } };
      const update = configUpdate(t, {
        [`${PROJECT_NAME}:regions`]: { value: "[]" },
        [`${PROJECT_NAME}:analyzerName`]: { value: "old" },
        "aws:region": { value: "us-east-1" },
      });
      assert.deepStrictEqual(update.remove, [`${PROJECT_NAME}:regions`]);
      assert.deepStrictEqual(update.set[`${PROJECT_NAME}:analyzerName`], { value: "aa" });
    });

    it("sets only the values that differ, nothing when the stack already has the target's config", () => {
      const t = { ...target("111122223333"), settings: { analyzerName: "aa", protect: true } };
      const first = configUpdate(t, { [`${PROJECT_NAME}:protect`]: { value: "true" } });
      assert.ok(!(`${PROJECT_NAME}:protect` in first.set));
      assert.deepStrictEqual(first.set[`${PROJECT_NAME}:analyzerName`], { value: "aa" });
      const applied = { [`${PROJECT_NAME}:protect`]: { value: "true" }, ...first.set };
      assert.deepStrictEqual(configUpdate(t, applied), { remove: [], set: {} });
    });
  });
});

/** A scriptable stand-in for an Automation API stack; records every call. */
class FakeStack implements RunnerStack {
  readonly calls: { method: string; options?: Record<string, unknown> }[] = [];
  config: ConfigMap = {};
  constructor(
    readonly name: string,
    private readonly script: {
      opMap?: OpMap;
      outputs?: OutputMap;
      fail?: Error;
      output?: string;
      outputsFail?: Error;
      /** What `exportStack` returns as `deployment`. */
      state?: unknown;
      /** Engine events the operation sends to `onEvent`, when it is given one. */
      events?: EngineEvent[];
    } = {},
  ) {}
  exportStack() {
    this.calls.push({ method: "exportStack" });
    return Promise.resolve({ deployment: this.script.state });
  }
  deleteFromState(urn: string) {
    this.calls.push({ method: "deleteFromState", options: { urn } });
    return Promise.resolve();
  }

  private op(method: string, options: Record<string, unknown>) {
    this.calls.push({ method, options });
    if (this.script.output !== undefined) {
      (options.onOutput as (t: string) => void)(this.script.output);
    }
    const onEvent = options.onEvent as ((e: EngineEvent) => void) | undefined;
    for (const e of this.script.events ?? []) onEvent?.(e);
    if (this.script.fail !== undefined) return Promise.reject(this.script.fail);
    return Promise.resolve(this.script.opMap ?? {});
  }
  getAllConfig() {
    this.calls.push({ method: "getAllConfig" });
    return Promise.resolve({ ...this.config });
  }
  removeAllConfig(keys: string[]) {
    this.calls.push({ method: "removeAllConfig", options: { keys } });
    for (const k of keys) delete this.config[k];
    return Promise.resolve();
  }
  setAllConfig(config: ConfigMap) {
    this.calls.push({ method: "setAllConfig" });
    Object.assign(this.config, config);
    return Promise.resolve();
  }
  async preview(options: Record<string, unknown>) {
    return { changeSummary: await this.op("preview", options) };
  }
  async up(options: Record<string, unknown>) {
    return {
      summary: { resourceChanges: await this.op("up", options) },
      outputs: this.script.outputs ?? {},
    };
  }
  async refresh(options: Record<string, unknown>) {
    return { summary: { resourceChanges: await this.op("refresh", options) } };
  }
  async destroy(options: Record<string, unknown>) {
    return { summary: { resourceChanges: await this.op("destroy", options) } };
  }
  outputs() {
    this.calls.push({ method: "outputs" });
    if (this.script.outputsFail !== undefined) return Promise.reject(this.script.outputsFail);
    return Promise.resolve(this.script.outputs ?? {});
  }
}

function opener(
  stack: FakeStack,
  createError?: Error,
): StackOpener & { opened: string[]; envs: (Record<string, string> | undefined)[] } {
  const opened: string[] = [];
  const envs: (Record<string, string> | undefined)[] = [];
  return {
    opened,
    envs,
    createOrSelect: (name, env) => {
      opened.push(`createOrSelect ${name}`);
      envs.push(env);
      return createError !== undefined ? Promise.reject(createError) : Promise.resolve(stack);
    },
    select: (name, env) => {
      opened.push(`select ${name}`);
      envs.push(env);
      return Promise.resolve(stack);
    },
  };
}

describe("AutomationStackRunner (fake stacks)", () => {
  let logDir: string;
  beforeEach(() => {
    logDir = fs.mkdtempSync(path.join(os.tmpdir(), "fleet-runner-"));
  });
  afterEach(() => fs.rmSync(logDir, { recursive: true, force: true }));

  function runner(stack: FakeStack, refresh = false, createError?: Error) {
    const open = opener(stack, createError);
    const r = new AutomationStackRunner(
      {
        workDir: "/nowhere",
        envVars: {},
        refresh,
        logDir,
        redact: makeRedactor({ AWS_SECRET_ACCESS_KEY: SECRET }),
      },
      open,
    );
    return { runner: r, opened: open.opened, envs: open.envs };
  }

  it("opens each stack with its own account's external id in the environment, never in config", async () => {
    const stack = new FakeStack("acct-1");
    const { runner: r, envs } = runner(stack);
    const withId = {
      ...target("111122223333"),
      access: { roleArn: "arn:aws:iam::111122223333:role/R", externalId: "PLANTED-ID-1" },
    };
    await r.run(withId, "preview", {});
    await r.run(target("444455556666"), "preview", {});
    assert.deepStrictEqual(envs, [{ ACCESS_ANALYZER_EXTERNAL_ID: "PLANTED-ID-1" }, {}]);
    assert.doesNotMatch(JSON.stringify(stack.config), /PLANTED-ID-1/);
  });

  describe("archive rules after up", () => {
    const ruleEvent = (op: string, region: string, ruleName: string): EngineEvent => ({
      sequence: 1,
      timestamp: 0,
      resOutputsEvent: {
        metadata: {
          op: op as never,
          urn: `urn:${region}:${ruleName}`,
          type: ARCHIVE_RULE,
          provider: "",
          new: {
            type: ARCHIVE_RULE,
            urn: `urn:${region}:${ruleName}`,
            id: "x",
            parent: "",
            inputs: {},
            outputs: { region, analyzerName: "external-access", ruleName },
            provider: "",
          },
        },
      },
    });
    const events = [
      ruleEvent("create", "eu-west-1", "own-org"),
      ruleEvent("same", "us-east-1", "old"),
    ];
    const arn = "arn:aws:access-analyzer:eu-west-1:111122223333:analyzer/external-access";

    function withRules(stack: FakeStack, client: ArchiveRuleClient) {
      return new AutomationStackRunner(
        {
          workDir: "/nowhere",
          envVars: {},
          refresh: false,
          logDir,
          redact: makeRedactor({ AWS_SECRET_ACCESS_KEY: SECRET }),
          archiveRules: { apply: true, client: () => client },
        },
        opener(stack),
      );
    }

    it("applies the rules the up created to the existing findings and reports how many it archived", async () => {
      let active = 3;
      const calls: string[] = [];
      const client: ArchiveRuleClient = {
        analyzers: () => Promise.resolve([{ name: "external-access", arn }]),
        activeFindings: () => Promise.resolve(active),
        applyArchiveRule: (region, analyzerArn, ruleName) => {
          calls.push(`${region} ${analyzerArn} ${ruleName}`);
          active = 1;
          return Promise.resolve();
        },
      };
      const stack = new FakeStack("acct-1", { opMap: { create: 1, same: 5 }, events });
      const result = await withRules(stack, client).run(target("111122223333"), "up", {});
      assert.strictEqual(result.outcome, "succeeded");
      assert.deepStrictEqual(calls, [`eu-west-1 ${arn} own-org`]);
      assert.match(
        fs.readFileSync(result.logFile ?? "", "utf8"),
        /^# eu-west-1: archive-rule-applied: rule own-org applied to existing findings: 2 archived$/m,
      );
      assert.deepStrictEqual(result.archiveRulesApplied, [
        { region: "eu-west-1", analyzer: "external-access", rule: "own-org", archived: 2 },
      ]);
      assert.strictEqual(result.archivedFindings, 2);
      assert.deepStrictEqual(
        result.notes?.map((n) => n.status),
        ["archive-rule-applied"],
      );
    });

    it("an up whose rules cannot be applied keeps its changes and fails, saying the up succeeded", async () => {
      const client: ArchiveRuleClient = {
        analyzers: () => Promise.resolve([{ name: "external-access", arn }]),
        activeFindings: () => Promise.resolve(3),
        applyArchiveRule: () => Promise.reject(new Error(`denied for ${SECRET}`)),
      };
      const stack = new FakeStack("acct-1", { opMap: { create: 1 }, events });
      const result = await withRules(stack, client).run(target("111122223333"), "up", {});
      assert.strictEqual(result.outcome, "failed");
      assert.strictEqual(result.changes.create, 1);
      assert.match(
        result.error ?? "",
        /^the up succeeded, but 1 archive rule\(s\) could not be applied/,
      );
      assert.ok(!result.error?.includes(SECRET), "the error is redacted");
      assert.deepStrictEqual(result.archiveRulesApplied, []);
    });

    it("applies no archive rule after any other operation", async () => {
      const client: ArchiveRuleClient = {
        analyzers: () => Promise.reject(new Error("must not be called")),
        activeFindings: () => Promise.reject(new Error("must not be called")),
        applyArchiveRule: () => Promise.reject(new Error("must not be called")),
      };
      const stack = new FakeStack("acct-1", { opMap: { create: 1 }, events });
      const result = await withRules(stack, client).run(target("111122223333"), "preview", {});
      assert.strictEqual(result.outcome, "succeeded");
      assert.strictEqual(result.archiveRulesApplied, undefined);
      assert.strictEqual(result.archivedFindings, undefined);
    });
  });

  it("drift previews with refresh: true and reports changes as drifted", async () => {
    const stack = new FakeStack("acct-1", { opMap: { update: 1, same: 3 } });
    const { runner: r, opened } = runner(stack);
    const result = await r.run(target("111122223333"), "drift", {});
    const preview = stack.calls.find((c) => c.method === "preview");
    assert.strictEqual(preview?.options?.refresh, true);
    assert.strictEqual(result.outcome, "drifted");
    assert.deepStrictEqual(opened, ["select acct-111122223333"]);
  });

  it("drift names each resource it would change, with its region, from the engine's events", async () => {
    const pre = (op: string, type: string, name: string) =>
      ({
        sequence: 1,
        timestamp: 0,
        resourcePreEvent: {
          metadata: {
            op,
            type,
            urn: `urn:pulumi:acct::access-analyzer::${type}::${name}`,
            provider: "",
          },
        },
      }) as unknown as EngineEvent;
    const events = [
      pre("refresh", "aws:accessanalyzer/analyzer:Analyzer", "access-analyzer-us-east-1"),
      pre("same", "aws:accessanalyzer/analyzer:Analyzer", "access-analyzer-us-east-1"),
      pre("create", "aws:accessanalyzer/analyzer:Analyzer", "access-analyzer-eu-west-1"),
      pre(
        "update",
        "aws:accessanalyzer/archiveRule:ArchiveRule",
        "access-analyzer-ap-south-1-ours",
      ),
    ];
    const stack = new FakeStack("acct-1", { opMap: { create: 1, update: 1 }, events });
    const { runner: r } = runner(stack);
    const result = await r.run(target("111122223333"), "drift", {});
    assert.strictEqual(result.outcome, "drifted");
    assert.deepStrictEqual(result.changedResources, [
      {
        op: "create",
        type: "aws:accessanalyzer/analyzer:Analyzer",
        name: "access-analyzer-eu-west-1",
        region: "eu-west-1",
      },
      {
        op: "update",
        type: "aws:accessanalyzer/archiveRule:ArchiveRule",
        name: "access-analyzer-ap-south-1-ours",
        region: "ap-south-1",
      },
    ]);
    // Not for the operations that change things: their counts are the record.
    const upStack = new FakeStack("acct-1", { opMap: { create: 1 }, events });
    const up = await runner(upStack).runner.run(target("111122223333"), "up", {});
    assert.strictEqual(up.changedResources, undefined);
  });

  it("passes --parallel and the abort signal to the engine and logs the operation's start and outcome", async () => {
    const stack = new FakeStack("acct-1", { opMap: { create: 1 } });
    const r = new AutomationStackRunner(
      { workDir: "/nowhere", envVars: {}, refresh: false, parallel: 4, logDir, redact: (t) => t },
      opener(stack),
    );
    const signal = new AbortController().signal;
    const result = await r.run(target("111122223333", "prod"), "preview", { signal });
    const preview = stack.calls.find((c) => c.method === "preview");
    assert.strictEqual(preview?.options?.parallel, 4);
    assert.strictEqual(preview?.options?.signal, signal);
    assert.strictEqual(preview?.options?.color, "never");
    assert.strictEqual(result.logFile, path.join(logDir, "acct-111122223333.log"));
    assert.strictEqual(result.name, "prod");
    assert.strictEqual(result.operation, "preview");
    const log = fs.readFileSync(result.logFile, "utf8");
    assert.match(log, /^# preview acct-111122223333 \[prod 111122223333\] started \d{4}-/);
    assert.match(log, /\n# succeeded after \d+ ms\n$/);
  });

  it("writes no config and makes no call for outputs, and reads the last deployment's outputs", async () => {
    const stack = new FakeStack("acct-1", {
      outputs: { regions: { value: ["eu-west-1"], secret: false } },
    });
    const result = await runner(stack).runner.run(target("111122223333"), "outputs", {});
    assert.deepStrictEqual(
      stack.calls.map((c) => c.method),
      ["outputs"],
    );
    assert.deepStrictEqual(result.regions, ["eu-west-1"]);
    assert.strictEqual(result.outcome, "succeeded");
  });

  it("removes stale config keys before writing the desired config", async () => {
    const stack = new FakeStack("acct-1");
    stack.config = {
      [`${PROJECT_NAME}:excludeRegions`]: { value: '["eu-west-1"]' },
      "aws:region": { value: "us-east-1" },
    };
    await runner(stack).runner.run(target("111122223333"), "preview", {});
    assert.ok(!(`${PROJECT_NAME}:excludeRegions` in stack.config));
    assert.ok("aws:region" in stack.config);
    assert.ok(`${PROJECT_NAME}:providerArgs` in stack.config);
    const methods = stack.calls.map((c) => c.method);
    assert.deepStrictEqual(methods.slice(0, 4), [
      "getAllConfig",
      "removeAllConfig",
      "setAllConfig",
      "preview",
    ]);
  });

  it("writes no config on a second run when nothing changed", async () => {
    const stack = new FakeStack("acct-1");
    await runner(stack).runner.run(target("111122223333"), "preview", {});
    stack.calls.length = 0;
    await runner(stack).runner.run(target("111122223333"), "preview", {});
    assert.deepStrictEqual(
      stack.calls.map((c) => c.method),
      ["getAllConfig", "preview", "outputs"],
    );
  });

  it("takes up's outputs from its result without reading them again", async () => {
    const stack = new FakeStack("acct-1", {
      opMap: { create: 2 },
      outputs: { regions: { value: ["us-east-1", "eu-west-1"], secret: false } },
    });
    const result = await runner(stack, true).runner.run(target("111122223333"), "up", {});
    assert.deepStrictEqual(result.regions, ["eu-west-1", "us-east-1"]);
    assert.strictEqual(result.changes.create, 2);
    assert.ok(!stack.calls.some((c) => c.method === "outputs"));
    assert.strictEqual(stack.calls.find((c) => c.method === "up")?.options?.refresh, true);
  });

  it("runs up through the stack's event-log up when it has one, not the Automation API's", async () => {
    const stack = new FakeStack("acct-1", { opMap: { same: 3 } });
    const lean = Object.assign(stack, {
      upFromEventLog: (options: Record<string, unknown>) => {
        stack.calls.push({ method: "upFromEventLog", options });
        return Promise.resolve({
          summary: { resourceChanges: { same: 5 } },
          outputs: { regions: { value: ["eu-west-1"], secret: false } },
        });
      },
    });
    const result = await runner(lean, true).runner.run(target("111122223333"), "up", {});
    const methods = stack.calls.map((c) => c.method);
    assert.ok(methods.includes("upFromEventLog") && !methods.includes("up"), methods.join());
    assert.strictEqual(result.changes.same, 5);
    assert.deepStrictEqual(result.regions, ["eu-west-1"]);
    assert.strictEqual(
      stack.calls.find((c) => c.method === "upFromEventLog")?.options?.refresh,
      true,
    );
  });

  it("redacts engine output, the log file and the error it returns", async () => {
    const stack = new FakeStack("acct-1", {
      output: `key ${KEY_ID} secret ${SECRET}\n`,
      fail: new Error(`error: bad credentials ${SECRET} for ${KEY_ID}`),
    });
    const seen: string[] = [];
    const result = await runner(stack).runner.run(target("111122223333"), "up", {
      onOutput: (t) => seen.push(t),
    });
    const log = fs.readFileSync(result.logFile ?? "", "utf8");
    for (const [where, text] of [
      ["onOutput", seen.join("")],
      ["log", log],
      ["error", result.error ?? ""],
    ]) {
      assert.ok(!text.includes(SECRET), `${where} holds the secret`);
      assert.ok(!text.includes(KEY_ID), `${where} holds the key id`);
    }
    assert.match(log, /\[redacted\]/);
    assert.strictEqual(result.outcome, "failed");
  });

  it("redacts a failed outputs read in the log and still succeeds", async () => {
    const stack = new FakeStack("acct-1", {
      outputsFail: new Error(`error: cannot read outputs with ${SECRET}`),
    });
    const result = await runner(stack).runner.run(target("111122223333"), "preview", {});
    const log = fs.readFileSync(result.logFile ?? "", "utf8");
    assert.match(log, /could not read stack outputs: .*cannot read outputs with \[redacted\]/);
    assert.ok(!log.includes(SECRET));
    assert.strictEqual(result.outcome, "succeeded");
  });

  it("reports locked, not failed, when another bot created the stack first and holds it", async () => {
    const stack = new FakeStack("acct-1", {
      fail: commandError(
        ConcurrentUpdateError,
        "error: the stack is currently locked by 1 lock(s)",
      ),
    });
    const { runner: r, opened } = runner(
      stack,
      false,
      commandError(StackAlreadyExistsError, "error: stack 'acct-111122223333' already exists"),
    );
    const result = await r.run(target("111122223333"), "up", {});
    assert.deepStrictEqual(opened, [
      "createOrSelect acct-111122223333",
      "select acct-111122223333",
    ]);
    assert.strictEqual(result.outcome, "locked");
  });
});

describe("openStack", () => {
  it("does not retry a create that failed for another reason", async () => {
    const open = opener(new FakeStack("s"), new Error("error: permission denied"));
    await assert.rejects(openStack(open, "s", "create-or-select"), /permission denied/);
    assert.deepStrictEqual(open.opened, ["createOrSelect s"]);
  });
});

describe("readOutputs", () => {
  const out = (value: unknown) => ({ value, secret: false });

  it("sorts the regions, keeps string ARNs and the unused-access ARN", () => {
    assert.deepStrictEqual(
      readOutputs({
        regions: out(["us-east-1", 7, "eu-west-1"]),
        analyzerArns: out({ "eu-west-1": "arn:a", "us-east-1": null }),
        unusedAccessAnalyzerArn: out("arn:u"),
      }),
      {
        regions: ["eu-west-1", "us-east-1"],
        analyzerArns: { "eu-west-1": "arn:a" },
        unusedAccessAnalyzerArn: "arn:u",
      },
    );
  });

  it("reads missing or malformed outputs as none, and an empty unused-access ARN as absent", () => {
    const none = { regions: [], analyzerArns: {} };
    assert.deepStrictEqual(readOutputs({}), none);
    assert.deepStrictEqual(
      readOutputs({
        regions: out("us-east-1"),
        analyzerArns: out(["arn:a"]),
        unusedAccessAnalyzerArn: out(""),
      }),
      none,
    );
    assert.deepStrictEqual(readOutputs({ analyzerArns: out(null) }), none);
  });
});

describe("logFileName", () => {
  it("turns a fully qualified stack name into one safe file name", () => {
    assert.strictEqual(
      logFileName("org/access-analyzer/acct-1.a"),
      "org_access-analyzer_acct-1.a.log",
    );
    assert.strictEqual(logFileName("a b:c"), "a_b_c.log");
  });
});

describe("stale locks (fleet/runPlan)", () => {
  it("says how old the lock is, who holds it, and the exact unlock command; never unlocks", () => {
    const message =
      "the stack is currently locked by 1 lock(s). Either wait for the other process(es) to end " +
      "or delete the lock file with `pulumi cancel`.\n  file:///s/.pulumi/locks/x.json: created by " +
      "bot@host-1 (pid 4242) at 2026-01-01T10:00:00Z";
    const { outcome, error } = errorOutcome(
      new Error(message),
      "acct-1",
      false,
      Date.parse("2026-01-01T10:45:00Z"),
    );
    assert.strictEqual(outcome, "locked");
    assert.match(error, /Locked 45 min ago by bot@host-1 \(pid 4242\)/);
    assert.match(error, /pulumi cancel --yes --stack acct-1/);
  });
});

const P =
  "urn:pulumi:s::access-analyzer::access-analyzer:index:AllRegionsAccessAnalyzer$pulumi:providers:aws::access-analyzer-";
/** The account of `heldState`: ap-east-1 disabled since, eu-west-1 with a console analyzer. */
const heldAccount = () =>
  Promise.resolve({
    enabled: ["eu-west-1", "us-east-1"],
    analyzers: {
      "eu-west-1": [
        { name: "console-analyzer", arn: "arn", type: "ACCOUNT" as const, status: "ACTIVE" },
      ],
    },
  });
/** The stack holds ap-east-1 (no longer enabled) and us-east-1; `pending` as a killed up left it. */
const heldState = (pending?: unknown[]) => ({
  resources: ["ap-east-1", "us-east-1"].flatMap((region) => [
    {
      urn: `${P}${region}`,
      id: region,
      type: "pulumi:providers:aws",
      parent: "c",
      inputs: { region },
    },
    {
      urn: `a-${region}`,
      type: "aws:accessanalyzer/analyzer:Analyzer",
      provider: `${P}${region}::${region}`,
      inputs: { analyzerName: "external-access" },
    },
  ]),
  ...(pending !== undefined ? { pending_operations: pending } : {}),
});

describe("AutomationStackRunner before the engine (fake stack, fake account)", () => {
  let logDir: string;
  beforeEach(() => {
    logDir = fs.mkdtempSync(path.join(os.tmpdir(), "fleet-runner-"));
  });
  afterEach(() => fs.rmSync(logDir, { recursive: true, force: true }));

  const held = heldState([{ type: "creating", resource: { urn: "a-eu-west-1" } }]);

  function runner(stack: FakeStack, adopt = false) {
    return new AutomationStackRunner(
      {
        workDir: "/nowhere",
        envVars: {},
        refresh: false,
        logDir,
        redact: (t) => t,
        adopt,
        readAccount: heldAccount,
      },
      opener(stack),
    );
  }

  it("reads the account while the stack's state is still being exported, and logs how long both took", async () => {
    let accountRead = false;
    let exportDone: () => void = () => undefined;
    const exported = new Promise<void>((resolve) => (exportDone = resolve));
    const stack = new FakeStack("acct-1", { state: held });
    const slowExport = Object.assign(stack, {
      exportStack: async () => {
        // Resolves once the account read has started, or after 2 s (one after the other).
        const timer = setTimeout(exportDone, 2000);
        await exported;
        clearTimeout(timer);
        return { deployment: held };
      },
    });
    const r = new AutomationStackRunner(
      {
        workDir: "/nowhere",
        envVars: {},
        refresh: false,
        logDir,
        redact: (t) => t,
        adopt: true,
        readAccount: () => {
          accountRead = true;
          exportDone();
          return Promise.resolve({ enabled: ["eu-west-1", "us-east-1"], analyzers: {} });
        },
      },
      opener(slowExport),
    );
    const started = Date.now();
    const result = await r.run(target("111122223333"), "preview", {});
    assert.ok(accountRead);
    assert.ok(Date.now() - started < 1500, "the account read waited for the export");
    assert.ok(result.logFile !== undefined);
    assert.match(
      fs.readFileSync(result.logFile, "utf8"),
      /# before the engine: state and account read in \d+ ms/,
    );
  });

  it("up without --adopt stops before the engine on a console-made analyzer, changing nothing", async () => {
    const stack = new FakeStack("acct-1", { state: held });
    const result = await runner(stack).run(target("111122223333"), "up", {});
    assert.strictEqual(result.outcome, "failed");
    assert.match(result.error ?? "", /console-analyzer.*--adopt/s);
    const methods = stack.calls.map((c) => c.method);
    assert.ok(!methods.includes("up") && !methods.includes("deleteFromState"), methods.join());
    assert.ok(!methods.includes("setAllConfig"), methods.join());
  });

  it("up --adopt drops the disabled region from the state, clears pending creates, and passes adopt", async () => {
    const stack = new FakeStack("acct-1", { state: held });
    const result = await runner(stack, true).run(target("111122223333"), "up", {});
    assert.strictEqual(result.outcome, "succeeded", result.error);
    const methods = stack.calls.map((c) => c.method);
    assert.deepStrictEqual(
      stack.calls.filter((c) => c.method === "deleteFromState").map((c) => c.options?.urn),
      [`${P}ap-east-1`],
    );
    assert.strictEqual(
      stack.calls.find((c) => c.method === "refresh")?.options?.clearPendingCreates,
      true,
    );
    assert.ok(methods.indexOf("deleteFromState") < methods.indexOf("refresh"));
    assert.ok(methods.indexOf("refresh") < methods.indexOf("up"));
    assert.deepStrictEqual(stack.config[`${PROJECT_NAME}:adopt`], {
      value: JSON.stringify({ "eu-west-1": "console-analyzer" }),
    });
    assert.deepStrictEqual(
      result.notes?.map((n) => `${n.region ?? "-"} ${n.status}`),
      ["ap-east-1 region-disabled", "eu-west-1 adopted", "- pending-cleared"],
    );
  });

  it("up in single provider mode drops a disabled region's analyzers by their region input, never the shared provider", async () => {
    const lookup = `${P}lookup`;
    const singleState = {
      resources: [
        {
          urn: lookup,
          id: "l",
          type: "pulumi:providers:aws",
          parent: "c",
          inputs: { region: "us-east-1" },
        },
        ...["ap-east-1", "us-east-1"].map((region) => ({
          urn: `a-${region}`,
          type: "aws:accessanalyzer/analyzer:Analyzer",
          provider: `${lookup}::l`,
          inputs: { region, analyzerName: "external-access", type: "ACCOUNT" },
        })),
      ],
    };
    const stack = new FakeStack("acct-1", { state: singleState });
    const result = await runner(stack, true).run(target("111122223333"), "up", {});
    assert.strictEqual(result.outcome, "succeeded", result.error);
    assert.deepStrictEqual(
      stack.calls.filter((c) => c.method === "deleteFromState").map((c) => c.options?.urn),
      ["a-ap-east-1"],
    );
    assert.ok(
      result.notes?.some((n) => n.status === "region-disabled" && n.region === "ap-east-1"),
    );
  });

  it("never reads the account or adopts for the registration stack or an orphan", async () => {
    for (const extra of [
      { phase: "registration" as const },
      { orphaned: "left the organization" },
    ]) {
      const stack = new FakeStack("acct-1", { state: held });
      const result = await runner(stack, true).run(
        { ...target("111122223333"), ...extra },
        "up",
        {},
      );
      assert.strictEqual(result.outcome, "succeeded", result.error);
      const methods = stack.calls.map((c) => c.method);
      assert.ok(!methods.includes("exportStack"), `${JSON.stringify(extra)}: ${methods.join()}`);
      assert.ok(!methods.includes("deleteFromState"), methods.join());
      assert.strictEqual(stack.config[`${PROJECT_NAME}:adopt`], undefined);
    }
  });

  it("preview leaves the state alone: a disabled region is excluded, not deleted", async () => {
    const stack = new FakeStack("acct-1", { state: held });
    const result = await runner(stack).run(target("111122223333"), "preview", {});
    assert.strictEqual(result.outcome, "succeeded", result.error);
    const methods = stack.calls.map((c) => c.method);
    assert.ok(!methods.includes("deleteFromState") && !methods.includes("refresh"));
    const preview = stack.calls.find((c) => c.method === "preview");
    assert.deepStrictEqual(preview?.options?.exclude, [`${P}ap-east-1`]);
    assert.strictEqual(preview?.options?.excludeDependents, true);
    assert.ok(result.notes?.some((n) => n.status === "would-adopt" && n.region === "eu-west-1"));
  });

  it("drift drops a disabled region from the state first: its refresh would read every resource, excluded or not", async () => {
    const stack = new FakeStack("acct-1", { state: held });
    const result = await runner(stack).run(target("111122223333"), "drift", {});
    assert.strictEqual(result.outcome, "succeeded", result.error);
    const methods = stack.calls.map((c) => c.method);
    assert.ok(methods.indexOf("deleteFromState") < methods.indexOf("preview"), methods.join());
    assert.strictEqual(
      stack.calls.find((c) => c.method === "preview")?.options?.exclude,
      undefined,
    );
    assert.ok(!methods.includes("refresh"), "pending creates are left to up");
  });
});

describe("runner decisions, more cases (fleet/runPlan)", () => {
  const lockLine = (who: string, pid: number, at: string) =>
    `file:///s/.pulumi/locks/${pid}.json: created by ${who} (pid ${pid}) at ${at}`;

  it("configUpdate sets a value again when only its secret flag differs", () => {
    const t = { ...target("111122223333"), settings: { analyzerName: "aa" } };
    const key = `${PROJECT_NAME}:analyzerName`;
    const update = configUpdate(t, { [key]: { value: "aa", secret: true } });
    assert.deepStrictEqual(update.set[key], { value: "aa" });
  });

  it("lockHolders reads every lock a file backend names, and drops one with an unreadable time", () => {
    const message = [
      lockLine("a@h1", 11, "2026-01-01T10:00:00Z"),
      lockLine("b@h2", 22, "not-a-time"),
      lockLine("c@h3", 33, "2026-01-01T09:00:00Z"),
    ].join("\n");
    assert.deepStrictEqual(
      lockHolders(message).map((l) => [l.holder, l.pid, l.at.toISOString()]),
      [
        ["a@h1", 11, "2026-01-01T10:00:00.000Z"],
        ["c@h3", 33, "2026-01-01T09:00:00.000Z"],
      ],
    );
  });

  it("lockAdvice names the oldest lock, whatever order the backend lists them in", () => {
    const now = Date.parse("2026-01-01T10:00:30Z");
    const newestFirst = [
      lockLine("new@h", 2, "2026-01-01T10:00:00Z"),
      lockLine("old@h", 1, "2026-01-01T09:59:00Z"),
      lockLine("mid@h", 3, "2026-01-01T09:59:30Z"),
    ].join("\n");
    assert.match(lockAdvice(newestFirst, "acct-1", now), /^Locked 90 s ago by old@h \(pid 1\)\. /);
  });

  it("lockAdvice says the age in s under 2 min, in min under 2 h, in h beyond", () => {
    const at = Date.parse("2026-01-01T00:00:00Z");
    const msg = lockLine("x@h", 7, "2026-01-01T00:00:00Z");
    const age = (ms: number) => /Locked (.*?) ago/.exec(lockAdvice(msg, "s", at + ms))?.[1];
    assert.strictEqual(age(119_000), "119 s");
    assert.strictEqual(age(120_000), "2 min");
    assert.strictEqual(age(7_199_000), "120 min");
    assert.strictEqual(age(7_200_000), "2 h");
    assert.strictEqual(age(5 * 3_600_000), "5 h");
  });

  it("lockAdvice without a named lock gives only the unlock command", () => {
    assert.strictEqual(
      lockAdvice("Another update is currently in progress", "acct-1", 0),
      "If no run holds it any more (a killed bot), unlock with the fleet's backend: " +
        "pulumi cancel --yes --stack acct-1. ",
    );
  });

  it("runPhases keeps the phase order and leaves empty phases out", () => {
    const member = target("111122223333");
    const admin = { ...target("444455556666"), phase: "delegated-administrator" as const };
    const phases = runPhases([member, admin]);
    assert.deepStrictEqual(
      phases.map((p) => [p.phase, p.targets.map((t) => t.accountId)]),
      [
        ["delegated-administrator", ["444455556666"]],
        ["members", ["111122223333"]],
      ],
    );
    assert.deepStrictEqual(runPhases([]), []);
  });

  it("phaseBlocked lets the delegated administrator run when there is no registration in the run", () => {
    assert.strictEqual(
      phaseBlocked("delegated-administrator", [{ phase: "members", outcome: "failed" }]),
      undefined,
    );
    assert.match(
      phaseBlocked("delegated-administrator", [
        { phase: "members", outcome: "succeeded" },
        { phase: "registration", outcome: "locked" },
      ]) ?? "",
      /registration \(stack org-delegated-admin\) ended locked/,
    );
  });

  it("findOrphans sorts by stack name whatever order the backend lists the stacks in", () => {
    const names = [
      "acct-333333333333",
      "acct-111111111111",
      "org/p/acct-222222222222",
      "acct-111111111111",
    ];
    assert.deepStrictEqual(
      findOrphans(names, [], []).map((o) => o.stack),
      ["acct-111111111111", "acct-222222222222", "acct-333333333333"],
    );
    assert.deepStrictEqual(
      findOrphans([...names].reverse(), [], []).map((o) => o.stack),
      ["acct-111111111111", "acct-222222222222", "acct-333333333333"],
    );
  });

  it("an orphan becomes a target with its stack's own config, and --accounts names it by id or stack", () => {
    const [acct, registration] = findOrphans(["acct-111111111111", "org-delegated-admin"], [], []);
    assert.deepStrictEqual(orphanTarget(registration), {
      accountId: "",
      stack: "org-delegated-admin",
      access: {},
      settings: {},
      orphaned: registration.reason,
    });
    assert.strictEqual(orphanTarget(acct).accountId, "111111111111");
    assert.ok(namesOrphan(["999999999999", "111111111111"], acct));
    assert.ok(namesOrphan(["org-delegated-admin"], registration));
    assert.ok(!namesOrphan(["999999999999"], acct));
    assert.ok(!namesOrphan([], acct));
  });
});

describe("AutomationStackRunner, each operation's calls and result (fake stack)", () => {
  let logDir: string;
  beforeEach(() => {
    logDir = fs.mkdtempSync(path.join(os.tmpdir(), "fleet-runner-"));
  });
  afterEach(() => fs.rmSync(logDir, { recursive: true, force: true }));

  function runner(stack: FakeStack, readAccount = true) {
    return new AutomationStackRunner(
      {
        workDir: "/nowhere",
        envVars: {},
        refresh: false,
        logDir,
        redact: makeRedactor({ AWS_SECRET_ACCESS_KEY: SECRET }),
        ...(readAccount ? { readAccount: heldAccount } : {}),
      },
      opener(stack),
    );
  }
  const methods = (stack: FakeStack) => stack.calls.map((c) => c.method);

  it("a stack that cannot be opened fails with the error and no notes", async () => {
    const r = new AutomationStackRunner(
      { workDir: "/nowhere", envVars: {}, refresh: false, logDir, redact: (t) => t },
      opener(new FakeStack("acct-1"), new Error("error: permission denied")),
    );
    const result = await r.run(target("111122223333"), "up", {});
    assert.strictEqual(result.outcome, "failed");
    assert.match(result.error ?? "", /permission denied/);
    assert.ok(!("notes" in result), JSON.stringify(result.notes));
  });

  it("BlockedError carries every blocker, one a line, under its own name", () => {
    const e = new BlockedError(["first", "second"], []);
    assert.strictEqual(e.message, "first\nsecond");
    assert.strictEqual(e.name, "BlockedError");
  });

  it("refresh and destroy make their own call, without a refresh option, and count its changes", async () => {
    for (const op of ["refresh", "destroy"] as const) {
      const stack = new FakeStack("acct-1", { opMap: { delete: 2, same: 1 } });
      const result = await runner(stack, false).run(target("111122223333"), op, {});
      assert.strictEqual(result.outcome, "succeeded", result.error);
      const call = stack.calls.find((c) => c.method === op);
      assert.ok(call !== undefined, methods(stack).join());
      // destroy passes --refresh through; refresh takes no such option.
      if (op === "refresh") assert.ok(!("refresh" in (call.options ?? {})), "refresh option");
      else assert.strictEqual(call.options?.refresh, false);
      assert.strictEqual(result.changes.delete, 2);
    }
  });

  it("destroy reads no outputs and reports none; nothing of it is absent from the result", async () => {
    const stack = new FakeStack("acct-1", {
      outputs: { regions: { value: ["x"], secret: false } },
    });
    const result = await runner(stack, false).run(target("111122223333"), "destroy", {});
    assert.ok(!methods(stack).includes("outputs"), methods(stack).join());
    assert.deepStrictEqual(result.regions, []);
    assert.deepStrictEqual(result.analyzerArns, {});
    assert.ok(!("name" in result) && !("error" in result) && !("notes" in result));
  });

  it("an orphan is destroyed with its stack's own config: the runner neither reads nor writes it", async () => {
    const stack = new FakeStack("acct-1", { state: heldState() });
    const result = await runner(stack).run(
      { ...target("111122223333"), orphaned: "left the organization" },
      "destroy",
      {},
    );
    assert.strictEqual(result.outcome, "succeeded", result.error);
    assert.deepStrictEqual(methods(stack), ["destroy"]);
    assert.strictEqual(stack.calls[0].options?.exclude, undefined);
  });

  it("outputs reads neither the state nor the account", async () => {
    const stack = new FakeStack("acct-1", { state: heldState() });
    await runner(stack).run(target("111122223333"), "outputs", {});
    assert.deepStrictEqual(methods(stack), ["outputs"]);
  });

  it("refresh and destroy drop a disabled region from the state before their call, and clear pending creates", async () => {
    for (const op of ["refresh", "destroy"] as const) {
      const stack = new FakeStack("acct-1", {
        state: heldState([{ type: "creating", resource: { urn: "a-eu-west-1" } }]),
      });
      await runner(stack).run(target("111122223333"), op, {});
      assert.deepStrictEqual(
        stack.calls.filter((c) => c.method === "deleteFromState").map((c) => c.options?.urn),
        [`${P}ap-east-1`],
        op,
      );
      const clear = stack.calls.find((c) => c.options?.clearPendingCreates === true);
      assert.ok(clear !== undefined, `${op}: ${methods(stack).join()}`);
      assert.strictEqual(clear.options?.color, "never");
    }
  });

  it("clears only pending creates, names them in a note, and leaves a stack without any alone", async () => {
    const pending = [
      { type: "creating", resource: { urn: "a-eu-west-1" } },
      { type: "updating", resource: { urn: "a-us-east-1" } },
      { type: "creating", resource: { urn: "a-ap-south-1" } },
    ];
    const stack = new FakeStack("acct-1", { state: heldState(pending) });
    const result = await runner(stack).run(target("111122223333"), "refresh", {});
    assert.deepStrictEqual(
      result.notes?.filter((n) => n.status === "pending-cleared").map((n) => n.detail),
      ["cleared 2 pending create(s) a killed run left: a-eu-west-1, a-ap-south-1"],
    );

    for (const deployment of [heldState(), heldState([pending[1]]), undefined]) {
      const quiet = new FakeStack("acct-1", { state: deployment });
      const r = await runner(quiet).run(target("111122223333"), "refresh", {});
      assert.strictEqual(r.outcome, "succeeded", r.error);
      assert.deepStrictEqual(
        quiet.calls.filter((c) => c.method === "refresh").length,
        1,
        "only the operation's own refresh",
      );
      assert.ok(!r.notes?.some((n) => n.status === "pending-cleared"));
    }
  });

  it("a pending create without a resource does not break the clearing", async () => {
    const stack = new FakeStack("acct-1", { state: heldState([{ type: "creating" }]) });
    const result = await runner(stack).run(target("111122223333"), "refresh", {});
    assert.ok(
      result.notes?.some(
        (n) => n.status === "pending-cleared" && /^cleared 1 pending/.test(n.detail ?? ""),
      ),
      JSON.stringify(result),
    );
  });

  it("a blocked up reports the blocking notes with its error", async () => {
    const stack = new FakeStack("acct-1", { state: heldState() });
    const result = await runner(stack).run(target("111122223333"), "up", {});
    assert.strictEqual(result.outcome, "failed");
    assert.deepStrictEqual(
      result.notes?.map((n) => `${n.region} ${n.status}`),
      ["ap-east-1 region-disabled", "eu-west-1 would-adopt"],
    );
  });

  it("logs each region note, the time the reads took, and the outcome with the run's duration", async () => {
    const stack = new FakeStack("acct-1", { state: heldState() });
    const started = Date.now();
    const result = await runner(stack).run(target("111122223333"), "preview", {});
    const log = fs.readFileSync(result.logFile ?? "", "utf8");
    assert.match(
      log,
      /^# ap-east-1: region-disabled: the account no longer has ap-east-1 enabled/m,
    );
    assert.match(log, /^# eu-west-1: would-adopt: eu-west-1 already has ACCOUNT analyzer/m);
    const readMs = Number(/state and account read in (\d+) ms/.exec(log)?.[1]);
    assert.ok(readMs >= 0 && readMs < 60_000, log);
    assert.ok(
      result.durationMs >= 0 && result.durationMs <= Date.now() - started,
      String(result.durationMs),
    );
    assert.match(log, new RegExp(`\\n# succeeded after ${result.durationMs} ms\\n$`));
  });

  it("logs a failure with its error, and reports an error during an aborted run as aborted", async () => {
    const stack = new FakeStack("acct-1", { fail: new Error("engine stopped") });
    const stop = new AbortController();
    stop.abort();
    const result = await runner(stack, false).run(target("111122223333"), "preview", {
      signal: stop.signal,
    });
    assert.strictEqual(result.outcome, "aborted");
    assert.match(
      fs.readFileSync(result.logFile ?? "", "utf8"),
      /\n# aborted: aborted after \d+ ms\n$/,
    );
  });

  it("writes the engine's output to the log even when nobody listens, and appends to an earlier run's log", async () => {
    const stack = new FakeStack("acct-1", { output: `key ${SECRET} out\n` });
    const r = runner(stack, false);
    await r.run(target("111122223333"), "preview", {});
    const result = await r.run(target("111122223333"), "preview", {});
    assert.strictEqual(result.outcome, "succeeded", result.error);
    const log = fs.readFileSync(result.logFile ?? "", "utf8");
    assert.strictEqual(log.match(/# preview acct-111122223333 .* started/g)?.length, 2, log);
    assert.strictEqual(log.match(/key \[redacted\] out/g)?.length, 2, log);
    assert.doesNotMatch(log, new RegExp(SECRET.replace(/\//g, "\\/")));
  });
});

describe("the Pulumi CLI seams (a stand-in `pulumi` script, no engine)", () => {
  // A shell script in place of bin/pulumi: it answers `version`, `stack ls` and `stack export`,
  // and appends every command line to $FAKE_PULUMI_LOG. No Pulumi CLI runs.
  const linux = process.platform === "win32" ? describe.skip : describe;
  let root: string;
  let calls: string;
  const SCRIPT = [
    "#!/bin/sh",
    'if [ -n "$FAKE_PULUMI_LOG" ]; then echo "$*" >> "$FAKE_PULUMI_LOG"; fi',
    'case "$1 $2" in',
    '  "version "*) echo "v3.274.1" ;;',
    '  "stack select") case "$*" in *-new*) echo "error: no stack named \'$4\' found" >&2; exit 255 ;; esac ;;',
    `  "stack ls") echo '[{"name":"acct-1"},{"name":"org/p/acct-2"}]' ;;`,
    '  "stack export") printf \'{"argv":"%s","cwd":"%s","externalId":"%s","fromEnvVars":"%s","ambient":"%s","pad":"%0800d"}\' "$*" "$PWD" "$ACCESS_ANALYZER_EXTERNAL_ID" "$FLEET_FAKE_VAR" "$FLEET_FAKE_AMBIENT" 0 ;;',
    "esac",
    "",
  ].join("\n");

  linux("on a POSIX shell", () => {
    beforeEach(() => {
      root = fs.mkdtempSync(path.join(os.tmpdir(), "fake-pulumi-"));
      fs.mkdirSync(path.join(root, "bin"));
      fs.writeFileSync(path.join(root, "bin", "pulumi"), SCRIPT, { mode: 0o755 });
      calls = path.join(root, "calls.log");
      process.env.FLEET_FAKE_AMBIENT = "from-the-bot";
    });
    afterEach(() => {
      delete process.env.FLEET_FAKE_AMBIENT;
      fs.rmSync(root, { recursive: true, force: true });
    });
    const commands = () => fs.readFileSync(calls, "utf8").trim().split("\n");
    const runner = (secretsProvider?: string) =>
      new AutomationStackRunner({
        workDir: root,
        envVars: { FLEET_FAKE_VAR: "from-envVars", FAKE_PULUMI_LOG: calls },
        refresh: false,
        logDir: path.join(root, "logs"),
        pulumiRoot: root,
        redact: (t) => t,
        ...(secretsProvider !== undefined ? { secretsProvider } : {}),
      });

    it("exportState runs `stack export` (no --show-secrets) in the program's folder with the account's external id", async () => {
      const r = runner();
      const withId = {
        ...target("111122223333"),
        access: { roleArn: "arn:aws:iam::111122223333:role/R", externalId: "EXT-1" },
      };
      const state = (await r.exportState(withId)) as Record<string, string>;
      assert.deepStrictEqual(
        { ...state, pad: state.pad.length },
        {
          argv: "stack export --stack acct-111122223333 --non-interactive",
          cwd: fs.realpathSync(root),
          externalId: "EXT-1",
          fromEnvVars: "from-envVars",
          ambient: "from-the-bot",
          pad: 800,
        },
      );
      await r.exportState(target("444455556666"));
      assert.deepStrictEqual(commands(), [
        "stack export --stack acct-111122223333 --non-interactive",
        "stack export --stack acct-444455556666 --non-interactive",
      ]);
    });

    it("run opens the stack through the program's workspace with that CLI by default", async () => {
      const result = await runner().run(target("111122223333"), "outputs", {});
      assert.ok(
        commands().includes("stack select --stack acct-111122223333 --non-interactive"),
        commands().join("\n"),
      );
      assert.strictEqual(result.outcome, "succeeded", result.error);
    });

    it("creates a stack the backend does not have with the fleet's secrets provider", async () => {
      await runner("passphrase").run(
        { ...target("111122223333"), stack: "acct-new" },
        "preview",
        {},
      );
      assert.ok(
        commands().includes("stack init acct-new --secrets-provider passphrase --non-interactive"),
        commands().join("\n"),
      );
    });

    it("listStacks gives the backend's stack names", async () => {
      assert.deepStrictEqual(await runner().listStacks(), ["acct-1", "org/p/acct-2"]);
    });

    it("the local opener selects or creates the stack, and deletes from its state with dependents, forced, in the workspace", async () => {
      const pulumiCommand = await PulumiCommand.get({ root });
      const envs: Record<string, string>[] = [];
      const open = localStackOpener(root, (env) => {
        envs.push(env);
        return Promise.resolve({
          workDir: root,
          envVars: { ...env, FAKE_PULUMI_LOG: calls },
          pulumiCommand,
        });
      });
      const stack = await open.select("acct-1", { ACCESS_ANALYZER_EXTERNAL_ID: "E" });
      assert.strictEqual(stack.name, "acct-1");
      assert.strictEqual(typeof stack.upFromEventLog, "function");
      await stack.deleteFromState("urn:pulumi:acct-1::p::t::a");
      const created = await open.createOrSelect("acct-2");
      assert.strictEqual(created.name, "acct-2");
      const lines = commands();
      assert.ok(lines.includes("stack select --stack acct-1 --non-interactive"), lines.join("\n"));
      assert.ok(
        lines.includes(
          "state delete urn:pulumi:acct-1::p::t::a --target-dependents --force --yes --stack acct-1 --non-interactive",
        ),
        lines.join("\n"),
      );
      assert.ok(
        lines.some((l) => /^stack select .*acct-2/.test(l)),
        lines.join("\n"),
      );
      assert.deepStrictEqual(envs[0], { ACCESS_ANALYZER_EXTERNAL_ID: "E" });
    });
  });
});

describe("AutomationStackRunner's nightly fast path (fake stack, fake account)", () => {
  let logDir: string;
  beforeEach(() => {
    logDir = fs.mkdtempSync(path.join(os.tmpdir(), "fleet-runner-"));
  });
  afterEach(() => fs.rmSync(logDir, { recursive: true, force: true }));

  const WORK_DIR = "/nowhere";
  const ID = "111122223333";
  const REGIONS = ["eu-west-1", "us-east-1"];
  const arnOf = (region: string) =>
    `arn:aws:access-analyzer:${region}:${ID}:analyzer/external-access`;
  const fastTarget = { ...target(ID), settings: { providerMode: "single" as const } };
  /** The state a completed up of `fastTarget` leaves in single provider mode. */
  function completedState() {
    const config = Object.fromEntries(
      Object.entries(stackConfigFor(fastTarget)).map(([k, v]) => [k, v.value]),
    );
    return {
      resources: [
        {
          urn: "urn:pulumi:acct::access-analyzer::pulumi:pulumi:Stack::s",
          type: "pulumi:pulumi:Stack",
          outputs: {
            regions: REGIONS,
            analyzerArns: Object.fromEntries(REGIONS.map((r) => [r, arnOf(r)])),
            fingerprint: settingsFingerprint(config, workDirIdentity(WORK_DIR), false),
          },
        },
        {
          urn: "urn:pulumi:acct::access-analyzer::pulumi:providers:aws::access-analyzer-lookup",
          type: "pulumi:providers:aws",
          inputs: { region: "us-east-1" },
        },
        ...REGIONS.map((region) => ({
          urn: `urn:pulumi:acct::access-analyzer::aws:accessanalyzer/analyzer:Analyzer::aa-${region}`,
          type: "aws:accessanalyzer/analyzer:Analyzer",
          inputs: { analyzerName: "external-access", region, type: "ACCOUNT" },
          outputs: { arn: arnOf(region), tagsAll: {} },
        })),
      ],
    };
  }
  const account = (regions: readonly string[] = REGIONS) => ({
    enabled: [...REGIONS],
    analyzers: Object.fromEntries(
      REGIONS.map((r) => [
        r,
        regions.includes(r)
          ? [
              {
                name: "external-access",
                arn: arnOf(r),
                type: "ACCOUNT",
                status: "ACTIVE",
                tags: {},
              },
            ]
          : [],
      ]),
    ),
    archiveRules: {},
  });

  function runner(
    stack: FakeStack,
    state: unknown,
    readAccount: () => Promise<ReturnType<typeof account>>,
    options: { fastPath?: boolean; refresh?: boolean } = {},
  ) {
    const open = opener(stack);
    const exports: string[] = [];
    const r = new AutomationStackRunner(
      {
        workDir: WORK_DIR,
        envVars: {},
        refresh: options.refresh ?? false,
        logDir,
        redact: (t) => t,
        readAccount,
        fastPath: options.fastPath ?? true,
      },
      {
        ...open,
        exportState: (name) => {
          exports.push(name);
          return Promise.resolve({ version: 3, deployment: state });
        },
      },
    );
    return { runner: r, opened: open.opened, exports };
  }

  it("reports an account the read proves unchanged as unchanged (verified), never opening its stack", async () => {
    const stack = new FakeStack("acct-1");
    let reads = 0;
    const {
      runner: r,
      opened,
      exports,
    } = runner(stack, completedState(), () => {
      reads++;
      return Promise.resolve(account());
    });
    const result = await r.run(fastTarget, "up", {});
    assert.strictEqual(result.outcome, "succeeded");
    assert.deepStrictEqual(opened, [], "no stack opened");
    assert.deepStrictEqual(stack.calls, [], "no engine, no config, no secrets export");
    assert.deepStrictEqual(exports, [fastTarget.stack]);
    assert.strictEqual(reads, 1);
    assert.deepStrictEqual(result.changes, { ...noChanges(), same: 4 });
    assert.deepStrictEqual(result.regions, REGIONS);
    assert.strictEqual(result.analyzerArns["eu-west-1"], arnOf("eu-west-1"));
    assert.deepStrictEqual(
      result.notes?.map((n) => n.status),
      ["unchanged-verified"],
    );
    assert.match(fs.readFileSync(result.logFile!, "utf8"), /# unchanged \(verified\): verified/);
  });

  it("runs up with refresh when the account drifted, reusing the reads (one account read, no second export)", async () => {
    const stack = new FakeStack("acct-1", { opMap: { same: 3, create: 1 } });
    let reads = 0;
    const { runner: r, opened } = runner(stack, completedState(), () => {
      reads++;
      return Promise.resolve(account(["us-east-1"]));
    });
    const result = await r.run(fastTarget, "up", {});
    assert.strictEqual(result.outcome, "succeeded");
    assert.deepStrictEqual(opened, [`createOrSelect ${fastTarget.stack}`]);
    const up = stack.calls.find((c) => c.method === "up");
    assert.strictEqual(up?.options?.refresh, true, "up refreshes to see the drift");
    assert.ok(!stack.calls.some((c) => c.method === "exportStack"), "the state was read once");
    assert.strictEqual(reads, 1, "the account was read once");
    const drift = result.notes?.find((n) => n.status === "drift-found");
    assert.match(drift?.detail ?? "", /eu-west-1: external-access is gone from the account/);
    assert.match(fs.readFileSync(result.logFile!, "utf8"), /# the engine runs: eu-west-1/);
  });

  it("runs up without refresh when only the settings changed", async () => {
    const stack = new FakeStack("acct-1", { opMap: { same: 4 } });
    const changed = { ...fastTarget, settings: { ...fastTarget.settings, tags: { a: "b" } } };
    const { runner: r } = runner(stack, completedState(), () => Promise.resolve(account()));
    const result = await r.run(changed, "up", {});
    assert.strictEqual(result.outcome, "succeeded");
    assert.strictEqual(stack.calls.find((c) => c.method === "up")?.options?.refresh, false);
    assert.ok(!(result.notes ?? []).some((n) => n.status === "drift-found"));
  });

  it("never skips the engine with --force-engine, with --refresh, or for another operation", async () => {
    for (const [operation, options] of [
      ["up", { fastPath: false }],
      ["up", { refresh: true }],
      ["preview", {}],
    ] as const) {
      const stack = new FakeStack("acct-1", { opMap: { same: 4 }, state: completedState() });
      const { runner: r, exports } = runner(
        stack,
        completedState(),
        () => Promise.resolve(account()),
        options,
      );
      const result = await r.run(fastTarget, operation, {});
      assert.strictEqual(result.outcome, "succeeded");
      assert.deepStrictEqual(exports, [], `${operation} ${JSON.stringify(options)}: no fast path`);
      assert.ok(
        stack.calls.some((c) => c.method === operation),
        operation,
      );
    }
  });
});
