/** Shared fakes for the fleet tests: targets, results and a scriptable StackRunner. */
import type { ChangeCounts, Operation, Outcome } from "../../../fleet/domain/outcomes";
import { noChanges } from "../../../fleet/domain/outcomes";
import type { StackResult } from "../../../fleet/domain/results";
import type { RunOptions, StackRunner } from "../../../fleet/domain/runner";
import type { Target } from "../../../fleet/settings/schema";

export function target(accountId: string, name?: string): Target {
  return {
    accountId,
    ...(name !== undefined ? { name } : {}),
    stack: `acct-${accountId}`,
    access: {},
    settings: {},
  };
}

/** `count` targets with ids 100000000000, 100000000001, … */
export function targets(count: number): Target[] {
  return Array.from({ length: count }, (_, i) => target(String(100000000000 + i)));
}

export function result(
  t: Target,
  operation: Operation,
  outcome: Outcome,
  extra: Partial<StackResult> = {},
): StackResult {
  return {
    accountId: t.accountId,
    ...(t.name !== undefined ? { name: t.name } : {}),
    stack: t.stack,
    operation,
    outcome,
    changes: noChanges(),
    regions: [],
    analyzerArns: {},
    durationMs: 1000,
    ...extra,
  };
}

export interface Script {
  outcome?: Outcome;
  changes?: Partial<ChangeCounts>;
  regions?: string[];
  error?: string;
  output?: string[];
  /** Resolve only when the signal aborts (the run then reports `aborted`). */
  waitForAbort?: boolean;
  delayMs?: number;
  /** Throw this instead of returning a result (a runner bug: the run reports an internal error). */
  throws?: string;
  /** More fields of the result (notes, archived findings, log file…). */
  extra?: Partial<StackResult>;
}

/** A StackRunner whose behaviour per account id is scripted; records calls and peak concurrency. */
export class FakeRunner implements StackRunner {
  readonly calls: { accountId: string; operation: Operation }[] = [];
  inFlight = 0;
  maxInFlight = 0;

  constructor(private readonly scripts: Record<string, Script> = {}) {}

  async run(t: Target, operation: Operation, options: RunOptions): Promise<StackResult> {
    this.calls.push({ accountId: t.accountId, operation });
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      const script = this.scripts[t.accountId] ?? {};
      if (script.throws !== undefined) throw new Error(script.throws);
      for (const chunk of script.output ?? []) options.onOutput?.(chunk);
      if (script.waitForAbort) {
        await new Promise<void>((resolve) => {
          if (options.signal?.aborted) resolve();
          options.signal?.addEventListener("abort", () => resolve());
        });
        return result(t, operation, "aborted", { error: "aborted" });
      }
      await new Promise((r) => setTimeout(r, script.delayMs ?? 1));
      return result(t, operation, script.outcome ?? "succeeded", {
        changes: { ...noChanges(), ...script.changes },
        regions: script.regions ?? [],
        ...(script.error !== undefined ? { error: script.error } : {}),
        ...script.extra,
      });
    } finally {
      this.inFlight--;
    }
  }
}

/** An exported deployment (`exportStack().deployment`) whose stack holds the regional provider of `region`. */
export function heldDeployment(region: string): { resources: Record<string, unknown>[] } {
  const component =
    "urn:pulumi:acct::access-analyzer::access-analyzer:index:AllRegionsAccessAnalyzer";
  return {
    resources: [
      {
        urn: `${component}$pulumi:providers:aws::aa-${region}`,
        id: "p1",
        type: "pulumi:providers:aws",
        parent: `${component}::aa`,
        inputs: { region },
      },
    ],
  };
}

/** An ACTIVE account as the organization reader finds it, under `ouPath`. */
export function orgAccount(accountId: string, ouPath: string) {
  return {
    accountId,
    name: accountId,
    email: "a@example.com",
    status: "ACTIVE",
    ouId: "ou-x",
    ouPath,
  };
}
