"""The include commands of a text, as written (pure: no file is read here).

Only literal names are followed: ``\\input{chapter}``, ``\\input chapter``,
``\\include{…}``, ``\\subfile{…}``, ``\\InputIfFileExists{…}``,
``\\import{dir}{file}`` and ``\\subimport{dir}{file}``.  A name computed by
macros (``\\input{\\jobname}``), a pipe (``\\input|"cmd"``) or a parameter
(``#1`` inside a definition) is not a file to follow; the analysis reports
what is dangerous about it.  Commands in comments and verbatim-like
environments are skipped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

_COMMAND = re.compile(
    r"\\(?P<cs>input|include|subfile|InputIfFileExists|import|subimport|subinputfrom"
    r"|inputfrom|subincludefrom|includefrom)(?![A-Za-z@])"
)
_SPACE = re.compile(r"[ \t]*")
_GROUP = re.compile(r"\{([^{}\n%]*)\}")
_BARE = re.compile(r"[ \t]+([A-Za-z0-9_./\-]+)")
_VERBATIM = re.compile(
    r"\\begin\{(verbatim\*?|Verbatim\*?|lstlisting|minted|comment|filecontents\*?)\}"
    r"(?P<body>.*?)\\end\{\1\}",
    re.DOTALL,
)
_HINT = ("\\input", "\\include", "\\subfile", "\\InputIfFileExists", "\\import", "\\subimport")
_TWO_ARGS = {"import", "subimport", "inputfrom", "subinputfrom", "includefrom", "subincludefrom"}


@dataclass(frozen=True, slots=True)
class Include:
    """One include command: where it is (0-based line, code-point columns, end
    exclusive) and what it names."""

    command: str  # input, include, subfile, InputIfFileExists, import, subimport
    line: int
    col: int
    end_col: int
    target: str  # the file name as written
    directory: str = ""  # \import's first argument
    start: int = 0  # offsets in the text: where the command starts, where it ends
    end: int = 0

    @property
    def conditional(self) -> bool:
        """A missing file is not worth a note (``\\InputIfFileExists``)."""
        return self.command == "InputIfFileExists"

    @property
    def relative_to_includer(self) -> bool:
        """``\\subimport`` and friends name their folder relative to the including file."""
        return self.command.startswith("sub") and self.command != "subfile"

    @property
    def adds_tex(self) -> bool:
        """``\\include`` always appends ``.tex``."""
        return self.command in ("include", "includefrom", "subincludefrom")

    @property
    def written(self) -> str:
        return (
            f"\\{self.command}{{{self.directory}}}{{{self.target}}}"
            if self.directory
            else (f"\\{self.command}{{{self.target}}}")
        )


def _comment_start(line: str) -> int:
    """Where the comment of ``line`` starts (its length when it has none)."""
    i = line.find("%")
    while i >= 0:
        backslashes = 0
        j = i - 1
        while j >= 0 and line[j] == "\\":
            backslashes += 1
            j -= 1
        if backslashes % 2 == 0:
            return i
        i = line.find("%", i + 1)
    return len(line)


def _followable(name: str) -> bool:
    name = name.strip()
    return bool(name) and not any(c in name for c in "\\#|$^~\"'") and "\x00" not in name


@lru_cache(maxsize=256)
def scan(text: str) -> tuple[Include, ...]:
    """The include commands of ``text`` in document order (memoised: a batch asks
    once to find the roots and again to splice them; a text's hash is computed once)."""
    return tuple(_scan(text))


def _scan(text: str) -> list[Include]:
    if not any(hint in text for hint in _HINT):
        return []
    hidden: list[tuple[int, int]] = [m.span("body") for m in _VERBATIM.finditer(text)]
    out: list[Include] = []
    line, counted = 0, 0  # newlines before offset `counted`
    for m in _COMMAND.finditer(text):
        start = m.start()
        if any(a <= start < b for a, b in hidden):
            continue
        line += text.count("\n", counted, start)
        counted = start
        line_start = text.rfind("\n", 0, start) + 1
        line_text_end = text.find("\n", start)
        line_text = text[line_start : line_text_end if line_text_end >= 0 else len(text)]
        col = start - line_start
        if _comment_start(line_text) < col:
            continue
        cs = m.group("cs")
        pos = m.end()
        directory = ""
        if cs in _TWO_ARGS:
            pos = _SPACE.match(text, pos).end()  # type: ignore[union-attr]
            first = _GROUP.match(text, pos)
            if first is None:
                continue
            directory = first.group(1).strip()
            pos = first.end()
        pos = _SPACE.match(text, pos).end()  # type: ignore[union-attr]
        group = _GROUP.match(text, pos)
        if group is not None:
            target, end = group.group(1).strip(), group.end()
        elif cs == "input" and not directory:
            bare = _BARE.match(text, m.end())
            if bare is None:
                continue
            target, end = bare.group(1), bare.end()
        else:
            continue
        if not _followable(target) or (directory and not _followable(directory)):
            continue
        out.append(Include(cs, line, col, col + (end - start), target, directory, start, end))
    return out
