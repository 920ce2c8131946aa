"""Build the book: a static site to read the course without installing anything.

    python docs/book/build.py [--mode fast|full] [--execute-missing] [--out build/book]

Pages: the README's overview, every lesson with its executed outputs and figures, the exercises' task statements,
the results (the README's research sections and the figures in docs/results/), and an API reference generated from
the docstrings of every public ``symkeras`` module.  Sphinx, MyST-NB and sphinx-book-theme render it (the ``docs``
extra); nothing is fetched from the network, and MathJax is served from the site itself.

The lessons are NOT executed here.  The book renders the notebooks that ``python -m symkeras lessons run --fast``
(or ``--full``) wrote to ``out/lessons/<mode>/``; ``make test-lessons`` writes the fast ones.  A lesson that is
missing there, failed, or was executed from an older version of the lesson is refused with the command to run —
or, with ``--execute-missing`` (what ``make book`` passes), executed first.

The sources are staged in ``<out>/src`` (this folder's conf.py plus generated pages); the site is ``<out>/html``.
"""

from __future__ import annotations

import argparse
import ast
import importlib
import inspect
import pkgutil
import re
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".svg"}
# README sections that belong on the results page rather than the overview (matched on the heading).
RESULTS_HEADINGS = re.compile(r"research|reproduc|symmetry cloning|benchmark|results", re.I)
# API modules left out: command-line entry points (documented by `--help`, not by docstrings).
API_SKIP = re.compile(r"(^|\.)(_[^.]*|cli)$")


class BookError(SystemExit):
    """A build that cannot go on; the message says what to run."""

    def __init__(self, message: str):
        super().__init__(f"book: {message}")


# --------------------------------------------------------------------------------------------------------------
# Executed lessons


def lesson_status(lesson: Path, executed: Path) -> str | None:
    """Why the executed copy of ``lesson`` cannot go into the book (None when it can)."""
    import nbformat

    if not executed.exists():
        return "not executed"
    nb = nbformat.read(executed, as_version=4)
    committed = nbformat.read(lesson, as_version=4)
    if [(c.cell_type, c.source) for c in nb.cells] != [(c.cell_type, c.source) for c in committed.cells]:
        return "executed from an older version of the lesson"
    for cell in nb.cells:
        if cell.cell_type == "code" and any(o.get("output_type") == "error" for o in cell.get("outputs", [])):
            return "a cell failed when it was executed"
        if cell.cell_type == "code" and cell.execution_count is None and cell.source.strip():
            return "not every cell was executed"
    return None


def executed_lessons(mode: str, execute_missing: bool) -> list[tuple[Path, Path]]:
    """(lesson, executed notebook) for every lesson; runs or refuses the ones that are missing or stale."""
    lessons = sorted((ROOT / "lessons").glob("[0-9][0-9]_*.ipynb"))
    if not lessons:
        raise BookError(f"no lessons/NN_*.ipynb under {ROOT}")
    out = ROOT / "out" / "lessons" / mode
    flag = "--fast" if mode == "fast" else "--full"
    todo = {p: why for p in lessons if (why := lesson_status(p, out / p.name))}
    if todo and execute_missing:
        from symkeras.course.lessons import format_runs, run_lessons

        print(f"book: executing {len(todo)} lesson(s) in {mode} mode into {out.relative_to(ROOT)}/ ...")
        print(format_runs(run_lessons(list(todo), fast=mode == "fast", out_dir=out)))
        todo = {p: why for p in lessons if (why := lesson_status(p, out / p.name))}
    if todo:
        numbers = " ".join(p.name[:2] for p in todo)
        listing = "\n".join(f"  {p.stem}: {why}" for p, why in todo.items())
        raise BookError(
            f"the book shows the lessons as executed in {mode} mode, from out/lessons/{mode}/, and "
            f"{len(todo)} of them cannot be used:\n{listing}\n"
            f"Run `python -m symkeras lessons run {numbers} {flag}` (or `make book"
            f"{' BOOK_MODE=full' if mode == 'full' else ''}`, which runs what is missing), then build "
            f"again. A lesson that fails there must be fixed first."
        )
    return [(p, out / p.name) for p in lessons]


