/**
 * The nightly fast path, carried out: before `up` opens a stack, read its state (`pulumi stack
 * export`, secrets left encrypted: no passphrase, no lock, no workspace file written) and the
 * account (the read `up` makes anyway, plus the archive rules the settings name), and ask
 * fleet/domain/unchanged.ts whether the engine can change anything. When it cannot, the account is
 * reported `unchanged (verified)` and the engine never starts; otherwise the reads are handed to
 * the engine's run (fleet/run/automation.ts) so that nothing is read twice, and a drifted account
 * is refreshed by its `up`.
 */
import * as fs from "fs";
import * as path from "path";
import { type IdentityIo, type ProgramIdentity, programIdentity } from "../../program/contract";
import type { AccountView } from "../domain/adoption";
import { describeError } from "../domain/errors";
import type { Target } from "../settings/schema";

/**
 * The identity of the program in `workDir` (program/contract.ts), read as the program reads its
 * own (program/identity.ts): the same folder gives the same identity.
 */
export function workDirIdentity(workDir: string): ProgramIdentity {
  const io: IdentityIo = {
    readFile: (file) => (fs.existsSync(file) ? fs.readFileSync(file, "utf8") : undefined),
    listFiles: (dir) =>
      fs.existsSync(dir)
        ? fs
            .readdirSync(dir, { recursive: true, encoding: "utf8" })
            .filter((f) => fs.statSync(path.join(dir, f)).isFile())
        : [],
    packageDir: (module, dir) => {
      try {
        return path.dirname(require.resolve(`${module}/package.json`, { paths: [dir] }));
      } catch {
        return undefined;
      }
    },
  };
  return programIdentity(workDir, io);
}

/** The reads made before the engine, for the engine's run to reuse. */
export interface PreRead {
  /** `pulumi stack export` (`{ version, deployment }`). */
  readonly exported: { readonly deployment?: unknown };
  readonly view: AccountView;
}

/** What the decision (fleet/domain/unchanged.ts `verifyUnchanged`, passed in) reads. */
export interface VerifyInput {
  readonly target: Target;
  readonly deployment: unknown;
  readonly view: AccountView;
  readonly identity: ProgramIdentity;
  readonly adoptConsole: boolean;
}

export interface FastPathResult<V> {
  readonly verdict: V;
  /** Absent when a read failed: the engine's run reads again (and reports the failure). */
  readonly preRead?: PreRead;
}

export interface FastPathDeps<V> {
  /** The stack's state without secrets; throws when there is no such stack. */
  readonly exportState: (target: Target) => Promise<unknown>;
  /** The account read before the engine (`StackRunnerOptions.readAccount`). */
  readonly readAccount: (
    target: Target,
    signal?: AbortSignal,
    options?: { readonly archiveRules?: readonly string[] },
  ) => Promise<AccountView>;
  /**
   * The decision (`verifyUnchanged`), passed in so that this module stays a shallow leaf of the
   * import graph; `failed` is its verdict when a read failed (the engine runs).
   */
  readonly verify: (input: VerifyInput) => V;
  readonly failed: (reason: string) => V;
  /** The program the engine would run (`workDirIdentity`). */
  readonly identity: () => ProgramIdentity;
  /** `--adopt`. */
  readonly adopt: boolean;
}

/** Reads the stack's state and the account at once, and decides. Never throws. */
export async function checkUnchanged<V>(
  target: Target,
  deps: FastPathDeps<V>,
  signal: AbortSignal | undefined,
  note: (text: string) => void,
): Promise<FastPathResult<V>> {
  const started = Date.now();
  const rules = (target.settings.archiveRules ?? []).map((r) => r.name);
  const [exported, view] = await Promise.allSettled([
    deps.exportState(target),
    deps.readAccount(target, signal, { archiveRules: rules }),
  ]);
  note(`# before the engine: state and account read in ${Date.now() - started} ms\n`);
  if (view.status === "rejected") {
    return { verdict: deps.failed(`the account could not be read: ${describeError(view.reason)}`) };
  }
  if (exported.status === "rejected") {
    // No such stack yet (or the backend could not be read): the engine's run creates or reports it.
    return {
      verdict: deps.failed(
        `the stack's state could not be read: ${describeError(exported.reason)}`,
      ),
    };
  }
  const state = (exported.value ?? {}) as { deployment?: unknown };
  const verdict = deps.verify({
    target,
    deployment: state.deployment,
    view: view.value,
    identity: deps.identity(),
    adoptConsole: deps.adopt,
  });
  return { verdict, preRead: { exported: state, view: view.value } };
}
