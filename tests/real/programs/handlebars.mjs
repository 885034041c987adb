// handlebars 4 (CommonJS compiled by Babel, `exports["default"]`, no "type"), imported by its
// bare name: a template engine.
import Handlebars from "handlebars";

function setup() {
  const hb = Handlebars.create();
  hb.registerHelper("upper", (s) => String(s).toUpperCase());
  hb.registerHelper("money", (n) => `$${Number(n).toFixed(2)}`);
  hb.registerPartial("line", "{{qty}} x {{upper name}} = {{money total}}");
  return hb;
}

function main() {
  const hb = setup();
  const template = hb.compile(
    "Invoice {{id}} for {{customer.name}}\n{{#each items}}- {{> line}}\n{{/each}}" +
      "{{#if paid}}PAID{{else}}DUE{{/if}} {{{raw}}} {{escaped}}",
  );
  const items = [
    { qty: 2, name: "pen", total: 3 },
    { qty: 1, name: "book", total: 12.5 },
  ];
  console.log(template({ id: 42, customer: { name: "Ada" }, items, paid: false, raw: "<b>", escaped: "<i>" }));
  const precompiled = hb.precompile("{{#each list}}{{@index}}:{{this}} {{/each}}");
  console.log("precompiled length > 0:", precompiled.length > 0);
  console.log(hb.compile("{{#each list}}{{@index}}:{{this}} {{/each}}")({ list: ["a", "b", "c"] }));
  try {
    hb.compile("{{#if x}}never closed")({ x: 1 });
  } catch (e) {
    console.log("caught:", e.name, e.message.split("\n")[0]);
  }
  console.log("handlebars done");
}

main();
