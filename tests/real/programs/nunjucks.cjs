// nunjucks 3 (CommonJS, no "type"; requires a-sync-waterfall, asap and its own nested commander
// 5 in nunjucks/node_modules): a template engine.
const nunjucks = require("nunjucks");

function environment() {
  const env = new nunjucks.Environment(null, { autoescape: true });
  env.addFilter("shout", (s) => String(s).toUpperCase() + "!");
  env.addGlobal("site", "corpus");
  return env;
}

function main() {
  const env = environment();
  const out = env.renderString(
    "{% macro row(k, v) %}{{ k }}={{ v }}{% endmacro %}" +
      "{{ site | shout }} {% for k, v in data %}{{ row(k, v) }};{% endfor %} {{ html }} " +
      "{% set total = 0 %}{% for n in nums %}{% set total = total + n %}{% endfor %}{{ total }} " +
      "{{ nums | join('-') }} {{ 'abc' | replace('b', 'B') | title }}",
    { data: { a: 1, b: 2 }, html: "<x>", nums: [1, 2, 3, 4] },
  );
  console.log(out);
  const t = new nunjucks.Template("{% if n > 1 %}{{ n }} items{% else %}one item{% endif %}", env);
  console.log(t.render({ n: 3 }), "|", t.render({ n: 1 }));
  try {
    env.renderString("{{ x | nosuchfilter }}", { x: 1 });
  } catch (e) {
    console.log("caught:", e.name, e.message.replace(/\s+/g, " ").trim());
  }
  console.log("nunjucks done");
}

main();
