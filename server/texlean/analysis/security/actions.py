"""The primitives and commands that reach the outside world, and what they report.

Each handler reads its arguments as TeX would (expanding where TeX expands),
asks the classifiers (:mod:`.shell`, :mod:`.paths`, :mod:`.lua`, :mod:`.pdf`)
what the result means, and reports it with :func:`report_action`, which also
reports each obfuscation technique the command was reached through.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ... import messages
from ...tables import load
from . import lua, paths, pdf, shell
from .machine import BEGIN, CSEQ, Machine, MTok, register
from .primitives import JOBNAME
from .report import alias_target as _alias_target
from .report import report_action
from .state import Alias
from .stream import ARGUMENT, SPACE, VERBATIM, plain, render


def _end_of(toks: Sequence[MTok] | None, t: MTok) -> int:
    return max((u[3] for u in toks or ()), default=t[3])


_SHELL_SYNTAX = re.compile(r"[;&|`$<>(){}\n*?~]")


def _shell(m: Machine, code: str, t: MTok, end: int, command: str, cs: str) -> None:
    # Allowed in restricted mode and harmless even with -shell-escape only when the
    # line is that one program: "kpsewhich x; touch y" runs touch under -shell-escape.
    if shell.restricted_allowed(command) and not _SHELL_SYNTAX.search(command):
        report_action(
            m,
            "SEC105",
            t,
            end,
            (
                ("command", shell.describe(command)),
                ("program", shell.program_of(command)),
                ("cs", cs),
            ),
        )
    else:
        report_action(m, code, t, end, (("command", shell.describe(command)), ("cs", cs)))


# -- shell ----------------------------------------------------------------------------------------


@register("write", dangerous=True)
def _write(m: Machine, t: MTok) -> None:
    number = m.scan_int()
    if number != 18:
        return
    group = m.read_group()
    # no group in sight: TeX inserts a { and runs whatever follows; still a shell escape
    command = plain(m.expand_list(group)) if group is not None else ""
    _shell(m, "SEC101", t, _end_of(group, t) + 1 if group else t[3], command, "write")


@register("immediate")
def _immediate(m: Machine, t: MTok) -> None:
    u = m.get_x()
    if u is None:
        return
    meaning = m.meaning(u)
    if isinstance(meaning, Alias) and meaning.target in m.handlers:
        # report from \immediate on, and keep how the command itself was reached
        merged = (u[0], u[1], t[2], u[3], (*t[4], *m.with_alias(u, meaning)[4]))
        m.handlers[meaning.target](m, merged)
    else:
        m.s.back(u)


@register("ShellEscape", "DelayedShellEscape", dangerous=True)
def _shellescape(m: Machine, t: MTok) -> None:
    group = m.read_group()
    if group is not None:
        _shell(m, "SEC106", t, _end_of(group, t) + 1, plain(m.expand_list(group)), t[1])


@register("tikzexternalize")
def _tikzexternalize(m: Machine, t: MTok) -> None:
    m.report("SEC107", t[2], t[3], (("name", "TikZ externalization (\\tikzexternalize)"),))


# -- files ------------------------------------------------------------------------------------------

_READ_WHAT = {  # the message (messages.toml) saying what reading does
    "input": "frag-read-input",
    "typeset": "frag-read-typeset",
    "image": "frag-read-image",
    "macro": "frag-read-macro",
    "package": "frag-read-package",
    "bib": "frag-read-bib",
    "probe": "frag-read-probe",
}


def _is_jobname(name: str, via: Sequence[str]) -> bool:
    """Whether ``name`` is the document's own file (\\jobname, with or without .tex)."""
    return "jobname" in via and name.strip().strip('"').removesuffix(".tex") == JOBNAME


