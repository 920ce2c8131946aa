"""Lessons: the banner every lesson starts with, and the headless runner behind ``make lessons-full`` and CI.

Every lesson declares how many figures it draws, ``FAST = lesson_banner(figures=N)``.  The runner executes a lesson
with the notebook's own inline matplotlib backend (so the executed notebook keeps its figures), counts the PNG
outputs, and fails the lesson when it draws fewer than it declares or when any cell raises (every claim a lesson
states is asserted in the cell that computes it, so a broken claim is a failed cell).

``python -m symkeras lessons run [--full] [NN ...]`` prints a table of wall time and figures per lesson and writes the
executed notebooks, their figures as PNG files (``<lesson>/figure_NN.png``) and ``times.json`` into
``out/lessons/<mode>/``.
"""

from __future__ import annotations

import json
import os
import re
import time
from dataclasses import asdict, dataclass
from pathlib import Path

__all__ = [
    "lesson_banner",
    "LessonRun",
    "declared_figures",
    "find_lessons",
    "run_lesson",
    "run_lessons",
    "format_runs",
    "count_figures",
    "save_figures",
]

_DECLARATION = re.compile(r"lesson_banner\([^)]*figures\s*=\s*(\d+)")


def lesson_banner(figures: int, seed: int = 0) -> bool:
    """Seed everything, say whether the lesson runs in fast mode (``SYMKERAS_FAST=1``), and return ``FAST``.

    Args:
        figures: how many figures the lesson draws; the lesson runner fails a lesson that draws fewer.
        seed: seeds Python, NumPy and the Keras backend (``keras.utils.set_random_seed``).
    """
    import keras

    from symkeras.data import fast_mode

    if not isinstance(figures, int) or figures < 0:
        raise ValueError(
            f"`figures` must be the number of figures the lesson draws (an int >= 0). Received: figures={figures!r}"
        )
    keras.utils.set_random_seed(seed)
    if keras.backend.backend() == "tensorflow":  # lessons evaluate many small models: skip retracing notices
        import tensorflow as tf

        tf.get_logger().setLevel("ERROR")
    fast = fast_mode()
    print(
        "FAST MODE (SYMKERAS_FAST=1): small data and few epochs — numbers differ from full mode; every claim is "
        "still checked."
        if fast
        else "Full mode: the real experiment; every claim below is checked as it runs."
    )
    return fast


@dataclass
class LessonRun:
    """The outcome of executing one lesson headless."""

    lesson: str
    mode: str
    seconds: float
    figures: int
    declared: int | None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and self.declared is not None and self.figures >= self.declared


def find_lessons(root: str | os.PathLike | None = None, select=()) -> list[Path]:
    """The lesson notebooks ``NN_*.ipynb`` under ``root`` (default: ``./lessons`` — e.g. in a folder made by
    ``symkeras course init`` — else the checkout's ``lessons/``, else the installed course material).

    ``select`` keeps only the given numbers (``"03"``, ``3``) or names.
    """
    if root is None:
        from symkeras.course.workspace import course_folder, material

        here = Path.cwd() / "lessons"
        root = here if here.is_dir() else course_folder("lessons") or material("lessons")
    root = Path(root)
    lessons = sorted(root.glob("[0-9][0-9]_*.ipynb"))
    if not lessons:
        raise FileNotFoundError(f"no lesson notebooks NN_*.ipynb in {root}")
    if select:
        wanted = {f"{int(s):02d}" if str(s).isdigit() else str(s) for s in select}
        chosen = [p for p in lessons if p.name[:2] in wanted or p.stem in wanted]
        unknown = wanted - {p.name[:2] for p in chosen} - {p.stem for p in chosen}
        if unknown:
            raise ValueError(
                f"unknown lesson(s) {sorted(unknown)}; the lessons are {', '.join(p.stem for p in lessons)}"
            )
        lessons = chosen
    return lessons


