"""The grader's pytest plugin, loaded explicitly as ``-p symkeras.grading`` (the grader's own pytest runs do that, and
the repository's ``tests/conftest.py`` names it); installing symkeras registers no plugin in other projects' pytest.

Graded tests live in ``tests/grading/test_exNN_topic.py`` (installed: ``symkeras/course/material/graded/``, see
``symkeras.course.workspace.material``) and, with ``--tests DIR``, in a teacher's folder; they carry
``@pytest.mark.points(n)`` and receive the student's module from the ``ex`` fixture.  This process (the *parent*)
holds the tests, the references and the score; the student's code runs in a child process (``sandbox.py``): ``ex``
is a :class:`~symkeras.course.grading.sandbox.Submission`, whose calls are evaluated there and whose results come
back as plain values.

Each graded test ends in one status:

* ``passed`` — full points;
* ``not attempted`` — the code raised ``NotImplementedError`` (an untouched stub);
* ``wrong: <reason>`` — an assertion failed; the reason is the first line of its message, which says in words what
  was checked and what was measured (``expect_close``, ``expect_equal`` write such messages);
* ``error: <what>`` — anything else: an exception (``error: TypeError``), an import error, or the student's process
  failing as a whole (``error: exited with code 0``, ``error: timeout after 120 s``, ``error: memory limit 4 GB``,
  ``error: KeyboardInterrupt``, ``error: killed by signal SIGSEGV``…).

At the end of the run the plugin checks that the graded tests and the grader on disk are still the ones it loaded,
writes ``grading-report.json`` and prints the points table.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections import OrderedDict
from pathlib import Path

import numpy as np
import pytest

from symkeras.course.grading import sandbox
from symkeras.course.grading.report import format_report, report_warnings, summarize
from symkeras.course.grading.stubs import ROOT
from symkeras.course.workspace import CHECKOUT, course_folder, material

TARGETS = ("exercises", "solutions")
DEFAULT_TIMEOUT = 120
REASON_LENGTH = 400  # characters of an assertion message's first line kept in a "wrong: …" status
SHIPPED_TESTS = material("graded")
GRADER_FILES = (
    *sorted(Path(__file__).resolve().parent.glob("*.py")),
    Path(__file__).resolve().parents[2] / "grading.py",
)
TEACHER_PREFIX = "teacher: "
_RESULTS = pytest.StashKey[dict]()
_STATE = pytest.StashKey["State"]()
_WORKER = pytest.StashKey[sandbox.Worker]()


def pytest_addoption(parser):
    group = parser.getgroup("symkeras grading")
    group.addoption(
        "--target",
        default=None,
        help="grade exercises/ (default), solutions/, or a directory of exNN_*.py files; several, "
        f"joined by {os.pathsep!r}, are graded side by side; or set SYMKERAS_TARGET",
    )
    group.addoption(
        "--grading-targets",
        default=None,
        help='a JSON file listing the targets, [{"id": "alice", "path": "/abs/alice"}, …] (batch)',
    )
    group.addoption(
        "--grading-batch",
        action="store_true",
        help="every target is a whole submission: an exercise file it lacks is an error",
    )
    group.addoption("--grading-report", default="grading-report.json", help="where to write the JSON report")
    group.addoption("--grading-timeout", type=float, default=DEFAULT_TIMEOUT, help="seconds allowed per graded test")
    group.addoption(
        "--grading-memory",
        type=float,
        default=sandbox.Limits.memory_gb,
        help="GB of address space for a student's process",
    )
    group.addoption(
        "--grading-recursion",
        type=int,
        default=sandbox.Limits.recursion,
        help="Python recursion limit in a student's process",
    )
    group.addoption(
        "--grading-output",
        type=int,
        default=sandbox.Limits.output,
        help="bytes of a student's printed output kept in the report",
    )
    group.addoption(
        "--grading-no-sandbox",
        action="store_true",
        help="do not restrict the student's file-system access (Landlock); for debugging only",
    )
    group.addoption(
        "--grading-teacher-tests",
        action="append",
        default=[],
        help="a folder of the teacher's graded tests (listed as 'teacher: …' in the table)",
    )


def pytest_configure(config):
    config.addinivalue_line("markers", "points(n): points a graded exercise test is worth")
    config.stash[_RESULTS] = {}
    grading = config.getoption("--target") or config.getoption("--grading-targets") or os.environ.get("SYMKERAS_TARGET")
    xdist_controller = getattr(config.option, "numprocesses", None) and not hasattr(config, "workerinput")
    if grading and not xdist_controller:
        _state(config).start()  # the zygote imports Keras while pytest collects


def pytest_unconfigure(config):
    state = config.stash.get(_STATE, None)
    if state is not None:
        state.close()


# --- targets ----------------------------------------------------------------------------------------------------------------


def _target_dir(target: str) -> Path:
    path = Path(target).expanduser()
    if target in TARGETS and not path.is_dir():
        path = course_folder(target) or path
    return path.resolve()


def unique_ids(directories) -> list[str]:
    """Short, unique names for several targets: their folder names (``alice``), numbered when two are the same."""
    names = [Path(d).name or "target" for d in directories]
    ids, seen = [], {}
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        ids.append(name if names.count(name) == 1 else f"{name}-{seen[name]}")
    return ids


def _read_targets(config) -> list[tuple[str, Path]]:
    listing = config.getoption("--grading-targets")
    if listing:
        entries = json.loads(Path(listing).read_text())
        return [(str(e["id"]), Path(e["path"]).resolve()) for e in entries]
    target = config.getoption("--target") or os.environ.get("SYMKERAS_TARGET", "exercises")
    parts = [t for t in target.split(os.pathsep) if t] or [target]
    directories = [_target_dir(t) for t in parts]
    for t, d in zip(parts, directories):
        if not d.is_dir():
            raise pytest.UsageError(
                f"The grading target must be one of {TARGETS} or a directory of exNN_*.py files "
                f"(several joined by {os.pathsep!r}). Received: {t!r} ({d} is not a directory)"
            )
    ids = unique_ids(directories) if len(directories) > 1 else [""]
    return list(zip(ids, directories))


# --- the state of a grading run: targets, limits, the student processes -------------------------------------------------


class State:
    def __init__(self, config):
        self.config = config
        self.targets = _read_targets(config)
        self.by_id = dict(self.targets)
        self.batch = config.getoption("--grading-batch")
        self.limits = sandbox.Limits(
            timeout=config.getoption("--grading-timeout"),
            memory_gb=config.getoption("--grading-memory"),
            recursion=config.getoption("--grading-recursion"),
            output=config.getoption("--grading-output"),
            sandbox=not config.getoption("--grading-no-sandbox"),
        )
        self.teacher_dirs = [Path(d).resolve() for d in config.getoption("--grading-teacher-tests")]
        self.zygote: sandbox.Zygote | None = None
        self.failure: sandbox.ChildFailure | None = None
        self.workers: OrderedDict[tuple, sandbox.Worker] = OrderedDict()
        self.outputs: dict[str, str] = {}
        self.sandbox = ""
        self.paths: dict | None = None
        self.snapshot: dict[Path, bytes] = {}
        self.loaded_sha = ""
        self.loaded_paths: list[Path] = []
        self.finished = False
        self.timings: dict[str, float] = {}

    def protected(self) -> list[Path]:
        return [
            *([CHECKOUT] if CHECKOUT else []),
            SHIPPED_TESTS,
            *(d for _, d in self.targets),
            *self.teacher_dirs,
            Path.cwd(),
        ]

    def start(self) -> None:
        if self.zygote is None and self.failure is None:
            try:
                self.zygote = sandbox.Zygote()
            except OSError as e:
                self.failure = sandbox.ChildFailure("error: the grader could not start a process", str(e))

    def ready(self) -> None:
        self.start()
        if self.failure is None and self.zygote.info is None:
            started = time.monotonic()
            try:
                info = self.zygote.ready()
                self.timings.update(
                    zygote_import_s=round(info.get("seconds", 0.0), 2),
                    waited_for_zygote_s=round(time.monotonic() - started, 2),
                )
            except sandbox.ChildFailure as e:
                self.failure = e
        if self.paths is None:
            self.paths = sandbox.sandbox_paths(self.protected())

    def worker(self, target_id: str, directory: Path, exercise: str) -> sandbox.Worker:
        if self.zygote is not None and self.zygote.info is not None and not self.zygote.alive():
            self.stop_workers()  # the zygote died (it should not: a sandboxed worker cannot signal it): a new one
            self.zygote.close()
            self.zygote = None
        self.ready()
        if self.failure is not None:
            raise self.failure
        key = (target_id, exercise)
        if key in self.workers:
            self.workers.move_to_end(key)
            return self.workers[key]
        while len(self.workers) >= 2:  # tests run grouped by (file, target): keep the last two warm
            old_key, old = self.workers.popitem(last=False)
            self._retire(old_key, old)
        worker = sandbox.Worker(self.zygote, directory, exercise, self.limits, self.paths)
        self.workers[key] = worker
        return worker

    def _retire(self, key, worker: sandbox.Worker) -> None:
        worker.stop()
        self.sandbox = worker.sandbox or self.sandbox
        text = worker.output()
        if text.strip():
            target_id, exercise = key
            self.outputs[f"{exercise}[{target_id}]" if target_id else exercise] = text

    def stop_workers(self) -> None:
        while self.workers:
            key, worker = self.workers.popitem(last=False)
            self._retire(key, worker)

    def close(self) -> None:
        self.stop_workers()
        if self.zygote is not None:
            self.zygote.close()
            self.zygote = None


def _state(config) -> State:
    state = config.stash.get(_STATE, None)
    if state is None:
        state = config.stash[_STATE] = State(config)
    return state


# --- collection -------------------------------------------------------------------------------------------------------------


def _known_exercises() -> list[str]:
    return sorted(p.stem.removeprefix("test_") for p in SHIPPED_TESTS.glob("test_ex*.py"))


def exercise_of(path: Path) -> str:
    """The exercise a graded test file grades: ``test_ex05_gconv.py`` → ``ex05_gconv``; a teacher's
    ``test_ex05_more.py`` → the shipped exercise numbered ex05."""
    stem = Path(path).stem.removeprefix("test_")
    if Path(path).resolve().parent == SHIPPED_TESTS:
        return stem
    number = stem.split("_")[0]
    return next((e for e in _known_exercises() if e.split("_")[0] == number), stem)


def _is_teacher(item) -> bool:
    return Path(item.path).resolve().parent != SHIPPED_TESTS


def pytest_generate_tests(metafunc):
    """Several targets: run each graded test once per target, ``test_name[<target>]`` (only the targets that hold its
    exercise, unless ``--grading-batch``)."""
    if "ex" not in metafunc.fixturenames:
        return
    state = _state(metafunc.config)
    if len(state.targets) > 1:
        exercise = exercise_of(metafunc.definition.path)
        holding = [t for t, d in state.targets if state.batch or (d / f"{exercise}.py").exists()]
        metafunc.parametrize("ex", holding, indirect=True, ids=holding)


def _points(item) -> float | None:
    marker = item.get_closest_marker("points")
    return None if marker is None else float(marker.args[0])


def _target_of(item) -> str:
    callspec = getattr(item, "callspec", None)
    return callspec.params.get("ex", "") if callspec is not None else ""


def pytest_collection_modifyitems(config, items):
    graded = [item for item in items if _points(item) is not None]
    if not graded:
        return
    state = _state(config)
    for item in graded:
        if item.get_closest_marker("timeout") is None:  # a backstop for the parent's own code
            item.add_marker(pytest.mark.timeout(2 * state.limits.timeout + 60))
    order = {tid: i for i, (tid, _) in enumerate(state.targets)}
    files = {}
    for item in items:
        files.setdefault(item.path, len(files))
    position = {id(item): i for i, item in enumerate(items)}
    items.sort(key=lambda it: (files[it.path], order.get(_target_of(it), 0), position[id(it)]))


def _course_files(state: State, items) -> list[Path]:
    paths = set(GRADER_FILES) | {Path(item.path).resolve() for item in items if _points(item) is not None}
    paths |= {ROOT / "tests" / "conftest.py", ROOT / "pyproject.toml"} if CHECKOUT else set()
    for folder in _guarded_folders(state):
        paths |= {p for p in folder.rglob("*.py") if "__pycache__" not in p.parts}
    return sorted(p for p in paths if p.is_file())


def _guarded_folders(state: State) -> list[Path]:
    """Folders whose ``.py`` files a grading run snapshots and checks: the solutions (in a checkout), the graded
    tests, the teacher's tests."""
    return [*([CHECKOUT / "solutions"] if CHECKOUT else []), SHIPPED_TESTS, *state.teacher_dirs]


