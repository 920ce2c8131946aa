"""Exercise stubs from the reference solutions: ``python -m symkeras exercises`` (in a checkout: an installed wheel
has no solutions)."""

from __future__ import annotations

from pathlib import Path

from symkeras.course.workspace import CHECKOUT

#: The checkout symkeras runs from (where ``solutions/`` and ``exercises/`` are); for an installed wheel, the folder
#: above the package, which holds neither.
ROOT = CHECKOUT or Path(__file__).resolve().parents[3]
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
    """Write ``exercises/`` from ``solutions/``; with ``check``, only list the files that differ.

    Both folders belong to a checkout of the repository: when either is missing (an installed wheel, a folder made by
    ``symkeras course init``), raises ``FileNotFoundError`` rather than reporting that nothing differs."""
    missing = [name for name in ("solutions", "exercises") if not (ROOT / name).is_dir()]
    if missing or not any((ROOT / "solutions").glob("ex*.py")):
        raise FileNotFoundError(
            f"{' and '.join(f'{name}/' for name in missing) or 'solutions/ex*.py'} not found in {ROOT}: stubs are "
            f"generated from the reference solutions, which only a checkout of the repository has (symkeras runs "
            f"here from an installed package). Run this command from a checkout (`pip install -e .` there)."
        )
    stale = []
    for path in sorted((ROOT / "solutions").glob("ex*.py")):
        stub = make_stub(path.read_text(), path.stem.split("_")[0])
        target = ROOT / "exercises" / path.name
        if not target.exists() or target.read_text() != stub:
            stale.append(target.name)
            if not check:
                target.write_text(stub)
    return stale