def _read_file(
    m: Machine, t: MTok, end: int, name: str, via: Sequence[str], op: str, cs: str
) -> None:
    """Report what reading ``name`` with ``cs`` does."""
    stripped = name.strip()
    if op in ("input", "typeset", "image", "macro", "package", "bib") and stripped.startswith("`"):
        _shell(m, "SEC102", t, end, stripped[1:].strip(), cs)  # graphics' `command` (dvips)
        return
    verdict = paths.classify_read(stripped)
    if verdict is not None and verdict.kind == "pipe":
        _shell(m, "SEC102", t, end, verdict.command or stripped.lstrip('"|'), cs)
        return
    if op == "input" and _is_jobname(stripped, via):
        report_action(m, "SEC604", t, end, (("what_key", "frag-reads-own-name"), ("cs", cs)))
        return
    if verdict is None or verdict.kind == "dotfile":
        return  # openin_any = a reads dotfiles of the project like any file
    params = (("cs", cs), ("path", verdict.path), ("what_key", _READ_WHAT.get(op, "")))
    if op == "probe":
        if verdict.kind != "parent":
            report_action(m, "SEC203", t, end, params)
    elif verdict.kind == "parent":
        report_action(m, "SEC202", t, end, params)
    else:
        report_action(m, "SEC201", t, end, params)


@register("input", "@@input", dangerous=True)
def _input(m: Machine, t: MTok) -> None:
    found = m.scan_file_name()
    if found is None:
        return
    name, via, last = found
    end = last[3] if last is not None else t[3]
    _read_file(m, t, end, name, (*t[4], *via), "input", t[1])


@register("openin", dangerous=True)
def _openin(m: Machine, t: MTok) -> None:
    m.scan_int()
    m.read_equals()
    found = m.scan_file_name()
    if found is None:
        return
    name, via, last = found
    end = last[3] if last is not None else t[3]
    verdict = paths.classify_read(name.strip())
    if verdict is not None and verdict.kind == "pipe":
        _shell(m, "SEC103", t, end, verdict.command or name.lstrip('"| '), "openin")
        return
    _read_file(m, t, end, name, (*t[4], *via), "typeset", "openin")


@register("openout", dangerous=True)
def _openout(m: Machine, t: MTok) -> None:
    m.scan_int()
    m.read_equals()
    found = m.scan_file_name()
    if found is None:
        return
    name, via, last = found
    end = last[3] if last is not None else t[3]
    _write_file(m, t, end, name.strip(), via, "openout")


def _write_file(m: Machine, t: MTok, end: int, name: str, via: Sequence[str], cs: str) -> None:
    verdict = paths.classify_write(name)
    if verdict is None:
        return
    if verdict.kind == "pipe":
        _shell(m, "SEC104", t, end, verdict.command or name.lstrip('"| '), cs)
    elif verdict.kind == "source":
        if _generated_tex(verdict.path, via):
            return  # \jobname-answers.tex and the like: a package's scratch file, read back later
        reader = messages.fragment("what", verdict.reader or "the next LaTeX run")
        shown = _shown(verdict.path, via)
        report_action(m, "SEC302", t, end, (("cs", cs), ("path", shown), reader))
    else:
        report_action(m, "SEC301", t, end, (("cs", cs), ("path", _shown(verdict.path, via))))


def _shown(path: str, via: Sequence[str]) -> str:
    """A path for a message: the part that came from \\jobname shown as \\jobname."""
    return path.replace(JOBNAME, "\\jobname", 1) if "jobname" in via else path


def _generated_tex(path: str, via: Sequence[str]) -> bool:
    """A .tex file named after the document (\\jobname-answers.tex): packages (answers,
    exam sheets, endnotes) write such files and read them back.  Any other .tex
    file may be one of the project's own sources."""
    return (
        path.endswith(".tex")
        and "/" not in path
        and "jobname" in via
        and path.startswith(JOBNAME)
        and not _is_jobname(path, via)
    )


_FILES: dict[str, dict[str, object]] = dict(load("commands")["files"])


