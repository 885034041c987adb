// The VS Code client of `tph lsp`: starts the server in the workspace folder and shows what it
// offers (inlay hints, hover, code lenses, diagnostics come through the language client as they
// are); adds a run picker and opens a code lens's tree in a document. The decisions are in
// client_logic.js.
"use strict";
const vscode = require("vscode");
const { LanguageClient } = require("vscode-languageclient/node");
const logic = require("./client_logic.js");

let client = null;

async function activate(context) {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? process.cwd();
  const settings = vscode.workspace.getConfiguration("tph");
  const run = logic.serverOptions({ path: settings.get("path") }, folder);
  client = new LanguageClient("tph", "tph", { run, debug: run }, {
    documentSelector: ["javascript", "typescript", "javascriptreact", "typescriptreact"].map(
      (language) => ({ scheme: "file", language }),
    ),
    initializationOptions: logic.initializationOptions({ hintWidth: settings.get("hintWidth") }),
    middleware: {
      // A code lens's command: the tree comes back as text, shown in a document of its own.
      async executeCommand(command, args, next) {
        const result = await next(command, args);
        if (logic.opensDocument(command)) {
          const doc = await vscode.workspace.openTextDocument(logic.treeDocument(result));
          await vscode.window.showTextDocument(doc, { preview: true });
        } else if (command === "tph.openPage" && result && typeof result.uri === "string") {
          await vscode.env.openExternal(vscode.Uri.parse(result.uri));
        }
        return result;
      },
    },
  });
  context.subscriptions.push(
    vscode.commands.registerCommand("tph.pickRun", async () => {
      const runs = await client.sendRequest("workspace/executeCommand", {
        command: "tph.listRuns",
        arguments: [],
      });
      const pick = await vscode.window.showQuickPick(logic.runPickItems(runs), {
        placeHolder: "The stored run to show at the code",
      });
      if (pick) {
        await client.sendRequest("workspace/executeCommand", {
          command: "tph.useRun",
          arguments: [pick.ref],
        });
      }
    }),
    vscode.commands.registerCommand("tph.openRunPage", async () => {
      const page = await client.sendRequest("workspace/executeCommand", {
        command: "tph.openPage",
        arguments: [],
      });
      if (page && typeof page.uri === "string") {
        await vscode.env.openExternal(vscode.Uri.parse(page.uri));
      }
    }),
    vscode.commands.registerCommand(
      "tph.followNewest",
      () =>
        client.sendRequest("workspace/executeCommand", {
          command: "tph.useRun",
          arguments: [null],
        }),
    ),
  );
  await client.start();
}

function deactivate() {
  return client?.stop();
}

module.exports = { activate, deactivate };
