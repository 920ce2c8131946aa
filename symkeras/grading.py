"""The exercise grader: a pytest plugin (registered through the ``pytest11`` entry point) plus helpers.

Graded tests live in ``tests/grading/test_exNN_topic.py``, carry ``@pytest.mark.points(n)``, and receive the module
under grade from the ``ex`` fixture: ``exercises.exNN_topic`` (default) or ``solutions.exNN_topic``, chosen with
``pytest --target exercises|solutions`` or ``SYMKERAS_TARGET``.

Each graded test ends in one status:

* ``passed`` — full points;
* ``not attempted`` — the code raised ``NotImplementedError`` (an untouched stub);
* ``wrong: <reason>`` — an assertion failed; the reason is the first line of its message, which says in words what
  was checked and what was measured (:func:`expect_close`, :func:`expect_equal` write such messages);
* ``error: <type>`` — anything else, including an import error or a timeout (default 120 s per test).

At the end of a pytest run the plugin prints a points table and writes ``grading-report.json``.
``python -m symkeras grade [exercises|solutions]`` and ``symkeras.check("ex05")`` (from a notebook) run pytest in a
fresh process and print only the table, with the failing check of each wrong answer under its row.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import textwrap
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest

TARGETS = ("exercises", "solutions")
DEFAULT_TIMEOUT = 120
REASON_LENGTH = 400  # characters of an assertion message's first line kept in a "wrong: …" status
WIDTH = 110
ROOT = Path(__file__).resolve().parents[1]
_RESULTS = pytest.StashKey[dict]()


def pytest_addoption(parser):
    group = parser.getgroup("symkeras grading")
    group.addoption("--target", default=None,
                    help="grade exercises/ (default), solutions/, or a directory of exNN_*.py files; several, "
                         f"joined by {os.pathsep!r}, are graded side by side; or set SYMKERAS_TARGET")
    group.addoption("--grading-report", default="grading-report.json", help="where to write the JSON report")
    group.addoption("--grading-timeout", type=float, default=DEFAULT_TIMEOUT, help="seconds allowed per graded test")


def pytest_configure(config):
    config.addinivalue_line("markers", "points(n): points a graded exercise test is worth")
    config.stash[_RESULTS] = {}


def grading_target(config) -> str:
    target = config.getoption("--target") or os.environ.get("SYMKERAS_TARGET", "exercises")
    grading_targets(target)
    return target


def grading_targets(target: str) -> list[str]:
    """The targets in ``target``: one, or several joined by ``os.pathsep``."""
    targets = [t for t in target.split(os.pathsep) if t]
    for t in targets or [target]:
        if t not in TARGETS and not Path(t).is_dir():
            raise pytest.UsageError(f"The grading target must be one of {TARGETS} or a directory of exNN_*.py files "
                                    f"(several joined by {os.pathsep!r}). Received: {t!r}")
    return targets


def _target_dir(target: str) -> Path:
    return ROOT / target if target in TARGETS else Path(target).resolve()


def _exercise(node) -> str:
    return node.path.stem.removeprefix("test_")


def pytest_generate_tests(metafunc):
    """Several targets: run each graded test once per target that holds its exercise, ``test_name[<target>]``."""
    if "ex" not in metafunc.fixturenames:
        return
    targets = grading_targets(grading_target(metafunc.config))
    if len(targets) > 1:
        holding = [t for t in targets if (_target_dir(t) / f"{_exercise(metafunc.definition)}.py").exists()]
        metafunc.parametrize("ex", holding, indirect=True, ids=[Path(t).name for t in holding])


def _points(item) -> float | None:
    marker = item.get_closest_marker("points")
    return None if marker is None else float(marker.args[0])


def pytest_collection_modifyitems(config, items):
    for item in items:
        if _points(item) is not None and item.get_closest_marker("timeout") is None:
            item.add_marker(pytest.mark.timeout(config.getoption("--grading-timeout")))


def _first_line(text: str, limit: int = REASON_LENGTH) -> str:
    lines = str(text).strip().splitlines()
    line = lines[0].strip() if lines else ""
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _status(excinfo) -> tuple[str, str]:
    """``(status, detail)``: the status of a failed graded test, and for errors the exception's first line."""
    if excinfo.errisinstance(NotImplementedError):
        return "not attempted", ""
    if "Timeout" in excinfo.exconly() and not excinfo.errisinstance(AssertionError):  # pytest-timeout: pytest.fail
        return "error: timeout", "the test took longer than its time limit (an endless loop?)"
    if excinfo.errisinstance((AssertionError, pytest.fail.Exception)):
        return "wrong: " + (_first_line(excinfo.value) or "an assertion failed"), ""
    return f"error: {excinfo.type.__name__}", _first_line(excinfo.value, 200)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    points = _points(item)
    if points is None or call.when == "teardown" and report.passed:
        return
    results = item.config.stash[_RESULTS]
    key = (_exercise(item), item.name)
    if report.failed:
        results[key] = (points, *(_status(call.excinfo) if call.excinfo else ("error: failed", "")))
    elif report.skipped:
        results.setdefault(key, (points, "error: skipped", ""))
    elif call.when == "call":
        results[key] = (points, "passed", "")


