/**
 * Runs last (mocha loads the e2e files in name order): every action in the shipped policies was
 * authorised for a role it was attached to, somewhere in this run of the suite. An action the
 * suite cannot exercise is named below with the reason; a stale entry fails too.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";

import { statementsOf } from "../harness/fake-aws";
import { ROOT, policyUsage, shippedPolicy } from "./harness";

/** Policy files no e2e role carries in this suite, and why. */
const NOT_ATTACHED: Readonly<Record<string, string>> = {
  "trust-policy.json": "a trust policy, not an identity policy: fake-aws checks trust per role",
};

/** `file: action` pairs the suite cannot exercise, and why. */
const NOT_EXERCISED: Readonly<Record<string, string>> = {};

describe("least privilege: the shipped policies", () => {
  it("every action in each attached shipped policy was authorised during the e2e suite", () => {
    assert.ok(
      policyUsage.length > 0,
      "no World ran before this test: run the whole e2e suite (npm run test:e2e)",
    );
    const files = fs.readdirSync(path.join(ROOT, "policies")).filter((f) => f.endsWith(".json"));
    const missing: string[] = [];
    const stale: string[] = [];
    for (const file of files) {
      const roles = policyUsage.filter((u) => u.policies.includes(file));
      if (roles.length === 0) {
        if (!(file in NOT_ATTACHED)) missing.push(`${file}: attached to no e2e role`);
        continue;
      }
      if (file in NOT_ATTACHED) stale.push(`${file} is attached now: remove it from NOT_ATTACHED`);
      const used = new Set(roles.flatMap((r) => r.actions));
      const actions = statementsOf(shippedPolicy(file)).flatMap((s) => [s.Action ?? []].flat());
      for (const action of new Set(actions)) {
        const key = `${file}: ${action}`;
        if (used.has(action)) {
          if (key in NOT_EXERCISED) stale.push(`${key} was used: remove it from NOT_EXERCISED`);
        } else if (!(key in NOT_EXERCISED)) {
          missing.push(key);
        }
      }
    }
    for (const [key, why] of Object.entries({ ...NOT_ATTACHED, ...NOT_EXERCISED })) {
      console.log(`      not covered by this suite: ${key} (${why})`);
    }
    assert.deepStrictEqual(stale, [], "exceptions that no longer hold");
    assert.deepStrictEqual(
      missing,
      [],
      "actions in the shipped policies that no e2e test used: drop them, or name them with a reason",
    );
  });

  it("granted the organization fleet's work in the GovCloud partition, as shipped (tests/e2e/partition.test.ts)", () => {
    const gov = policyUsage.filter((u) => u.roleArn.startsWith("arn:aws-us-gov:"));
    const used = (file: string) =>
      new Set(gov.filter((u) => u.policies.includes(file)).flatMap((u) => u.actions));
    // One action per file that only its resource ARNs (or its Organizations conditions) allow.
    const expected: Record<string, string> = {
      "deployer.json": "access-analyzer:CreateAnalyzer",
      "audit.json": "access-analyzer:ListFindings",
      "organizations-read.json": "organizations:ListAccountsForParent",
      "delegated-admin-registration.json": "organizations:RegisterDelegatedAdministrator",
    };
    const missing = Object.entries(expected).filter(([file, action]) => !used(file).has(action));
    assert.deepStrictEqual(missing, [], "no GovCloud role was granted these (file, action) pairs");
  });
});
