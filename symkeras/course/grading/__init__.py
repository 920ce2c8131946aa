"""The exercise grader: student code isolated in child processes, scores computed outside it, batch grading.

* :mod:`.plugin` — the pytest plugin (``--target``, ``@pytest.mark.points``, the ``ex`` fixture, the points table);
* :mod:`.sandbox` — the student's code in a child process (limits, Landlock, statuses), seen through a proxy;
* :mod:`.expect` — ``expect_close`` / ``expect_equal``: assertions whose messages say what is wrong in words;
* :mod:`.runner` — ``run``, ``check``, ``grade_batch`` (``python -m symkeras grade``);
* :mod:`.stubs` — exercise stubs from the reference solutions.

``symkeras.grading`` re-exports all of this (and is the plugin's name for ``pytest -p symkeras.grading``).
"""

from symkeras.course.grading.expect import expect_close, expect_equal, relative_error
from symkeras.course.grading.plugin import DEFAULT_TIMEOUT, REASON_LENGTH, TARGETS
from symkeras.course.grading.report import WIDTH, GradeResult, format_report, summarize
from symkeras.course.grading.runner import (
    UsageError,
    check,
    exercise_names,
    grade_batch,
    resolve_target,
    run,
    select_tests,
)
from symkeras.course.grading.sandbox import ChildFailure, Limits
from symkeras.course.grading.stubs import BEGIN, END, ROOT, generate_exercises, make_stub

__all__ = [
    "BEGIN",
    "DEFAULT_TIMEOUT",
    "END",
    "REASON_LENGTH",
    "ROOT",
    "TARGETS",
    "WIDTH",
    "ChildFailure",
    "GradeResult",
    "Limits",
    "UsageError",
    "check",
    "exercise_names",
    "expect_close",
    "expect_equal",
    "format_report",
    "generate_exercises",
    "grade_batch",
    "make_stub",
    "relative_error",
    "resolve_target",
    "run",
    "select_tests",
    "summarize",
]
