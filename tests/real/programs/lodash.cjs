// lodash 4 (the lodash.js bundle, plus per-method modules that require dozens of each other's
// files; no "type"): a utility library.
const _ = require("lodash");
const groupBy = require("lodash/groupBy");
const merge = require("lodash/merge");

const PEOPLE = [
  { name: "ada", team: "core", age: 36 },
  { name: "bob", team: "web", age: 25 },
  { name: "cy", team: "core", age: 41 },
  { name: "di", team: "ops", age: 30 },
];

function main() {
  console.log(JSON.stringify(groupBy(PEOPLE, "team")));
  console.log(_.chain(PEOPLE).sortBy(["age"]).map((p) => _.capitalize(p.name)).join(" < ").value());
  console.log(JSON.stringify(merge({ a: { b: [1], c: 1 } }, { a: { b: [2, 3], d: 2 } })));
  console.log(_.chunk(_.range(10), 3).map((c) => c.join("")).join("|"), _.kebabCase("Hello World Again"));
  console.log(JSON.stringify(_.mapValues(_.keyBy(PEOPLE, "name"), "age")), _.sumBy(PEOPLE, "age"));
  const debounced = _.memoize((n) => (n < 2 ? n : debounced(n - 1) + debounced(n - 2)));
  console.log("fib(60):", debounced(60));
  console.log(_.template("hi <%= who %>, <% _.each(xs, function(x) { %>[<%- x %>]<% }); %>")({ who: "you", xs: ["<a>", "b"] }));
  try {
    _.template("<%= missingVariable %>")({});
  } catch (e) {
    console.log("caught:", e.name, e.message);
  }
  console.log("lodash done");
}

main();