def _file_command(m: Machine, t: MTok) -> None:
    spec = _FILES[t[1]] if t[1] in _FILES else _FILES[_alias_target(m, t)]
    args: list[list[MTok] | None] = []
    for kind in str(spec["args"]):
        if kind == "s":
            args.append([] if m.read_star() else None)
        elif kind == "o":
            args.append(m.read_optional())
        else:
            args.append(m.read_group_or_token())
    index = int(str(spec["file"]))
    arg = args[index] if index < len(args) else None
    if arg is None:
        return
    end = max(_end_of(arg, t) + 1, t[3])
    expanded = m.expand_list(arg)
    via = tuple(v for u in expanded for v in u[4])
    text = render(expanded).strip()
    if "dir" in spec:
        base = args[int(str(spec["dir"]))]
        if base:
            text = render(m.expand_list(base)).strip().rstrip("/") + "/" + text
    names = [p.strip() for p in text.split(",")] if spec.get("list") else [text]
    op = str(spec["op"])
    for name in names:
        if not name:
            continue
        if op == "package":
            reason = shell.shell_escape_package(name)
            if reason is not None:
                m.report("SEC107", t[2], end, (("name", name),))
        _read_file(m, t, end, name, (*t[4], *via), op, t[1])
    for _ in str(spec.get("then", "")):
        branch = m.read_group()
        if branch:
            m.s.push(branch)  # texlean cannot know whether the file exists: both branches run


register(*_FILES)(_file_command)


@register(
    "pdfximage",
    "pdffiledump",
    "pdfmdfivesum",
    "pdffilesize",
    "pdffilemoddate",
    expandable=True,  # pdfTeX expands these: an \\edef reads the file
    dangerous=True,
)
def _pdf_file_primitive(m: Machine, t: MTok) -> None:
    kind = _alias_target(m, t)
    keywords: list[str] = []
    group = None
    for _ in range(64):
        u = m.get_x()
        if u is None:
            return
        if u[0] == BEGIN:
            group = m.read_group(u)
            break
        if u[0] in (CSEQ, VERBATIM, ARGUMENT):
            m.s.back(u)
            return
        keywords.append(u[1])
    if group is None:
        return
    if kind == "pdfmdfivesum" and "file" not in "".join(keywords):
        return  # \pdfmdfivesum{text} hashes text, not a file
    name = render(m.expand_list(group)).strip()
    op = {"pdfximage": "image", "pdffiledump": "typeset"}.get(kind, "probe")
    _read_file(m, t, _end_of(group, t) + 1, name, t[4], op, kind)


# -- Lua ----------------------------------------------------------------------------------------------


_LUA_NAME = re.compile(r"[A-Za-z_]")


def _lua(m: Machine, t: MTok, end: int, code: str, body_start: int | None = None) -> None:
    """Report what Lua ``code`` reaches: at the command that runs it, or, for a verbatim
    body (``body_start``), at the line of the first call found as written."""
    verdict = lua.analyse_lua(code)

    def at(names: Sequence[lua.Reach]) -> tuple[MTok, int]:
        if body_start is not None:
            for reach in names:
                if not _LUA_NAME.match(reach.name):
                    continue  # a note about the whole chunk (too long to follow, say)
                i = code.find(reach.name.split()[0].split("(")[0].split("[")[0])
                if i >= 0:
                    line_end = code.find("\n", i)
                    stop = body_start + (line_end if line_end >= 0 else len(code))
                    return (t[0], t[1], body_start + i, stop, t[4]), stop
        return t, end

    for tex_code in verdict.tex_output:
        # what tex.print hands back to TeX runs next: read it as TeX
        m.s.push(m.scan_tokens(tex_code, t[2], end, (*t[4], "lua")))
    for raw in verdict.pdf_output:
        _pdf(m, t, end, raw, "Lua's pdf library")  # a fragment (messages.toml)
    for code_, names in (
        ("SEC401", verdict.shell),
        ("SEC402", verdict.files),
        ("SEC403", verdict.dynamic),
    ):
        if names:
            where, stop = at(names)
            # "what:<note>" = the name: present.py words each and lists them
            what = tuple((f"what:{r.note}", r.name) for r in names)
            report_action(m, code_, where, stop, what)
    if verdict.computes_only:
        m.report("SEC404", t[2], end, ())


