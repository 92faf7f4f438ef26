import * as assert from "assert";
import { abortStep } from "../../../fleet/abort";
import { LineSplitter, makeRedactor, prefixLine, summariseError } from "../../../fleet/output";

describe("fleet output", () => {
  it("splits engine chunks into whole lines and flushes the rest", () => {
    const lines: string[] = [];
    const splitter = new LineSplitter((l) => lines.push(l));
    splitter.push("Previewing update (acct-1)\r\n + aws:access");
    splitter.push("analyzer/analyzer:Analyzer eu-west-1 create\n\nRes");
    assert.deepStrictEqual(lines, [
      "Previewing update (acct-1)",
      " + aws:accessanalyzer/analyzer:Analyzer eu-west-1 create",
      "",
    ]);
    splitter.flush();
    assert.strictEqual(lines.at(-1), "Res");
  });

  it("prefixes lines with the account", () => {
    assert.strictEqual(
      prefixLine("prod-eu 111122223333", "+ aws:x"),
      "[prod-eu 111122223333] + aws:x",
    );
  });

  it("masks access key ids and the values of secret environment variables", () => {
    const redact = makeRedactor({
      AWS_SECRET_ACCESS_KEY: "wJalrXUtnFEMI/K7MDENG",
      PULUMI_CONFIG_PASSPHRASE: "hunter22",
      HOME: "/root",
    });
    const out = redact(
      "key AKIAIOSFODNN7EXAMPLE secret wJalrXUtnFEMI/K7MDENG pass hunter22 home /root",
    );
    assert.strictEqual(
      out,
      "key AKIA**************** secret [redacted] pass [redacted] home /root",
    );
  });

  it("keeps the specific error lines of a CommandError, not its code or the generic line", () => {
    const message = [
      "code: 255",
      " stdout: Updating (acct-1)",
      "    error: creating IAM Access Analyzer Analyzer (external-access): AccessDeniedException: no",
      " stderr: error: update failed",
      " err?: ",
    ].join("\n");
    assert.strictEqual(
      summariseError(message),
      "error: creating IAM Access Analyzer Analyzer (external-access): AccessDeniedException: no",
    );
    assert.strictEqual(
      summariseError("code: 1\n stderr: error: update failed"),
      "error: update failed",
    );
    assert.strictEqual(summariseError("spawn pulumi ENOENT"), "spawn pulumi ENOENT");
  });

  it("keeps the reasons listed under an argument error", () => {
    const message = [
      "code: 255",
      ' stderr: error: AllRegionsAccessAnalyzer "access-analyzer" has invalid arguments:',
      "      - excludeRegions: excludes every region in regions (eu-west-1)",
      "      - tags: has 51 tags; AWS allows at most 50 per analyzer",
      "",
      "error: update failed",
    ].join("\n");
    assert.strictEqual(
      summariseError(message),
      'error: AllRegionsAccessAnalyzer "access-analyzer" has invalid arguments:\n' +
        "  - excludeRegions: excludes every region in regions (eu-west-1)\n" +
        "  - tags: has 51 tags; AWS allows at most 50 per analyzer",
    );
  });

  describe("abort steps", () => {
    it("on the first SIGTERM stops starting stacks and stops the engines", () => {
      assert.deepStrictEqual(abortStep("SIGTERM", 1, true), {
        stop: true,
        abortEngines: true,
        exitNow: false,
      });
    });

    it("on a first Ctrl-C in a terminal does not send the engines a second SIGINT", () => {
      assert.deepStrictEqual(abortStep("SIGINT", 1, true), {
        stop: true,
        abortEngines: false,
        exitNow: false,
      });
      assert.deepStrictEqual(abortStep("SIGINT", 1, false), {
        stop: true,
        abortEngines: true,
        exitNow: false,
      });
    });

    it("escalates: the second signal stops the engines, the third exits", () => {
      assert.strictEqual(abortStep("SIGINT", 2, true).abortEngines, true);
      assert.strictEqual(abortStep("SIGINT", 2, true).exitNow, false);
      assert.strictEqual(abortStep("SIGINT", 3, true).exitNow, true);
    });
  });
});
