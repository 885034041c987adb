// A realistic workload: Babel parses TypeScript sources and prints them back, a few times.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "@babel/parser";
import generateModule from "@babel/generator";

const generate = generateModule.default ?? generateModule;
const here = dirname(fileURLToPath(import.meta.url));
const dir = join(here, "../../src/cli/diff");
const sources = readdirSync(dir).filter((n) => n.endsWith(".ts")).sort()
  .map((n) => readFileSync(join(dir, n), "utf8"));
let size = 0;
for (let r = 0; r < 2; r++) {
  for (const code of sources) {
    const ast = parse(code, { sourceType: "module", plugins: ["typescript"] });
    size += generate(ast, {}, code).code.length;
  }
}
console.log(sources.length, size);
