// A realistic workload: yaml (a lexer and parser built on generators and classes) parses and
// prints a generated document.
import YAML from "yaml";

const items = [];
for (let i = 0; i < 300; i++) {
  items.push({
    id: i,
    name: `item ${i}`,
    tags: ["a", "b", `t${i % 7}`],
    price: i * 1.25,
    meta: { created: "2026-01-01", active: i % 2 === 0, notes: `line one\nline two ${i}` },
  });
}
const text = YAML.stringify({ items });
const doc = YAML.parse(text);
console.log(text.length, doc.items.length);