@register("directlua", "latelua", "luaexec", "luadirect", dangerous=True)
def _directlua(m: Machine, t: MTok) -> None:
    group = m.read_group()
    if group is not None:
        _lua(m, t, _end_of(group, t) + 1, render(m.expand_list(group)))


def _verbatim_body(m: Machine) -> MTok | None:
    """The verbatim body that follows an environment's arguments."""
    args: list[MTok] = []
    u = m.next()
    while u is not None and u[0] in (ARGUMENT, SPACE):
        args.append(u)
        u = m.next()
    if u is not None and u[0] == VERBATIM:
        return u
    if u is not None:
        m.s.back(u)
    return None


@register("env:luacode", "env:luacode*")
def _luacode(m: Machine, t: MTok) -> None:
    body = _verbatim_body(m)
    if body is not None:
        _lua(m, t, t[3], m.text[body[2] : body[3]], body_start=body[2])


@register("env:filecontents", "env:filecontents*")
def _filecontents(m: Machine, t: MTok) -> None:
    args: list[str] = []
    u = m.next()
    while u is not None and u[0] in (ARGUMENT, SPACE):
        if u[0] == ARGUMENT:
            args.append(u[1])
        u = m.next()
    if u is not None and u[0] != VERBATIM:
        m.s.back(u)
    options = " ".join(a[1:-1] for a in args if a.startswith("["))
    names = [a[1:-1].strip() for a in args if a.startswith("{")]
    if not names:
        return
    name = names[0]
    verdict = paths.classify_write(name)
    overwrite = any(o.strip() in ("overwrite", "force") for o in options.split(","))
    if verdict is not None and verdict.kind not in ("source",):
        report_action(m, "SEC301", t, t[3], (("cs", "begin{filecontents}"), ("path", verdict.path)))
    elif overwrite:
        m.report("SEC303", t[2], t[3], (("how_key", "frag-overwrites"), ("path", name)))


# -- PDF ----------------------------------------------------------------------------------------------


def _pdf(m: Machine, t: MTok, end: int, text: str, where: str, engines: str = "") -> None:
    """Report the active content of raw PDF ``text``; ``engines``: where the construct exists."""
    verdict = pdf.analyse_pdf(text)
    only = (("engines", engines),) if engines else ()
    place = messages.fragment("where", where)
    if verdict.javascript:
        report_action(m, "SEC501", t, end, (place, *only))
    if verdict.launch:
        report_action(m, "SEC502", t, end, (("what", "/Launch"), place, *only))
    for action in verdict.other_actions:
        report_action(m, "SEC502", t, end, (("what", action), place, *only))
    for trigger in verdict.auto:
        event = pdf.auto_event(trigger)
        report_action(m, "SEC503", t, end, (messages.fragment("what", event), place, *only))


# Which engine each raw-PDF command belongs to: elsewhere it does nothing.
_PDF_ENGINES = {"special": "xelatex", "pdfliteral": "pdflatex"}


@register(
    "pdfpageattr",
    "pdfpagesattr",
    "pdfpageresources",
    "pdfobj",
    "pdfannot",
    "pdfcatalog",
    "pdfnames",
    "pdfstartlink",
    "pdftrailer",
    "pdfinfo",
    "pdfdest",
    "pdfoutline",
    dangerous=True,
)
def _pdf_primitive(m: Machine, t: MTok) -> None:
    pieces: list[str] = []
    groups = 0
    end = t[3]
    for _ in range(256):
        u = m.get_x()
        if u is None:
            break
        if u[0] == BEGIN:
            group = m.read_group(u) or []
            end = max(end, _end_of(group, u) + 1)
            pieces.append(render(m.expand_list(group)))
            groups += 1
            if groups >= 3:
                break
            continue
        if u[0] in (CSEQ, VERBATIM, ARGUMENT):
            m.s.back(u)
            break
        pieces.append(u[1])
    text = " ".join(pieces)
    if _alias_target(m, t) == "pdfcatalog" and "openaction" in text.replace(" ", "").lower():
        text += " /OpenAction"
    # \\pdfextension catalog reaches here as "pdfcatalog" with LuaTeX's syntax
    engines = "lualatex" if "pdfextension" in t[4] else "pdflatex"
    _pdf(m, t, end, text, "\\" + _alias_target(m, t), engines)


