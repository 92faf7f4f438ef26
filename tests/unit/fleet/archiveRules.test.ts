import type { EngineEvent } from "@pulumi/pulumi/automation";
import * as assert from "assert";
import { type ArchiveRuleClient } from "../../../fleet/domain/account";
import {
  applyDecision,
  changedArchiveRules,
  isArchiveRuleEvent,
  type ArchiveRuleRef,
} from "../../../fleet/domain/archiveRules";
import { applyArchiveRules, archiveRulesAfterUp } from "../../../fleet/flows/archiveRules";
import { target } from "./helpers";

/** The archive rule type token, as the engine records it (the component's contract). */
const ARCHIVE_RULE = "aws:accessanalyzer/archiveRule:ArchiveRule";

let sequence = 0;

/** A resource-outputs event as the engine sends it after a step. */
function outputsEvent(type: string, op: string, outputs: Record<string, unknown>): EngineEvent {
  const urn = `urn:pulumi:s::access-analyzer::${type}::r${++sequence}`;
  return {
    sequence,
    timestamp: 0,
    resOutputsEvent: {
      metadata: {
        op: op as never,
        urn,
        type,
        provider: "",
        new: { type, urn, id: "x", parent: "", inputs: {}, outputs, provider: "" },
      },
    },
  };
}

const rule = (region: string, analyzerName: string, ruleName: string) => ({
  region,
  analyzerName,
  ruleName,
  filters: [],
});

describe("archive rules to apply after up", () => {
  it("lists the rules the update created, updated or replaced, once each and sorted", () => {
    const events = [
      outputsEvent(ARCHIVE_RULE, "update", rule("us-east-1", "external-access", "private")),
      outputsEvent(ARCHIVE_RULE, "create", rule("eu-west-1", "external-access", "private")),
      outputsEvent(ARCHIVE_RULE, "replace", rule("eu-west-1", "external-access", "a-trusted")),
      outputsEvent(ARCHIVE_RULE, "create", rule("eu-west-1", "external-access", "private")),
    ];
    assert.deepStrictEqual(changedArchiveRules(events), [
      { region: "eu-west-1", analyzerName: "external-access", ruleName: "a-trusted" },
      { region: "eu-west-1", analyzerName: "external-access", ruleName: "private" },
      { region: "us-east-1", analyzerName: "external-access", ruleName: "private" },
    ]);
  });

  it("skips rules kept the same, read or deleted, other resource types and incomplete outputs", () => {
    const events: EngineEvent[] = [
      outputsEvent(ARCHIVE_RULE, "same", rule("us-east-1", "external-access", "kept")),
      outputsEvent(ARCHIVE_RULE, "read", rule("us-east-1", "external-access", "read")),
      outputsEvent(ARCHIVE_RULE, "delete", rule("us-east-1", "external-access", "gone")),
      outputsEvent("aws:accessanalyzer/analyzer:Analyzer", "create", {
        region: "us-east-1",
        analyzerName: "external-access",
      }),
      outputsEvent(ARCHIVE_RULE, "create", { analyzerName: "external-access", ruleName: "r" }),
      { sequence: 99, timestamp: 0, stdoutEvent: { message: "hello", color: "never" } },
    ];
    assert.deepStrictEqual(changedArchiveRules(events), []);
  });

  it("skips a changed rule whose outputs lack the analyzer or rule name, or name an empty region or rule", () => {
    const noNew = outputsEvent(ARCHIVE_RULE, "create", {});
    delete noNew.resOutputsEvent!.metadata.new;
    const events: EngineEvent[] = [
      noNew,
      outputsEvent(ARCHIVE_RULE, "create", { region: "us-east-1", ruleName: "r" }),
      outputsEvent(ARCHIVE_RULE, "create", { region: "us-east-1", analyzerName: "a" }),
      outputsEvent(ARCHIVE_RULE, "update", rule("", "external-access", "r")),
      outputsEvent(ARCHIVE_RULE, "update", rule("us-east-1", "external-access", "")),
    ];
    assert.deepStrictEqual(changedArchiveRules(events), []);
  });
});

