import * as assert from "assert";
import { chooseTargets } from "../../../fleet/commands/stackCommand";
import type { AccountSelection } from "../../../fleet/domain/organization";
import { REGISTRATION_STACK } from "../../../fleet/domain/organization";
import { organizationTargets } from "../../../fleet/domain/organizationFleet";
import { findOrphans, phaseBlocked, runPhases } from "../../../fleet/domain/plan";
import { stackConfigFor } from "../../../fleet/domain/stackConfig";
import { shardTargets } from "../../../fleet/domain/targets";
import { parseFleetFile } from "../../../fleet/settings/fleetFile";
import type { Fleet } from "../../../fleet/settings/schema";

const MGMT = "111111111111";
const ADMIN = "222222222222";
const PROD = "333333333333";
const DEV = "444444444444";
const SANDBOX = "555555555555";
const GONE = "666666666666";
const OUTSIDE = "777777777777";

const account = (accountId: string, ouPath: string) => ({
  accountId,
  name: `n-${accountId}`,
  email: `${accountId}@example.com`,
  status: "ACTIVE",
  ouId: "ou-x",
  ouPath,
});

const FOUND: AccountSelection = {
  organizationId: "o-abc1234567",
  managementAccountId: MGMT,
  accounts: [
    account(MGMT, "Root"),
    account(ADMIN, "Root/Security"),
    account(PROD, "Root/Workloads/Prod"),
    account(DEV, "Root/Workloads/Dev"),
  ],
  leftOut: [
    {
      ...account(SANDBOX, "Root/Sandbox"),
      reason: "excluded-ou",
      detail: "in excluded OU Root/Sandbox",
    },
    {
      ...account(GONE, "Root/Workloads"),
      status: "SUSPENDED",
      reason: "not-active",
      detail: "state SUSPENDED",
    },
  ],
  warnings: [],
};

function fleet(text: string): Fleet {
  const parsed = parseFleetFile(text, "fleet.yaml");
  assert.ok(parsed.ok, parsed.ok ? "" : parsed.messages.join("\n"));
  return parsed.fleet;
}

const ORG_ONLY = `defaults:
  roleName: Deployer
  regions: ["eu-west-1"]
organization:
  roleArn: arn:aws:iam::${MGMT}:role/OrgReader
  exclude: { ous: ["Root/Sandbox"] }
`;

