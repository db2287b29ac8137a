"""File names as TeX uses them: where a read or a write lands.

:func:`classify_read` and :func:`classify_write` take a file name after TeX's
expansion (what ``\\input``, ``\\openin``, ``\\openout``, ``\\includegraphics``…
end up opening) and say whether it is anything but an ordinary file of the
document's folder:

``pipe``
    a leading ``|`` (after quotes, braces and blanks): web2c runs the rest as a
    shell command (``command``) and reads or writes its output;
``sensitive``
    a file whose content must not end up in a PDF nor be replaced (the table
    ``[[paths.sensitive]]`` of ``grammars/security.toml``: ``/etc/passwd``,
    ``~/.ssh/…``, ``id_rsa`` anywhere, ``.env``…);
``home``
    under the user's home (``~``, ``$HOME``, ``%USERPROFILE%``);
``absolute``
    ``/…``, ``C:\\…``, ``\\\\server\\share`` or a path from another environment variable;
``parent``
    a relative path whose ``..`` climb above the document's folder (``levels``);
``dotfile``
    a component that starts with ``.`` (not ``./`` or ``../``): TeX Live's
    ``openout_any = p`` refuses to write those;
``source`` (writes only)
    a file that the next build, another program or the user's shell reads as
    code (``.tex``, ``.sty``, ``latexmkrc``, ``Makefile``…), with who reads it
    in ``reader``.

The first kind that applies wins, in that order; the ``detail`` of a write
names what the file is when it is known (``~/.bashrc`` is ``home`` with the
detail "shell start-up file").

How the name is read: double quotes are removed wherever they are (web2c
removes them, they only protect blanks); braces are removed; blanks around the
name are dropped; ``\\`` separates components like ``/`` (Windows); doubled
separators and ``./`` are ignored; ``file:`` and ``file://`` prefixes are
dropped (TeX does not know them, PDF readers and drivers do). ``//`` at the
start is a network share on Windows and the root on Linux: both are tried.
Matching is case-insensitive, as on Windows and macOS.

TeX adds ``.tex`` to the name of ``\\input`` when it has no extension; that does
not change where a read lands. ``\\openout`` adds ``.tex`` too, so a written
``notes`` is ``notes.tex``, read as TeX by whatever ``\\input`` s it: writes are
classified under the name TeX really creates (``tex_extension=False`` for
names that are used as they are, as Lua's ``io.open`` does).
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from urllib.parse import unquote

from ...tables import load
from .shell import printable

_TABLES = load("security")
_PATHS = _TABLES["paths"]
_LIMIT: int = int(_TABLES["limits"]["path"])
_SHOWN: int = int(_TABLES["limits"]["shown"])
_SEPARATORS = "/"
_BLANKS = " \t\r\n\f\v"


#: The kinds of :class:`PathVerdict`, in the order they are tried.
KINDS = ("pipe", "sensitive", "home", "absolute", "parent", "dotfile", "source")


@dataclass(frozen=True, slots=True)
class PathVerdict:
    """Where a file name lands, when that is not an ordinary file of the document's folder.

    ``kind`` is one of ``pipe``, ``sensitive``, ``home``, ``absolute``,
    ``parent``, ``dotfile``, ``source``; ``path`` is the name normalised and
    safe to show; ``detail`` a short description ("SSH private key");
    ``command`` the shell command of a pipe; ``levels`` how many folders a
    relative path climbs above the document's folder; ``reader`` who reads a
    written file as code ("latexmk", "the next LaTeX run").
    """

    kind: str
    path: str
    detail: str
    command: str = ""
    levels: int = 0
    reader: str = ""


# -- globs --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Glob:
    root: str  # "/", "~", "?:", "c:", "%name%" or "**" (anywhere)
    parts: tuple[str, ...]  # lower case; "**" for any number of components


@dataclass(frozen=True, slots=True)
class _Entry:
    globs: tuple[_Glob, ...]
    detail: str
    reader: str


def _glob(text: str) -> _Glob:
    text = text.lower()
    if text.startswith("**/"):
        return _Glob("**", tuple(p for p in text[3:].split("/") if p))
    if text.startswith("/"):
        return _Glob("/", tuple(p for p in text[1:].split("/") if p))
    head, _, rest = text.partition("/")
    return _Glob(head, tuple(p for p in rest.split("/") if p))


def _entries(table: list[dict[str, object]]) -> tuple[_Entry, ...]:
    out: list[_Entry] = []
    for entry in table:
        globs = entry.get("globs", ())
        assert isinstance(globs, list)
        out.append(
            _Entry(
                tuple(_glob(str(g)) for g in globs),
                str(entry["detail"]),
                str(entry.get("reader", "")),
            )
        )
    return tuple(out)


_SENSITIVE = _entries(_PATHS["sensitive"])
_SOURCE_NAMES = _entries(_PATHS["source_names"])
_SOURCE_EXTENSIONS: dict[str, tuple[str, str]] = {
    ext.lower(): (str(entry["detail"]), str(entry["reader"]))
    for entry in _PATHS["source_extensions"]
    for ext in entry["extensions"]
}
_HOME = tuple(sorted((h.lower() for h in _PATHS["home"]), key=len, reverse=True))
_URL_PREFIXES = tuple(sorted((u.lower() for u in _PATHS["url_prefixes"]), key=len, reverse=True))
_WILD = frozenset("*?[")


def _part_matches(part: str, pattern: str) -> bool:
    if _WILD.isdisjoint(pattern):
        return part == pattern
    return fnmatch.fnmatchcase(part, pattern)


def _parts_match(pattern: tuple[str, ...], parts: tuple[str, ...]) -> bool:
    """Whether ``parts`` match ``pattern`` component by component (``**``: any number)."""
    n = len(pattern)

    def closure(states: set[int]) -> set[int]:
        out = set(states)
        for i in sorted(states):
            j = i
            while j < n and pattern[j] == "**":
                j += 1
                out.add(j)
        return out

    states = closure({0})
    for part in parts:
        nxt: set[int] = set()
        for i in states:
            if i >= n:
                continue
            if pattern[i] == "**":
                nxt.add(i)
            elif _part_matches(part, pattern[i]):
                nxt.add(i + 1)
        if not nxt:
            return False
        states = closure(nxt)
    return n in states


# -- reading a name ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Path:
    root: str  # "" relative, "/", "//" (share), "~", "c:", "%name%", "$name"
    root_shown: str
    written: tuple[str, ...]  # components as written, "." and empty ones left out
    parts: tuple[str, ...]  # components after ".." is resolved
    levels: int  # how far a relative path climbs above its folder


def _strip_url(text: str) -> str:
    low = text[:20].lower()
    for prefix in _URL_PREFIXES:
        if low.startswith(prefix):
            rest = unquote(text[len(prefix) :])
            if prefix == "file://" and not rest.startswith("/"):
                return "//" + rest  # file://server/share
            return rest
    return text


def _clean(text: str) -> str:
    text = text[:_LIMIT].replace('"', "").replace("{", "").replace("}", "")
    return text.strip(_BLANKS)


def _split_root(text: str) -> tuple[str, str, str]:
    """(root, how the root is written, the rest) of a name whose separators are ``/``."""
    low = text.lower()
    for home in _HOME:
        if low.startswith(home) and (len(text) == len(home) or text[len(home)] == "/"):
            return "~", text[: len(home)], text[len(home) :]
    if text.startswith("~"):  # ~user
        user, _, rest = text.partition("/")
        return "~", user, "/" + rest if rest else ""
    if text.startswith("%"):
        end = text.find("%", 1)
        if end > 1:
            return low[: end + 1], text[: end + 1], text[end + 1 :]
    if text.startswith("$"):
        name, _, rest = text.partition("/")
        if len(name) > 1:
            return "$" + name.strip("${}").lower(), name, "/" + rest if rest else ""
    if text.startswith("//") and not text.startswith("///"):
        return "//", "//", text[2:]
    if text.startswith("/"):
        return "/", "/", text
    if len(text) >= 2 and text[1] == ":" and text[0].isascii() and text[0].isalpha():
        return low[:2], text[:2].upper(), text[2:]
    return "", "", text


def _is_letter(c: str) -> bool:
    return c.isascii() and (c.isalpha() or c == "@")


def _unexpanded_control_word(text: str) -> str:
    """``\\jobname.aux`` read as the relative name it stands for.

    A leading backslash followed by letters and then not by a separator is a
    control word the caller could not expand (``\\jobname``), not the root of
    a Windows drive (``\\Windows\\x``).
    """
    if not (text.startswith("\\") and len(text) > 1 and _is_letter(text[1])):
        return text
    j = 1
    while j < len(text) and _is_letter(text[j]):
        j += 1
    if j < len(text) and text[j] in "\\/":
        return text
    return text[1:]


def _parse(text: str) -> _Path:
    text = _unexpanded_control_word(_strip_url(text)).replace("\\", "/")
    root, root_shown, rest = _split_root(text)
    written = tuple(p for p in rest.split("/") if p and p != ".")
    stack: list[str] = []
    levels = 0
    for part in written:
        if part != "..":
            stack.append(part)
        elif stack:
            stack.pop()
        elif not root:
            levels += 1
    return _Path(root, root_shown, written, tuple(stack), levels)


def _shown(p: _Path) -> str:
    body = "/".join(p.parts)
    if not p.root:
        text = "../" * p.levels + body
        return printable(text.rstrip("/") or ".", _SHOWN)
    root = p.root_shown
    if root not in ("/", "//"):
        root += "/"
    return printable(root + body, _SHOWN)


# -- matching the tables --------------------------------------------------------------------


def _glob_matches(glob: _Glob, p: _Path, parts: tuple[str, ...]) -> bool:
    if glob.root == "**":
        return _parts_match(("**", *glob.parts), parts)
    if glob.root == "/":
        # A share (//x) is the root on Linux; a relative path that climbs may reach it.
        if not (p.root in ("/", "//") or (not p.root and p.levels)):
            return False
    elif glob.root == "?:":
        if not (len(p.root) == 2 and p.root[1] == ":"):
            return False
    elif glob.root != p.root:
        return False
    return _parts_match(glob.parts, parts)


def _lookup(entries: tuple[_Entry, ...], p: _Path) -> _Entry | None:
    parts = tuple(part.lower() for part in p.parts)
    for entry in entries:
        if any(_glob_matches(g, p, parts) for g in entry.globs):
            return entry
    return None


def _has_dotfile(p: _Path) -> bool:
    for i, part in enumerate(p.written):
        if part.startswith(".") and part != "..":
            last = i == len(p.written) - 1
            if not (last and part.lower() == ".tex"):  # kpathsea lets ".tex" through
                return True
    return False


def _source_detail(p: _Path) -> tuple[str, str] | None:
    """(detail, reader) of a file read as code, from its name or its extension."""
    entry = _lookup(_SOURCE_NAMES, p)
    if entry is not None:
        return entry.detail, entry.reader
    if not p.parts:
        return None
    name = p.parts[-1].rstrip(". ").lower()  # Windows drops trailing dots and blanks
    _, dot, ext = name.rpartition(".")
    if dot and ext in _SOURCE_EXTENSIONS:
        return _SOURCE_EXTENSIONS[ext]
    return None


def _with_tex_extension(p: _Path) -> _Path:
    """The path \\openout really creates: ``.tex`` added to a name without extension."""
    if not p.parts or "." in p.parts[-1]:
        return p
    last = p.parts[-1] + ".tex"
    return _Path(p.root, p.root_shown, (*p.written[:-1], last), (*p.parts[:-1], last), p.levels)


# -- the verdicts ------------------------------------------------------------------------------


def _pipe(text: str) -> PathVerdict | None:
    if not text.startswith("|"):
        return None
    command = text[1:].strip(_BLANKS)
    return PathVerdict("pipe", printable("|" + command, _SHOWN), "shell command", command=command)


def _place(p: _Path) -> tuple[str, str] | None:
    """(kind, generic detail) of a path outside the folder or hidden, or None."""
    if p.root == "~":
        return "home", "in the home folder"
    if p.root == "//":
        return "absolute", "a network share (Windows) or the root folder"
    if p.root.startswith(("$", "%")):
        return "absolute", f"a folder named by the environment variable {p.root_shown}"
    if p.root:
        return "absolute", "an absolute path"
    if p.levels:
        above = "folder" if p.levels == 1 else "folders"
        return "parent", f"{p.levels} {above} above the document's folder"
    if _has_dotfile(p):
        return "dotfile", "a hidden file (dotfile)"
    return None


def _classify(text: str, *, write: bool, tex_extension: bool) -> PathVerdict | None:
    text = _clean(text)
    if not text:
        return None
    pipe = _pipe(text)
    if pipe is not None:
        return pipe
    p = _parse(text)
    if write and tex_extension:
        p = _with_tex_extension(p)
    sensitive = _lookup(_SENSITIVE, p)
    if sensitive is not None:
        return PathVerdict("sensitive", _shown(p), sensitive.detail, levels=p.levels)
    source = _source_detail(p) if write else None
    place = _place(p)
    if place is not None:
        kind, detail = place
        reader = ""
        if source is not None:
            detail, reader = source
        return PathVerdict(kind, _shown(p), detail, levels=p.levels, reader=reader)
    if source is not None:
        return PathVerdict("source", _shown(p), source[0], reader=source[1])
    return None


def classify_read(path: str) -> PathVerdict | None:
    """Where reading ``path`` lands; None for an ordinary file of the document's folder."""
    return _classify(path, write=False, tex_extension=False)


def classify_write(path: str, *, tex_extension: bool = True) -> PathVerdict | None:
    """Where writing ``path`` lands; None for an ordinary file of the document's folder.

    With ``tex_extension`` (the default, as ``\\openout`` and ``filecontents``
    do) a name without extension is taken with the ``.tex`` TeX adds.
    """
    return _classify(path, write=True, tex_extension=tex_extension)


def is_outside(path: str) -> bool:
    """Whether ``path`` names a file outside the document's folder (not a pipe)."""
    text = _clean(path)
    if not text or text.startswith("|"):
        return False
    p = _parse(text)
    return bool(p.root) or p.levels > 0
