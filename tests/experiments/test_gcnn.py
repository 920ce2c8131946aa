"""`python -m symkeras reproduce gcnn`: CNN vs P4CNN over seeds, tables, figures, and pooling runs of different seeds."""

import copy
import json

import numpy as np
import pytest

from symkeras.experiments import gcnn as reproduce


def _one_seed(result, seed):
    """The part of a multi-seed result that a run of only ``seed`` would have written."""
    part = copy.deepcopy(result)
    index = result["seeds"].index(seed)
    part["seeds"] = part["seeds_requested"] = [seed]
    part["rows"] = [r for r in result["rows"] if r["seed"] == seed]
    part["accuracy_vs_angle"]["per_seed"] = {k: [v[index]] for k, v in result["accuracy_vs_angle"]["per_seed"].items()}
    return part


@pytest.mark.slow
def test_reproduce_gcnn_fast_two_seeds_writes_mean_std_table_json_and_figure(tmp_path):
    result = reproduce.gcnn_experiment(mode="fast", out=tmp_path, epochs=1, verbose=0, seeds=2, train_limit=256)
    saved = json.loads((tmp_path / "results.json").read_text())
    assert [(r["experiment"], r["model"], r["seed"]) for r in saved["rows"]][:4] == [
        ("rotated test, upright train", "cnn", 0),
        ("rotated test, upright train", "p4cnn", 0),
        ("MNIST-rot (approx.)", "cnn", 0),
        ("MNIST-rot (approx.)", "p4cnn", 0),
    ]
    assert len(saved["rows"]) == 8 and saved["seeds"] == [0, 1]
    assert all(0.0 <= r["accuracy"] <= 1.0 and r["params"] > 20_000 for r in saved["rows"])
    for summary in saved["summary"]:
        per_seed = [
            r["accuracy"]
            for r in saved["rows"]
            if (r["experiment"], r["model"]) == (summary["experiment"], summary["model"])
        ]
        assert summary["accuracy_per_seed"] == per_seed
        assert summary["accuracy_mean"] == pytest.approx(np.mean(per_seed))
        assert summary["accuracy_std"] == pytest.approx(np.std(per_seed, ddof=1))
    assert len(saved["accuracy_vs_angle"]["per_seed"]["p4cnn"]) == 2
    assert len(saved["accuracy_vs_angle"]["std"]["p4cnn"]) == 24
    assert saved["sizes"]["MNIST-rot (approx.)"]["test"] == 500
    assert (tmp_path / "accuracy_vs_angle.png").stat().st_size > 10_000
    table = reproduce.format_table(result)
    assert "90.70% acc (UvA DL2 notebook" in table and "FAST MODE" in table and " ± " in table

    # Pooling the two seeds run separately gives exactly the two-seed result (and refuses what cannot be pooled).
    pooled = reproduce.combine_results(_one_seed(saved, 1), _one_seed(saved, 0), out=tmp_path / "pooled")
    assert pooled["seeds"] == [0, 1] and pooled["complete"]
    assert pooled["summary"] == saved["summary"] and pooled["rows"] == saved["rows"]
    assert pooled["accuracy_vs_angle"] == saved["accuracy_vs_angle"]
    assert (tmp_path / "pooled" / "accuracy_vs_angle.png").exists()
    with pytest.raises(ValueError, match="share seeds"):
        reproduce.combine_results(saved, _one_seed(saved, 0))
    other = _one_seed(saved, 1)
    other["epochs"] = {k: v + 1 for k, v in other["epochs"].items()}
    with pytest.raises(ValueError, match=r"different protocols \(epochs\)"):
        reproduce.combine_results(_one_seed(saved, 0), other)
