"""``texlean check`` for CI and batches: discovery, include following, workers, formats.

The batch layer reads files; the analysis it drives stays pure.  Modules:
``discover`` (paths, folders, globs, excludes), ``includes`` (the include
commands of a text, pure), ``project`` (roots, the compiled sequence of a
document and its source map), ``runner`` (workers and limits), ``config``
(``texlean.toml`` / ``[tool.texlean]``), ``language`` (``--lang``) and
``formats`` (text, json, sarif, github).
"""
