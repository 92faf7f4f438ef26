import * as assert from "assert";
import { type AccountReader, type AnalyzerInfo } from "../../../fleet/domain/account";
import type { StackResult } from "../../../fleet/domain/results";
import { exitCodeFor } from "../../../fleet/domain/results";
import type { HeldRegion } from "../../../fleet/domain/state";
import {
  accountAudit,
  auditOutcome,
  auditTotals,
  staleStateRegions,
  type StateReading,
} from "../../../fleet/domain/verdicts";
import { auditAccount } from "../../../fleet/flows/audit";
import { stackStateSource } from "../../../fleet/flows/stackState";
import { formatAuditTable, stateNotes } from "../../../fleet/report/auditTable";
import type { Target } from "../../../fleet/settings/schema";
import { heldDeployment, target } from "./helpers";

const active = (name = "external-access"): AnalyzerInfo => ({
  name,
  type: "ACCOUNT",
  status: "ACTIVE",
  arn: `arn:aws:access-analyzer:eu-west-1:111122223333:analyzer/${name}`,
});
const covered = { analyzers: [active()], findings: {} };
const held = (analyzerName?: string): HeldRegion => ({
  urns: ["urn:pulumi:s::p::pulumi:providers:aws::x"],
  ...(analyzerName !== undefined ? { analyzerName } : {}),
});
const read = (regions: Record<string, HeldRegion>): StateReading => ({
  status: "read",
  held: regions,
});

/** A reader whose every enabled region has our ACTIVE ACCOUNT analyzer. */
function coveredReader(regions: string[]): AccountReader {
  return {
    enabledRegions: () => Promise.resolve(regions),
    analyzers: () => Promise.resolve([active()]),
    activeFindings: () => Promise.resolve(0),
  };
}

