"""Documents as they would be compiled: roots, included files spliced in, a source map.

For every root document the batch builds the *compiled sequence*: the root's
text with each included file's text spliced in right after the include
command, so that what the preamble defines (``\\let\\x\\write``) is known in
the chapters.  A :class:`SourceMap` takes every position of that sequence
back to the file and line it came from.

Following is bounded: never outside the project root (symlinks resolved),
never a file already on the include stack (loops), at most ``MAX_DEPTH``
levels and ``max_bytes`` in all.  An include that is not followed becomes a
note (rule SEC901) at the include command, never an error.
"""

from __future__ import annotations

import bisect
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from .. import messages
from ..analysis.findings import Finding, Span
from . import includes

MAX_DEPTH = 16  # TeX itself allows about 15 open input files
ROOT_MARKERS = (".git", "latexmkrc", ".latexmkrc")
_SUBFILE_BODY = ("\\begin{document}", "\\end{document}")


_REAL: dict[Path, Path] = {}


def real(path: Path) -> Path:
    """``path.resolve()``, memoised for one batch (:func:`forget_paths` starts
    afresh): a batch resolves the same few files hundreds of times."""
    found = _REAL.get(path)
    if found is None:
        if len(_REAL) >= 65536:
            _REAL.clear()
        found = _REAL[path] = path.resolve()
    return found


def forget_paths() -> None:
    _REAL.clear()


def find_root(path: Path) -> Path:
    """The project root of ``path``: the nearest folder holding ``.git`` or a
    ``latexmkrc``/``.latexmkrc``, else the file's own folder."""
    start = real(path).parent
    for folder in (start, *start.parents):
        if any((folder / marker).exists() for marker in ROOT_MARKERS):
            return folder
    return start


@dataclass(frozen=True, slots=True)
class Segment:
    """Compiled lines from ``line`` on come from ``file`` from ``file_line`` on;
    the first of them starts at column ``col`` of that file line."""

    line: int
    file: int
    file_line: int
    col: int


@dataclass
class SourceMap:
    files: list[Path] = field(default_factory=list)
    segments: list[Segment] = field(default_factory=list)
    _starts: list[int] = field(default_factory=list)

    def add(self, segment: Segment) -> None:
        if self.segments and self.segments[-1].line == segment.line:
            self.segments[-1] = segment
            self._starts[-1] = segment.line
        else:
            self.segments.append(segment)
            self._starts.append(segment.line)

    def locate(self, line: int, col: int) -> tuple[int, int, int]:
        """(file index, file line, file column) of a compiled position."""
        i = max(bisect.bisect_right(self._starts, line) - 1, 0)
        seg = self.segments[i]
        return (
            seg.file,
            seg.file_line + (line - seg.line),
            col + (seg.col if line == seg.line else 0),
        )

    def map_span(self, span: Span) -> tuple[int, Span]:
        f, line, col = self.locate(span.line, span.col)
        f2, end_line, end_col = self.locate(span.end_line, span.end_col)
        if f2 != f or (end_line, end_col) < (line, col):
            end_line, end_col = line, col  # ends in another file: keep the start
        return f, Span(line, col, end_line, end_col)


@dataclass
class Unit:
    """A root document with its includes spliced in: what one worker analyses."""

    name: str  # the root's display name
    text: str
    source: SourceMap
    notes: list[tuple[int, Finding]] = field(default_factory=list)  # (file index, note)
    names: list[str] = field(default_factory=list)  # display name per file index


class _At(NamedTuple):
    """A position in a file: line and column (for the source map) and offset."""

    line: int
    col: int
    offset: int


def _position(text: str, offset: int) -> _At:
    line = text.count("\n", 0, offset)
    return _At(line, offset - (text.rfind("\n", 0, offset) + 1), offset)


_LINE_END = re.compile(r"\r\n|\r|\n")


def _subfile_body(text: str) -> tuple[_At, _At] | None:
    """Where the body of a ``subfiles`` document starts and ends (what
    ``\\subfile`` reads of it), or None when it has no document environment."""
    begin = text.find(_SUBFILE_BODY[0])
    end = text.rfind(_SUBFILE_BODY[1])
    if begin < 0 or end < begin:
        return None
    return _position(text, begin + len(_SUBFILE_BODY[0])), _position(text, end)


Read = Callable[[Path], "tuple[str | None, str | None]"]


class Builder:
    """Splices the includes of one root into one text.

    ``read`` gives a file's text, or None and why not (unreadable, too large);
    ``display`` the name a file is reported under.
    """

    def __init__(
        self, root: Path, read: Read, max_bytes: int, display: Callable[[Path], str]
    ) -> None:
        self.root = root.resolve()
        self.read = read
        self.max_bytes = max_bytes
        self.display = display
        self.included: set[Path] = set()  # every file spliced into some unit (resolved)

    # -- resolution ------------------------------------------------------------------------

    def resolve(self, inc: includes.Include, includer: Path, main_dir: Path) -> Path | None:
        """The file an include names (TeX tries NAME.tex before NAME), or None."""
        if inc.directory:
            d = Path(inc.directory)
            anchor = includer.parent if inc.relative_to_includer else main_dir
            bases = [d if d.is_absolute() else anchor / d]
        else:
            bases = [main_dir, includer.parent]
        target = Path(inc.target)
        for base in dict.fromkeys(bases):
            candidate = target if target.is_absolute() else base / target
            options = [candidate.with_name(candidate.name + ".tex")]
            if not inc.adds_tex:
                options.append(candidate)
            for option in options:
                if option.is_file():
                    return option
        return None

    def inside(self, path: Path) -> bool:
        try:
            path.relative_to(self.root)
        except ValueError:
            return False
        return True

    def targets(self, path: Path, text: str) -> Iterable[Path]:
        """The files ``path`` includes directly that would be followed (resolved)."""
        for inc in includes.scan(text):
            target = self.resolve(inc, path, path.parent)
            if target is not None:
                resolved = real(target)
                if self.inside(resolved):
                    yield resolved

    # -- splicing --------------------------------------------------------------------------

    def build(self, path: Path, text: str, name: str) -> Unit:
        return _Splice(self, path, text, name).unit


