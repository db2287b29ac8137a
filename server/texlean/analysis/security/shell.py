"""Shell commands as TeX hands them to the shell (``\\write18``, pipe input and output).

* :func:`program_of` — the program a command line runs first, past the words
  that only set up how it runs (``A=1``, ``exec``, ``sudo -u root``, ``env``,
  ``nice -n 5``, redirections) and its folder (``/usr/bin/curl`` is ``curl``).
* :func:`restricted_command` and :func:`restricted_allowed` — what TeX Live's
  restricted shell escape (``shell_escape = p``, the default) does with a
  command. They reproduce web2c's ``shell_cmd_is_allowed`` (``lib/texmfmp.c``):

  1. the program is the first word of the command, up to the first blank
     (C's ``isspace``: space, tab, newline, vertical tab, form feed, carriage
     return), compared *exactly* with the names of ``shell_escape_commands``:
     ``/usr/bin/kpsewhich``, ``A=1 kpsewhich`` or ``kpsewhich;rm`` are not
     ``kpsewhich``, so they are refused;
  2. a ``'`` anywhere after the program refuses the whole command ("quotation
     error"), and so does an unbalanced ``"`` or a ``"…"`` followed by
     anything but a blank;
  3. otherwise every argument is wrapped in single quotes (a ``"…"`` becomes
     ``'…'``) and that line goes to ``/bin/sh``. Inside single quotes ``;``,
     ``|``, ``&&``, ``$(…)``, backticks and redirections are plain characters,
     so a listed program cannot chain another command: ``bibtex x; rm -rf ~``
     runs ``bibtex 'x;' 'rm' '-rf' '~'``.

  A command whose program is not in the list is refused whatever it contains,
  metacharacters included. This is the Unix behaviour; on Windows web2c quotes
  with ``"`` and runs the program from TeX's own folder, which this module does
  not model.
* :func:`describe` and :func:`printable` — a command or any text made safe to
  show in a message: one line, control and format characters (bidirectional
  overrides, zero-width characters) escaped, cut to a bounded length.
* :func:`shell_escape_package` and :func:`shell_escape_command` — packages and
  commands that make LaTeX run programs, with how much shell escape they need.

The tables live in ``grammars/security.toml`` (``[shell]``).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from ...tables import load

_TABLES = load("security")
_LIMITS = _TABLES["limits"]
_COMMAND_LIMIT: int = int(_LIMITS["command"])
_SHOWN: int = int(_LIMITS["shown"])

#: TeX Live's ``shell_escape_commands`` (texmf.cnf of TeX Live 2022).
RESTRICTED_COMMANDS: frozenset[str] = frozenset(_TABLES["shell"]["restricted_commands"])

_C_SPACE = frozenset(" \t\n\v\f\r")  # C's isspace in the "C" locale
_SHELL_BLANK = frozenset(" \t")
_SEPARATORS = frozenset(";&|\n")
_REDIRECTS = frozenset("<>")
_META = _SEPARATORS | _REDIRECTS | frozenset("()")
_SKIPPED_KEYWORDS = frozenset({"!", "{", "}", "if", "then", "else", "elif", "do", "while", "until"})
_MAX_WORDS = 64


@dataclass(frozen=True, slots=True)
class _Wrapper:
    options_with_argument: frozenset[str]
    positional: int


_WRAPPERS: dict[str, _Wrapper] = {
    name: _Wrapper(frozenset(spec.get("options_with_argument", ())), int(spec.get("positional", 0)))
    for name, spec in _TABLES["shell"]["wrappers"].items()
}


@dataclass(frozen=True, slots=True)
class ShellEscapeUse:
    """A package or command that makes LaTeX run programs.

    ``need`` is ``"enabled"`` (it needs ``-shell-escape``), ``"restricted"``
    (TeX Live's default restricted mode is enough: what it runs is in
    :data:`RESTRICTED_COMMANDS`) or ``"build"`` (no shell escape: a separate
    step of the build runs code from the document).
    """

    name: str
    need: str
    reason: str


def _uses(table: dict[str, dict[str, str]]) -> dict[str, ShellEscapeUse]:
    return {
        name: ShellEscapeUse(name, str(spec["need"]), str(spec["reason"]))
        for name, spec in table.items()
    }


_PACKAGES = _uses(_TABLES["shell"]["packages"])
_COMMANDS = _uses(_TABLES["shell"]["commands"])


# -- showing text -----------------------------------------------------------------------


def _escape_char(c: str) -> str:
    code = ord(c)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str, limit: int = _SHOWN) -> str:
    """``text`` made safe to show on one line.

    Runs of ASCII blanks and line ends become one space; control characters,
    format characters (bidirectional overrides, zero-width joiners), other
    spaces and separators (no-break space, U+2028) and unassigned code points
    are shown as ``\\xNN`` / ``\\uNNNN``; the result is
    at most ``limit`` characters, ``…`` marking a cut.
    """
    limit = max(limit, 1)
    out: list[str] = []
    size = 0
    pending_space = False
    for c in text[: limit * 4 + 16]:
        if c in _C_SPACE:
            pending_space = size > 0
            continue
        piece = _escape_char(c) if unicodedata.category(c)[0] in "CZ" else c
        if pending_space:
            piece = " " + piece
            pending_space = False
        if size + len(piece) > limit:
            return "".join(out)[: limit - 1] + "…"
        out.append(piece)
        size += len(piece)
    shown = "".join(out)
    if len(text) > limit * 4 + 16:
        return shown[: limit - 1] + "…"
    return shown


def describe(command: str) -> str:
    """A short, safe-to-display form of a shell command (see :func:`printable`)."""
    return printable(command.strip(), _SHOWN)


# -- the program a command runs --------------------------------------------------------


class _WordReader:
    """The words of a shell command line, quotes removed, one at a time."""

    __slots__ = ("i", "n", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self.i = 0
        self.n = len(text)

    def _skip_blanks(self) -> None:
        while self.i < self.n and self.text[self.i] in _SHELL_BLANK:
            self.i += 1

    def next(self) -> tuple[str, str] | None:
        """The next item: ``("word", text)``, ``("sep", c)``, ``("redir", op)``, or None at the end."""
        self._skip_blanks()
        if self.i >= self.n:
            return None
        c = self.text[self.i]
        if c in _SEPARATORS or c in "()":
            self.i += 1
            return ("sep", c)
        if c in _REDIRECTS:
            start = self.i
            while self.i < self.n and self.text[self.i] in "<>&|":
                self.i += 1
            return ("redir", self.text[start : self.i])
        word = self._word()
        if word.isdigit() and self.i < self.n and self.text[self.i] in _REDIRECTS:
            return self.next()  # 2>file: the digits name a descriptor
        return ("word", word)

    def _word(self) -> str:
        out: list[str] = []
        text, n = self.text, self.n
        # C:\\x or \\\\server\\x: a Windows path, whose backslashes are separators
        windows = text.startswith(":\\", self.i + 1) or text.startswith("\\\\", self.i)
        while self.i < n:
            c = text[self.i]
            if c in _SHELL_BLANK or c in _META:
                break
            if c == "\\" and not windows:
                out.append(text[self.i + 1 : self.i + 2])
                self.i += 2
            elif c == "'":
                end = text.find("'", self.i + 1)
                end = n if end < 0 else end
                out.append(text[self.i + 1 : end])
                self.i = end + 1
            elif c == '"':
                self.i += 1
                while self.i < n and text[self.i] != '"':
                    if text[self.i] == "\\" and self.i + 1 < n and text[self.i + 1] in '"\\$`':
                        self.i += 1
                    out.append(text[self.i])
                    self.i += 1
                self.i += 1
            elif c == "$" and text.startswith("$(", self.i):
                out.append(self._balanced("(", ")", 1))
            elif c == "`":
                end = text.find("`", self.i + 1)
                end = n - 1 if end < 0 else end
                out.append(text[self.i : end + 1])
                self.i = end + 1
            else:
                out.append(c)
                self.i += 1
        return "".join(out)

    def _balanced(self, open_: str, close: str, skip: int) -> str:
        start = self.i
        self.i += skip
        depth = 0
        while self.i < self.n:
            c = self.text[self.i]
            self.i += 1
            if c == open_:
                depth += 1
            elif c == close:
                depth -= 1
                if depth <= 0:
                    break
        return self.text[start : self.i]


def _basename(word: str) -> str:
    base = word.replace("\\", "/").rsplit("/", 1)[-1]
    if base.lower().endswith(".exe") and len(base) > 4:
        base = base[:-4]
    return base


def _is_assignment(word: str) -> bool:
    name, eq, _ = word.partition("=")
    return bool(eq) and name.isidentifier() and name.isascii()


def _words_of_first_command(command: str) -> list[str]:
    """The words of the first simple command that has any, redirections left out."""
    reader = _WordReader(command[:_COMMAND_LIMIT])
    words: list[str] = []
    skip_target = False
    while len(words) < _MAX_WORDS:
        item = reader.next()
        if item is None:
            break
        kind, value = item
        if kind == "sep":
            if words:
                break
            continue
        if kind == "redir":
            skip_target = not value.endswith("&") or value in ("&>", ">&")
            continue
        if skip_target:
            skip_target = False
            continue
        if not words and value in _SKIPPED_KEYWORDS:
            continue
        words.append(value)
    return words


def _skip_wrapper(words: list[str], i: int, wrapper: _Wrapper) -> int:
    """The index of the first word after a wrapper's options and positional arguments."""
    while i < len(words) and words[i].startswith("-") and words[i] != "-":
        option = words[i]
        i += 1
        if option == "--":
            break
        if option in wrapper.options_with_argument:
            i += 1
    while i < len(words) and _is_assignment(words[i]):  # env A=1 cmd
        i += 1
    return i + wrapper.positional