def pytest_collection_finish(session):
    items = [item for item in session.items if _points(item) is not None]
    if not items:
        return
    state = _state(session.config)
    state.snapshot = {p: p.read_bytes() for p in _course_files(state, items)}
    state.loaded_paths = sorted({Path(item.path).resolve() for item in items} | set(GRADER_FILES))
    state.loaded_sha = _combined_sha(state.loaded_paths, state.snapshot)


def _combined_sha(paths, contents) -> str:
    digest = hashlib.sha256()
    for p in paths:
        digest.update(str(p.relative_to(ROOT) if p.is_relative_to(ROOT) else p).encode())
        digest.update(hashlib.sha256(contents.get(p, b"")).digest())
    return digest.hexdigest()


def _display(path: Path) -> str:
    return str(path)


# --- the fixtures a graded test receives ------------------------------------------------------------------------------------


@pytest.fixture
def ex(request):
    """The student's module for this test file, ``<target>/exNN_topic.py``, running in its own process."""
    state = _state(request.config)
    exercise = exercise_of(request.node.path)
    target_id = getattr(request, "param", None) or state.targets[0][0]
    directory = state.by_id[target_id]
    path = directory / f"{exercise}.py"
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing")
    worker = state.worker(target_id, directory, exercise)
    request.node.stash[_WORKER] = worker
    return sandbox.Submission(worker)


