import * as assert from "assert";
import { Mutex, runAll } from "../../../fleet/domain/scheduler";

interface R {
  id: number;
  ok: boolean;
  how: "ran" | "threw" | "skipped";
  reason?: string;
}

const options = {
  isFailure: (r: R) => !r.ok,
  onError: (id: number): R => ({ id, ok: false, how: "threw" }),
  onSkip: (id: number, reason: string): R => ({ id, ok: true, how: "skipped", reason }),
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("fleet scheduler", () => {
  it("never has more than `concurrency` items in flight, and uses all of it", async () => {
    for (const concurrency of [1, 2, 3, 5]) {
      let inFlight = 0;
      let max = 0;
      const items = Array.from({ length: 12 }, (_, i) => i);
      await runAll(
        items,
        async (id) => {
          inFlight++;
          max = Math.max(max, inFlight);
          await sleep(1 + ((id * 7) % 5));
          inFlight--;
          return { id, ok: true, how: "ran" as const };
        },
        { ...options, concurrency },
      );
      assert.strictEqual(max, concurrency, `concurrency ${concurrency}`);
    }
  });

  it("starts items in input order and returns results in input order", async () => {
    const started: number[] = [];
    const { results } = await runAll(
      [0, 1, 2, 3, 4, 5],
      async (id) => {
        started.push(id);
        await sleep(id % 2 === 0 ? 8 : 1); // finish out of order
        return { id, ok: true, how: "ran" as const };
      },
      { ...options, concurrency: 3 },
    );
    assert.deepStrictEqual(started, [0, 1, 2, 3, 4, 5]);
    assert.deepStrictEqual(
      results.map((r) => r.id),
      [0, 1, 2, 3, 4, 5],
    );
  });

  it("stops starting items after N failures and reports the rest as skipped", async () => {
    const ran: number[] = [];
    const outcome = await runAll(
      [0, 1, 2, 3, 4, 5, 6],
      (id) => {
        ran.push(id);
        return Promise.resolve({ id, ok: id !== 1 && id !== 2, how: "ran" as const });
      },
      { ...options, concurrency: 1, failureTolerance: 2 },
    );
    assert.deepStrictEqual(ran, [0, 1, 2]);
    assert.strictEqual(outcome.failures, 2);
    assert.strictEqual(outcome.stoppedBy, "failure-tolerance");
    assert.deepStrictEqual(
      outcome.results.map((r) => r.how),
      ["ran", "ran", "ran", "skipped", "skipped", "skipped", "skipped"],
    );
  });

  it("keeps going after failures when no tolerance is set (one account never stops the others)", async () => {
    const outcome = await runAll(
      [0, 1, 2, 3],
      (id) => Promise.resolve({ id, ok: false, how: "ran" as const }),
      { ...options, concurrency: 2 },
    );
    assert.strictEqual(outcome.failures, 4);
    assert.strictEqual(outcome.stoppedBy, undefined);
  });

  it("turns a runner that throws into that item's result and runs the others", async () => {
    const { results } = await runAll(
      [0, 1, 2],
      (id) => {
        if (id === 1) return Promise.reject(new Error("boom"));
        return Promise.resolve({ id, ok: true, how: "ran" as const });
      },
      { ...options, concurrency: 2 },
    );
    assert.deepStrictEqual(
      results.map((r) => r.how),
      ["ran", "threw", "ran"],
    );
  });

  it("on abort, hands the signal to in-flight runners, starts nothing new and still returns every result", async () => {
    const controller = new AbortController();
    const sawAbort: number[] = [];
    const promise = runAll(
      [0, 1, 2, 3, 4],
      (id, signal) =>
        new Promise<R>((resolve) => {
          signal?.addEventListener("abort", () => {
            sawAbort.push(id);
            resolve({ id, ok: false, how: "ran" });
          });
        }),
      { ...options, concurrency: 2, signal: controller.signal },
    );
    await sleep(5);
    controller.abort();
    const outcome = await promise;
    assert.deepStrictEqual(sawAbort.sort(), [0, 1]);
    assert.strictEqual(outcome.stoppedBy, "aborted");
    assert.deepStrictEqual(
      outcome.results.map((r) => r.reason),
      [undefined, undefined, "aborted", "aborted", "aborted"],
    );
  });

  it("rejects a concurrency below 1", async () => {
    await assert.rejects(
      runAll([1], (id) => Promise.resolve({ id, ok: true, how: "ran" as const }), {
        ...options,
        concurrency: 0,
      }),
      RangeError,
    );
  });

  it("runs mutex holders one at a time, first come first served, even when one fails", async () => {
    const mutex = new Mutex();
    let holders = 0;
    let max = 0;
    const order: number[] = [];
    const hold = (id: number, fail = false) =>
      mutex.run(async () => {
        holders++;
        max = Math.max(max, holders);
        await sleep(3 - (id % 3));
        order.push(id);
        holders--;
        if (fail) throw new Error("select failed");
        return id;
      });
    const settled = await Promise.allSettled([hold(0), hold(1, true), hold(2), hold(3)]);
    assert.strictEqual(max, 1);
    assert.deepStrictEqual(order, [0, 1, 2, 3]);
    assert.strictEqual(settled[1].status, "rejected");
    assert.strictEqual(settled[3].status, "fulfilled");
  });
});
