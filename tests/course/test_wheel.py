"""A learner's path from the package alone (`make test-wheel`): build the wheel from the repository's files, list and
check what it holds, install it with the `course` extra into a fresh venv outside the repository, `symkeras course
init` a folder, run lesson 0 there headless (fast mode), and grade ex00: "not attempted" for the stub, full marks for
the reference solution.  Also the lessons' first cell (the Colab path) and that pytest elsewhere gains no plugin.

Sizes and wall times go to out/wheel/timings.json and are printed at the end."""

import fnmatch
import json
import os
import re
import shutil
import subprocess
import sys
import time
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.wheel, pytest.mark.slow]
TIMES: dict[str, float] = {}
IGNORED = {".git", ".venv", "out", "build", "dist", "__pycache__", ".ipynb_checkpoints", ".pytest_cache", "benchmarks"}


def _clean_env(venv: Path | None = None, **extra) -> dict:
    """The environment of a learner's shell: nothing that points back at this repository or its venv."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
    if venv is not None:
        env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
        env["VIRTUAL_ENV"] = str(venv)
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    return {**env, **extra}


def _run(step: str, command, cwd, env, timeout=1800) -> subprocess.CompletedProcess:
    start = time.perf_counter()
    result = subprocess.run(
        [str(c) for c in command], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
    )
    TIMES[step] = round(TIMES.get(step, 0.0) + time.perf_counter() - start, 1)
    return result


def _source_files() -> list[Path]:
    """The files a clean clone with the working tree's changes has: git's tracked and untracked-but-not-ignored
    files (a wheel built from the working folder could also pick up stale build/ output)."""
    try:
        listed = subprocess.run(
            ["git", "-C", str(ROOT), "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split("\0")
        return [ROOT / p for p in listed if p and (ROOT / p).is_file()]
    except (OSError, subprocess.CalledProcessError):
        return [p for p in ROOT.rglob("*") if p.is_file() and not IGNORED & set(p.relative_to(ROOT).parts)]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    source = tmp_path_factory.mktemp("source")
    for path in _source_files():
        target = source / path.relative_to(ROOT)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
    dist = tmp_path_factory.mktemp("dist")
    result = _run(
        "build the wheel",
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", source, "-w", dist],
        cwd=source,
        env=_clean_env(),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    (built,) = dist.glob("symkeras-*.whl")
    TIMES["wheel size (KB)"] = round(built.stat().st_size / 1024, 1)
    return built


@pytest.fixture(scope="module")
def venv(wheel, tmp_path_factory) -> Path:
    venv = tmp_path_factory.mktemp("learner") / "venv"
    assert ROOT not in venv.parents
    result = _run("create the venv", [sys.executable, "-m", "venv", venv], cwd=venv.parent, env=_clean_env())
    assert result.returncode == 0, result.stderr
    result = _run(
        "pip install <wheel>[course]",
        [venv / "bin" / "python", "-m", "pip", "install", "-q", f"{wheel}[course]"],  # as a learner would
        cwd=venv.parent,
        env=_clean_env(venv),
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return venv


@pytest.fixture(scope="module")
def course(venv, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("home") / "my course"  # a space: the printed command must quote it
    result = _run(
        "symkeras course init",
        [venv / "bin" / "symkeras", "course", "init", folder],
        cwd=folder.parent,
        env=_clean_env(venv),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    lessons = len(list((ROOT / "lessons").glob("[0-9][0-9]_*.ipynb")))
    exercises = len(list((ROOT / "exercises").glob("ex[0-9][0-9]_*.py")))
    assert lessons == exercises == 13
    assert f"{lessons + exercises} files written, 0 already up to date, 0 kept" in result.stdout, result.stdout
    assert f"jupyter lab '{folder}'" in [line.strip() for line in result.stdout.splitlines()], result.stdout
    return folder


@pytest.fixture(scope="module", autouse=True)
def report():
    yield
    if TIMES:
        out = ROOT / "out" / "wheel"
        out.mkdir(parents=True, exist_ok=True)
        (out / "timings.json").write_text(json.dumps(TIMES, indent=2))
        print("\nwheel test: " + ", ".join(f"{k} {v:g}{'' if 'KB' in k else ' s'}" for k, v in TIMES.items()))


def test_the_wheel_holds_the_library_and_the_course_material_and_nothing_else(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    library = {f"{p.relative_to(ROOT)}" for p in (ROOT / "symkeras").rglob("*.py") if "__pycache__" not in p.parts}
    assert library <= set(names), f"modules missing from the wheel: {sorted(library - set(names))}"
    material = "symkeras/course/material/"
    for kind, folder, pattern in [
        ("lessons", "lessons", "[0-9][0-9]_*.ipynb"),
        ("exercises", "exercises", "ex*.py"),
        ("graded", "tests/grading", "test_ex*.py"),
    ]:
        expected = sorted(p.name for p in (ROOT / folder).glob(pattern))
        packaged = sorted(n.rsplit("/", 1)[1] for n in names if fnmatch.fnmatch(n, f"{material}{kind}/{pattern}"))
        assert len(expected) == 13 and packaged == expected, kind
        for name in expected:  # byte for byte the repository's files: one source
            assert zipfile.ZipFile(wheel).read(f"{material}{kind}/{name}") == (ROOT / folder / name).read_bytes()
    results = sorted(str(p.relative_to(ROOT / "docs" / "results")) for p in (ROOT / "docs" / "results").rglob("*.json"))
    assert results == sorted(
        n.removeprefix(material + "results/") for n in names if n.startswith(material + "results/")
    )
    forbidden = [
        n
        for n in names
        if re.search(
            r"(^|/)(solutions|wrong|hostile|tests|__pycache__|\.ipynb_checkpoints)/"
            r"|\.pyc$|(^|/)conftest\.py$|(^|/)grading-report\.json$",
            n,
        )
    ]
    assert not forbidden, forbidden
    tests = [n for n in names if re.search(r"(^|/)test_[^/]*\.py$", n) and not n.startswith(material + "graded/")]
    assert not tests, f"library tests in the wheel: {tests}"
    dist_info = next(n.split("/")[0] for n in names if n.endswith(".dist-info/METADATA"))
    entry_points = zipfile.ZipFile(wheel).read(f"{dist_info}/entry_points.txt").decode()
    assert "pytest11" not in entry_points and "symkeras = symkeras.cli:main" in entry_points
    metadata = Parser().parsestr(zipfile.ZipFile(wheel).read(f"{dist_info}/METADATA").decode())
    assert "course" in metadata.get_all("Provides-Extra")
    for requirement in metadata.get_all("Requires-Dist"):
        if re.match(r"(pytest|jupyterlab|nbclient|jupytext|ipykernel)\b", requirement):
            assert "extra ==" in requirement, f"{requirement} would be a base dependency"
    images = re.findall(r"!\[[^\]]*\]\(([^)\s]+)\)", metadata.get_payload())
    assert images and all(i.startswith("https://") for i in images), images
    print(f"\nwheel {wheel.name}: {wheel.stat().st_size / 1024:.0f} KB, {len(names)} files")


def test_course_init_keeps_the_learners_edits(venv, course):
    stub = course / "exercises" / "ex02_convolution.py"
    stub.write_text(stub.read_text() + "# my attempt\n")
    result = _run(
        "symkeras course init (again)",
        [venv / "bin" / "symkeras", "course", "init", course, "--no-data"],
        cwd=course,
        env=_clean_env(venv),
    )
    assert result.returncode == 0 and "1 kept" in result.stdout and "exercises/ex02_convolution.py" in result.stdout
    assert stub.read_text().endswith("# my attempt\n")


def test_lesson_0_runs_headless_in_the_course_folder(venv, course, tmp_path):
    result = _run(
        "lesson 00 (fast mode)",
        [venv / "bin" / "python", "-m", "symkeras", "lessons", "run", "00", "--out", tmp_path],
        cwd=course,
        env=_clean_env(venv, SYMKERAS_FAST="1"),
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    assert re.search(r"00_setup_and_tour\s+fast .* ok$", result.stdout, re.M), result.stdout
    assert (tmp_path / "00_setup_and_tour.ipynb").is_file()


CHECK = (
    "import json, symkeras; r = symkeras.check('ex00'); "
    "print('STATUSES', json.dumps(sorted(set(r.statuses.values()))), r.earned)"
)


def test_check_ex00_says_not_attempted_for_the_stub_and_full_marks_for_the_solution(venv, course):
    lessons = course / "lessons"  # where a notebook runs
    result = _run(
        "check('ex00') on the stub", [venv / "bin" / "python", "-c", CHECK], cwd=lessons, env=_clean_env(venv)
    )
    assert f"Grading {course / 'exercises'}/" in result.stdout, result.stdout + result.stderr
    assert 'STATUSES ["not attempted"] 0' in result.stdout, result.stdout + result.stderr
    shutil.copyfile(ROOT / "solutions" / "ex00_setup.py", course / "exercises" / "ex00_setup.py")
    result = _run(
        "check('ex00') on the solution", [venv / "bin" / "python", "-c", CHECK], cwd=lessons, env=_clean_env(venv)
    )
    assert 'STATUSES ["passed"] 2' in result.stdout and "TOTAL  " in result.stdout, result.stdout + result.stderr
    by_hand = _run(
        "pytest -p symkeras.grading (by hand)",
        [
            venv / "bin" / "python",
            "-m",
            "pytest",
            "-p",
            "symkeras.grading",
            "--target",
            course / "exercises",
            "-q",
            "-p",
            "no:cacheprovider",
            "--grading-report",
            course / "by-hand.json",
            _graded(venv) / "test_ex00_setup.py",
        ],
        cwd=course,
        env=_clean_env(venv),
    )
    assert by_hand.returncode == 0 and "2 passed" in by_hand.stdout, by_hand.stdout[-3000:] + by_hand.stderr[-3000:]
    graded = _run(
        "symkeras grade --exercise ex00",
        [venv / "bin" / "symkeras", "grade", "--exercise", "ex00"],
        cwd=course,
        env=_clean_env(venv),
    )
    assert graded.returncode == 0 and "2 / 2   (100%)" in graded.stdout, graded.stdout + graded.stderr


def _graded(venv) -> Path:
    """The installed graded tests' folder."""
    where = subprocess.run(
        [venv / "bin" / "python", "-c", "from symkeras.course import workspace; print(workspace.material('graded'))"],
        capture_output=True,
        text=True,
        env=_clean_env(venv),
        cwd=venv.parent,
    )
    return Path(where.stdout.strip())


