"""Entry points: ``python -m symkeras grade`` (one submission, or a whole class into a CSV) and ``symkeras.check``.

Each grading run is a fresh pytest process (the grading parent, see ``plugin.py``), started from here with absolute
paths, the plugin loaded explicitly (``-p symkeras.grading``) and an empty pytest configuration of its own, so that
neither a project's pytest settings nor its conftest files around the graded tests change how they run.  Relative
paths given here resolve from the current directory; ``exercises`` and ``solutions`` mean the folder of that name in
the current directory, else one level up (a lesson runs in ``lessons/``, beside ``exercises/``), else the checkout's
(``symkeras.course.workspace.course_folder``).
"""

from __future__ import annotations

import csv
import dataclasses
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from symkeras.course.grading.plugin import SHIPPED_TESTS, TARGETS, exercise_of, unique_ids
from symkeras.course.grading.report import GradeResult, format_report, report_warnings
from symkeras.course.grading.sandbox import Limits
from symkeras.course.workspace import course_folder


class UsageError(ValueError):
    """A mistake in what was asked (an unknown exercise, a missing folder): a message, not a traceback."""


def resolve_target(target) -> Path:
    """A submission folder: relative to the current directory; ``exercises``/``solutions`` fall back to the
    course's folders (one level up, then the checkout's)."""
    path = Path(target).expanduser()
    if path.is_dir():
        return path.resolve()
    if str(target) in TARGETS:
        found = course_folder(str(target))
        if found is not None:
            return found
        where = (
            "a checkout of the repository has them; an installed symkeras has no reference solutions"
            if target == "solutions"
            else "run `symkeras course init DIR` to write the lessons and exercises into DIR, then grade from DIR"
        )
        raise UsageError(f"no {target}/ folder here ({Path.cwd()}) or one level up: {where}")
    raise UsageError(f"{path.resolve()} is not a folder of exNN_*.py files")


def exercise_names() -> list[str]:
    return sorted(p.stem.removeprefix("test_") for p in SHIPPED_TESTS.glob("test_ex*.py"))


def select_tests(exercise: str | None = None, teacher_dirs=()) -> list[Path]:
    """The graded test files to run: all, or those of one exercise (``"ex05"`` or ``"ex05_gconv"``, exactly: ``ex0``
    matches nothing), plus the teacher's."""
    teacher = []
    for folder in teacher_dirs:
        folder = Path(folder).expanduser().resolve()
        if not folder.is_dir():
            raise UsageError(f"{folder} is not a folder of graded tests (test_exNN_*.py)")
        found = sorted(folder.glob("test_*.py"))
        if not found:
            raise UsageError(f"{folder} holds no graded tests (test_exNN_*.py)")
        teacher += found
    files = sorted(SHIPPED_TESTS.glob("test_ex*.py")) + teacher
    if exercise is None:
        return files
    names = sorted({exercise_of(p) for p in files})
    match = []
    for wanted in (w.strip() for w in exercise.split(",")):
        found = [n for n in names if wanted in (n, n.split("_")[0])]
        if not found:
            raise UsageError(
                f"no exercise is called {wanted!r}. The exercises are: {', '.join(names)} "
                f"(give exNN or the full name; several joined by commas)"
            )
        match += found
    return [p for p in files if exercise_of(p) in match]


def _pytest(
    targets: list[tuple[str, Path]],
    tests: list[Path],
    report: Path,
    limits: Limits | None,
    batch: bool,
    teacher_dirs,
    scratch: Path,
) -> subprocess.CompletedProcess:
    listing = scratch / "targets.json"
    listing.write_text(json.dumps([{"id": tid, "path": str(path)} for tid, path in targets]))
    limits = limits or Limits()
    config = scratch / "pytest.ini"  # the graded tests' own (empty) settings, wherever they are installed
    config.write_text("[pytest]\n")
    command = [
        sys.executable,
        "-m",
        "pytest",
        *map(str, tests),
        "-c",
        str(config),
        "--rootdir",
        str(SHIPPED_TESTS),
        # the plugin, once: an older install's metadata may still register it as "symkeras" (a `pytest11`
        # entry point, since removed); blocking that name keeps pytest from loading it twice
        "-p",
        "no:symkeras",
        "-p",
        "symkeras.grading",
        "--grading-targets",
        str(listing),
        "-p",
        "no:cacheprovider",
        "--no-header",
        "-q",
        "--tb=short",
        "-rN",
        "--grading-report",
        str(report),
        "--grading-timeout",
        f"{limits.timeout:g}",
        "--grading-memory",
        f"{limits.memory_gb:g}",
        "--grading-recursion",
        str(limits.recursion),
        "--grading-output",
        str(limits.output),
    ]
    command += ["--grading-batch"] if batch else []
    command += [] if limits.sandbox else ["--grading-no-sandbox"]
    for folder in teacher_dirs:
        command += ["--grading-teacher-tests", str(Path(folder).expanduser().resolve())]
    if teacher_dirs:  # a teacher's test file may share a shipped file's name
        command += ["--import-mode=importlib"]
    return subprocess.run(
        command,
        cwd=SHIPPED_TESTS,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"},
        capture_output=True,
        text=True,
        errors="replace",
    )


