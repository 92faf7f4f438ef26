// The documentation keeps up with the code: every key a schema accepts is documented, every
// relative link resolves, and the README stays a README (what it is, two commands, three paths).

import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";

import { CONFIG_KEYS } from "../../program/contract";

const ROOT = path.resolve(__dirname, "../..");
const read = (file: string) => fs.readFileSync(path.join(ROOT, file), "utf8");

/** Every property name anywhere in a JSON Schema (nested objects, arrays, anyOf/oneOf branches). */
function propertyNames(schema: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(schema)) {
    for (const item of schema) propertyNames(item, into);
  } else if (schema !== null && typeof schema === "object") {
    for (const [key, value] of Object.entries(schema)) {
      if (key === "properties" && value !== null && typeof value === "object") {
        for (const name of Object.keys(value)) into.add(name);
      }
      propertyNames(value, into);
    }
  }
  return into;
}

/** The words a text shows as code (fenced blocks and `spans`), split on non-identifier characters. */
function documentedWords(text: string): Set<string> {
  const words = new Set<string>();
  const add = (code: string) => {
    for (const word of code.split(/[^A-Za-z0-9_$]+/)) if (word) words.add(word);
  };
  // Fenced examples first (a key in a YAML example is documented), then inline spans, which may
  // wrap over a line break.
  const prose = text.replace(/^```[^\n]*\n([\s\S]*?)^```$/gm, (_, code: string) => {
    add(code);
    return "";
  });
  for (const [, span] of prose.matchAll(/`([^`]+)`/g)) add(span);
  return words;
}

function undocumented(keys: Iterable<string>, docs: readonly string[]): string[] {
  const words = documentedWords(docs.map(read).join("\n"));
  return [...keys].filter((key) => !words.has(key)).sort();
}

describe("the documentation", () => {
  it("documents every key of the program's stack config in docs/CONFIGURATION.md", () => {
    assert.deepEqual(undocumented(CONFIG_KEYS, ["docs/CONFIGURATION.md"]), []);
  });

  it("documents every key the fleet file's schema accepts, at any depth", () => {
    const schema: unknown = JSON.parse(read("fleet/fleet.schema.json"));
    const keys = propertyNames(schema);
    assert.ok(keys.has("providerMode") && keys.has("applyArchiveRules"), "schema walk found keys");
    assert.deepEqual(undocumented(keys, ["docs/FLEET.md", "docs/CONFIGURATION.md"]), []);
  });

  it("lists every key of the fleet file, its defaults, accounts and organization in docs/FLEET.md", () => {
    const schema = JSON.parse(read("fleet/fleet.schema.json")) as {
      properties: Record<string, { properties?: object; items?: { properties?: object } }>;
    };
    const { defaults, accounts, organization } = schema.properties;
    const keys = [
      ...Object.keys(schema.properties),
      ...Object.keys(defaults.properties ?? {}),
      ...Object.keys(accounts.items?.properties ?? {}),
      ...Object.keys(organization.properties ?? {}),
    ];
    assert.ok(keys.includes("applyArchiveRules") && keys.includes("managementAccountId"));
    assert.deepEqual(undocumented(new Set(keys), ["docs/FLEET.md"]), []);
  });

  it("documents every argument of the component package, at any depth", () => {
    const schema = JSON.parse(read("provider/schema.json")) as {
      resources: Record<string, { inputProperties?: unknown }>;
      types?: Record<string, unknown>;
    };
    const keys = new Set<string>();
    for (const resource of Object.values(schema.resources)) {
      for (const name of Object.keys(resource.inputProperties ?? {})) keys.add(name);
    }
    // The AWS provider's own arguments (`providerArgs`: RegionalProviderArgs and the Provider*
    // types it holds) are pulumi-aws's, documented there; every other type is ours.
    const ours = Object.entries(schema.types ?? {}).filter(
      ([token]) => !/:(RegionalProviderArgs|Provider[A-Z]\w*)$/.test(token),
    );
    assert.ok(ours.length < Object.keys(schema.types ?? {}).length, "provider types recognised");
    propertyNames(
      ours.map(([, type]) => type),
      keys,
    );
    assert.ok(keys.size > 10, "schema walk found arguments");
    assert.deepEqual(
      undocumented(keys, ["docs/CONFIGURATION.md", "docs/COMPONENT.md", "docs/FLEET.md"]),
      [],
    );
  });

  it("finds an undocumented key (the check can fail)", () => {
    assert.deepEqual(undocumented(["regions", "notAKeyAnywhere"], ["docs/CONFIGURATION.md"]), [
      "notAKeyAnywhere",
    ]);
  });

  it("has no relative link to a file that does not exist", () => {
    const files = [
      "README.md",
      ...fs
        .readdirSync(path.join(ROOT, "docs"))
        .filter((f) => f.endsWith(".md"))
        .map((f) => `docs/${f}`),
      "policies/README.md",
    ];
    const broken: string[] = [];
    for (const file of files) {
      for (const [, target] of read(file).matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^[a-z]+:/.test(target) || target.startsWith("#")) continue;
        const resolved = path.join(path.dirname(path.join(ROOT, file)), target.split("#")[0]);
        if (!fs.existsSync(resolved)) broken.push(`${file} → ${target}`);
      }
    }
    assert.deepEqual(broken, []);
  });

  it("keeps the README short: at most 250 lines, the details in docs/", () => {
    const lines = read("README.md").split("\n").length;
    assert.ok(lines <= 250, `README.md has ${lines} lines; move detail to docs/`);
  });

  it("ships the docs the package's messages point to", () => {
    const pkg = JSON.parse(read("package.json")) as { files: string[] };
    assert.ok(pkg.files.includes("docs/"), 'package.json "files" must include "docs/"');
    assert.match(read("components/schema.ts"), /docs\/CONFIGURATION\.md/);
  });
});