class _Splice:
    def __init__(self, builder: Builder, path: Path, text: str, name: str) -> None:
        self.b = builder
        self.unit = Unit(name, "", SourceMap())
        self.pieces: list[str] = []
        self.line = 0  # compiled lines completed
        self.at_line_start = True
        self.size = len(text)
        self.index: dict[Path, int] = {}
        self.main_dir = path.parent
        resolved = real(path)
        self.walk(path, resolved, text, None, [resolved], 0, name)
        self.unit.text = "".join(self.pieces)

    def file_index(self, resolved: Path, name: str) -> int:
        if resolved not in self.index:
            self.index[resolved] = len(self.unit.source.files)
            self.unit.source.files.append(resolved)
            self.unit.names.append(name)
        return self.index[resolved]

    def note(self, f: int, inc: includes.Include, reason: str) -> None:
        span = Span(inc.line, inc.col, inc.line, inc.end_col)
        params = (("what", inc.written), ("reason", reason))
        self.unit.notes.append((f, Finding("SEC901", span, params)))

    def copy(self, f: int, text: str, start: _At, stop: int) -> None:
        """The text of file ``f`` from ``start`` to offset ``stop`` (exclusive): one
        slice, however long the stretch without includes."""
        if start.offset >= stop:
            return
        if self.at_line_start:
            self.unit.source.add(Segment(self.line, f, start.line, start.col))
        piece = text[start.offset : stop]
        self.pieces.append(piece)
        # the line ends LSP knows (as split_lines): \r\n, \r, \n
        self.line += piece.count("\n")
        if "\r" in piece:
            self.line += piece.count("\r") - piece.count("\r\n")
        self.at_line_start = piece.endswith(("\n", "\r"))

    def break_line(self) -> None:
        if not self.at_line_start:
            self.pieces.append("\n")
            self.line += 1
            self.at_line_start = True

    def walk(
        self,
        path: Path,
        resolved: Path,
        text: str,
        body: tuple[_At, _At] | None,
        stack: list[Path],
        depth: int,
        name: str,
    ) -> None:
        f = self.file_index(resolved, name)
        pos, end = body or (_At(0, 0, 0), _At(-1, -1, len(text)))
        for inc in includes.scan(text):
            if inc.start < pos.offset or inc.end > end.offset:
                continue
            target = self.b.resolve(inc, path, self.main_dir)
            if target is None:
                if not inc.conditional:
                    self.note(f, inc, messages.render("frag-no-such-file"))
                continue
            child = real(target)
            if not self.b.inside(child):
                self.note(f, inc, messages.render("frag-outside-root", {"root": str(self.b.root)}))
                continue
            if child in stack:
                self.note(f, inc, messages.render("frag-include-loop"))
                continue
            if depth + 1 > MAX_DEPTH:
                self.note(f, inc, messages.render("frag-nested-deep", {"depth": str(MAX_DEPTH)}))
                continue
            sub, why = self.b.read(target)
            if sub is None:
                self.note(f, inc, why or messages.render("frag-cannot-read"))
                continue
            if self.size + len(sub) > self.b.max_bytes:
                limit = f"{self.b.max_bytes:,}"
                self.note(f, inc, messages.render("frag-includes-too-large", {"limit": limit}))
                continue
            self.size += len(sub)
            self.b.included.add(child)
            self.copy(f, text, pos, inc.end)
            self.break_line()
            sub_body = _subfile_body(sub) if inc.command == "subfile" else None
            self.walk(
                target, child, sub, sub_body, [*stack, child], depth + 1, self.b.display(target)
            )
            self.break_line()
            pos = _At(inc.line, inc.end_col, inc.end)
            line_end = _LINE_END.search(text, inc.end)
            if (
                line_end is not None
                and not text[inc.end : line_end.start()].strip()
                and line_end.end() <= end.offset
            ):
                pos = _At(inc.line + 1, 0, line_end.end())  # the include's line holds nothing more
        self.copy(f, text, pos, end.offset)


def display_name(path: Path, given: dict[Path, str]) -> str:
    """How a file is named in reports: as given on the command line, else relative
    to the working directory when below it, else absolute."""
    resolved = real(path)
    if resolved in given:
        return given[resolved]
    try:
        return os.path.relpath(resolved) if resolved.is_relative_to(Path.cwd()) else str(resolved)
    except ValueError:
        return str(resolved)
