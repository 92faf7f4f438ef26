import * as assert from "assert";
import * as fs from "fs";
import { isValidRegionName } from "../../../components/regions";
import { checkName } from "../../../components/validation";
import { SCHEMA_PATH, schemaText } from "../../../scripts/generate-fleet-schema";

describe("fleet JSON Schema", () => {
  it("is up to date with the zod schema (run `npm run fleet-schema` when this fails)", async () => {
    const checkedIn = fs.readFileSync(SCHEMA_PATH, "utf8");
    assert.strictEqual(checkedIn, await schemaText(), "fleet/fleet.schema.json is stale");
  });

  it("declares draft-07, forbids unknown keys and requires accounts or organization", () => {
    const schema = JSON.parse(fs.readFileSync(SCHEMA_PATH, "utf8"));
    assert.strictEqual(schema.$schema, "http://json-schema.org/draft-07/schema#");
    assert.strictEqual(schema.additionalProperties, false);
    assert.strictEqual(schema.required, undefined);
    assert.deepStrictEqual(schema.anyOf, [
      { required: ["accounts"] },
      { required: ["organization"] },
    ]);
    const account = schema.properties.accounts.items;
    assert.strictEqual(account.properties.id.pattern, "^\\d{12}$");
    assert.ok(account.properties.regions.items.pattern, "regions carry a pattern for editors");
  });

  it("gives editors region and name patterns that agree with the component's validators", () => {
    const schema = JSON.parse(fs.readFileSync(SCHEMA_PATH, "utf8"));
    const account = schema.properties.accounts.items.properties;
    const REGION_PATTERN = new RegExp(account.regions.items.pattern);
    const name = account.analyzerName;
    const ANALYZER_NAME_PATTERN = {
      test: (n: string) =>
        new RegExp(name.pattern).test(n) &&
        n.length >= name.minLength &&
        n.length <= name.maxLength,
    };
    const regions = [
      "us-east-1",
      "eu-central-2",
      "us-gov-west-1",
      "cn-northwest-1",
      "us-isob-east-1",
      "ap-southeast-7",
      "US-EAST-1",
      "useast1",
      "us-east",
      "mars",
      "us-east-100",
      "",
    ];
    for (const r of regions) {
      assert.strictEqual(
        REGION_PATTERN.test(r),
        isValidRegionName(r),
        `region ${JSON.stringify(r)}`,
      );
    }
    const names = [
      "external-access",
      "a",
      "A.b_c-1",
      "1abc",
      "-x",
      "has space",
      "a".repeat(255),
      "a".repeat(256),
      "",
    ];
    for (const n of names) {
      assert.strictEqual(
        ANALYZER_NAME_PATTERN.test(n),
        checkName("n", n) === undefined,
        `name ${JSON.stringify(n)}`,
      );
    }
  });
});
