"""The points table, the JSON report and what ``run``/``check`` return."""

from __future__ import annotations

import textwrap
from collections import defaultdict
from dataclasses import dataclass, field

WIDTH = 110


def summarize(results: dict) -> dict:
    """``{(exercise, test): (points, status, detail)}`` → ``{"exercises": {…}, "total": {"earned", "possible"}}``."""
    exercises = defaultdict(lambda: {"earned": 0.0, "possible": 0.0, "tests": {}})
    for (exercise, test), (points, status, *detail) in sorted(results.items(), key=lambda item: item[0][0]):
        entry = exercises[exercise]
        entry["possible"] += points
        entry["earned"] += points if status == "passed" else 0.0
        entry["tests"][test] = {"points": points, "status": status}
        if detail and detail[0]:
            entry["tests"][test]["detail"] = detail[0]
    total = {
        "earned": sum(e["earned"] for e in exercises.values()),
        "possible": sum(e["possible"] for e in exercises.values()),
    }
    return {"exercises": dict(exercises), "total": total}


def format_report(summary: dict, target: str, warnings=()) -> str:
    """The points table; a wrong answer's failing check (and an error's message) is wrapped under its row."""
    lines = [f"Grading {target}", f"{'exercise / test':<72} {'points':>9}  status", "-" * WIDTH]
    for exercise, entry in summary["exercises"].items():
        lines.append(f"{exercise:<72} {entry['earned']:>4g} / {entry['possible']:<3g}".rstrip())
        for test, t in entry["tests"].items():
            earned = t["points"] if t["status"] == "passed" else 0
            status, _, reason = (
                t["status"].partition(": ") if t["status"].startswith("wrong") else (t["status"], "", "")
            )
            lines.append(f"  {test:<70} {earned:>4g} / {t['points']:<3g} {status}")
            for text in (reason, t.get("detail", "")):
                if text:
                    lines += textwrap.wrap(
                        text, WIDTH, initial_indent=" " * 6, subsequent_indent=" " * 8, break_on_hyphens=False
                    )
    total = summary["total"]
    percent = 100 * total["earned"] / total["possible"] if total["possible"] else 0.0
    lines += ["-" * WIDTH, f"{'TOTAL':<72} {total['earned']:>4g} / {total['possible']:<3g} ({percent:.0f}%)"]
    if summary["exercises"] and all(
        t["status"] == "passed" for e in summary["exercises"].values() for t in e["tests"].values()
    ):
        lines.append("All tests passed!")
    for warning in warnings:
        lines += textwrap.wrap(f"WARNING: {warning}", WIDTH, subsequent_indent=" " * 9, break_on_hyphens=False)
    return "\n".join(lines)


def report_warnings(report: dict) -> list[str]:
    """What a teacher must know about a run: files changed on disk, student code that ran without a sandbox."""
    warnings = []
    integrity = report.get("integrity") or {}
    if integrity.get("changed"):
        warnings.append(
            "these files of the grader or the course changed on disk during grading (restored from the "
            "copy loaded before grading; the points above used that copy): " + ", ".join(integrity["changed"])
        )
    if integrity.get("created"):
        warnings.append("new files appeared in the course's folders during grading: " + ", ".join(integrity["created"]))
    sandbox = report.get("sandbox") or ""
    if sandbox.startswith("none") and sandbox not in ("none (disabled)", "none (no student code ran)"):
        warnings.append(
            f"student code ran without a file-system sandbox ({sandbox}): grade untrusted work in a "
            f"container (README, 'Exercises and grading')"
        )
    return warnings


@dataclass
class GradeResult:
    """What :func:`run` found: the points, each test's status, and the table it printed.

    Its ``repr`` is one line, and in a notebook it displays nothing (the table is already printed), so a cell ending
    in ``symkeras.check("ex05")`` shows the table once and no stray value."""

    returncode: int  # 0 when every graded test passed, 1 otherwise
    report: dict = field(default_factory=dict)  # the JSON report: {"target", "exercises", "total", …}
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
        return {
            (e, t): v["status"]
            for e, entry in self.report.get("exercises", {}).items()
            for t, v in entry["tests"].items()
        }

    def __repr__(self) -> str:
        return f"<GradeResult {self.earned:g} / {self.possible:g} points{', all passed' if self.passed else ''}>"

    def _ipython_display_(self):  # the table was printed already: display nothing
        pass
