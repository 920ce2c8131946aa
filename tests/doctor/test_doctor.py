"""`python -m symkeras doctor` checks exactly the dependencies pyproject.toml declares."""

import re
from pathlib import Path

import tomllib

from symkeras.doctor import required_distributions

ROOT = Path(__file__).resolve().parents[2]


def test_doctor_checks_the_declared_dependencies_and_nothing_else():
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    names = {re.split(r"[\s;<>=!~\[]", d, maxsplit=1)[0].lower() for d in declared}
    assert {n.lower() for n in required_distributions()} == names - {"tensorflow-cpu"}