@pytest.fixture
def rng():
    """A seeded generator (the same seed as the course's own tests)."""
    return np.random.default_rng(20161118)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_setup(item):
    _start_clock(item)
    try:
        yield
    finally:
        sandbox.Clock.deadline = None


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item):
    _start_clock(item)
    try:
        yield
    finally:
        sandbox.Clock.deadline = None


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item):
    yield
    worker = item.stash.get(_WORKER, None)
    if worker is not None:  # processes the student's code started do not outlive the test
        worker.prune()


def _start_clock(item) -> None:
    if _points(item) is not None and "ex" in getattr(item, "fixturenames", ()):
        state = _state(item.config)
        state.ready()  # waiting for the zygote's imports is not the student's time
        sandbox.start_test_clock(state.limits.timeout)


# --- statuses ---------------------------------------------------------------------------------------------------------------


def _first_line(text: str, limit: int = REASON_LENGTH) -> str:
    lines = str(text).strip().splitlines()
    line = lines[0].strip() if lines else ""
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _status(excinfo) -> tuple[str, str]:
    """``(status, detail)``: the status of a failed graded test, and for errors what happened."""
    error = excinfo.value
    if isinstance(error, sandbox.ChildFailure):
        return error.status, _first_line(error.detail, 300)
    if isinstance(error, NotImplementedError):
        return "not attempted", ""
    if "Timeout" in excinfo.exconly() and not isinstance(error, AssertionError):  # pytest-timeout: pytest.fail
        return "error: timeout", "the test took longer than its time limit (an endless loop?)"
    if isinstance(error, (AssertionError, pytest.fail.Exception)):
        return "wrong: " + (_first_line(error) or "an assertion failed"), ""
    name = getattr(error, "_symkeras_type", type(error).__name__)
    where = getattr(error, "_symkeras_where", "")
    return f"error: {name}", "; ".join(filter(None, [_first_line(error, 200), where]))


