"""Settings validation (texlean.settings): a bad value never raises, keeps the default,
and is reported as a Problem."""

from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from texlean import messages
from texlean.settings import Settings, parse, to_json


def test_nothing_gives_the_defaults() -> None:
    for raw in (None, {}):
        s, problems = parse(raw)
        assert s == Settings()
        assert problems == []


def test_defaults() -> None:
    s = Settings()
    assert s.diagnostics.trigger == "change"
    assert s.diagnostics.debounce_ms == 150
    assert s.diagnostics.mode == "auto"
    assert s.diagnostics.max_count == 1000
    assert s.analysis.timeout_ms == 1000
    assert s.assume_shell_escape == "restricted"
    assert s.assume_engine == "any"
    assert dict(s.rules) == {}
    assert s.ignore == ()


def test_a_full_valid_object() -> None:
    raw = {
        "diagnostics": {"trigger": "save", "debounceMs": 0, "mode": "pull", "maxCount": 5},
        "analysis": {"timeoutMs": 250},
        "assumeShellEscape": "enabled",
        "assumeEngine": "lualatex",
        "rules": {"SEC401": "error", "unmatched-close-brace": "off"},
        "ignore": ["STR002", "pipe-input"],
    }
    s, problems = parse(raw)
    assert problems == []
    assert s.diagnostics.trigger == "save"
    assert s.diagnostics.debounce_ms == 0
    assert s.diagnostics.mode == "pull"
    assert s.diagnostics.max_count == 5
    assert s.analysis.timeout_ms == 250
    assert s.assume_shell_escape == "enabled"
    assert s.assume_engine == "lualatex"
    # rule names are resolved to codes
    assert dict(s.rules) == {"SEC401": "error", "STR001": "off"}
    assert s.ignore == ("STR002", "SEC102")
    # and the JSON spelling round-trips
    again, problems = parse(to_json(s))
    assert problems == [] and again == s


def test_texlean_wrapper_is_accepted() -> None:
    s, problems = parse({"texlean": {"assumeEngine": "xelatex"}})
    assert problems == []
    assert s.assume_engine == "xelatex"


def test_integral_float_is_an_integer() -> None:
    s, problems = parse({"diagnostics": {"debounceMs": 20.0}})
    assert problems == [] and s.diagnostics.debounce_ms == 20


@pytest.mark.parametrize(
    ("raw", "path", "default"),
    [
        ({"diagnostics": {"debounceMs": -1}}, "diagnostics.debounceMs", "150"),
        ({"diagnostics": {"debounceMs": 60_001}}, "diagnostics.debounceMs", "150"),
        ({"diagnostics": {"debounceMs": "100"}}, "diagnostics.debounceMs", "150"),
        ({"diagnostics": {"debounceMs": True}}, "diagnostics.debounceMs", "150"),
        ({"diagnostics": {"debounceMs": 1.5}}, "diagnostics.debounceMs", "150"),
        ({"diagnostics": {"debounceMs": math.inf}}, "diagnostics.debounceMs", "150"),
        ({"diagnostics": {"debounceMs": -math.inf}}, "diagnostics.debounceMs", "150"),
        ({"diagnostics": {"debounceMs": math.nan}}, "diagnostics.debounceMs", "150"),
        ({"diagnostics": {"debounceMs": 10**40}}, "diagnostics.debounceMs", "150"),
        ({"diagnostics": {"maxCount": 0}}, "diagnostics.maxCount", "1000"),
        ({"diagnostics": {"trigger": "type"}}, "diagnostics.trigger", "'change'"),
        ({"diagnostics": {"mode": ["push"]}}, "diagnostics.mode", "'auto'"),
        ({"analysis": {"timeoutMs": 5}}, "analysis.timeoutMs", "1000"),
        ({"assumeShellEscape": "yes"}, "assumeShellEscape", "'restricted'"),
        ({"assumeEngine": "pdftex"}, "assumeEngine", "'any'"),
        ({"assumeEngine": 3}, "assumeEngine", "'any'"),
        ({"rules": {"SEC999": "error"}}, "rules", "{}"),
        ({"rules": {"SEC101": "loud"}}, "rules", "{}"),
        ({"rules": ["SEC101"]}, "rules", "{}"),
        ({"ignore": "STR001"}, "ignore", "()"),
        ({"ignore": ["nope"]}, "ignore", "()"),
        ({"diagnostics": 3}, "diagnostics", "defaults"),
        ({"diagnostics": [1]}, "diagnostics", "defaults"),
    ],
)
def test_bad_values_keep_the_default_and_are_reported(
    raw: dict[str, Any], path: str, default: str
) -> None:
    s, problems = parse(raw)
    assert s == Settings()
    assert len(problems) == 1
    p = problems[0]
    assert p.path == path
    assert p.default == default
    assert not p.unknown
    assert p.key == "settings-invalid"
    text = messages.render(p.key, p.params)
    assert path in text and "invalid" in text


