// typescript 5 (one large CommonJS file, no "type"): a compiler transpiling and walking a snippet.
import ts from "typescript";

const SOURCE = `
enum Color { Red, Green = 4, Blue }
interface Shape { area(): number }
class Circle implements Shape {
  constructor(private readonly r: number) {}
  area(): number { return Math.PI * this.r ** 2; }
}
export function total(shapes: Shape[]): number {
  return shapes.reduce((sum, s) => sum + s.area(), 0);
}
export const names = Object.keys(Color).filter((k) => isNaN(Number(k)));
`;

function transpile(code: string): string {
  const out = ts.transpileModule(code, {
    compilerOptions: { target: ts.ScriptTarget.ES2020, module: ts.ModuleKind.CommonJS },
    fileName: "snippet.ts",
  });
  return out.outputText;
}

function countKinds(code: string): Map<string, number> {
  const file = ts.createSourceFile("snippet.ts", code, ts.ScriptTarget.Latest, true);
  const kinds = new Map<string, number>();
  const visit = (node: ts.Node): void => {
    const kind = ts.SyntaxKind[node.kind];
    kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
    ts.forEachChild(node, visit);
  };
  visit(file);
  return kinds;
}

function syntaxErrors(code: string): string[] {
  const out = ts.transpileModule(code, { reportDiagnostics: true, fileName: "bad.ts" });
  return (out.diagnostics ?? []).map((d) =>
    `TS${d.code} at ${d.start}: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`
  );
}

function main(): void {
  console.log(`typescript ${ts.version}`);
  const js = transpile(SOURCE);
  console.log(js.trim());
  const kinds = countKinds(SOURCE);
  const top = [...kinds].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, 6);
  console.log("kinds:", top.map(([k, n]) => `${k}=${n}`).join(" "));
  const printer = ts.createPrinter({ removeComments: true });
  const file = ts.createSourceFile("p.ts", "let  a =   [1,2 ,3].map( x=>x*2 )", ts.ScriptTarget.Latest);
  console.log("printed:", printer.printFile(file).trim());
  for (const e of syntaxErrors("let x = ;\nfunction (a {")) console.log("diagnostic:", e);
  try {
    ts.Debug.assert(false, "corpus expected failure");
  } catch (e) {
    console.log("caught:", (e as Error).message.split("\n")[0]);
  }
  console.log("typescript done");
}

main();
