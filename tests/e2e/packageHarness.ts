// What the package tests (packageYaml.test.ts, packagePython.test.ts) add to the harness: a Pulumi
// project in another language that uses the access-analyzer package through its component
// provider (provider/bin/pulumi-resource-access-analyzer), run with the real `pulumi` CLI against
// the World's fake-aws and stand-in aws plugin.

import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

import { PLUGIN_BIN_DIR } from "../harness/provider/client";
import { ROOT, type World } from "./harness";

/** The folder of the executable plugin the engine starts (pulumi-resource-access-analyzer). */
export const PROVIDER_BIN_DIR = path.join(ROOT, "provider", "bin");

/** Runs one of the repository's one-line scripts (scripts/ensure-*.sh, build-sdks.sh), once. */
const scriptOutputs = new Map<string, Promise<string>>();
export function scriptOutput(script: string): Promise<string> {
  let out = scriptOutputs.get(script);
  if (!out) {
    out = new Promise((resolve, reject) => {
      // Progress (a cold build prints for minutes) goes straight to our stderr.
      const child = spawn(path.join(ROOT, "scripts", script), [], {
        cwd: ROOT,
        stdio: ["ignore", "pipe", "inherit"],
      });
      let stdout = "";
      child.stdout.setEncoding("utf8").on("data", (t: string) => (stdout += t));
      child.on("error", reject);
      child.on("close", (code) =>
        code === 0
          ? resolve(stdout.trim())
          : reject(new Error(`scripts/${script} failed with exit code ${code}`)),
      );
    });
    scriptOutputs.set(script, out);
  }
  return out;
}

/** The result of one `pulumi` command. */
export interface CommandResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** A Pulumi project folder of another language, its stack, and the environment to run it in. */
export class PackageProject {
  private constructor(
    readonly dir: string,
    readonly env: Record<string, string>,
    readonly stack: string,
  ) {}

  /**
   * Writes `files` into a new folder of the World's temp folder, with a Pulumi.yaml that takes
   * both plugins from this checkout (`plugins.providers`, so the engine prints no PATH warning),
   * puts the language hosts on PATH and creates the stack.
   */
  static async create(
    world: World,
    name: string,
    runtime: string,
    files: Record<string, string>,
    extraEnv: Record<string, string> = {},
  ): Promise<PackageProject> {
    const hosts = await scriptOutput("ensure-language-hosts.sh");
    const dir = path.join(world.tmp, name);
    fs.mkdirSync(dir);
    fs.writeFileSync(
      path.join(dir, "Pulumi.yaml"),
      `name: ${name}\nruntime:\n${runtime}\nplugins:\n  providers:\n` +
        `    - name: access-analyzer\n      path: ${PROVIDER_BIN_DIR}\n` +
        `    - name: aws\n      path: ${PLUGIN_BIN_DIR}\n`,
    );
    for (const [file, text] of Object.entries(files)) {
      fs.writeFileSync(path.join(dir, file), text);
    }
    const env = {
      ...world.env,
      PATH: `${hosts}:${world.env.PATH}`,
      ...extraEnv,
    };
    const project = new PackageProject(dir, env, "dev");
    await project.ok(["stack", "init", project.stack]);
    return project;
  }

  /**
   * Runs `pulumi <args>` in the project folder, to the end. Asynchronously: fake-aws serves from
   * this very process.
   */
  pulumi(args: readonly string[]): Promise<CommandResult> {
    return new Promise((resolve, reject) => {
      const child = spawn("pulumi", [...args, "--non-interactive", "--color", "never"], {
        cwd: this.dir,
        env: this.env,
        stdio: ["ignore", "pipe", "pipe"],
      });
      let stdout = "";
      let stderr = "";
      child.stdout.setEncoding("utf8").on("data", (t: string) => (stdout += t));
      child.stderr.setEncoding("utf8").on("data", (t: string) => (stderr += t));
      child.on("error", reject);
      child.on("close", (code) => resolve({ code, stdout, stderr }));
    });
  }

  /** `pulumi up`, failing the test with the command's output when it fails. */
  up(...flags: string[]): Promise<CommandResult> {
    return this.ok(["up", "--yes", "--skip-preview", ...flags]);
  }

  /** `pulumi <args>`, failing the test with the command's output when it fails. */
  async ok(args: readonly string[]): Promise<CommandResult> {
    const result = await this.pulumi(args);
    if (result.code !== 0) {
      throw new Error(
        `pulumi ${args.join(" ")} exited ${result.code}:\n${result.stdout.slice(-6000)}\n${result.stderr.slice(-3000)}`,
      );
    }
    return result;
  }

  /** Sets a stack config value (`--secret` when asked). */
  async config(key: string, value: string, secret = false): Promise<void> {
    await this.ok(["config", "set", key, value, ...(secret ? ["--secret"] : [])]);
  }

  /** The stack's outputs, secrets shown. */
  async outputs(): Promise<Record<string, unknown>> {
    const result = await this.ok(["stack", "output", "--json", "--show-secrets"]);
    return JSON.parse(result.stdout) as Record<string, unknown>;
  }

  /** The stack's resources as the state holds them (`pulumi stack export`). */
  async resources(): Promise<{ type: string; urn: string; inputs?: Record<string, unknown> }[]> {
    const exported = JSON.parse((await this.ok(["stack", "export"])).stdout) as {
      deployment: { resources?: { type: string; urn: string; inputs?: Record<string, unknown> }[] };
    };
    return exported.deployment.resources ?? [];
  }
}

/** Every file under `dir` (recursively) whose text holds `needle`. */
export function filesHolding(dir: string, needle: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name))
    .filter((file) => fs.readFileSync(file).includes(needle));
}
