"""The grader is sound: full marks for solutions/, zero ("not attempted") for exercises/, partial credit between,
and one broken exercise never stops the others."""

import json
import shutil

import pytest

from symkeras import grading


def _grade(target, tmp_path, **kwargs):
    report = tmp_path / "report.json"
    result = grading.run(str(target), report=str(report), capture=True, **kwargs)
    assert "INTERNALERROR" not in result.stdout + result.stderr, result.stdout[-3000:] + result.stderr[-3000:]
    return result, json.loads(report.read_text())


def _statuses(report):
    return {(e, t): v["status"] for e, entry in report["exercises"].items() for t, v in entry["tests"].items()}


def test_committed_exercises_are_generated_from_solutions():
    assert grading.generate_exercises(check=True) == [], "run `python -m symkeras exercises`"


def test_stub_generation_keeps_signatures_and_docstrings():
    source = 'def f(x):\n    """Doc."""\n    # BEGIN SOLUTION\n    return x\n    # END SOLUTION\n'
    assert grading.make_stub(source, "ex99") == \
        'def f(x):\n    """Doc."""\n    raise NotImplementedError("ex99: implement f")\n'
    with pytest.raises(ValueError, match="without # END SOLUTION"):
        grading.make_stub("def f():\n    # BEGIN SOLUTION\n", "ex99")


@pytest.mark.slow
def test_solutions_earn_every_point(tmp_path):
    result, report = _grade("solutions", tmp_path)
    assert result.returncode == 0, result.stdout[-3000:]
    assert report["total"]["earned"] == report["total"]["possible"] >= 40
    assert len(report["exercises"]) >= 10 and set(_statuses(report).values()) == {"passed"}
    assert "All tests passed!" in result.stdout


@pytest.mark.slow
def test_untouched_exercises_earn_nothing_and_are_not_attempted(tmp_path):
    result, report = _grade("exercises", tmp_path)
    assert result.returncode == 1, "an incomplete submission must exit non-zero"
    assert report["total"]["earned"] == 0 and report["total"]["possible"] >= 40
    assert set(_statuses(report).values()) == {"not attempted"}
    assert len(_statuses(report)) >= 20


@pytest.mark.slow
def test_partial_credit_wrong_answers_crashes_and_timeouts(tmp_path):
    student = tmp_path / "student"
    shutil.copytree(grading.ROOT / "exercises", student)
    solutions = grading.ROOT / "solutions"
    shutil.copy(solutions / "ex02_convolution.py", student)  # fully solved
    text = (solutions / "ex06_breaking.py").read_text()  # one right, one wrong
    (student / "ex06_breaking.py").write_text(text.replace("max(p[0] + p[1], p[2] + p[3])", "p[0] + p[1]"))
    (student / "ex00_setup.py").write_text("raise RuntimeError('oops')\n")  # crashes on import
    (student / "ex07_cloning.py").write_text((solutions / "ex07_cloning.py").read_text().replace(
        "    return float(np.mean(", "    while True:\n        pass\n    return float(np.mean("))  # hangs
    result, report = _grade(student, tmp_path, timeout=5)
    status = _statuses(report)
    assert result.returncode == 1
    assert report["exercises"]["ex02_convolution"]["earned"] == report["exercises"]["ex02_convolution"]["possible"]
    assert status[("ex06_breaking", "test_rotation_breaking_labels_follow_the_task")] == "passed"
    assert status[("ex06_breaking", "test_invariant_ceiling_is_fifty_percent_for_uniform_rotations")].startswith(
        "wrong: ")
    assert {status[("ex00_setup", t)] for t in report["exercises"]["ex00_setup"]["tests"]} == {"error: RuntimeError"}
    assert status[("ex07_cloning", "test_cloning_loss_is_the_mean_squared_error")] == "error: timeout"
    assert status[("ex07_cloning", "test_shift_matrices_reproduce_a_valid_convolution")] == "passed"
    assert status[("ex05_gconv", "test_lifting_filter_bank_matches_symkeras")] == "not attempted"
    earned = report["total"]["earned"]
    assert 0 < earned < report["total"]["possible"]


def test_check_prints_the_table_where_the_caller_can_see_it(capsys):
    assert grading.check("ex06", target="solutions") == 0
    out = capsys.readouterr().out
    assert "ex06_breaking" in out and "All tests passed!" in out
