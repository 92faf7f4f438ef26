// The delegated-administrator registration's explicit provider must hold the role chain (external
// ids) and the web-identity role (token) as secrets, as the regional providers of
// AllRegionsAccessAnalyzer do: `@pulumi/aws` marks only the keys and the session token itself,
// and everything else a provider is given is stored in the state as it arrives.

import * as assert from "node:assert/strict";

import type * as componentModule from "../../components";
import { MOCK_ACCOUNT, RecordingMocks, installMocks, promiseOf, settled } from "./helpers/mocks";

const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
const SIG_KEY = "4dabf18193072939515e22adb298388d";

describe("AccessAnalyzerDelegatedAdministrator's provider secrets", () => {
  let mocks: RecordingMocks;
  let lib: typeof componentModule;
  /** The raw inputs of every provider registration, as the engine receives them. */
  const sent: Record<string, unknown>[] = [];

  before(async () => {
    mocks = await installMocks();
    const pulumi = await import("@pulumi/pulumi");
    const monitor = pulumi.runtime.getMonitor() as any;
    const register = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req: any, callback: any) => {
      if (req.getType() === "pulumi:providers:aws") sent.push(req.getObject().toJavaScript());
      return register(req, callback);
    };
    lib = await import("../../components");
  });

  it("sends assumeRoles and assumeRoleWithWebIdentity to the engine as secrets", async () => {
    mocks.reset();
    sent.length = 0;
    const component = new lib.AccessAnalyzerDelegatedAdministrator("da", {
      accountId: "222233334444",
      providerArgs: {
        assumeRoles: [
          { roleArn: `arn:aws:iam::${MOCK_ACCOUNT}:role/Org`, externalId: "PLANTED-DA-ID" },
        ],
        assumeRoleWithWebIdentity: {
          roleArn: `arn:aws:iam::${MOCK_ACCOUNT}:role/Web`,
          webIdentityToken: "eyJ.planted",
        },
        profile: "management",
      },
    });
    await promiseOf(component.delegatedAdministratorAccountId);
    await settled();
    assert.equal(sent.length, 1, "one explicit provider");
    const inputs = sent[0];
    for (const key of ["assumeRoles", "assumeRoleWithWebIdentity"]) {
      assert.equal(
        (inputs[key] as Record<string, unknown>)?.[SIG_KEY],
        SECRET_SIG,
        `${key} secret`,
      );
    }
    assert.equal(inputs.profile, "management", "other settings stay plain");
  });
});
