"""Where the course material is, and a learner's own copy of it: ``symkeras course init DIR`` and the lessons' first
cell (:func:`fetch_exercise`).

The material has one source, the checkout's folders ``lessons/``, ``exercises/`` (stubs) and ``tests/grading/``
(graded tests).  A wheel carries copies of them as package data under ``symkeras/course/material/`` (the mapping is
stated in ``pyproject.toml`` and in :data:`SOURCES`; a test checks that they agree).  :func:`material` finds a kind of
material in the checkout when symkeras runs from one, and in the installed package otherwise.  The reference
solutions are never packaged.
"""

from __future__ import annotations

import filecmp
import re
import shlex
import shutil
from dataclasses import dataclass, field
from pathlib import Path

__all__ = [
    "CHECKOUT",
    "COLAB_BADGE",
    "PACKAGED",
    "SOURCES",
    "InitResult",
    "colab_link",
    "course_folder",
    "fetch_exercise",
    "format_init",
    "init_course",
    "material",
    "repository",
    "sync_links",
]

#: What a kind of material is called in the package (``symkeras/course/material/<kind>``) → its folder in a checkout.
SOURCES = {"lessons": "lessons", "exercises": "exercises", "graded": "tests/grading", "results": "docs/results"}
#: Which files of each folder are material (only these are packaged and copied by ``course init``).
PATTERNS = {
    "lessons": "[0-9][0-9]_*.ipynb",
    "exercises": "ex[0-9][0-9]_*.py",
    "graded": "test_ex[0-9][0-9]_*.py",
    "results": "**/*.json",
}
PACKAGED = Path(__file__).resolve().parent / "material"


def _checkout() -> Path | None:
    root = Path(__file__).resolve().parents[2]
    is_checkout = (root / "pyproject.toml").is_file() and (root / "tests" / "grading").is_dir()
    return root if is_checkout else None


#: The repository symkeras runs from (``None`` for an installed wheel): it has ``solutions/`` and the library's tests.
CHECKOUT = _checkout()


def material(kind: str) -> Path:
    """The folder holding one kind of course material: ``"lessons"``, ``"exercises"`` (stubs), ``"graded"`` (the
    graded tests) or ``"results"`` (the stored full-size results some lessons load, JSON only).  The checkout's own
    folder when symkeras runs from a checkout, else the installed package data."""
    if kind not in SOURCES:
        raise ValueError(f"`kind` must be one of {sorted(SOURCES)}. Received: kind={kind!r}")
    candidates = ([CHECKOUT / SOURCES[kind]] if CHECKOUT else []) + [PACKAGED / kind]
    for folder in candidates:  # is_dir, not a listing: a sandboxed student process may look up but not list them
        if folder.is_dir():
            return folder
    raise FileNotFoundError(
        f"the course material {kind!r} is not installed (looked in "
        f'{", ".join(map(str, candidates))}). Reinstall with `pip install "symkeras[course]"`, '
        f"or run from a checkout of the repository."
    )


def course_folder(name: str, start: str | Path | None = None) -> Path | None:
    """The learner's ``exercises/`` (or ``lessons/``, ``solutions/``) folder seen from ``start`` (default: the current
    directory): ``start/name``, else ``start/../name`` (a lesson runs in ``lessons/``, beside ``exercises/``), else
    the checkout's.  ``None`` when there is none."""
    start = Path(start or Path.cwd()).resolve()
    candidates = [start / name, start.parent / name] + ([CHECKOUT / name] if CHECKOUT else [])
    return next((folder for folder in candidates if folder.is_dir()), None)


@dataclass
class InitResult:
    """What :func:`init_course` did: files written (new or replaced with ``force``), kept (edited by the learner and
    left alone), and unchanged (already identical)."""

    directory: Path
    written: list[Path] = field(default_factory=list)
    kept: list[Path] = field(default_factory=list)
    unchanged: list[Path] = field(default_factory=list)
    data: str = ""

    @property
    def start_command(self) -> str:
        return f"jupyter lab {shlex.quote(str(self.directory))}"


def _copy(source: Path, target: Path, force: bool, result: InitResult) -> None:
    if target.exists() and filecmp.cmp(source, target, shallow=False):
        result.unchanged.append(target)
    elif target.exists() and not force:
        result.kept.append(target)
    else:
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
        result.written.append(target)


def init_course(directory: str | Path, force: bool = False, prepare_data: bool = True) -> InitResult:
    """Write the lessons (``DIR/lessons/NN_*.ipynb``) and the exercise stubs (``DIR/exercises/exNN_*.py``) into
    ``directory``, and prepare MNIST (:func:`symkeras.data.prepare`; skipped with ``prepare_data=False``).

    A file that already exists and differs from the course's is the learner's work: it is kept (listed in
    ``.kept``) unless ``force`` is true.  ``symkeras grade`` and ``symkeras.check("exNN")`` then grade
    ``DIR/exercises`` (run from ``DIR`` or from ``DIR/lessons``)."""
    directory = Path(directory).expanduser().resolve()
    if directory.exists() and not directory.is_dir():
        raise NotADirectoryError(f"{directory} exists and is not a folder: give a new or existing folder")
    result = InitResult(directory)
    for kind in ("lessons", "exercises"):
        for source in sorted(material(kind).glob(PATTERNS[kind])):
            _copy(source, directory / kind / source.name, force, result)
    if prepare_data:
        from symkeras import data

        status = data.prepare(verbose=False)
        result.data = (
            f"MNIST ready ({status['train']:,} train / {status['test']:,} test digits from {status['source']})"
        )
    return result


