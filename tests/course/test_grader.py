"""The grader is sound: full marks for solutions/, zero ("not attempted") for exercises/, partial credit between,
and one broken exercise never stops the others; hostile submissions (tests/grading/hostile/) earn nothing for their
hostile parts, get a clear status, and leave the course's files alone; a class is graded into a CSV."""

import csv
import hashlib
import importlib.util
import json
import os
import re
import shutil
import sys
from pathlib import Path

import numpy as np
import pytest

from symkeras import grading

HOSTILE = grading.ROOT / "tests" / "grading" / "hostile"
_spec = importlib.util.spec_from_file_location("_symkeras_hostile_cases", HOSTILE / "cases.py")
hostile = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(hostile)


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
    assert (
        grading.make_stub(source, "ex99")
        == 'def f(x):\n    """Doc."""\n    raise NotImplementedError("ex99: implement f")\n'
    )
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
    (student / "ex07_cloning.py").write_text(
        (solutions / "ex07_cloning.py")
        .read_text()
        .replace("    return float(np.mean(", "    while True:\n        pass\n    return float(np.mean(")
    )  # hangs
    result, report = _grade(student, tmp_path, timeout=5)
    status = _statuses(report)
    assert result.returncode == 1
    assert report["exercises"]["ex02_convolution"]["earned"] == report["exercises"]["ex02_convolution"]["possible"]
    assert status[("ex06_breaking", "test_rotation_breaking_labels_follow_the_task")] == "passed"
    assert status[("ex06_breaking", "test_invariant_ceiling_is_fifty_percent_for_uniform_rotations")].startswith(
        "wrong: "
    )
    assert {status[("ex00_setup", t)] for t in report["exercises"]["ex00_setup"]["tests"]} == {"error: RuntimeError"}
    assert "oops" in report["exercises"]["ex00_setup"]["tests"]["test_group_order"]["detail"]
    assert "while importing ex00_setup.py" in report["exercises"]["ex00_setup"]["tests"]["test_group_order"]["detail"]
    assert status[("ex07_cloning", "test_cloning_loss_is_the_mean_squared_error")] == "error: timeout after 5 s"
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
    assert out.strip() == result.text.strip() and out.startswith(f"Grading {grading.ROOT / 'solutions'}/")
    assert "ex06_breaking" in out and "All tests passed!" in out
    _assert_only_the_table(out)
    assert result.statuses == {
        ("ex06_breaking", t): "passed" for t in result.report["exercises"]["ex06_breaking"]["tests"]
    }
    assert repr(result) == "<GradeResult 2 / 2 points, all passed>"
    interactiveshell = pytest.importorskip("IPython.core.interactiveshell")
    shell = interactiveshell.InteractiveShell.instance()
    try:  # what Jupyter displays for a cell ending in symkeras.check(...): no data at all, not a stray "0" or "1"
        assert shell.display_formatter.format(result) == ({}, {})
    finally:
        interactiveshell.InteractiveShell.clear_instance()


def test_report_table_puts_the_failing_check_under_its_row():
    summary = grading.summarize(
        {
            ("ex01_equivariance", "test_rot90_field_is_the_c4_action"): (
                2,
                "wrong: rot90_field(x, 1) should turn every map 90° counter-clockwise and cycle the orientation axis "
                "by 1; measured relative error 1.4e+00 > tolerance 1e-12",
                "",
            ),
            ("ex01_equivariance", "test_group_axioms"): (2, "passed", ""),
            ("ex01_equivariance", "test_is_equivariant"): (2, "error: TypeError", "'NoneType' object is not callable"),
        }
    )
    text = grading.format_report(summary, "exercises")
    lines = text.splitlines()
    row = next(i for i, line in enumerate(lines) if "test_rot90_field_is_the_c4_action" in line)
    assert lines[row].split()[-1] == "wrong" and "0 / 2" in lines[row]
    assert lines[row + 1].startswith("      rot90_field(x, 1) should turn")
    assert "measured relative error 1.4e+00 > tolerance 1e-12" in " ".join(lines[row + 1 : row + 3])
    assert all(len(line) <= grading.WIDTH for line in lines)
    assert "      'NoneType' object is not callable" in lines
    assert "2 / 6" in text and "All tests passed!" not in text
    assert summary["exercises"]["ex01_equivariance"]["tests"]["test_is_equivariant"]["detail"]


