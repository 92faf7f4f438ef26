// Transpiles the stand-in provider's TypeScript (no type check) into a cache directory; the
// launcher runs it once per source hash. Usage: build.ts <srcDir> <outDir>. Safe to run
// concurrently: each process writes a private temp directory and renames it into place, and the
// loser of the race throws its copy away.
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";

function build(srcDir: string, outDir: string): void {
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
}

/** Removes builds of older sources that have not been touched for an hour. */
function prune(outDir: string): void {
  const parent = path.dirname(outDir);
  const cutoff = Date.now() - 60 * 60 * 1000;
  for (const name of fs.readdirSync(parent)) {
    const dir = path.join(parent, name);
    if (dir === outDir || name.startsWith(".")) {
      continue;
    }
    try {
      if (fs.statSync(dir).mtimeMs < cutoff) {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    } catch {
      // Another launcher pruned it first.
    }
  }
}

const [srcDir, outDir] = process.argv.slice(2);
if (!srcDir || !outDir) {
  process.stderr.write("usage: build.ts <srcDir> <outDir>\n");
  process.exit(2);
}
build(srcDir, outDir);
prune(outDir);
