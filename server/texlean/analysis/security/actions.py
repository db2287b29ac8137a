"""The primitives and commands that reach the outside world, and what they report.

Each handler reads its arguments as TeX would (expanding where TeX expands),
asks the classifiers (:mod:`.shell`, :mod:`.paths`, :mod:`.lua`, :mod:`.pdf`)
what the result means, and reports it with :func:`report_action`, which also
reports each obfuscation technique the command was reached through.
"""

from __future__ import annotations

from collections.abc import Sequence

from ...tables import load
from . import lua, paths, pdf, shell
from .machine import BEGIN, CSEQ, Machine, MTok, register
from .primitives import JOBNAME
from .state import Alias
from .stream import ARGUMENT, SPACE, VERBATIM, plain, render

# -- reporting -----------------------------------------------------------------------------------

_VIA_TEXT = {
    "^^": "written with ^^ notation",
    "csname": "assembled with \\csname",
    "scantokens": "re-read by \\scantokens",
    "lowercase": "made by \\lowercase",
    "uppercase": "made by \\uppercase",
    "expandafter": "reached through \\expandafter",
}
_STRING_BUILDERS = ("string", "detokenize", "romannumeral", "number", "jobname")


def describe_via(
    via: Sequence[str], name: str, source: str
) -> tuple[str, list[tuple[str, tuple[tuple[str, str], ...]]]]:
    """The words for how a command was reached, and the obfuscation findings that go with it."""
    words: list[str] = []
    extra: list[tuple[str, tuple[tuple[str, str], ...]]] = []
    seen: set[str] = set()
    builders = [v for v in dict.fromkeys(via) if v in _STRING_BUILDERS]
    for v in dict.fromkeys(via):
        if v in seen or v == "!":
            continue
        seen.add(v)
        if v == "^^":
            words.append(_VIA_TEXT[v])
            extra.append(("SEC701", (("name", name), ("source", source))))
        elif v.startswith("escape:"):
            words.append(f"written with {v[7:]} as the escape character")
        elif v == "csname":
            words.append(_VIA_TEXT[v])
            extra.append(("SEC703", (("name", name),)))
        elif v.startswith("alias:") or v.startswith("active:"):
            kind, alias = v.split(":", 1)
            shown = "\\" + alias if kind == "alias" else "the active character " + alias
            words.append(f"under the name {shown}" if kind == "alias" else f"as {shown}")
            extra.append(("SEC704", (("alias", shown), ("name", name))))
        elif v == "scantokens":
            words.append(_VIA_TEXT[v])
            extra.append(("SEC705", (("name", name),)))
        elif v in ("lowercase", "uppercase"):
            words.append(_VIA_TEXT[v])
            extra.append(("SEC706", (("how", v), ("name", name))))
        elif v == "expandafter":
            words.append(_VIA_TEXT[v])
            extra.append(("SEC708", (("name", name),)))
        elif v.startswith("macro:"):
            words.append(f"through \\{v[6:]}")
    if builders:
        what = ", ".join("\\" + b for b in builders)
        words.append(f"built from characters made by {what}")
        extra.append(("SEC707", (("name", name), ("what", what))))
    text = f" ({'; '.join(words)})" if words else ""
    return text, extra


def report_action(
    m: Machine,
    code: str,
    t: MTok,
    end: int,
    params: Sequence[tuple[str, str]],
    name: str | None = None,
    via: Sequence[str] | None = None,
) -> None:
    start = t[2]
    end = max(end, t[3], m.last_end)
    via = t[4] if via is None else via
    name = name or _alias_target(m, t)
    text, extra = describe_via(via, name, m.text[t[2] : t[3]][:60])
    m.report(code, start, end, (*params, ("via", text)))
    for ocode, oparams in extra:
        m.report(ocode, start, end, oparams)


def _end_of(toks: Sequence[MTok] | None, t: MTok) -> int:
    return max((u[3] for u in toks or ()), default=t[3])


def _shell(m: Machine, code: str, t: MTok, end: int, command: str, cs: str) -> None:
    if shell.restricted_allowed(command):
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


@register("write")
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


@register("ShellEscape", "DelayedShellEscape")
def _shellescape(m: Machine, t: MTok) -> None:
    group = m.read_group()
    if group is not None:
        _shell(m, "SEC106", t, _end_of(group, t) + 1, plain(m.expand_list(group)), t[1])


@register("tikzexternalize")
def _tikzexternalize(m: Machine, t: MTok) -> None:
    m.report("SEC107", t[2], t[3], (("name", "TikZ externalization (\\tikzexternalize)"),))


# -- files ------------------------------------------------------------------------------------------

