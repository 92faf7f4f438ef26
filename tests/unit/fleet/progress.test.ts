import * as assert from "assert";
import { estimateRemainingMs, formatRemaining, progressLine } from "../../../fleet/domain/progress";

const MIN = 60_000;

describe("fleet progress line", () => {
  it("has no estimate before the first target finishes", () => {
    assert.strictEqual(
      estimateRemainingMs({ finishedMs: [], runningMs: [MIN], queued: 3, slots: 2 }),
      undefined,
    );
  });

  it("runs the queue one at a time on one slot", () => {
    // 10 done at 30 s each, 30 queued, nothing running: 30 × 30 s = 15 min.
    assert.strictEqual(
      estimateRemainingMs({
        finishedMs: Array<number>(10).fill(30_000),
        runningMs: [],
        queued: 30,
        slots: 1,
      }),
      15 * MIN,
    );
  });

  it("divides the queue among the slots: 24 stacks at concurrency 8 after the first finished", () => {
    // The run: stacks of ~100 s, 8 at a time. When the first ends, the other 7 of the first
    // wave are about done and 16 wait: two more waves of 100 s, not 23 × 100 s.
    const estimate = estimateRemainingMs({
      finishedMs: [100_000],
      runningMs: Array<number>(7).fill(100_000),
      queued: 16,
      slots: 8,
    });
    assert.strictEqual(estimate, 200_000);
  });

  it("counts what the running stacks still need, and the longest slot decides", () => {
    // Mean 60 s; one ran 10 s (50 s left), one 50 s (10 s left); 3 queued over 2 slots:
    // slot A 10 → 70 → 130, slot B 50 → 110. The last slot frees at 130 s.
    assert.strictEqual(
      estimateRemainingMs({
        finishedMs: [40_000, 80_000],
        runningMs: [10_000, 50_000],
        queued: 3,
        slots: 2,
      }),
      130_000,
    );
  });

  it("expects a stack running past the mean to end any moment, and nothing queued to cost nothing", () => {
    assert.strictEqual(
      estimateRemainingMs({ finishedMs: [MIN], runningMs: [5 * MIN], queued: 0, slots: 4 }),
      0,
    );
  });

  it("uses at least as many slots as are running, and at least one", () => {
    assert.strictEqual(
      estimateRemainingMs({ finishedMs: [MIN], runningMs: [0, 0, 0], queued: 3, slots: 1 }),
      2 * MIN,
    );
    assert.strictEqual(
      estimateRemainingMs({ finishedMs: [MIN], runningMs: [], queued: 2, slots: 0 }),
      2 * MIN,
    );
  });

  it("writes minutes, hours with minutes, and under a minute", () => {
    assert.strictEqual(formatRemaining(20_000), "<1 min");
    assert.strictEqual(formatRemaining(14 * MIN + 10_000), "~14 min");
    assert.strictEqual(formatRemaining(125 * MIN), "~2 h 05 min");
  });

  it("says done/total, failures so far and the estimate", () => {
    assert.strictEqual(
      progressLine({ done: 12, total: 340, failed: 2, remainingMs: 14 * MIN }),
      "[12/340] 2 failed, ~14 min left",
    );
    assert.strictEqual(
      progressLine({ done: 340, total: 340, failed: 0, remainingMs: 0 }),
      "[340/340] 0 failed, all done",
    );
    assert.strictEqual(
      progressLine({ done: 0, total: 3, failed: 0, remainingMs: undefined }),
      "[0/3] 0 failed, estimating",
    );
  });
});
