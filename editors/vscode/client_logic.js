// What the extension decides without the editor (tested in tests/lsp/vscode_logic_test.ts): how
// `tph lsp` is started from the settings, the items of the run picker, and the document a call's
// tree opens in. extension.js wires these to VS Code.
"use strict";

/**
 * The server's command from the extension's settings: `tph lsp`, or a path to tph; a setting that
 * is not a non-empty string falls back to `tph` on PATH.
 *
 * @param {{ path?: unknown, hintWidth?: unknown }} settings
 * @param {string} cwd The workspace folder.
 */
function serverOptions(settings, cwd) {
  const path = typeof settings.path === "string" && settings.path.trim() !== ""
    ? settings.path.trim()
    : "tph";
  return { command: path, args: ["lsp"], options: { cwd } };
}

/** The server's initializationOptions from the settings. */
function initializationOptions(settings) {
  const width = Number(settings.hintWidth);
  return { hintWidth: Number.isFinite(width) && width >= 8 ? Math.floor(width) : 60 };
}

/**
 * The run picker's items from `tph.listRuns`: newest first, the one shown marked.
 *
 * @param {{ n: number, id: string, label: string | null, timestamp: string, calls: number,
 *   test: { name: string, outcome: string } | null, shown: boolean }[]} runs
 */
function runPickItems(runs) {
  const calls = (n) => `${n} call${n === 1 ? "" : "s"}`;
  return runs.map((r) => ({
    label: `${r.shown ? "$(eye) " : ""}#${r.n} ${r.test ? r.test.name : r.label ?? r.id}`,
    description: r.test ? `${r.test.outcome} · ${calls(r.calls)}` : calls(r.calls),
    detail: r.timestamp,
    ref: r.n,
  }));
}

/** Whether a server command's result is text shown in a document of its own. */
function opensDocument(command) {
  return command === "tph.showTree" || command === "tph.compareRuns";
}

/** The untitled document a `tph.showTree` or `tph.compareRuns` result opens in. */
function treeDocument(result) {
  if (result === null || typeof result !== "object" || typeof result.text !== "string") {
    return { content: "tph: no tree for that call", language: "plaintext" };
  }
  return { content: `${result.title}\n\n${result.text}\n`, language: "plaintext" };
}

module.exports = {
  serverOptions,
  initializationOptions,
  runPickItems,
  opensDocument,
  treeDocument,
};