def test_a_bad_value_does_not_spoil_the_good_ones() -> None:
    s, problems = parse(
        {"diagnostics": {"debounceMs": "slow", "trigger": "save"}, "assumeEngine": "xelatex"}
    )
    assert [p.path for p in problems] == ["diagnostics.debounceMs"]
    assert s.diagnostics.trigger == "save"
    assert s.diagnostics.debounce_ms == 150
    assert s.assume_engine == "xelatex"


def test_unknown_keys_are_reported() -> None:
    s, problems = parse({"colour": "red", "diagnostics": {"speed": 3, "mode": "push"}})
    assert s.diagnostics.mode == "push"
    assert sorted((p.path, p.unknown) for p in problems) == [
        ("colour", True),
        ("diagnostics.speed", True),
    ]
    assert all(p.key == "settings-unknown" for p in problems)
    assert "colour" in messages.render(problems[0].key, problems[0].params)


def test_sections_other_features_own_are_accepted() -> None:
    _, problems = parse({"server": {"x": 1}, "trace": {"server": "verbose"}, "locale": "de"})
    assert problems == []


def test_not_an_object() -> None:
    for raw in ([1, 2], "text", 3, True):
        s, problems = parse(raw)
        assert s == Settings()
        assert [p.path for p in problems] == ["texlean"]


def test_null_means_not_set() -> None:
    s, problems = parse(
        {"assumeEngine": None, "diagnostics": None, "analysis": {"timeoutMs": None}}
    )
    assert problems == []
    assert s == Settings()


def test_base_settings_are_updated_not_replaced() -> None:
    base, _ = parse({"diagnostics": {"debounceMs": 10, "trigger": "save"}})
    s, problems = parse({"diagnostics": {"debounceMs": 20}}, base)
    assert problems == []
    assert s.diagnostics.debounce_ms == 20
    assert s.diagnostics.trigger == "save"
    # a bad value keeps the base's value, which the problem names
    s, problems = parse({"diagnostics": {"debounceMs": -5}}, base)
    assert s.diagnostics.debounce_ms == 10
    assert problems[0].default == "10"


def test_long_values_are_shortened_in_problems() -> None:
    _, problems = parse({"assumeEngine": "x" * 500})
    assert len(problems[0].value) <= 60


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=10)
    | st.sampled_from(["change", "save", "push", "error", "off", "SEC101", "lualatex"]),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.sampled_from(
                [
                    "diagnostics",
                    "analysis",
                    "debounceMs",
                    "trigger",
                    "mode",
                    "maxCount",
                    "timeoutMs",
                    "assumeShellEscape",
                    "assumeEngine",
                    "rules",
                    "ignore",
                    "texlean",
                    "SEC101",
                    "x",
                ]
            ),
            inner,
            max_size=4,
        )
    ),
    max_leaves=12,
)


@settings(max_examples=400, deadline=None)
@given(json_values)
def test_parse_never_raises_and_always_gives_valid_settings(raw: Any) -> None:
    s, problems = parse(raw)
    assert isinstance(s, Settings)
    assert s.diagnostics.trigger in ("change", "save")
    assert 0 <= s.diagnostics.debounce_ms <= 60_000
    assert isinstance(s.diagnostics.debounce_ms, int)
    assert 1 <= s.diagnostics.max_count <= 100_000
    assert 10 <= s.analysis.timeout_ms <= 600_000
    assert s.assume_shell_escape in ("restricted", "enabled", "disabled")
    assert s.assume_engine in ("pdflatex", "xelatex", "lualatex", "any")
    for p in problems:
        messages.render(p.key, p.params)