def _test_name(item) -> str:
    return (TEACHER_PREFIX if _is_teacher(item) else "") + item.name


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    points = _points(item)
    if points is None or call.when == "teardown" and report.passed:
        return
    results = item.config.stash[_RESULTS]
    key = (exercise_of(item.path), _test_name(item))
    if report.failed:
        results[key] = (points, *(_status(call.excinfo) if call.excinfo else ("error: failed", "")))
    elif report.skipped:
        results.setdefault(key, (points, "error: skipped", ""))
    elif call.when == "call":
        results[key] = (points, "passed", "")


# --- the end: integrity, report, table ---------------------------------------------------------------------------------------


def _check_integrity(state: State) -> dict:
    """Compare the course's files with the copy loaded before grading.  A student's process cannot write them when
    the sandbox is on; without it, the graded tests, the grader and the solutions are restored from that copy."""
    changed, restored = [], []
    restore = state.sandbox.startswith("none")  # student code ran unconfined: undo what it may have done
    for path, content in state.snapshot.items():
        try:
            same = path.read_bytes() == content
        except OSError:
            same = False
        if not same:
            changed.append(_display(path))
            if restore:
                try:
                    path.parent.mkdir(parents=True, exist_ok=True)
                    path.write_bytes(content)
                    restored.append(_display(path))
                except OSError:
                    pass
    created = []
    if state.snapshot:
        for folder in _guarded_folders(state):
            created += [
                _display(p) for p in folder.rglob("*.py") if "__pycache__" not in p.parts and p not in state.snapshot
            ]
    now = {p: (p.read_bytes() if p.is_file() else b"") for p in state.loaded_paths}
    return {
        "changed": changed,
        "restored": restored,
        "created": sorted(created),
        "verified": _combined_sha(state.loaded_paths, now) == state.loaded_sha and not changed,
    }


