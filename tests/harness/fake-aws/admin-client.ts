import type { AccountConfig } from "./config";
import type { OrgAccountStatus, OrganizationSnapshot, OrgMemberView } from "./orgState";
import type {
  AnalyzerConfiguration,
  AnalyzerView,
  CallRecord,
  FakeAwsSettings,
  FakeAwsSnapshot,
  FaultRule,
  Finding,
  FindingInput,
  LatencyRule,
  OrgRole,
} from "./state";

/**
 * Drives a fake started in another process (e.g. by `main.ts`) through its admin API.
 * `new FakeAwsAdminClient(url)` where `url` is the printed `{"url": ...}`.
 */
export class FakeAwsAdminClient {
  private readonly base: string;

  constructor(url: string) {
    this.base = `${url.replace(/\/+$/, "")}/_fake`;
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${this.base}${path}`, {
      method,
      headers: body === undefined ? undefined : { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    const parsed = text ? (JSON.parse(text) as unknown) : {};
    if (!res.ok) {
      const err = parsed as { error?: string; code?: string };
      throw Object.assign(
        new Error(`fake-aws admin ${method} ${path}: ${err.error ?? res.status}`),
        {
          code: err.code,
        },
      );
    }
    return parsed as T;
  }

  state(): Promise<FakeAwsSnapshot> {
    return this.call("GET", "/state");
  }

  /** The behaviour switches now. */
  settings(): Promise<FakeAwsSettings> {
    return this.call("GET", "/settings");
  }

  /**
   * Changes behaviour switches, e.g. `{ analyzerActivationMs: 2000 }` (applies to new analyzers) or
   * `{ organizationsRate: { requestsPerSecond: 20, burst: 10 } }`.
   */
  configure(settings: Partial<FakeAwsSettings>): Promise<FakeAwsSettings> {
    return this.call("POST", "/settings", settings);
  }

  calls(filter: Partial<Pick<CallRecord, "service" | "operation" | "accountId" | "region">> = {}) {
    const q = new URLSearchParams(filter as Record<string, string>).toString();
    return this.call<CallRecord[]>("GET", `/calls${q ? `?${q}` : ""}`);
  }

  /** Role ARN → every IAM action its sessions were authorised for (sorted). */
  authorizedActions(): Promise<Record<string, string[]>> {
    return this.call("GET", "/authorized-actions");
  }

  clearCalls(): Promise<void> {
    return this.call("DELETE", "/calls");
  }

  addAccount(account: AccountConfig): Promise<void> {
    return this.call("POST", "/accounts", account);
  }

  enableRegion(accountId: string, region: string): Promise<{ enabledRegions: string[] }> {
    return this.call("POST", "/enable-region", { accountId, region });
  }

  disableRegion(accountId: string, region: string): Promise<{ enabledRegions: string[] }> {
    return this.call("POST", "/disable-region", { accountId, region });
  }

  setOrgRole(accountId: string, orgRole: OrgRole, orgTrustedAccess?: boolean): Promise<void> {
    return this.call("POST", "/org-role", { accountId, orgRole, orgTrustedAccess });
  }

  listAnalyzers(accountId: string, region?: string): Promise<AnalyzerView[]> {
    const q = new URLSearchParams({ accountId, ...(region ? { region } : {}) }).toString();
    return this.call("GET", `/analyzers?${q}`);
  }

  /** Creates an analyzer out of band (as if made in the console). Same rules as CreateAnalyzer. */
  createAnalyzer(args: {
    accountId: string;
    region: string;
    analyzerName: string;
    type?: string;
    tags?: Record<string, string>;
    configuration?: AnalyzerConfiguration;
  }): Promise<AnalyzerView> {
    return this.call("POST", "/create-analyzer", args);
  }

  /** Deletes an analyzer out of band (drift). */
  deleteAnalyzer(accountId: string, region: string, analyzerName: string): Promise<void> {
    return this.call("POST", "/delete-analyzer", { accountId, region, analyzerName });
  }

  addFinding(
    accountId: string,
    region: string,
    analyzerName: string,
    finding: FindingInput,
  ): Promise<Finding> {
    return this.call("POST", "/findings", { accountId, region, analyzerName, finding });
  }

  injectFault(rule: FaultRule): Promise<void> {
    return this.call("POST", "/faults", rule);
  }

  setLatency(rule: LatencyRule): Promise<void> {
    return this.call("POST", "/latency", rule);
  }

  clearFaults(): Promise<void> {
    return this.call("DELETE", "/faults");
  }

  // ---- AWS Organizations ----------------------------------------------------------------------

  /** The organization (null when there is none). */
  organization(): Promise<OrganizationSnapshot | null> {
    return this.call("GET", "/organization");
  }

  createOrganization(args: {
    managementAccountId: string;
    id?: string;
    trustedAccess?: string[];
  }): Promise<OrganizationSnapshot> {
    return this.call("POST", "/organization", args);
  }

  /** Creates the OUs of a path under the root ("Prod/EU"), as needed; returns the last one. */
  createOu(path: string): Promise<{ id: string; path: string }> {
    return this.call("POST", "/organization/ous", { path });
  }

  /**
   * A new account in the organization: an accounts-file entry (orgRole defaults to member), placed
   * by `ou` (path or id, default the root).
   */
  createAccount(account: AccountConfig): Promise<OrgMemberView> {
    return this.call("POST", "/organization/accounts", account);
  }

  moveAccount(accountId: string, ou: string): Promise<OrgMemberView> {
    return this.call("POST", "/organization/move", { accountId, ou });
  }

  /** SUSPENDED or PENDING_CLOSURE accounts cannot be called or assumed into; ACTIVE again restores. */
  setAccountStatus(accountId: string, status: OrgAccountStatus): Promise<OrgMemberView> {
    return this.call("POST", "/organization/account-status", { accountId, status });
  }

  /** The account leaves the organization (it stays as a standalone account, analyzers and all). */
  removeAccount(accountId: string): Promise<void> {
    return this.call("POST", "/organization/remove-account", { accountId });
  }

  setTrustedAccess(
    servicePrincipal: string,
    enabled: boolean,
  ): Promise<{ trustedAccess: string[] }> {
    return this.call("POST", "/organization/trusted-access", { servicePrincipal, enabled });
  }

  /** Registers (or with `registered: false` deregisters) a delegated administrator, no questions asked about the caller. */
  setDelegatedAdministrator(
    accountId: string,
    servicePrincipal: string,
    registered = true,
  ): Promise<{ delegatedAdministrators: { accountId: string; servicePrincipal: string }[] }> {
    return this.call("POST", "/organization/delegated-administrators", {
      accountId,
      servicePrincipal,
      registered,
    });
  }
}