/** An account in memory: per analyzer ARN, its findings' statuses; a rule archives what it names. */
class FakeClient implements ArchiveRuleClient {
  readonly calls: string[] = [];
  closed = false;
  constructor(
    /** region → analyzer name → ARN */
    private readonly arns: Record<string, Record<string, string>>,
    /** ARN → finding id → status */
    readonly findings: Record<string, Record<string, string>>,
    /** rule name → the finding ids it matches; a rule missing here fails with AccessDenied */
    private readonly matches: Record<string, string[]>,
  ) {}
  analyzers(region: string) {
    this.calls.push(`ListAnalyzers ${region}`);
    return Promise.resolve(
      Object.entries(this.arns[region] ?? {}).map(([name, arn]) => ({ name, arn })),
    );
  }
  activeFindings(_region: string, arn: string) {
    this.calls.push(`ListFindingsV2 ${arn}`);
    return Promise.resolve(
      Object.values(this.findings[arn] ?? {}).filter((s) => s === "ACTIVE").length,
    );
  }
  applyArchiveRule(_region: string, arn: string, ruleName: string) {
    this.calls.push(`ApplyArchiveRule ${arn} ${ruleName}`);
    const ids = this.matches[ruleName];
    if (ids === undefined) {
      const e = new Error("User is not authorized to perform: access-analyzer:ApplyArchiveRule");
      e.name = "AccessDeniedException";
      return Promise.reject(e);
    }
    for (const id of ids)
      if (this.findings[arn]?.[id] === "ACTIVE") this.findings[arn][id] = "ARCHIVED";
    return Promise.resolve();
  }
  close() {
    this.closed = true;
  }
}

const EU = "arn:aws:access-analyzer:eu-west-1:111122223333:analyzer/external-access";
const US = "arn:aws:access-analyzer:us-east-1:111122223333:analyzer/external-access";
const ref = (
  region: string,
  ruleName: string,
  analyzerName = "external-access",
): ArchiveRuleRef => ({
  region,
  analyzerName,
  ruleName,
});

function account(): FakeClient {
  return new FakeClient(
    { "eu-west-1": { "external-access": EU }, "us-east-1": { "external-access": US } },
    {
      [EU]: { a: "ACTIVE", b: "ACTIVE", c: "ACTIVE", d: "ARCHIVED" },
      [US]: { e: "ACTIVE", f: "ACTIVE" },
    },
    { "own-org": ["a", "b", "d"], trusted: ["b", "c"], "us-only": ["f"] },
  );
}

describe("applying changed archive rules to existing findings", () => {
  it("applies each rule and counts what each archived, from ACTIVE counts before and after", async () => {
    const client = account();
    const result = await applyArchiveRules(
      [ref("eu-west-1", "own-org"), ref("eu-west-1", "trusted"), ref("us-east-1", "us-only")],
      client,
    );
    assert.deepStrictEqual(result, {
      applied: [
        { region: "eu-west-1", analyzer: "external-access", rule: "own-org", archived: 2 },
        { region: "eu-west-1", analyzer: "external-access", rule: "trusted", archived: 1 },
        { region: "us-east-1", analyzer: "external-access", rule: "us-only", archived: 1 },
      ],
    });
    assert.deepStrictEqual(client.findings[EU], {
      a: "ARCHIVED",
      b: "ARCHIVED",
      c: "ARCHIVED",
      d: "ARCHIVED",
    });
    // One listing per region; the count after one rule is the count before the next.
    assert.deepStrictEqual(client.calls, [
      "ListAnalyzers eu-west-1",
      `ListFindingsV2 ${EU}`,
      `ApplyArchiveRule ${EU} own-org`,
      `ListFindingsV2 ${EU}`,
      `ApplyArchiveRule ${EU} trusted`,
      `ListFindingsV2 ${EU}`,
      "ListAnalyzers us-east-1",
      `ListFindingsV2 ${US}`,
      `ApplyArchiveRule ${US} us-only`,
      `ListFindingsV2 ${US}`,
    ]);
  });

  it("applies the other rules when one fails, and says the up succeeded and how to apply it by hand", async () => {
    const client = account();
    const result = await applyArchiveRules(
      [ref("eu-west-1", "denied"), ref("eu-west-1", "trusted"), ref("us-east-1", "x", "gone")],
      client,
    );
    assert.deepStrictEqual(
      result.applied.map((a) => [a.rule, a.archived]),
      [["trusted", 2]],
    );
    assert.match(
      result.error ?? "",
      /^the up succeeded, but 2 archive rule\(s\) could not be applied/,
    );
    assert.ok(
      result.error?.includes(
        `eu-west-1 external-access/denied: AccessDeniedException: User is not authorized to perform: access-analyzer:ApplyArchiveRule (apply it by hand: aws accessanalyzer apply-archive-rule --region eu-west-1 --analyzer-arn ${EU} --rule-name denied)`,
      ),
      result.error,
    );
    assert.match(
      result.error ?? "",
      /us-east-1 gone\/x: analyzer gone not found in us-east-1 \(apply it by hand: .*--analyzer-arn <ARN of analyzer gone> --rule-name x\)$/,
    );
    assert.match(result.error ?? "", /--rule-name denied\); us-east-1 gone\/x: /);
  });
});

