"""texlean.analysis.security.pdf: active content in raw PDF, links and PostScript."""

from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from texlean.analysis.security.pdf import (
    NAME,
    STRING,
    PdfVerdict,
    analyse_link,
    analyse_pdf,
    analyse_postscript,
    auto_event,
    tokens,
)

# -- tokens ----------------------------------------------------------------------------------


def test_tokens_decode_names_and_strings() -> None:
    toks = tokens("/Java#53cript (a\\(b\\)c \\101) <4a53> % /JS comment\n/X")
    assert toks == [(NAME, "JavaScript"), (STRING, "a(b)c A"), (STRING, "JS"), (NAME, "X")]


def test_tokens_nested_parentheses() -> None:
    assert tokens("(a (b) c)/N") == [(STRING, "a (b) c"), (NAME, "N")]


# -- JavaScript -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "<< /S /JavaScript /JS (app.alert(1)) >>",
        "/S/JavaScript/JS(app.alert(1))",
        "/JS <6170702e616c657274283129>",  # the code as a hex string
        "/JS 12 0 R",
        "/Java#53cript",
        "/#4a#53 (x)",
        "/javascript",  # readers are lenient: compared without case
        "/S\n%comment\n/JavaScript",
        "/Names << /JavaScript << /Names [(x) 5 0 R] >> >>",
        "ann << /Subtype /Link /A << /S /JavaScript /JS (x) >> >>",  # \special{pdf: ann …}
        "[ /Rect [0 0 1 1] /Action << /Subtype /JavaScript /JS (x) >> /ANN pdfmark",
    ],
)
def test_javascript(text: str) -> None:
    assert analyse_pdf(text).javascript


@pytest.mark.parametrize(
    "text",
    [
        "/JSON (x)",
        "/JSX",
        "/Title (/JavaScript for beginners)",  # inside a string: not a name
        "/Title <2f4a617661536372697074>",  # hex string of "/JavaScript"
        "% /JavaScript in a comment\n/Type /Annot",
        "<< /Type /Annot /Subtype /Link /A << /S /GoTo /D (sec1) >> >>",
        "/JavaScripts",
        "JavaScript",  # not a name
    ],
)
def test_no_javascript(text: str) -> None:
    verdict = analyse_pdf(text)
    assert not verdict.javascript
    assert verdict == PdfVerdict() or verdict.other_actions or verdict.auto


# -- launch and other actions -----------------------------------------------------------------


def test_launch() -> None:
    assert analyse_pdf("<< /S /Launch /F (cmd.exe) /Win << /F (cmd.exe) >> >>").launch
    assert analyse_pdf("/S /L#61unch").launch
    assert analyse_pdf("[ /Action /Launch /File (x.sh) /LNK pdfmark").launch
    assert not analyse_pdf("/S /GoTo /D [1 0 R /Fit]").launch


@pytest.mark.parametrize(
    ("text", "action"),
    [
        ("/S /SubmitForm /F (https://evil)", "/SubmitForm"),
        ("/S /ImportData /F (data.fdf)", "/ImportData"),
        ("/S /GoToR /F (other.pdf) /D [0 /Fit]", "/GoToR"),
        ("/S /GoToE /T << /R /C >>", "/GoToE"),
        ("/S /Rendition /R 5 0 R", "/Rendition"),
        ("/S /RichMediaExecute", "/RichMediaExecute"),
        ("/AcroForm << /XFA 5 0 R >>", "/XFA"),
        ("/S /URI /URI (javascript:alert(1))", "/URI javascript"),
        ("/S /URI /URI (java%73cript:alert(1))", "/URI javascript"),
        ("/S /URI /URI (file:///etc/passwd)", "/URI file"),
        ("/S /URI /URI <66696c653a2f2f2f6574632f706173737764>", "/URI file"),
        ("/S /URI /URI (data:text/html;base64,PHNjcmlwdD4=)", "/URI data"),
        ("goto file {manual.pdf} page 1", "/GoToR"),  # pdfTeX's action syntax
        ("thread file {other.pdf} name {t}", "/GoToR"),
    ],
)
def test_other_actions(text: str, action: str) -> None:
    assert action in analyse_pdf(text).other_actions


