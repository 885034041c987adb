// mustache 4 (UMD mustache.js through the exports map's "require" condition): a template engine.
const Mustache = require("mustache");

function render(template, view, partials) {
  return Mustache.render(template, view, partials);
}

function main() {
  console.log("version", Mustache.version);
  console.log(render("Hello {{name}}! {{#items}}[{{.}}]{{/items}}{{^empty}} none{{/empty}}", {
    name: "<World>",
    items: [1, 2, 3],
    empty: [],
  }));
  console.log(render("{{>card}}", { title: "T", body: "B" }, { card: "<h1>{{title}}</h1><p>{{{body}}}</p>" }));
  console.log(JSON.stringify(Mustache.parse("a {{b}} {{#c}}d{{/c}}")));
  try {
    render("{{#open}} never closed", { open: true });
  } catch (e) {
    console.log("caught:", e.message);
  }
  console.log("mustache done");
}

main();
