import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import {
  SECRET_PROVIDER_INPUTS,
  secretProviderArgs,
} from "../../components/allRegionsAccessAnalyzer";

/** Whether `value` is an Output the engine receives as a secret, and its plain value. */
async function secretOf(value: unknown): Promise<{ secret: boolean; value: unknown }> {
  assert.ok(pulumi.Output.isInstance(value), "an Output");
  const output = value;
  const secret = await pulumi.isSecret(output);
  const plain = await new Promise((resolve) => output.apply(resolve));
  return { secret, value: plain };
}

describe("provider inputs that hold secrets", () => {
  it("marks the role chain (external id) and the web-identity role (token) secret, keeping their values", async () => {
    const assumeRoles = [{ roleArn: "arn:aws:iam::111122223333:role/R", externalId: "PLANTED" }];
    const assumeRoleWithWebIdentity = {
      roleArn: "arn:aws:iam::111122223333:role/W",
      webIdentityToken: "eyJ.planted.token",
    };
    const out = secretProviderArgs({
      assumeRoles,
      assumeRoleWithWebIdentity,
      allowedAccountIds: ["111122223333"],
    });
    assert.deepStrictEqual(await secretOf(out?.assumeRoles), { secret: true, value: assumeRoles });
    assert.deepStrictEqual(await secretOf(out?.assumeRoleWithWebIdentity), {
      secret: true,
      value: assumeRoleWithWebIdentity,
    });
    assert.deepStrictEqual(out?.allowedAccountIds, ["111122223333"], "other inputs untouched");
  });

  it("adds nothing that was not given", () => {
    assert.strictEqual(secretProviderArgs(undefined), undefined);
    const out = secretProviderArgs({ profile: "p" }) ?? {};
    for (const key of SECRET_PROVIDER_INPUTS) assert.ok(!(key in out), key);
  });
});
