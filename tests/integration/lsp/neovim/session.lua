-- A Neovim session through `ide-monitor lsp-proxy`, driven headless by tests/integration/lsp/neovim.test.ts:
-- open main.ts, hover, completion, an edit that introduces a type error, its diagnostic, close, stop.
-- Neovim 0.7-0.10 API (vim.lsp.start_client), as Debian's neovim 0.7.2 has. Results go to $RESULT as JSON.
local result = { steps = {} }
local function step(name, value) result.steps[#result.steps + 1] = name; result[name] = value end
local function finish(code)
  local f = assert(io.open(os.getenv('RESULT'), 'w'))
  f:write(vim.fn.json_encode(result))
  f:close()
  vim.cmd((code == 0) and 'qa!' or 'cq!')
end

local ok, err = pcall(function()
  local project = os.getenv('PROJECT')
  local client_id = vim.lsp.start_client({
    name = 'typescript',
    cmd = { os.getenv('NODE'), os.getenv('CLI'), 'lsp-proxy', '--server-name', 'typescript', '--exporter', os.getenv('EXPORTER'), '--', os.getenv('TSLS'), '--stdio' },
    root_dir = project,
    on_exit = function(code) result.exit_code = code end,
  })
  assert(client_id, 'start_client failed')
  vim.cmd('edit ' .. project .. '/src/main.ts')
  local buf = vim.api.nvim_get_current_buf()
  vim.lsp.buf_attach_client(buf, client_id)
  local client = vim.lsp.get_client_by_id(client_id)
  assert(vim.wait(30000, function() return client.initialized end, 50), 'no initialize answer')
  step('initialized', true)

  -- Hover on `area` in `shape.area()`.
  local lines = vim.api.nvim_buf_get_lines(buf, 0, -1, false)
  local row, col
  for i, l in ipairs(lines) do
    local s = l:find('shape.area', 1, true)
    if s then row, col = i - 1, s + 6 end
  end
  local position = { textDocument = { uri = vim.uri_from_bufnr(buf) }, position = { line = row, character = col } }
  local hover = client.request_sync('textDocument/hover', position, 20000, buf)
  step('hover', hover and hover.result and hover.result.contents and hover.result.contents.value or vim.inspect(hover))

  local completion = client.request_sync('textDocument/completion', { textDocument = position.textDocument, position = { line = #lines - 1, character = 0 } }, 20000, buf)
  local items = completion and completion.result and (completion.result.items or completion.result) or {}
  step('completion_items', #items)

  -- An edit Neovim sends as an incremental didChange: a line with a type error.
  vim.api.nvim_buf_set_lines(buf, #lines, #lines, false, { "export const wrong: number = 'text';" })
  local got = vim.wait(45000, function() return #vim.diagnostic.get(buf) > 0 end, 100)
  local messages = {}
  for _, d in ipairs(vim.diagnostic.get(buf)) do messages[#messages + 1] = d.message end
  step('diagnostics', got and messages or {})
  -- Once tsserver has checked the project (the first hover may come before, and read `any`).
  local again = client.request_sync('textDocument/hover', position, 20000, buf)
  step('hover_checked', again and again.result and again.result.contents and again.result.contents.value or vim.inspect(again))

  vim.cmd('bdelete!')
  step('closed', true)
  vim.lsp.stop_client(client_id)
  assert(vim.wait(15000, function() return result.exit_code ~= nil end, 50), 'the proxy did not exit')
  step('stopped', true)
end)
if not ok then result.error = tostring(err) end
finish(ok and 0 or 1)
