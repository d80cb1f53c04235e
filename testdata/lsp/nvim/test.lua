-- A real editor against `sandtrap lsp`: run by scripts/test-nvim.sh in headless Neovim.
-- Opens pool.yaml of the fixture workspace, waits for ST101, applies the ignore-comment code
-- action, waits for ST101 to go away, and writes every step to $SANDTRAP_RESULT.
-- Works with Neovim 0.7 (vim.lsp.start_client) and later (vim.lsp.start).

local bin = assert(os.getenv("SANDTRAP_BIN"), "SANDTRAP_BIN is not set")
local root = assert(os.getenv("SANDTRAP_WORKSPACE"), "SANDTRAP_WORKSPACE is not set")
local result_file = assert(os.getenv("SANDTRAP_RESULT"), "SANDTRAP_RESULT is not set")
local TIMEOUT = 20000

local lines = {}
local function step(message)
  table.insert(lines, message)
end

local function finish(ok)
  table.insert(lines, ok and "RESULT: PASS" or "RESULT: FAIL")
  local f = io.open(result_file, "w")
  if f then
    f:write(table.concat(lines, "\n") .. "\n")
    f:close()
  end
  if ok then
    vim.cmd("qall!")
  else
    vim.cmd("cquit!")
  end
end

local function code_of(d)
  if d.code ~= nil then
    return d.code
  end
  local lsp = d.user_data and d.user_data.lsp
  return lsp and lsp.code
end

local function find(bufnr, code)
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    if code_of(d) == code then
      return d
    end
  end
  return nil
end

local function codes(bufnr)
  local out = {}
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    table.insert(out, tostring(code_of(d)))
  end
  table.sort(out)
  return table.concat(out, ",")
end

local function run()
  step("neovim " .. tostring(vim.version().major) .. "." .. tostring(vim.version().minor)
    .. "." .. tostring(vim.version().patch))
  vim.cmd("edit " .. vim.fn.fnameescape(root .. "/pool.yaml"))
  local bufnr = vim.api.nvim_get_current_buf()
  local config = {
    name = "sandtrap",
    cmd = { bin, "lsp" },
    root_dir = root,
    workspace_folders = { { uri = vim.uri_from_fname(root), name = "workspace" } },
  }
  local client_id
  if vim.lsp.start then
    client_id = vim.lsp.start(config)
    step("started with vim.lsp.start")
  else
    client_id = vim.lsp.start_client(config)
    vim.lsp.buf_attach_client(bufnr, client_id)
    step("started with vim.lsp.start_client")
  end
  if not client_id then
    step("FAIL: the client did not start")
    return false
  end
  local client = vim.lsp.get_client_by_id(client_id)

  local got = vim.wait(TIMEOUT, function() return find(bufnr, "ST101") ~= nil end, 50)
  if not got then
    step("FAIL: no ST101 within " .. TIMEOUT .. " ms; diagnostics: " .. codes(bufnr))
    return false
  end
  client = vim.lsp.get_client_by_id(client_id) or client
  step("diagnostics after open: " .. codes(bufnr) .. " (position encoding "
    .. tostring(client.offset_encoding) .. ")")
  local st101 = find(bufnr, "ST101")
  step(string.format("ST101 at line %d, column %d: %s", st101.lnum + 1, st101.col + 1,
    (st101.message:gsub("\n.*", ""))))

  local position = { line = st101.lnum, character = st101.col }
  local hover = vim.lsp.buf_request_sync(bufnr, "textDocument/hover", {
    textDocument = { uri = vim.uri_from_bufnr(bufnr) },
    position = position,
  }, TIMEOUT)
  local hover_text = ""
  for _, response in pairs(hover or {}) do
    if response.result and response.result.contents then
      hover_text = response.result.contents.value or ""
    end
  end
  if not hover_text:find("ses%-sandbox%-recipients") then
    step("FAIL: hover does not show the rule: " .. hover_text:sub(1, 200))
    return false
  end
  step("hover shows: " .. (hover_text:gsub("\n.*", "")))

  local range = { start = position, ["end"] = position }
  local responses = vim.lsp.buf_request_sync(bufnr, "textDocument/codeAction", {
    textDocument = { uri = vim.uri_from_bufnr(bufnr) },
    range = range,
    context = { diagnostics = (st101.user_data and st101.user_data.lsp) and { st101.user_data.lsp } or {} },
  }, TIMEOUT)
  local ignore
  local titles = {}
  for _, response in pairs(responses or {}) do
    for _, action in ipairs(response.result or {}) do
      table.insert(titles, action.title)
      if action.title:find("^Ignore ST101") then
        ignore = action
      end
    end
  end
  step("code actions: " .. table.concat(titles, " | "))
  if not ignore or not ignore.edit then
    step("FAIL: no ignore-comment action")
    return false
  end
  vim.lsp.util.apply_workspace_edit(ignore.edit, client.offset_encoding or "utf-16")
  local inserted = vim.api.nvim_buf_get_lines(bufnr, st101.lnum, st101.lnum + 1, false)[1]
  step("inserted line: " .. tostring(inserted))
  if not tostring(inserted):find("# sandtrap: ignore%[ST101%]") then
    step("FAIL: the comment was not inserted above the finding")
    return false
  end

  local gone = vim.wait(TIMEOUT, function()
    return find(bufnr, "ST101") == nil and find(bufnr, "ST207") ~= nil
  end, 50)
  if not gone then
    step("FAIL: ST101 still reported after the edit; diagnostics: " .. codes(bufnr))
    return false
  end
  step("diagnostics after the code action: " .. codes(bufnr))

  vim.cmd("write")
  vim.wait(1000, function() return false end, 50)
  if find(bufnr, "ST101") ~= nil then
    step("FAIL: ST101 came back after saving")
    return false
  end
  step("diagnostics after save: " .. codes(bufnr))

  vim.lsp.stop_client(client_id)
  vim.wait(5000, function() return vim.lsp.get_client_by_id(client_id) == nil end, 50)
  step("client stopped")
  return true
end

local ok, result = pcall(run)
if not ok then
  step("FAIL: error: " .. tostring(result))
  finish(false)
else
  finish(result)
end
