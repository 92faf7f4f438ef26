#!/usr/bin/env node
// `npm run deps` (part of `npm test`): the dependency rule of .dependency-cruiser.js over the shipped
// code, and the import depth. Fails on any violation (a cycle, type-only imports included; an import
// up a layer; the AWS SDK or the Automation API outside their folder) and when the longest chain of
// imports is longer than MAX_DEPTH.
//
// Depth is the number of imports on the longest chain of the shipped code's own modules (type-only
// imports included, packages left out): `fleet/cli.ts → fleet/commands/x.ts → … → components/schema.ts`.
// It is measured on the module graph as dependency-cruiser resolves it; with no cycle it is the
// longest path of a DAG.
const { execFileSync } = require("node:child_process");
const path = require("node:path");

const MAX_DEPTH = 7;
const ROOTS = ["components", "program", "fleet", "provider", "index.ts"];
const root = path.join(__dirname, "..");

const depcruise = path.join(root, "node_modules", ".bin", "depcruise");
const json = execFileSync(
  depcruise,
  ["--config", ".dependency-cruiser.js", "--output-type", "json", ...ROOTS],
  { cwd: root, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 },
);
const result = JSON.parse(json);

/** module → the shipped modules it imports (type-only included, packages left out). */
function graphOf(modules) {
  const graph = new Map();
  for (const m of modules) {
    if (m.source.includes("node_modules")) continue;
    graph.set(
      m.source,
      m.dependencies.map((d) => d.resolved).filter((r) => !r.includes("node_modules")),
    );
  }
  return graph;
}

/** The longest chain of imports; cycles are the rule's business, so a node is never revisited. */
function longestChain(graph) {
  const memo = new Map();
  const visiting = new Set();
  const chainFrom = (node) => {
    if (memo.has(node)) return memo.get(node);
    if (visiting.has(node)) return [node];
    visiting.add(node);
    let best = [node];
    for (const next of graph.get(node) ?? []) {
      const chain = chainFrom(next);
      if (chain.length + 1 > best.length) best = [node, ...chain];
    }
    visiting.delete(node);
    memo.set(node, best);
    return best;
  };
  let longest = [];
  for (const node of graph.keys()) {
    const chain = chainFrom(node);
    if (chain.length > longest.length) longest = chain;
  }
  return longest;
}

let failed = false;
for (const v of result.summary.violations) {
  failed = true;
  const chain = v.cycle ? v.cycle.map((c) => c.name ?? c).join(" → ") : v.to;
  process.stderr.write(`error ${v.rule.name}: ${v.from} → ${chain}\n`);
  const rule = result.summary.ruleSetUsed.forbidden.find((r) => r.name === v.rule.name);
  if (rule?.comment) process.stderr.write(`  ${rule.comment}\n`);
}
const chain = longestChain(graphOf(result.modules));
const depth = chain.length - 1;
const modules = result.modules.filter((m) => !m.source.includes("node_modules")).length;
if (depth > MAX_DEPTH) {
  failed = true;
  process.stderr.write(
    `error depth: the longest import chain has ${depth} imports (at most ${MAX_DEPTH}):\n`,
  );
  process.stderr.write(`  ${chain.join("\n  → ")}\n`);
}
process.stdout.write(
  `imports: ${modules} modules, ${result.summary.violations.length} violation(s), ` +
    `depth ${depth} (at most ${MAX_DEPTH}): ${chain.join(" → ")}\n`,
);
process.exitCode = failed ? 1 : 0;
