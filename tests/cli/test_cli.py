"""The command line refuses bad numbers before doing any work, with argparse's usage message."""

import pytest

from symkeras.cli import main


@pytest.mark.parametrize(
    "argv, message",
    [
        (["reproduce", "gcnn", "--epochs", "-1"], "argument --epochs: must be >= 1, got -1"),
        (["reproduce", "gcnn", "--epochs", "0"], "argument --epochs: must be >= 1, got 0"),
        (["reproduce", "cloning", "--seeds", "0"], "argument --seeds: must be >= 1, got 0"),
        (["reproduce", "gcnn", "--devices", "-1"], "argument --devices: must be >= 1, got -1"),
        (["reproduce", "cloning", "--limit", "0"], "argument --limit: must be >= 1, got 0"),
        (["reproduce", "gcnn", "--seeds", "three"], "expected a whole number >= 1, got 'three'"),
        (["data", "prepare", "--source", "kaggle"], "invalid choice: 'kaggle'"),
    ],
)
def test_bad_numbers_are_usage_errors(argv, message, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


def test_lessons_run_rejects_an_unknown_lesson(capsys):
    assert main(["lessons", "run", "42"]) == 2
    assert "unknown lesson(s) ['42']" in capsys.readouterr().err


def test_lessons_run_accepts_the_mode_before_or_after_the_lesson_numbers(monkeypatch):
    from symkeras import cli

    seen = []
    monkeypatch.setattr(cli, "lessons", lambda args: seen.append((args.lesson, args.fast, args.full)) or 0)
    assert main(["lessons", "run", "--fast", "04", "10"]) == 0
    assert main(["lessons", "run", "04", "10", "--full"]) == 0
    assert seen == [(["04", "10"], True, False), (["04", "10"], False, True)]
