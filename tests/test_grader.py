"""The grader is sound: full marks for solutions/, zero ("not attempted") for exercises/, partial credit between,
and one broken exercise never stops the others."""

import json
import re
import shutil

import numpy as np
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
    wrong = status[("ex06_breaking", "test_invariant_ceiling_is_fifty_percent_for_uniform_rotations")]
    assert "expected 0.9" in wrong and "got 0.1" in wrong, "a wrong answer's status says what was measured"
    assert "      with rotation probabilities" in result.stdout, "the failing check is printed under its row"
    _assert_only_the_table(result.stdout)


def _assert_only_the_table(text):
    """No pytest progress ("..F."), summary ("2 failed in 0.03s") or "wrote <report>" lines: only the table."""
    for line in text.splitlines():
        assert not re.fullmatch(r"[.FEsxX]+\s*(\[\s*\d+%\])?", line.strip()), f"pytest progress line: {line!r}"
        assert not re.search(r"\b(passed|failed|error)s? in [\d.]+s\b", line), f"pytest summary line: {line!r}"
        assert not line.startswith("wrote "), f"report path line: {line!r}"


def test_check_prints_only_the_table_and_a_notebook_echoes_nothing(capsys):
    result = grading.check("ex06", target="solutions")
    out = capsys.readouterr().out
    assert result.passed and result.returncode == 0 and result.earned == result.possible == 2
    assert out.strip() == result.text.strip() and out.startswith("Grading solutions/")
    assert "ex06_breaking" in out and "All tests passed!" in out
    _assert_only_the_table(out)
    assert result.statuses == {("ex06_breaking", t): "passed" for t in result.report["exercises"]["ex06_breaking"][
        "tests"]}
    assert repr(result) == "<GradeResult 2 / 2 points, all passed>"
    interactiveshell = pytest.importorskip("IPython.core.interactiveshell")
    shell = interactiveshell.InteractiveShell.instance()
    try:  # what Jupyter displays for a cell ending in symkeras.check(...): no data at all, not a stray "0" or "1"
        assert shell.display_formatter.format(result) == ({}, {})
    finally:
        interactiveshell.InteractiveShell.clear_instance()


def test_report_table_puts_the_failing_check_under_its_row():
    summary = grading.summarize({
        ("ex01_equivariance", "test_rot90_field_is_the_c4_action"): (
            2, "wrong: rot90_field(x, 1) should turn every map 90° counter-clockwise and cycle the orientation axis "
               "by 1; measured relative error 1.4e+00 > tolerance 1e-12", ""),
        ("ex01_equivariance", "test_group_axioms"): (2, "passed", ""),
        ("ex01_equivariance", "test_is_equivariant"): (2, "error: TypeError", "'NoneType' object is not callable"),
    })
    text = grading.format_report(summary, "exercises")
    lines = text.splitlines()
    row = next(i for i, line in enumerate(lines) if "test_rot90_field_is_the_c4_action" in line)
    assert lines[row].split()[-1] == "wrong" and "0 / 2" in lines[row]
    assert lines[row + 1].startswith("      rot90_field(x, 1) should turn")
    assert "measured relative error 1.4e+00 > tolerance 1e-12" in " ".join(lines[row + 1:row + 3])
    assert all(len(line) <= grading.WIDTH for line in lines)
    assert "      'NoneType' object is not callable" in lines
    assert "2 / 6" in text and "All tests passed!" not in text
    assert summary["exercises"]["ex01_equivariance"]["tests"]["test_is_equivariant"]["detail"]


def test_expect_helpers_say_what_was_measured():
    with pytest.raises(AssertionError, match=r"^f\(x\) should be y; measured relative error 5\.0e-01 > tolerance "
                                             r"1e-09$"):
        grading.expect_close([1.0, 1.0], [1.0, 2.0], "f(x) should be y")
    with pytest.raises(AssertionError, match=r"^ceiling; got 0\.25, expected 0\.5 \(relative error"):
        grading.expect_close(0.25, 0.5, "ceiling")
    with pytest.raises(AssertionError, match=r"^labels; 1 of 3 entries differ, the first at index \(1,\): got 3, "
                                             r"expected 13$"):
        grading.expect_equal([3, 3, 3], [3, 13, 3], "labels")
    with pytest.raises(AssertionError, match=r"got shape \(2, 3\), expected \(3, 2\)"):
        grading.expect_close(np.zeros((2, 3)), np.zeros((3, 2)), "shape")
    with pytest.raises(AssertionError, match="got None"):
        grading.expect_close(None, [1.0], "f")
    grading.expect_close([1.0, 2.0 + 1e-12], [1.0, 2.0], "close enough")
    grading.expect_equal(np.int64(3), 3, "equal")