def declared_figures(notebook: str | os.PathLike) -> int | None:
    """The ``figures=N`` a lesson passes to :func:`lesson_banner`, read from its paired ``.py`` (or the notebook)."""
    path = Path(notebook)
    source = path.with_suffix(".py") if path.with_suffix(".py").exists() else path
    match = _DECLARATION.search(source.read_text())
    return int(match.group(1)) if match else None


def count_figures(nb) -> int:
    """How many PNG images the executed notebook ``nb`` holds in its outputs."""
    return sum(
        "image/png" in out.get("data", {})
        for cell in nb.cells
        if cell.cell_type == "code"
        for out in cell.get("outputs", [])
    )


def run_lesson(
    notebook: str | os.PathLike, fast: bool, out_dir: str | os.PathLike | None = None, timeout: float | None = None
) -> LessonRun:
    """Execute one lesson in a fresh kernel (fast or full mode), keep its figures, and report time and figures."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError

    path = Path(notebook)
    nb = nbformat.read(path, as_version=4)
    saved = {k: os.environ.get(k) for k in ("SYMKERAS_FAST", "MPLBACKEND")}
    os.environ["SYMKERAS_FAST"] = "1" if fast else "0"
    os.environ.pop("MPLBACKEND", None)  # the kernel's inline backend: figures become outputs
    error = None
    start = time.perf_counter()
    try:
        NotebookClient(
            nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
        ).execute()
    except (CellExecutionError, CellTimeoutError) as e:
        lines = [line for line in str(e).strip().splitlines() if line.strip()]
        error = lines[-1][:300] if lines else type(e).__name__
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    seconds = time.perf_counter() - start
    run = LessonRun(
        path.stem, "fast" if fast else "full", round(seconds, 1), count_figures(nb), declared_figures(path), error
    )
    if out_dir is not None:
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, out / path.name)
        save_figures(nb, out / path.stem)
    return run


def save_figures(nb, folder: str | os.PathLike) -> list[Path]:
    """Write every PNG output of the executed notebook ``nb`` to ``folder/figure_NN.png`` (to look at them)."""
    import base64

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("figure_*.png"):
        old.unlink()
    paths = []
    for cell in nb.cells:
        for out in cell.get("outputs", []) if cell.cell_type == "code" else []:
            if "image/png" in out.get("data", {}):
                paths.append(folder / f"figure_{len(paths) + 1:02d}.png")
                paths[-1].write_bytes(base64.b64decode(out["data"]["image/png"]))
    return paths


def run_lessons(
    lessons, fast: bool, out_dir: str | os.PathLike | None = None, timeout: float | None = None, progress=print
) -> list[LessonRun]:
    """Execute several lessons one after another; write ``times.json`` beside the executed notebooks."""
    runs = []
    for path in lessons:
        progress(f"running {Path(path).stem} ({'fast' if fast else 'full'} mode) ...")
        run = run_lesson(path, fast, out_dir, timeout)
        progress(f"  {run.seconds:.0f} s, {run.figures} figures" + (f"  FAILED: {run.error}" if run.error else ""))
        runs.append(run)
    if out_dir is not None:
        Path(out_dir, "times.json").write_text(json.dumps([asdict(r) | {"ok": r.ok} for r in runs], indent=2))
    return runs


def format_runs(runs) -> str:
    """A table: lesson, mode, wall time, figures drawn / declared, status."""
    lines = [f"{'lesson':<36} {'mode':<5} {'time':>8}  {'figures':>8}  status", "-" * 80]
    for r in runs:
        status = (
            "ok"
            if r.ok
            else f"FAILED: {r.error}"
            if r.error
            else "FAILED: no figures=N in lesson_banner"
            if r.declared is None
            else f"FAILED: {r.figures} figures, declares {r.declared}"
        )
        lines.append(
            f"{r.lesson:<36} {r.mode:<5} {r.seconds / 60:>5.1f} min  {r.figures:>3} / {r.declared or '?':<3} {status}"
        )
    lines.append("-" * 80)
    total = sum(r.seconds for r in runs)
    lines.append(f"{len(runs)} lessons in {total / 60:.1f} min; {sum(r.ok for r in runs)} ok")
    return "\n".join(lines)
