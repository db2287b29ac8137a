"""Active content in raw PDF, links and PostScript.

* :func:`analyse_pdf` reads the raw PDF text of ``\\pdfobj``, ``\\pdfannot``,
  ``\\pdfcatalog``, ``\\pdfstartlink`` attributes, ``\\pdfnames``,
  ``\\special{pdf: …}`` and pdfmark code (``\\special{ps: … pdfmark}``), with a
  tokenizer for PDF and PostScript syntax: names are compared after their
  ``#xx`` escapes are decoded (``/Java#53cript`` is ``/JavaScript``) and
  case-insensitively, literal ``(…)`` and hex ``<…>`` strings are decoded and
  never taken for names (``/Title (/JavaScript)`` has no JavaScript), comments
  are skipped. It reports JavaScript (``/JavaScript``, ``/JS``; not
  ``/JSON``), ``/Launch``, the other actions that reach outside the PDF, links
  (``/URI``) to ``javascript:``, ``file:``, ``data:`` or launching schemes, and
  the actions that run without a click: ``/OpenAction`` and each trigger of an
  ``/AA`` dictionary. pdfTeX's own action syntax counts too: ``openaction``
  and ``goto file`` (a ``/GoToR``).
* :func:`analyse_link` classifies the target of ``\\href`` and ``\\url`` as a
  reader would after undoing the tricks: surrounding blanks and control
  characters, tabs and line ends inside, percent-encoding (``java%73cript:``),
  letter case and compatibility forms (full-width letters).
* :func:`analyse_postscript` lists the file and process operators of
  PostScript code (``\\special{ps: …}``, ``\\special{" …}``, ``\\special{! …}``):
  ``file``, ``deletefile``, ``renamefile``, ``run``…, the ``%pipe%`` device,
  and operator names hidden in strings when the code turns strings into code
  (``(deletefile) cvx exec``). A ``header=`` special names a file: it is
  reported when the file is outside the document's folder or a pipe.

The tables are ``[pdf]`` of ``grammars/security.toml``.
"""

from __future__ import annotations

import base64
import binascii
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import unquote

from ...tables import load
from .paths import classify_read

_TABLES = load("security")
_PDF = _TABLES["pdf"]
_LIMIT: int = int(_TABLES["limits"]["pdf"])
_LINK_LIMIT: int = int(_TABLES["limits"]["link"])
_MAX_AA = 64  # /AA dictionaries read
_MAX_AA_TOKENS = 4096  # tokens of one /AA dictionary read


def _canonical(names: Sequence[str]) -> dict[str, str]:
    return {n.lower(): n for n in names}


_JAVASCRIPT = _canonical(_PDF["javascript"])
_LAUNCH = _canonical(_PDF["launch"])
_ACTIONS = _canonical(_PDF["actions"])
_TRIGGERS: dict[str, str] = dict(_PDF["triggers"])
_TRIGGER_NAMES = _canonical(list(_TRIGGERS))
_SCHEMES: dict[str, str] = dict(_PDF["schemes"])
_SCHEME_PREFIXES: dict[str, str] = dict(_PDF["scheme_prefixes"])
_PS = _PDF["postscript"]
_PS_OPERATORS = frozenset(_PS["operators"])
_PS_DEVICES: tuple[str, ...] = tuple(_PS["devices"])
_PS_BUILDERS = frozenset(_PS["builders"])


@dataclass(frozen=True, slots=True)
class PdfVerdict:
    """The active content of raw PDF text.

    ``javascript``: a ``/JavaScript`` or ``/JS`` action (or name tree);
    ``launch``: a ``/Launch`` action; ``other_actions``: the other actions
    that reach outside the PDF (``/SubmitForm``, ``/GoToR``…, ``/URI file``
    for a link of that kind); ``auto``: what runs without a click,
    ``/OpenAction`` and ``/AA /<trigger>`` (see :func:`auto_event`).
    """

    javascript: bool = False
    launch: bool = False
    other_actions: tuple[str, ...] = ()
    auto: tuple[str, ...] = ()


