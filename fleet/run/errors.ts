/**
 * The Automation API's errors, classified: the only place that tests them by type
 * (`ConcurrentUpdateError`, `StackNotFoundError`, `StackAlreadyExistsError`). What each class means
 * for the run is decided in fleet/domain/plan.ts.
 */
import {
  ConcurrentUpdateError,
  StackAlreadyExistsError,
  StackNotFoundError,
} from "@pulumi/pulumi/automation";
import { failureOutcome, type EngineFailure } from "../domain/failures";
import type { Outcome } from "../domain/outcomes";

const ALREADY_EXISTS = /stack.*already exists/i;
/** How a lock shows in an error the Automation API did not type (a lock met by a plain command). */
const LOCKED = /the stack is currently locked by|Another update is currently in progress/i;

const messageOf = (error: unknown): string =>
  error instanceof Error ? error.message : String(error);

/** An operation's error as `failureOutcome` takes it. */
export function classifyFailure(error: unknown): EngineFailure {
  const message = messageOf(error);
  if (error instanceof ConcurrentUpdateError || LOCKED.test(message)) {
    return { kind: "locked", message };
  }
  if (error instanceof StackNotFoundError) return { kind: "missing", message };
  return { kind: "other", message };
}

/** The outcome and error text of an operation that threw (see `failureOutcome`). */
export function errorOutcome(
  error: unknown,
  stack: string,
  aborted: boolean,
  now: number = Date.now(),
): { outcome: Outcome; error: string } {
  return failureOutcome(classifyFailure(error), stack, aborted, now);
}

/**
 * Whether creating the stack lost a race with another bot that created it first (between our
 * select and our create): then select it once more instead of failing.
 */
export function retrySelectAfterCreate(error: unknown): boolean {
  return error instanceof StackAlreadyExistsError || ALREADY_EXISTS.test(messageOf(error));
}
