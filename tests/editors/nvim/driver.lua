-- Drives texlean in headless Neovim and writes what it saw as JSON to
-- $TEXLEAN_TEST_OUT; the Python test asserts on that file.
--
-- $TEXLEAN_TEST_SCENARIO:
--   full  the file given on the command line has security findings: wait for its
--         diagnostics; then open theorems.tex beside it, hover a theorem, ask for the
--         code actions inside it, resolve and apply "Formalize to Lean 4 (…)" and write
--         the .lean buffer the edit opened.
--   save  (initializationOptions diagnostics.trigger = "save") the file given is clean:
--         insert a \write18 line, check nothing is reported before :write, then :write
--         and wait for the SEC diagnostic.

local out_path = assert(os.getenv('TEXLEAN_TEST_OUT'), 'TEXLEAN_TEST_OUT not set')
local scenario = os.getenv('TEXLEAN_TEST_SCENARIO') or 'full'
local WAIT = tonumber(os.getenv('TEXLEAN_TEST_WAIT_MS') or '') or 15000

local seen = { scenario = scenario, nvim = tostring(vim.version().major) .. '.'
  .. tostring(vim.version().minor) .. '.' .. tostring(vim.version().patch),
  steps = {}, publishes = {} }

local started = vim.loop.hrtime()
local function step(name)
  table.insert(seen.steps, { name = name, ms = math.floor((vim.loop.hrtime() - started) / 1e6) })
end

-- Every publishDiagnostics, in order (uri, version, codes), before Neovim's own handler.
local default_publish = vim.lsp.handlers['textDocument/publishDiagnostics']
vim.lsp.handlers['textDocument/publishDiagnostics'] = function(err, result, ctx, config)
  if result ~= nil then
    local codes = {}
    for _, d in ipairs(result.diagnostics or {}) do
      table.insert(codes, d.code or vim.NIL)
    end
    table.insert(seen.publishes, { uri = result.uri, version = result.version or vim.NIL,
      codes = codes, t = vim.loop.hrtime() / 1e6 })
  end
  return default_publish(err, result, ctx, config)
end

local function write_out()
  local f = assert(io.open(out_path, 'w'))
  f:write(vim.fn.json_encode(seen))
  f:close()
end

local function wait_for(what, cond, ms)
  local ok = vim.wait(ms or WAIT, cond, 20)
  if not ok then
    error('timed out waiting for ' .. what, 0)
  end
end

local function texlean_client(bufnr)
  for _, client in pairs(vim.lsp.buf_get_clients(bufnr)) do
    if client.name == 'texlean' then
      return client
    end
  end
  return nil
end

local function attached(bufnr)
  wait_for('texlean to attach to ' .. vim.api.nvim_buf_get_name(bufnr), function()
    local c = texlean_client(bufnr)
    return c ~= nil and c.initialized == true
  end)
  return texlean_client(bufnr)
end

local function diagnostics(bufnr)
  local list = {}
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    table.insert(list, { code = d.code or vim.NIL, source = d.source or vim.NIL,
      message = d.message, severity = d.severity, lnum = d.lnum, col = d.col })
  end
  return list
end

local function has_code(bufnr, prefix)
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    if type(d.code) == 'string' and d.code:sub(1, #prefix) == prefix then
      return true
    end
  end
  return false
end

local function find_line(bufnr, needle)
  for i, line in ipairs(vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)) do
    if line:find(needle, 1, true) then
      return i - 1
    end
  end
  error('no line containing ' .. needle, 0)
end

local function markup_text(contents)
  if type(contents) == 'string' then
    return contents
  end
  if contents.value ~= nil then
    return contents.value
  end
  local parts = {}
  for _, c in ipairs(contents) do
    table.insert(parts, type(c) == 'string' and c or c.value)
  end
  return table.concat(parts, '\n')
end

-- The single response of texlean to a request sent to the buffer's clients.
local function request(bufnr, method, params)
  local responses, err = vim.lsp.buf_request_sync(bufnr, method, params, WAIT)
  if responses == nil then
    error(method .. ': ' .. tostring(err), 0)
  end
  local client = texlean_client(bufnr)
  local response = responses[client.id]
  if response == nil then
    error(method .. ': no response from texlean', 0)
  end
  if response.err ~= nil then
    error(method .. ': ' .. vim.inspect(response.err), 0)
  end
  return response.result
end

local function edited_uris(edit)
  local uris = {}
  for uri, _ in pairs(edit.changes or {}) do
    table.insert(uris, uri)
  end
  for _, change in ipairs(edit.documentChanges or {}) do
    local uri = change.uri or (change.textDocument and change.textDocument.uri)
    if uri ~= nil then
      table.insert(uris, uri)
    end
  end
  return uris
end