def test_outside_a_checkout_there_are_no_solutions_and_no_false_success(venv, tmp_path):
    result = _run(
        "commands outside a checkout",
        [venv / "bin" / "python", "-m", "symkeras", "exercises", "--check"],
        cwd=tmp_path,
        env=_clean_env(venv),
    )
    assert result.returncode == 2 and "matches" not in result.stdout, result.stdout + result.stderr
    assert "only a checkout of the repository has" in result.stderr
    result = _run(
        "commands outside a checkout",
        [venv / "bin" / "symkeras", "grade", "solutions"],
        cwd=tmp_path,
        env=_clean_env(venv),
    )
    assert result.returncode == 2 and "no solutions/ folder here" in result.stderr, result.stdout + result.stderr


def test_the_first_cell_of_a_lesson_installs_symkeras_when_missing_and_fetches_its_exercise(venv, wheel, tmp_path):
    """The Colab path: the cell as shipped, run where `import symkeras` fails at first (a shim that steps aside) and no
    exercises/ folder exists; pip resolves `symkeras[course]` from the wheel's folder only (no index)."""
    packaged = subprocess.run(
        [venv / "bin" / "python", "-c", "from symkeras.course import workspace; print(workspace.material('lessons'))"],
        capture_output=True,
        text=True,
        env=_clean_env(venv),
        cwd=tmp_path,
    )
    notebook = Path(packaged.stdout.strip()) / "03_permutation_symmetry.ipynb"
    cells = json.loads(notebook.read_text())["cells"]
    cell = "".join(next(c for c in cells if c["cell_type"] == "code")["source"])
    shim = tmp_path / "shim"
    shim.mkdir()
    (shim / "symkeras.py").write_text(
        "import pathlib, sys\n"
        "sys.path.remove(str(pathlib.Path(__file__).parent))\n"
        "del sys.modules['symkeras']\n"
        "pathlib.Path('import-failed').write_text('yes')\n"
        "raise ImportError('No module named symkeras')\n"
    )
    colab = tmp_path / "content"
    colab.mkdir()
    env = _clean_env(venv, PYTHONPATH=str(shim), PIP_NO_INDEX="1", PIP_FIND_LINKS=str(wheel.parent))
    result = _run("the lessons' first cell", [venv / "bin" / "python", "-c", cell], cwd=colab, env=env, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (colab / "import-failed").read_text() == "yes", "the cell did not take its install branch"
    written = colab / "exercises" / "ex03_sets.py"
    assert written.is_file() and "raise NotImplementedError" in written.read_text()
    assert f"wrote the exercise {written}" in result.stdout
    again = _run("the lessons' first cell", [venv / "bin" / "python", "-c", cell], cwd=colab, env=_clean_env(venv))
    assert again.returncode == 0 and again.stdout == "", again.stdout + again.stderr  # in place: nothing to do


def test_pytest_in_another_project_gains_no_symkeras_plugin(venv, tmp_path):
    (tmp_path / "test_other.py").write_text("def test_nothing():\n    pass\n")
    result = _run(
        "pytest elsewhere", [venv / "bin" / "python", "-m", "pytest", "--help"], cwd=tmp_path, env=_clean_env(venv)
    )
    assert result.returncode == 0 and "--target" not in result.stdout and "symkeras" not in result.stdout
    result = _run(
        "pytest elsewhere",
        [venv / "bin" / "python", "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=tmp_path,
        env=_clean_env(venv),
    )
    assert result.returncode == 0 and "1 passed" in result.stdout, result.stdout