# -- tokens ------------------------------------------------------------------------------

NAME, WORD, STRING, OPEN, CLOSE = range(5)
_Token = tuple[int, str]

_WHITE = "\x00\t\n\f\r "
_REGULAR = r"[^\x00\t\n\f\r ()<>\[\]{}/%]"
_TOKEN = re.compile(
    r"(?P<ws>[\x00\t\n\f\r ]+)"
    r"|(?P<comment>%[^\r\n]*)"
    r"|(?P<name>//?" + _REGULAR + r"*)"
    r"|(?P<open><<|[\[{])"
    r"|(?P<close>>>|[\]}])"
    r"|(?P<a85><~)"
    r"|(?P<hex><)"
    r"|(?P<str>\()"
    r"|(?P<word>" + _REGULAR + r"+)"
    r"|(?P<other>[\s\S])"
)
_NAME_ESCAPE = re.compile(r"#([0-9A-Fa-f]{2})")
_STRING_STOP = re.compile(r"[()\\]")
_OCTAL = frozenset("01234567")
_STRING_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", "b": "\b", "f": "\f"}


def _name(raw: str) -> str:
    body = raw.lstrip("/")
    if "#" in body:
        body = _NAME_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), body)
    return body


def _literal(src: str, pos: int) -> tuple[str, int]:
    """The value of the ``(…)`` string whose parenthesis is at ``pos``, and the offset after it."""
    out: list[str] = []
    depth = 1
    i = pos + 1
    n = len(src)
    while i < n:
        m = _STRING_STOP.search(src, i)
        if m is None:
            out.append(src[i:])
            return "".join(out), n
        j = m.start()
        out.append(src[i:j])
        c = src[j]
        if c == "(":
            depth += 1
            out.append(c)
            i = j + 1
        elif c == ")":
            depth -= 1
            if depth == 0:
                return "".join(out), j + 1
            out.append(c)
            i = j + 1
        else:
            piece, i = _string_escape(src, j)
            out.append(piece)
    return "".join(out), n


def _string_escape(src: str, j: int) -> tuple[str, int]:
    e = src[j + 1 : j + 2]
    if e in _STRING_ESCAPES:
        return _STRING_ESCAPES[e], j + 2
    if e in _OCTAL and e:
        k = j + 1
        while k < j + 4 and k < len(src) and src[k] in _OCTAL:
            k += 1
        return chr(int(src[j + 1 : k], 8) & 0xFF), k
    if e == "\r":
        return "", j + 3 if src.startswith("\n", j + 2) else j + 2
    if e == "\n":
        return "", j + 2
    return e, j + 2


def _hex(src: str, pos: int) -> tuple[str, int]:
    end = src.find(">", pos + 1)
    end = len(src) if end < 0 else end
    digits = "".join(c for c in src[pos + 1 : end] if c in "0123456789abcdefABCDEF")
    if len(digits) % 2:
        digits += "0"
    return bytes.fromhex(digits).decode("latin-1"), end + 1


def _ascii85(src: str, pos: int) -> tuple[str, int]:
    end = src.find("~>", pos + 2)
    end = len(src) if end < 0 else end
    body = "".join(src[pos + 2 : end].split())
    try:
        value = base64.a85decode(body).decode("latin-1")
    except (ValueError, binascii.Error):
        value = ""
    return value, end + 2


def tokens(text: str) -> list[_Token]:
    """The tokens of PDF or PostScript text: names decoded, strings decoded, comments dropped."""
    out: list[_Token] = []
    src = text[:_LIMIT]
    i, n = 0, len(src)
    while i < n:
        m = _TOKEN.match(src, i)
        if m is None:  # pragma: no cover - the last alternative matches any character
            break
        kind = m.lastgroup
        end = m.end()
        if kind == "name":
            out.append((NAME, _name(m.group())))
        elif kind == "word":
            out.append((WORD, m.group()))
        elif kind in ("open", "close"):
            out.append((OPEN if kind == "open" else CLOSE, m.group()))
        elif kind == "str":
            value, end = _literal(src, i)
            out.append((STRING, value))
        elif kind == "hex":
            value, end = _hex(src, i)
            out.append((STRING, value))
        elif kind == "a85":
            value, end = _ascii85(src, i)
            out.append((STRING, value))
        i = end
    return out


