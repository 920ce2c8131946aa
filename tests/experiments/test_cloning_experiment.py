"""The cloning experiment: the paper's networks, the equivariance measure, and the reproduce pipeline end to end."""

import json
import os
import subprocess
import sys
from pathlib import Path

import keras
import numpy as np
import pytest

from symkeras import cloning, data, models
from symkeras.experiments.cloning import (
    TASKS,
    cloning_experiment,
    combine_results,
    conv_input_sizes,
    first_layer_equivariance_error,
    format_cloning_table,
    summarize_seeds,
    symmetric_network,
    write_results,
)


def test_c4_network_is_the_papers_mlpgconvnet():
    net = symmetric_network(TASKS["rotation-symmetric"], 10, (28, 28, 1))
    assert conv_input_sizes(net) == [28, 26, 12, 10]
    frozen = cloning.mlp2gcnn(net)  # exact structure
    assert (
        models.count_params(net) == models.count_params(frozen) == 26_910
    )  # the paper's G-CNN with K = 10 fields (docs/design.md)
    x = data.rotation_symmetric_task().arrays("test", limit=4)[0]
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(frozen(x)), keras.ops.convert_to_numpy(net(x)), rtol=1e-4, atol=1e-4
    )


def test_translation_network_sizes():
    net = symmetric_network(TASKS["translation-breaking"], 20, (48, 48, 1))
    assert conv_input_sizes(net) == [48]


@pytest.mark.parametrize("group, size", [("trivial", 12), ("C4", 11)])
def test_equivariance_error_is_tiny_for_exact_and_large_for_perturbed_structure(group, size, rng):
    exact = cloning.exact_structure(size, group)
    x = np.pad(rng.random((4, size - 4, size - 4, 1)), ((0, 0), (2, 2), (2, 2), (0, 0))).astype("float32")
    errors = []
    for structure in (exact, exact + 0.05 * rng.normal(size=exact.shape).astype("float32")):
        model = keras.Sequential([keras.Input((size, size, 1)), cloning.ClonedConv2D(3, structure)])
        errors.append(first_layer_equivariance_error(model, group, x))
    assert errors[0] < 1e-5 and errors[1] > 1e-2, errors


SCRIPT = r"""
import json, sys
from symkeras.distribute import split_cpu
split_cpu(2)
from symkeras.experiments.cloning import cloning_experiment, format_cloning_table
result = cloning_experiment("fast", tasks=["translation-breaking"], out=sys.argv[1], epochs=1, clone_steps=3,
                            betas=[1.0], anchored_betas=[1.0], strategy="mirrored", train_limit=64, verbose=0)
print(json.dumps({"table": format_cloning_table(result), "result": result}))
"""


def _row(model, seeds, accuracies):
    return summarize_seeds(model, seeds, [{"params": 7, "accuracy": a, "train_seconds": 1.0} for a in accuracies])


def _run(tasks, epochs=3, memory=1.0, seeds=(0,), rows=None):
    return {
        "mode": "full",
        "seed": seeds[0],
        "seeds": list(seeds),
        "clone_seed": 0,
        "train_limit": None,
        "test_limit": None,
        "epochs": epochs,
        "betas": [0.1],
        "anchored_betas": [],
        "clone_steps": {"trivial": 600, "C4": 1500},
        "data": "mnist",
        "peak_memory_gb": memory,
        "clones": {f"{t}-clone": {"steps": 9, "heldout_relative_error": 1e-6} for t in tasks},
        "tasks": {
            t: {
                "description": t,
                "batch_size": 32,
                "learning_rate": 1e-3,
                "rows": rows or [_row("standard MLP", list(seeds), [0.5] * len(seeds))],
            }
            for t in tasks
        },
    }


def test_runs_with_the_same_protocol_accumulate_tasks_in_task_order():
    earlier, later = _run(["translation-breaking", "rotation-symmetric"], memory=4.6), _run(["rotation-breaking"])
    combined = combine_results(earlier, later, verbose=0)
    assert list(combined["tasks"]) == list(TASKS)  # rotation-symmetric, rotation-breaking, translation-breaking
    assert combined["clones"].keys() == {
        "translation-breaking-clone",
        "rotation-symmetric-clone",
        "rotation-breaking-clone",
    }
    assert combined["peak_memory_gb"] == 4.6
    rerun = combine_results(earlier, _run(["rotation-symmetric"]), verbose=0)  # a rerun task replaces the old one
    assert rerun["tasks"]["rotation-symmetric"] is not earlier["tasks"]["rotation-symmetric"]
    assert list(rerun["tasks"]) == ["rotation-symmetric", "translation-breaking"]


