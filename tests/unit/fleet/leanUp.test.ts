import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import type { EngineEvent, Stack } from "@pulumi/pulumi/automation";
import { leanUp, leanUpArgs, readUpEvents } from "../../../fleet/run/leanUp";

const STACK_URN = "urn:pulumi:acct::access-analyzer::pulumi:pulumi:Stack::access-analyzer-acct";

function stackOutputs(outputs: Record<string, unknown>): EngineEvent {
  return {
    sequence: 5,
    timestamp: 0,
    resOutputsEvent: {
      metadata: {
        op: "same",
        urn: STACK_URN,
        type: "pulumi:pulumi:Stack",
        new: { type: "pulumi:pulumi:Stack", urn: STACK_URN, outputs },
        provider: "",
      },
    },
  } as unknown as EngineEvent;
}

function summary(resourceChanges: Record<string, number>): EngineEvent {
  return {
    sequence: 9,
    timestamp: 0,
    summaryEvent: { maybeCorrupt: false, durationSeconds: 1, resourceChanges, PolicyPacks: {} },
  } as unknown as EngineEvent;
}

/** A child resource's outputs event: must not be taken for the stack's. */
const childOutputs = {
  sequence: 4,
  timestamp: 0,
  resOutputsEvent: {
    metadata: {
      op: "same",
      urn: "urn:pulumi:acct::access-analyzer::aws:accessanalyzer/analyzer:Analyzer::a",
      type: "aws:accessanalyzer/analyzer:Analyzer",
      new: { outputs: { arn: "arn:child" } },
    },
  },
} as unknown as EngineEvent;

