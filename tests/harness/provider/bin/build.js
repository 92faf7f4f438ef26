#!/usr/bin/env node
// Transpiles the stand-in provider's TypeScript (no type check, ~0.3 s) into a cache directory.
// Usage: build.js <srcDir> <outDir>. Safe to run concurrently: each process writes a private temp
// directory and renames it into place; the loser of the race throws its copy away.
"use strict";
const fs = require("fs");
const path = require("path");
const ts = require("typescript");

const [srcDir, outDir] = process.argv.slice(2);
if (!srcDir || !outDir) {
  process.stderr.write("usage: build.js <srcDir> <outDir>\n");
  process.exit(2);
}
const tmp = `${outDir}.tmp-${process.pid}`;
fs.rmSync(tmp, { recursive: true, force: true });
fs.mkdirSync(tmp, { recursive: true });
for (const name of fs.readdirSync(srcDir)) {
  if (!name.endsWith(".ts") || name.endsWith(".d.ts")) {
    continue;
  }
  const source = fs.readFileSync(path.join(srcDir, name), "utf8");
  const out = ts.transpileModule(source, {
    fileName: name,
    compilerOptions: {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.CommonJS,
      esModuleInterop: true,
      sourceMap: false,
    },
    reportDiagnostics: false,
  });
  fs.writeFileSync(path.join(tmp, name.replace(/\.ts$/, ".js")), out.outputText);
}
try {
  fs.renameSync(tmp, outDir);
} catch (e) {
  fs.rmSync(tmp, { recursive: true, force: true });
  if (!fs.existsSync(path.join(outDir, "main.js"))) {
    throw e;
  }
}