def summarize(results: dict) -> dict:
    exercises = defaultdict(lambda: {"earned": 0.0, "possible": 0.0, "tests": {}})
    for (exercise, test), (points, status, *detail) in sorted(results.items(), key=lambda item: item[0][0]):
        entry = exercises[exercise]
        entry["possible"] += points
        entry["earned"] += points if status == "passed" else 0.0
        entry["tests"][test] = {"points": points, "status": status}
        if detail and detail[0]:
            entry["tests"][test]["detail"] = detail[0]
    total = {"earned": sum(e["earned"] for e in exercises.values()),
             "possible": sum(e["possible"] for e in exercises.values())}
    return {"exercises": dict(exercises), "total": total}


def format_report(summary: dict, target: str) -> str:
    """The points table; a wrong answer's failing check (and an error's message) is wrapped under its row."""
    lines = [f"Grading {target}/", f"{'exercise / test':<72} {'points':>9}  status", "-" * WIDTH]
    for exercise, entry in summary["exercises"].items():
        lines.append(f"{exercise:<72} {entry['earned']:>4g} / {entry['possible']:<3g}".rstrip())
        for test, t in entry["tests"].items():
            earned = t["points"] if t["status"] == "passed" else 0
            status, _, reason = t["status"].partition(": ") if t["status"].startswith("wrong") else (
                t["status"], "", "")
            lines.append(f"  {test:<70} {earned:>4g} / {t['points']:<3g} {status}")
            for text in (reason, t.get("detail", "")):
                if text:
                    lines += textwrap.wrap(text, WIDTH, initial_indent=" " * 6, subsequent_indent=" " * 8,
                                           break_on_hyphens=False)
    total = summary["total"]
    percent = 100 * total["earned"] / total["possible"] if total["possible"] else 0.0
    lines += ["-" * WIDTH, f"{'TOTAL':<72} {total['earned']:>4g} / {total['possible']:<3g} ({percent:.0f}%)"]
    if summary["exercises"] and all(t["status"] == "passed" for e in summary["exercises"].values()
                                    for t in e["tests"].values()):
        lines.append("All tests passed!")
    return "\n".join(lines)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    results = config.stash[_RESULTS]
    if not results:
        return
    target = grading_target(config)
    summary = summarize(results)
    terminalreporter.write_line("")
    for line in format_report(summary, target).splitlines():
        terminalreporter.write_line(line)
    path = Path(config.getoption("--grading-report"))
    path.write_text(json.dumps({"target": target, **summary}, indent=2))
    terminalreporter.write_line(f"wrote {path}")


# --- assertions whose messages teach ---------------------------------------------------------------------------------
# A graded test's first message line becomes the student's "wrong: …" status: say what was checked, in words, then
# what was measured against which tolerance.


def _numbers(value, what: str) -> np.ndarray:
    if value is None:
        raise AssertionError(f"{what}; got None (is a `return` missing?)")
    try:
        return np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise AssertionError(f"{what}; got {type(value).__name__} {value!r:.60}, not numbers") from None


def _same_shape(actual: np.ndarray, expected: np.ndarray, what: str) -> None:
    if actual.shape != expected.shape:
        raise AssertionError(f"{what}; got shape {actual.shape}, expected {expected.shape}")


