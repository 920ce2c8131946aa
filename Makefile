# The two commands a reader needs (README.md): `make lessons` and `make test`. Each sets itself up (idempotent).
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
EXTRAS := course,test,docs,jax,torch$(if $(GPU),$(comma)gpu)
comma := ,
# Reinstall only when the dependency list (or the GPU choice) changes.
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-10)$(if $(GPU),-gpu)
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root)
export TF_CPP_MIN_LOG_LEVEL ?= 3
PYTEST := $(BIN)/python -m pytest -p no:cacheprovider

.PHONY: setup lessons lessons-run lessons-full book book-full test lint test-core test-backends test-lessons test-book \
	test-wheel bench doctor clean

setup: $(STAMP)  ## Create .venv, install, and prepare the MNIST cache (each step only once).
	@$(BIN)/python -m symkeras data prepare

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e ".[$(EXTRAS)]"
	@if [ -n "$(GPU)" ]; then $(BIN)/python -m pip uninstall -q -y tensorflow-cpu && \
	  $(BIN)/python -m pip install -q --force-reinstall --no-deps tensorflow==2.21.0; fi
	@rm -f $(VENV)/.installed-*
	@touch $@
	@echo "symkeras: environment ready in $(VENV)"

# JupyterLab rooted at the repository, opened on lessons/: exercises/ is one click away, and the lessons' jupytext
# .py twins (NN_*.py), caches and build folders are hidden from the file browser (edits still sync to them).
HIDE := ["[0-9][0-9]_*.py","__pycache__","*.pyc","*.egg-info",".ipynb_checkpoints","build","out"]
lessons: setup  ## Open the lessons in JupyterLab (full mode), with exercises/ beside them.
	$(BIN)/jupyter lab $(ROOT_FLAG) --ServerApp.root_dir="$(CURDIR)" \
	  --ContentsManager.hide_globs='$(HIDE)' --LabApp.default_url=/lab/tree/lessons/00_setup_and_tour.ipynb

lessons-run: setup  ## Headless: execute every lesson (full mode unless SYMKERAS_FAST=1) into out/lessons/<mode>/.
	$(BIN)/python -m symkeras lessons run $(if $(filter-out 0,$(SYMKERAS_FAST)),--fast,--full)

lessons-full: setup  ## Headless, full mode: every lesson with its assertions; prints wall time and figures each.
	$(BIN)/python -m symkeras lessons run --full

# The book: a static site of the overview, the executed lessons, the exercises, the results and the API reference,
# built offline into build/book/html/. It shows the lessons as executed in out/lessons/$(BOOK_MODE)/ and runs only
# those that are missing or out of date there (fast mode by default; `make book-full` for the published book).
BOOK_MODE ?= fast
book: setup  ## Build the book into build/book/html/ (lessons from out/lessons/fast/, run first if missing).
	$(BIN)/python docs/book/build.py --mode $(BOOK_MODE) --execute-missing

book-full:  ## The book with the lessons executed in full mode (out/lessons/full/).
	$(MAKE) book BOOK_MODE=full

test: lint test-core test-backends test-lessons test-book test-wheel  ## Everything CI checks (test-book reuses test-lessons').

lint: setup  ## ruff: lint and formatting (configured in pyproject.toml; .pre-commit-config.yaml runs the same).
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test-core: setup
	$(PYTEST) -n 2 --timeout 600 -m "not lesson_run and not book and not wheel" tests

test-backends: setup  ## The layer and cloning tests again under JAX and PyTorch, each in its own process.
	KERAS_BACKEND=jax $(PYTEST) -n 2 --timeout 600 -q tests/layers tests/cloning
	KERAS_BACKEND=torch $(PYTEST) -n 2 --timeout 600 -q tests/layers tests/cloning

test-lessons: setup  ## Execute every lesson in fast mode (inline figures kept in out/lessons/fast/, counted).
	$(PYTEST) -n 2 --timeout 900 -m lesson_run tests/course/test_lessons.py

test-book: setup  ## Build the book from test-lessons' notebooks (executes nothing) and open every page in Chromium.
	$(BIN)/python docs/book/build.py --mode fast
	$(PYTEST) --timeout 900 -m book tests/course/test_book.py

# A learner's path from the package alone: build the wheel (contents listed and checked), install it with [course] into
# a fresh venv outside the repository, `symkeras course init` a temp folder, run lesson 0 there (fast mode), grade ex00.
test-wheel: setup  ## The wheel in a fresh venv: course init, lesson 0, check("ex00"); prints size and times.
	$(PYTEST) --timeout 1800 -s -m wheel tests/course/test_wheel.py

bench: setup  ## Layer, training-throughput and cloning benchmarks; prints ratios, writes benchmarks/results/.
	$(BIN)/python -m symkeras bench

doctor: setup
	$(BIN)/python -m symkeras doctor

clean:
	rm -rf $(VENV) build *.egg-info