def format_init(result: InitResult) -> str:
    """What ``symkeras course init`` prints: counts, the files it kept, and the one command to start."""
    lines = [
        f"symkeras course in {result.directory}: {len(result.written)} files written, "
        f"{len(result.unchanged)} already up to date, {len(result.kept)} kept"
    ]
    if result.kept:
        lines.append("kept (they differ from the course's: your edits; `--force` replaces them):")
        lines += [f"  {p.relative_to(result.directory)}" for p in result.kept]
    if result.data:
        lines.append(result.data)
    lines += [
        "",
        "Start with:",
        f"  {result.start_command}",
        "then open lessons/00_setup_and_tour.ipynb; grade with `symkeras grade` (from this folder) or "
        'symkeras.check("exNN") in a lesson.',
    ]
    return "\n".join(lines)


def fetch_exercise(exercise: str, directory: str | Path | None = None, quiet: bool = False) -> Path:
    """Make sure the exercise file of a lesson is where ``symkeras.check`` grades it; the first cell of every lesson
    calls this (in Colab, or wherever the notebook was opened without its ``exercises/`` folder).

    ``exercise`` is ``"exNN"`` or its full name.  If ``exercises/`` (beside ``directory``, default the current one,
    or one level up) already holds the file, nothing changes; otherwise the stub is copied from the installed course
    material into ``directory/exercises/``.  Returns the path of the exercise file."""
    stubs = material("exercises")
    number = exercise.split("_")[0]
    found = sorted(stubs.glob(f"{number}_*.py"))
    if not number.startswith("ex") or len(found) != 1:
        names = ", ".join(p.stem for p in sorted(stubs.glob(PATTERNS["exercises"])))
        raise ValueError(f"no exercise is called {exercise!r}. The exercises are: {names}")
    start = Path(directory or Path.cwd()).resolve()
    folder = course_folder("exercises", start)
    if folder is not None and (folder / found[0].name).is_file():
        return folder / found[0].name
    target = start / "exercises" / found[0].name
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(found[0], target)
    if not quiet:
        print(f"symkeras: wrote the exercise {target} (open it, implement it, then symkeras.check({number!r}))")
    return target


# --- links that name the repository (Colab badges, the README's images) -----------------------------------------------

_REPOSITORY = re.compile(r'^Repository\s*=\s*"https://github\.com/([^/"]+)/([^/"]+?)/?"', re.M)
_COLAB = re.compile(r"https://colab\.research\.google\.com/github/[^/\s)\"]+/[^/\s)\"]+/blob/[^/\s)\"]+/lessons/")
_RAW = re.compile(r"https://raw\.githubusercontent\.com/[^/\s)\"]+/[^/\s)\"]+/main/")
_RELATIVE_IMAGE = re.compile(r"(!\[[^\]]*\]\()(?!https?://|#)([^)\s]+)\)")
COLAB_BADGE = "https://colab.research.google.com/assets/colab-badge.svg"


def repository(root: str | Path | None = None) -> tuple[str, str]:
    """``(owner, name)`` of the GitHub repository, read from ``[project.urls] Repository`` in ``pyproject.toml`` (the
    one place that names it)."""
    root = Path(root) if root else CHECKOUT
    text = (root / "pyproject.toml").read_text() if root else ""
    match = _REPOSITORY.search(text)
    if match is None:
        raise ValueError(
            f'pyproject.toml in {root} has no `Repository = "https://github.com/OWNER/NAME"` under '
            f"[project.urls]: add one"
        )
    return match.group(1), match.group(2)


def colab_link(lesson: str, repo: tuple[str, str]) -> str:
    """The Colab link of a lesson notebook (``"00_setup_and_tour"``) in the repository ``(owner, name)``."""
    return f"https://colab.research.google.com/github/{repo[0]}/{repo[1]}/blob/main/lessons/{lesson}.ipynb"


def sync_links(root: str | Path | None = None, check: bool = False) -> list[Path]:
    """Point the lessons' Colab badges and the README's images at the repository named in ``pyproject.toml``: Colab
    links get its owner/name, and images the README references by a relative path become absolute
    ``raw.githubusercontent.com`` links (PyPI shows the README as the package's description, where relative paths
    do not resolve).  Returns the files that changed (with ``check``, that would change; nothing is written)."""
    root = Path(root) if root else CHECKOUT
    owner, name = repository(root)
    colab = f"https://colab.research.google.com/github/{owner}/{name}/blob/main/lessons/"
    raw = f"https://raw.githubusercontent.com/{owner}/{name}/main/"
    changed = []
    for path in [root / "README.md", *sorted((root / "lessons").glob("[0-9][0-9]_*.*"))]:
        if path.suffix not in (".md", ".py", ".ipynb"):
            continue
        text = path.read_text()
        new = _RAW.sub(raw, _COLAB.sub(colab, text))
        if path.name == "README.md":
            new = _RELATIVE_IMAGE.sub(lambda m: f"{m.group(1)}{raw}{m.group(2).removeprefix('./')})", new)
        if new != text:
            changed.append(path)
            if not check:
                path.write_text(new)
    return changed
