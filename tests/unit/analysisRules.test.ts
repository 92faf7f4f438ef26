// Every analysis-rule restriction of the service model (accessanalyzer-2019-11-01:
// `AnalysisRuleCriteria`, `InternalAccessAnalysisRuleCriteria`, `UnusedAccessConfiguration`) and of
// the internal-access scope rule, through each entry point that validates with the one schema
// (components/schema.ts): the component's `checkArgs`, the program's stack config and the fleet
// file. Each case names the field and the fix; the component refuses before anything exists.

import * as assert from "node:assert/strict";

import { checkArgs } from "../../components";
import {
  INTERNAL_ACCESS_RESOURCE_TYPES,
  MAX_ANALYSIS_RULE_ACCOUNT_IDS,
  ownerAccountProblems,
} from "../../components/schema";
import { parseFleetFile } from "../../fleet/settings/fleetFile";
import { ConfigError, readProgramConfig } from "../../program/config";
import { MOCK_PROJECT } from "./helpers/mocks";

const OWNER = "111122223333";
const OTHER = "444455556666";

/** Lines of the component's problems (`path: message`). */
function componentLines(args: Record<string, unknown>): string[] {
  return checkArgs(args).map((p) => `${p.path}: ${p.message}`);
}

/** Problems of the same settings as stack configuration (one key per top-level field). */
function programLines(args: Record<string, unknown>): string[] {
  const config = Object.fromEntries(
    Object.entries(args).map(([k, v]) => [`${MOCK_PROJECT}:${k}`, JSON.stringify(v)]),
  );
  try {
    readProgramConfig(config, MOCK_PROJECT);
    return [];
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    return err.problems;
  }
}

/** Problems of the same settings on one account of a fleet file (the account is `OWNER`). */
function fleetLines(args: Record<string, unknown>): string[] {
  const text = JSON.stringify({ accounts: [{ id: OWNER, ...args }] });
  const parsed = parseFleetFile(text, "fleet.yaml");
  return parsed.ok ? [] : parsed.messages;
}

/** The restriction is enforced at all three entry points, each naming `path` and saying `fix`. */
function refusedEverywhere(args: Record<string, unknown>, path: string, fix: RegExp): void {
  const escaped = path.replace(/[.[\]]/g, (c) => `\\${c}`);
  const component = componentLines(args);
  assert.ok(
    component.some((l) => new RegExp(`^${escaped}: `).test(l) && fix.test(l)),
    `component: ${JSON.stringify(component)}`,
  );
  const program = programLines(args);
  assert.ok(
    program.some((l) => new RegExp(`^${MOCK_PROJECT}:${escaped}: `).test(l) && fix.test(l)),
    `program: ${JSON.stringify(program)}`,
  );
  const fleet = fleetLines(args);
  assert.ok(
    fleet.some((l) => l.includes(`accounts[0].${path}: `) && fix.test(l)),
    `fleet: ${JSON.stringify(fleet)}`,
  );
}

function acceptedEverywhere(args: Record<string, unknown>): void {
  assert.deepEqual(componentLines(args), [], "component");
  assert.deepEqual(programLines(args), [], "program");
  assert.deepEqual(fleetLines(args), [], "fleet");
}

const orgUnused = (exclusions: unknown[]) => ({
  organization: { unusedAccess: { region: "us-east-1", exclusions } },
});
const accountUnused = (exclusions: unknown[]) => ({
  unusedAccess: { region: "us-east-1", exclusions },
});
const internal = (inclusions: unknown[], rest: Record<string, unknown> = {}) => ({
  internalAccess: { regions: ["us-east-1"], analysisRule: { inclusions }, ...rest },
});
const orgInternal = (inclusions: unknown[]) => ({
  organization: {
    internalAccess: { region: "us-east-1", analysisRule: { inclusions } },
  },
});