def test_expect_helpers_say_what_was_measured():
    with pytest.raises(
        AssertionError,
        match=r"^f\(x\) should be y; measured relative error 5\.0e-01 > tolerance "
        r"1e-09$",
    ):
        grading.expect_close([1.0, 1.0], [1.0, 2.0], "f(x) should be y")
    with pytest.raises(AssertionError, match=r"^ceiling; got 0\.25, expected 0\.5 \(relative error"):
        grading.expect_close(0.25, 0.5, "ceiling")
    with pytest.raises(
        AssertionError,
        match=r"^labels; 1 of 3 entries differ, the first at index \(1,\): got 3, "
        r"expected 13$",
    ):
        grading.expect_equal([3, 3, 3], [3, 13, 3], "labels")
    with pytest.raises(AssertionError, match=r"got shape \(2, 3\), expected \(3, 2\)"):
        grading.expect_close(np.zeros((2, 3)), np.zeros((3, 2)), "shape")
    with pytest.raises(AssertionError, match="got None"):
        grading.expect_close(None, [1.0], "f")
    grading.expect_close([1.0, 2.0 + 1e-12], [1.0, 2.0], "close enough")
    grading.expect_equal(np.int64(3), 3, "equal")


# --- hostile submissions -----------------------------------------------------------------------------------------------


def _course_hashes() -> dict:
    """The teacher's files a submission must not touch: the graded tests (and the hostile cases), the grader's tests,
    tests/conftest.py and the reference solutions."""
    root = grading.ROOT
    files = [
        *(root / "tests" / "grading").rglob("*"),
        *(root / "solutions").rglob("*"),
        root / "tests" / "conftest.py",
        root / "tests" / "course" / "test_grader.py",
        root / "tests" / "course" / "test_wrong_answers.py",
    ]
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(files)
        if p.is_file() and "__pycache__" not in p.parts
    }


