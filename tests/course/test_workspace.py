"""The course outside a checkout: what the wheel packages (one source, mapped in pyproject.toml), `course init`,
the lessons' first cell (`fetch_exercise`), and the links that name the repository.  The wheel itself is built and
installed in tests/course/test_wheel.py (`make test-wheel`)."""

import json
import re
from pathlib import Path

import pytest
import tomllib

from symkeras import cli
from symkeras.course import workspace
from symkeras.course.grading import runner, stubs

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
LESSONS = sorted((ROOT / "lessons").glob("[0-9][0-9]_*.ipynb"))


def test_the_wheel_maps_the_checkout_folders_the_code_reads_in_a_checkout():
    setuptools = PYPROJECT["tool"]["setuptools"]
    assert setuptools["package-dir"] == {
        f"symkeras.course.material.{kind}": folder for kind, folder in workspace.SOURCES.items()
    }
    packages = {
        ".".join(p.relative_to(ROOT).parts) for p in (ROOT / "symkeras").rglob("*") if (p / "__init__.py").is_file()
    }
    packages.add("symkeras")
    assert packages | set(setuptools["package-dir"]) == set(setuptools["packages"]), (
        "list every package of symkeras/ (and only those) in [tool.setuptools] packages"
    )
    for kind in workspace.SOURCES:  # in a checkout the code reads the checkout's own folders
        assert workspace.material(kind) == ROOT / workspace.SOURCES[kind]


def _names(requirements) -> set[str]:
    return {re.split(r"[=<>\[]", r)[0].lower() for r in requirements}


def test_base_install_is_lean_and_the_grader_loads_its_plugin_itself(monkeypatch):
    project = PYPROJECT["project"]
    course = {"pytest", "jupyterlab", "nbclient", "jupytext", "ipykernel"}
    assert not _names(project["dependencies"]) & course
    assert course <= _names(project["optional-dependencies"]["course"])
    assert "pytest11" not in project.get("entry-points", {}), "the grader's plugin must not be registered globally"
    commands = []

    def fake_run(command, **kwargs):
        commands.append((command, kwargs))
        return runner.subprocess.CompletedProcess(command, 4, "", "")

    monkeypatch.setattr(runner.subprocess, "run", fake_run)
    runner.run("solutions", "ex00", capture=True)
    ((command, kwargs),) = commands
    assert command[command.index("symkeras.grading") - 1] == "-p"
    config = Path(command[command.index("-c") + 1])  # its own empty settings, not a project's around the tests
    assert config.name == "pytest.ini" and kwargs["cwd"] == workspace.material("graded")


def test_init_course_writes_lessons_and_stubs_and_keeps_what_the_learner_edited(tmp_path):
    result = workspace.init_course(tmp_path / "course", prepare_data=False)
    lessons = sorted(p.name for p in (tmp_path / "course" / "lessons").iterdir())
    exercises = sorted(p.name for p in (tmp_path / "course" / "exercises").iterdir())
    assert lessons == [p.name for p in LESSONS] and len(lessons) == 13
    assert exercises == sorted(p.name for p in (ROOT / "exercises").glob("ex*.py"))
    assert len(result.written) == 26 and not result.kept and not result.unchanged
    assert not (tmp_path / "course" / "solutions").exists()

    edited = tmp_path / "course" / "exercises" / "ex01_equivariance.py"
    edited.write_text(edited.read_text() + "\n# my work\n")
    (tmp_path / "course" / "lessons" / LESSONS[3].name).unlink()
    again = workspace.init_course(tmp_path / "course", prepare_data=False)
    assert again.kept == [edited] and "# my work" in edited.read_text()
    assert again.written == [tmp_path / "course" / "lessons" / LESSONS[3].name] and len(again.unchanged) == 24
    text = workspace.format_init(again)
    assert "exercises/ex01_equivariance.py" in text and "--force" in text
    assert text.rstrip().splitlines()[-2].strip() == f"jupyter lab {tmp_path / 'course'}"

    forced = workspace.init_course(tmp_path / "course", force=True, prepare_data=False)
    assert forced.written == [edited] and edited.read_bytes() == (ROOT / "exercises" / edited.name).read_bytes()


def test_course_init_refuses_a_file_as_the_folder(tmp_path, capsys):
    (tmp_path / "taken").write_text("")
    assert cli.main(["course", "init", str(tmp_path / "taken"), "--no-data"]) == 2
    assert "is not a folder" in capsys.readouterr().err


@pytest.fixture
def installed(tmp_path, monkeypatch):
    """As in an installed wheel: no checkout, the material under the package."""
    packaged = tmp_path / "site-packages" / "material"
    for kind, folder in workspace.SOURCES.items():
        (packaged / kind).mkdir(parents=True)
        for source in (ROOT / folder).glob(workspace.PATTERNS[kind]):
            target = packaged / kind / source.relative_to(ROOT / folder)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(source.read_bytes())
    monkeypatch.setattr(workspace, "CHECKOUT", None)
    monkeypatch.setattr(workspace, "PACKAGED", packaged)
    return packaged


def test_material_comes_from_the_package_when_there_is_no_checkout(installed, monkeypatch, tmp_path):
    assert workspace.material("graded") == installed / "graded"
    assert (workspace.material("results") / "cloning-full" / "results.json").is_file()  # what lesson 09 loads
    monkeypatch.setattr(workspace, "PACKAGED", tmp_path / "nowhere")
    with pytest.raises(FileNotFoundError, match=r'not installed .*pip install "symkeras\[course\]"'):
        workspace.material("lessons")


