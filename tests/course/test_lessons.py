"""Lessons: every .ipynb is the jupytext pair of its .py (no drift), is committed without outputs, declares its
figures, and ends with an exercise.  ``test_lesson_runs_and_draws_its_figures`` executes each lesson in fast mode
with the inline backend (``make test-lessons``; marked ``lesson_run`` so the core test run skips it): any failed
claim (an assert in a cell) or fewer figures than declared fails it."""

from pathlib import Path

import jupytext
import nbformat
import pytest

from symkeras.course.lessons import declared_figures, run_lesson

LESSONS = sorted((Path(__file__).resolve().parents[2] / "lessons").glob("[0-9][0-9]_*.py"))


NUMBERS = [f"{i:02d}" for i in range(13)]


def test_the_lessons_are_numbered_in_order():
    assert [p.name[:2] for p in LESSONS] == NUMBERS


@pytest.mark.parametrize("script", LESSONS, ids=lambda p: p.stem)
def test_notebook_is_the_pair_of_its_script_and_has_no_outputs(script):
    notebook_path = script.with_suffix(".ipynb")
    assert notebook_path.exists(), f"run `jupytext --sync {script.name}`"
    committed = nbformat.read(notebook_path, as_version=4)
    from_script = jupytext.read(script)
    pairs = list(zip(committed.cells, from_script.cells))
    assert len(committed.cells) == len(from_script.cells), "cell count differs: run `jupytext --sync`"
    for i, (a, b) in enumerate(pairs):
        assert (a.cell_type, a.source) == (b.cell_type, b.source), f"cell {i} differs: run `jupytext --sync`"
    for cell in committed.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, "commit notebooks without outputs"
    assert committed.metadata.get("kernelspec", {}).get("name") == "python3"


@pytest.mark.parametrize("script", LESSONS, ids=lambda p: p.stem)
def test_lesson_uses_the_library_and_points_to_its_exercise(script):
    text = script.read_text()
    number = script.name[:2]
    assert "lesson_banner(figures=" in text, "every lesson says whether it runs in fast mode and declares its figures"
    assert declared_figures(script) >= 3, "at least three informative figures per lesson"
    assert "## Your turn" in text and f'symkeras.check("ex{number}")' in text
    exercise = sorted((script.parents[1] / "exercises").glob(f"ex{number}_*.py"))
    assert len(exercise) == 1, f"lesson {number} has no exercise file"
    assert f"](../exercises/{exercise[0].name})" in text, "the 'Your turn' cell links to its exercise file"


@pytest.mark.lesson_run
@pytest.mark.parametrize("script", LESSONS, ids=lambda p: p.stem)
def test_lesson_runs_and_draws_its_figures(script, tmp_path):
    run = run_lesson(
        script.with_suffix(".ipynb"),
        fast=True,
        out_dir=Path(__file__).resolve().parents[2] / "out" / "lessons" / "fast",
    )
    assert run.error is None, f"{script.stem} failed in fast mode: {run.error}"
    assert run.figures >= run.declared, f"{script.stem} drew {run.figures} figures but declares {run.declared}"


def test_make_lessons_shows_lessons_and_exercises_but_hides_the_py_twins():
    """`make lessons` roots JupyterLab at the repository with hide_globs: the browser lists each lesson once (its
    .ipynb) and every exercise file."""
    import fnmatch
    import json
    import re

    makefile = (Path(__file__).resolve().parents[2] / "Makefile").read_text()
    hide = json.loads(re.search(r"^HIDE := (\[.*\])$", makefile, re.M).group(1))
    assert '--ServerApp.root_dir="$(CURDIR)"' in makefile and "hide_globs='$(HIDE)'" in makefile
    hidden = lambda name: any(fnmatch.fnmatch(name, g) for g in hide)  # noqa: E731
    assert all(hidden(p.name) for p in LESSONS)
    assert not any(hidden(p.with_suffix(".ipynb").name) for p in LESSONS)
    exercises = sorted((LESSONS[0].parents[1] / "exercises").glob("ex*.py"))
    assert exercises and not any(hidden(p.name) for p in exercises)
    assert not hidden("lessons") and not hidden("exercises")
