import * as assert from "assert";
import { abortStep } from "../../../fleet/domain/abort";
import { LineSplitter, prefixLine } from "../../../fleet/domain/text";
import { makeRedactor, redactCommandLines } from "../../../fleet/domain/redact";
import { summariseError } from "../../../fleet/domain/errors";

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

  it("drops the arguments of a failed command's line and keeps the command and the rest", () => {
    const message = [
      "code: 255",
      " stderr: error: invalid configuration",
      ' err?: Error: Command failed with exit code 255: /opt/pulumi/bin/pulumi config set-all --stack acct-1 --plaintext access-analyzer:providerArgs={"externalId":"PLANTED-EXTERNAL-ID-7f3a"}',
      "error: invalid configuration",
    ].join("\n");
    const out = redactCommandLines(message);
    assert.ok(!out.includes("PLANTED-EXTERNAL-ID-7f3a"), out);
    assert.match(
      out,
      /err\?: Error: Command failed with exit code 255: pulumi config set-all \[arguments redacted\]\n/,
    );
    assert.match(out, /^code: 255\n stderr: error: invalid configuration\n/);
    assert.match(out, /\nerror: invalid configuration$/);
    assert.strictEqual(
      redactCommandLines("Command was killed with SIGINT (Interrupted): pulumi up --yes --stack s"),
      "Command was killed with SIGINT (Interrupted): pulumi up [arguments redacted]",
    );
    assert.strictEqual(redactCommandLines("no command here"), "no command here");
  });

  it("masks the given secret values too (the fleet's external ids), and failed command lines", () => {
    const redact = makeRedactor({}, ["PLANTED-EXTERNAL-ID-7f3a", undefined]);
    assert.strictEqual(
      redact("assume role with PLANTED-EXTERNAL-ID-7f3a"),
      "assume role with [redacted]",
    );
    assert.strictEqual(
      redact("Command failed with exit code 1: pulumi stack select --create acct-1"),
      "Command failed with exit code 1: pulumi stack select [arguments redacted]",
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

  it("flushes a pending line once, and nothing when no line is pending", () => {
    const lines: string[] = [];
    const splitter = new LineSplitter((l) => lines.push(l));
    splitter.flush();
    splitter.push("a\nb");
    splitter.flush();
    splitter.flush();
    assert.deepStrictEqual(lines, ["a", "b"]);
  });

  describe("failed command lines", () => {
    const failed = (rest: string) =>
      redactCommandLines(`Command failed with exit code 1: /opt/pulumi/bin/pulumi${rest}`);

    it("keeps a command that has only subcommand words whole", () => {
      assert.strictEqual(failed(" stack ls"), "Command failed with exit code 1: pulumi stack ls");
    });

    it("redacts an argument that starts the line, and a word with a digit", () => {
      assert.strictEqual(
        failed(" --version"),
        "Command failed with exit code 1: pulumi [arguments redacted]",
      );
      assert.strictEqual(
        failed(" stack select acct1"),
        "Command failed with exit code 1: pulumi stack select [arguments redacted]",
      );
    });

    it("reads subcommands across runs of blanks", () => {
      assert.strictEqual(
        failed(" config  set-all --stack acct-1"),
        "Command failed with exit code 1: pulumi config set-all [arguments redacted]",
      );
    });
  });

  it("masks secret values of four characters or more, never shorter ones", () => {
    const redact = makeRedactor({ AWS_SESSION_TOKEN: "abcd", PULUMI_CONFIG_PASSPHRASE: "xyz" }, [
      "ab",
    ]);
    assert.strictEqual(redact("abcd xyz ab"), "[redacted] xyz ab");
  });

  describe("summariseError", () => {
    it("keeps error lines however they are prefixed, and not words that only end in error:", () => {
      assert.strictEqual(
        summariseError(
          [
            "code: 1",
            "stderr:error: no space after the stream",
            "Error:NoSpace",
            "warning: error: inside a line",
            "terror:not an error",
          ].join("\n"),
        ),
        "error: no space after the stream\nError:NoSpace\nwarning: error: inside a line",
      );
    });

    it("strips a stream prefix only at the start of a line", () => {
      assert.strictEqual(
        summariseError("error: reading stdout: broken pipe"),
        "error: reading stdout: broken pipe",
      );
    });

    it("attaches '- ' lines only directly under their error", () => {
      assert.strictEqual(
        summariseError("error: bad arguments\n- a: wrong\nplain text\n- b: not a reason"),
        "error: bad arguments\n  - a: wrong",
      );
    });

    it("says how to fix a missing pulumi CLI", () => {
      assert.strictEqual(
        summariseError("Error: spawn failed: ENOENT: pulumi"),
        "the pulumi CLI was not found: put it on PATH or pass --pulumi-root DIR (the folder holding bin/pulumi)",
      );
    });

    it("without an error line gives the first line that is not blank or the exit code", () => {
      assert.strictEqual(summariseError("\ncode: 255\n  boom  \nlater"), "boom");
      assert.strictEqual(summariseError("code: -1\nthe exit code: 1"), "the exit code: 1");
      assert.strictEqual(summariseError("code: 1 killed\nboom"), "code: 1 killed");
      assert.strictEqual(summariseError("\n"), "\n");
    });
  });
});
