// Copyright 2026 The pulumi-access-analyzer-all-regions authors.
// SPDX-License-Identifier: Apache-2.0

/**
 * The per-account program's contract with whoever runs it (the fleet bot writes its stack config and
 * reads its outputs): the project name (and so the config namespace), the config keys, the output
 * names, the environment variable that carries an external id, and the settings fingerprint both
 * sides compute. Defined here once; docs/CONTRACTS.md describes each. Pure (file access, where the
 * program's identity needs it, is passed in).
 */
import { createHash } from "crypto";
import * as path from "path";

/** The program's project name (`Pulumi.yaml`), and so its config namespace. */
export const PROJECT_NAME = "access-analyzer";

/** The environment variable holding the external id of the role in `providerArgs.assumeRoles`. */
export const EXTERNAL_ID_ENV = "ACCESS_ANALYZER_EXTERNAL_ID";

/** The program's config keys (in the `access-analyzer:` namespace). */
export const CONFIG_KEYS = [
  "regions",
  "excludeRegions",
  "lookupRegion",
  "analyzerName",
  "unusedAccess",
  "internalAccess",
  "organization",
  "delegatedAdministrator",
  "archiveRules",
  "tags",
  "providerArgs",
  "protect",
  "retainOnDelete",
  "adopt",
  "allowDelete",
  "providerMode",
] as const;
export type ConfigKey = (typeof CONFIG_KEYS)[number];

/** `access-analyzer:<key>`: a config key in the program's namespace. */
export function configKey(key: ConfigKey): string {
  return `${PROJECT_NAME}:${key}`;
}

/** The program's stack outputs. */
export const OUTPUTS = {
  regions: "regions",
  analyzerArns: "analyzerArns",
  unusedAccessAnalyzerArn: "unusedAccessAnalyzerArn",
  organizationAnalyzerArns: "organizationAnalyzerArns",
  organizationUnusedAccessAnalyzerArn: "organizationUnusedAccessAnalyzerArn",
  internalAccessAnalyzerArns: "internalAccessAnalyzerArns",
  organizationInternalAccessAnalyzerArn: "organizationInternalAccessAnalyzerArn",
  delegatedAdministratorAccountId: "delegatedAdministratorAccountId",
  /** The settings fingerprint of the last run that created or updated every analyzer. */
  fingerprint: "fingerprint",
} as const;

// ---- the settings fingerprint ------------------------------------------------------------------
//
// One hash of everything a run of the program depends on besides the account itself (its enabled
// regions, its analyzers): the program's `access-analyzer:*` config, the program's identity
// (package version, the `@pulumi/aws` and `@pulumi/pulumi` versions, a hash of the program's own
// files) and whether an external id is set (never its value, a secret). The program exports it as
// the stack output `fingerprint` once every analyzer it declares has its ARN (index.ts); the fleet
// bot computes the same hash for the config it would write and, when the state's output is equal,
// knows that the last `up` that completed ran exactly these settings (fleet/domain/unchanged.ts).

/** This package's npm name: its package.json is the one that names it. */
export const PACKAGE_NAME = "pulumi-access-analyzer-all-regions";

/** What the program is: a change to any of it may change what a run creates. */
export interface ProgramIdentity {
  /** This package's version (its package.json). */
  readonly packageVersion: string;
  /** The installed `@pulumi/aws` version (the provider's schema and behaviour follow it). */
  readonly awsVersion: string;
  /** The installed `@pulumi/pulumi` version. */
  readonly pulumiVersion: string;
  /** sha256 of the program's files (`programCodeHash`). */
  readonly codeHash: string;
}

/** Bumped when what the fingerprint covers changes, so an old fingerprint never matches. */
const FINGERPRINT_FORMAT = 1;

/**
 * The fingerprint of a run: sha256 (hex) over the program's config keys and values (keys sorted;
 * other namespaces left out: `aws:*` config does not reach explicit providers), the program's
 * identity and whether an external id is set.
 *
 * @param config every config value, keyed `namespace:key`, as the program sees it
 *   (`pulumi.runtime.allConfig()`) or as the fleet writes it (plain strings).
 */
export function settingsFingerprint(
  config: Readonly<Record<string, string>>,
  identity: ProgramIdentity,
  externalIdSet: boolean,
): string {
  const prefix = `${PROJECT_NAME}:`;
  const entries = Object.entries(config)
    .filter(([key]) => key.startsWith(prefix))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const canonical = JSON.stringify({
    format: FINGERPRINT_FORMAT,
    config: entries,
    identity: [
      identity.packageVersion,
      identity.awsVersion,
      identity.pulumiVersion,
      identity.codeHash,
    ],
    externalIdSet,
  });
  return createHash("sha256").update(canonical).digest("hex");
}

/** How the program's identity is read from its folder (each side passes its file access). */
export interface IdentityIo {
  readonly readFile: (file: string) => string | undefined;
  /** Every file under `dir`, relative to it; [] when there is no such folder. */
  readonly listFiles: (dir: string) => string[];
  /** The folder holding `module`'s package.json, as `require` resolves it from `dir`. */
  readonly packageDir: (module: string, dir: string) => string | undefined;
}

/** The program's files: its project file, its entry point, and the code it runs. */
const PROGRAM_ENTRIES = ["Pulumi.yaml", "index.ts", "index.js"];
const PROGRAM_FOLDERS = ["components", "program"];

/**
 * The `version` of the nearest package.json at or above `start` that is this package's; undefined
 * when there is none.
 */
export function findPackageVersion(
  start: string,
  read: (file: string) => string | undefined,
): string | undefined {
  let dir = path.resolve(start);
  for (;;) {
    const text = read(path.join(dir, "package.json"));
    if (text !== undefined) {
      const pkg = JSON.parse(text) as { name?: unknown; version?: unknown };
      if (pkg.name === PACKAGE_NAME && typeof pkg.version === "string") return pkg.version;
    }
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** sha256 over the program's files in `dir` (names and contents, in name order). */
export function programCodeHash(dir: string, io: IdentityIo): string {
  const isCode = (f: string) => /\.(ts|js)$/.test(f) && !f.endsWith(".d.ts");
  const files = [
    ...PROGRAM_ENTRIES,
    ...PROGRAM_FOLDERS.flatMap((folder) =>
      io
        .listFiles(path.join(dir, folder))
        .filter(isCode)
        .map((f) => `${folder}/${f.split(path.sep).join("/")}`),
    ),
  ].sort();
  const hash = createHash("sha256");
  for (const file of files) {
    const text = io.readFile(path.join(dir, file));
    if (text === undefined) continue;
    hash.update(`${file}\0${text.length}\0`).update(text);
  }
  return hash.digest("hex");
}

/** The identity of the program in `dir` (the folder holding its Pulumi.yaml). */
export function programIdentity(dir: string, io: IdentityIo): ProgramIdentity {
  const installed = (module: string): string => {
    const at = io.packageDir(module, dir);
    const text = at !== undefined ? io.readFile(path.join(at, "package.json")) : undefined;
    const version = text !== undefined ? (JSON.parse(text) as { version?: unknown }).version : "";
    return typeof version === "string" && version !== "" ? version : "none";
  };
  return {
    packageVersion: findPackageVersion(dir, io.readFile) ?? "unknown",
    awsVersion: installed("@pulumi/aws"),
    pulumiVersion: installed("@pulumi/pulumi"),
    codeHash: programCodeHash(dir, io),
  };
}
