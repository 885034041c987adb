// The page's styles (inlined into the page with the code).
export const CSS = `
:root { --bg:#fff; --fg:#1d1f21; --muted:#6a737d; --line:#e1e4e8; --sel:#dbeafe; --err:#b91c1c;
  --bar:#93c5fd; --hit:#fef08a; font: 13px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
@media (prefers-color-scheme: dark) { :root { --bg:#16181c; --fg:#e6e6e6; --muted:#9aa4ae;
  --line:#30343a; --sel:#1e3a5f; --err:#f87171; --bar:#2563eb; --hit:#854d0e; } }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg); height: 100vh; overflow: hidden; }
#app { display: grid; height: 100vh; grid-template-columns: minmax(0, 3fr) minmax(280px, 2fr);
  grid-template-rows: auto auto minmax(0, 1fr) 190px; grid-template-areas:
  "head head" "note note" "tree side" "flame flame"; }
header { grid-area: head; padding: 6px 10px; border-bottom: 1px solid var(--line); }
header h1 { font-size: 14px; margin: 0 0 2px; }
header .facts { color: var(--muted); display: flex; flex-wrap: wrap; gap: 4px 16px; }
header .family { display: flex; flex-wrap: wrap; gap: 4px 16px; margin-top: 2px; }
header .family a { cursor: pointer; text-decoration: underline; }
.note { grid-area: note; padding: 4px 10px; background: var(--hit); }
.note:empty { display: none; }
.treepane { grid-area: tree; display: flex; flex-direction: column; min-height: 0;
  border-right: 1px solid var(--line); }
.bar { display: flex; gap: 6px; padding: 4px 6px; border-bottom: 1px solid var(--line);
  align-items: center; }
.bar input { flex: 1; font: inherit; padding: 2px 4px; background: var(--bg); color: var(--fg);
  border: 1px solid var(--line); }
.bar button { font: inherit; }
.bar .count { color: var(--muted); min-width: 7em; }
.filter { padding: 2px 6px; background: var(--sel); }
.filter:empty { display: none; }
.tree { flex: 1; overflow: auto; position: relative; outline: none; }
.rows { position: relative; }
.row { position: absolute; left: 0; right: 0; height: 20px; white-space: pre; overflow: hidden;
  display: flex; align-items: center; cursor: default; }
.row.sel { background: var(--sel); }
.row.hit .label { background: var(--hit); }
.row .tog { width: 14px; flex: none; text-align: center; color: var(--muted); cursor: pointer; }
.row .label { overflow: hidden; text-overflow: ellipsis; flex: 0 0 auto; max-width: 75%; }
.row .ret { color: var(--muted); overflow: hidden; text-overflow: ellipsis; flex: 0 10 auto; }
.row .err { color: var(--err); font-weight: 600; }
.row .dur { margin-left: auto; padding: 0 6px 0 12px; color: var(--muted); flex: none; }
.row .share { width: 60px; height: 6px; flex: none; margin-right: 6px; background: var(--line); }
.row .share > i { display: block; height: 100%; background: var(--bar); }
.side { grid-area: side; overflow: auto; min-height: 0; }
.details { padding: 6px 10px; border-bottom: 1px solid var(--line); }
.details h2, .funcs h2 { font-size: 13px; margin: 4px 0; }
.details .v { white-space: pre-wrap; word-break: break-all; }
.details .err { color: var(--err); }
.details .stack a { cursor: pointer; text-decoration: underline; }
.details dt { color: var(--muted); }
.details dd { margin: 0 0 4px 12px; }
.funcs { padding: 6px 10px; }
.funcs table { border-collapse: collapse; width: 100%; }
.funcs th { text-align: left; cursor: pointer; user-select: none; border-bottom: 1px solid var(--line); }
.funcs td, .funcs th { padding: 1px 6px 1px 0; }
.funcs td.n { text-align: right; }
.funcs tr.on { background: var(--sel); }
.funcs tbody tr { cursor: pointer; }
.flame { grid-area: flame; position: relative; border-top: 1px solid var(--line); }
.flame canvas { width: 100%; height: 100%; display: block; cursor: grab; }
`;
