"""texlean: a language server that makes LaTeX safe to open and carries it toward Lean 4."""

__version__ = "0.1.0"
