"""The example scripts run and show what they claim (small sizes)."""

import importlib.util
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _load(name):
    spec = importlib.util.spec_from_file_location(name, EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_equivariant_segmentation_example():
    results, report = _load("equivariant_segmentation").main(["--digits", "256", "--epochs", "1"])
    _, upright, moved = results["d4_encoder_decoder"]
    assert abs(upright - moved) < 1e-3  # each test digit moved by its own element of D4: the same IoU
    assert upright > 0.5  # it learned the strokes
    assert set(report.errors) == set(range(8)) and report.passed
    assert set(results) == {"d4_encoder_decoder", "cnn_encoder_decoder"}