# --------------------------------------------------------------------------------------------------------------
# Markdown: links from the repository's layout to the book's


_LINK = re.compile(r"(!?)\[((?:[^\[\]]|\[[^\]]*\])*)\]\(([^()\s]+)\)")
_FENCE = re.compile(r"^(```|~~~).*?^\1[ \t]*$", re.M | re.S)


class Linker:
    """Rewrites relative links of repository files to the pages and files of the book, copying images.

    The book works offline, so the two kinds of absolute link that name this repository's own files become local:
    the README's images (``https://raw.githubusercontent.com/<owner>/<name>/main/<path>``, absolute for PyPI) are
    served from the book, and the lessons' Colab badge image becomes a plain "Open in Colab" text link."""

    def __init__(self, src: Path):
        from symkeras.course import workspace

        self.src = src
        self.pages = {}  # repository path -> book path (relative to src), filled as pages are planned
        owner, name = workspace.repository(ROOT)
        self.raw = f"https://raw.githubusercontent.com/{owner}/{name}/main/"
        self.badge = re.compile(r"\[!\[Open In Colab\]\(" + re.escape(workspace.COLAB_BADGE) + r"\)\]\(([^()\s]+)\)")

    def target(self, link: str, source: Path, image: bool) -> str | None:
        """The link as it must read in the staged page, or None to keep only the link's text."""
        if link.startswith(self.raw):  # one of the repository's files, named absolutely: "/" is the repository root
            link = "/".join([".."] * len(source.parent.parts) + [link.removeprefix(self.raw)])
        if re.match(r"^[a-z][a-z0-9+.-]*:", link, re.I) or link.startswith("#"):
            return link
        path, _, anchor = link.partition("#")
        repo_file = (ROOT / source.parent / path).resolve()
        try:
            rel = repo_file.relative_to(ROOT)
        except ValueError:
            return None
        page_dir = (self.src / self.pages.get(source, source)).parent
        if rel in self.pages:
            dest = self.src / self.pages[rel]
        elif rel.suffix.lower() in IMAGE_SUFFIXES and repo_file.is_file():
            dest = self.src / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(repo_file, dest)
        elif image:
            raise BookError(f"{source} shows the image {link}, which does not exist")
        else:
            return None
        relative = Path(*([".."] * len(page_dir.relative_to(self.src).parts)), dest.relative_to(self.src))
        return relative.as_posix() + (f"#{anchor}" if anchor else "")

    def rewrite(self, markdown: str, source: Path) -> str:
        """``markdown`` (from repository file ``source``) with every relative link made to work in the book."""

        def one(m: re.Match) -> str:
            bang, text, link = m.groups()
            new = self.target(link, source, image=bool(bang))
            return f"{bang}[{text}]({new})" if new is not None else text

        markdown = self.badge.sub(r"[Open in Colab](\1)", markdown)
        parts, last = [], 0
        for fence in _FENCE.finditer(markdown):
            parts += [_LINK.sub(one, markdown[last : fence.start()]), fence.group(0)]
            last = fence.end()
        parts.append(_LINK.sub(one, markdown[last:]))
        return "".join(parts)


def split_sections(markdown: str) -> tuple[str, list[tuple[str, str]]]:
    """The text before the first ``## `` heading, and (heading, text) for each ``## `` section (fences respected)."""
    fences = [(m.start(), m.end()) for m in _FENCE.finditer(markdown)]
    starts = [m.start() for m in re.finditer(r"^## ", markdown, re.M) if not any(a <= m.start() < b for a, b in fences)]
    head = markdown[: starts[0]] if starts else markdown
    sections = []
    for a, b in zip(starts, starts[1:] + [len(markdown)]):
        text = markdown[a:b]
        sections.append((text.splitlines()[0][3:].strip(), text))
    return head, sections


# --------------------------------------------------------------------------------------------------------------
# Pages


