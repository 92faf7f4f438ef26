// Recording mocks for the Pulumi runtime: every registration and invoke is kept for assertions, and
// anything the code under test should never ask for fails loudly.

import * as pulumi from "@pulumi/pulumi";

import { DEFAULT_REGIONS as FAKE_DEFAULT_REGIONS } from "../../harness/fake-aws/regions";

export const MOCK_ACCOUNT = "123456789012";
export const MOCK_PROJECT = "access-analyzer";
export const MOCK_STACK = "test";

/** The 17 regions every account has, from the fake AWS's region catalogue. */
export const DEFAULT_REGIONS: readonly string[] = [...FAKE_DEFAULT_REGIONS].sort();

/** One resource registration as the engine saw it. */
export interface Registration {
  readonly type: string;
  readonly name: string;
  readonly urn: string;
  readonly id: string | undefined;
  /** The `import` option's ID the program gave (the engine passes it as the mock's `id`). */
  readonly importId: string | undefined;
  readonly inputs: Record<string, any>;
  /** The provider reference (`urn::id`) given to the resource, if any. */
  readonly provider?: string;
  readonly parent?: string;
  readonly protect: boolean;
  readonly retainOnDelete: boolean;
  readonly deleteBeforeReplace: boolean;
}

/** Resource options the mock interface does not show; taken from the raw register request. */
interface RequestOptions {
  readonly parent?: string;
  readonly protect: boolean;
  readonly retainOnDelete: boolean;
  readonly deleteBeforeReplace: boolean;
}

export class RecordingMocks implements pulumi.runtime.Mocks {
  /** What `DescribeRegions` returns, by opt-in status. */
  public enabledRegions: string[] = [...DEFAULT_REGIONS];
  /** The caller's account (`GetCallerIdentity`). */
  public callerAccount = MOCK_ACCOUNT;
  /** What `DescribeOrganization` and friends return (`getOrganization`). */
  public organization: MockOrganization = defaultOrganization();
  public readonly registrations: Registration[] = [];
  public readonly invokes: pulumi.runtime.MockCallArgs[] = [];
  private readonly pendingOptions = new Map<string, RequestOptions[]>();

  public reset(enabledRegions: readonly string[] = DEFAULT_REGIONS): void {
    this.enabledRegions = [...enabledRegions];
    this.callerAccount = MOCK_ACCOUNT;
    this.organization = defaultOrganization();
    this.registrations.length = 0;
    this.invokes.length = 0;
    this.pendingOptions.clear();
  }

  public newResource(args: pulumi.runtime.MockResourceArgs): pulumi.runtime.MockResourceResult {
    const { id, state } = this.resourceState(args);
    const options = this.pendingOptions.get(`${args.type}::${args.name}`)?.shift();
    const parentType = options?.parent?.split("::")[2]?.split("$").pop();
    const type = parentType ? `${parentType}$${args.type}` : args.type;
    this.registrations.push({
      type: args.type,
      name: args.name,
      urn: `urn:pulumi:${MOCK_STACK}::${MOCK_PROJECT}::${type}::${args.name}`,
      id,
      importId: args.id || undefined,
      inputs: args.inputs,
      provider: args.provider || undefined,
      parent: options?.parent,
      protect: options?.protect ?? false,
      retainOnDelete: options?.retainOnDelete ?? false,
      deleteBeforeReplace: options?.deleteBeforeReplace ?? false,
    });
    return { id, state };
  }

  public call(args: pulumi.runtime.MockCallArgs): Record<string, any> {
    this.invokes.push(args);
    if (args.token === "aws:index/getRegions:getRegions") {
      // As AWS does: an opt-in region the account has not enabled rejects the caller's
      // credentials (the default regions cannot be disabled).
      const region = this.providerRegionOf({ provider: args.provider });
      const usable = [...this.enabledRegions, ...DEFAULT_REGIONS];
      if (region === undefined || !usable.includes(region)) {
        throw new Error(
          `operation error EC2: DescribeRegions in ${region ?? "(no provider region)"}, ` +
            `StatusCode: 401, api error AuthFailure: AWS was not able to validate the provided ` +
            `access credentials`,
        );
      }
      return { id: "aws", names: [...this.enabledRegions] };
    }
    if (args.token === "aws:index/getCallerIdentity:getCallerIdentity") {
      const account = this.callerAccount;
      return {
        id: account,
        accountId: account,
        arn: `arn:aws:iam::${account}:root`,
        userId: "AIDA",
      };
    }
    if (args.token === "aws:organizations/getOrganization:getOrganization") {
      const org = this.organization;
      return {
        id: "o-mock",
        arn: `arn:aws:organizations::${org.masterAccountId}:organization/o-mock`,
        masterAccountId: org.masterAccountId,
        accounts: org.accounts.map(({ id, status }) => ({ id, status, name: id })),
        awsServiceAccessPrincipals: [...org.awsServiceAccessPrincipals],
      };
    }
    throw new Error(`Mock not implemented: ${args.token}`);
  }