def program_of(command: str) -> str:
    """The program that ``command`` runs first, as a shell reads it.

    Environment assignments (``A=1 cmd``), wrappers that run their argument
    (``exec``, ``sudo``, ``env``, ``nice``, ``timeout 5``… with their options),
    redirections and a leading ``(`` or ``!`` are skipped; quotes and
    backslashes are removed; a path keeps only its last component, and a
    trailing ``.exe`` is dropped. A program computed by ``$(…)`` or backticks
    is returned as written. The empty string when there is no program.
    """
    words = _words_of_first_command(command)
    i = 0
    while i < len(words):
        word = words[i]
        if _is_assignment(word):
            i += 1
            continue
        base = _basename(word)
        wrapper = _WRAPPERS.get(base)
        if wrapper is None:
            return base
        i = _skip_wrapper(words, i + 1, wrapper)
    return ""


# -- TeX Live's restricted mode ---------------------------------------------------------


def _first_word(command: str) -> tuple[str, int]:
    i, n = 0, len(command)
    while i < n and command[i] in _C_SPACE:
        i += 1
    start = i
    while i < n and command[i] not in _C_SPACE:
        i += 1
    return command[start:i], i


def _quoted_arguments(command: str, i: int) -> list[str] | None:
    """web2c's quoting of the arguments after the program, or None on a quotation error."""
    out: list[str] = []
    n = len(command)
    pre = True  # the previous character is a blank
    while i < n:
        c = command[i]
        if c == "'":
            return None
        if c == '"':
            if not pre:
                out.append("'")
            pre = False
            out.append("'")
            end = command.find('"', i + 1)
            if end < 0 or "'" in command[i + 1 : end]:
                return None
            out.append(command[i + 1 : end])
            i = end + 1
            if i < n and command[i] not in _C_SPACE:
                return None
        elif pre and c not in _C_SPACE:
            pre = False
            out.append("'" + c)
            i += 1
        elif not pre and c in _C_SPACE:
            pre = True
            out.append("'" + c)
            i += 1
        else:
            out.append(c)
            i += 1
    if not pre:
        out.append("'")
    return out


