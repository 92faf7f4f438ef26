import * as assert from "assert";
import { filterTargets, selectTargets, shardTargets } from "../../../fleet/domain/targets";
import { UsageError } from "../../../fleet/domain/errors";
import { target, targets } from "./helpers";

describe("fleet targets", () => {
  describe("shards", () => {
    const fleet = [...targets(23)].reverse(); // file order differs from id order on purpose

    for (let n = 1; n <= 7; n++) {
      it(`puts every account in exactly one of ${n} shard(s), with sizes within one`, () => {
        const seen = new Map<string, number>();
        const sizes: number[] = [];
        for (let k = 1; k <= n; k++) {
          const shard = shardTargets(fleet, { index: k, count: n });
          sizes.push(shard.length);
          for (const t of shard) {
            assert.ok(
              !seen.has(t.accountId),
              `${t.accountId} in shards ${seen.get(t.accountId)} and ${k}`,
            );
            seen.set(t.accountId, k);
          }
        }
        assert.strictEqual(seen.size, fleet.length);
        assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1, `sizes ${sizes.join(",")}`);
      });
    }

    it("is deterministic and independent of the file order", () => {
      const a = shardTargets(fleet, { index: 2, count: 3 })
        .map((t) => t.accountId)
        .sort();
      const b = shardTargets([...fleet].reverse(), { index: 2, count: 3 })
        .map((t) => t.accountId)
        .sort();
      assert.deepStrictEqual(a, b);
      assert.deepStrictEqual(
        shardTargets(fleet, { index: 2, count: 3 }),
        shardTargets(fleet, { index: 2, count: 3 }),
      );
    });

    it("deals the accounts in id order: shard K of N holds the K-th, (K+N)-th, … smallest ids", () => {
      const shuffled = [
        "500000000000",
        "100000000000",
        "400000000000",
        "200000000000",
        "300000000000",
      ];
      const fleetOf = shuffled.map((id) => target(id));
      assert.deepStrictEqual(
        shardTargets(fleetOf, { index: 1, count: 2 }).map((t) => t.accountId),
        ["500000000000", "100000000000", "300000000000"],
      );
      assert.deepStrictEqual(
        shardTargets(fleetOf, { index: 2, count: 2 }).map((t) => t.accountId),
        ["400000000000", "200000000000"],
      );
    });

    it("keeps the fleet file's order inside a shard", () => {
      const shard = shardTargets(fleet, { index: 1, count: 2 });
      const positions = shard.map((t) => fleet.indexOf(t));
      assert.deepStrictEqual(
        positions,
        [...positions].sort((x, y) => x - y),
      );
    });
  });

  describe("--accounts", () => {
    const fleet = [
      target("111122223333", "prod-eu"),
      target("444455556666", "dev"),
      target("777788889999"),
    ];

    it("selects by id or by name (any case), in fleet-file order", () => {
      const chosen = filterTargets(fleet, ["777788889999", "PROD-EU"]);
      assert.deepStrictEqual(
        chosen.map((t) => t.accountId),
        ["111122223333", "777788889999"],
      );
    });

    it("rejects names and ids that are not in the fleet file", () => {
      assert.throws(
        () => filterTargets(fleet, ["dev", "qa", "000000000000"]),
        /"qa", "000000000000"/,
      );
    });

    it("rejects an account of the fleet that is outside the shard only by leaving it out, not as unknown", () => {
      const chosen = selectTargets(fleet, {
        accounts: ["dev", "prod-eu"],
        shard: { index: 1, count: 3 },
      });
      assert.deepStrictEqual(
        chosen.map((t) => t.accountId),
        ["111122223333"],
      );
      assert.throws(
        () => selectTargets(fleet, { accounts: ["qa"], shard: { index: 1, count: 3 } }),
        UsageError,
      );
    });
    it("deals shards over the whole fleet, not over the --accounts subset", () => {
      // Whole fleet sorted: 111… → shard 1, 444… (dev) → shard 2, 777… → shard 3. Dealt over the
      // subset [dev, 777…] instead, shard 2 would hold 777….
      const chosen = selectTargets(fleet, {
        accounts: ["dev", "777788889999"],
        shard: { index: 2, count: 3 },
      });
      assert.deepStrictEqual(
        chosen.map((t) => t.accountId),
        ["444455556666"],
      );
    });
  });
});