describe("analysis rules, as the service model restricts them", () => {
  describe("unused access (AnalysisRuleCriteria)", () => {
    it("refuses accountIds in an account-level analyzer's exclusions: organization-level only", () => {
      refusedEverywhere(
        accountUnused([{ accountIds: [OTHER] }]),
        "unusedAccess.exclusions[0].accountIds",
        /only the rules of organization-level analyzers may name accounts.*exclude principals by resourceTags/,
      );
    });

    it("accepts accountIds in the organization analyzer's exclusions", () => {
      acceptedEverywhere(orgUnused([{ accountIds: [OTHER] }]));
    });

    it(`refuses more than ${MAX_ANALYSIS_RULE_ACCOUNT_IDS} accounts in one list, and accepts exactly that many`, () => {
      const ids = (n: number) =>
        Array.from({ length: n }, (_, i) => String(100000000000 + i).padStart(12, "0"));
      acceptedEverywhere(orgUnused([{ accountIds: ids(MAX_ANALYSIS_RULE_ACCOUNT_IDS) }]));
      refusedEverywhere(
        orgUnused([{ accountIds: ids(MAX_ANALYSIS_RULE_ACCOUNT_IDS + 1) }]),
        "organization.unusedAccess.exclusions[0].accountIds",
        /lists 2001 accounts; AWS allows at most 2000 in one list: split them/,
      );
    });

    it("refuses an account listed twice, and an id that is not 12 digits", () => {
      refusedEverywhere(
        orgUnused([{ accountIds: [OTHER, OTHER] }]),
        "organization.unusedAccess.exclusions[0].accountIds[1]",
        /"444455556666" is listed twice; list each account once/,
      );
      refusedEverywhere(
        orgUnused([{ accountIds: ["12345"] }]),
        "organization.unusedAccess.exclusions[0].accountIds[0]",
        /"12345" is not an account id; use 12 digits/,
      );
    });

    it("refuses the owner account in the organization analyzer's exclusions, where the owner is known", () => {
      // The fleet knows the account; the component asks STS at run time (component.test.ts).
      assert.deepEqual(fleetLines(orgUnused([{ accountIds: [OTHER, OWNER] }])), [
        `fleet.yaml: accounts[0].organization.unusedAccess.exclusions[0].accountIds[1]: "${OWNER}" ` +
          "is the account that owns the analyzer; AWS refuses to exclude it from its own " +
          "organization analyzer: remove it (exclude its principals by resourceTags instead)",
      ]);
      assert.deepEqual(
        ownerAccountProblems(orgUnused([{ accountIds: [OTHER] }]) as never, OWNER),
        [],
      );
    });

    it("refuses an exclusion that excludes nothing", () => {
      refusedEverywhere(
        accountUnused([{}]),
        "unusedAccess.exclusions[0]",
        /excludes nothing; give resourceTags/,
      );
      refusedEverywhere(
        orgUnused([{ accountIds: [], resourceTags: [] }]),
        "organization.unusedAccess.exclusions[0]",
        /excludes nothing; give accountIds or resourceTags/,
      );
    });

    it("holds exclusion tags to AWS's tag rules, an empty value matching any value", () => {
      acceptedEverywhere(accountUnused([{ resourceTags: [{ team: "" }] }]));
      refusedEverywhere(
        accountUnused([{ resourceTags: [{ "aws:cloudformation:stack-name": "x" }] }]),
        'unusedAccess.exclusions[0].resourceTags[0]["aws:cloudformation:stack-name"]',
        /uses the reserved prefix "aws:"/,
      );
      refusedEverywhere(
        accountUnused([{ resourceTags: [{ ["k".repeat(129)]: "x" }] }]),
        `unusedAccess.exclusions[0].resourceTags[0].${"k".repeat(129)}`,
        /tag key must be 1 to 128 characters long \(got 129\)/,
      );
      refusedEverywhere(
        accountUnused([{ resourceTags: [{ team: "v".repeat(257) }] }]),
        "unusedAccess.exclusions[0].resourceTags[0].team",
        /tag value must be at most 256 characters long \(got 257\)/,
      );
    });

    it("holds the unused-access age to 1–365 whole days", () => {
      for (const age of [1, 365]) {
        acceptedEverywhere({ unusedAccess: { region: "us-east-1", unusedAccessAge: age } });
      }
      for (const age of [0, 366, 1.5]) {
        refusedEverywhere(
          { organization: { unusedAccess: { region: "us-east-1", unusedAccessAge: age } } },
          "organization.unusedAccess.unusedAccessAge",
          new RegExp(`${age} is out of range; use a whole number of days from 1 to 365`),
        );
      }
    });
  });

  describe("internal access (InternalAccessAnalysisRuleCriteria)", () => {
    it("accepts each of the six resource types the model lists", () => {
      assert.equal(INTERNAL_ACCESS_RESOURCE_TYPES.length, 6);
      for (const type of INTERNAL_ACCESS_RESOURCE_TYPES) {
        acceptedEverywhere(internal([{ resourceTypes: [type] }]));
      }
    });

    it("refuses a resource type only external access supports, and a miscased one with a suggestion", () => {
      refusedEverywhere(
        internal([{ resourceTypes: ["AWS::IAM::Role"] }]),
        "internalAccess.analysisRule.inclusions[0].resourceTypes[0]",
        /"AWS::IAM::Role" is not a resource type internal-access analyzers support\b.*Supported: AWS::S3::Bucket, AWS::RDS::DBSnapshot/,
      );
      refusedEverywhere(
        orgInternal([{ resourceTypes: ["aws::dynamodb::table"] }]),
        "organization.internalAccess.analysisRule.inclusions[0].resourceTypes[0]",
        /did you mean "AWS::DynamoDB::Table"\?/,
      );
    });

    it("refuses accountIds in an account-level inclusion, and accepts them at organization level", () => {
      refusedEverywhere(
        internal([{ accountIds: [OTHER], resourceTypes: ["AWS::S3::Bucket"] }]),
        "internalAccess.analysisRule.inclusions[0].accountIds",
        /only the rules of organization-level analyzers may name accounts.*give resourceTypes or resourceArns/,
      );
      acceptedEverywhere(orgInternal([{ accountIds: [OWNER, OTHER] }]));
    });

    it("refuses a rule without inclusions, and an inclusion that includes nothing", () => {
      refusedEverywhere(
        internal([]),
        "internalAccess.analysisRule.inclusions",
        /needs at least one inclusion/,
      );
      refusedEverywhere(
        orgInternal([{ resourceArns: [] }]),
        "organization.internalAccess.analysisRule.inclusions[0]",
        /includes nothing; give accountIds, resourceTypes or resourceArns/,
      );
    });

    it("refuses internal-access analyzers whose regions or scope are not chosen", () => {
      refusedEverywhere(
        { internalAccess: { analyzeAllResources: true } },
        "internalAccess.regions",
        /is required: list the regions to analyze.*billed per resource monitored, per analyzer, per month.*list every region the stack covers/,
      );
      refusedEverywhere(
        { internalAccess: { regions: [], analyzeAllResources: true } },
        "internalAccess.regions",
        /is empty: list at least one region/,
      );
      refusedEverywhere(
        { internalAccess: { regions: ["us-east-1"] } },
        "internalAccess.analysisRule",
        /is required: choose what is analyzed.*or set analyzeAllResources: true/,
      );
      refusedEverywhere(
        { organization: { internalAccess: { region: "us-east-1" } } },
        "organization.internalAccess.analysisRule",
        /is required: choose what is analyzed/,
      );
      refusedEverywhere(
        internal([{ resourceTypes: ["AWS::S3::Bucket"] }], { analyzeAllResources: true }),
        "internalAccess.analyzeAllResources",
        /contradicts analysisRule; remove one of them/,
      );
      acceptedEverywhere({ internalAccess: { regions: ["us-east-1"], analyzeAllResources: true } });
    });
  });
});