def relative_error(actual, expected) -> float:
    """``max|actual − expected| / max|expected|`` (the error the equivariance checks report)."""
    actual, expected = np.asarray(actual, np.float64), np.asarray(expected, np.float64)
    scale = max(float(np.max(np.abs(expected), initial=0.0)), np.finfo(np.float64).tiny)
    return float(np.max(np.abs(actual - expected), initial=0.0)) / scale


def expect_close(actual, expected, what: str, tol: float = 1e-9) -> None:
    """Assert ``relative_error(actual, expected) <= tol``; the message starts with ``what`` (the requirement in
    words), then the measured error: ``"<what>; measured relative error 3.2e-01 > tolerance 1e-09"`` (for a
    scalar: ``"<what>; got 0.25, expected 0.5 (relative error …)"``)."""
    got, want = _numbers(actual, what), np.asarray(expected, np.float64)
    _same_shape(got, want, what)
    error = relative_error(got, want)
    if not error <= tol:  # NaN fails too
        measured = f"relative error {error:.1e} > tolerance {tol:.0e}"
        if want.size == 1:
            raise AssertionError(f"{what}; got {got.item():.6g}, expected {want.item():.6g} ({measured})")
        raise AssertionError(f"{what}; measured {measured}")


def expect_equal(actual, expected, what: str) -> None:
    """Assert exact equality (integers, labels, permutations); the message names the first entry that differs:
    ``"<what>; 3 of 6 entries differ, the first at index (2,): got 3, expected 13"``."""
    want = np.asarray(expected)
    if actual is None:
        raise AssertionError(f"{what}; got None (is a `return` missing?)")
    got = np.asarray(actual)
    _same_shape(got, want, what)
    differ = got != want
    if np.any(differ):
        if want.ndim == 0:
            raise AssertionError(f"{what}; got {got.item()!r}, expected {want.item()!r}")
        first = tuple(int(i) for i in np.argwhere(differ)[0])
        raise AssertionError(f"{what}; {int(np.sum(differ))} of {differ.size} entries differ, the first at index "
                             f"{first}: got {got[first].item()!r}, expected {want[first].item()!r}")


@pytest.fixture
def ex(request):
    """The module under grade for this test file: ``<target>/exNN_topic.py`` (imported once per run)."""
    import importlib.util

    name = _exercise(request.node)
    target = getattr(request, "param", None) or grading_target(request.config)
    path = _target_dir(target) / f"{name}.py"
    module_name = f"_graded_{abs(hash(str(path)))}_{name}"
    if module_name not in sys.modules:  # import once per run; a failing import fails each of its tests
        spec = importlib.util.spec_from_file_location(module_name, path)
        if spec is None or not path.exists():
            raise FileNotFoundError(f"{path} is missing")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        sys.modules[module_name] = module
    return sys.modules[module_name]


# --- exercise stubs from solutions ---------------------------------------------------------------------------------

BEGIN, END = "# BEGIN SOLUTION", "# END SOLUTION"


def make_stub(source: str, exercise: str) -> str:
    """Replace every ``# BEGIN SOLUTION`` … ``# END SOLUTION`` block with ``raise NotImplementedError``.

    The message names the exercise and the enclosing function; everything else (signatures, docstrings) is kept.
    """
    out, function, inside = [], "this", False
    for line in source.splitlines(keepends=True):
        stripped = line.strip()
        if stripped.startswith("def "):
            function = stripped[4:].split("(")[0]
        if stripped == BEGIN:
            if inside:
                raise ValueError(f"{exercise}: nested {BEGIN}")
            inside = True
            indent = line[: len(line) - len(line.lstrip())]
            out.append(f'{indent}raise NotImplementedError("{exercise}: implement {function}")\n')
        elif stripped == END:
            if not inside:
                raise ValueError(f"{exercise}: {END} without {BEGIN}")
            inside = False
        elif not inside:
            out.append(line)
    if inside:
        raise ValueError(f"{exercise}: {BEGIN} without {END}")
    return "".join(out).replace("Reference solution", "Exercise", 1)


def generate_exercises(check: bool = False) -> list[str]:
    """Write ``exercises/`` from ``solutions/``; with ``check``, only list the files that differ."""
    stale = []
    for path in sorted((ROOT / "solutions").glob("ex*.py")):
        stub = make_stub(path.read_text(), path.stem.split("_")[0])
        target = ROOT / "exercises" / path.name
        if not target.exists() or target.read_text() != stub:
            stale.append(target.name)
            if not check:
                target.write_text(stub)
    return stale