@register("pdfextension", "pdfvariable")
def _pdfextension(m: Machine, t: MTok) -> None:
    """LuaTeX's \\pdfextension catalog {…}: the keyword names the pdfTeX primitive."""
    word: list[str] = []
    u = m.skip_spaces()
    while u is not None and u[0] == 11 and len(word) < 20:
        word.append(u[1])
        u = m.next()
    if u is not None:
        m.s.back(u)
    keyword = "pdf" + "".join(word)
    handler = m.handlers.get(keyword)
    if handler is not None:
        handler(m, (t[0], keyword, t[2], t[3], (*t[4], "pdfextension")))


@register("special", "pdfliteral", "literalps@out", dangerous=True)
def _special(m: Machine, t: MTok) -> None:
    group = m.read_group()
    if group is None:
        return
    end = _end_of(group, t) + 1
    text = render(m.expand_list(group)).strip()
    lowered = text.lower()
    if (
        lowered.startswith(("pdf:", "pdf::"))
        or "pdfmark" in lowered
        or _alias_target(m, t) != "special"
    ):
        target = _alias_target(m, t)
        _pdf(m, t, end, text, "\\" + target, _PDF_ENGINES.get(target, ""))
    if lowered.startswith(("ps:", '"', "!", "header=", "ps::", "psfile=")) or "pdfmark" in lowered:
        operators = pdf.analyse_postscript(text)
        if operators:
            report_action(m, "SEC505", t, end, (("what", ", ".join(operators)),))


_LINK_EFFECT = {  # the message (messages.toml) saying what clicking does
    "javascript": "frag-link-javascript",
    "file": "frag-link-file",
    "data": "frag-link-data",
}


def _link(m: Machine, t: MTok, end: int, url: str) -> None:
    kind = pdf.analyse_link(url)
    shown = shell.printable(url.strip(), 80)
    if kind == "launch":
        # hyperref turns run: links into /Launch actions
        m.report(
            "SEC502",
            t[2],
            end,
            (("what", "/Launch"), ("where_key", "frag-link-to"), ("url", shown)),
        )
    elif kind is not None:
        effect = _LINK_EFFECT.get(kind, "frag-link-leaves")
        m.report("SEC504", t[2], end, (("url", shown), ("what_key", effect)))


@register("verbatim:href", "verbatim:url", "verbatim:nolinkurl")
def _verbatim_link(m: Machine, t: MTok) -> None:
    _link(m, t, t[3], m.text[t[2] : t[3]])


@register("href", "url")
def _href(m: Machine, t: MTok) -> None:
    u = m.skip_spaces()
    if u is None:
        return
    if u[0] == VERBATIM:  # the lexer read the argument verbatim
        _link(m, (u[0], u[1], t[2], u[3], t[4]), u[3], m.text[u[2] : u[3]])
        return
    group = m.read_group(u)
    if group is not None:
        _link(m, t, _end_of(group, t) + 1, render(m.expand_list(group)))


_FORM_SCRIPT = re.compile(
    r"\b(on(?:click|blur|focus|change|mousedown|mouseup|enter|exit|select)|keystroke|format|validate|calculate)\s*=",
    re.IGNORECASE,
)


