"""lean_output: the Lean file texlean writes — a new file with its header, and updates
that replace a declaration of the same name (keeping the proof written since) and append
the others."""

from __future__ import annotations

from texlean.analysis.lean_output import (
    apply,
    declaration,
    doc_comment,
    find,
    new_file,
    plan,
    top_level_assign,
)
from texlean.formalize import formalize_statement
from texlean.formalize.extract import extract

HEADER = ["import Mathlib", "", "open Real Nat"]


def update(text: str, decls: list[tuple[str, str]]) -> str:
    return apply(text, plan(text, decls))


# -- new files ---------------------------------------------------------------------------------


def test_new_file_has_the_header_then_the_declarations() -> None:
    out = new_file(HEADER, ["theorem a : 1 = 1 := by sorry", "theorem b : 2 = 2 := by sorry\n\n"])
    assert out == (
        "import Mathlib\n\nopen Real Nat\n\n"
        "theorem a : 1 = 1 := by sorry\n\n"
        "theorem b : 2 = 2 := by sorry\n"
    )


def test_new_file_without_header() -> None:
    assert new_file([], ["theorem a : 1 = 1 := by sorry"]) == "theorem a : 1 = 1 := by sorry\n"
    assert new_file(["", "  "], ["theorem a : 1 = 1 := by sorry"]) == (
        "theorem a : 1 = 1 := by sorry\n"
    )


def test_new_file_from_a_document() -> None:
    text = (
        "\\begin{document}\n\\begin{lemma}[Squares]\\label{lem:sq}\n"
        "Let $x$ be a real number. Then $x^2 \\ge 0$.\n\\end{lemma}\n\\end{document}\n"
    )
    s = extract(text).statements[0]
    t = formalize_statement(s.body, name=s.name, kind=s.kind)
    decl = declaration(t, s, "paper.tex", "Lemma")
    assert decl.splitlines()[0].startswith(
        "/-- **Lemma** (Squares), `lem:sq` in paper.tex: Let $x$"
    )
    assert decl.endswith("theorem lem_sq (x : ℝ) : x ^ 2 ≥ 0 := by sorry")
    out = new_file(HEADER, [decl])
    assert out.startswith("import Mathlib\n")
    assert find(out, "lem_sq") is not None


def test_doc_comment_cannot_be_closed_by_the_statement() -> None:
    text = "\\begin{theorem}\nThen $a -/ b$ and /- c.\n\\end{theorem}\n"
    s = extract(text).statements[0]
    doc = doc_comment(s)
    assert doc.startswith("/--") and doc.endswith("-/")
    assert "-/" not in doc[3:-2]
    assert "/-" not in doc[3:-2]


def test_declaration_without_statement_is_the_lean() -> None:
    t = formalize_statement("Then $1 < 2$.", name="one_lt_two")
    assert declaration(t) == "theorem one_lt_two : 1 < 2 := by sorry"


# -- updates ---------------------------------------------------------------------------------------

EXISTING = """import Mathlib

/-- **Theorem**: old text -/
theorem foo (x : ℝ) : x = x := by
  rfl

theorem other : 1 = 1 := by
  norm_num
"""


def test_replace_keeps_the_proof_and_appends_the_others() -> None:
    new_foo = "/-- **Theorem**: new text -/\ntheorem foo (x : ℝ) : x + 0 = x := by sorry"
    out = update(EXISTING, [("foo", new_foo), ("bar", "theorem bar : 2 = 2 := by sorry")])
    assert out == (
        "import Mathlib\n\n"
        "/-- **Theorem**: new text -/\n"
        "theorem foo (x : ℝ) : x + 0 = x := by\n  rfl\n\n"
        "theorem other : 1 = 1 := by\n  norm_num\n\n"
        "theorem bar : 2 = 2 := by sorry\n"
    )


def test_update_is_idempotent() -> None:
    decls = [
        ("foo", "/-- **Theorem**: new -/\ntheorem foo (x : ℝ) : x + 0 = x := by sorry"),
        ("bar", "theorem bar : 2 = 2 := by sorry"),
    ]
    once = update(EXISTING, decls)
    assert update(once, decls) == once


def test_update_of_an_empty_file() -> None:
    out = update(
        "", [("a", "theorem a : 1 = 1 := by sorry"), ("b", "theorem b : 2 = 2 := by sorry")]
    )
    assert out == "theorem a : 1 = 1 := by sorry\n\ntheorem b : 2 = 2 := by sorry\n"


def test_name_prefix_is_not_the_name() -> None:
    text = "theorem foo_bar : 1 = 1 := by\n  rfl\n\ntheorem foo : 2 = 2 := by\n  rfl\n"
    out = update(text, [("foo", "theorem foo : 3 = 3 := by sorry")])
    assert "theorem foo_bar : 1 = 1 := by\n  rfl" in out
    assert "theorem foo : 3 = 3 := by\n  rfl" in out


def test_assign_inside_a_hole_comment_is_not_the_proof() -> None:
    text = (
        'theorem foo : (sorry : Prop) /- untranslated: "a := b" -/ := by\n  exact trivial\n'
        "theorem baz : 3 = 3 := rfl\n"
    )
    out = update(text, [("foo", "theorem foo : 2 = 2 := by sorry")])
    assert out == "theorem foo : 2 = 2 := by\n  exact trivial\ntheorem baz : 3 = 3 := rfl\n"


def test_assign_inside_brackets_is_not_the_proof() -> None:
    text = "theorem foo (h : ∀ n, (fun m => m) n = n) : True := by\n  trivial\n"
    at = top_level_assign(text, 0, len(text))
    assert at is not None and text[at:].startswith(":= by\n  trivial")


def test_declaration_without_proof_is_replaced_whole() -> None:
    text = "theorem foo : 1 = 1\n\ntheorem bar : 2 = 2 := rfl\n"
    out = update(text, [("foo", "theorem foo : 3 = 3 := by sorry")])
    assert out == "theorem foo : 3 = 3 := by sorry\n\ntheorem bar : 2 = 2 := rfl\n"


def test_lemma_and_attributes_are_found() -> None:
    text = "@[simp]\nlemma foo : 1 = 1 := by\n  rfl\n"
    f = find(text, "foo")
    assert f is not None and f.start == 0
    out = update(text, [("foo", "theorem foo : 2 = 2 := by sorry")])
    assert out == "theorem foo : 2 = 2 := by\n  rfl\n"


def test_commented_out_declaration_is_not_replaced() -> None:
    text = (
        "import Mathlib\n\n/-\ntheorem foo : 0 = 0 := by sorry\n-/\n\n"
        "theorem foo : 1 = 1 := by\n  rfl\n"
    )
    out = update(text, [("foo", "theorem foo : 2 = 2 := by sorry")])
    assert "/-\ntheorem foo : 0 = 0 := by sorry\n-/" in out
    assert "theorem foo : 2 = 2 := by\n  rfl" in out
