/**
 * The doc comments of the configuration's input types (src/config/input.ts),
 * by field path (`RouteInput.keyless`, `ConfigInput.store.timeoutMs`), read
 * with the TypeScript compiler: the JSON Schema's descriptions are the
 * comments users read in their editor, so the two cannot drift.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";

export function inputDocs(root: string): (path: string) => string | undefined {
  const file = join(root, "src/config/input.ts");
  const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.ES2022, true);
  const docs = new Map<string, string>();
  const bases = new Map<string, string[]>();

  const comment = (node: ts.Node): string | undefined => {
    const text = ts
      .getJSDocCommentsAndTags(node)
      .filter(ts.isJSDoc)
      .map((d) => ts.getTextOfJSDocComment(d.comment) ?? "")
      .join("\n")
      .replace(/\s+/g, " ")
      .trim();
    return text || undefined;
  };
  const members = (prefix: string, list: ts.NodeArray<ts.TypeElement>) => {
    for (const m of list) {
      if (!ts.isPropertySignature(m) || !m.name) continue;
      const path = `${prefix}.${m.name.getText(source)}`;
      const text = comment(m);
      if (text) docs.set(path, text);
      if (m.type && ts.isTypeLiteralNode(m.type)) members(path, m.type.members);
    }
  };
  source.forEachChild((node) => {
    if (!ts.isInterfaceDeclaration(node)) return;
    const name = node.name.text;
    bases.set(
      name,
      (node.heritageClauses ?? []).flatMap((h) => h.types.map((t) => t.expression.getText(source))),
    );
    members(name, node.members);
  });

  const lookup = (path: string): string | undefined => {
    const found = docs.get(path);
    if (found !== undefined) return found;
    // a field an interface inherits (GeoInput extends GeoRulesInput)
    const [type = "", ...rest] = path.split(".");
    for (const base of bases.get(type) ?? []) {
      const inherited = lookup([base, ...rest].join("."));
      if (inherited !== undefined) return inherited;
    }
    return undefined;
  };
  return lookup;
}
