"""Promises outside the library: the README's code runs as printed, doctor works, the two environments agree."""

import os
import re
import subprocess
import sys
from pathlib import Path

import tomllib

ROOT = Path(__file__).resolve().parents[2]


def _pins_from_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"]
    wanted = project["dependencies"] + [d for name in ("course", "test", "jax", "torch") for d in extras[name]]
    return {re.split(r"[=<>]", d)[0].lower(): d.split("==")[1] for d in wanted}


def test_environment_yml_pins_the_same_versions_as_pyproject():
    pins = dict(re.findall(r"^\s+- ([A-Za-z0-9_.\-]+)==(\S+)$", (ROOT / "environment.yml").read_text(), re.M))
    assert {k.lower(): v for k, v in pins.items()} == _pins_from_pyproject()
    assert "python=3.11" in (ROOT / "environment.yml").read_text()


def test_readme_tour_runs_and_prints_what_it_claims():
    readme = (ROOT / "README.md").read_text()
    tour = next(block for block in re.findall(r"```python\n(.*?)```", readme, re.S) if "check_invariance" in block)
    result = subprocess.run(
        [sys.executable, "-c", tour],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert re.search(
        r"C4: max relative error \d\.\d\de-0[678] over 4 elements \(tolerance 1e-05 for float32\)", result.stdout
    ), result.stdout


def test_readme_gives_the_two_commands_and_ci_runs_the_test_one():
    readme = (ROOT / "README.md").read_text()
    assert "make lessons" in readme and "make test" in readme
    ci = (ROOT / ".ci" / "run").read_text()
    assert re.search(r"^make test$", ci, re.M)


def test_doctor_reports_and_exits_zero():
    result = subprocess.run(
        [sys.executable, "-m", "symkeras", "doctor"],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    for field in ("keras", "backend", "devices", "self-check"):
        assert re.search(rf"^  {field}\s", result.stdout, re.M), result.stdout
    assert "All good." in result.stdout


def _readme_section(heading: str) -> str:
    readme = (ROOT / "README.md").read_text()
    start = readme.index(heading)
    end = readme.find("\n## ", start + len(heading))
    return readme[start : end if end > 0 else None]


def test_readme_cloning_table_is_the_stored_full_size_run():
    """Every accuracy of docs/results/cloning-full/results.json (the file lesson 9 loads) is in the README's cloning
    table as the run's formatter prints it, and so is its protocol: the numbers were copied, not remembered."""
    import json

    from symkeras.stats import format_mean_std

    stored = json.loads((ROOT / "docs/results/cloning-full/results.json").read_text())
    section = _readme_section("## Research: symmetry cloning")
    table = "\n".join(line for line in section.splitlines() if line.startswith("| "))
    missing = [
        f"{key}: {row['model']} {cell}"
        for key, task in stored["tasks"].items()
        for row in task["rows"]
        if (cell := format_mean_std(row["accuracy"], row["accuracy_std"], len(row["seeds"]))) not in table
    ]
    assert not missing, f"README cloning table lacks {missing}"
    assert f"{stored['train_digits']:,} training" in section and f"{stored['test_digits']:,} test" in section
    assert f"**{stored['epochs']} epochs**" in section