@register("PushButton", "CheckBox", "TextField", "ChoiceMenu", "Submit", "Reset", dangerous=True)
def _form_field(m: Machine, t: MTok) -> None:
    """hyperref's form fields: their JavaScript options run in the PDF reader."""
    options = m.read_optional()
    if options is None:
        return
    end = max(_end_of(options, t) + 1, t[3])
    text = render(options)
    if _FORM_SCRIPT.search(text):
        report_action(m, "SEC501", t, end, (("where_key", "frag-form-field"), ("cs", t[1])))
    if t[1] == "Submit":
        report_action(m, "SEC502", t, end, (("what", "/SubmitForm"), ("where", "\\Submit")))


# -- hooks and loops --------------------------------------------------------------------------------

_HOOKS = load("commands")["hooks"]


@register(*_HOOKS["names"])
def _hook(m: Machine, t: MTok) -> None:
    name = _alias_target(m, t)
    if name in _HOOKS["named"]:
        m.read_group()
    elif name in _HOOKS["macro_first"]:
        m.skip_spaces()
    code = m.read_group()
    if code:
        m.s.push(code)  # the code runs later in the same compilation: read it now


_RETRIGGERS = {
    "everypar": frozenset({"par", "endgraf"}),
    "everyhbox": frozenset({"hbox", "mbox", "makebox", "text", "fbox"}),
    "everyvbox": frozenset({"vbox", "vtop", "parbox"}),
    "everymath": frozenset({"(", "ensuremath"}),
    "everydisplay": frozenset({"[", "equation"}),
    "everycr": frozenset({"cr", "crcr", "\\"}),
}


@register(
    "everypar",
    "everyeof",
    "everyjob",
    "everymath",
    "everydisplay",
    "everyhbox",
    "everyvbox",
    "everycr",
)
def _every(m: Machine, t: MTok) -> None:
    m.read_equals()
    group = m.read_group()
    if not group:
        return
    end = _end_of(group, t) + 1
    hook = _alias_target(m, t)
    names = {u[1] for u in group if u[0] == CSEQ}
    reads_self = bool(names & {"input", "@@input", "include"}) and (
        "jobname" in names or any("jobname" in u[4] for u in group)
    )
    retrigger = _RETRIGGERS.get(hook, frozenset())
    has_math = any(u[0] == 3 for u in group)
    if reads_self:
        m.report("SEC604", t[2], end, (("what_key", "frag-hook-inputs-again"), ("cs", hook)))
    elif hook not in names and (
        names & retrigger or (hook in ("everymath", "everydisplay") and has_math)
    ):
        # the hook's own tokens start what runs the hook again (and it never clears itself)
        m.report("SEC606", t[2], end, (("name", hook), ("what_key", "frag-retriggers")))
    m.s.push(group)  # what the hook runs, it runs: read it now


# -- catcodes ---------------------------------------------------------------------------------------


@register("catcode")
def _catcode(m: Machine, t: MTok) -> None:
    u = m.next()
    if u is None or u[0] != ARGUMENT or "=" not in u[1]:
        if u is not None:
            m.s.back(u)
        return
    code, _, value = u[1].partition("=")
    try:
        ch, cat = chr(int(code)), int(value)
    except ValueError:
        return
    shown = {"\r": "^^M", "\n": "^^J"}.get(ch, ch)
    char = {" ": ("char_key", "frag-char-space"), "\t": ("char_key", "frag-char-tab")}
    what = None
    if cat == 0 and ch != "\\":
        what = "frag-catcode-escape"
    elif ch == "\\" and cat != 0:
        what = "frag-catcode-backslash-other"
    elif ch in "{}" and cat not in (1, 2):
        what = "frag-catcode-braces-other"
    elif cat in (1, 2) and ch not in "{}":
        what = "frag-catcode-brace"
    elif cat == 14 and ch != "%":
        what = "frag-catcode-comment"
    if what is not None:
        m.report("SEC702", t[2], u[3], (char.get(ch, ("char", shown)), ("what_key", what)))


__all__ = ["report_action"]
