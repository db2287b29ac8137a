"""End-to-end tests: the real texlean server over stdio, driven by pytest-lsp."""
