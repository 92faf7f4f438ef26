import * as assert from "assert";
import type { StackResult } from "../../../fleet/domain/results";
import { TargetRun, type ScheduleTargetsOptions } from "../../../fleet/flows/targetRun";
import type { Target } from "../../../fleet/settings/schema";
import { result, target, targets } from "./helpers";

/** Options for one schedule: one at a time, never stopped, start/end lines naming the account. */
function options(extra: Partial<ScheduleTargetsOptions> = {}): ScheduleTargetsOptions {
  return {
    concurrency: 1,
    stop: new AbortController().signal,
    startLine: (t) => `start ${t.accountId}`,
    endLine: (t, r) => `end ${t.accountId} ${r.outcome}`,
    ...extra,
  };
}

function schedule(
  ts: readonly Target[],
  run: (t: Target) => Promise<StackResult>,
  extra: Partial<ScheduleTargetsOptions> = {},
) {
  const lines: string[] = [];
  const tr = new TargetRun(
    ts,
    "up",
    (l) => lines.push(l),
    (t) => t.replace(/SECRET/g, "***"),
  );
  return { tr, lines, results: tr.schedule(run, options(extra)) };
}

describe("TargetRun (fleet/targetRun)", () => {
  it("ends each end line with the progress, from the injected clock, when more than one target runs", async () => {
    let clock = 1_700_000_000_000;
    const [a, b] = targets(2);
    const { lines, results } = schedule(
      [a, b],
      (t) => {
        clock += 60_000;
        return Promise.resolve(result(t, "up", t === a ? "failed" : "succeeded"));
      },
      { now: () => clock },
    );
    await results;
    assert.deepStrictEqual(lines, [
      `start ${a.accountId}`,
      `end ${a.accountId} failed | [1/2] 1 failed, ~1 min left`,
      `start ${b.accountId}`,
      `end ${b.accountId} succeeded | [2/2] 1 failed, all done`,
    ]);
  });

  it("estimates the time left from the stacks running at once, not one after another", async () => {
    // a and b start together; a ends after 60 s with b as far along: c and d then take one more
    // minute side by side (a plain rate, 60 s × 3 left, would say 3 minutes).
    let clock = 0;
    const release = new Map<string, () => void>();
    const ts = targets(4);
    const { lines, results } = schedule(
      ts,
      (t) =>
        new Promise<StackResult>((resolve) =>
          release.set(t.accountId, () => resolve(result(t, "up", "succeeded"))),
        ),
      { now: () => clock, concurrency: 2 },
    );
    const finish = async (t: Target) => {
      release.get(t.accountId)!();
      await new Promise((r) => setImmediate(r));
    };
    await new Promise((r) => setImmediate(r));
    clock = 60_000;
    await finish(ts[0]);
    assert.strictEqual(
      lines.at(-2),
      `end ${ts[0].accountId} succeeded | [1/4] 0 failed, ~1 min left`,
    );
    for (const t of ts.slice(1)) await finish(t);
    await results;
    assert.match(lines.at(-1)!, /\| \[4\/4\] 0 failed, all done$/);
  });

  it("says no progress line for a single target, nor without a clock", async () => {
    const one = schedule(
      [target("111122223333")],
      (t) => Promise.resolve(result(t, "up", "succeeded")),
      {
        now: () => 0,
      },
    );
    await one.results;
    assert.deepStrictEqual(one.lines, ["start 111122223333", "end 111122223333 succeeded"]);
    const noClock = schedule(targets(2), (t) => Promise.resolve(result(t, "up", "succeeded")));
    assert.deepStrictEqual(
      (await noClock.results).map((r) => r.outcome),
      ["succeeded", "succeeded"],
    );
    assert.ok(
      noClock.lines.every((l) => !l.includes("[")),
      noClock.lines.join("\n"),
    );
  });

  it("turns a runner that throws into a failed result with a redacted internal error", async () => {
    const { results } = schedule([target("111122223333")], () =>
      Promise.reject(new Error("boom SECRET")),
    );
    const [r] = await results;
    assert.strictEqual(r.outcome, "failed");
    assert.strictEqual(r.error, "internal error: Error: boom ***");
  });

  it("skips the targets left once --failure-tolerance is reached, and says why", async () => {
    const ts = targets(3);
    const { lines, results } = schedule(ts, (t) => Promise.resolve(result(t, "up", "failed")), {
      failureTolerance: 1,
      now: () => 0,
    });
    const rs = await results;
    assert.deepStrictEqual(
      rs.map((r) => r.outcome),
      ["failed", "skipped", "skipped"],
    );
    assert.strictEqual(
      rs[1].skippedReason,
      "not started: 1 failure(s) reached --failure-tolerance",
    );
    // A skipped target says no end line (nor the progress at its end).
    assert.deepStrictEqual(
      lines.filter((l) => l.startsWith("end")),
      [`end ${ts[0].accountId} failed | [1/3] 1 failed, <1 min left`],
    );
    assert.strictEqual(lines.filter((l) => l.includes("[")).length, 1);
  });

  it("runs every target when no --failure-tolerance is given", async () => {
    const { results } = schedule(targets(3), (t) => Promise.resolve(result(t, "up", "failed")));
    assert.deepStrictEqual(
      (await results).map((r) => r.outcome),
      ["failed", "failed", "failed"],
    );
  });

  it("skips every target once stopped, as aborted before it started", async () => {
    const stop = new AbortController();
    stop.abort();
    const { results } = schedule(targets(2), (t) => Promise.resolve(result(t, "up", "succeeded")), {
      stop: stop.signal,
    });
    const rs = await results;
    assert.deepStrictEqual(
      rs.map((r) => [r.outcome, r.skippedReason]),
      [
        ["skipped", "run aborted before it started"],
        ["skipped", "run aborted before it started"],
      ],
    );
  });

  it("passes the memory budget on: a target costing the whole budget runs alone", async () => {
    let inFlight = 0;
    let peak = 0;
    const run = async (t: Target) => {
      peak = Math.max(peak, ++inFlight);
      await new Promise((r) => setTimeout(r, 2));
      inFlight--;
      return result(t, "up", "succeeded");
    };
    const budgeted = schedule(targets(3), run, {
      concurrency: 3,
      budget: { limit: 10, cost: () => 10 },
    });
    await budgeted.results;
    assert.strictEqual(peak, 1);
    peak = 0;
    await schedule(targets(3), run, { concurrency: 3 }).results;
    assert.strictEqual(peak, 3);
  });

  it("reports, when abandoned, finished results as they are, started ones aborted, the rest skipped", async () => {
    const [a, b, c] = targets(3);
    let release: () => void = () => undefined;
    const held = new Promise<void>((r) => (release = r));
    const { tr, results } = schedule(
      [a, b, c],
      async (t) => {
        if (t === b) await held;
        return result(t, "up", "succeeded");
      },
      { concurrency: 1 },
    );
    await new Promise((r) => setTimeout(r, 5));
    const abandoned = tr.abandonedResults("still running when the run was stopped");
    release();
    await results;
    assert.deepStrictEqual(
      abandoned.map((r) => [r.accountId, r.outcome, r.error ?? r.skippedReason]),
      [
        [a.accountId, "succeeded", undefined],
        [b.accountId, "aborted", "still running when the run was stopped"],
        [c.accountId, "skipped", "run aborted before it started"],
      ],
    );
  });
});