describe("archive rules after up", () => {
  const rules = [ref("eu-west-1", "own-org")];
  const option = (client: FakeClient, apply = true) => ({ apply, client: () => client });

  it("is on by default, off with --no-apply-archive-rules or the account's applyArchiveRules: false", () => {
    assert.deepStrictEqual(applyDecision(true, undefined), { apply: true });
    assert.deepStrictEqual(applyDecision(true, true), { apply: true });
    assert.deepStrictEqual(applyDecision(false, true), {
      apply: false,
      reason: "--no-apply-archive-rules",
    });
    assert.deepStrictEqual(applyDecision(true, false), {
      apply: false,
      reason: "applyArchiveRules: false",
    });
  });

  it("applies the rules, totals the archived findings, notes each rule and closes the client", async () => {
    const client = account();
    const done = await archiveRulesAfterUp(target("111122223333"), rules, option(client));
    assert.strictEqual(done.archivedFindings, 2);
    assert.deepStrictEqual(done.archiveRulesApplied, [
      { region: "eu-west-1", analyzer: "external-access", rule: "own-org", archived: 2 },
    ]);
    assert.deepStrictEqual(done.notes, [
      {
        region: "eu-west-1",
        status: "archive-rule-applied",
        analyzer: "external-access",
        detail: "rule own-org applied to existing findings: 2 archived",
      },
    ]);
    assert.ok(!("error" in done), "no error key when every rule applied");
    assert.ok(client.closed);
  });

  it("switched off, calls nothing and notes the AWS CLI command for each rule", async () => {
    for (const [apply, settings, reason] of [
      [false, {}, "--no-apply-archive-rules"],
      [true, { applyArchiveRules: false }, "applyArchiveRules: false"],
    ] as const) {
      const client = account();
      const done = await archiveRulesAfterUp(
        { ...target("111122223333"), settings },
        rules,
        option(client, apply),
      );
      assert.deepStrictEqual(client.calls, []);
      assert.strictEqual(done.archiveRulesApplied, undefined);
      assert.strictEqual(done.notes.length, 1);
      assert.strictEqual(done.notes[0].status, "archive-rule-not-applied");
      assert.ok(done.notes[0].detail?.includes(`(${reason})`), done.notes[0].detail);
      assert.match(
        done.notes[0].detail ?? "",
        /aws accessanalyzer apply-archive-rule --region eu-west-1 --analyzer-arn <ARN of analyzer external-access> --rule-name own-org$/,
      );
    }
  });

  it("with no rule changed, opens no client and adds nothing", async () => {
    let opened = 0;
    const done = await archiveRulesAfterUp(target("111122223333"), [], {
      apply: true,
      client: () => {
        opened++;
        return account();
      },
    });
    assert.deepStrictEqual(done, { notes: [] });
    assert.strictEqual(opened, 0);
  });

  it("keeps only the archive rules' engine events", () => {
    assert.ok(isArchiveRuleEvent(outputsEvent(ARCHIVE_RULE, "create", {})));
    assert.ok(
      !isArchiveRuleEvent(outputsEvent("aws:accessanalyzer/analyzer:Analyzer", "create", {})),
    );
    const cancel: EngineEvent = { sequence: 1, timestamp: 0, cancelEvent: {} };
    assert.ok(!isArchiveRuleEvent(cancel));
  });
});
