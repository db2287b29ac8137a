"""The optional C extension ``texlean._speedups``, when it is built and not turned off.

``server/texlean/_speedups.c`` runs two hot loops of ``texlean check`` in C: the
prefilter's passes over a text (:func:`texlean.analysis.prefilter.scan_python` is
the reference) and the chunk boundaries of a document
(:func:`texlean.document.chunks.chunk_starts_python`).  Each name below is None
when the extension is not built (no C compiler where texlean was installed) or
``TEXLEAN_SPEEDUPS=0`` is set; the callers then run their Python reference.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence

scan: Callable[[str, bool], list[str] | None] | None = None
chunk_starts: Callable[[Sequence[str], int, int, int, int], list[int]] | None = None

if os.environ.get("TEXLEAN_SPEEDUPS", "1") != "0":
    try:
        from . import _speedups
    except ImportError:  # not built: the Python references run
        _speedups = None  # type: ignore[assignment]
    if _speedups is not None:
        scan = _speedups.scan
        chunk_starts = _speedups.chunk_starts
