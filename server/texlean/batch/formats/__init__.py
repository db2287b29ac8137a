"""Output formats of ``texlean check``: text, json, sarif, github."""