def test_runs_of_other_models_and_seeds_merge_into_rows_with_mean_and_std():
    task = "rotation-symmetric"
    earlier = _run(
        [task],
        seeds=(0,),
        rows=[
            _row("C4-cloned MLP, unfrozen + KL β=0.1", [0], [0.30]),
            _row("standard MLP", [0], [0.40]),
            _row("C4-cloned MLP, unfrozen", [0], [0.35]),
        ],
    )
    later = _run(
        [task],
        seeds=(1, 2),
        rows=[
            _row("standard MLP", [1, 2], [0.50, 0.60]),
            _row("G-CNN", [1, 2], [0.70, 0.90]),
        ],
    )
    combined = combine_results(earlier, later, verbose=0)
    rows = {r["model"]: r for r in combined["tasks"][task]["rows"]}
    assert list(rows) == [  # the table's order: MLP, G-CNN, frozen, unfrozen, KL by β — whichever run made them
        "standard MLP",
        "G-CNN",
        "C4-cloned MLP, unfrozen",
        "C4-cloned MLP, unfrozen + KL β=0.1",
    ]
    mlp = rows["standard MLP"]
    assert mlp["seeds"] == [0, 1, 2] and mlp["accuracy_per_seed"] == [0.40, 0.50, 0.60]
    assert mlp["accuracy"] == pytest.approx(0.5) and mlp["accuracy_std"] == pytest.approx(0.1)
    assert rows["G-CNN"]["seeds"] == [1, 2] and rows["C4-cloned MLP, unfrozen"]["seeds"] == [0]
    assert combined["seeds"] == [0, 1, 2]
    again = combine_results(combined, _run([task], seeds=(2,), rows=[_row("standard MLP", [2], [0.0])]), verbose=0)
    redone = {r["model"]: r for r in again["tasks"][task]["rows"]}["standard MLP"]
    assert redone["accuracy_per_seed"] == [0.40, 0.50, 0.0]  # a seed run again takes the new value
    assert "(seed 0 only)" in format_cloning_table({**combined, "train_digits": 1, "test_digits": 1, "quoted": {}})


def test_rows_written_before_rows_kept_their_own_seeds_take_the_runs_seeds():
    old = _run(["rotation-symmetric"], seeds=(0,))
    del old["clone_seed"]
    for row in old["tasks"]["rotation-symmetric"]["rows"]:
        del row["seeds"]
    combined = combine_results(old, _run(["rotation-symmetric"], seeds=(1,)), verbose=0)
    assert combined["tasks"]["rotation-symmetric"]["rows"][0]["seeds"] == [0, 1]


def test_runs_with_another_protocol_replace_earlier_results(capsys):
    later = _run(["rotation-breaking"], epochs=10)
    assert combine_results(_run(["translation-breaking"]), later) is later
    printed = capsys.readouterr().out
    assert "replacing translation-breaking" in printed and "epochs 3 → 10" in printed


def test_unknown_model_kinds_are_refused_before_anything_runs(tmp_path):
    with pytest.raises(ValueError, match="mlp, symmetric, frozen, unfrozen, kl, anchored"):
        cloning_experiment("fast", out=tmp_path, models=["cnn"])
    assert not (tmp_path / "results.json").exists()


@pytest.mark.slow
def test_fast_experiment_on_two_replicas_writes_table_json_and_figures(tmp_path):
    (tmp_path / "cache").mkdir()
    (tmp_path / "cache" / "mnist.npz").symlink_to(data.cache_dir() / "mnist.npz")  # the 3-step clone goes here
    env = {
        **os.environ,
        "SYMKERAS_DATA_DIR": str(tmp_path / "cache"),
        "TF_CPP_MIN_LOG_LEVEL": "3",
        "KERAS_BACKEND": "tensorflow",
    }
    run = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(tmp_path / "out")], capture_output=True, text=True, env=env, timeout=900
    )
    assert run.returncode == 0, run.stderr[-3000:]
    report = json.loads(run.stdout.strip().splitlines()[-1])
    result, table = report["result"], report["table"]
    assert result["strategy"] == "mirrored"
    rows = result["tasks"]["translation-breaking"]["rows"]
    assert [r["model"] for r in rows] == [
        "standard MLP",
        "CNN",
        "T(2)-cloned MLP, frozen",
        "T(2)-cloned MLP, unfrozen",
        "T(2)-cloned MLP, unfrozen + KL β=1",
        "T(2)-cloned MLP, unfrozen + anchored KL β=1",
    ]
    assert all(0.0 <= r["accuracy"] <= 1.0 and r["params"] > 0 for r in rows)
    assert rows[2]["params"] == models.count_params(symmetric_network(TASKS["translation-breaking"], 20, (48, 48, 1)))
    assert rows[3]["params"] > 40_000_000  # the unfrozen structure (9 × 46² × 48²) trains too
    assert all("equivariance_after" in r and r["kl_to_clone_nats"] >= 0 for r in rows[2:])
    assert "equivariance_after" not in rows[1]
    assert rows[2]["equivariance_before"] > 0  # a 3-step clone is far from a convolution
    stored = json.loads((tmp_path / "out" / "results.json").read_text())
    assert stored["tasks"].keys() == {"translation-breaking"} and stored["peak_memory_gb"] > 0
    for figure in ("accuracy.png", "equivariance.png", "structure.png"):
        assert (tmp_path / "out" / figure).stat().st_size > 10_000
    assert "quoted from the paper: T(2)-cloned MLP" in table and "77.83%" in table and "FAST MODE" in table


def test_write_results_keeps_earlier_tasks_and_draws_their_figures(tmp_path):
    stored = json.loads((Path(__file__).parents[2] / "docs/results/cloning-full/results.json").read_text())
    earlier = {**stored, "tasks": {"translation-breaking": stored["tasks"]["translation-breaking"]}}
    (tmp_path / "results.json").write_text(json.dumps(earlier))
    later = {
        **earlier,
        "clones": {},
        "tasks": {"rotation-symmetric": {**earlier["tasks"]["translation-breaking"], "description": "pretend"}},
    }
    written = write_results(later, tmp_path, verbose=0)
    assert list(written["tasks"]) == ["rotation-symmetric", "translation-breaking"]
    assert json.loads((tmp_path / "results.json").read_text()) == written
    for figure in ("accuracy.png", "equivariance.png"):
        assert (tmp_path / figure).stat().st_size > 10_000