describe("audit: disabled regions still in the stack's state", () => {
  describe("staleStateRegions and accountAudit (pure)", () => {
    it("reports a region the state holds but the account has not enabled as stale-state, with what to do", () => {
      const stale = staleStateRegions(["eu-west-1"], {
        "eu-west-1": held("external-access"),
        "me-south-1": held("external-access"),
      });
      assert.deepStrictEqual(
        stale.map((r) => [r.region, r.verdict]),
        [["me-south-1", "stale-state"]],
      );
      assert.match(
        stale[0].detail ?? "",
        /disabled, still in the stack's state \(analyzer "external-access"\)/,
      );
      assert.match(stale[0].detail ?? "", /next up drops it from the state without an AWS call/);
      assert.match(
        stale[0].detail ?? "",
        /AWS keeps the analyzer until the region is enabled again/,
      );
    });

    it("never calls an enabled region stale, even one the fleet file excludes", () => {
      const audit = accountAudit(
        ["eu-west-1", "us-east-1"],
        { excludeRegions: ["us-east-1"] },
        { "eu-west-1": covered },
        read({ "eu-west-1": held("a"), "us-east-1": held("a") }),
      );
      assert.deepStrictEqual(
        audit.regions.map((r) => [r.region, r.verdict]),
        [
          ["eu-west-1", "covered"],
          ["us-east-1", "excluded"],
        ],
      );
      assert.strictEqual(audit.counts.staleState, 0);
      assert.strictEqual(auditOutcome(audit), "succeeded");
    });

    it("lists stale regions among the enabled ones by name, counts them apart from enabled, and makes the account stale-state", () => {
      const audit = accountAudit(
        ["eu-west-1", "us-east-1"],
        {},
        { "eu-west-1": covered, "us-east-1": covered },
        read({ "eu-west-1": held("a"), "me-south-1": held() }),
      );
      assert.deepStrictEqual(
        audit.regions.map((r) => [r.region, r.verdict]),
        [
          ["eu-west-1", "covered"],
          ["me-south-1", "stale-state"],
          ["us-east-1", "covered"],
        ],
      );
      assert.strictEqual(audit.counts.enabled, 2);
      assert.strictEqual(audit.counts.covered, 2);
      assert.strictEqual(audit.counts.staleState, 1);
      assert.deepStrictEqual(audit.state, { status: "read" });
      assert.strictEqual(auditOutcome(audit), "stale-state");
    });

    it("keeps the IAM.28 outcome first: a missing region makes the account noncompliant, stale or not", () => {
      const audit = accountAudit(
        ["eu-west-1"],
        {},
        { "eu-west-1": { analyzers: [], findings: {} } },
        read({ "me-south-1": held("a") }),
      );
      assert.strictEqual(auditOutcome(audit), "noncompliant");
    });

    it("leaves staleState out when the state was not read, and records why it was not", () => {
      const none = accountAudit(["eu-west-1"], {}, { "eu-west-1": covered });
      assert.strictEqual("staleState" in none.counts, false);
      assert.strictEqual(none.state, undefined);
      const unreadable = accountAudit(
        ["eu-west-1"],
        {},
        { "eu-west-1": covered },
        { status: "unreadable", detail: "boom" },
      );
      assert.strictEqual("staleState" in unreadable.counts, false);
      assert.deepStrictEqual(unreadable.state, { status: "unreadable", detail: "boom" });
      assert.strictEqual(auditOutcome(unreadable), "succeeded", "not an error for audit");
    });
  });

  it("exits 2 when an audited account has stale state, 1 when another failed", () => {
    const res = (outcome: StackResult["outcome"]): StackResult => ({
      accountId: "111122223333",
      stack: "acct-111122223333",
      operation: "audit",
      outcome,
      changes: { create: 0, update: 0, replace: 0, delete: 0, same: 0 },
      regions: [],
      analyzerArns: {},
      durationMs: 1,
    });
    assert.strictEqual(exitCodeFor("audit", [res("succeeded"), res("stale-state")], false), 2);
    assert.strictEqual(exitCodeFor("audit", [res("stale-state"), res("failed")], false), 1);
  });

  describe("auditAccount with a state reader", () => {
    const t = target("111122223333", "prod");

    it("reads the state beside AWS and reports the stale region in the table, its count and the totals", async () => {
      const asked: string[] = [];
      const result = await auditAccount(t, coveredReader(["eu-west-1"]), {
        state: (tg) => {
          asked.push(tg.stack);
          return Promise.resolve(read({ "eu-west-1": held("a"), "me-south-1": held("a") }));
        },
      });
      assert.deepStrictEqual(asked, [t.stack]);
      assert.strictEqual(result.outcome, "stale-state");
      const text = formatAuditTable([result]);
      assert.match(text, /EXCLUDED\s+STALE-STATE\s+EXT-FINDINGS/);
      assert.match(
        text,
        /prod 111122223333\s+stale-state\s+1\s+1\s+1\/1\s+-\s+0\s+0\s+0\s+0\s+1\s+0/,
      );
      assert.match(text, /Disabled regions still in the stack's state \(run up\):/);
      assert.match(
        text,
        /prod 111122223333\s+me-south-1\s+stale-state\s+disabled, still in the stack's state/,
      );
      assert.match(text, /1 disabled but still in the state/);
      assert.strictEqual(auditTotals([result]).staleState, 1);
    });

    it("shows - under STALE-STATE and leaves the totals without it when no state was read", async () => {
      const result = await auditAccount(t, coveredReader(["eu-west-1"]));
      const text = formatAuditTable([result]);
      assert.match(
        text,
        /prod 111122223333\s+succeeded\s+1\s+1\s+1\/1\s+-\s+0\s+0\s+0\s+0\s+-\s+0/,
      );
      assert.doesNotMatch(text, /disabled but still in the state/);
      assert.strictEqual(auditTotals([result]).staleState, undefined);
    });
  });

  describe("stackStateSource", () => {
    const deployment = heldDeployment("me-south-1");
    const tg = (id: string): Target => target(id);

    it("lists the backend's stacks once, exports only the stacks it has, and parses what they hold", async () => {
      let listed = 0;
      const exported: string[] = [];
      const source = stackStateSource({
        listStacks: () => {
          listed++;
          return Promise.resolve(["organization/access-analyzer/acct-111122223333"]);
        },
        exportState: (t) => {
          exported.push(t.stack);
          return Promise.resolve({ version: 3, deployment });
        },
      });
      const [a, b] = await Promise.all([source(tg("111122223333")), source(tg("444455556666"))]);
      assert.strictEqual(listed, 1);
      assert.deepStrictEqual(exported, ["acct-111122223333"]);
      assert.strictEqual(a.status, "read");
      assert.deepStrictEqual(Object.keys(a.status === "read" ? a.held : {}), ["me-south-1"]);
      assert.deepStrictEqual(b, {
        status: "no-stack",
        detail: "the backend has no stack acct-444455556666",
      });
    });

    it("reads an exported stack without a deployment as holding nothing", async () => {
      const source = stackStateSource({
        listStacks: () => Promise.resolve(["acct-111122223333"]),
        exportState: () => Promise.resolve(null),
      });
      assert.deepStrictEqual(await source(tg("111122223333")), { status: "read", held: {} });
    });

    it("makes an unreadable backend or stack a reason, never a rejection, with secrets masked", async () => {
      const down = stackStateSource(
        {
          listStacks: () =>
            Promise.reject(new Error("error: read s3://bucket: token SECRET expired")),
          exportState: () => Promise.reject(new Error("not called")),
        },
        (text) => text.replace(/SECRET/g, "***"),
      );
      const r: StateReading = await down(tg("111122223333"));
      assert.strictEqual(r.status, "unreadable");
      assert.match("detail" in r ? r.detail : "", /could not be listed: .*token \*\*\* expired/);
      const broken = stackStateSource({
        listStacks: () => Promise.resolve(["acct-111122223333"]),
        exportState: () => Promise.reject(new Error("Command failed\nerror: access denied")),
      });
      const s = await broken(tg("111122223333"));
      assert.deepStrictEqual(s, {
        status: "unreadable",
        detail: "stack acct-111122223333 could not be exported: error: access denied",
      });
    });
  });

  it("notes an unreadable state and missing stacks once each, however many accounts", () => {
    const res = (id: string, state: StackResult["audit"] extends infer A ? A : never) =>
      ({
        accountId: id,
        stack: `acct-${id}`,
        operation: "audit",
        outcome: "succeeded",
        changes: { create: 0, update: 0, replace: 0, delete: 0, same: 0 },
        regions: [],
        analyzerArns: {},
        durationMs: 1,
        audit: state,
      }) as StackResult;
    const audit = (status: "read" | "no-stack" | "unreadable", detail?: string) =>
      accountAudit([], {}, {}, status === "read" ? read({}) : { status, detail: detail ?? "" });
    const lines = stateNotes([
      res("111111111111", audit("unreadable", "backend down")),
      res("222222222222", audit("unreadable", "backend down")),
      res("333333333333", audit("no-stack")),
      res("444444444444", audit("read")),
    ]);
    assert.strictEqual(lines.length, 2);
    assert.match(
      lines[0],
      /2 account\(s\) could not be read \(111111111111, 222222222222\): backend down/,
    );
    assert.match(lines[0], /--no-state/);
    assert.match(lines[1], /1 account\(s\) have no stack in the backend yet \(333333333333\)/);
    assert.deepStrictEqual(stateNotes([res("444444444444", audit("read"))]), []);
    const ids = (n: number) => Array.from({ length: n }, (_, i) => String(100000000000 + i));
    const five = stateNotes(ids(5).map((id) => res(id, audit("no-stack"))));
    assert.match(
      five[0],
      /\(100000000000, 100000000001, 100000000002, 100000000003, 100000000004\): no state/,
    );
    const seven = stateNotes(ids(7).map((id) => res(id, audit("no-stack"))));
    assert.match(
      seven[0],
      /^note: 7 account\(s\) have no stack in the backend yet \(100000000000, 100000000001, 100000000002, 100000000003, 100000000004 and 2 more\): no state to check\.$/,
    );
  });
});
