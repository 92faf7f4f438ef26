import * as assert from "assert";
import { estimateRemainingMs, formatRemaining, progressLine } from "../../../fleet/domain/progress";

describe("fleet progress line", () => {
  it("estimates the time left from the pace so far", () => {
    // 10 done in 5 minutes: 30 s each, 30 left → 15 minutes.
    assert.strictEqual(estimateRemainingMs(10, 40, 300_000), 900_000);
    assert.strictEqual(estimateRemainingMs(40, 40, 300_000), 0);
  });

  it("has no estimate before the first target finishes", () => {
    assert.strictEqual(estimateRemainingMs(0, 40, 300_000), undefined);
  });

  it("writes minutes, hours with minutes, and under a minute", () => {
    assert.strictEqual(formatRemaining(20_000), "<1 min");
    assert.strictEqual(formatRemaining(14 * 60_000 + 10_000), "~14 min");
    assert.strictEqual(formatRemaining(125 * 60_000), "~2 h 05 min");
  });

  it("says done/total, failures so far and the estimate", () => {
    assert.strictEqual(
      progressLine({ done: 12, total: 340, failed: 2, elapsedMs: 30_000 }),
      "[12/340] 2 failed, ~14 min left",
    );
    assert.strictEqual(
      progressLine({ done: 340, total: 340, failed: 0, elapsedMs: 1 }),
      "[340/340] 0 failed, all done",
    );
    assert.strictEqual(
      progressLine({ done: 0, total: 3, failed: 0, elapsedMs: 0 }),
      "[0/3] 0 failed, estimating",
    );
  });
});
