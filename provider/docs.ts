// Copyright 2026 The pulumi-access-analyzer-all-regions authors.
// SPDX-License-Identifier: Apache-2.0

/**
 * The schema's descriptions, read from the components' TSDoc. The inference of `@pulumi/pulumi`
 * 3.248 keeps only a comment's main text, drops its `@default` tag and turns a `{@link X}` into
 * "[object Object]". This pass reads the same comments (a syntax-only parse, milliseconds) and
 * writes each description as main text, links as code, then "Default: …".
 */

import * as fs from "node:fs";

import * as ts from "typescript";

/**
 * `Interface.property` (or `Class.member`) → its description; `Class` → the class's; `Class(args)`
 * → the name of the type of its constructor's `args` parameter (where its inputs are documented).
 */
export type Docs = ReadonlyMap<string, string>;

/** The descriptions of every documented interface, class and member in these source files. */
export function readDocs(files: readonly string[]): Docs {
  const docs = new Map<string, string>();
  for (const file of files) {
    const source = ts.createSourceFile(
      file,
      fs.readFileSync(file, "utf8"),
      ts.ScriptTarget.ES2022,
      true,
    );
    source.forEachChild((node) => {
      if (!(ts.isInterfaceDeclaration(node) || ts.isClassDeclaration(node)) || !node.name) return;
      const owner = node.name.text;
      const own = describe(node);
      if (own) docs.set(owner, own);
      for (const member of node.members) {
        if (ts.isConstructorDeclaration(member)) {
          const args = member.parameters.find(
            (p) => ts.isIdentifier(p.name) && p.name.text === "args",
          );
          if (args?.type && ts.isTypeReferenceNode(args.type)) {
            docs.set(`${owner}(args)`, args.type.typeName.getText(source));
          }
        }
        if (!(ts.isPropertySignature(member) || ts.isPropertyDeclaration(member))) continue;
        if (!member.name || !ts.isIdentifier(member.name)) continue;
        const text = describe(member);
        if (text) docs.set(`${owner}.${member.name.text}`, text);
      }
    });
  }
  return docs;
}

/** A node's TSDoc as a schema description, or undefined when it has none. */
function describe(node: ts.Node): string | undefined {
  const jsDoc = ts.getJSDocCommentsAndTags(node).filter(ts.isJSDoc).at(-1);
  if (!jsDoc) return undefined;
  const parts: string[] = [];
  const main = render(jsDoc.comment);
  if (main) parts.push(main);
  for (const tag of jsDoc.tags ?? []) {
    if (tag.tagName.text === "default") parts.push(`Default: ${render(tag.comment)}`);
  }
  return parts.length > 0 ? parts.join("\n\n") : undefined;
}

/** Comment text with `{@link X}` written as `` `X` ``. */
function render(comment: string | ts.NodeArray<ts.JSDocComment> | undefined): string {
  const text = ts.getTextOfJSDocComment(comment) ?? "";
  return text.replace(/\{@link(?:code|plain)?\s+([^}\s|]+)(?:[\s|][^}]*)?\}/g, "`$1`").trim();
}

/** The parts of a package schema whose descriptions come from TSDoc. */
interface Described {
  description?: string;
  properties?: Record<string, { description?: string }>;
  inputProperties?: Record<string, { description?: string }>;
}

/**
 * Sets the descriptions of the schema's resources and object types from `docs`. A resource's
 * inputs are documented on its constructor's `args` interface, its outputs and itself on
 * its class; an object type on the interface of the same name. Types not declared in the files read
 * (those of `@pulumi/aws`) keep the inferred text.
 */
export function applyDocs(
  schema: { resources: Record<string, Described>; types?: Record<string, Described> },
  docs: Docs,
): void {
  const set = (target: { description?: string }, key: string) => {
    const text = docs.get(key);
    if (text !== undefined) target.description = text;
  };
  const setAll = (props: Record<string, { description?: string }> | undefined, owner: string) => {
    for (const [name, prop] of Object.entries(props ?? {})) set(prop, `${owner}.${name}`);
  };
  for (const [token, resource] of Object.entries(schema.resources)) {
    const className = token.split(":")[2];
    set(resource, className);
    setAll(resource.properties, className);
    const args = docs.get(`${className}(args)`);
    if (args !== undefined) setAll(resource.inputProperties, args);
  }
  for (const [token, type] of Object.entries(schema.types ?? {})) {
    const name = token.split(":")[2];
    if (docs.has(name) || [...docs.keys()].some((k) => k.startsWith(`${name}.`))) {
      set(type, name);
      setAll(type.properties, name);
    }
  }
}
