import * as assert from "node:assert/strict";

import { median } from "../../scripts/benchStats";

describe("the bench's median (scripts/benchStats.ts)", () => {
  it("is the middle value of an odd count, whatever the order", () => {
    assert.equal(median([9, 1, 5]), 5);
    assert.equal(median([3]), 3);
  });

  it("is the mean of the two middle values of an even count, never the larger one", () => {
    assert.equal(median([2, 4]), 3);
    assert.equal(median([10, 1, 7, 3]), 5);
  });

  it("is 0 for no values", () => {
    assert.equal(median([]), 0);
  });
});
