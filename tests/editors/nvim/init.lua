-- texlean in Neovim 0.7 (Debian 12's version), set up by the README's "Neovim 0.7"
-- snippet, followed by the test driver (driver.lua) that exercises it headless.
--
-- Run by tests/editors/test_neovim.py as
--   nvim --headless -n -i NONE -u tests/editors/nvim/init.lua FILE.tex
-- with the environment:
--   TEXLEAN_CONFIG  the README's snippet as the test adapted it (a Lua file)
--   TEXLEAN_TEST_*  what driver.lua does and where it writes what it saw

-- The README's "Neovim 0.7" snippet, taken from README.md by the test with the
-- executable's absolute path (and, for the on-save test, the README's on-save
-- init_options) put in.
dofile(assert(os.getenv('TEXLEAN_CONFIG'), 'TEXLEAN_CONFIG not set'))

vim.cmd('filetype on')

local here = debug.getinfo(1, 'S').source:sub(2):match('(.*/)') or './'
dofile(here .. 'driver.lua')
