"""Plausible wrong answers, graded: each must lose the points of the function it breaks.

``wrong_exNN_topic.py`` beside this file holds the wrong answers to exercise NN as functions named
``<exercise function>__<mistake>`` (the docstring says what is wrong, from the exercise's docstring), plus
``GRADED_BY = {exercise function: [graded tests that check it]}``.  A *variant* is the reference solution with one
function replaced by one wrong answer: ``variant_source`` appends the wrong function (renamed, with the wrong module's
imports) to ``solutions/exNN_topic.py``, so the later definition wins.

:func:`grade_all` grades every variant in ONE pytest run (``symkeras grade`` with several targets: each graded test
runs once per variant of its exercise).  ``tests/test_grading_wrong.py`` asserts that each variant loses the points
of the function it breaks and keeps the others.  As a script it prints what each variant loses::

    .venv/bin/python tests/grading/wrong/grade_variants.py [VARIANT_ID ...]  # e.g. ex01:rot90_field:clockwise
"""

from __future__ import annotations

import ast
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]


@dataclass(frozen=True)
class Variant:
    exercise: str  # "ex01_equivariance"
    function: str  # the exercise function it replaces, "rot90_field"
    mistake: str  # "no_orientation_cycle"
    doc: str  # what is wrong, in words
    source: str  # the wrong function, renamed to `function`, after the wrong module's imports and helpers

    @property
    def id(self) -> str:
        return f"{self.exercise.split('_')[0]}:{self.function}:{self.mistake}"


def wrong_modules() -> dict[str, Path]:
    """``{exercise: path of its wrong_exNN_topic.py}``."""
    return {p.stem.removeprefix("wrong_"): p for p in sorted(HERE.glob("wrong_ex*.py"))}


def graded_by(exercise: str) -> dict[str, list[str]]:
    tree = ast.parse(wrong_modules()[exercise].read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "GRADED_BY" for t in node.targets):
            return ast.literal_eval(node.value)
    raise ValueError(f"wrong_{exercise}.py has no GRADED_BY")


def variants(exercise: str | None = None) -> list[Variant]:
    found = []
    for name, path in wrong_modules().items():
        if exercise and not name.startswith(exercise):
            continue
        text = path.read_text()
        tree = ast.parse(text)
        # carried into every variant: the wrong module's imports and its private helpers (``_name``)
        shared = "\n\n".join(
            ast.get_source_segment(text, n)
            for n in tree.body
            if isinstance(n, ast.Import)
            or isinstance(n, ast.ImportFrom)
            and n.module != "__future__"
            or isinstance(n, ast.FunctionDef)
            and n.name.startswith("_")
        )
        for node in tree.body:
            if isinstance(node, ast.FunctionDef) and "__" in node.name.strip("_"):
                function, mistake = node.name.split("__", 1)
                code = ast.get_source_segment(text, node).replace(f"def {node.name}(", f"def {function}(", 1)
                found.append(Variant(name, function, mistake, ast.get_docstring(node) or "", f"{shared}\n\n\n{code}\n"))
    return found


def solution_functions(exercise: str) -> list[str]:
    """The graded functions of an exercise: those with a ``# BEGIN SOLUTION`` block."""
    text = (ROOT / "solutions" / f"{exercise}.py").read_text()
    tree = ast.parse(text)
    return [
        n.name
        for n in tree.body
        if isinstance(n, ast.FunctionDef) and "# BEGIN SOLUTION" in ast.get_source_segment(text, n)
    ]


def variant_source(variant: Variant) -> str:
    solution = (ROOT / "solutions" / f"{variant.exercise}.py").read_text()
    return (
        f"{solution}\n\n# --- wrong variant {variant.id}: {variant.doc.splitlines()[0] if variant.doc else ''}\n"
        f"{variant.source}"
    )


def write_variant(variant: Variant, out: Path) -> Path:
    """A grading target directory holding the one variant module; returns the directory."""
    directory = out / variant.id.replace(":", "__")
    directory.mkdir(parents=True, exist_ok=True)
    (directory / f"{variant.exercise}.py").write_text(variant_source(variant))
    return directory


def grade_all(out: Path, selected=None, timeout: float | None = None) -> dict[str, dict[str, str]]:
    """Write the variants (all, or the ids in ``selected``) under ``out`` and grade them side by side in ONE pytest
    run (``--target dir1:dir2:…``: each graded test runs once per variant of its exercise), with ``solutions/`` as a
    control.  Returns ``{variant id or "solutions:<exercise>": {test: status}}``."""
    from symkeras import grading

    chosen = [v for v in variants() if selected is None or v.id in selected]
    directories = {write_variant(v, out).name: v for v in chosen}
    target = os.pathsep.join(["solutions", *(str(out / name) for name in directories)])
    report = out / "grading-report.json"
    result = grading.run(target, report=str(report), timeout=timeout, capture=True)
    if not report.exists():
        raise RuntimeError(
            f"grading the wrong variants wrote no report:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
        )
    graded: dict[str, dict[str, str]] = {}
    for exercise, entry in json.loads(report.read_text())["exercises"].items():
        for name, test in entry["tests"].items():
            base, _, param = name.partition("[")
            param = param.rstrip("]")
            key = directories[param].id if param in directories else f"{param}:{exercise}"
            graded.setdefault(key, {})[base] = test["status"]
    return graded


def main(argv=None) -> int:
    """Print, for each variant, the graded tests it loses (and any it should not)."""
    import tempfile

    selected = set(sys.argv[1:] if argv is None else argv) or None
    with tempfile.TemporaryDirectory(prefix="wrong-variants-") as out:
        graded = grade_all(Path(out), selected)
    holes = 0
    for v in variants():
        if v.id not in graded:
            continue
        mine = graded_by(v.exercise)[v.function]
        lost = [t for t in mine if graded[v.id].get(t) != "passed"]
        others = [t for t, status in graded[v.id].items() if t not in mine and status != "passed"]
        holes += not lost
        print(
            f"{v.id:<60} {'EARNS FULL MARKS' if not lost else 'loses ' + ', '.join(lost)}"
            + (f"; also loses {', '.join(others)}" if others else "")
        )
    print(f"{len([v for v in variants() if v.id in graded])} variants, {holes} earning full marks")
    return 1 if holes else 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
