-- What editors/nvim/lua/tph.lua shows in the current buffer, headless (tests/lsp/nvim_test.ts
-- starts Neovim with the documented set-up, then runs this): the hints it set as virtual text in
-- its namespace, or Neovim's own inlay hints where it has them (0.10 and later), by line. Written
-- as JSON to $TPH_LSP_OUT: `shown` once there are hints; `edited` once a line typed above the
-- first moved them down; then "$TPH_LSP_OUT.ready" is written and `newer` is what is shown once a
-- hint holds $TPH_LSP_NEWER (the test stores another run meanwhile); then Neovim quits.
local out = {}
local function finish(code)
  local f = io.open(os.getenv("TPH_LSP_OUT"), "w")
  f:write(vim.fn.json_encode(out))
  f:close()
  vim.cmd((code == 0) and "qall!" or "cquit!")
end

--- The hints shown in the current buffer: { line, text } sorted by line.
local function hints()
  local got = {}
  local ns = vim.api.nvim_get_namespaces()["tph_hints"]
  if ns then
    for _, m in ipairs(vim.api.nvim_buf_get_extmarks(0, ns, 0, -1, { details = true })) do
      local text = {}
      for _, chunk in ipairs(m[4].virt_text or {}) do table.insert(text, chunk[1]) end
      table.insert(got, { line = m[2], text = table.concat(text) })
    end
  end
  if type(vim.lsp.inlay_hint) == "table" and vim.lsp.inlay_hint.get then
    for _, h in ipairs(vim.lsp.inlay_hint.get({ bufnr = 0 })) do
      local label = h.inlay_hint.label
      if type(label) == "table" then
        local parts = {}
        for _, p in ipairs(label) do table.insert(parts, p.value) end
        label = table.concat(parts)
      end
      table.insert(got, { line = h.inlay_hint.position.line, text = label })
    end
  end
  table.sort(got, function(a, b) return a.line < b.line or (a.line == b.line and a.text < b.text) end)
  return got
end

local function wait_for(what, test)
  if not vim.wait(30000, function() return test(hints()) end, 50) then
    error("no " .. what .. " within 30 s: " .. vim.inspect(hints()))
  end
  return hints()
end

local ok, err = pcall(function()
  out.shown = wait_for("hints", function(h) return #h > 0 end)
  -- A line typed above the first (TextChanged, InsertLeave): the hints follow their functions.
  vim.cmd("normal! ggO// typed")
  local first = out.shown[1]
  out.edited = wait_for("hints moved by the edit", function(h)
    return h[1] ~= nil and h[1].line == first.line + 1 and h[1].text == first.text
  end)
  local ready = io.open(os.getenv("TPH_LSP_OUT") .. ".ready", "w")
  ready:write("ready")
  ready:close()
  local newer = os.getenv("TPH_LSP_NEWER")
  out.newer = wait_for("hints of the newer run", function(h)
    for _, x in ipairs(h) do
      if x.text:find(newer, 1, true) then return true end
    end
    return false
  end)
end)
if not ok then out.error = tostring(err) end
finish(ok and 0 or 1)