def _grade(targets, exercise=None, report=None, limits=None, tests=(), batch=False):
    """Run the graded tests in a fresh pytest process; the result (with its table) and pytest's raw output."""
    paths = select_tests(exercise, tests)
    with tempfile.TemporaryDirectory(prefix="symkeras-grade-") as scratch:
        path = Path(report).expanduser().resolve() if report else Path(scratch) / "grading-report.json"
        path.unlink(missing_ok=True)
        process = _pytest(targets, paths, path, limits, batch, tests, Path(scratch))
        summary = json.loads(path.read_text()) if path.exists() else None
    result = GradeResult(0 if process.returncode == 0 and summary else 1, summary or {})
    result.text = format_report(summary, summary["target"], report_warnings(summary)) if summary else ""
    if summary is None or process.returncode not in (0, 1):  # a broken graded test file: show pytest's words
        output = (process.stdout + process.stderr).strip()
        result.text = f"{result.text}\n\npytest exited with code {process.returncode}:\n{output[-6000:]}".strip()
    return result, process


def _targets(target) -> list[tuple[str, Path]]:
    parts = [t for t in str(target).split(os.pathsep) if t] if isinstance(target, str) else list(target)
    directories = [resolve_target(t) for t in parts or ["exercises"]]
    ids = unique_ids(directories) if len(directories) > 1 else [""]
    return list(zip(ids, directories))


def run(
    target="exercises",
    exercise: str | None = None,
    report: str | None = None,
    timeout: float | None = None,
    capture: bool = False,
    limits: Limits | None = None,
    tests=(),
):
    """Grade ``target`` (all exercises, or those matching ``exercise``) and print only the points table.

    ``target`` is a folder (or several joined by ``os.pathsep``, graded side by side: each graded test once per
    folder that holds its exercise).  ``report`` is where the JSON report goes (default: a temporary file).
    ``tests`` are folders of the teacher's extra graded tests.  Returns the exit code, 0 when every test passed and
    1 otherwise; with ``capture``, prints nothing and returns a ``subprocess.CompletedProcess`` with that exit code,
    the table as ``stdout`` and pytest's output as ``stderr``.
    """
    limits = dataclasses.replace(limits or Limits(), **({"timeout": timeout} if timeout else {}))
    result, process = _grade(_targets(target), exercise, report, limits, tests)
    if capture:
        return subprocess.CompletedProcess(
            process.args, result.returncode, result.text, process.stdout + process.stderr
        )
    print(result.text)
    return result.returncode


def check(exercise: str, target: str = "exercises") -> GradeResult:
    """From a lesson: grade one exercise (e.g. ``"ex05"``; an unknown name raises :class:`UsageError`, a
    ``ValueError`` listing the exercises) and print its points table.

    The table is printed here, so that it appears in the notebook rather than in the terminal that runs Jupyter.
    Returns a :class:`GradeResult` (``.passed``, ``.earned``, ``.statuses``) that a notebook does not echo."""
    result, _ = _grade(_targets(target), exercise)
    print(result.text)
    return result


# --- a whole class ----------------------------------------------------------------------------------------------------------


def _split(report: dict, target_id: str, several: bool) -> dict:
    """One student's part of a report graded side by side (test names ``name[<id>]``)."""
    suffix = f"[{target_id}]"
    exercises = {}
    for exercise, entry in report.get("exercises", {}).items():
        tests = {
            name[: -len(suffix)] if several else name: t
            for name, t in entry["tests"].items()
            if not several or name.endswith(suffix)
        }
        if tests:
            earned = sum(t["points"] for t in tests.values() if t["status"] == "passed")
            exercises[exercise] = {
                "earned": earned,
                "possible": sum(t["points"] for t in tests.values()),
                "tests": tests,
            }
    outputs = {}
    for key, text in report.get("outputs", {}).items():
        if not several:
            outputs[key] = text
        elif key.endswith(suffix):
            outputs[key[: -len(suffix)]] = text
    total = {
        "earned": sum(e["earned"] for e in exercises.values()),
        "possible": sum(e["possible"] for e in exercises.values()),
    }
    return {
        "student": target_id,
        "target": report.get("targets", {}).get(target_id, ""),
        "exercises": exercises,
        "total": total,
        "outputs": outputs,
        **{k: report.get(k) for k in ("sandbox", "limits", "grader_sha256", "integrity")},
    }


