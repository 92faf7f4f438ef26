import * as assert from "assert";
import {
  Pacer,
  ThrottledError,
  backoffDelay,
  classifyFailure,
  sleep,
} from "../../../fleet/aws/pacing";

const named = (name: string, extra: object = {}) =>
  Object.assign(new Error(name), { name, ...extra });

describe("pacing: calls to a rate-limited API", () => {
  it("tells throttles, transient faults and answers apart", () => {
    assert.strictEqual(classifyFailure(named("TooManyRequestsException")), "throttled");
    assert.strictEqual(classifyFailure(named("ThrottlingException")), "throttled");
    assert.strictEqual(
      classifyFailure(named("Whatever", { $retryable: { throttling: true } })),
      "throttled",
    );
    assert.strictEqual(
      classifyFailure(named("ServiceException", { $metadata: { httpStatusCode: 500 } })),
      "transient",
    );
    assert.strictEqual(classifyFailure(named("Error", { code: "ECONNRESET" })), "transient");
    assert.strictEqual(classifyFailure(named("TimeoutError")), "transient");
    for (const final of [
      named("AccessDeniedException", { $metadata: { httpStatusCode: 400 } }),
      named("AbortError"),
      "a string",
    ]) {
      assert.strictEqual(classifyFailure(final), "final");
    }
  });

  it("pauses up to base × 2^(n−1), capped, scaled by the jitter", () => {
    const policy = { baseMs: 100, capMs: 1000 };
    assert.deepStrictEqual(
      [1, 2, 3, 4, 5, 6].map((n) => backoffDelay(n, policy, () => 0.999)),
      [99, 199, 399, 799, 999, 999],
    );
    assert.strictEqual(
      backoffDelay(3, policy, () => 0),
      0,
    );
  });

  it("grows the bound back by one after a round of calls that passed, up to the ceiling", async () => {
    let throttleNext = 1;
    const pacer = new Pacer(
      { concurrency: 4, throttleAttempts: 5, transientAttempts: 1, baseMs: 1, capMs: 1 },
      { sleep: () => Promise.resolve() },
    );
    const call = () =>
      throttleNext-- > 0 ? Promise.reject(named("TooManyRequestsException")) : Promise.resolve(1);
    await pacer.run(call);
    assert.strictEqual(
      pacer.stats.limit,
      2,
      "halved by the throttle; its retry passed: one of two",
    );
    await pacer.run(call);
    assert.strictEqual(pacer.stats.limit, 3, "a round of two passed");
    await pacer.run(call);
    await pacer.run(call);
    assert.strictEqual(pacer.stats.limit, 3, "two of a round of three");
    await pacer.run(call);
    assert.strictEqual(pacer.stats.limit, 4);
    for (let i = 0; i < 10; i++) await pacer.run(call);
    assert.strictEqual(pacer.stats.limit, 4, "never above the ceiling");
    assert.deepStrictEqual(
      {
        calls: pacer.stats.calls,
        throttled: pacer.stats.throttled,
        lowest: pacer.stats.lowestLimit,
      },
      { calls: 16, throttled: 1, lowest: 2 },
    );
  });

  it("gives a throttled call up after its tries with ThrottledError, a transient one with its own error", async () => {
    const pacer = new Pacer(
      { concurrency: 2, throttleAttempts: 3, transientAttempts: 2, baseMs: 1, capMs: 1 },
      { sleep: () => Promise.resolve() },
    );
    let tries = 0;
    await assert.rejects(
      pacer.run(() => {
        tries++;
        return Promise.reject(named("TooManyRequestsException"));
      }),
      (e: unknown) => e instanceof ThrottledError && e.attempts === 3,
    );
    assert.strictEqual(tries, 3);
    const fault = named("InternalFailure", { $metadata: { httpStatusCode: 503 } });
    tries = 0;
    await assert.rejects(
      pacer.run(() => {
        tries++;
        return Promise.reject(fault);
      }),
      (e: unknown) => e === fault,
    );
    assert.strictEqual(tries, 2);
    const final = named("AccessDeniedException");
    tries = 0;
    await assert.rejects(
      pacer.run(() => {
        tries++;
        return Promise.reject(final);
      }),
      (e: unknown) => e === final,
    );
    assert.strictEqual(tries, 1, "an answer is not retried");
  });

  it("refuses a bound below one, and its pause ends early with AbortError when aborted", async () => {
    assert.throws(
      () =>
        new Pacer({
          concurrency: 0,
          throttleAttempts: 1,
          transientAttempts: 1,
          baseMs: 1,
          capMs: 1,
        }),
      /concurrency must be a whole number ≥ 1/,
    );
    const controller = new AbortController();
    const started = Date.now();
    const pause = sleep(10_000, controller.signal);
    controller.abort();
    await assert.rejects(pause, { name: "AbortError" });
    assert.ok(Date.now() - started < 1000);
    await assert.rejects(sleep(1, controller.signal), { name: "AbortError" });
  });
});