# --- entry points ----------------------------------------------------------------------------------------------------

@dataclass
class GradeResult:
    """What :func:`run` found: the points, each test's status, and the table it printed.

    Its ``repr`` is one line, and in a notebook it displays nothing (the table is already printed), so a cell ending
    in ``symkeras.check("ex05")`` shows the table once and no stray value."""

    returncode: int  # 0 when every graded test passed, 1 otherwise
    report: dict = field(default_factory=dict)  # the JSON report: {"target", "exercises", "total"}
    text: str = ""  # the table (or, when pytest itself failed, its output)

    @property
    def passed(self) -> bool:
        return self.returncode == 0

    @property
    def earned(self) -> float:
        return self.report.get("total", {}).get("earned", 0.0)

    @property
    def possible(self) -> float:
        return self.report.get("total", {}).get("possible", 0.0)

    @property
    def statuses(self) -> dict:
        """``{(exercise, test): status}``."""
        return {(e, t): v["status"] for e, entry in self.report.get("exercises", {}).items()
                for t, v in entry["tests"].items()}

    def __repr__(self) -> str:
        return f"<GradeResult {self.earned:g} / {self.possible:g} points{', all passed' if self.passed else ''}>"

    def _ipython_display_(self):  # the table was printed already: display nothing
        pass


def _grade(target, exercise=None, report=None, timeout=None) -> tuple[GradeResult, subprocess.CompletedProcess]:
    """Run the graded tests in a fresh pytest process; the result (with its table) and pytest's raw output."""
    tests = ROOT / "tests" / "grading"
    paths = sorted(str(p) for p in tests.glob(f"test_{exercise or 'ex'}*.py"))
    if not paths:
        raise ValueError(f"No graded tests match {exercise!r}; see {tests}")
    with tempfile.TemporaryDirectory(prefix="symkeras-grade-") as scratch:
        path = Path(report).resolve() if report else Path(scratch) / "grading-report.json"
        path.unlink(missing_ok=True)
        command = [sys.executable, "-m", "pytest", *paths, "--target", str(target), "-p", "no:cacheprovider",
                   "--no-header", "-q", "--tb=short", "-rN", "--grading-report", str(path)]
        command += ["--grading-timeout", str(timeout)] if timeout else []
        process = subprocess.run(command, cwd=ROOT, env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"},
                                 capture_output=True, text=True)
        summary = json.loads(path.read_text()) if path.exists() else None
    result = GradeResult(0 if process.returncode == 0 and summary else 1, summary or {})
    result.text = format_report(summary, summary["target"]) if summary else ""
    if summary is None or process.returncode not in (0, 1):  # a broken graded test file: show pytest's words
        output = (process.stdout + process.stderr).strip()
        result.text = f"{result.text}\n\npytest exited with code {process.returncode}:\n{output}".strip()
    return result, process


def run(target: str = "exercises", exercise: str | None = None, report: str | None = None,
        timeout: float | None = None, capture: bool = False):
    """Grade ``target`` (all exercises, or the files matching ``exercise``) in a fresh pytest process and print
    only the points table: pytest's own progress and summary lines are not shown (unless pytest itself failed, as
    for a broken graded test file: then its output follows the table).

    ``report`` is where the JSON report goes (default: a temporary file, removed afterwards).  Returns the exit
    code, 0 when every test passed and 1 otherwise; with ``capture``, prints nothing and returns a
    ``subprocess.CompletedProcess`` with that exit code, the table as ``stdout`` and pytest's output as ``stderr``.
    """
    result, process = _grade(target, exercise, report, timeout)
    if capture:
        return subprocess.CompletedProcess(process.args, result.returncode, result.text,
                                           process.stdout + process.stderr)
    print(result.text)
    return result.returncode


def check(exercise: str, target: str = "exercises") -> GradeResult:
    """From a lesson: grade one exercise (e.g. ``"ex05"``) and print its points table.

    The table is printed here, so that it appears in the notebook rather than in the terminal that runs Jupyter.
    Returns a :class:`GradeResult` (``.passed``, ``.earned``, ``.statuses``) that a notebook does not echo."""
    result, _ = _grade(target, exercise)
    print(result.text)
    return result