def test_plain_links_are_not_actions() -> None:
    assert analyse_pdf("/S /URI /URI (https://example.org/)") == PdfVerdict()
    assert analyse_pdf("goto page 3 {/Fit}") == PdfVerdict()
    assert analyse_pdf("user {/Subtype /Link /A << /S /GoTo /D (x) >>}") == PdfVerdict()


# -- automatic actions --------------------------------------------------------------------------


def test_open_action() -> None:
    verdict = analyse_pdf("/OpenAction << /S /JavaScript /JS (app.alert(1)) >>")
    assert verdict.auto == ("/OpenAction",) and verdict.javascript
    assert analyse_pdf("/Open#41ction [3 0 R /Fit]").auto == ("/OpenAction",)
    # \pdfcatalog {…} openaction user {…}
    assert analyse_pdf("/PageMode /UseNone openaction goto page 2 {/Fit}").auto == ("/OpenAction",)


def test_additional_actions_triggers() -> None:
    text = "/AA << /O << /S /JavaScript /JS (x) >> /C 12 0 R /PV [1 0 R] /Fo << /S /Named >> >>"
    assert analyse_pdf(text).auto == ("/AA /O", "/AA /C", "/AA /PV", "/AA /Fo")


def test_additional_actions_values_are_not_keys() -> None:
    # /S and /JavaScript inside the /O action, /E after an indirect reference
    text = "/AA << /O << /S /E /D (x) >> /X 3 0 R /E 4 0 R >>"
    assert analyse_pdf(text).auto == ("/AA /O", "/AA /X", "/AA /E")


def test_additional_actions_indirect() -> None:
    assert analyse_pdf("/AA 5 0 R").auto == ("/AA",)
    assert analyse_pdf("/AA").auto == ("/AA",)


def test_auto_event() -> None:
    assert auto_event("/OpenAction") == "the document is opened"
    assert auto_event("/AA /PO") == "the page is opened"
    assert auto_event("/AA /WC") == "the document is closed"
    assert auto_event("/AA") == auto_event("/AA /Unknown") == "the page or annotation is used"


def test_no_auto_in_ordinary_annotations() -> None:
    assert analyse_pdf("/Subtype /Link /Border [0 0 0] /C [1 0 0] /A << /S /GoTo >>").auto == ()


# -- links -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("javascript:alert(1)", "javascript"),
        ("JaVaScRiPt:alert(1)", "javascript"),
        ("  javascript:alert(1)", "javascript"),
        ("\x01\x02javascript:x", "javascript"),
        ("java\tscript:x", "javascript"),
        ("java\nscript:x", "javascript"),
        ("java%73cript:x", "javascript"),
        ("%6a%61%76%61script:x", "javascript"),
        ("java%2573cript:x", "javascript"),  # encoded twice
        ("ｊａｖａｓｃｒｉｐｔ:x", "javascript"),  # full-width letters
        ("java\u200bscript:x", "javascript"),  # a zero-width space
        ("vbscript:msgbox(1)", "javascript"),
        ("file:///etc/passwd", "file"),
        ("FILE:C:/x", "file"),
        ("smb://server/share", "file"),
        ("\\\\server\\share\\x.exe", "file"),
        ("C:\\Windows\\System32\\calc.exe", "file"),
        ("data:text/html,<script>", "data"),
        ("run:./script.sh", "launch"),  # hyperref makes a /Launch
        ("ms-msdt:/id PCWDiagnostic", "launch"),
        ("search-ms:query=x", "launch"),
        ("ms-excel:ofe|u|https://x", "launch"),
    ],
)
def test_link_schemes(url: str, kind: str) -> None:
    assert analyse_link(url) == kind