_READ_WHAT = {
    "input": "as TeX code: its commands run and its text is typeset into the PDF",
    "typeset": "and typesets it into the PDF",
    "image": "and embeds it into the PDF",
    "macro": "into a macro",
    "package": "as a package: its code runs",
    "bib": "as a bibliography database",
    "probe": "whether the file exists",
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
        report_action(m, "SEC604", t, end, (("what", f"\\{cs} of the document's own name"),))
        return
    if verdict is None:
        return
    params = (("cs", cs), ("path", verdict.path), ("what", _READ_WHAT.get(op, "")))
    if op == "probe":
        if verdict.kind != "parent":
            report_action(m, "SEC203", t, end, params)
    elif verdict.kind == "parent":
        report_action(m, "SEC202", t, end, params)
    else:
        report_action(m, "SEC201", t, end, params)


@register("input", "@@input")
def _input(m: Machine, t: MTok) -> None:
    found = m.scan_file_name()
    if found is None:
        return
    name, via, last = found
    end = last[3] if last is not None else t[3]
    _read_file(m, t, end, name, (*t[4], *via), "input", t[1])


@register("openin")
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


@register("openout")
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
        report_action(
            m, "SEC302", t, end, (("cs", cs), ("path", verdict.path), ("what", verdict.detail))
        )
    else:
        report_action(m, "SEC301", t, end, (("cs", cs), ("path", verdict.path)))


def _generated_tex(path: str, via: Sequence[str]) -> bool:
    """A .tex file that is not the document itself: packages (answers, exam sheets,
    endnotes) write such files and read them back; only the document's own file,
    packages, classes and build scripts are code that others will run."""
    return path.endswith(".tex") and "/" not in path and not _is_jobname(path, via)


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


def _alias_target(m: Machine, t: MTok) -> str:
    meaning = m.meaning(t)
    return meaning.target if isinstance(meaning, Alias) else t[1]


register(*_FILES)(_file_command)


@register("pdfximage", "pdffiledump", "pdfmdfivesum", "pdffilesize", "pdffilemoddate")
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


def _lua(m: Machine, t: MTok, end: int, code: str) -> None:
    verdict = lua.analyse_lua(code)
    for tex_code in verdict.tex_output:
        # what tex.print hands back to TeX runs next: read it as TeX
        m.s.push(m.scan_tokens(tex_code, t[2], end, (*t[4], "lua")))
    for raw in verdict.pdf_output:
        _pdf(m, t, end, raw, "Lua's pdf library")
    if verdict.shell:
        report_action(m, "SEC401", t, end, (("what", ", ".join(verdict.shell)),))
    if verdict.files:
        report_action(m, "SEC402", t, end, (("what", ", ".join(verdict.files)),))
    if verdict.dynamic:
        report_action(m, "SEC403", t, end, (("what", ", ".join(verdict.dynamic)),))
    if verdict.computes_only:
        m.report("SEC404", t[2], end, ())


@register("directlua", "latelua", "luaexec", "luadirect")
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
        _lua(m, t, body[3], m.text[body[2] : body[3]])


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
        m.report("SEC303", t[2], t[3], (("how", "overwrites"), ("path", name)))


# -- PDF ----------------------------------------------------------------------------------------------


def _pdf(m: Machine, t: MTok, end: int, text: str, where: str) -> None:
    verdict = pdf.analyse_pdf(text)
    if verdict.javascript:
        report_action(m, "SEC501", t, end, (("where", where),))
    if verdict.launch:
        report_action(m, "SEC502", t, end, (("what", "/Launch"), ("where", where)))
    for action in verdict.other_actions:
        report_action(m, "SEC502", t, end, (("what", action), ("where", where)))
    for trigger in verdict.auto:
        report_action(m, "SEC503", t, end, (("what", pdf.auto_event(trigger)), ("where", where)))


@register(
    "pdfobj",
    "pdfannot",
    "pdfcatalog",
    "pdfnames",
    "pdfstartlink",
    "pdftrailer",
    "pdfinfo",
    "pdfdest",
    "pdfoutline",
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
    _pdf(m, t, end, text, "\\" + _alias_target(m, t))


@register("special", "pdfliteral", "pdfextension", "literalps@out")
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
        _pdf(m, t, end, text, "\\" + _alias_target(m, t))
    if lowered.startswith(("ps:", '"', "!", "header=", "ps::", "psfile=")) or "pdfmark" in lowered:
        operators = pdf.analyse_postscript(text)
        if operators:
            report_action(m, "SEC505", t, end, (("what", ", ".join(operators)),))


def _link(m: Machine, t: MTok, end: int, url: str) -> None:
    kind = pdf.analyse_link(url)
    if kind == "javascript":
        m.report(
            "SEC504",
            t[2],
            end,
            (("url", url.strip()[:80]), ("what", "runs JavaScript in the PDF reader")),
        )
    elif kind == "file":
        m.report(
            "SEC504",
            t[2],
            end,
            (("url", url.strip()[:80]), ("what", "opens a local file or program")),
        )


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
    if reads_self:
        m.report("SEC604", t[2], end, (("what", f"\\{hook} inputs the file again"),))
    elif hook in names or (
        hook == "everypar"
        and names & {"par", "indent", "noindent", "leavevmode"}
        and len(group) > 1
    ):
        m.report("SEC606", t[2], end, (("name", hook), ("what", "its tokens trigger it again")))
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
    shown = {" ": "space", "\t": "tab", "\r": "^^M", "\n": "^^J"}.get(ch, ch)
    what = None
    if cat == 0 and ch != "\\":
        what = "an escape character (like \\)"
    elif ch == "\\" and cat != 0:
        what = "an ordinary character: \\ no longer starts commands"
    elif ch in "{}" and cat not in (1, 2):
        what = "an ordinary character: braces no longer group"
    elif cat in (1, 2) and ch not in "{}":
        what = "a brace (begin or end group)"
    elif cat == 14 and ch != "%":
        what = "a comment character"
    if what is not None:
        m.report("SEC702", t[2], u[3], (("char", shown), ("what", what)))


__all__ = ["describe_via", "report_action"]