  /** Called by the monitor wrapper before `newResource`, with what the mock interface hides. */
  public noteRequest(type: string, name: string, options: RequestOptions): void {
    const key = `${type}::${name}`;
    this.pendingOptions.set(key, [...(this.pendingOptions.get(key) ?? []), options]);
  }

  public ofType(type: string): Registration[] {
    return this.registrations.filter((r) => r.type === type);
  }

  public named(name: string, type?: string): Registration {
    const found = this.registrations.filter((r) => r.name === name && (!type || r.type === type));
    if (found.length !== 1) {
      throw new Error(`expected one registration named ${name}, found ${found.length}`);
    }
    return found[0];
  }

  /**
   * The region a resource lives in, as `@pulumi/aws` v7 decides it: its own `region` input, else
   * the region of the provider it was given.
   */
  public regionOf(resource: Pick<Registration, "provider"> & { inputs?: Registration["inputs"] }) {
    if (typeof resource.inputs?.region === "string") {
      return resource.inputs.region;
    }
    return this.providerRegionOf(resource);
  }

  /** The region of the provider a resource was given (from that provider's `region` input). */
  public providerRegionOf(resource: Pick<Registration, "provider">): string | undefined {
    if (!resource.provider) {
      return undefined;
    }
    const id = resource.provider.split("::").pop();
    const provider = this.registrations.find(
      (r) => r.type === "pulumi:providers:aws" && r.id === id,
    );
    return provider?.inputs.region;
  }

  private resourceState(args: pulumi.runtime.MockResourceArgs): MockResult {
    switch (args.type) {
      case "pulumi:providers:aws":
        // Provider resources need an id, or references to them stay unknown.
        return { id: `${args.name}_id`, state: args.inputs };
      case "aws:accessanalyzer/analyzer:Analyzer": {
        const region = this.regionOf({ provider: args.provider, inputs: args.inputs }) ?? "unknown";
        const arn = `arn:aws:access-analyzer:${region}:${MOCK_ACCOUNT}:analyzer/${args.inputs.analyzerName}`;
        return { id: args.inputs.analyzerName, state: { ...args.inputs, arn } };
      }
      case "aws:accessanalyzer/archiveRule:ArchiveRule":
        return {
          id: `${args.inputs.analyzerName}/${args.inputs.ruleName}`,
          state: args.inputs,
        };
      case "aws:organizations/delegatedAdministrator:DelegatedAdministrator":
        return {
          id: `${args.inputs.accountId}/${args.inputs.servicePrincipal}`,
          state: args.inputs,
        };
      case "aws:organizations/awsServiceAccess:AwsServiceAccess":
        return { id: args.inputs.servicePrincipal, state: args.inputs };
      default:
        if (args.custom) {
          throw new Error(`Mock not implemented: ${args.type}`);
        }
        return { id: undefined, state: args.inputs };
    }
  }
}

type MockResult = pulumi.runtime.MockResourceResult;

/** The organization the mocks report: the caller (`MOCK_ACCOUNT`) is its management account. */
export interface MockOrganization {
  masterAccountId: string;
  accounts: { id: string; status: string }[];
  awsServiceAccessPrincipals: string[];
}

function defaultOrganization(): MockOrganization {
  return {
    masterAccountId: MOCK_ACCOUNT,
    accounts: [
      { id: MOCK_ACCOUNT, status: "ACTIVE" },
      { id: "222233334444", status: "ACTIVE" },
      { id: "555566667777", status: "SUSPENDED" },
    ],
    awsServiceAccessPrincipals: ["access-analyzer.amazonaws.com"],
  };
}

/**
 * Installs recording mocks. Call it in `before()`, then `await import()` the code under test, so
 * that module loads after the mocks are in place.
 */
export async function installMocks(preview = false): Promise<RecordingMocks> {
  const mocks = new RecordingMocks();
  await pulumi.runtime.setMocks(mocks, MOCK_PROJECT, MOCK_STACK, preview);
  const monitor = pulumi.runtime.getMonitor() as any;
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req: any, callback: any) => {
    mocks.noteRequest(req.getType(), req.getName(), {
      parent: req.getParent() || undefined,
      protect: req.getProtect() === true,
      retainOnDelete: req.getRetainondelete() === true,
      deleteBeforeReplace: req.getDeletebeforereplace() === true,
    });
    return register(req, callback);
  };
  return mocks;
}

/**
 * The value of an Output, as a promise that also rejects when the Output fails (the one helper
 * every test uses to await Outputs). `promise()` is the SDK's internal accessor; `apply` alone
 * would hang forever on a failed Output instead of failing the test.
 */
export function promiseOf<T>(output: pulumi.Output<T>): Promise<T> {
  return (output as unknown as { promise(): Promise<T> }).promise();
}

/**
 * Waits until every registration and invoke the program started has finished, as the Node runtime
 * does before a program exits (`waitForRPCs`). Archive rules, for example, register only once
 * their analyzer's name resolves.
 */
export async function settled(): Promise<void> {
  const settings = await import("@pulumi/pulumi/runtime/settings");
  await (settings as unknown as { waitForRPCs(): Promise<void> }).waitForRPCs();
}
