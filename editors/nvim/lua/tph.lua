-- tph's language server (`tph lsp`) in Neovim 0.7 and later: the recorded run's calls at the code.
--
--   vim.opt.runtimepath:append("/path/to/tph/editors/nvim") -- or copy this file into lua/
--   require("tph").setup()
--
-- It starts `tph lsp` for JavaScript and TypeScript buffers, one server per project folder (the
-- nearest folder at or above the file holding tracepatch.toml, deno.json, deno.jsonc,
-- package.json or .git; else Neovim's working folder), shared by its buffers. Hover, diagnostics
-- and code lenses come from Neovim's own LSP client. Inlay hints: Neovim's own from 0.10 on;
-- before, this module asks for them and shows them as virtual text at the end of their lines
-- (where 0.10 puts them), again when the server says another run is shown, and after an edit.
--
-- setup(opts), every field optional:
--   cmd         the server's command ({ "tph", "lsp" })
--   filetypes   the file types it is started for (JavaScript, TypeScript, JSX, TSX)
--   root_dir    the project folder: a path, or a function(bufnr) returning one
--   hint_width  the longest hint, in characters (the server's hintWidth; it takes 60 unless told)
--   hl_group    the highlight of hints shown as virtual text before 0.10 ("Comment")
--   debounce    ms after an edit before hints are asked for again, before 0.10 (200)
--   on_attach   function(client, bufnr), called once the server is attached to a buffer
local M = {}

local uv = vim.loop
local ns = vim.api.nvim_create_namespace("tph_hints")
local MARKERS = { "tracepatch.toml", "deno.json", "deno.jsonc", "package.json", ".git" }

local config = {
  cmd = { "tph", "lsp" },
  filetypes = { "javascript", "javascriptreact", "typescript", "typescriptreact" },
  root_dir = nil,
  hint_width = nil,
  hl_group = "Comment",
  debounce = 200,
  on_attach = nil,
}

-- Client ids by project folder (the clients this module started with vim.lsp.start_client).
local clients = {}
-- Per buffer shown with hints as virtual text: its client's id, and its debounce timer.
local shown = {}

--- Neovim shows inlay hints itself (0.10 and later).
local function native_hints()
  return type(vim.lsp.inlay_hint) == "table" and type(vim.lsp.inlay_hint.enable) == "function"
end

--- The project folder of a buffer.
local function root_of(bufnr)
  if type(config.root_dir) == "function" then return config.root_dir(bufnr) end
  if type(config.root_dir) == "string" then return config.root_dir end
  local name = vim.api.nvim_buf_get_name(bufnr)
  if name == "" then return vim.fn.getcwd() end
  local dir = vim.fn.fnamemodify(name, ":p:h")
  while true do
    for _, marker in ipairs(MARKERS) do
      if uv.fs_stat(dir .. "/" .. marker) then return dir end
    end
    local up = vim.fn.fnamemodify(dir, ":h")
    if up == dir then return vim.fn.getcwd() end
    dir = up
  end
end

--- A hint's label as text (a string, or a list of parts).
local function label_of(hint)
  if type(hint.label) == "string" then return hint.label end
  local parts = {}
  for _, part in ipairs(hint.label or {}) do table.insert(parts, part.value or "") end
  return table.concat(parts)
end

--- Ask the server for a buffer's hints and show them at the end of their lines (before 0.10).
local function show_hints(bufnr)
  local state = shown[bufnr]
  if not state or not vim.api.nvim_buf_is_loaded(bufnr) then return end
  local client = vim.lsp.get_client_by_id(state.client_id)
  if not client or not client.initialized then return end
  local count = vim.api.nvim_buf_line_count(bufnr)
  local params = {
    textDocument = { uri = vim.uri_from_bufnr(bufnr) },
    range = { start = { line = 0, character = 0 }, ["end"] = { line = count, character = 0 } },
  }
  client.request("textDocument/inlayHint", params, function(err, result)
    if err or not vim.api.nvim_buf_is_loaded(bufnr) then return end
    vim.api.nvim_buf_clear_namespace(bufnr, ns, 0, -1)
    local lines = vim.api.nvim_buf_line_count(bufnr)
    for _, hint in ipairs(result or {}) do
      local line = hint.position and hint.position.line
      if type(line) == "number" and line < lines then
        vim.api.nvim_buf_set_extmark(bufnr, ns, line, 0, {
          virt_text = { { label_of(hint), config.hl_group } },
          virt_text_pos = "eol",
        })
      end
    end
  end, bufnr)
end

--- Show a buffer's hints again once `config.debounce` ms passed without another call.
local function show_later(bufnr)
  local state = shown[bufnr]
  if not state then return end
  if not state.timer then state.timer = uv.new_timer() end
  state.timer:stop()
  state.timer:start(config.debounce, 0, vim.schedule_wrap(function() show_hints(bufnr) end))
end

--- Stop showing a buffer's hints as virtual text.
local function forget(bufnr)
  local state = shown[bufnr]
  if not state then return end
  shown[bufnr] = nil
  if state.timer then
    state.timer:stop()
    state.timer:close()
  end
  if vim.api.nvim_buf_is_valid(bufnr) then vim.api.nvim_buf_clear_namespace(bufnr, ns, 0, -1) end
end

local function on_attach(client, bufnr)
  if native_hints() then
    -- 0.10's signature, else the one of 0.10's pre-releases.
    if not pcall(vim.lsp.inlay_hint.enable, true, { bufnr = bufnr }) then
      pcall(vim.lsp.inlay_hint.enable, bufnr, true)
    end
  elseif not shown[bufnr] then
    shown[bufnr] = { client_id = client.id }
    local group = vim.api.nvim_create_augroup("tph_hints_" .. bufnr, { clear = true })
    vim.api.nvim_create_autocmd({ "BufEnter", "BufWritePost", "InsertLeave", "TextChanged" }, {
      group = group,
      buffer = bufnr,
      callback = function() show_later(bufnr) end,
    })
    vim.api.nvim_create_autocmd({ "BufUnload", "BufWipeout" }, {
      group = group,
      buffer = bufnr,
      callback = function()
        forget(bufnr)
        pcall(vim.api.nvim_del_augroup_by_id, group)
      end,
    })
    show_hints(bufnr)
  end
  if config.on_attach then config.on_attach(client, bufnr) end
end

--- The client's configuration for project folder `root`.
local function client_config(root)
  local capabilities = vim.lsp.protocol.make_client_capabilities()
  local handlers = {}
  if not native_hints() then
    -- The server asks for hints again when it shows another run: shown here as virtual text.
    capabilities.workspace = capabilities.workspace or {}
    capabilities.workspace.inlayHint = { refreshSupport = true }
    handlers["workspace/inlayHint/refresh"] = function(_, _, ctx)
      for bufnr, state in pairs(shown) do
        if state.client_id == ctx.client_id then show_later(bufnr) end
      end
      return vim.NIL
    end
  end
  return {
    name = "tph",
    cmd = config.cmd,
    cmd_cwd = root,
    root_dir = root,
    capabilities = capabilities,
    handlers = handlers,
    init_options = config.hint_width and { hintWidth = config.hint_width } or vim.empty_dict(),
    on_attach = on_attach,
    on_exit = function()
      vim.schedule(function()
        if clients[root] then clients[root] = nil end
        for bufnr, state in pairs(shown) do
          if vim.lsp.get_client_by_id(state.client_id) == nil then forget(bufnr) end
        end
      end)
    end,
  }
end

--- Start (or reuse) the server of a buffer's project and attach it to the buffer.
function M.attach(bufnr)
  if bufnr == nil or bufnr == 0 then bufnr = vim.api.nvim_get_current_buf() end
  if vim.bo[bufnr].buftype ~= "" then return end
  local root = root_of(bufnr)
  if vim.lsp.start then
    -- 0.8 and later: reuses the client of the same name and folder.
    return vim.lsp.start(client_config(root), { bufnr = bufnr })
  end
  local id = clients[root]
  local client = id and vim.lsp.get_client_by_id(id)
  if not client or client.is_stopped() then
    id = vim.lsp.start_client(client_config(root))
    if not id then return nil end
    clients[root] = id
  end
  vim.lsp.buf_attach_client(bufnr, id)
  return id
end

--- Start `tph lsp` for every buffer of the file types, open now or later.
function M.setup(opts)
  config = vim.tbl_extend("force", config, opts or {})
  local wanted = {}
  for _, ft in ipairs(config.filetypes) do wanted[ft] = true end
  local group = vim.api.nvim_create_augroup("tph", { clear = true })
  vim.api.nvim_create_autocmd("FileType", {
    group = group,
    pattern = config.filetypes,
    callback = function(args) M.attach(args.buf) end,
  })
  for _, bufnr in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(bufnr) and wanted[vim.bo[bufnr].filetype] then
      M.attach(bufnr)
    end
  end
end

return M