# -- links --------------------------------------------------------------------------------

_LEADING = "".join(chr(c) for c in range(0x21))  # C0 controls and space (WHATWG URL parsing)


def _squeeze(text: str) -> str:
    """``text`` without the characters a URL parser drops or a reader may ignore."""
    return "".join(c for c in text if not (c.isspace() or unicodedata.category(c) in ("Cc", "Cf")))


def analyse_link(url: str) -> str | None:
    """What clicking a link to ``url`` does, when it is more than opening a page.

    ``"javascript"`` (``javascript:``, ``vbscript:``), ``"file"`` (``file:``,
    ``smb:``, a UNC path ``\\\\server``, a drive letter ``C:``), ``"data"``
    (``data:``), ``"launch"`` (hyperref's ``run:``, ``ms-…:`` protocol
    handlers), or None for ``https:``, ``mailto:``, relative links…
    """
    text = unicodedata.normalize("NFKC", url[:_LINK_LIMIT]).lstrip(_LEADING)
    for _ in range(3):
        decoded = unquote(text)
        if decoded == text:
            break
        text = decoded.lstrip(_LEADING)
    if text.startswith(("\\\\", "//\\", "\\/")):
        return "file"
    scheme, colon, _ = text.partition(":")
    if not colon:
        return None
    scheme = _squeeze(scheme).lower()
    if not scheme or not all(c.isascii() and (c.isalnum() or c in "+-.") for c in scheme):
        return None
    if len(scheme) == 1 and scheme.isalpha():
        return "file"  # C:\…
    kind = _SCHEMES.get(scheme)
    if kind is None:
        kind = next((k for p, k in _SCHEME_PREFIXES.items() if scheme.startswith(p)), None)
    return kind


# -- PDF ------------------------------------------------------------------------------------


def _is_reference(toks: Sequence[_Token], j: int) -> bool:
    """Whether ``toks[j:j+3]`` is an indirect reference ``12 0 R``."""
    return (
        j + 2 < len(toks)
        and toks[j][0] == WORD
        and toks[j][1].isdigit()
        and toks[j + 1][0] == WORD
        and toks[j + 1][1].isdigit()
        and toks[j + 2] == (WORD, "R")
    )


def _aa_triggers(toks: Sequence[_Token], start: int) -> list[str]:
    """The keys of the ``/AA`` dictionary that opens at ``toks[start]``."""
    keys: list[str] = []
    depth = 0
    expecting_key = True
    j = start
    end = min(len(toks), start + _MAX_AA_TOKENS)
    while j < end:
        kind, value = toks[j]
        if kind == OPEN:
            depth += 1
        elif kind == CLOSE:
            depth -= 1
            if depth <= 0:
                break
            if depth == 1:
                expecting_key = True  # a dictionary or array value ended
        elif depth == 1:
            if expecting_key and kind == NAME:
                keys.append(value)
                expecting_key = False
            elif not expecting_key:
                if _is_reference(toks, j):
                    j += 2
                expecting_key = True
        j += 1
    return keys


