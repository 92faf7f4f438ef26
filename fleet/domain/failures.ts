/**
 * An operation's failure in words: which outcome it is (a lock, a stack that does not exist, an
 * abort, anything else), and for a lock how old it is and the command that removes it. Pure; the
 * Automation API's error types are read in fleet/run/errors.ts.
 */
import { summariseError } from "./errors";
import type { Outcome } from "./outcomes";

/**
 * An operation's failure as the run layer classified it (fleet/run/errors.ts reads the Automation
 * API's error types): another update holds the lock, the stack does not exist, or anything else.
 */
export interface EngineFailure {
  readonly kind: "locked" | "missing" | "other";
  /** The whole error message. */
  readonly message: string;
}

/**
 * The outcome and error text of an operation that threw. A lock is `locked`, never cancelled;
 * a stack that does not exist is `missing`; an aborted run is `aborted`; anything else `failed`
 * with the engine error summarised. The caller redacts the text.
 */
export function failureOutcome(
  failure: EngineFailure,
  stack: string,
  aborted: boolean,
  now: number,
): { outcome: Outcome; error: string } {
  const { message } = failure;
  if (failure.kind === "locked") {
    return {
      outcome: "locked",
      error:
        `stack ${stack} is locked by another update; not cancelled. ${lockAdvice(message, stack, now)}` +
        summariseError(message),
    };
  }
  if (failure.kind === "missing") {
    return {
      outcome: "missing",
      error: `stack ${stack} does not exist (never deployed with "up")`,
    };
  }
  if (aborted) return { outcome: "aborted", error: "aborted" };
  return { outcome: "failed", error: summariseError(message) };
}

/** One lock the file backend names in its error: `created by user@host (pid N) at <RFC 3339>`. */
export interface LockHolder {
  readonly holder: string;
  readonly pid: number;
  readonly at: Date;
}

const LOCK_HOLDER = /created by (\S+) \(pid (\d+)\) at (\S+)/g;

/** The locks a locked error names (file backends name each one; Pulumi Cloud none). */
export function lockHolders(message: string): LockHolder[] {
  return [...message.matchAll(LOCK_HOLDER)]
    .map((m) => ({ holder: m[1], pid: Number(m[2]), at: new Date(m[3]) }))
    .filter((l) => !Number.isNaN(l.at.getTime()));
}

/**
 * What to say about a lock: how old it is and, since a bot killed with SIGKILL leaves its lock
 * behind, the exact command that removes it once nobody runs on the stack. Never run by itself.
 */
export function lockAdvice(message: string, stack: string, now: number): string {
  const oldest = lockHolders(message).sort((a, b) => a.at.getTime() - b.at.getTime())[0];
  const age =
    oldest !== undefined
      ? `Locked ${formatAge(now - oldest.at.getTime())} ago by ${oldest.holder} (pid ${oldest.pid}). `
      : "";
  return (
    `${age}If no run holds it any more (a killed bot), unlock with the fleet's backend: ` +
    `pulumi cancel --yes --stack ${stack}. `
  );
}

function formatAge(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  return `${Math.round(s / 3600)} h`;
}
