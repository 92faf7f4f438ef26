import * as assert from "node:assert/strict";

import type * as componentModule from "../../components";
import { MOCK_ACCOUNT, RecordingMocks, installMocks, promiseOf, settled } from "./helpers/mocks";

const PROVIDER = "pulumi:providers:aws";
const DELEGATED = "aws:organizations/delegatedAdministrator:DelegatedAdministrator";
const SERVICE_ACCESS = "aws:organizations/awsServiceAccess:AwsServiceAccess";
const ADMIN = "222233334444";

describe("AccessAnalyzerDelegatedAdministrator", () => {
  let mocks: RecordingMocks;
  let lib: typeof componentModule;

  before(async () => {
    mocks = await installMocks();
    lib = await import("../../components");
  });

  beforeEach(() => mocks.reset());

  function build(args: componentModule.AccessAnalyzerDelegatedAdministratorArgs) {
    return new lib.AccessAnalyzerDelegatedAdministrator("da", args);
  }

  /** Expects the build to fail with `expected`, registering neither Organizations resource. */
  async function rejects(
    args: componentModule.AccessAnalyzerDelegatedAdministratorArgs,
    expected: RegExp,
  ) {
    const component = build(args);
    await assert.rejects(promiseOf(component.delegatedAdministratorAccountId), expected);
    await settled();
    assert.equal(mocks.ofType(DELEGATED).length, 0, "nothing may be registered");
    assert.equal(mocks.ofType(SERVICE_ACCESS).length, 0, "trusted access must not be touched");
  }

  it("registers the member for access-analyzer.amazonaws.com through its own explicit provider, kept on delete", async () => {
    const component = build({ accountId: ADMIN, providerArgs: { profile: "management" } });
    assert.equal(await promiseOf(component.delegatedAdministratorAccountId), ADMIN);
    assert.equal(await promiseOf(component.trustedAccess), "enabled");
    await settled();
    const [registration] = mocks.ofType(DELEGATED);
    assert.deepEqual(registration.inputs, {
      accountId: ADMIN,
      servicePrincipal: "access-analyzer.amazonaws.com",
    });
    assert.equal(
      registration.retainOnDelete,
      true,
      "deregistering would disable the org analyzers",
    );
    const provider = mocks.named("da", PROVIDER);
    assert.equal(provider.inputs.region, "us-east-1");
    assert.equal(provider.inputs.profile, "management");
    assert.ok(registration.provider?.endsWith(`::${provider.id}`));
    for (const invoke of mocks.invokes) {
      assert.ok(invoke.provider?.endsWith(`::${provider.id}`), `${invoke.token} uses the provider`);
    }
    assert.deepEqual(mocks.invokes.map((i) => i.token).sort(), [
      "aws:index/getCallerIdentity:getCallerIdentity",
      "aws:organizations/getOrganization:getOrganization",
    ]);
    assert.equal(mocks.ofType(SERVICE_ACCESS).length, 0, "trusted access already on: not declared");
  });

  it("registers through the provider passed in, making none of its own, and refuses settings it would ignore", async () => {
    const aws = await import("@pulumi/aws");
    const mine = new aws.Provider("mine", { region: "us-east-1", profile: "management" });
    const component = new lib.AccessAnalyzerDelegatedAdministrator(
      "da",
      { accountId: ADMIN },
      { providers: { aws: mine } },
    );
    assert.equal(await promiseOf(component.delegatedAdministratorAccountId), ADMIN);
    await settled();
    const providers = mocks.ofType(PROVIDER);
    assert.deepEqual(
      providers.map((p) => p.name),
      ["mine"],
    );
    const ref = `${providers[0].urn}::${providers[0].id}`;
    assert.equal(mocks.ofType(DELEGATED)[0].provider, ref);
    assert.equal(mocks.invokes.length, 2);
    for (const invoke of mocks.invokes) assert.equal(invoke.provider, ref, invoke.token);

    mocks.reset();
    const again = new aws.Provider("mine", { region: "us-east-1" });
    assert.throws(
      () =>
        new lib.AccessAnalyzerDelegatedAdministrator(
          "da",
          { accountId: ADMIN, region: "eu-west-1", providerArgs: { profile: "x" } },
          { provider: again },
        ),
      /providerArgs: would be ignored: the aws provider passed in[^]*region: would be ignored: Organizations is called in the region of the aws provider passed in/,
    );
    await settled();
    assert.deepEqual(
      mocks.registrations.map((r) => r.name),
      ["mine"],
    );
  });

  it("fails with the exact command when trusted access is off and enableTrustedAccess is not set", async () => {
    mocks.organization.awsServiceAccessPrincipals = [];
    await rejects(
      { accountId: ADMIN },
      /trusted access for access-analyzer.amazonaws.com is not enabled .*Fix: run `aws organizations enable-aws-service-access --service-principal access-analyzer.amazonaws.com` in the management account, or set enableTrustedAccess: true/,
    );
  });

  it("declares AwsServiceAccess, kept on delete, whenever enableTrustedAccess is on", async () => {
    for (const principals of [[], ["access-analyzer.amazonaws.com"]]) {
      mocks.reset();
      mocks.organization.awsServiceAccessPrincipals = principals;
      const component = build({ accountId: ADMIN, enableTrustedAccess: true });
      assert.equal(await promiseOf(component.trustedAccess), "managed");
      await settled();
      const [access] = mocks.ofType(SERVICE_ACCESS);
      assert.equal(access.inputs.servicePrincipal, "access-analyzer.amazonaws.com");
      assert.equal(access.retainOnDelete, true, "disabling trusted access breaks org analyzers");
      assert.equal(mocks.ofType(DELEGATED).length, 1);
    }
  });

  it("refuses a caller that is not the management account", async () => {
    mocks.callerAccount = "999988887777";
    await rejects(
      { accountId: ADMIN },
      new RegExp(`the caller is account 999988887777, not the management account ${MOCK_ACCOUNT}`),
    );
  });

  it("refuses the management account itself, an outsider and a suspended member", async () => {
    await rejects({ accountId: MOCK_ACCOUNT }, /is the management account itself/);
    mocks.reset();
    await rejects({ accountId: "111100002222" }, /111100002222 is not a member of organization/);
    mocks.reset();
    await rejects({ accountId: "555566667777" }, /555566667777 is SUSPENDED, not ACTIVE/);
  });

  it("rejects a malformed account id before registering or looking up anything", () => {
    assert.throws(
      () => new lib.AccessAnalyzerDelegatedAdministrator("da", { accountId: "12345" }),
      /accountId: "12345" is not an account id; use 12 digits/,
    );
    assert.equal(mocks.registrations.length, 0);
    assert.equal(mocks.invokes.length, 0);
  });
});
