"""The exercise grader (``symkeras.course.grading``), re-exported under its historical name.

This module is the grader's pytest plugin, loaded explicitly with ``-p symkeras.grading`` (``--target``,
``@pytest.mark.points``, the ``ex`` fixture, the points table), and what graded tests import their helpers from:
``from symkeras.grading import expect_close``.
"""

from symkeras.course.grading import *  # noqa: F401,F403
from symkeras.course.grading import __all__  # noqa: F401
from symkeras.course.grading.plugin import (  # noqa: F401 — pytest finds the plugin's hooks and fixtures here
    ex,
    pytest_addoption,
    pytest_collection_finish,
    pytest_collection_modifyitems,
    pytest_configure,
    pytest_generate_tests,
    pytest_runtest_call,
    pytest_runtest_makereport,
    pytest_runtest_setup,
    pytest_runtest_teardown,
    pytest_sessionfinish,
    pytest_terminal_summary,
    pytest_unconfigure,
    rng,
)
