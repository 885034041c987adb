// ejs 7 (dual: an exports map with import -> lib/esm, whose folder has its own package.json
// saying "type": "module"): a template engine.
import ejs from "ejs";

const TEMPLATE = `<ul>
<% for (const u of users) { -%>
  <li><%= u.name %> (<%- u.admin ? "<b>admin</b>" : "user" %>)</li>
<% } -%>
</ul>`;

function renderUsers(): string {
  return ejs.render(TEMPLATE, { users: [{ name: "Ada & Co", admin: true }, { name: "Bob" }] });
}

function main(): void {
  console.log(renderUsers());
  const fn = ejs.compile("<%= a %> + <%= b %> = <%= a + b %>");
  console.log(fn({ a: 2, b: 3 }));
  console.log(ejs.render("<%# comment %>[<%= list.join('|') %>]", { list: ["x", "y"] }));
  try {
    ejs.render("line one\n<%= missing.value %>", {});
  } catch (e) {
    const err = e as Error;
    console.log("caught:", err.name, err.message.split("\n").filter((l) => l.trim()).join(" / "));
  }
  console.log("ejs done");
}

main();
