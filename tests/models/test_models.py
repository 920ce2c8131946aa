"""Model builders: known parameter counts, exact invariance of the G-CNN, width matching, the reproduce pipeline."""

import json

import numpy as np
import pytest

from symkeras import models
from symkeras.equivariance import check_invariance, equivariance_error


def test_parameter_counts_are_the_documented_ones():
    assert models.count_params(models.p4cnn(10)) == 24_620
    assert models.count_params(models.cnn(20)) == 21_630
    assert models.count_params(models.mlp(hidden=(256, 256))) == 784 * 256 + 256 + 256 * 256 + 256 + 2570


@pytest.mark.parametrize("group", ["C4", "D4"])
def test_gcnn_logits_are_invariant_and_cnn_logits_are_not(group, rng):
    x = rng.random((3, 28, 28, 1)).astype("float32")
    model = models.gcnn(4, group=group)
    report = check_invariance(lambda v: model(v, training=False), group, x)
    assert len(report.errors) == {"C4": 4, "D4": 8}[group]
    plain = models.cnn(8)
    assert equivariance_error(lambda v: plain(v, training=False), group, x, "image", "trivial").max_error > 1e-3


def test_match_width_picks_the_closest_count():
    target = models.count_params(models.p4cnn(10))
    width = models.match_width(lambda w: models.cnn(w), target)
    gaps = {w: abs(models.count_params(models.cnn(w)) - target) for w in (width - 1, width, width + 1)}
    assert gaps[width] == min(gaps.values())


def test_topology_rejects_other_input_sizes():
    with pytest.raises(ValueError, match=r"fixed for 28×28 inputs.*Received: input_shape=\(32, 32, 1\)"):
        models.p4cnn(input_shape=(32, 32, 1))


@pytest.mark.slow
def test_reproduce_gcnn_fast_two_seeds_writes_mean_std_table_json_and_figure(tmp_path):
    from symkeras.experiments import gcnn as reproduce

    result = reproduce.gcnn_experiment(mode="fast", out=tmp_path, epochs=1, verbose=0, seeds=2, train_limit=256)
    saved = json.loads((tmp_path / "results.json").read_text())
    assert [(r["experiment"], r["model"], r["seed"]) for r in saved["rows"]][:4] == [
        ("rotated test, upright train", "cnn", 0), ("rotated test, upright train", "p4cnn", 0),
        ("MNIST-rot (approx.)", "cnn", 0), ("MNIST-rot (approx.)", "p4cnn", 0)]
    assert len(saved["rows"]) == 8 and saved["seeds"] == [0, 1]
    assert all(0.0 <= r["accuracy"] <= 1.0 and r["params"] > 20_000 for r in saved["rows"])
    for summary in saved["summary"]:
        per_seed = [r["accuracy"] for r in saved["rows"]
                    if (r["experiment"], r["model"]) == (summary["experiment"], summary["model"])]
        assert summary["accuracy_per_seed"] == per_seed
        assert summary["accuracy_mean"] == pytest.approx(np.mean(per_seed))
        assert summary["accuracy_std"] == pytest.approx(np.std(per_seed, ddof=1))
    assert len(saved["accuracy_vs_angle"]["per_seed"]["p4cnn"]) == 2
    assert len(saved["accuracy_vs_angle"]["std"]["p4cnn"]) == 24
    assert saved["sizes"]["MNIST-rot (approx.)"]["test"] == 500
    assert (tmp_path / "accuracy_vs_angle.png").stat().st_size > 10_000
    table = reproduce.format_table(result)
    assert "90.70% acc (UvA DL2 notebook" in table and "FAST MODE" in table and " ± " in table