class _PdfReader:
    def __init__(self, toks: list[_Token]) -> None:
        self.toks = toks
        self.javascript = False
        self.launch = False
        self.actions: dict[str, None] = {}
        self.auto: dict[str, None] = {}
        self.aa_read = 0

    def verdict(self) -> PdfVerdict:
        for i, (kind, value) in enumerate(self.toks):
            if kind == NAME:
                self.name(i, value.lower())
            elif kind == WORD:
                self.word(i, value.lower())
        return PdfVerdict(self.javascript, self.launch, tuple(self.actions), tuple(self.auto))

    def name(self, i: int, low: str) -> None:
        if low in _JAVASCRIPT:
            self.javascript = True
        elif low in _LAUNCH:
            self.launch = True
        elif low in _ACTIONS:
            self.actions.setdefault("/" + _ACTIONS[low], None)
        elif low == "openaction":
            self.auto.setdefault("/OpenAction", None)
        elif low == "aa":
            self.additional_actions(i + 1)
        elif low == "uri" and i + 1 < len(self.toks) and self.toks[i + 1][0] == STRING:
            kind = analyse_link(self.toks[i + 1][1])
            if kind is not None:
                self.actions.setdefault(f"/URI {kind}", None)

    def word(self, i: int, low: str) -> None:
        if low == "openaction":  # \pdfcatalog {…} openaction <action spec>
            self.auto.setdefault("/OpenAction", None)
        elif low == "file" and i > 0 and self.toks[i - 1][1].lower() in ("goto", "thread"):
            self.actions.setdefault("/GoToR", None)  # pdfTeX's goto file {…}

    def additional_actions(self, j: int) -> None:
        if j >= len(self.toks) or self.aa_read >= _MAX_AA:
            self.auto.setdefault("/AA", None)
            return
        if self.toks[j] != (OPEN, "<<"):
            self.auto.setdefault("/AA", None)  # an indirect reference: triggers unknown
            return
        self.aa_read += 1
        keys = _aa_triggers(self.toks, j)
        if not keys:
            self.auto.setdefault("/AA", None)
        for key in keys:
            self.auto.setdefault("/AA /" + _TRIGGER_NAMES.get(key.lower(), key)[:40], None)


def analyse_pdf(text: str) -> PdfVerdict:
    """The active content of raw PDF (or pdfmark) text; see the module's documentation."""
    return _PdfReader(tokens(text)).verdict()


def auto_event(entry: str) -> str:
    """What sets off an entry of :attr:`PdfVerdict.auto` ("the document is opened")."""
    key = entry.rsplit("/", 1)[-1].strip()
    if entry.strip() == "/AA":
        return "the page or annotation is used"
    return _TRIGGERS.get(_TRIGGER_NAMES.get(key.lower(), ""), "the page or annotation is used")


# -- PostScript --------------------------------------------------------------------------------

_PS_PREFIXES = ("ps::[begin]", "ps::[end]", "ps::", "ps:", '"', "!")
_WORD_CHARS = re.compile(r"[A-Za-z.][A-Za-z0-9.]*")


def _postscript_code(text: str) -> str:
    stripped = text.lstrip()
    low = stripped[:12].lower()
    for prefix in _PS_PREFIXES:
        if low.startswith(prefix):
            return stripped[len(prefix) :]
    return stripped


def _header(text: str) -> tuple[str, ...] | None:
    """For a ``header=NAME`` special, what its file is when it is not ordinary."""
    stripped = text.lstrip()
    if not stripped[:7].lower().startswith("header"):
        return None
    name = stripped[6:].lstrip(" =").strip()
    verdict = classify_read(name)
    if verdict is None:
        return ()
    return (f"header file {verdict.path} ({verdict.kind})",)


def analyse_postscript(text: str) -> tuple[str, ...]:
    """The file and process operators of PostScript code, in the order they appear."""
    header = _header(text)
    if header is not None:
        return header
    toks = tokens(_postscript_code(text))
    builds = any(kind == WORD and value in _PS_BUILDERS for kind, value in toks)
    found: dict[str, None] = {}
    for kind, value in toks:
        if (kind == WORD and value in _PS_OPERATORS) or (
            kind == NAME and builds and value in _PS_OPERATORS
        ):
            found.setdefault(value, None)
        elif kind == STRING:
            stripped = value.lstrip()
            for device in _PS_DEVICES:
                if stripped.startswith(device):
                    found.setdefault("%pipe%" if device == "|" else device, None)
            if builds:
                for word in _WORD_CHARS.findall(value[:4096]):
                    if word in _PS_OPERATORS:
                        found.setdefault(f"{word} (built from a string)", None)
    return tuple(found)
