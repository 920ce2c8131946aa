"""The exercise grader: a pytest plugin (registered through the ``pytest11`` entry point) plus helpers.

Graded tests live in ``tests/grading/test_exNN_topic.py``, carry ``@pytest.mark.points(n)``, and receive the module
under grade from the ``ex`` fixture: ``exercises.exNN_topic`` (default) or ``solutions.exNN_topic``, chosen with
``pytest --target exercises|solutions`` or ``SYMKERAS_TARGET``.

Each graded test ends in one status:

* ``passed`` — full points;
* ``not attempted`` — the code raised ``NotImplementedError`` (an untouched stub);
* ``wrong: <reason>`` — an assertion failed; the reason is the first line of its message;
* ``error: <type>`` — anything else, including an import error or a timeout (default 120 s per test).

At the end of the run the plugin prints a points table and writes ``grading-report.json``.
``python -m symkeras grade [exercises|solutions]`` runs it; ``symkeras.check("ex05")`` runs one exercise from a
notebook and prints the same table.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest

TARGETS = ("exercises", "solutions")
DEFAULT_TIMEOUT = 120
ROOT = Path(__file__).resolve().parents[1]
_RESULTS = pytest.StashKey[dict]()


def pytest_addoption(parser):
    group = parser.getgroup("symkeras grading")
    group.addoption("--target", default=None,
                    help="grade exercises/ (default), solutions/, or a directory of exNN_*.py files; "
                         "or set SYMKERAS_TARGET")
    group.addoption("--grading-report", default="grading-report.json", help="where to write the JSON report")
    group.addoption("--grading-timeout", type=float, default=DEFAULT_TIMEOUT, help="seconds allowed per graded test")


def pytest_configure(config):
    config.addinivalue_line("markers", "points(n): points a graded exercise test is worth")
    config.stash[_RESULTS] = {}


def grading_target(config) -> str:
    target = config.getoption("--target") or os.environ.get("SYMKERAS_TARGET", "exercises")
    if target not in TARGETS and not Path(target).is_dir():
        raise pytest.UsageError(f"The grading target must be one of {TARGETS} or a directory of exNN_*.py files. "
                                f"Received: {target!r}")
    return target


def _target_dir(target: str) -> Path:
    return ROOT / target if target in TARGETS else Path(target).resolve()


def _points(item) -> float | None:
    marker = item.get_closest_marker("points")
    return None if marker is None else float(marker.args[0])


def pytest_collection_modifyitems(config, items):
    for item in items:
        if _points(item) is not None and item.get_closest_marker("timeout") is None:
            item.add_marker(pytest.mark.timeout(config.getoption("--grading-timeout")))


def _status(excinfo) -> str:
    if excinfo.errisinstance(NotImplementedError):
        return "not attempted"
    if excinfo.errisinstance(AssertionError):
        text = str(excinfo.value).strip().splitlines()
        return "wrong: " + (text[0][:100] if text else "an assertion failed")
    if "Timeout" in excinfo.exconly():
        return "error: timeout"
    return f"error: {excinfo.type.__name__}"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    points = _points(item)
    if points is None or call.when == "teardown" and report.passed:
        return
    results = item.config.stash[_RESULTS]
    exercise = Path(str(item.fspath)).stem.removeprefix("test_")
    key = (exercise, item.name)
    if report.failed:
        results[key] = (points, _status(call.excinfo) if call.excinfo else "error: failed")
    elif report.skipped:
        results.setdefault(key, (points, "error: skipped"))
    elif call.when == "call":
        results[key] = (points, "passed")


def summarize(results: dict) -> dict:
    exercises = defaultdict(lambda: {"earned": 0.0, "possible": 0.0, "tests": {}})
    for (exercise, test), (points, status) in sorted(results.items(), key=lambda item: item[0][0]):
        entry = exercises[exercise]
        entry["possible"] += points
        entry["earned"] += points if status == "passed" else 0.0
        entry["tests"][test] = {"points": points, "status": status}
    total = {"earned": sum(e["earned"] for e in exercises.values()),
             "possible": sum(e["possible"] for e in exercises.values())}
    return {"exercises": dict(exercises), "total": total}


def format_report(summary: dict, target: str) -> str:
    lines = [f"Grading {target}/", f"{'exercise / test':<72} {'points':>9}  status", "-" * 110]
    for exercise, entry in summary["exercises"].items():
        lines.append(f"{exercise:<72} {entry['earned']:>4g} / {entry['possible']:<3g}")
        for test, t in entry["tests"].items():
            earned = t["points"] if t["status"] == "passed" else 0
            lines.append(f"  {test:<70} {earned:>4g} / {t['points']:<3g} {t['status']}")
    total = summary["total"]
    percent = 100 * total["earned"] / total["possible"] if total["possible"] else 0.0
    lines += ["-" * 110, f"{'TOTAL':<72} {total['earned']:>4g} / {total['possible']:<3g} ({percent:.0f}%)"]
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


@pytest.fixture
def ex(request):
    """The module under grade for this test file: ``<target>.exNN_topic``."""
    import importlib.util

    name = Path(str(request.node.fspath)).stem.removeprefix("test_")
    path = _target_dir(grading_target(request.config)) / f"{name}.py"
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

def run(target: str = "exercises", exercise: str | None = None, report: str | None = None,
        timeout: float | None = None, capture: bool = False):
    """Run the graded tests of ``target`` (all, or the files matching ``exercise``) in a fresh process.

    Returns pytest's exit code: 0 when every test passed, 1 when any did not.  With ``capture``, returns the
    ``subprocess.CompletedProcess`` instead.
    """
    tests = ROOT / "tests" / "grading"
    paths = sorted(str(p) for p in tests.glob(f"test_{exercise or 'ex'}*.py"))
    if not paths:
        raise ValueError(f"No graded tests match {exercise!r}; see {tests}")
    command = [sys.executable, "-m", "pytest", *paths, "--target", str(target), "-p", "no:cacheprovider",
               "--no-header", "-q", "--tb=no", "-rN"]
    command += ["--grading-report", report] if report else []
    command += ["--grading-timeout", str(timeout)] if timeout else []
    result = subprocess.run(command, cwd=ROOT, env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"},
                            capture_output=capture, text=True)
    return result if capture else result.returncode


def check(exercise: str, target: str = "exercises") -> int:
    """From a lesson: grade one exercise (e.g. ``"ex05"``) and print its points table.

    The output is captured and printed here, so that it appears in the notebook rather than in the terminal that
    runs Jupyter."""
    result = run(target, exercise, report=os.devnull, capture=True)
    print(result.stdout + result.stderr)
    return result.returncode