def restricted_command(command: str) -> str | None:
    """The line TeX Live's restricted mode hands to ``/bin/sh`` for ``command``.

    None when restricted mode refuses the command: its first word is not one of
    :data:`RESTRICTED_COMMANDS` exactly, it holds a ``'``, its ``"`` quotes are
    unbalanced or a closing ``"`` is not followed by a blank. Commands longer
    than the command limit of ``security.toml`` are not looked at and count as
    refused. See the module's documentation for what this reproduces.
    """
    if len(command) > _COMMAND_LIMIT:
        return None
    program, end = _first_word(command)
    if program not in RESTRICTED_COMMANDS:
        return None
    arguments = _quoted_arguments(command, end)
    if arguments is None:
        return None
    return program + "".join(arguments)


def restricted_allowed(command: str) -> bool:
    """Whether TeX Live's default restricted shell escape runs ``command``.

    True exactly when :func:`restricted_command` gives the quoted line TeX runs.
    """
    return restricted_command(command) is not None


# -- packages and commands that run programs ---------------------------------------------


def _package_key(name: str) -> str:
    key = name.strip()
    return key[:-4] if key.endswith(".sty") else key


def shell_escape_package_use(name: str) -> ShellEscapeUse | None:
    """What package ``name`` runs and how much shell escape it needs, or None."""
    return _PACKAGES.get(_package_key(name))


def shell_escape_package(name: str) -> str | None:
    """Why package ``name`` runs programs (the reason text), or None for other packages."""
    use = shell_escape_package_use(name)
    return None if use is None else use.reason


def shell_escape_command(name: str) -> ShellEscapeUse | None:
    """A command (``tikzexternalize``, without its backslash) that makes LaTeX run programs."""
    return _COMMANDS.get(name.strip().lstrip("\\"))
