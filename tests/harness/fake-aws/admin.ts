import { AwsError } from "./errors";
import type { FakeOrganization, OrgAccountStatus } from "./orgState";
import {
  analyzerView,
  type FakeAwsState,
  type FaultRule,
  type LatencyRule,
  type OrgRole,
} from "./state";

export interface AdminResponse {
  status: number;
  body: string;
}

function ok(value: unknown): AdminResponse {
  return { status: 200, body: JSON.stringify(value ?? {}) };
}

/** The organization routes (`/organization...`); undefined when the route is not one of them. */
function handleOrganizationAdmin(
  state: FakeAwsState,
  route: string,
  body: Record<string, unknown>,
): AdminResponse | undefined {
  const org = (): FakeOrganization => {
    if (!state.organization) throw new Error("there is no organization: POST /organization first");
    return state.organization;
  };
  switch (route) {
    case "GET /organization":
      return ok(state.organization?.snapshot() ?? null);
    case "POST /organization":
      return ok(
        state
          .createOrganization(str(body, "managementAccountId"), {
            id: body.id as string | undefined,
            trustedAccess: body.trustedAccess as string[] | undefined,
          })
          .snapshot(),
      );
    case "POST /organization/ous": {
      const id = org().resolveParent(str(body, "path"), true);
      return ok({ id, path: org().pathOf(id) });
    }
    case "POST /organization/accounts": {
      // A new account in the organization (orgRole member unless the body says otherwise).
      const account = state.addAccount({ orgRole: "member", ...body } as never);
      return ok(org().memberView(org().requireMember(account.id)));
    }
    case "POST /organization/move": {
      const m = org().move(str(body, "accountId"), str(body, "ou"));
      return ok(org().memberView(m));
    }
    case "POST /organization/account-status": {
      const m = org().setStatus(str(body, "accountId"), str(body, "status") as OrgAccountStatus);
      return ok(org().memberView(m));
    }
    case "POST /organization/remove-account":
      state.leaveOrganization(str(body, "accountId"));
      return ok({});
    case "POST /organization/trusted-access":
      if (body.enabled === false) state.disableServiceAccess(str(body, "servicePrincipal"));
      else org().enableServiceAccess(str(body, "servicePrincipal"));
      return ok({ trustedAccess: org().snapshot().trustedAccess });
    case "POST /organization/delegated-administrators":
      if (body.registered === false) {
        state.deregisterDelegatedAdministrator(
          str(body, "accountId"),
          str(body, "servicePrincipal"),
        );
      } else {
        org().register(str(body, "accountId"), str(body, "servicePrincipal"));
      }
      return ok({ delegatedAdministrators: org().snapshot().delegatedAdministrators });
    default:
      return undefined;
  }
}

function str(body: Record<string, unknown>, key: string): string {
  const v = body[key];
  if (typeof v !== "string" || v === "") throw new Error(`'${key}' (string) is required`);
  return v;
}

/**
 * The admin API (no authentication; loopback only). JSON in, JSON out; errors are
 * `{"error": message, "code"?: awsErrorCode}` with status 400 (404 for unknown paths).
 */
export function handleAdmin(
  state: FakeAwsState,
  method: string,
  rawPath: string,
  rawQuery: string,
  rawBody: Buffer,
): AdminResponse {
  const path = rawPath.slice("/_fake".length) || "/";
  const query = new URLSearchParams(rawQuery);
  try {
    const body = (rawBody.length > 0 ? JSON.parse(rawBody.toString("utf8")) : {}) as Record<
      string,
      unknown
    >;
    const route = `${method} ${path}`;
    switch (route) {
      case "GET /state":
        return ok(state.snapshot());
      case "GET /settings":
        return ok(state.settings);
      case "POST /settings":
        return ok(state.configure(body));
      case "GET /calls": {
        const f = Object.fromEntries(query) as Record<string, string>;
        return ok(
          state.calls.filter(
            (c) =>
              (!f.service || c.service === f.service) &&
              (!f.operation || c.operation === f.operation) &&
              (!f.accountId || c.accountId === f.accountId) &&
              (!f.region || c.region === f.region),
          ),
        );
      }
      case "GET /authorized-actions":
        return ok(state.authorizedActionsView());
      case "DELETE /calls":
        state.clearCalls();
        return ok({});
      case "POST /accounts":
        state.addAccount(body as never);
        return ok({ id: body.id });
      case "POST /enable-region":
        state.enableRegion(str(body, "accountId"), str(body, "region"));
        return ok({ enabledRegions: state.enabledRegions(str(body, "accountId")) });
      case "POST /disable-region":
        state.disableRegion(str(body, "accountId"), str(body, "region"));
        return ok({ enabledRegions: state.enabledRegions(str(body, "accountId")) });
      case "POST /org-role":
        state.setOrgRole(
          str(body, "accountId"),
          str(body, "orgRole") as OrgRole,
          body.orgTrustedAccess as boolean | undefined,
        );
        return ok({});
      case "GET /analyzers": {
        const accountId = query.get("accountId");
        if (!accountId) throw new Error("'accountId' query parameter is required");
        return ok(
          state.listAnalyzers(accountId, query.get("region") ?? undefined).map(analyzerView),
        );
      }
      case "POST /create-analyzer": {
        const a = state.createAnalyzer(str(body, "accountId"), str(body, "region"), {
          analyzerName: str(body, "analyzerName"),
          type: (body.type as string | undefined) ?? "ACCOUNT",
          tags: body.tags as Record<string, string> | undefined,
          configuration: body.configuration as never,
        });
        return ok(analyzerView(a));
      }
      case "POST /delete-analyzer":
        state.deleteAnalyzer(
          str(body, "accountId"),
          str(body, "region"),
          str(body, "analyzerName"),
        );
        return ok({});
      case "POST /findings": {
        const f = state.addFinding(
          str(body, "accountId"),
          str(body, "region"),
          str(body, "analyzerName"),
          body.finding as never,
        );
        return ok(f);
      }
      case "POST /faults":
        state.injectFault(body as unknown as FaultRule);
        return ok({});
      case "POST /latency":
        state.setLatency(body as unknown as LatencyRule);
        return ok({});
      case "DELETE /faults":
        state.clearFaults();
        return ok({});
      default: {
        const handled = handleOrganizationAdmin(state, route, body);
        if (handled) return handled;

        return { status: 404, body: JSON.stringify({ error: `no admin route ${route}` }) };
      }
    }
  } catch (e) {
    const code = e instanceof AwsError ? e.code : undefined;
    const message = e instanceof Error ? e.message : String(e);
    return { status: 400, body: JSON.stringify({ error: message, ...(code ? { code } : {}) }) };
  }
}