@pytest.hookimpl(tryfirst=True)
def pytest_sessionfinish(session, exitstatus):
    config = session.config
    results = config.stash[_RESULTS]
    state = config.stash.get(_STATE, None)
    if not results or state is None or state.finished:
        return
    state.finished = True
    state.stop_workers()
    integrity = _check_integrity(state)
    summary = summarize(results)
    targets = {tid: str(d) for tid, d in state.targets}
    display = str(state.targets[0][1]) + os.sep if len(state.targets) == 1 else os.pathsep.join(targets.values())
    report = {
        "target": display,
        "targets": targets,
        **summary,
        "sandbox": state.sandbox or "none (no student code ran)",
        "limits": state.limits.as_dict(),
        "grader_sha256": state.loaded_sha,
        "integrity": integrity,
        "timings": state.timings,
        "outputs": state.outputs,
    }
    path = Path(config.getoption("--grading-report"))
    path.write_text(json.dumps(report, indent=2, default=str))
    state.table = format_report(summary, display, report_warnings(report))
    state.report_path = path


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    state = config.stash.get(_STATE, None)
    table = getattr(state, "table", None)
    if not table:
        return
    terminalreporter.write_line("")
    for line in table.splitlines():
        terminalreporter.write_line(line)
    terminalreporter.write_line(f"wrote {state.report_path}")
