const N = 2_000_000;
const which = process.argv[2];
const apply = Reflect.apply;
const bindCall = Function.prototype.bind.bind(Function.prototype.call);
const restApply = (fn) => (self, ...args) => apply(fn, self, args);
const uncurry = which === "bind" ? bindCall : restApply;
// pollute: many uncurried built-ins, all called
const S = String.prototype;
const many = [
  "slice",
  "indexOf",
  "includes",
  "startsWith",
  "endsWith",
  "lastIndexOf",
  "charCodeAt",
  "at",
  "substring",
  "trim",
].map((n) => uncurry(S[n]));
for (let k = 0; k < 20000; k++) for (const f of many) f("hello world", 1, 3);
const gGlobal = uncurry(Object.getOwnPropertyDescriptor(RegExp.prototype, "global").get);
const gets = [
  "hasIndices",
  "global",
  "ignoreCase",
  "multiline",
  "dotAll",
  "unicode",
  "unicodeSets",
  "sticky",
].map((n) => uncurry(Object.getOwnPropertyDescriptor(RegExp.prototype, n).get));
for (let k = 0; k < 20000; k++) for (const f of gets) f(/a/g);
const slice = many[0], cc = many[6];
const res = [/a/g, /b/gi, /c/m, /d/y, /e/su];
const strs = ["hello world", "abc", "some longer string here"];
function bench(name, f) {
  for (let r = 0; r < 4; r++) {
    const t0 = performance.now();
    const _x = f();
    const ms = performance.now() - t0;
    if (r === 3) console.log(which.padEnd(5), name.padEnd(10), (ms * 1e6 / N).toFixed(1), "ns");
  }
}
bench("getter", () => {
  let s = 0;
  for (let i = 0; i < N; i++) s += gGlobal(res[i % 5]) ? 1 : 0;
  return s;
});
bench("8 flags", () => {
  let s = 0;
  for (let i = 0; i < N; i++) {
    const o = res[i % 5];
    for (let j = 0; j < 8; j++) s += gets[j](o) ? 1 : 0;
  }
  return s;
});
bench("slice", () => {
  let s = 0;
  for (let i = 0; i < N; i++) s += slice(strs[i % 3], 0, 2).length;
  return s;
});
bench("charCodeAt", () => {
  let s = 0;
  for (let i = 0; i < N; i++) s += cc(strs[i % 3], 1);
  return s;
});