describe("fleet up without the Automation API's after-work (leanUp)", () => {
  it("reads the change counts and the stack's outputs from the event log", () => {
    const read = readUpEvents([
      childOutputs,
      stackOutputs({ regions: ["eu-west-1"], analyzerArns: { "eu-west-1": "arn:a" } }),
      summary({ same: 4 }),
    ]);
    assert.deepStrictEqual(read.resourceChanges, { same: 4 });
    assert.deepStrictEqual(read.outputs, {
      regions: { value: ["eu-west-1"], secret: false },
      analyzerArns: { value: { "eu-west-1": "arn:a" }, secret: false },
    });
  });

  it("gives no outputs when one is a masked secret, and none when the log lacks them", () => {
    const masked = readUpEvents([stackOutputs({ regions: ["eu-west-1"], x: "[secret]" })]);
    assert.strictEqual(masked.outputs, undefined);
    assert.deepStrictEqual(readUpEvents([childOutputs, summary({ update: 1 })]), {
      resourceChanges: { update: 1 },
    });
  });

  it("passes the call's options as Stack.up() does, with the event log", () => {
    assert.deepStrictEqual(
      leanUpArgs(
        {
          refresh: true,
          exclude: ["urn:a", "urn:b"],
          excludeDependents: true,
          parallel: 4,
          color: "never",
        },
        "/tmp/e.jsonl",
      ),
      [
        "up",
        "--yes",
        "--skip-preview",
        "--refresh",
        "--exclude",
        "urn:a",
        "--exclude",
        "urn:b",
        "--exclude-dependents",
        "--parallel",
        "4",
        "--color",
        "never",
        "--exec-kind",
        "auto.local",
        "--event-log",
        "/tmp/e.jsonl",
      ],
    );
    assert.deepStrictEqual(leanUpArgs({}, "/l").slice(0, 4), [
      "up",
      "--yes",
      "--skip-preview",
      "--exec-kind",
    ]);
  });

  /** A stack whose CLI writes `events` to the event log; counts the CLI reads after it. */
  function fakeStack(events: EngineEvent[], fail?: Error) {
    const calls = { run: [] as string[][], outputs: 0, info: 0, up: 0, logs: [] as string[] };
    const pulumiCommand = {
      command: "pulumi",
      run: (args: string[]) => {
        calls.run.push(args);
        const log = args[args.indexOf("--event-log") + 1];
        calls.logs.push(log);
        fs.writeFileSync(log, events.map((e) => JSON.stringify(e)).join("\n") + "\n");
        return fail ? Promise.reject(fail) : Promise.resolve({});
      },
    };
    const stack = {
      name: "acct-1",
      workspace: { workDir: "/w", envVars: { A: "1" }, pulumiCommand },
      outputs: () => {
        calls.outputs++;
        return Promise.resolve({ regions: { value: ["from-cli"], secret: false } });
      },
      info: () => {
        calls.info++;
        return Promise.resolve({ resourceChanges: { same: 1 } });
      },
      up: () => {
        calls.up++;
        return Promise.resolve({ summary: {}, outputs: {} });
      },
    } as unknown as Stack;
    return { stack, calls };
  }

  it("runs one CLI command when the log holds the result, and removes the log", async () => {
    const { stack, calls } = fakeStack([
      stackOutputs({ regions: ["eu-west-1"] }),
      summary({ same: 3 }),
    ]);
    const result = await leanUp(stack, { color: "never" });
    assert.deepStrictEqual(result, {
      summary: { resourceChanges: { same: 3 } },
      outputs: { regions: { value: ["eu-west-1"], secret: false } },
    });
    assert.strictEqual(calls.run.length, 1);
    assert.deepStrictEqual(calls.run[0].slice(-2), ["--stack", "acct-1"]);
    assert.deepStrictEqual([calls.outputs, calls.info, calls.up], [0, 0, 0]);
    assert.strictEqual(fs.existsSync(calls.logs[0]), false);
  });

  it("hands every event of the log to onEvent, in order (the archive rules an up changed)", async () => {
    const events = [stackOutputs({ regions: ["eu-west-1"] }), summary({ create: 1 })];
    const { stack } = fakeStack(events);
    const seen: EngineEvent[] = [];
    await leanUp(stack, { onEvent: (e) => seen.push(e) });
    assert.deepStrictEqual(seen, events);
  });

  it("reads the outputs and counts with the CLI when the log lacks them or masks a secret", async () => {
    const { stack, calls } = fakeStack([stackOutputs({ k: "[secret]" })]);
    const result = await leanUp(stack, {});
    assert.deepStrictEqual(result, {
      summary: { resourceChanges: { same: 1 } },
      outputs: { regions: { value: ["from-cli"], secret: false } },
    });
    assert.deepStrictEqual([calls.outputs, calls.info], [1, 1]);
  });

  it("throws the CLI's error and still removes the log", async () => {
    const { stack, calls } = fakeStack([], new Error("the stack is currently locked by 1 lock(s)"));
    await assert.rejects(leanUp(stack, {}), /currently locked/);
    assert.strictEqual(fs.existsSync(calls.logs[0]), false);
  });

  it("is Stack.up() when the installed Automation API has no PulumiCommand.run", async () => {
    const { stack, calls } = fakeStack([]);
    delete (stack.workspace.pulumiCommand as { run?: unknown }).run;
    await leanUp(stack, {});
    assert.deepStrictEqual([calls.up, calls.run.length], [1, 0]);
  });

  it("reads a stack step without new outputs as a stack with no outputs", () => {
    const bare = stackOutputs({});
    delete (bare.resOutputsEvent!.metadata as { new?: unknown }).new;
    assert.deepStrictEqual(readUpEvents([bare]), { outputs: {} });
  });

  it("runs the CLI in the workspace with its environment, PULUMI_HOME and command logging, and removes its temp folder", async () => {
    const { stack, calls } = fakeStack([summary({ same: 1 }), stackOutputs({})]);
    const seen: { cwd: string; env: Record<string, string> }[] = [];
    const command = stack.workspace.pulumiCommand as unknown as {
      run: (...a: unknown[]) => unknown;
    };
    const run = command.run;
    command.run = (args: unknown, cwd: unknown, env: unknown, ...rest: unknown[]) => {
      seen.push({ cwd: cwd as string, env: env as Record<string, string> });
      return run(args, cwd, env, ...rest);
    };
    Object.assign(stack.workspace, { pulumiHome: "/home/p" });
    await leanUp(stack, {});
    assert.deepStrictEqual(seen, [
      { cwd: "/w", env: { PULUMI_DEBUG_COMMANDS: "true", PULUMI_HOME: "/home/p", A: "1" } },
    ]);
    const dir = path.dirname(calls.logs[0]);
    assert.match(path.basename(dir), /^aa-fleet-up-/);
    assert.strictEqual(fs.existsSync(dir), false);
  });

  it("skips blank lines in the event log, and gives no counts when neither the log nor the CLI has them", async () => {
    const { stack } = fakeStack([stackOutputs({ regions: ["eu-west-1"] })]);
    const command = stack.workspace.pulumiCommand as unknown as {
      run: (args: string[]) => unknown;
    };
    const run = command.run;
    command.run = async (args: string[]) => {
      await run(args);
      const log = args[args.indexOf("--event-log") + 1];
      fs.writeFileSync(log, "\n   \n" + fs.readFileSync(log, "utf8") + "\n\n");
    };
    Object.assign(stack, { info: () => Promise.resolve(undefined) });
    assert.deepStrictEqual(await leanUp(stack, {}), {
      summary: {},
      outputs: { regions: { value: ["eu-west-1"], secret: false } },
    });
  });
});
