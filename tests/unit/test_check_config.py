"""``texlean check`` reads texlean.toml or [tool.texlean] in pyproject.toml."""

from __future__ import annotations

from pathlib import Path

import pytest

from texlean.batch import config

from .check_support import codes, run_with_config, write

DOC = "\\write18{ls}\n}\n\\usepackage{minted}\n"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    write(tmp_path, {".git/HEAD": "", "doc.tex": DOC})
    return tmp_path


def test_texlean_toml_settings_and_check_table(
    capsys: pytest.CaptureFixture[str], project: Path
) -> None:
    _, out, _ = run_with_config(capsys, str(project / "doc.tex"))
    before = codes(out)
    assert ("doc.tex:1", "SEC101") in before and ("doc.tex:3", "SEC107") in before
    write(
        project,
        {
            "texlean.toml": 'assumeShellEscape = "enabled"\nignore = ["STR001"]\n'
            'rules = {SEC107 = "off"}\n[check]\nfail-on = "error"\nexclude = ["skip"]\n',
            "skip/x.tex": "}\n",
        },
    )
    status, out, err = run_with_config(capsys, str(project))
    assert err == ""
    assert codes(out) == [("doc.tex:1", "SEC101")]
    assert out.split()[1] == "error"  # graded under -shell-escape
    assert status == 1
    # flags win over the file
    status, out, _ = run_with_config(
        capsys, "--fail-on", "never", "--select", "STR001", str(project)
    )
    assert status == 0 and codes(out) == [("doc.tex:2", "STR001")]


def test_pyproject_tool_table(capsys: pytest.CaptureFixture[str], project: Path) -> None:
    write(
        project,
        {
            "pyproject.toml": '[project]\nname = "x"\n[tool.texlean]\nignore = ["SEC101", "SEC107"]\n'
        },
    )
    _, out, _ = run_with_config(capsys, str(project / "doc.tex"))
    assert codes(out) == [("doc.tex:2", "STR001")]


def test_pyproject_without_the_table_is_not_a_config(project: Path) -> None:
    write(project, {"pyproject.toml": '[project]\nname = "x"\n'})
    assert config.find(project) is None


def test_bad_value_is_reported_and_the_default_used(
    capsys: pytest.CaptureFixture[str], project: Path
) -> None:
    write(
        project,
        {"texlean.toml": 'assumeShellEscape = "sometimes"\nfrobnicate = 1\n[check]\njobs = 0\n'},
    )
    status, out, err = run_with_config(capsys, str(project / "doc.tex"))
    lines = err.splitlines()
    assert len(lines) == 3
    assert (
        "assumeShellEscape" in lines[0] and "'sometimes'" in lines[0] and "restricted" in lines[0]
    )
    assert "frobnicate" in lines[1]
    assert "check.jobs" in lines[2]
    assert ("doc.tex:1", "SEC101") in codes(out)
    assert status == 1


def test_unreadable_syntax_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], project: Path
) -> None:
    write(project, {"texlean.toml": "this is = = not toml\n"})
    status, out, err = run_with_config(capsys, str(project / "doc.tex"))
    assert status == 2 and out == ""
    assert "not valid TOML" in err


def test_explicit_config_and_no_config(
    capsys: pytest.CaptureFixture[str], project: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    elsewhere = tmp_path_factory.mktemp("conf") / "strict.toml"
    elsewhere.write_text('ignore = ["SEC101", "SEC107"]\n', encoding="utf-8")
    _, out, _ = run_with_config(capsys, "--config", str(elsewhere), str(project / "doc.tex"))
    assert codes(out) == [("doc.tex:2", "STR001")]
    status, _, err = run_with_config(capsys, "--config", str(project / "none.toml"), str(project))
    assert status == 2 and "is not a file" in err
    write(project, {"texlean.toml": 'ignore = ["SEC101"]\n'})
    _, out, _ = run_with_config(capsys, "--no-config", str(project / "doc.tex"))
    assert ("doc.tex:1", "SEC101") in codes(out)


def test_search_stops_at_the_repository(tmp_path: Path) -> None:
    write(tmp_path, {"texlean.toml": "", "repo/.git/HEAD": "", "repo/a/doc.tex": ""})
    assert config.find(tmp_path / "repo" / "a") is None
    write(tmp_path, {"repo/texlean.toml": ""})
    assert config.find(tmp_path / "repo" / "a") == (tmp_path / "repo" / "texlean.toml").resolve()


def test_sizes() -> None:
    assert config.parse_size("20MB") == 20 * 1024 * 1024
    assert config.parse_size("512k") == 512 * 1024
    assert config.parse_size(1000) == 1000
    assert config.parse_size(2, 1024 * 1024) == 2 * 1024 * 1024
    with pytest.raises(ValueError):
        config.parse_size("big")
