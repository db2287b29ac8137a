# texlean — developer entry points. Every target sets up .venv when it is missing.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: setup messages demo test lint unit e2e bench vsix clean groundtruth

$(STAMP): pyproject.toml setup.py server/texlean/_speedups.c
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	@touch $(STAMP)

# gettext catalogs: .po in git, .mo compiled here (an editable install may skip build_py)
PO := $(wildcard server/texlean/locale/*/LC_MESSAGES/texlean.po)
MO := $(PO:.po=.mo)
$(MO): %.mo: %.po $(STAMP)
	$(BIN)/python -m texlean.i18n.build $<

setup: $(STAMP) $(MO)

## messages: regenerate locale/texlean.pot from grammars/ and merge it into every .po
messages: setup
	$(BIN)/python -m texlean.i18n.extract --update

## demo: check the example documents (a harmless-but-scary one and an ordinary one)
demo: setup
	@echo "== texlean check examples/ =="
	@$(BIN)/texlean check examples/; status=$$?; \
	  echo "(exit status $$status: 0 clean, 1 findings at warning or above, 2 usage/IO error)"; \
	  test $$status -le 1
	@echo "== texlean formalize examples/theorems.tex =="; $(BIN)/texlean formalize examples/theorems.tex; test $$? -le 1

## test: lint, then every test suite
test: lint
	$(BIN)/python -m pytest

lint: setup
	$(BIN)/ruff check server tests bench
	$(BIN)/mypy

unit: setup
	$(BIN)/python -m pytest tests/unit

e2e: setup
	$(BIN)/python -m pytest tests/e2e

## vsix: the VS Code extension, client-vscode/texlean.vsix (Node 20+ and npm: npm ci,
## strict type check, the extension's unit tests, esbuild bundle, vsce package)
vsix:
	cd client-vscode && npm ci --no-audit --no-fund && npm test && npm run package
	@echo "install it with: code --install-extension client-vscode/texlean.vsix"

## bench: latency, throughput and memory figures (not tests; prints medians and ratios)
bench: setup
	$(BIN)/python bench/run.py

## groundtruth: compile tests/groundtruth/cases with real TeX Live in a sandbox and compare
## with texlean (needs TeX Live; minutes; not part of test; writes tests/groundtruth/report.md)
groundtruth: setup
	$(BIN)/python tests/groundtruth/run_groundtruth.py

clean:
	rm -rf $(VENV) build *.egg-info .mypy_cache .ruff_cache .pytest_cache