def exercise_page(path: Path, lesson_page: str | None) -> str:
    """A page with the exercise's task statement: its module docstring and each function to write."""
    tree = ast.parse(path.read_text())
    doc = ast.get_docstring(tree) or ""
    first, _, rest = doc.partition("\n")
    title = first.strip().rstrip(".").removeprefix("Exercise — ").strip()
    number = path.name[2:4]
    lines = [
        f"# {title[0].upper() + title[1:]}",
        "",
        f"`exercises/{path.name}`" + (f" · the exercise of [lesson {number}]({lesson_page})" if lesson_page else ""),
        "",
        rest.strip(),
        "",
    ]
    functions = [n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef)) and not n.name.startswith("_")]
    if functions:
        lines += ["## What to write", ""]
    for node in functions:
        if isinstance(node, ast.FunctionDef):
            returns = f" -> {ast.unparse(node.returns)}" if node.returns else ""
            signature = f"def {node.name}({ast.unparse(node.args)}){returns}: ..."
        else:
            bases = ", ".join(ast.unparse(b) for b in node.bases)
            signature = f"class {node.name}({bases}): ..." if bases else f"class {node.name}: ..."
        lines += [
            f"### `{node.name}`",
            "",
            "```python",
            signature,
            "```",
            "",
            (ast.get_docstring(node) or "(no docstring)").strip(),
            "",
        ]
    lines += [
        "## Check your answer",
        "",
        "Write your code in the exercise file of your copy of the course, then run "
        f'`symkeras.check("ex{number}")` in the lesson (or `python -m symkeras grade`): the graded tests '
        "print which property holds and which does not, with your points.",
        "",
    ]
    return "\n".join(lines)


def api_pages(src: Path) -> list[str]:
    """One page per public module of symkeras (found by walking the package, so moved modules are followed)."""
    import symkeras

    names = sorted(
        {m.name for m in pkgutil.walk_packages(symkeras.__path__, "symkeras.") if not API_SKIP.search(m.name)}
        | {"symkeras"}
    )
    rows, pages, wanted = [], [], set(names)
    for name in names:
        try:
            module = importlib.import_module(name)
        except Exception as e:  # a module that cannot be imported is a defect to fix, not to hide
            raise BookError(f"cannot import {name} for the API reference: {type(e).__name__}: {e}") from e
        summary = (module.__doc__ or "").strip().split("\n\n")[0].replace("\n", " ")
        rows.append(f"| [`{name}`]({name}.md) | {summary.replace('|', '/')} |")
        # Each object is documented once, in the module that defines it (`:ignore-module-all:` leaves out what a
        # module only re-exports); a package's page links its re-exports to where they are documented.
        reexports = []
        for attr in getattr(module, "__all__", []):
            obj = getattr(module, attr, None)
            home = getattr(obj, "__module__", None)
            if home in wanted and home != name and hasattr(obj, "__qualname__"):
                role = "class" if inspect.isclass(obj) else "func" if callable(obj) else "obj"
                reexports.append(f"{{py:{role}}}`{attr} <{home}.{obj.__qualname__}>`")
        also = f"\n\nAlso importable from `{name}`: " + ", ".join(reexports) + ".\n" if reexports else "\n"
        (src / "api" / f"{name}.md").write_text(
            f"# {name}\n\n```{{eval-rst}}\n.. automodule:: {name}\n   :members:\n   :show-inheritance:\n"
            "   :ignore-module-all:\n```\n" + also
        )
        pages.append(name)
    (src / "api" / "index.md").write_text(
        "# API reference\n\nGenerated from the docstrings of every public module of `symkeras`.\n\n"
        "| module | what it holds |\n|---|---|\n" + "\n".join(rows) + "\n\n"
        "```{toctree}\n:hidden:\n\n" + "\n".join(pages) + "\n```\n"
    )
    return pages