def test_fetch_exercise_copies_the_stub_only_where_there_is_none(installed, tmp_path, capsys):
    tmp_path = tmp_path / "colab"
    path = workspace.fetch_exercise("ex03", tmp_path)
    assert path == tmp_path / "exercises" / "ex03_sets.py"
    assert path.read_bytes() == (ROOT / "exercises" / "ex03_sets.py").read_bytes()
    assert "wrote the exercise" in capsys.readouterr().out
    path.write_text("# edited\n")
    assert workspace.fetch_exercise("ex03_sets", tmp_path) == path and path.read_text() == "# edited\n"
    (tmp_path / "lessons").mkdir()  # a lesson runs in lessons/, beside exercises/
    assert workspace.fetch_exercise("ex03", tmp_path / "lessons") == path
    assert not (tmp_path / "lessons" / "exercises").exists() and capsys.readouterr().out == ""
    with pytest.raises(ValueError, match="no exercise is called 'ex99'. The exercises are: ex00_setup, ex01_"):
        workspace.fetch_exercise("ex99", tmp_path)


def test_grading_finds_the_exercises_beside_the_lesson_folder(tmp_path, monkeypatch):
    (tmp_path / "exercises").mkdir()
    (tmp_path / "lessons").mkdir()
    monkeypatch.chdir(tmp_path / "lessons")
    assert runner.resolve_target("exercises") == tmp_path / "exercises"


def test_exercises_check_is_an_error_without_solutions_not_a_match(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(stubs, "ROOT", tmp_path)
    with pytest.raises(FileNotFoundError, match=r"solutions/ and exercises/ not found in .*only a checkout"):
        stubs.generate_exercises(check=True)
    assert cli.main(["exercises", "--check"]) == 2
    captured = capsys.readouterr()
    assert "matches" not in captured.out and "not found" in captured.err


def test_every_lesson_has_a_colab_badge_and_fetches_its_exercise_first():
    repo = workspace.repository(ROOT)
    for path in LESSONS:
        cells = json.loads(path.read_text())["cells"]
        number = path.name[:2]
        assert cells[0]["cell_type"] == "markdown"
        badge = f"[![Open In Colab]({workspace.COLAB_BADGE})]({workspace.colab_link(path.stem, repo)})"
        assert badge in "".join(cells[0]["source"]), f"{path.name}: its first cell lacks {badge}"
        first_code = "".join(next(c for c in cells if c["cell_type"] == "code")["source"])
        assert f'symkeras.course.fetch_exercise("ex{number}")' in first_code, path.name
        assert '"symkeras[course]"' in first_code and len(first_code.splitlines()) <= 10, path.name
        assert f'symkeras.check("ex{number}")' in "".join("".join(c["source"]) for c in cells), path.name


def test_links_name_the_repository_of_pyproject_and_readme_images_are_absolute():
    assert workspace.sync_links(ROOT, check=True) == [], "run `python -m symkeras course links` (a checkout command)"
    readme = (ROOT / "README.md").read_text()
    images = re.findall(r"!\[[^\]]*\]\(([^)\s]+)\)", readme)
    owner, name = workspace.repository(ROOT)
    assert images and all(i.startswith(f"https://raw.githubusercontent.com/{owner}/{name}/main/") for i in images)
    for image in images:  # each points at a file of the repository
        assert (ROOT / image.split("/main/", 1)[1]).is_file(), image


def test_sync_links_rewrites_badges_and_relative_images(tmp_path):
    (tmp_path / "lessons").mkdir()
    (tmp_path / "pyproject.toml").write_text('[project.urls]\nRepository = "https://github.com/someone/fork"\n')
    (tmp_path / "README.md").write_text(
        "![a figure](docs/a.png) and ![b](https://raw.githubusercontent.com/OWNER/"
        "symkeras/main/docs/b.png) ![web](https://example.org/c.png)\n"
    )
    lesson = tmp_path / "lessons" / "00_x.py"
    lesson.write_text(
        f"# [![Open In Colab]({workspace.COLAB_BADGE})](https://colab.research.google.com/github/"
        "OWNER/symkeras/blob/main/lessons/00_x.ipynb)\n"
    )
    assert workspace.sync_links(tmp_path, check=True) == [tmp_path / "README.md", lesson]
    assert "OWNER" in lesson.read_text()
    workspace.sync_links(tmp_path)
    assert (tmp_path / "README.md").read_text() == (
        "![a figure](https://raw.githubusercontent.com/someone/fork/main/docs/a.png) and "
        "![b](https://raw.githubusercontent.com/someone/fork/main/docs/b.png) ![web](https://example.org/c.png)\n"
    )
    assert workspace.colab_link("00_x", ("someone", "fork")) in lesson.read_text()
    assert workspace.sync_links(tmp_path, check=True) == []


def test_the_book_serves_the_readme_images_and_drops_the_colab_badge_image(tmp_path):
    """The book works offline: the absolute links that name this repository's files become the book's own."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("book_build", ROOT / "docs" / "book" / "build.py")
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    linker = build.Linker(tmp_path)
    linker.pages[Path("README.md")] = Path("index.md")
    readme = linker.rewrite((ROOT / "README.md").read_text(), Path("README.md"))
    lesson = LESSONS[5].relative_to(ROOT)
    linker.pages[lesson] = lesson
    first_cell = linker.rewrite("".join(json.loads(LESSONS[5].read_text())["cells"][0]["source"]), lesson)
    images = re.findall(r"!\[[^\]]*\]\(([^)\s]+)\)", readme + first_cell)
    assert images and not [i for i in images if "://" in i], images
    assert all((tmp_path / i).is_file() for i in images)
    assert f"[Open in Colab]({workspace.colab_link(LESSONS[5].stem, workspace.repository(ROOT))})" in first_cell