def _processes_with(*needles: str) -> list[str]:
    found = []
    for entry in os.listdir("/proc"):
        try:
            cmdline = Path(f"/proc/{entry}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if entry.isdigit() and any(n in cmdline for n in needles):
            found.append(f"{entry}: {cmdline}")
    return found


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the sandbox and these attacks are Linux-specific")
def test_hostile_submissions_earn_only_what_they_deserve_and_leave_the_course_alone(tmp_path, capsys):
    cases = sorted(d for d in HOSTILE.iterdir() if d.is_dir() and not d.name.startswith("_"))
    assert sorted(d.name for d in cases) == sorted(hostile.EXPECTED), "tests/grading/hostile/cases.py lists each case"
    before = _course_hashes()
    code = grading.grade_batch(
        [str(d) for d in cases],
        csv_path=tmp_path / "hostile.csv",
        exercise="ex06",
        limits=grading.Limits(timeout=hostile.TIMEOUT),
    )
    table = capsys.readouterr().out
    after = _course_hashes()
    assert code == 0, table
    changed = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
    assert not changed, f"a hostile submission changed the course's files: {changed}"
    assert not _processes_with(*hostile.LINGERING), "a process a submission started outlived its grading"
    for path in hostile.OUTSIDE:
        assert not Path(path).expanduser().exists(), f"a submission wrote {path}"
    rows = {row["student"]: row for row in csv.DictReader((tmp_path / "hostile.csv").open())}
    sandboxed = None
    problems = []
    for case in cases:
        report = json.loads((tmp_path / "hostile-reports" / f"{case.name}.json").read_text())
        sandboxed = report["sandbox"].startswith("landlock")
        tests = report["exercises"]["ex06_breaking"]["tests"]
        for test, expected in zip((hostile.LABELS, hostile.CEILING), hostile.EXPECTED[case.name]):
            status = tests[test]["status"]
            if case.name in hostile.SANDBOXED and not sandboxed:
                continue
            ok = status.startswith("wrong: ") if expected == "wrong" else status in expected.split("|")
            if not ok:
                problems.append(
                    f"{case.name} {test}: {status!r} ({tests[test].get('detail', '')}), expected {expected!r}"
                )
        deserved = sum(expected == "passed" for expected in hostile.EXPECTED[case.name])
        if case.name not in hostile.SANDBOXED or sandboxed:
            if float(rows[case.name]["earned"]) != deserved:
                problems.append(f"{case.name} earned {rows[case.name]['earned']}, deserves {deserved}")
        assert case.name in table, "one row per submission in the printed table"
    assert not problems, "\n".join(problems) + "\n" + table
    printed = json.loads((tmp_path / "hostile-reports" / "print_gigabytes.json").read_text())["outputs"]
    assert (
        len(printed["ex06_breaking"]) < 2 * grading.Limits.output
        and "more bytes of output not kept" in printed["ex06_breaking"]
    ), "a gigabyte of output is counted, not kept"
    if sys.platform.startswith("linux") and not sandboxed:
        pytest.skip("no Landlock on this kernel: the sandbox-dependent cases were not checked")


@pytest.mark.slow
def test_a_submission_that_exits_at_import_still_gets_a_table_and_a_report(tmp_path):
    result, report = _grade(HOSTILE / "exit_at_import", tmp_path, exercise="ex06")
    assert result.returncode == 1
    assert set(_statuses(report).values()) == {"error: exited with code 0"}
    assert "TOTAL" in result.stdout and "0 / 2" in result.stdout and "exited with code 0" in result.stdout


# --- a class, teacher tests, paths -------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_batch_grading_writes_one_csv_row_and_one_report_per_student(tmp_path, capsys):
    solutions, exercises = grading.ROOT / "solutions", grading.ROOT / "exercises"
    submissions = tmp_path / "submissions"
    shutil.copytree(solutions, submissions / "ada")  # everything right
    shutil.copytree(exercises, submissions / "bob")  # untouched stubs
    shutil.copytree(exercises, submissions / "cy")  # ex02 solved, ex06 half right
    shutil.copy(solutions / "ex02_convolution.py", submissions / "cy")
    (submissions / "cy" / "ex06_breaking.py").write_text(
        (solutions / "ex06_breaking.py").read_text().replace("max(p[0] + p[1], p[2] + p[3])", "p[0] + p[1]")
    )
    shutil.copytree(solutions, submissions / "dee")  # hostile: exits while ex06 is imported
    shutil.copy(HOSTILE / "exit_at_import" / "ex06_breaking.py", submissions / "dee")
    (submissions / "eve").mkdir()  # submitted nothing
    folders = sorted(str(p) for p in submissions.iterdir()) + [str(submissions / "zed")]  # zed: no such folder
    code = grading.grade_batch(folders, csv_path=tmp_path / "grades.csv", exercise="ex02,ex06")
    out = capsys.readouterr().out
    assert code == 1, "a missing folder is reported"
    rows = {row["student"]: row for row in csv.DictReader((tmp_path / "grades.csv").open())}
    assert list(rows) == ["ada", "bob", "cy", "dee", "eve", "zed"]
    points = {name: (row["ex02_convolution"], row["ex06_breaking"], row["earned"]) for name, row in rows.items()}
    assert points == {
        "ada": ("7", "2", "9"),
        "bob": ("0", "0", "0"),
        "cy": ("7", "1", "8"),
        "dee": ("7", "0", "7"),
        "eve": ("0", "0", "0"),
        "zed": ("0", "0", "0"),
    }
    assert all(row["possible"] == "9" for row in rows.values())
    assert "not a folder" in rows["zed"]["notes"] and "errors" in rows["eve"]["notes"]
    for name in rows:
        report = json.loads((tmp_path / "grades-reports" / f"{name}.json").read_text())
        assert report["student"] == name and report["target"].endswith(name)
    dee = json.loads((tmp_path / "grades-reports" / "dee.json").read_text())
    assert {t["status"] for t in dee["exercises"]["ex06_breaking"]["tests"].values()} == {"error: exited with code 0"}
    eve = json.loads((tmp_path / "grades-reports" / "eve.json").read_text())
    assert {t["status"] for e in eve["exercises"].values() for t in e["tests"].values()} == {"error: FileNotFoundError"}
    assert "ada" in out and "zed" in out and str(tmp_path / "grades.csv") in out


@pytest.mark.slow
def test_teacher_tests_add_hidden_points(tmp_path):
    hidden = tmp_path / "hidden"
    hidden.mkdir()
    (hidden / "test_ex06_breaking.py").write_text(
        "import numpy as np\nimport pytest\n\nfrom symkeras.grading import expect_equal\n\n\n"
        "@pytest.mark.points(3)\ndef test_negative_quarter_turns(ex):\n"
        "    expect_equal(ex.rotation_breaking_labels(np.array([1, 2]), np.array([-1, -2])), [11, 12],\n"
        "                 'a digit turned -1 quarter turn is at 270 degrees: y + 10')\n"
    )
    student = tmp_path / "student"
    student.mkdir()
    (student / "ex06_breaking.py").write_text(
        (grading.ROOT / "solutions" / "ex06_breaking.py")
        .read_text()
        .replace("np.asarray(k) % 4 >= 2", "np.asarray(k) >= 2")
    )  # right for k in 0..3, wrong for negative k
    result, report = _grade("solutions", tmp_path, exercise="ex06", tests=[str(hidden)])
    assert (
        report["total"] == {"earned": 5.0, "possible": 5.0} and "teacher: test_negative_quarter_turns" in result.stdout
    )
    result, report = _grade(student, tmp_path, exercise="ex06", tests=[str(hidden)])
    statuses = _statuses(report)
    assert statuses[("ex06_breaking", "teacher: test_negative_quarter_turns")].startswith("wrong: ")
    assert report["total"]["possible"] == 5.0 and report["total"]["earned"] <= 1.0


def test_exercise_names_are_exact_and_unknown_ones_list_the_exercises(capsys):
    from symkeras.cli import main

    assert [p.name for p in grading.select_tests("ex05")] == ["test_ex05_gconv.py"]
    assert [p.name for p in grading.select_tests("ex05_gconv")] == ["test_ex05_gconv.py"]
    assert len(grading.select_tests("ex02,ex06")) == 2
    for wrong in ("ex0", "ex99", "ex5", "gconv"):
        with pytest.raises(grading.UsageError, match="ex00_setup, ex01_equivariance"):
            grading.select_tests(wrong)
    assert main(["grade", "--exercise", "ex99"]) == 2
    err = capsys.readouterr().err
    assert "ex99" in err and "ex10_scaling" in err and "Traceback" not in err


def test_relative_paths_resolve_from_the_current_directory(tmp_path, monkeypatch):
    (tmp_path / "mine").mkdir()
    monkeypatch.chdir(tmp_path)
    assert grading.resolve_target("mine") == tmp_path / "mine"
    assert grading.resolve_target("solutions") == grading.ROOT / "solutions"
    with pytest.raises(grading.UsageError, match=re.escape(str(tmp_path / "nowhere"))):
        grading.resolve_target("nowhere")


def test_the_parent_decodes_only_plain_values_from_a_student_process():
    from symkeras.course.grading import _wire as wire

    class EqualFloat(float):
        def __eq__(self, other):
            return True

        __hash__ = float.__hash__

    class EqualArray(np.ndarray):
        def __eq__(self, other):
            return np.ones(np.shape(self), bool)

    kept = []
    buffers: list = []
    node = wire.encode(
        [EqualFloat(0.5), np.zeros(3).view(EqualArray), object(), (1, "a"), {"k": np.int64(3)}],
        buffers,
        lambda v: kept.append(v) or len(kept),
    )
    value = wire.decode(json.loads(json.dumps(node)), buffers, lambda ident, kind: ("handle", ident, kind))
    assert type(value[0]) is float and value[0] == 0.5
    assert type(value[1]) is np.ndarray and not np.any(value[1] == 1)
    assert value[2] == ("handle", 1, "builtins.object") and value[3] == (1, "a") and type(value[4]["k"]) is np.int64
    for bad in (
        {"t": "array", "dtype": "|O", "shape": [1], "b": 0},  # object arrays hold pointers
        {"t": "array", "dtype": "V8", "shape": [1], "b": 0},
        {"t": "array", "dtype": "<f8", "shape": [2], "b": 0},  # 16 bytes announced, 8 sent
        {"t": "array", "dtype": "<f8", "shape": [1], "b": 5},
        {"t": "pickle", "b": 0},
        {"t": "handle", "id": "1"},
        ["nested", {"t": "set", "v": [[1]]}],
    ):
        with pytest.raises(wire.WireError):
            wire.decode(bad, [b"\0" * 8], lambda ident, kind: None)
