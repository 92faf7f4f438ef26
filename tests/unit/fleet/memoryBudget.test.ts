import * as assert from "assert";

import { planMemory, pluginsPerStack, stackMemoryBytes } from "../../../fleet/domain/memoryBudget";
import { runAll } from "../../../fleet/domain/scheduler";
import type { AnalyzerSettings, Target } from "../../../fleet/settings/schema";
import { target, targets } from "./helpers";

const MiB = 1024 ** 2;
const GiB = 1024 ** 3;

function withSettings(accountId: string, settings: AnalyzerSettings): Target {
  return { ...target(accountId), settings };
}

describe("fleet memory budget", () => {
  describe("plugin processes per stack", () => {
    it("counts one per region plus the lookup, 17 regions for accounts that discover theirs", () => {
      assert.strictEqual(pluginsPerStack({}), 18);
      assert.strictEqual(
        pluginsPerStack({
          regions: ["us-east-1", "eu-west-1", "eu-west-2"],
          excludeRegions: ["eu-west-2"],
        }),
        3,
      );
      assert.strictEqual(pluginsPerStack({ regions: ["us-east-1", "eu-west-1"] }), 3);
    });

    it("counts one in single provider mode, whatever the regions", () => {
      assert.strictEqual(pluginsPerStack({ providerMode: "single" }), 1);
      assert.strictEqual(pluginsPerStack({ providerMode: "single", regions: ["us-east-1"] }), 1);
    });

    it("costs plugins × plugin memory + 400 MiB", () => {
      assert.strictEqual(stackMemoryBytes({}, 430 * MiB), (18 * 430 + 400) * MiB);
      assert.strictEqual(stackMemoryBytes({ providerMode: "single" }, 100 * MiB), 500 * MiB);
    });
  });

  describe("the run's plan", () => {
    it("defaults to min(free, 75% of total) and fits the smallest stacks: 2 per-region stacks in 18 GiB", () => {
      const plan = planMemory({
        memory: { total: 24 * GiB, free: 23 * GiB },
        targets: targets(50),
      });
      assert.strictEqual(plan.budgetBytes, 18 * GiB);
      assert.strictEqual(plan.concurrency, 2);
      assert.strictEqual(plan.maxPluginsPerStack, 18);
      assert.match(plan.reason, /memory budget 18432 MiB \(min\(free, 75% of total\)\)/);
      assert.match(plan.reason, /430 MiB per plugin \(real plugin worst case\)/);
      assert.match(plan.reason, /concurrency 2 \(2 smallest stack\(s\) fit, at most 8\)/);
    });

    it("fits 2 one-region stacks (2 × 430 + 400 MiB each) in a 3 GiB budget", () => {
      const oneRegion = targets(50).map((t) =>
        withSettings(t.accountId, { regions: ["us-east-1"] }),
      );
      const plan = planMemory({ memory: { total: 4 * GiB, free: 4 * GiB }, targets: oneRegion });
      assert.strictEqual(plan.budgetBytes, 3 * GiB);
      assert.strictEqual(plan.concurrency, 2);
    });

    it("lets free memory limit the budget when it is below 75% of total", () => {
      const plan = planMemory({ memory: { total: 64 * GiB, free: 9 * GiB }, targets: targets(50) });
      assert.strictEqual(plan.budgetBytes, 9 * GiB);
      assert.strictEqual(plan.concurrency, 1);
    });

    it("fits 8 single-mode stacks (the cap) where only 2 per-region ones fit", () => {
      const single = targets(50).map((t) => withSettings(t.accountId, { providerMode: "single" }));
      const plan = planMemory({ memory: { total: 24 * GiB, free: 23 * GiB }, targets: single });
      assert.strictEqual(plan.concurrency, 8);
      assert.strictEqual(plan.maxPluginsPerStack, 1);
    });

    it("takes --memory-budget, --plugin-memory and --concurrency as given, and says so", () => {
      const plan = planMemory({
        memory: { total: 1 * GiB, free: 0.1 * GiB },
        targets: targets(5),
        concurrency: 4,
        budgetBytes: 4 * GiB,
        pluginMemoryBytes: 70 * MiB,
      });
      assert.strictEqual(plan.budgetBytes, 4 * GiB);
      assert.strictEqual(plan.pluginMemoryBytes, 70 * MiB);
      assert.strictEqual(plan.concurrency, 4);
      assert.match(plan.reason, /\(--memory-budget\).*\(--plugin-memory\).*\(--concurrency\)/);
    });

    it("is at least 1 and never more than the stacks to run", () => {
      assert.strictEqual(
        planMemory({ memory: { total: 1 * GiB, free: 0.1 * GiB }, targets: targets(5) })
          .concurrency,
        1,
      );
      const roomy = { total: 256 * GiB, free: 256 * GiB };
      assert.strictEqual(planMemory({ memory: roomy, targets: targets(3) }).concurrency, 3);
      assert.strictEqual(planMemory({ memory: roomy, targets: [] }).concurrency, 1);
    });
  });

  describe("admission by the scheduler", () => {
    /** Runs items of the given costs; returns the highest total cost and count seen in flight. */
    async function peaks(costs: number[], concurrency: number, limit: number) {
      let cost = 0;
      let count = 0;
      const peak = { cost: 0, count: 0 };
      const order: number[] = [];
      await runAll(
        costs.map((c, i) => ({ c, i })),
        async (item) => {
          cost += item.c;
          count++;
          order.push(item.i);
          peak.cost = Math.max(peak.cost, cost);
          peak.count = Math.max(peak.count, count);
          await new Promise((r) => setTimeout(r, 5));
          cost -= item.c;
          count--;
          return "ok";
        },
        {
          concurrency,
          budget: { limit, cost: (item) => item.c },
          isFailure: () => false,
          onError: () => "error",
          onSkip: () => "skipped",
        },
      );
      return { ...peak, order };
    }

    it("keeps the cost in flight within the budget whatever the concurrency", async () => {
      const result = await peaks([3, 3, 3, 3, 3, 3], 6, 7);
      assert.strictEqual(result.cost, 6);
      assert.strictEqual(result.count, 2);
    });

    it("runs a stack bigger than the whole budget alone, and every stack still runs", async () => {
      const result = await peaks([2, 10, 2], 3, 5);
      assert.strictEqual(result.order.length, 3);
      assert.ok(result.cost <= 10, "the big one ran alone");
      assert.notStrictEqual(result.cost, 12);
      assert.notStrictEqual(result.cost, 14);
    });

    it("still honours concurrency when the budget is roomy", async () => {
      const result = await peaks([1, 1, 1, 1, 1], 2, 100);
      assert.strictEqual(result.count, 2);
    });
  });
});
