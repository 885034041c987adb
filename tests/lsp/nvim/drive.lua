-- Drives `tph lsp` from Neovim's own LSP client, headless (Neovim 0.7 or later): started on the
-- file given, with the command in $TPH_LSP_CMD (a JSON array) in the folder $TPH_LSP_ROOT; what the
-- client got is written as JSON to $TPH_LSP_OUT, then Neovim quits. tests/lsp/nvim_test.ts reads it.
local out = {}
local function finish(code)
  local f = io.open(os.getenv("TPH_LSP_OUT"), "w")
  f:write(vim.fn.json_encode(out))
  f:close()
  vim.cmd((code == 0) and "qall!" or "cquit!")
end

local ok, err = pcall(function()
  local cmd = vim.fn.json_decode(os.getenv("TPH_LSP_CMD"))
  local id = vim.lsp.start_client({
    name = "tph",
    cmd = cmd,
    root_dir = os.getenv("TPH_LSP_ROOT"),
    -- How the server ended, should it end before the client stops it.
    on_exit = function(code, signal) out.server_exit = { code = code, signal = signal } end,
    handlers = {
      ["textDocument/publishDiagnostics"] = function(e, result, ctx, config)
        out.published = (out.published or 0) + 1
        vim.lsp.diagnostic.on_publish_diagnostics(e, result, ctx, config)
      end,
    },
  })
  out.client = id ~= nil
  vim.lsp.buf_attach_client(0, id)
  local client = vim.lsp.get_client_by_id(id)
  vim.wait(30000, function() return client.initialized or out.server_exit ~= nil end, 50)
  out.initialized = client.initialized
  if not client.initialized then
    error("the server did not initialize within 30 s: " .. vim.inspect(out.server_exit))
  end
  out.server = client.server_capabilities and client.server_capabilities.hoverProvider
  -- The diagnostics the server published for this buffer.
  if not vim.wait(30000, function() return #vim.diagnostic.get(0) > 0 end, 50) then
    error("no diagnostics within 30 s: " .. vim.inspect(out.server_exit))
  end
  out.diagnostics = {}
  for _, d in ipairs(vim.diagnostic.get(0)) do
    table.insert(out.diagnostics, { line = d.lnum, severity = d.severity, message = d.message })
  end
  local line = tonumber(os.getenv("TPH_LSP_LINE"))
  local col = tonumber(os.getenv("TPH_LSP_COL"))
  local uri = vim.uri_from_bufnr(0)
  local hover = vim.lsp.buf_request_sync(0, "textDocument/hover", {
    textDocument = { uri = uri },
    position = { line = line, character = col },
  }, 20000)
  if not (hover and hover[id]) then error("no hover answer within 20 s") end
  out.hover = hover[id].result and hover[id].result.contents.value or vim.NIL
  -- Inlay hints: asked directly (Neovim shows them from 0.10 on).
  local hints = vim.lsp.buf_request_sync(0, "textDocument/inlayHint", {
    textDocument = { uri = uri },
    range = { start = { line = 0, character = 0 }, ["end"] = { line = 1000, character = 0 } },
  }, 20000)
  if not (hints and hints[id]) then error("no inlay hints answer within 20 s") end
  out.hints = hints[id].result or vim.NIL
  -- Code lenses through Neovim's own code lens support, then the command of the one at `line`.
  local lenses = vim.lsp.buf_request_sync(0, "textDocument/codeLens", {
    textDocument = { uri = uri },
  }, 20000)
  if not (lenses and lenses[id]) then error("no code lens answer within 20 s") end
  out.lenses = {}
  for _, lens in ipairs(lenses[id].result or {}) do
    table.insert(out.lenses, { line = lens.range.start.line, title = lens.command.title })
    if lens.range.start.line == line and lens.command.command == "tph.showTree" then
      local r = client.request_sync("workspace/executeCommand", {
        command = lens.command.command,
        arguments = lens.command.arguments,
      }, 20000, 0)
      out.tree = r and r.result and r.result.text or vim.NIL
    end
  end
  -- The runs, then the client's own shutdown.
  local runs = client.request_sync("workspace/executeCommand", { command = "tph.listRuns", arguments = {} }, 20000, 0)
  out.runs = runs and runs.result and #runs.result or vim.NIL
  client.stop()
  vim.wait(10000, function() return client.is_stopped() end, 50)
  out.stopped = client.is_stopped()
end)
if not ok then out.error = tostring(err) end
finish(ok and 0 or 1)
