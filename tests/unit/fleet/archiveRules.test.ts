import * as assert from "assert";
import type { EngineEvent } from "@pulumi/pulumi/automation";
import { ARCHIVE_RULE_TYPE, changedArchiveRules } from "../../../fleet/archiveRules";

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
      outputsEvent(ARCHIVE_RULE_TYPE, "update", rule("us-east-1", "external-access", "private")),
      outputsEvent(ARCHIVE_RULE_TYPE, "create", rule("eu-west-1", "external-access", "private")),
      outputsEvent(ARCHIVE_RULE_TYPE, "replace", rule("eu-west-1", "external-access", "a-trusted")),
      outputsEvent(ARCHIVE_RULE_TYPE, "create", rule("eu-west-1", "external-access", "private")),
    ];
    assert.deepStrictEqual(changedArchiveRules(events), [
      { region: "eu-west-1", analyzerName: "external-access", ruleName: "a-trusted" },
      { region: "eu-west-1", analyzerName: "external-access", ruleName: "private" },
      { region: "us-east-1", analyzerName: "external-access", ruleName: "private" },
    ]);
  });

  it("skips rules kept the same, read or deleted, other resource types and incomplete outputs", () => {
    const events: EngineEvent[] = [
      outputsEvent(ARCHIVE_RULE_TYPE, "same", rule("us-east-1", "external-access", "kept")),
      outputsEvent(ARCHIVE_RULE_TYPE, "read", rule("us-east-1", "external-access", "read")),
      outputsEvent(ARCHIVE_RULE_TYPE, "delete", rule("us-east-1", "external-access", "gone")),
      outputsEvent("aws:accessanalyzer/analyzer:Analyzer", "create", {
        region: "us-east-1",
        analyzerName: "external-access",
      }),
      outputsEvent(ARCHIVE_RULE_TYPE, "create", { analyzerName: "external-access", ruleName: "r" }),
      { sequence: 99, timestamp: 0, stdoutEvent: { message: "hello", color: "never" } },
    ];
    assert.deepStrictEqual(changedArchiveRules(events), []);
  });
});