describe("organization fleet", () => {
  it("accepts organization: without accounts:, and refuses a file with neither", () => {
    assert.ok(parseFleetFile(ORG_ONLY, "f.yaml").ok);
    const none = parseFleetFile("defaults: { roleName: Deployer }\n", "f.yaml");
    assert.ok(!none.ok);
    assert.match(none.ok ? "" : none.messages[0], /accounts: is required.*or add organization:/);
  });

  it("reports a defaults problem before any account is known", () => {
    const bad = parseFleetFile(
      `defaults:\n  regions: ["eu-west-1"]\n  unusedAccess: { region: "us-east-1" }\norganization: {}\n`,
      "f.yaml",
    );
    assert.ok(!bad.ok);
    assert.match(bad.ok ? "" : bad.messages.join("\n"), /^f\.yaml: defaults\.unusedAccess/m);
  });

  it("gives every discovered ACTIVE in-scope account the defaults, by account id, and lists what was left out", () => {
    const r = organizationTargets(fleet(ORG_ONLY), FOUND);
    assert.deepStrictEqual(r.problems, []);
    assert.deepStrictEqual(
      r.targets.map((t) => [t.accountId, t.stack, t.access.roleArn, t.origin?.ouPath]),
      [
        [MGMT, `acct-${MGMT}`, `arn:aws:iam::${MGMT}:role/Deployer`, "Root"],
        [ADMIN, `acct-${ADMIN}`, `arn:aws:iam::${ADMIN}:role/Deployer`, "Root/Security"],
        [PROD, `acct-${PROD}`, `arn:aws:iam::${PROD}:role/Deployer`, "Root/Workloads/Prod"],
        [DEV, `acct-${DEV}`, `arn:aws:iam::${DEV}:role/Deployer`, "Root/Workloads/Dev"],
      ].sort((a, b) => (a[0] < b[0] ? -1 : 1)),
    );
    assert.deepStrictEqual(
      r.leftOut.map((a) => [a.accountId, a.reason]),
      [
        [SANDBOX, "excluded OU"],
        [GONE, "not active"],
      ],
    );
  });

  it("lets an accounts: entry override a discovered account and add one outside the scope", () => {
    const r = organizationTargets(
      fleet(
        `${ORG_ONLY}accounts:\n  - { id: "${PROD}", name: prod, regions: ["us-east-1"] }\n  - { id: "${OUTSIDE}", roleArn: "arn:aws:iam::${OUTSIDE}:role/X" }\n`,
      ),
      FOUND,
    );
    const prod = r.targets.find((t) => t.accountId === PROD)!;
    assert.deepStrictEqual(prod.settings.regions, ["us-east-1"]);
    assert.strictEqual(prod.name, "prod");
    assert.deepStrictEqual(prod.origin, {
      ouPath: "Root/Workloads/Prod",
      accountName: `n-${PROD}`,
      fleetFile: true,
    });
    const outside = r.targets.find((t) => t.accountId === OUTSIDE)!;
    assert.deepStrictEqual(outside.origin, { fleetFile: true });
    assert.strictEqual(r.targets.length, 5);
  });

  it("names each account by its Organizations name unless the fleet file names it", () => {
    const f = fleet(
      `${ORG_ONLY}accounts:\n  - { id: "${PROD}", name: prod }\n  - { id: "${SANDBOX}" }\n  - { id: "${OUTSIDE}" }\n`,
    );
    const found: AccountSelection = {
      ...FOUND,
      accounts: [
        ...FOUND.accounts.filter((a) => a.accountId !== DEV),
        { ...account(DEV, "Root/Workloads/Dev"), name: "  Dev Workloads " },
      ],
    };
    const names = Object.fromEntries(
      organizationTargets(f, found).targets.map((t) => [t.accountId, t.name]),
    );
    assert.deepStrictEqual(names, {
      [MGMT]: `n-${MGMT}`,
      [ADMIN]: `n-${ADMIN}`,
      [PROD]: "prod",
      [DEV]: "Dev Workloads",
      // Left out by the organization but listed: the name it has there.
      [SANDBOX]: `n-${SANDBOX}`,
      [OUTSIDE]: undefined,
    });
    const idAsName = organizationTargets(f, {
      ...FOUND,
      accounts: [{ ...account(DEV, "Root"), name: DEV }],
    }).targets.find((t) => t.accountId === DEV);
    assert.ok(idAsName && !("name" in idAsName), "a name that is the id adds nothing");
  });

  it("deals shards over the discovered set by account id, whatever the file lists", () => {
    const a = organizationTargets(fleet(ORG_ONLY), FOUND).targets;
    const b = organizationTargets(
      fleet(`${ORG_ONLY}accounts:\n  - { id: "${DEV}", name: dev }\n`),
      FOUND,
    ).targets;
    for (const k of [1, 2]) {
      assert.deepStrictEqual(
        shardTargets(a, { index: k, count: 2 }).map((t) => t.accountId),
        shardTargets(b, { index: k, count: 2 }).map((t) => t.accountId),
      );
    }
  });

  describe("the delegated administrator", () => {
    const WITH_ADMIN = `${ORG_ONLY}  delegatedAdministrator: { accountId: "${ADMIN}", enableTrustedAccess: true }
  analyzers:
    unusedAccess: { region: eu-west-1, unusedAccessAge: 90 }
`;

    it("runs the registration first, through the organization role, then the administrator, then members", () => {
      const r = organizationTargets(fleet(WITH_ADMIN), FOUND);
      assert.deepStrictEqual(r.problems, []);
      const phases = runPhases(r.targets);
      assert.deepStrictEqual(
        phases.map((p) => [p.phase, p.targets.map((t) => t.stack)]),
        [
          ["registration", [REGISTRATION_STACK]],
          ["delegated-administrator", [`acct-${ADMIN}`]],
          ["members", [`acct-${MGMT}`, `acct-${PROD}`, `acct-${DEV}`].sort()],
        ],
      );
      const registration = stackConfigFor(phases[0].targets[0]);
      assert.deepStrictEqual(
        JSON.parse(registration["access-analyzer:delegatedAdministrator"].value),
        {
          accountId: ADMIN,
          enableTrustedAccess: true,
        },
      );
      assert.deepStrictEqual(JSON.parse(registration["access-analyzer:providerArgs"].value), {
        assumeRoles: [
          { roleArn: `arn:aws:iam::${MGMT}:role/OrgReader`, sessionName: "access-analyzer-fleet" },
        ],
        allowedAccountIds: [MGMT],
      });
      assert.strictEqual(registration["access-analyzer:regions"], undefined, "no analyzer keys");
      const admin = stackConfigFor(phases[1].targets[0]);
      assert.deepStrictEqual(JSON.parse(admin["access-analyzer:organization"].value), {
        externalAccess: true,
        unusedAccess: { region: "eu-west-1", unusedAccessAge: 90 },
      });
      const member = stackConfigFor(phases[2].targets[0]);
      assert.strictEqual(member["access-analyzer:organization"], undefined);
    });

    it("gives the registration the partition's lookup region, and refuses an organization role of another partition", () => {
      const GOV = `defaults:
  roleName: Deployer
  partition: aws-us-gov
  lookupRegion: us-gov-west-1
organization:
  roleArn: arn:aws-us-gov:iam::${MGMT}:role/OrgReader
  delegatedAdministrator: { accountId: "${ADMIN}" }
`;
      const r = organizationTargets(fleet(GOV), FOUND);
      assert.deepStrictEqual(r.problems, []);
      const [registration, ...rest] = runPhases(r.targets).flatMap((p) => p.targets);
      const config = stackConfigFor(registration);
      assert.strictEqual(config["access-analyzer:lookupRegion"]?.value, "us-gov-west-1");
      assert.deepStrictEqual(
        Object.keys(config).sort(),
        [
          "access-analyzer:delegatedAdministrator",
          "access-analyzer:lookupRegion",
          "access-analyzer:providerArgs",
        ],
        "nothing else of the defaults",
      );
      for (const t of rest) {
        assert.match(t.access.roleArn ?? "", /^arn:aws-us-gov:iam::\d{12}:role\/Deployer$/);
        assert.strictEqual(
          stackConfigFor(t)["access-analyzer:lookupRegion"]?.value,
          "us-gov-west-1",
        );
      }
      // Without a lookup region the registration keeps the component's default, as before.
      const commercial = organizationTargets(fleet(WITH_ADMIN), FOUND).targets[0];
      assert.strictEqual(stackConfigFor(commercial)["access-analyzer:lookupRegion"], undefined);

      for (const [defaults, said] of [
        ["lookupRegion: us-east-1", 'defaults.lookupRegion "us-east-1" is in aws'],
        ["partition: aws", "defaults.partition is aws"],
        ["roleName: Deployer", 'defaults.lookupRegion is not set, so it is "us-east-1"'],
      ]) {
        const parsed = parseFleetFile(
          `defaults: { ${defaults} }\norganization:\n  roleArn: arn:aws-us-gov:iam::${MGMT}:role/OrgReader\n`,
          "gov.yaml",
        );
        assert.ok(!parsed.ok);
        assert.deepStrictEqual(
          parsed.messages.filter((m) => m.includes("organization.roleArn")),
          [
            `gov.yaml: organization.roleArn: is in partition aws-us-gov, but ${said}` +
              `${said.endsWith('"us-east-1"') ? " (partition aws)" : ""}; an organization and its accounts are in one partition: ` +
              `set defaults.lookupRegion to a region of aws-us-gov (e.g. "us-gov-west-1"), or use a role of aws`,
          ],
        );
      }
    });

    it("refuses an administrator that is the management account, left out, or unknown", () => {
      for (const [id, message] of [
        [MGMT, /is the management account/],
        [SANDBOX, /is left out of the fleet \(in excluded OU Root\/Sandbox\)/],
        ["999999999999", /is not an account of organization o-abc1234567/],
      ] as const) {
        const r = organizationTargets(
          fleet(`${ORG_ONLY}  delegatedAdministrator: { accountId: "${id}" }\n`),
          FOUND,
        );
        assert.match(r.problems.join("\n"), message);
      }
    });

    it("skips the administrator's stack when the registration did not succeed, never the members", () => {
      assert.match(
        phaseBlocked("delegated-administrator", [{ phase: "registration", outcome: "failed" }]) ??
          "",
        /registration \(stack org-delegated-admin\) ended failed/,
      );
      assert.strictEqual(
        phaseBlocked("delegated-administrator", [{ phase: "registration", outcome: "succeeded" }]),
        undefined,
      );
      assert.strictEqual(
        phaseBlocked("members", [{ phase: "registration", outcome: "failed" }]),
        undefined,
      );
    });

    it("refuses organization analyzers without a delegated administrator", () => {
      const bad = parseFleetFile(`${ORG_ONLY}  analyzers: { externalAccess: {} }\n`, "f.yaml");
      assert.match(
        bad.ok ? "" : bad.messages.join("\n"),
        /organization\.analyzers: .*delegatedAdministrator/,
      );
    });

    it("checks organization.analyzers with the component's own organization schema", () => {
      const admin = `  delegatedAdministrator: { accountId: "${"2".repeat(12)}" }\n`;
      const empty = parseFleetFile(
        `${ORG_ONLY}${admin}  analyzers: { internalAccess: { region: eu-west-1, analysisRule: { inclusions: [] } } }\n`,
        "f.yaml",
      );
      assert.match(
        empty.ok ? "" : empty.messages.join("\n"),
        /organization\.analyzers\.internalAccess\.analysisRule\.inclusions: .*at least one inclusion/,
      );
      const ok = parseFleetFile(
        `${ORG_ONLY}${admin}  analyzers: { externalAccess: true, internalAccess: { region: eu-west-1, analysisRule: { inclusions: [{ accountIds: ["${"3".repeat(12)}"] }] } } }\n`,
        "f.yaml",
      );
      assert.ok(ok.ok, ok.ok ? "" : ok.messages.join("\n"));
    });
  });

  describe("orphaned stacks", () => {
    const run = () => {
      const f = fleet(ORG_ONLY);
      const r = organizationTargets(f, FOUND);
      return { fleet: f, targets: r.targets, leftOut: r.leftOut, warnings: [] };
    };

    it("finds the fleet's stacks no target uses, with why, and ignores stacks of other names", () => {
      const orphans = findOrphans(
        [
          `acct-${PROD}`,
          `acct-${GONE}`,
          `org/access-analyzer/acct-${OUTSIDE}`,
          "prod",
          REGISTRATION_STACK,
        ],
        run().targets,
        run().leftOut,
      );
      assert.deepStrictEqual(
        orphans.map((o) => [o.stack, o.accountId, o.reason.split(":")[0]]),
        [
          [`acct-${GONE}`, GONE, "not active"],
          [
            `acct-${OUTSIDE}`,
            OUTSIDE,
            "not in the fleet any more (left the organization, or removed from the fleet file)",
          ],
          [
            REGISTRATION_STACK,
            undefined,
            "organization.delegatedAdministrator is no longer set (the registration is kept)",
          ],
        ],
      );
    });

    it("reports orphans on up and never runs them; destroy runs one only when --accounts names it", () => {
      const orphans = findOrphans([`acct-${GONE}`], run().targets, run().leftOut);
      const up = chooseTargets("up", run(), orphans, {});
      assert.strictEqual(up.targets.length, 4);
      assert.deepStrictEqual(
        up.orphaned.map((o) => o.accountId),
        [GONE],
      );
      const all = chooseTargets("destroy", run(), orphans, { all: true });
      assert.ok(!all.targets.some((t) => t.accountId === GONE), "--all leaves orphans alone");
      const named = chooseTargets("destroy", run(), orphans, { accounts: [GONE] });
      assert.deepStrictEqual(
        named.targets.map((t) => [t.stack, !!t.orphaned]),
        [[`acct-${GONE}`, true]],
      );
    });
    it("reports every orphan, the registration's too, in shard 1 only, so a matrix reports each once", () => {
      const orphans = findOrphans(
        [`acct-${GONE}`, `acct-${OUTSIDE}`, REGISTRATION_STACK],
        run().targets,
        run().leftOut,
      );
      const stacks = (k: number) =>
        chooseTargets("up", run(), orphans, { shard: { index: k, count: 3 } }).orphaned.map(
          (o) => o.stack,
        );
      assert.deepStrictEqual(stacks(1), [`acct-${GONE}`, `acct-${OUTSIDE}`, REGISTRATION_STACK]);
      assert.deepStrictEqual([...stacks(2), ...stacks(3)], []);
      const destroy = (k: number) =>
        chooseTargets("destroy", run(), orphans, {
          accounts: [GONE],
          shard: { index: k, count: 2 },
        }).targets.map((t) => t.stack);
      assert.deepStrictEqual(destroy(1), [`acct-${GONE}`]);
      assert.deepStrictEqual(destroy(2), []);
    });
  });

  describe("organizationTargets", () => {
    const LOW = "100000000000";

    it("passes a fleet without organization: through unchanged", () => {
      const f = fleet(`accounts:\n  - id: "${PROD}"\n`);
      assert.deepStrictEqual(organizationTargets(f, FOUND), {
        targets: f.targets,
        leftOut: [],
        warnings: [],
        problems: [],
      });
    });

    it("covers a listed account the organization leaves out, warns, and sorts every target by id", () => {
      const r = organizationTargets(
        fleet(`${ORG_ONLY}accounts:\n  - { id: "${SANDBOX}" }\n  - { id: "${LOW}" }\n`),
        { ...FOUND, warnings: ["an OU could not be read"] },
      );
      assert.deepStrictEqual(
        r.targets.map((t) => t.accountId),
        [LOW, MGMT, ADMIN, PROD, DEV, SANDBOX],
      );
      assert.deepStrictEqual(r.warnings, [
        "an OU could not be read",
        `accounts: ${SANDBOX} is listed in the fleet file but the organization leaves it out (in excluded OU Root/Sandbox); it is covered as listed`,
      ]);
      assert.deepStrictEqual(r.targets[5].origin, {
        fleetFile: true,
        ouPath: "Root/Sandbox",
        accountName: `n-${SANDBOX}`,
      });
      assert.deepStrictEqual(r.targets[0].origin, { fleetFile: true });
      assert.deepStrictEqual(r.targets[1].origin, {
        ouPath: "Root",
        accountName: `n-${MGMT}`,
        fleetFile: false,
      });
      assert.deepStrictEqual(
        r.leftOut.map((a) => a.accountId),
        [GONE],
      );
    });

    it("refuses two accounts in one stack, naming both", () => {
      const r = organizationTargets(
        fleet(`${ORG_ONLY}accounts:\n  - { id: "${OUTSIDE}", stack: acct-${PROD} }\n`),
        FOUND,
      );
      assert.deepStrictEqual(r.problems, [
        `accounts: stack "acct-${PROD}" would hold both ${PROD} and ${OUTSIDE}; give the fleet file's entry another stack`,
      ]);
    });

    it("refuses an entry in the registration stack when there is a delegated administrator", () => {
      const r = organizationTargets(
        fleet(
          `${ORG_ONLY}  delegatedAdministrator: { accountId: "${ADMIN}" }\naccounts:\n  - { id: "${OUTSIDE}", stack: ${REGISTRATION_STACK} }\n`,
        ),
        FOUND,
      );
      assert.deepStrictEqual(r.problems, [
        `accounts: stack "${REGISTRATION_STACK}" is the delegated administrator's registration stack; give the entry another stack`,
      ]);
    });

    it("registers through the organization role with its external id, and leaves enableTrustedAccess unset unless given", () => {
      const r = organizationTargets(
        fleet(`defaults: { roleName: Deployer }
organization:
  roleArn: arn:aws:iam::${MGMT}:role/OrgReader
  externalId: org-ext-1
  sessionName: org-session
  delegatedAdministrator: { accountId: "${ADMIN}" }
`),
        FOUND,
      );
      assert.deepStrictEqual(r.targets[0], {
        accountId: MGMT,
        name: "org-registration",
        stack: REGISTRATION_STACK,
        access: {
          roleArn: `arn:aws:iam::${MGMT}:role/OrgReader`,
          sessionName: "org-session",
          externalId: "org-ext-1",
        },
        settings: {},
        origin: { ouPath: "Root", fleetFile: false, accountName: "management account" },
        phase: "registration",
        programConfig: { delegatedAdministrator: { accountId: ADMIN } },
      });
    });

    it("registers through the organization role without an external id when none is set", () => {
      const r = organizationTargets(
        fleet(
          `organization:\n  roleArn: arn:aws:iam::${MGMT}:role/OrgReader\n  delegatedAdministrator: { accountId: "${ADMIN}" }\n`,
        ),
        FOUND,
      );
      assert.deepStrictEqual(r.targets[0].access, {
        roleArn: `arn:aws:iam::${MGMT}:role/OrgReader`,
        sessionName: "access-analyzer-fleet",
      });
    });

    it("registers with the bot's own credentials when the organization sets no role", () => {
      const r = organizationTargets(
        fleet(`organization:\n  delegatedAdministrator: { accountId: "${ADMIN}" }\n`),
        FOUND,
      );
      assert.deepStrictEqual(r.targets[0].access, {});
    });
  });
});
