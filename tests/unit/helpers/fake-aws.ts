import * as assert from "assert";

/** Asserts the promise rejects with an error of class `ctor`, HTTP status and (optionally) name. */
export async function rejectsWith(
  p: Promise<unknown>,
  ctor: abstract new (...args: never[]) => Error,
  status: number,
  name?: string,
): Promise<Error & { $metadata?: { httpStatusCode?: number } }> {
  try {
    await p;
  } catch (e) {
    const err = e as Error & { $metadata?: { httpStatusCode?: number } };
    assert.ok(
      err instanceof ctor,
      `expected ${ctor.name}, got ${err.constructor.name}: ${err.name} ${err.message}`,
    );
    assert.strictEqual(err.$metadata?.httpStatusCode, status, `status of ${err.name}`);
    if (name) assert.strictEqual(err.name, name);
    return err;
  }
  assert.fail(`expected ${ctor.name}, but the call succeeded`);
}