local function full()
  local bufnr = vim.api.nvim_get_current_buf()
  seen.dangerous_filetype = vim.bo[bufnr].filetype
  local client = attached(bufnr)
  step('attached')
  seen.offset_encoding = client.offset_encoding
  wait_for('diagnostics on ' .. vim.api.nvim_buf_get_name(bufnr), function()
    return has_code(bufnr, 'SEC')
  end)
  seen.dangerous = diagnostics(bufnr)
  step('diagnostics')

  local dir = vim.fn.fnamemodify(vim.api.nvim_buf_get_name(bufnr), ':p:h')
  vim.cmd('edit ' .. vim.fn.fnameescape(dir .. '/theorems.tex'))
  local tbuf = vim.api.nvim_get_current_buf()
  seen.theorems_filetype = vim.bo[tbuf].filetype
  client = attached(tbuf)
  step('attached theorems')
  local uri = vim.uri_from_bufnr(tbuf)
  local begin_line = find_line(tbuf, '\\begin{theorem}')

  local hover = request(tbuf, 'textDocument/hover', {
    textDocument = { uri = uri }, position = { line = begin_line, character = 3 } })
  seen.hover = hover ~= nil and markup_text(hover.contents) or vim.NIL
  step('hover')

  local inside = { line = begin_line + 3, character = 10 }
  local actions = request(tbuf, 'textDocument/codeAction', {
    textDocument = { uri = uri }, range = { start = inside, ['end'] = inside },
    context = { diagnostics = {} } }) or {}
  seen.actions = {}
  local chosen = nil
  for _, action in ipairs(actions) do
    table.insert(seen.actions, { title = action.title, kind = action.kind or vim.NIL,
      has_edit = action.edit ~= nil, has_data = action.data ~= nil })
    if chosen == nil and action.title:sub(1, #'Formalize to Lean 4') == 'Formalize to Lean 4' then
      chosen = action
    end
  end
  step('code actions')
  if chosen == nil then
    error('no "Formalize to Lean 4" action', 0)
  end
  if chosen.edit == nil then
    local resolved = client.request_sync('codeAction/resolve', chosen, WAIT, tbuf)
    if resolved == nil or resolved.err ~= nil then
      error('codeAction/resolve: ' .. vim.inspect(resolved), 0)
    end
    chosen = resolved.result
    seen.resolved = true
    step('resolved')
  end
  if chosen.edit == nil then
    error('the action has no edit after resolve', 0)
  end
  vim.lsp.util.apply_workspace_edit(chosen.edit, client.offset_encoding)
  step('applied')
  seen.edited = {}
  for _, edited in ipairs(edited_uris(chosen.edit)) do
    local path = vim.uri_to_fname(edited)
    local ebuf = vim.uri_to_bufnr(edited)
    local before = vim.fn.filereadable(path) == 1
    vim.api.nvim_buf_call(ebuf, function()
      vim.cmd('silent write')
    end)
    local f = io.open(path, 'r')
    local text = f and f:read('*a') or vim.NIL
    if f then
      f:close()
    end
    table.insert(seen.edited, { uri = edited, path = path, existed_before_write = before,
      text = text })
  end
  step('written')
end

local function on_save()
  local bufnr = vim.api.nvim_get_current_buf()
  local client = attached(bufnr)
  step('attached')
  local uri = vim.uri_from_bufnr(bufnr)
  wait_for('the first publish', function()
    for _, p in ipairs(seen.publishes) do
      if p.uri == uri then
        return true
      end
    end
    return false
  end)
  seen.codes_on_open = diagnostics(bufnr)
  step('opened')

  local at = find_line(bufnr, '\\begin{document}') + 1
  vim.api.nvim_buf_set_lines(bufnr, at, at, false, { '\\immediate\\write18{echo on save}' })
  -- With trigger = "save" the change is not analysed: give the server time to (not) report.
  vim.wait(1500, function()
    return has_code(bufnr, 'SEC')
  end, 20)
  seen.sec_before_save = has_code(bufnr, 'SEC')
  seen.publishes_before_save = #seen.publishes
  step('edited')

  local saved_at = vim.loop.hrtime() / 1e6
  vim.cmd('silent write')
  step('written')
  wait_for('diagnostics after :write', function()
    return has_code(bufnr, 'SEC')
  end)
  seen.after_save = diagnostics(bufnr)
  seen.save_to_diagnostics_ms = vim.loop.hrtime() / 1e6 - saved_at
  seen.client_id = client.id
  step('diagnostics after save')
end

vim.api.nvim_create_autocmd('VimEnter', {
  once = true,
  nested = true, -- so that :edit in here fires FileType (and the client attaches)
  callback = function()
    local ok, err = pcall(scenario == 'save' and on_save or full)
    seen.ok = ok
    if not ok then
      seen.error = tostring(err)
    end
    step('done')
    local wrote, werr = pcall(write_out)
    if not wrote then
      io.stderr:write('could not write ' .. out_path .. ': ' .. tostring(werr) .. '\n')
    end
    -- Stop the server cleanly (shutdown + exit) before leaving.
    vim.lsp.stop_client(vim.lsp.get_active_clients())
    vim.wait(3000, function()
      return #vim.lsp.get_active_clients() == 0
    end, 20)
    if ok and wrote then
      vim.cmd('qall!')
    else
      vim.cmd('cquit! 1')
    end
  end,
})