def stage(src: Path, mode: str, lessons: list[tuple[Path, Path]]) -> None:
    """Write every page of the book into ``src``."""
    import nbformat

    if src.exists():
        shutil.rmtree(src)
    for folder in ("lessons", "exercises", "api", "_static"):
        (src / folder).mkdir(parents=True)
    shutil.copy2(HERE / "conf.py", src / "conf.py")
    copy_mathjax(src / "_static" / "mathjax")
    linker = Linker(src)
    exercises = sorted((ROOT / "exercises").glob("ex[0-9][0-9]_*.py"))
    # Plan every page first so that links between them resolve.
    readme, lessons_readme = Path("README.md"), Path("lessons/README.md")
    linker.pages[readme] = Path("index.md")
    linker.pages[Path("README.md")] = Path("index.md")
    linker.pages[lessons_readme] = Path("lessons/index.md")
    linker.pages[Path("lessons")] = Path("lessons/index.md")
    linker.pages[Path("exercises")] = Path("exercises/index.md")
    for lesson, _ in lessons:
        for twin in (lesson, lesson.with_suffix(".py")):
            linker.pages[twin.relative_to(ROOT)] = Path("lessons") / lesson.name
    for ex in exercises:
        linker.pages[ex.relative_to(ROOT)] = Path("exercises") / f"{ex.stem}.md"

    # The overview (README without its research sections) and the results page.
    head, sections = split_sections((ROOT / readme).read_text())
    overview = [text for heading, text in sections if not RESULTS_HEADINGS.search(heading)]
    results = [text for heading, text in sections if RESULTS_HEADINGS.search(heading)]
    toctree = "```{toctree}\n:hidden:\n:maxdepth: 2\n\nlessons/index\nexercises/index\nresults\napi/index\n```\n\n"
    (src / "index.md").write_text(linker.rewrite(head, readme) + toctree + linker.rewrite("".join(overview), readme))
    figures = sorted(p for p in (ROOT / "docs" / "results").rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES)
    shown = "".join(results)
    extra = [p for p in figures if p.relative_to(ROOT).as_posix() not in shown]
    results_md = (
        "# Results\n\nThe research reproductions and benchmarks, as measured and written up in the README; "
        "the raw numbers are in `docs/results/`.\n\n" + linker.rewrite("".join(results), readme)
    )
    if extra:
        results_md += "\n## More figures from `docs/results/`\n\n" + "".join(
            f"![{p.relative_to(ROOT)}]({p.relative_to(ROOT).as_posix()})\n\n*`{p.relative_to(ROOT)}`*\n\n"
            for p in extra
        )
        results_md = linker.rewrite(results_md, readme)
    (src / "results.md").write_text(results_md)

    # The lessons: the executed notebooks, their links rewritten, with a note on the mode they ran in.
    note = (
        "```{note}\nThis page shows the lesson as executed in **"
        + mode
        + " mode**"
        + (
            " (`SYMKERAS_FAST=1`: small data and few epochs, so the numbers differ from full mode; every claim "
            "is still checked)"
            if mode == "fast"
            else " (the real experiment, what `make lessons` gives you)"
        )
        + ". Run it yourself with `make lessons`.\n```"
    )
    for lesson, executed in lessons:
        nb = nbformat.read(executed, as_version=4)
        for cell in nb.cells:
            if cell.cell_type == "markdown":
                cell.source = linker.rewrite(cell.source, lesson.relative_to(ROOT))
        first_heading = next(
            (i for i, c in enumerate(nb.cells) if c.cell_type == "markdown" and c.source.lstrip().startswith("# ")), -1
        )
        nb.cells.insert(first_heading + 1, nbformat.v4.new_markdown_cell(note))
        nbformat.write(nb, src / "lessons" / lesson.name)
    lessons_md = (ROOT / lessons_readme).read_text()
    (src / "lessons" / "index.md").write_text(
        linker.rewrite(lessons_md, lessons_readme)
        + "\n```{toctree}\n:hidden:\n\n"
        + "\n".join(lesson.stem for lesson, _ in lessons)
        + "\n```\n"
    )

    # The exercises: task statements.
    lesson_of = {lesson.name[:2]: lesson.stem for lesson, _ in lessons}
    rows = []
    for ex in exercises:
        lesson = lesson_of.get(ex.name[2:4])
        (src / "exercises" / f"{ex.stem}.md").write_text(
            exercise_page(ex, f"../lessons/{lesson}.ipynb" if lesson else None)
        )
        summary = (ast.get_docstring(ast.parse(ex.read_text())) or "").split("\n")[0].removeprefix("Exercise — ")
        rows.append(f"| [`{ex.name}`]({ex.stem}.md) | {summary} |")
    (src / "exercises" / "index.md").write_text(
        "# Exercises\n\nEach lesson ends with an exercise: a file of stubs in `exercises/` whose functions you write, "
        'graded by `symkeras.check("exNN")` in the lesson. Here are their task statements.\n\n'
        "| file | task |\n|---|---|\n"
        + "\n".join(rows)
        + "\n\n```{toctree}\n:hidden:\n\n"
        + "\n".join(ex.stem for ex in exercises)
        + "\n```\n"
    )
    api_pages(src)