def grade_batch(targets, csv_path=None, report_dir=None, exercise=None, limits=None, tests=(), quiet=False) -> int:
    """Grade many student folders in one run: one CSV row per student (points per exercise), one JSON report per
    student in ``report_dir`` (default: beside the CSV, ``<csv name>-reports/``).  A student whose folder is
    missing, or whose code does anything at all, gets their row; the others are graded regardless.  Returns 0 when
    every student was graded."""
    csv_path = Path(csv_path).expanduser().resolve() if csv_path else None
    if report_dir:
        report_dir = Path(report_dir).expanduser().resolve()
    elif csv_path:
        report_dir = csv_path.with_name(csv_path.stem + "-reports")
    else:
        report_dir = Path("grading-reports").resolve()
    report_dir.mkdir(parents=True, exist_ok=True)
    directories = [Path(t).expanduser().resolve() for t in targets]
    ids = unique_ids(directories)
    students = list(zip(ids, directories))
    present = [(tid, d) for tid, d in students if d.is_dir()]
    names = sorted({exercise_of(p) for p in select_tests(exercise, tests)})
    reports: dict[str, dict] = {}
    if present:
        with tempfile.TemporaryDirectory(prefix="symkeras-batch-") as scratch:
            result, process = _grade(present, exercise, Path(scratch) / "all.json", limits, tests, batch=True)
        if result.report:
            for tid, _ in present:
                reports[tid] = _split(result.report, tid, len(present) > 1)
        else:  # the combined run broke (it should not): grade each student alone
            for tid, d in present:
                alone, process = _grade([("", d)], exercise, None, limits, tests, batch=True)
                reports[tid] = (
                    _split(alone.report, "", False)
                    if alone.report
                    else {
                        "student": tid,
                        "target": str(d),
                        "exercises": {},
                        "total": {"earned": 0, "possible": 0},
                        "problem": f"grading failed: pytest exited with code {process.returncode}",
                        "output": (process.stdout + process.stderr)[-4000:],
                    }
                )
    for tid, d in students:
        report = reports.get(tid) or {
            "student": tid,
            "target": str(d),
            "exercises": {},
            "total": {"earned": 0, "possible": 0},
            "problem": f"{d} is not a folder",
        }
        report["student"], report["target"] = tid, str(d)
        reports[tid] = report
        (report_dir / f"{tid}.json").write_text(json.dumps(report, indent=2, default=str))
    possible = {}
    for report in reports.values():
        for e, entry in report["exercises"].items():
            possible[e] = max(possible.get(e, 0), entry["possible"])
    total_possible = sum(possible.get(e, 0) for e in names)
    rows = []
    for tid, d in students:
        report = reports[tid]
        points = {e: report["exercises"].get(e, {}).get("earned", 0.0) for e in names}
        statuses = [t["status"] for e in report["exercises"].values() for t in e["tests"].values()]
        earned = sum(points.values())
        problem = report.get("problem") or "; ".join(
            f"{n} {kind}"
            for kind, n in (
                ("errors", sum(s.startswith("error") for s in statuses)),
                ("wrong", sum(s.startswith("wrong") for s in statuses)),
                ("not attempted", statuses.count("not attempted")),
            )
            if n
        )
        rows.append(
            {
                "student": tid,
                "folder": str(d),
                **{e: f"{points[e]:g}" for e in names},
                "earned": f"{earned:g}",
                "possible": f"{total_possible:g}",
                "percent": f"{100 * earned / total_possible:.0f}" if total_possible else "0",
                "notes": problem,
                "report": str(report_dir / f"{tid}.json"),
            }
        )
    if csv_path:
        csv_path.parent.mkdir(parents=True, exist_ok=True)
        with csv_path.open("w", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=list(rows[0]) if rows else ["student"])
            writer.writeheader()
            writer.writerows(rows)
    if not quiet:
        print(format_batch(rows, names, possible, csv_path, report_dir))
    return 0 if all(not r.get("problem") for r in reports.values()) else 1


def format_batch(rows, names, possible, csv_path, report_dir) -> str:
    short = [n.split("_")[0] for n in names]
    width = max([7, *(len(r["student"]) for r in rows)]) + 2
    lines = [
        f"Graded {len(rows)} submission{'s' if len(rows) != 1 else ''}",
        f"{'student':<{width}}" + "".join(f"{s:>7}" for s in short) + f"{'total':>14}  notes",
        f"{'(of)':<{width}}" + "".join(f"{possible.get(n, 0):>7g}" for n in names),
    ]
    for r in rows:
        lines.append(
            f"{r['student']:<{width}}"
            + "".join(f"{r[n]:>7}" for n in names)
            + f"{r['earned'] + ' / ' + r['possible']:>10} {r['percent']:>3}%  {r['notes']}".rstrip()
        )
    if csv_path:
        lines.append(f"CSV: {csv_path}")
    lines.append(f"one JSON report per student: {report_dir}{os.sep}<student>.json")
    return "\n".join(lines)