@pytest.mark.parametrize(
    "url",
    [
        "https://example.org/",
        "http://example.org/javascript:x",
        "HTTPS://example.org",
        "mailto:someone@example.org",
        "ftp://example.org/file",
        "doc.pdf",
        "#section",
        "",
        "www.example.org",
        "https://example.org/?q=file:x",
        "javascript",  # no colon: a relative link
    ],
)
def test_ordinary_links(url: str) -> None:
    assert analyse_link(url) is None


# -- PostScript -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("ps: (secret.txt) (r) file", ("file",)),
        ("ps:: (x) deletefile", ("deletefile",)),
        ('" (a) (b) renamefile', ("renamefile",)),
        ("! (*) {=} 100 string filenameforall", ("filenameforall",)),
        ("ps: (/etc/passwd) run", ("run",)),
        ("ps: (%pipe%rm -rf ~) (w) file", ("%pipe%", "file")),
        ("ps: << /OutputFile (|lpr) >> setpagedevice", ("%pipe%",)),
        ("ps: (deletefile) cvx exec", ("deletefile (built from a string)",)),
        ("ps: <64656c65746566696c65> cvn load exec", ("deletefile (built from a string)",)),
        ("ps: /deletefile load exec", ("deletefile",)),
        ("ps: systemdict /.forceput get exec", (".forceput",)),
        ("header=/etc/passwd", ("header file /etc/passwd (sensitive)",)),
        ("header=|cmd", ("header file |cmd (pipe)",)),
    ],
)
def test_postscript_operators(text: str, found: tuple[str, ...]) -> None:
    assert analyse_postscript(text) == found


@pytest.mark.parametrize(
    "text",
    [
        "ps: 0 0 moveto (Hello) show",
        "ps: currentfile closefile",
        "ps: /file 3 def",  # a literal name, nothing turns it into code
        "ps: (deletefile) show",  # a string that is only shown
        "ps: % (x) (w) file\n newpath",
        '" 1 0 0 setrgbcolor',
        "header=pstricks.pro",
        "header=figs/special.pro",
        "ps::[begin] 10 10 translate",
        "ps: (run) print",
    ],
)
def test_harmless_postscript(text: str) -> None:
    assert analyse_postscript(text) == ()


# -- hostile input ----------------------------------------------------------------------------------

_PDF_PIECES = st.sampled_from(
    [
        "/JS", "/JavaScript", "/Java#53cript", "/#", "#", "/AA", "/OpenAction", "/URI", "<<", ">>",
        "<", ">", "(", ")", "\\", "[", "]", "{", "}", "%", "\n", " ", "/O", "12", "0", "R",
        "<~", "~>", "/Launch", "file", "(javascript:x)", "goto", "cvx", "exec", "%pipe%", "4a",
    ]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(_PDF_PIECES, max_size=80).map("".join))
def test_never_raises_on_pdf_soup(text: str) -> None:
    verdict = analyse_pdf(text)
    assert isinstance(verdict.other_actions, tuple)
    analyse_postscript(text)
    analyse_postscript("ps: " + text)
    analyse_link(text)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=400))
def test_never_raises_on_any_text(text: str) -> None:
    analyse_pdf(text)
    analyse_postscript(text)
    analyse_link(text)


HOSTILE = [
    "(" * 200_000,
    "<" * 200_000,
    "<<" * 100_000,
    "/AA <<" * 50_000,
    "/AA << /O " * 50_000,
    "\\" * 200_000,
    "%" * 200_000,
    "/" * 200_000,
    "#" * 200_000,
    "<~" * 100_000,
    "/Java#53cript " * 50_000,
    "(" + "\\(" * 100_000,
]


@pytest.mark.parametrize("text", HOSTILE, ids=[f"hostile{i}" for i in range(len(HOSTILE))])
def test_hostile_text_is_quick(text: str) -> None:
    start = time.perf_counter()
    analyse_pdf(text)
    analyse_postscript("ps: " + text)
    analyse_link(text)
    assert time.perf_counter() - start < 3.0
