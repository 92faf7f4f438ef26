import * as assert from "assert";
import { alignColumns } from "../../../fleet/report/columns";
import {
  buildReport,
  exitCodeFor,
  failedResult,
  orphanedResult,
  skippedResult,
  totalsOf,
} from "../../../fleet/domain/results";
import {
  countChanges,
  EXIT,
  hasChanges,
  isFailure,
  noChanges,
} from "../../../fleet/domain/outcomes";
import { firstLine, formatDuration } from "../../../fleet/domain/text";
import { formatOutputs, formatTable } from "../../../fleet/report/runTable";
import { result, target } from "./helpers";

const prod = target("111122223333", "prod-eu");
const dev = target("444455556666");

describe("fleet report", () => {
  it("folds the engine's operation counts into create/update/replace/delete/same", () => {
    assert.deepStrictEqual(
      countChanges({
        create: 2,
        import: 1,
        update: 1,
        replace: 1,
        "create-replacement": 1,
        "delete-replaced": 1,
        delete: 3,
        same: 7,
        read: 4,
        refresh: 9,
      }),
      { create: 3, update: 1, replace: 1, delete: 3, same: 7 },
    );
    assert.deepStrictEqual(countChanges(undefined), {
      create: 0,
      update: 0,
      replace: 0,
      delete: 0,
      same: 0,
    });
  });

  describe("exit codes", () => {
    it("is 0 when everything succeeded", () => {
      assert.strictEqual(exitCodeFor("up", [result(prod, "up", "succeeded")], false), EXIT.ok);
      assert.strictEqual(EXIT.ok, 0);
    });

    it("is 1 when any stack failed or was locked", () => {
      assert.strictEqual(
        exitCodeFor("up", [result(prod, "up", "succeeded"), result(dev, "up", "failed")], false),
        1,
      );
      assert.strictEqual(exitCodeFor("up", [result(prod, "up", "locked")], false), 1);
    });

    it("is 2 for drift (drifted or never deployed), but failures win", () => {
      assert.strictEqual(exitCodeFor("drift", [result(prod, "drift", "drifted")], false), 2);
      assert.strictEqual(exitCodeFor("drift", [result(prod, "drift", "missing")], false), 2);
      assert.strictEqual(
        exitCodeFor(
          "drift",
          [result(prod, "drift", "drifted"), result(dev, "drift", "failed")],
          false,
        ),
        1,
      );
      assert.strictEqual(exitCodeFor("destroy", [result(prod, "destroy", "missing")], false), 0);
    });

    it("is 130 when aborted, whatever else happened", () => {
      assert.strictEqual(exitCodeFor("up", [result(prod, "up", "failed")], true), 130);
    });

    it("keeps usage errors (3) apart from every run outcome", () => {
      // 0, 1, 2 (drift and noncompliant share it), 3, 4 (empty), 5 (environment), 130.
      assert.deepStrictEqual(new Set(Object.values(EXIT)).size, 7);
      assert.strictEqual(EXIT.usage, 3);
      assert.strictEqual(EXIT.empty, 4);
      assert.strictEqual(EXIT.environment, 5);
    });
  });

  it("builds the JSON report: command, times, options, totals, exit code and every result", () => {
    const results = [
      result(prod, "up", "succeeded", {
        changes: { create: 17, update: 0, replace: 0, delete: 0, same: 1 },
        regions: ["eu-west-1", "us-east-1"],
        analyzerArns: {
          "us-east-1": "arn:aws:access-analyzer:us-east-1:111122223333:analyzer/external-access",
        },
      }),
      result(dev, "up", "locked", { error: "stack is locked" }),
    ];
    const report = buildReport({
      command: "up",
      fleetFile: "fleet.yaml",
      startedAt: new Date("2026-01-01T00:00:00Z"),
      finishedAt: new Date("2026-01-01T00:01:30Z"),
      options: { concurrency: 2, refresh: false, workDir: "/w", logDir: "/w/.fleet-logs/x" },
      aborted: false,
      results,
    });
    const json = JSON.parse(JSON.stringify(report));
    assert.strictEqual(json.schemaVersion, 1);
    assert.strictEqual(json.command, "up");
    assert.strictEqual(json.startedAt, "2026-01-01T00:00:00.000Z");
    assert.strictEqual(json.finishedAt, "2026-01-01T00:01:30.000Z");
    assert.strictEqual(json.durationMs, 90000);
    assert.strictEqual(json.exitCode, 1);
    assert.strictEqual(json.totals.stacks, 2);
    assert.strictEqual(json.totals.succeeded, 1);
    assert.strictEqual(json.totals.locked, 1);
    assert.strictEqual(json.totals.create, 17);
    assert.strictEqual(json.results[0].name, "prod-eu");
    assert.deepStrictEqual(json.results[0].regions, ["eu-west-1", "us-east-1"]);
    assert.strictEqual(json.results[1].error, "stack is locked");
  });

  it("prints a table with account, stack, result, counts, regions, duration and the first error line", () => {
    const table = formatTable([
      result(prod, "up", "succeeded", {
        changes: { create: 3, update: 1, replace: 0, delete: 2, same: 5 },
        regions: ["eu-west-1", "us-east-1", "us-west-2"],
        durationMs: 65000,
      }),
      result(dev, "up", "failed", {
        error: "\nerror: AccessDenied: not authorized\nmore detail",
        durationMs: 4000,
      }),
      result(target("777788889999"), "up", "skipped", {
        skippedReason: "not started: 1 failure(s) reached --failure-tolerance",
        durationMs: 0,
      }),
    ]);
    const lines = table.split("\n");
    assert.match(
      lines[0],
      /^ACCOUNT\s+STACK\s+RESULT\s+CREATE\s+UPDATE\s+REPLACE\s+DELETE\s+SAME\s+REGIONS\s+DURATION\s+ERROR$/,
    );
    assert.match(
      lines[1],
      /^prod-eu 111122223333\s+acct-111122223333\s+succeeded\s+3\s+1\s+0\s+2\s+5\s+3\s+1m05s$/,
    );
    assert.match(
      lines[2],
      /^444455556666\s+acct-444455556666\s+failed\s+-\s+-\s+-\s+-\s+-\s+-\s+4s\s+error: AccessDenied: not authorized$/,
    );
    assert.match(lines[3], /skipped.*not started: 1 failure/);
    assert.match(
      table,
      /3 stack\(s\): 1 succeeded, 1 failed, 1 skipped; changes: \+3 ~1 ±0 -2 \(=5\)/,
    );
  });

  it("lists each stack's regions and analyzer ARNs for `outputs`", () => {
    const text = formatOutputs([
      result(prod, "outputs", "succeeded", {
        regions: ["us-east-1"],
        analyzerArns: {
          "us-east-1": "arn:aws:access-analyzer:us-east-1:111122223333:analyzer/external-access",
        },
        unusedAccessAnalyzerArn:
          "arn:aws:access-analyzer:us-east-1:111122223333:analyzer/unused-access",
      }),
    ]);
    assert.match(text, /prod-eu 111122223333 \(acct-111122223333\): succeeded/);
    assert.match(
      text,
      /us-east-1\s+arn:aws:access-analyzer:us-east-1:111122223333:analyzer\/external-access/,
    );
    assert.match(text, /unused-access\s+arn:.*analyzer\/unused-access/);
  });

  it("counts every outcome in the totals, even those at zero", () => {
    const totals = totalsOf([]);
    for (const o of [
      "succeeded",
      "drifted",
      "missing",
      "failed",
      "locked",
      "aborted",
      "skipped",
      "noncompliant",
      "stale-state",
      "orphaned",
    ] as const) {
      assert.strictEqual(totals[o], 0);
    }
  });

  it("counts every form of replacement as replace, discards as deletes, and skips missing counts", () => {
    assert.deepStrictEqual(
      countChanges({
        "import-replacement": 1,
        "read-replacement": 2,
        discard: 4,
        update: undefined,
        same: 1,
      }),
      { create: 0, update: 0, replace: 3, delete: 4, same: 1 },
    );
  });

  it("says a plan has changes when it only replaces or only deletes, not when all is the same", () => {
    assert.strictEqual(hasChanges({ ...noChanges(), replace: 1 }), true);
    assert.strictEqual(hasChanges({ ...noChanges(), delete: 1 }), true);
    assert.strictEqual(hasChanges({ ...noChanges(), same: 9 }), false);
  });

  it("a skipped target's result keeps its name and says why; a failed one carries the error; an orphan its reason", () => {
    assert.deepStrictEqual(skippedResult(prod, "up", "not started"), {
      accountId: "111122223333",
      stack: "acct-111122223333",
      operation: "up",
      outcome: "skipped",
      changes: noChanges(),
      regions: [],
      analyzerArns: {},
      durationMs: 0,
      name: "prod-eu",
      skippedReason: "not started",
    });
    assert.deepStrictEqual(orphanedResult(dev, "up", "left the organization"), {
      accountId: "444455556666",
      stack: "acct-444455556666",
      operation: "up",
      outcome: "orphaned",
      changes: noChanges(),
      regions: [],
      analyzerArns: {},
      durationMs: 0,
      orphanedReason: "left the organization",
    });
    assert.deepStrictEqual(failedResult(dev, "drift", "failed", "no credentials"), {
      accountId: "444455556666",
      stack: "acct-444455556666",
      operation: "drift",
      outcome: "failed",
      changes: noChanges(),
      regions: [],
      analyzerArns: {},
      durationMs: 0,
      error: "no credentials",
    });
  });

  it("counts failed, locked and aborted stacks as failures, and nothing else", () => {
    assert.deepStrictEqual(
      (["failed", "locked", "aborted", "skipped", "succeeded", "drifted"] as const).map(isFailure),
      [true, true, true, false, false, false],
    );
  });

  it("exits 0 for a non-compliant result outside audit", () => {
    assert.strictEqual(exitCodeFor("up", [result(prod, "up", "noncompliant")], false), EXIT.ok);
    assert.strictEqual(
      exitCodeFor("audit", [{ ...result(prod, "up", "noncompliant"), operation: "audit" }], false),
      EXIT.noncompliant,
    );
  });

  it("adds up the findings archive rules archived, and leaves the total out when none ran", () => {
    const archived = totalsOf([
      result(prod, "up", "succeeded", { archivedFindings: 2 }),
      result(dev, "up", "succeeded"),
      result(target("777788889999"), "up", "succeeded", { archivedFindings: 3 }),
    ]);
    assert.strictEqual(archived.archivedFindings, 5);
    assert.ok(!("archivedFindings" in totalsOf([result(prod, "up", "succeeded")])));
    assert.match(
      formatTable([result(prod, "up", "succeeded", { archivedFindings: 5 })]),
      /\(=0\); archive rules archived 5 existing finding\(s\)$/,
    );
  });

  it("shows an up the read proved unchanged as unchanged (verified), and counts them in the totals", () => {
    const verified = { status: "unchanged-verified" as const, detail: "verified" };
    const table = formatTable([
      result(prod, "up", "succeeded", {
        changes: { ...noChanges(), same: 4 },
        notes: [verified],
      }),
      result(dev, "up", "succeeded", { changes: { ...noChanges(), create: 1 } }),
      result(target("777788889999"), "up", "failed", { notes: [verified] }),
    ]);
    const lines = table.split("\n");
    assert.match(lines[1], /acct-111122223333\s+unchanged \(verified\)\s+0\s+0\s+0\s+0\s+4/);
    assert.match(lines[2], /acct-444455556666\s+succeeded\s+1/);
    assert.match(lines[3], /acct-777788889999\s+failed/);
    assert.match(
      table,
      /3 stack\(s\): 2 succeeded \(1 unchanged \(verified\), no engine\), 1 failed;/,
    );
  });

  it("ends the table with a blank line and the totals, which say none for no stacks", () => {
    const lines = formatTable([]).split("\n");
    assert.deepStrictEqual(lines.slice(1), ["", "0 stack(s): none; changes: +0 ~0 ±0 -0 (=0)"]);
  });

  it("shows counts for a stack that ran (drifted, or failed after changing something) and '-' for one that did not", () => {
    const lines = formatTable([
      result(prod, "drift", "drifted"),
      result(prod, "up", "succeeded"),
      result(dev, "up", "failed", { changes: { ...noChanges(), delete: 1 } }),
      result(target("777788889999"), "up", "failed", { changes: { ...noChanges(), same: 2 } }),
      result(target("123412341234"), "up", "aborted"),
    ]).split("\n");
    assert.match(lines[1], /drifted\s+0\s+0\s+0\s+0\s+0\s+-\s+1s$/);
    assert.match(lines[2], /succeeded\s+0\s+0\s+0\s+0\s+0\s+-\s+1s$/);
    assert.match(lines[3], /failed\s+0\s+0\s+0\s+1\s+0\s+-\s+1s$/);
    assert.match(lines[4], /failed\s+0\s+0\s+0\s+0\s+2\s+-\s+1s$/);
    assert.match(lines[5], /aborted\s+-\s+-\s+-\s+-\s+-\s+-\s+1s$/);
  });

  it("shows no duration for a skipped stack", () => {
    const lines = formatTable([result(prod, "up", "skipped", { durationMs: 5000 })]).split("\n");
    assert.match(lines[1], /skipped\s+-\s+-\s+-\s+-\s+-\s+-\s+-$/);
  });

  it("the error column shows the first non-blank line, trimmed and cut at 100 characters", () => {
    assert.strictEqual(firstLine("\n   \n  error: boom  \nmore"), "error: boom");
    assert.strictEqual(firstLine("\n \n"), "");
    assert.strictEqual(firstLine(undefined), "");
    assert.strictEqual(firstLine("abcdef", 5), "abcd…");
    assert.strictEqual(firstLine("abcde", 5), "abcde");
    assert.strictEqual(firstLine("x".repeat(150)), `${"x".repeat(99)}…`);
  });

  it("prints durations as seconds below a minute and as minutes and seconds from one", () => {
    assert.strictEqual(formatDuration(59_000), "59s");
    assert.strictEqual(formatDuration(60_000), "1m00s");
    assert.strictEqual(formatDuration(125_000), "2m05s");
  });

  it("aligns columns, leaving the last unpadded and no trailing blanks", () => {
    assert.deepStrictEqual(alignColumns([]), []);
    assert.deepStrictEqual(
      alignColumns([
        ["A", "BB", "C"],
        ["aaa", "", ""],
      ]),
      ["A    BB  C", "aaa"],
    );
    assert.deepStrictEqual(
      alignColumns([
        ["A", "B"],
        ["a", "long last cell"],
        ["a", "x"],
      ]),
      ["A  B", "a  long last cell", "a  x"],
    );
  });

  it("lists outputs one line each, '-' for a region without an analyzer, no unused-access line without one", () => {
    assert.strictEqual(
      formatOutputs([
        result(prod, "outputs", "succeeded", {
          regions: ["eu-west-1", "us-east-1"],
          analyzerArns: { "us-east-1": "arn:a" },
        }),
        result(dev, "outputs", "failed"),
      ]),
      [
        "prod-eu 111122223333 (acct-111122223333): succeeded",
        "  eu-west-1        -",
        "  us-east-1        arn:a",
        "444455556666 (acct-444455556666): failed",
      ].join("\n"),
    );
    assert.strictEqual(formatOutputs([]), "");
  });
});
