// What the internal-access settings will be billed for, in words (components/billing.ts): the
// component logs it, and the fleet's validate and preview print it per account.

import * as assert from "node:assert/strict";

import { internalAccessPlan, internalAccessSummary, internalScope } from "../../components/billing";
import { DEFAULTS } from "../../components/schema";

describe("internal-access billing summary", () => {
  it("says nothing when no internal-access analyzer is asked for", () => {
    assert.equal(internalAccessSummary({}), undefined);
    assert.equal(internalAccessSummary({ organization: {} }), undefined);
  });

  it("counts one analyzer per listed region plus the organization's, each with its scope", () => {
    const settings = {
      internalAccess: {
        regions: ["us-east-1", "eu-west-1"],
        analysisRule: {
          inclusions: [
            { resourceTypes: ["AWS::S3::Bucket", "AWS::DynamoDB::Table"] },
            { resourceArns: ["arn:aws:s3:::a", "arn:aws:s3:::b"] },
          ],
        },
      },
      organization: {
        internalAccess: { region: "eu-west-2", analyzerName: "org-int", analyzeAllResources: true },
      },
    };
    const plan = internalAccessPlan(settings);
    assert.equal(plan?.count, 3);
    assert.deepEqual(plan?.account.regions, ["eu-west-1", "us-east-1"]);
    assert.equal(
      internalAccessSummary(settings),
      "3 internal-access analyzer(s), billed per resource monitored, per analyzer, per month: " +
        `ACCOUNT_INTERNAL_ACCESS "${DEFAULTS.internalAccessAnalyzerName}" in eu-west-1, us-east-1 ` +
        "over AWS::S3::Bucket, AWS::DynamoDB::Table; 2 ARN(s); " +
        'ORGANIZATION_INTERNAL_ACCESS "org-int" in eu-west-2 over every supported resource',
    );
  });

  it("names the accounts an organization inclusion covers", () => {
    assert.equal(
      internalScope({
        analysisRule: {
          inclusions: [{ accountIds: ["111122223333", "444455556666"], resourceTypes: [] }],
        },
      }),
      "in 2 account(s)",
    );
  });

  it("counts the organization analyzer alone", () => {
    assert.match(
      internalAccessSummary({
        organization: { internalAccess: { region: "us-east-1", analyzeAllResources: true } },
      }) ?? "",
      /^1 internal-access analyzer\(s\), billed .*: ORGANIZATION_INTERNAL_ACCESS "organization-internal-access" in us-east-1/,
    );
  });
});
