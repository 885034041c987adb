// prettier 3 (dual package with an exports map; import gives index.mjs, which loads its parser
// plugins with dynamic import): a code formatter.
import * as prettier from "prettier";

const JS = `const   answer = {a:1,b:[1,2,3],  c: function(x){return x*2}}
async function  load(url){ const r=await fetch(url);return r.json() }
`;
const TS = `type Pair<A,B>={first:A,second:B}; export const swap=<A,B>(p:Pair<A,B>):Pair<B,A>=>({first:p.second,second:p.first})`;
const CSS = `a{color:red;background:blue}  .x  > .y{margin:0 auto}`;

async function format(code, parser, extra = {}) {
  return await prettier.format(code, { parser, ...extra });
}

async function main() {
  console.log(`prettier ${prettier.version}`);
  console.log(await format(JS, "babel"));
  console.log(await format(JS, "babel", { semi: false, singleQuote: true, tabWidth: 4 }));
  console.log(await format(TS, "typescript"));
  console.log(await format(CSS, "css"));
  console.log("formatted?", await prettier.check(await format(JS, "babel"), { parser: "babel" }));
  try {
    await format("const = 1;", "babel");
  } catch (e) {
    console.log("caught:", e.name, e.message.split("\n")[0]);
  }
  console.log("prettier done");
}

await main();