def copy_mathjax(dest: Path) -> None:
    """MathJax 3 (from the `django-static-mathjax` wheel, no Django needed): the TeX+CHTML bundle, its fonts and the
    components it loads on demand, so formulas render with no CDN."""
    try:
        import mathjax
    except ImportError as e:
        raise BookError(
            'MathJax is missing: install the docs extra, `pip install -e ".[docs]"` (or `make setup`)'
        ) from e
    es5 = Path(mathjax.__file__).parent / "static" / "mathjax" / "es5"
    if not (es5 / "tex-mml-chtml.js").exists():
        raise BookError(f"MathJax's tex-mml-chtml.js is not in {es5}: reinstall django-static-mathjax")
    dest.mkdir(parents=True)
    shutil.copy2(es5 / "tex-mml-chtml.js", dest)
    for sub in ("input/tex/extensions", "output/chtml", "ui", "a11y", "sre"):
        shutil.copytree(es5 / sub, dest / sub)


# --------------------------------------------------------------------------------------------------------------


def build(mode: str = "fast", out: Path | None = None, execute_missing: bool = False, strict: bool = True) -> Path:
    """Stage the book's sources and build the HTML site; returns the site's folder."""
    try:
        from sphinx.cmd.build import build_main
    except ImportError as e:
        raise BookError(
            'Sphinx is missing: install the docs extra, `pip install -e ".[docs]"` (or `make setup`); '
            "it needs Python >= 3.11"
        ) from e
    out = Path(out) if out is not None else ROOT / "build" / "book"
    start = time.perf_counter()
    lessons = executed_lessons(mode, execute_missing)
    src, html = out / "src", out / "html"
    stage(src, mode, lessons)
    if html.exists():
        shutil.rmtree(html)
    args = [str(src), str(html), "-b", "html", "-q", "-d", str(out / "doctrees")]
    if strict:
        args += ["-W", "--keep-going"]
    if build_main(args) != 0:
        raise BookError("Sphinx reported problems (above); the site in " + str(html) + " is incomplete")
    size = sum(p.stat().st_size for p in html.rglob("*") if p.is_file())
    pages = sum(1 for _ in html.rglob("*.html"))
    print(
        f"book: {pages} pages, {size / 1e6:.1f} MB, built in {time.perf_counter() - start:.0f} s ({mode} mode) "
        f"-> {html}/index.html"
    )
    return html


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument(
        "--mode",
        choices=("fast", "full"),
        default="fast",
        help="which executed lessons to show: out/lessons/fast/ (CI) or out/lessons/full/ (published)",
    )
    p.add_argument(
        "--execute-missing",
        action="store_true",
        help="execute the lessons that are missing, stale or failed in out/lessons/<mode>/ first",
    )
    p.add_argument("--out", type=Path, default=None, help="output folder (default build/book)")
    p.add_argument("--no-strict", action="store_true", help="do not turn Sphinx warnings into errors")
    args = p.parse_args(argv)
    build(args.mode, args.out, args.execute_missing, strict=not args.no_strict)
    return 0


if __name__ == "__main__":
    sys.exit(main())
