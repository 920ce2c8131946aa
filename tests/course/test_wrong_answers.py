"""Plausible wrong answers lose points: every graded exercise function has at least two wrong variants
(tests/grading/wrong/wrong_exNN_*.py), and each variant — the reference solution with that one function replaced —
must lose the points of the graded tests of that function and keep all the others."""

import ast
import importlib.util
import sys
from pathlib import Path

import pytest

from symkeras import grading

_PATH = Path(__file__).parents[1] / "grading" / "wrong" / "grade_variants.py"
_spec = importlib.util.spec_from_file_location("_symkeras_wrong_variants", _PATH)
wrong = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = wrong
_spec.loader.exec_module(wrong)


def _graded_tests(exercise: str) -> set[str]:
    tree = ast.parse((grading.ROOT / "tests" / "grading" / f"test_{exercise}.py").read_text())
    return {
        node.name
        for node in tree.body
        if isinstance(node, ast.FunctionDef) and any("points" in ast.unparse(d) for d in node.decorator_list)
    }


def test_every_graded_function_has_two_wrong_variants_and_named_tests():
    exercises = sorted(p.stem for p in (grading.ROOT / "solutions").glob("ex*.py"))
    assert sorted(wrong.wrong_modules()) == exercises, "one wrong_exNN_topic.py per exercise"
    counts = {}
    for v in wrong.variants():
        counts[(v.exercise, v.function)] = counts.get((v.exercise, v.function), 0) + 1
        ast.parse(wrong.variant_source(v))  # a variant is a whole, valid module
        assert v.doc, f"{v.id}: say in its docstring what is wrong"
    for exercise in exercises:
        functions = wrong.solution_functions(exercise)
        by = wrong.graded_by(exercise)
        assert sorted(by) == sorted(functions), f"{exercise}: GRADED_BY must name each graded function"
        tests = _graded_tests(exercise)
        assert {t for ts in by.values() for t in ts} == tests, f"{exercise}: GRADED_BY must map onto its graded tests"
        for function in functions:
            assert counts.get((exercise, function), 0) >= 2, f"{exercise}.{function}: write >= 2 wrong variants"


@pytest.mark.slow
def test_each_wrong_variant_loses_exactly_the_points_of_the_function_it_breaks(tmp_path):
    graded = wrong.grade_all(tmp_path)
    problems = []
    for exercise in wrong.wrong_modules():
        control = graded.get(f"solutions:{exercise}", {})
        if set(control.values()) != {"passed"}:
            problems.append(f"solutions/{exercise}.py does not earn every point: {control}")
    for v in wrong.variants():
        statuses = graded.get(v.id)
        if not statuses:
            problems.append(f"{v.id}: not graded")
            continue
        broken = wrong.graded_by(v.exercise)[v.function]
        if all(statuses[t] == "passed" for t in broken):
            problems.append(f"{v.id} ({v.doc.splitlines()[0]}) earns every point of {', '.join(broken)}")
        for test, status in statuses.items():
            if test in broken:
                if status != "passed" and not status.startswith("wrong: "):
                    problems.append(f"{v.id}: {test} should say what is wrong, not {status!r}")
            elif status != "passed":
                problems.append(f"{v.id} breaks {v.function} only, but loses {test}: {status}")
    assert not problems, "\n".join(problems)
