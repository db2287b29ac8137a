"""Informal statements → a :class:`Problem`: variables, hypotheses, claims, questions.

The text is split into prose and mathematics (:mod:`.segments`); noun phrases and clauses
from ``grammars/phrases.toml`` are rewritten into mathematics; then each sentence is read
left to right, its markers ("Let", "Suppose", "Show that", "What is", "such that", …)
deciding whether the mathematics that follows is a hypothesis, a claim or a question, and
its type phrases ("positive real numbers $x$ and $y$") declaring variables.  An appended
answer ("Show that it is 12", or the letter of a multiple-choice line) completes a question.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from .ast import Node, conj, free_vars, rel, var
from .mathparse import ParseEnv, ParseNote, parse_items
from .mathtokens import MacroLike, Tok, Tokenizer
from .phrases import Phrases, Template, TypePhrase, phrases
from .segments import (
    PLACEHOLDER,
    Answer,
    Segment,
    Skeleton,
    clean,
    extract_answer,
    number_segments,
    split,
)
from .series import recognize
from .vocabulary import Vocabulary

MAX_SENTENCES = 60
_NOTATION = re.compile(r"\b(?:denotes?|stands? for|is defined as the product|means)\b", re.I)
_QUESTION_START = re.compile(
    r"\b(?:what|find|compute|show|prove|how many|determine|evaluate)\b", re.I
)
_FILLER = re.compile(
    r"\bthe (?:sum|product|expression|number|quantity|fraction|value of the expression) (§\d+§)",
    re.I,
)

MAX_REWRITES = 40
_VARLIST = r"§\d+§(?:(?: ?, ?(?:and )?| and | or )§\d+§)*"
_NUMBER_THEORY = re.compile(
    r"\b(?:integers?|divisible|divides|remainder|digits?|primes?|gcd|factors?|multiples?|modulo|congruen\w*|divisors?)\b",
    re.I,
)


@dataclass
class Decl:
    name: str
    ty: str = ""
    facts: tuple[str, ...] = ()
    scope: str = "theorem"  # theorem | forall
    order: int = 0
    start: int = -1
    end: int = -1


@dataclass
class Question:
    kind: str  # value lower upper least greatest count solve
    term: Node | None = None
    var: str = ""
    var_type: TypePhrase | None = None
    conditions: list[Node] = field(default_factory=list)
    start: int = -1
    end: int = -1


@dataclass
class Problem:
    decls: dict[str, Decl] = field(default_factory=dict)
    hyps: list[Node] = field(default_factory=list)
    claims: list[Node] = field(default_factory=list)
    questions: list[Question] = field(default_factory=list)
    answer: Node | None = None
    answer_words: str = ""
    answer_span: tuple[int, int] = (-1, -1)
    untranslated: list[tuple[str, int, int]] = field(default_factory=list)
    notes: list[ParseNote] = field(default_factory=list)
    default_type: str = "ℝ"
    complex: bool = False
    functions: set[str] = field(default_factory=set)
    text: str = ""
    forall_conditions: dict[str, list[Node]] = field(default_factory=dict)


class Reader:
    def __init__(
        self,
        src: str,
        vocab: Vocabulary,
        macros: Mapping[str, MacroLike],
        functions: frozenset[str],
    ) -> None:
        self.src = src
        self.vocab = vocab
        self.tokenizer = Tokenizer(vocab, macros)
        self.env = ParseEnv(functions=set(functions))
        self.phr: Phrases = phrases()
        self.problem = Problem()
        self.segments: dict[int, Segment] = {}
        self.skel: Skeleton | None = None
        self._decl_order = 0
        self._sentence = 0

    # -- entry -----------------------------------------------------------------------------
    def read(self) -> Problem:
        src = self.src
        extracted = extract_answer(src)
        skel = split(extracted.body)
        skel = clean(skel)
        skel = number_segments(skel)
        self.skel = skel
        present = {int(x) for x in PLACEHOLDER.findall(skel.text)}
        for seg in skel.segments:
            self.segments[seg.id] = seg
            if seg.id not in present:
                seg.used = True  # inside a remark that was dropped
        tokens = {seg.id: self._tokens(seg) for seg in skel.segments}
        self._prescan(tokens, skel.text)
        for seg in skel.segments:
            seg.items = self._parse_tokens(tokens[seg.id], seg)
        prose = PLACEHOLDER.sub(" ", skel.text)
        self.problem.text = prose
        self.problem.complex = bool(re.search(r"\bcomplex\b", prose, re.I))
        if _NUMBER_THEORY.search(prose) and not re.search(r"\breal\b", prose, re.I):
            self.problem.default_type = "ℝ"
        if extracted.answer is not None:
            self._read_answer(extracted.answer)
        sentences = self._sentences(skel)
        for n, sentence in enumerate(sentences[:MAX_SENTENCES]):
            self._sentence = n
            self._interpret(sentence)
        self._promote_claim()
        for seg in skel.segments:
            if not seg.used and not seg.synthetic and seg.items:
                if all(_is_mention(item) for item in seg.items):
                    continue
                self.problem.untranslated.append((seg.latex.strip(), seg.start, seg.end))
        self.problem.notes = self.env.notes
        self.problem.functions = set(self.env.functions)
        return self.problem

    def _promote_claim(self) -> None:
        """A statement with no claim and no question ("$1 + 1 = 2$.", "For every real x,
        x^2 ≥ 0."): the statements of its last sentence that no marker made hypotheses
        ("let", "if", "suppose", …) are what it claims."""
        p = self.problem
        if p.claims or p.questions or self.src.rstrip().endswith("?"):
            return
        last = max((h.meta.get("unmarked", "") for h in p.hyps), key=_sentence_no, default="")
        if not last:
            return
        p.claims = [h for h in p.hyps if h.meta.get("unmarked") == last]
        p.hyps = [h for h in p.hyps if h.meta.get("unmarked") != last]
        for c in p.claims:
            for v in free_vars(c):
                decl = p.decls.get(v)
                if decl is not None and decl.scope == "forall":
                    decl.scope = "theorem"

    # -- mathematics -------------------------------------------------------------------------
    def _tokens(self, seg: Segment) -> list[Tok]:
        return self.tokenizer.tokenize(seg.latex, seg.start)

    def _parse_tokens(self, toks: list[Tok], seg: Segment | None) -> list[Node]:
        toks = _strip_trailing(toks)
        if (
            seg is not None
            and toks
            and len(toks) >= 2
            and toks[-2].kind == "sym"
            and toks[-2].text == "="
        ):
            seg.asks = True
            toks = toks[:-2] + toks[-1:]
        if any(t.kind == "begin" and t.text == "cases" for t in toks):
            return self._cases(toks)
        toks = [
            t
            for t in toks
            if not (t.kind == "sym" and t.text == "&") and t.kind not in ("begin", "end")
        ]
        items = parse_items(toks, self.vocab, self.env, self.src, 0, post=recognize)
        return [_fix_dots(item, self) for item in items]

    def _cases(self, toks: list[Tok]) -> list[Node]:
        """f(x) = \\begin{cases} e_1 & \\text{if } c_1 \\\\ … \\end{cases} → c_i → f(x) = e_i."""
        b = next(i for i, t in enumerate(toks) if t.kind == "begin" and t.text == "cases")
        e = next(
            (
                i
                for i in range(b + 1, len(toks))
                if toks[i].kind == "end" and toks[i].text == "cases"
            ),
            len(toks) - 1,
        )
        head = [t for t in toks[:b] if t.kind not in ("begin", "end")]
        if head and head[-1].kind == "sym" and head[-1].text == "=":
            head = head[:-1]
        eof = toks[-1]
        rows: list[list[Tok]] = [[]]
        for t in toks[b + 1 : e]:
            if t.kind == "cmd" and t.text == "\\\\":
                rows.append([])
            else:
                rows[-1].append(t)
        out: list[Node] = []
        for row in rows:
            if not row:
                continue
            amp = next(
                (i for i, t in enumerate(row) if t.kind == "sym" and t.text == "&"), len(row)
            )
            value = row[:amp]
            cond = row[amp + 1 :]
            while (
                cond
                and cond[0].kind == "text"
                and cond[0].text.lower().strip(" ,") in ("if", "for", "when", "where")
            ):
                cond = cond[1:]
            while cond and cond[-1].kind == "sym" and cond[-1].text in ",.;":
                cond = cond[:-1]
            if cond and cond[0].kind == "text" and cond[0].text.lower().startswith(("if ", "for ")):
                word = cond[0].text.split(" ", 1)[1]
                cond = [Tok("text", word, cond[0].start, cond[0].end), *cond[1:]]
            eq = [
                *head,
                Tok("sym", "=", value[0].start if value else 0, value[0].start if value else 0),
                *value,
            ]
            eq_items = parse_items([*eq, eof], self.vocab, self.env, self.src, 0, post=recognize)
            if len(eq_items) != 1:
                continue
            if not cond:
                out.append(eq_items[0])
                continue
            cond_node = self._condition(cond, eof)
            if cond_node is None:
                out.append(
                    Node(
                        "hole",
                        (),
                        _latex_of(self.src, cond),
                        cond[0].start,
                        cond[-1].end,
                        ty="Prop",
                    )
                )
                continue
            node = Node("implies", (cond_node, eq_items[0]), "", cond_node.start, eq_items[0].end)
            node.meta["cases"] = "1"
            out.append(node)
        return out

    def _condition(self, cond: list[Tok], eof: Tok) -> Node | None:
        """A cases condition: mathematics, or "x is rational/irrational/even/odd"."""
        words = " ".join(t.text for t in cond if t.kind == "text").lower()
        letters = [t for t in cond if t.kind == "letter"]
        if words and len(letters) == 1:
            x = var(letters[0].text, letters[0].start, letters[0].end)
            if "irrational" in words:
                return Node("app", (x,), "Irrational")
            if "rational" in words:
                return Node("not", (Node("app", (x,), "Irrational"),))
            if "even" in words:
                return Node("app", (x,), "Even")
            if "odd" in words:
                return Node("app", (x,), "Odd")
        items = parse_items([*cond, eof], self.vocab, self.env, self.src, 0)
        if len(items) == 1 and items[0].is_prop():
            return items[0]
        return None

    def _prescan(self, tokens: dict[int, list[Tok]], text: str) -> None:
        """Which letters are functions (declared or defined) and which are plain values."""
        env = self.env
        text = " ".join(text.split())
        for _seg_id, toks in tokens.items():
            body = [t for t in toks if t.kind != "eof"]
            lone = len(body) == 1
            for j, t in enumerate(body):
                if t.kind != "letter":
                    continue
                nxt = body[j + 1] if j + 1 < len(body) else None
                prev = body[j - 1] if j > 0 else None
                if nxt is not None and nxt.kind == "sym" and nxt.text == "(":
                    close = _matching(body, j + 1)
                    if close is None:
                        continue
                    inner = body[j + 2 : close]
                    after = body[close + 1] if close + 1 < len(body) else None
                    simple = bool(inner) and all(
                        x.kind == "letter" or (x.kind == "sym" and x.text == ",") for x in inner
                    )
                    defined = after is not None and after.kind == "sym" and after.text == "="
                    mention = after is None and close == len(body) - 1 and j == 0
                    if simple and (defined or mention):
                        env.functions.add(t.text)
                    continue
                if (
                    nxt is not None
                    and nxt.kind == "sym"
                    and nxt.text == ":"
                    and any(x.kind == "cmd" and x.text == "\\to" for x in body[j:])
                ):
                    env.functions.add(t.text)
                    continue
                if nxt is not None and nxt.kind == "sup" and _inverse_follows(body, j + 1):
                    env.functions.add(t.text)
                    continue
                if (nxt is not None and nxt.kind == "cmd" and nxt.text == "\\circ") or (
                    prev is not None and prev.kind == "cmd" and prev.text == "\\circ"
                ):
                    env.functions.add(t.text)
                    continue
                if nxt is not None and nxt.kind == "sub":
                    continue
                if not lone:
                    env.values.add(t.text)
        # "the function $f$", "$f$ is a linear function"
        for m in re.finditer(r"\bfunctions? (" + _VARLIST + ")", text):
            for sid in PLACEHOLDER.findall(m.group(1)):
                name = _lone_letter(tokens.get(int(sid), []))
                if name:
                    env.functions.add(name)
        for m in re.finditer(
            r"(§\d+§) (?:be|is|denotes?) (?:an? )?(?:[\w-]+ ){0,3}?function\b", text
        ):
            name = _lone_letter(tokens.get(int(m.group(1)[1:-1]), []))
            if name:
                env.functions.add(name)
        env.values -= env.functions

    # -- the answer ----------------------------------------------------------------------------
    def _read_answer(self, answer: Answer) -> None:
        problem = self.problem
        problem.answer_span = (answer.start, answer.end)
        if answer.words and answer.words in self.phr.answer_words:
            problem.answer_words = answer.words
            return
        latex = answer.latex.strip()
        if answer.words and answer.words in self.phr.number_words:
            latex = str(self.phr.number_words[answer.words])
        if not latex:
            return
        latex = latex.replace("$", " ")
        seg = Segment(-1, answer.start, answer.end, latex)
        toks = self.tokenizer.tokenize(latex, answer.start)
        items = self._parse_tokens(toks, None)
        if len(items) == 1:
            problem.answer = items[0]
        elif len(items) > 1 and all(not it.is_prop() for it in items):
            problem.answer = Node("tuple", tuple(items), "", answer.start, answer.end)
            problem.answer.meta["list"] = "1"
        elif items:
            problem.answer = Node("hole", (), latex, answer.start, answer.end)
        del seg

    # -- sentences -----------------------------------------------------------------------------
    def _sentences(self, skel: Skeleton) -> list[str]:
        text = skel.text
        # a sentence can end inside mathematics: "$x = 3.$ What is …"
        for seg in skel.segments:
            if not seg.synthetic and seg.latex.rstrip().endswith((".", "?")):
                text = text.replace(f"§{seg.id}§", f"§{seg.id}§ ¶", 1)
        parts = re.split(
            r"(?<=[.?!])\s+(?=[A-Z(\\\"'`]|$)|(?<=[.?!])\s+(?=§\d+§\s+[A-Za-z])|\n\s*\n|¶", text
        )
        out: list[str] = []
        for part in parts:
            s = " ".join(part.split()).strip()
            if s:
                out.append(s)
        return out

    def _new_segment(self, node: Node) -> str:
        seg = Segment(
            len(self.segments) + 1000, node.start, node.end, "", synthetic=True, items=[node]
        )
        self.segments[seg.id] = seg
        return f"§{seg.id}§"

    def _item(self, sid: str) -> Node | None:
        seg = self.segments.get(int(sid.strip("§")))
        if seg is None or len(seg.items) != 1:
            return None
        return seg.items[0]

    def _apply_templates(self, s: str, templates: tuple[Template, ...], *, prop: bool) -> str:
        for _ in range(MAX_REWRITES):
            changed = False
            for tpl in templates:
                m = tpl.regex.search(s)
                if m is None:
                    continue
                slots: dict[str, Node] = {}
                ok = True
                for name, value in m.groupdict().items():
                    if value is None or len(name) != 1:
                        continue
                    node = self._item(value)
                    if node is None or node.is_prop():
                        ok = False
                        break
                    slots[name] = node
                if not ok or not slots:
                    continue
                if tpl.when:
                    slot, _, cond = tpl.when.partition(":")
                    node = slots.get(slot)
                    if node is None or node.meta.get(cond) != "1":
                        continue
                built = self._build(tpl.latex, slots)
                if built is None:
                    continue
                for value in m.groupdict().values():
                    if value is not None and value.startswith("§"):
                        seg = self.segments.get(int(value.strip("§")))
                        if seg is not None:
                            seg.used = True
                if tpl.meta:
                    built.meta[tpl.meta] = "1"
                prefix = tpl.prefix + " " if tpl.prefix else ""
                s = s[: m.start()] + prefix + self._new_segment(built) + s[m.end() :]
                changed = True
                break
            if not changed:
                break
        return s

    def _build(self, latex: str, slots: dict[str, Node]) -> Node | None:
        env = ParseEnv(functions=self.env.functions, values=self.env.values, slots=slots)
        toks = self.tokenizer.tokenize(latex, 0)
        for t in toks:
            t.start = t.end = -1
        items = parse_items(toks, self.vocab, env, "", 0, post=recognize)
        if len(items) != 1 or items[0].kind == "hole":
            return None
        node = items[0]
        starts = [n.start for n in slots.values() if n.start >= 0]
        ends = [n.end for n in slots.values() if n.end >= 0]
        if starts:
            node.start, node.end = min(starts), max(ends)
        return node

    def _interpret(self, sentence: str) -> None:
        s = sentence
        if _NOTATION.search(s) and not _QUESTION_START.search(s):
            return  # "let n! denote the product 1 · 2 ⋯ n": notation the vocabulary knows
        s = _FILLER.sub(r"\1", s)
        s = self._apply_templates(s, self.phr.terms, prop=False)
        s = self._for_some(s)
        s = self._math_declarations(s)
        s, question = self._question(s)
        s = self._declarations(s)
        s = self._roots(s)
        s = self._apply_templates(s, self.phr.props, prop=True)
        s = self._exists(s)
        self._roles(s, question)

    # declarations written as mathematics: x \in \mathbb{R}, f : \mathbb{N} \to \mathbb{N}
    def _math_declarations(self, s: str) -> str:
        for sid in PLACEHOLDER.findall(s):
            seg = self.segments.get(int(sid))
            if seg is None:
                continue
            rest: list[Node] = []
            items = seg.items
            for k, item in enumerate(items):
                if (
                    item.kind == "rel"
                    and item.value == "∈"
                    and item.args[1].kind == "numset"
                    and item.args[0].kind == "var"
                    and k > 0
                    and all(x.kind == "var" for x in items[:k])
                    and len(rest) == k
                ):
                    # "a, b \in \N": the list before the last name shares its set
                    for x in items[:k]:
                        self._declare(x.value, item.args[1].value, (), "theorem", x.start, x.end)
                    rest = []
                if self._declare_math(item):
                    seg.used = True
                    continue
                rest.append(item)
            if len(rest) != len(seg.items):
                seg.items = rest
                if not rest:
                    s = s.replace(f"§{sid}§", " ")
        return s

    def _declare_math(self, item: Node) -> bool:
        if item.kind == "rel" and item.value == "∈" and item.args[1].kind == "numset":
            names = item.args[0].args if item.args[0].kind == "tuple" else (item.args[0],)
            if all(n.kind == "var" for n in names):
                for n in names:
                    self._declare(n.value, item.args[1].value, (), "theorem", n.start, n.end)
                return True
        if item.kind == "rel" and item.value == ":" and item.args[0].kind == "var":
            ty = _type_text(item.args[1])
            if ty:
                self._declare(item.args[0].value, ty, (), "theorem", item.start, item.end)
                if "→" in ty:
                    self.env.functions.add(item.args[0].value)
                return True
        if item.kind == "and":
            parts = [item.args[0], item.args[1]]
            if all(
                p.kind == "rel" and p.value == "∈" and p.args[1].kind == "numset" for p in parts
            ):
                for p in parts:
                    self._declare_math(p)
                return True
        return False

    def _declare(
        self, name: str, ty: str, facts: tuple[str, ...], scope: str, start: int, end: int
    ) -> None:
        decl = self.problem.decls.get(name)
        if decl is None:
            self._decl_order += 1
            self.problem.decls[name] = Decl(name, ty, facts, scope, self._decl_order, start, end)
            return
        if ty and not decl.ty:
            decl.ty = ty
        decl.facts = tuple(dict.fromkeys(decl.facts + facts))
        if scope == "theorem":
            decl.scope = "theorem"

    def _var_prefix(self, text: str) -> tuple[list[tuple[str, int, int]], int]:
        """The variables at the start of a placeholder list, and how much text they cover."""
        out: list[tuple[str, int, int]] = []
        end = 0
        for m in PLACEHOLDER.finditer(text):
            seg = self.segments.get(int(m.group(1)))
            if seg is None or not seg.items:
                break
            names: list[tuple[str, int, int]] = []
            for item in seg.items:
                for n in item.args if item.kind == "tuple" else (item,):
                    if n.kind != "var":
                        return out, end
                    names.append((n.value, n.start, n.end))
            out.extend(names)
            end = m.end()
        return out, end

    def _varlist(self, text: str) -> list[tuple[str, int, int]] | None:
        out: list[tuple[str, int, int]] = []
        for sid in PLACEHOLDER.findall(text):
            seg = self.segments.get(int(sid))
            if seg is None:
                return None
            for item in seg.items:
                names = item.args if item.kind == "tuple" else (item,)
                for n in names:
                    if n.kind != "var":
                        return None
                    out.append((n.value, n.start, n.end))
        return out or None

    def _declarations(self, s: str) -> str:
        tp = self.phr.type_phrase.pattern
        forms = [
            # x and y are positive integers / let x be a real number
            (
                rf"(?P<vars>{_VARLIST}),? (?:be|is|are|denotes?|represents?) (?:an? |two |three |four |some |any )?(?P<type>{tp})",
                "theorem",
            ),
            # for all positive real numbers x and y
            (
                rf"(?P<q>for all|for any|for every|for each|for|given|consider|if|let|suppose|assume) (?:an? |two |three |four |some |any |all |every |each )?(?P<type>{tp}),? (?P<vars>{_VARLIST})",
                "forall",
            ),
            # Integers x and y with …
            (rf"^(?:the |an? |two |three |four )?(?P<type>{tp}) (?P<vars>{_VARLIST})", "theorem"),
            # x is a positive integer (no article: "where x is real")
            (rf"(?P<vars>{_VARLIST}) (?:in|among|from|of) (?:the )?(?P<type>{tp})", "theorem"),
            # "Let p be a prime and a an integer": the verb of the first declaration
            (rf"\band (?P<vars>{_VARLIST}),? (?:an? |two |three |four )(?P<type>{tp})", "theorem"),
        ]
        for pattern, scope in forms:
            for _ in range(6):
                m = re.search(pattern, s, re.I)
                if m is None:
                    break
                names, used = self._var_prefix(m.group("vars"))
                tm = self.phr.type_phrase.search(m.group("type"))
                if not names or tm is None:
                    break
                match_end = m.start("vars") + used if m.end() == m.end("vars") else m.end()
                phrase = self.phr.type_of(tm.group("adjs"), tm.group("noun"))
                if phrase is None:
                    break
                q = (m.groupdict().get("q") or "").lower()
                sc = "forall" if scope == "forall" and q.startswith("for") else "theorem"
                for name, start, end in names:
                    self._declare(name, phrase.type, phrase.facts, sc, start, end)
                if "distinct" in phrase.facts and len(names) > 1:
                    for i, (a, _, _) in enumerate(names):
                        for b, _, _ in names[i + 1 :]:
                            self.problem.hyps.append(rel("≠", var(a), var(b)))
                for sid in PLACEHOLDER.findall(s[m.start("vars") : m.start("vars") + used]):
                    seg = self.segments.get(int(sid))
                    if seg is not None:
                        seg.used = True
                keep = q if q in ("if", "let", "suppose", "assume", "given", "consider") else ""
                if pattern.startswith("^") and re.match(r"\s*(?:is|are)\b", s[match_end:]):
                    # "A natural number n is even if …": n stays the subject
                    keep = s[m.start("vars") : m.start("vars") + used]
                s = s[: m.start()] + " " + keep + " " + s[match_end:]
                s = " ".join(s.split())
        return s

    # "a and b are the roots of 2x^2 - 7x + 2 = 0" -----------------------------------------
    def _roots(self, s: str) -> str:
        """Roots of a polynomial: f x = P for every x, f r = 0 for each root, distinct roots.
        The polynomial is an equation P = 0, an expression, or a definition p(x) = P."""
        lead = r"(?:the )?(?:quadratic |cubic |polynomial )?(?:equation |polynomial |expression |function )?"
        kinds = r"(?:roots|solutions|zeros|zeroes)"
        forms = [
            rf"(?P<R>{_VARLIST}) (?:are|be) (?:the )?(?:two |three )?(?P<d>distinct )?(?:real )?{kinds} of {lead}(?P<P>§\d+§)",
            rf"{lead}(?P<P>§\d+§) has (?:the )?(?:two |three )?(?P<d>distinct )?(?:real )?{kinds} (?P<R>{_VARLIST})",
            rf"the {kinds} of {lead}(?P<P>§\d+§) are (?P<R>{_VARLIST})",
        ]
        for form in [f for f in forms for _ in range(3)]:
            m = re.search(form, s, re.I)
            if m is None:
                continue
            poly = self._item(m.group("P"))
            roots: list[Node] = []
            for sid in PLACEHOLDER.findall(m.group("R")):
                seg = self.segments.get(int(sid))
                if seg is None or len(seg.items) != 1 or seg.items[0].is_prop():
                    roots = []
                    break
                item = seg.items[0]
                roots.extend(item.args if item.kind == "tuple" else (item,))
            if poly is None or len(roots) < 2:
                continue
            defined = self._polynomial(poly, roots)
            if defined is None:
                continue
            f, x, body = defined
            hyps: list[Node] = []
            fixed: list[Node] = []
            hyps.append(rel("=", Node("call", (var(f), var(x))), body) if body else poly)
            for r in roots:
                fixed.append(rel("=", Node("call", (var(f), r)), Node("num", (), "0")))
            explicit = bool(m.groupdict().get("d"))
            if explicit or all(r.kind == "var" for r in roots):
                for i, a in enumerate(roots):
                    for b in roots[i + 1 :]:
                        fixed.append(rel("≠", a, b))
            for h in fixed:
                h.meta["fixed"] = "1"  # about these roots, not every value
            hyps.extend(fixed)
            self.problem.hyps.extend(hyps)
            for sid in PLACEHOLDER.findall(m.group(0)):
                seg = self.segments.get(int(sid))
                if seg is not None:
                    seg.used = True
            s = " ".join((s[: m.start()] + " " + s[m.end() :]).split())
        return s

    def _polynomial(self, poly: Node, roots: list[Node]) -> tuple[str, str, Node | None] | None:
        """(function name, its variable, its body or None when already defined)."""
        if (
            poly.kind == "rel"
            and poly.value == "="
            and poly.args[0].kind == "call"
            and len(poly.args[0].args) == 2
            and poly.args[0].args[0].kind == "var"
            and poly.args[0].args[1].kind == "var"
        ):
            # p(x) = x^2 + a x + b: p is defined where it is read
            return poly.args[0].args[0].value, poly.args[0].args[1].value, None
        body = poly
        if poly.kind == "rel" and poly.value == "=":
            a, b = poly.args
            if b.kind == "num" and b.value == "0":
                body = a
            elif a.kind == "num" and a.value == "0":
                body = b
            else:
                return None
        if body.is_prop():
            return None
        in_roots = {v for r in roots for v in free_vars(r)}
        names = [v for v in free_vars(body) if v not in in_roots and v not in self.env.functions]
        x = "x" if "x" in names else (names[0] if len(names) == 1 else "")
        if not x:
            return None
        taken = set(self.env.functions) | set(self.problem.decls)
        f = next(n for n in ("f", "g", "h", "p", "q", "F") if n not in taken and n != x)
        self.env.functions.add(f)
        return f, x, body

    # "n = 2m for some m \in \N" ------------------------------------------------------------
    def _for_some(self, s: str) -> str:
        """A statement followed by "for some <type> x" or "for some x ∈ S" holds for some x:
        an existential around it."""
        tp = self.phr.type_phrase.pattern
        pattern = re.compile(
            rf"(?P<P>§\d+§),? for (?:some|at least one|a suitable) (?:(?P<type>{tp}) )?(?P<vars>{_VARLIST})",
            re.I,
        )
        for _ in range(4):
            m = pattern.search(s)
            if m is None:
                break
            body = self._item(m.group("P"))
            if body is None or not body.is_prop():
                break
            names: list[str] = []
            bty = ""
            for sid in PLACEHOLDER.findall(m.group("vars")):
                seg = self.segments.get(int(sid))
                for item in seg.items if seg is not None else []:
                    if item.kind == "rel" and item.value == "∈" and item.args[1].kind == "numset":
                        bty = item.args[1].value
                        item = item.args[0]
                    for n in item.args if item.kind == "tuple" else (item,):
                        if n.kind == "var":
                            names.append(n.value)
                        else:
                            names = []
                            break
            if not names:
                break
            s = self._bind(s, m, names, body, "exists", bty)
        return s

    # "there is a unique integer k such that P" -------------------------------------------
    def _exists(self, s: str) -> str:
        tp = self.phr.type_phrase.pattern
        pattern = re.compile(
            rf"there (?:is|are|exists?|exist) (?P<uniq>a unique |exactly one |only one |one )?"
            rf"(?:an? |some )?(?:(?P<type>{tp}) )?(?P<vars>{_VARLIST}),? "
            rf"(?:such that|for which|with|satisfying|so that|where) (?P<P>§\d+§)",
            re.I,
        )
        for _ in range(4):
            m = pattern.search(s)
            if m is None:
                break
            names = self._varlist(m.group("vars"))
            body = self._item(m.group("P"))
            if names is None or body is None or not body.is_prop():
                break
            kind = "exists1" if m.group("uniq") else "exists"
            s = self._bind(s, m, [name for name, _, _ in names], body, kind, "")
        return s

    def _bind(
        self, s: str, m: re.Match[str], names: list[str], body: Node, kind: str, bty: str
    ) -> str:
        """``s`` with the match ``m`` replaced by ``body`` bound by ``kind`` (∃, ∃!) over
        ``names``, typed and constrained by the match's type phrase ("positive integer")."""
        phrase = None
        if m.group("type"):
            tm = self.phr.type_phrase.search(m.group("type"))
            if tm is not None:
                phrase = self.phr.type_of(tm.group("adjs"), tm.group("noun"))
        facts: list[Node] = []
        if phrase is not None:
            bty = phrase.type or bty
            for name in names:
                for f in phrase.facts:
                    fact = self._fact(f, name)
                    if fact is not None:
                        facts.append(fact)
        inner = conj([*facts, body]) or body
        for name in reversed(names):
            inner = Node(kind, (inner,), name, body.start, body.end, bty=bty)
        for sid in PLACEHOLDER.findall(m.group(0)):
            seg = self.segments.get(int(sid))
            if seg is not None:
                seg.used = True
        return s[: m.start()] + self._new_segment(inner) + s[m.end() :]

    def _fact(self, name: str, x: str) -> Node | None:
        latex = self.phr.facts.get(name)
        if not latex:
            return None
        return self._build(latex, {"x": var(x)})

    # questions ----------------------------------------------------------------------------
    def _question(self, s: str) -> tuple[str, Question | None]:
        for tpl in self.phr.questions:
            m = tpl.regex.search(s)
            if m is None:
                continue
            groups = m.groupdict()
            q = Question(tpl.kind)
            if groups.get("E"):
                node = self._item(groups["E"])
                if node is None:
                    continue
                q.term = node
                seg = self.segments.get(int(groups["E"].strip("§")))
                if seg is not None:
                    seg.used = True
                if tpl.kind == "value" and node.is_prop():
                    # "Solve x + 1 = 3", "Find x such that …"
                    self.problem.hyps.append(node)
                    q.kind = "solve"
                    q.term = None
                if tpl.kind == "value" and node.kind == "var":
                    q.kind = "solve"
                    q.var = node.value
                    q.term = None
                if (
                    tpl.kind == "value"
                    and node.kind == "tuple"
                    and all(a.kind == "var" for a in node.args)
                ):
                    q.kind = "solve"
                    q.var = ",".join(a.value for a in node.args)
                    q.term = None
            if groups.get("X"):
                names = self._varlist(groups["X"])
                if names is None:
                    if tpl.kind in ("least", "greatest", "count") and groups.get("X"):
                        continue
                    continue
                q.var = ",".join(n for n, _, _ in names)
                seg = self.segments.get(int(groups["X"].strip("§")))
                if seg is not None:
                    seg.used = True
            if tpl.kind in ("least", "greatest", "count"):
                words = (groups.get("T") or "").strip()
                tm = self.phr.type_phrase.search(words) if words else None
                if tm is not None:
                    q.var_type = self.phr.type_of(tm.group("adjs"), tm.group("noun"))
                elif words and words not in ("value", "values", "possible"):
                    tm = None
            if tpl.kind in ("least", "greatest", "count") and not q.var:
                # the variable is the one the condition is about
                rest_ids = PLACEHOLDER.findall(s[m.end() :])
                found = None
                for sid in rest_ids:
                    item = self._item(f"§{sid}§")
                    if item is not None and item.is_prop():
                        fv = [v for v in free_vars(item) if v not in self.env.functions]
                        if len(fv) >= 1:
                            found = fv[0]
                            break
                if found is None:
                    continue
                q.var = found
            self.problem.questions.append(q)
            remainder = s[: m.start()] + " " + s[m.end() :]
            if tpl.kind in ("least", "greatest", "count"):
                rest = s[m.end() :]
                inverted = re.match(r"\s*(§\d+§) (?!is\b|are\b)(.+)", rest)
                if re.search(r"\b(?:is|are)$", m.group(0)) and inverted:
                    # "for how many x is A less than B": the question inverts "A is …"
                    item = self._item(inverted.group(1))
                    if item is not None and not item.is_prop():
                        rest = f" {inverted.group(1)} is {inverted.group(2)}"
                remainder = s[: m.start()] + " ⟦cond⟧ " + rest
            return " ".join(remainder.split()), q
        return s, None

    # roles --------------------------------------------------------------------------------
    def _roles(self, s: str, question: Question | None) -> None:
        """Read a sentence left to right: markers set the role of the mathematics that
        follows (hypothesis, claim, question); "for …" and "if …" after a statement make
        conditions of it; "or" joins; "such that A," inside a claim returns to the claim."""
        markers = self.phr.markers
        table: list[tuple[list[str], str]] = []
        for role_name in ("claim", "question", "hypothesis"):
            for word in markers.get(role_name, ()):
                table.append((word.split(), role_name))
        table.sort(key=lambda x: -len(x[0]))
        words = re.findall(r"§\d+§|⟦cond⟧|[\w'-]+|[^\s\w]", s)
        lower = [w.lower() for w in words]
        st = _RoleState()
        if lower and any(lower[0] == parts[0] for parts, r in table if r == "question"):
            st.role = st.base = "question"
        i = 0
        while i < len(words):
            w = words[i]
            low = lower[i]
            if w == "⟦cond⟧":
                st.cond_mode = True
                i += 1
                continue
            if lower[i : i + 4] == ["if", "and", "only", "if"]:
                st.pending = "iff"
                i += 4
                continue
            if (
                low in ("if", "when", "whenever", "provided")
                and st.last is not None
                and not st.cond_mode
            ):
                st.pending = "if"
                i += 1
                continue
            if low == "for" and lower[i + 1 : i + 2] != ["which"]:
                st.pending = "for"
                i += 1
                continue
            matched = False
            for parts, r in table:
                if lower[i : i + len(parts)] == parts:
                    self._marker(st, parts, r)
                    i += len(parts)
                    matched = True
                    break
            if matched:
                continue
            if low == "or":
                st.pending = "or"
                i += 1
                continue
            if low == "," and st.temp and st.placed_since_marker:
                st.role, st.temp = st.base, False
                st.pending = ""
            if low == "," and st.pending in ("for", "if"):
                st.pending = ""
            if not w.startswith("§"):
                if low not in (
                    "and",
                    ",",
                    "that",
                    "the",
                    "we",
                    "a",
                    "an",
                    "all",
                    "every",
                    "each",
                    "any",
                    "either",
                    "both",
                ):
                    st.words.append(low)
                i += 1
                continue
            seg = self.segments.get(int(w.strip("§")))
            i += 1
            if seg is None:
                continue
            for item in seg.items:
                self._place(item, seg, st, question)
            st.words = []
        if st.conditions:
            # "Find the minimum value of E for 0 < x < π": a condition with nothing after it
            # to govern is a hypothesis of the whole statement
            self.problem.hyps.extend(st.conditions)
            st.conditions = []

    def _marker(self, st: _RoleState, parts: list[str], role: str) -> None:
        if st.cond_mode and role == "hypothesis":
            return
        if role == "claim" and parts == ["then"] and st.base == "question":
            return
        if role == "hypothesis" and st.base in ("claim", "question"):
            st.temp = True
        else:
            st.base = role
            st.temp = False
        st.role = role
        st.marked = True
        st.words = []
        st.placed_since_marker = False
        if st.pending in ("for", "if"):
            st.pending = ""

    def _bucket(self, st: _RoleState, question: Question | None) -> list[Node]:
        if st.cond_mode and question is not None:
            return question.conditions
        if st.role == "claim":
            return self.problem.claims
        return self.problem.hyps

    def _place(self, item: Node, seg: Segment, st: _RoleState, question: Question | None) -> None:
        problem = self.problem
        pending, st.pending = st.pending, ""
        if item.is_prop():
            seg.used = True
            if pending in ("for", "if") and st.last is not None:
                bucket, idx = st.last
                if idx < len(bucket):
                    prev = bucket[idx]
                    node = Node("implies", (item, prev), "", item.start, prev.end)
                    node.meta["cond"] = "1"
                    if "unmarked" in prev.meta:
                        node.meta["unmarked"] = prev.meta["unmarked"]
                    bucket[idx] = node
                    st.pending = pending if pending == "if" else ""
                    return
            if pending == "for" and st.last is None:
                st.conditions.append(item)
                return
            bucket = self._bucket(st, question)
            if pending in ("or", "iff") and st.last is not None and st.last[0] is bucket and bucket:
                prev = bucket.pop()
                kind = "or" if pending == "or" else "iff"
                joined = Node(kind, (prev, item), "", prev.start, item.end)
                if "unmarked" in prev.meta:
                    joined.meta["unmarked"] = prev.meta["unmarked"]
                bucket.append(joined)
                st.last = (bucket, len(bucket) - 1)
                return
            if st.role == "question" and not st.cond_mode and question is None:
                # "Solve 2x + 3 = 7", "Find x such that …"
                problem.hyps.append(item)
                st.last = (problem.hyps, len(problem.hyps) - 1)
                if not problem.questions:
                    problem.questions.append(Question("solve"))
                return
            if st.conditions:
                cond = conj(st.conditions)
                st.conditions = []
                if cond is not None:
                    item = Node(
                        "implies", (cond, item), "", cond.start, item.end, meta={"cond": "1"}
                    )
            if bucket is problem.hyps and not st.marked and not st.cond_mode:
                item.meta["unmarked"] = str(self._sentence)
            bucket.append(item)
            st.last = (bucket, len(bucket) - 1)
            st.placed_since_marker = True
            return
        if item.kind == "hole":
            return
        if st.role == "question" and not st.cond_mode and question is None and not seg.synthetic:
            if set(st.words) - _QUESTION_FILLER:
                if _is_mention(item):
                    seg.used = True
                return
            seg.used = True
            if item.kind == "var":
                problem.questions.append(Question("solve", var=item.value))
                # "Find the positive integer n for which …": the words type the unknown
                tm = self.phr.type_phrase.search(" ".join(st.words))
                phrase = self.phr.type_of(tm.group("adjs"), tm.group("noun")) if tm else None
                if phrase is not None and phrase.type:
                    self._declare(
                        item.value, phrase.type, phrase.facts, "theorem", item.start, item.end
                    )
            elif item.kind == "tuple" and all(a.kind == "var" for a in item.args):
                problem.questions.append(
                    Question("solve", var=",".join(a.value for a in item.args))
                )
            else:
                problem.questions.append(
                    Question("value", term=item, start=item.start, end=item.end)
                )
            return
        if seg.asks and question is None:
            seg.used = True
            problem.questions.append(Question("value", term=item, start=item.start, end=item.end))
            return
        if _is_mention(item):
            seg.used = True


@dataclass
class _RoleState:
    role: str = "hypothesis"
    base: str = "hypothesis"
    temp: bool = False  # a hypothesis inside a claim or question ("such that …")
    cond_mode: bool = False
    pending: str = ""  # "or", "iff", "for", "if"
    last: tuple[list[Node], int] | None = None
    placed_since_marker: bool = False
    marked: bool = False  # a role marker has been read in this sentence
    words: list[str] = field(default_factory=list)
    conditions: list[Node] = field(default_factory=list)


_QUESTION_FILLER = frozenset(
    {"value", "of", "following", "expression", "simplified", "numerical", "exact", ":", "possible",
     "values", "is", "what", "simplify", "evaluate", "compute", "find", "determine", "to", "a",
     "fraction", "common", "form", "as", "decimal", "answer", "your", "express", "positive",
     "negative", "real", "integer", "number", "result", "quantity", "final", "sum", "product",
     "pair", "ordered", "triple"}
)  # fmt: skip


# -- helpers -----------------------------------------------------------------------------------
def _sentence_no(text: str) -> int:
    return int(text) if text.isdigit() else -1


def _strip_trailing(toks: list[Tok]) -> list[Tok]:
    """Drop trailing punctuation and spacing before eof ("x = 3." → "x = 3")."""
    if not toks:
        return toks
    eof = toks[-1]
    body = toks[:-1]
    while body and body[-1].kind == "sym" and body[-1].text in ".,;?:":
        body.pop()
    return [*body, eof]


def _matching(toks: list[Tok], i: int) -> int | None:
    depth = 0
    for j in range(i, min(len(toks), i + 400)):
        t = toks[j]
        if t.kind == "sym" and t.text == "(":
            depth += 1
        elif t.kind == "sym" and t.text == ")":
            depth -= 1
            if depth == 0:
                return j
    return None


def _inverse_follows(toks: list[Tok], i: int) -> bool:
    texts = [t.text for t in toks[i : i + 6]]
    return texts[:5] == ["^", "{", "-", "1", "}"] and len(texts) > 5 and texts[5] == "("


def _lone_letter(toks: list[Tok]) -> str:
    body = [t for t in toks if t.kind != "eof"]
    if len(body) == 1 and body[0].kind == "letter":
        return body[0].text
    return ""


def _is_mention(item: Node) -> bool:
    if item.kind in ("var", "num", "numset"):
        return True
    if item.kind == "tuple":
        return all(a.kind in ("var", "num") for a in item.args)
    return bool(item.kind == "call" and all(a.kind == "var" for a in item.args))


def _type_text(node: Node) -> str:
    if node.kind == "numset":
        return node.value
    if node.kind == "fntype":
        a, b = node.args
        left, right = _type_text(a), _type_text(b)
        if left and right:
            return f"{left} → {right}"
    return ""


def _latex_of(src: str, toks: list[Tok]) -> str:
    if not toks:
        return ""
    lo, hi = toks[0].start, toks[-1].end
    if 0 <= lo <= hi <= len(src):
        return src[lo:hi]
    return ""


def _fix_dots(item: Node, reader: Reader) -> Node:
    """An ellipsis that no pattern explained makes its whole item a hole."""
    for n in item.walk():
        if n.kind == "dots":
            lo = min((x.start for x in item.walk() if x.start >= 0), default=-1)
            hi = max((x.end for x in item.walk() if x.end >= 0), default=-1)
            text = reader.src[lo:hi] if 0 <= lo <= hi <= len(reader.src) else "…"
            reader.env.notes.append(ParseNote("hole", (("what", text),), lo, hi))
            return Node("hole", (), text, lo, hi, ty="Prop" if item.is_prop() else "")
    return item


def read_statement(
    src: str, vocab: Vocabulary, macros: Mapping[str, MacroLike], functions: frozenset[str]
) -> Problem:
    return Reader(src, vocab, macros, functions).read()


def conjunction(items: list[Node]) -> Node | None:
    return conj(items)
