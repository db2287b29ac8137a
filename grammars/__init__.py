"""Declarative tables texlean reads (shipped inside the package as texlean.grammars)."""
