-- texlean in Neovim 0.7 (Debian 12's version), as the README's "Neovim 0.7" snippet
-- sets it up, followed by the test driver (driver.lua) that exercises it headless.
--
-- Run by tests/editors/test_neovim.py as
--   nvim --headless -n -i NONE -u tests/editors/nvim/init.lua FILE.tex
-- with the environment:
--   TEXLEAN_SERVER        absolute path of the texlean executable (the README says 'texlean')
--   TEXLEAN_INIT_OPTIONS  JSON of the initializationOptions (the README writes a Lua table)
--   TEXLEAN_TEST_*        what driver.lua does and where it writes what it saw

local server = os.getenv('TEXLEAN_SERVER') or 'texlean'
local init_options = { diagnostics = { trigger = 'change', debounceMs = 150 } }
if (os.getenv('TEXLEAN_INIT_OPTIONS') or '') ~= '' then
  init_options = vim.fn.json_decode(os.getenv('TEXLEAN_INIT_OPTIONS'))
end

-- ---- the README's Neovim 0.7 configuration -------------------------------------
local texlean_client_id = nil
vim.api.nvim_create_autocmd('FileType', {
  pattern = { 'tex', 'plaintex', 'latex' },
  callback = function(args)
    if texlean_client_id == nil or vim.lsp.get_client_by_id(texlean_client_id) == nil then
      local root = vim.fn.fnamemodify(vim.api.nvim_buf_get_name(args.buf), ':p:h')
      texlean_client_id = vim.lsp.start_client({
        name = 'texlean',
        cmd = { server, 'serve' },
        root_dir = root,
        init_options = init_options,
        flags = { debounce_text_changes = 0 },
      })
    end
    vim.lsp.buf_attach_client(args.buf, texlean_client_id)
  end,
})
-- ---------------------------------------------------------------------------------

vim.cmd('filetype on')

local here = debug.getinfo(1, 'S').source:sub(2):match('(.*/)') or './'
dofile(here .. 'driver.lua')
