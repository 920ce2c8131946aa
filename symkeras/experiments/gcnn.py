"""Paper-style experiments, re-run side by side: ``python -m symkeras reproduce gcnn [--fast|--full]``.

``gcnn``: a Z2CNN-style CNN and a parameter-matched P4CNN (C4 G-CNN), trained with the same data, optimiser, epochs
and seed, evaluated

(a) upright-trained, on test digits rotated by random multiples of 90° (the UvA DL2 G-CNN notebook's experiment), and
    per rotation angle from 0° to 345°;
(b) trained and tested on an approximation of MNIST-rot (Cohen & Welling 2016's benchmark): 12,000 / 50,000 real
    MNIST digits rotated by seeded uniform angles (:func:`symkeras.data.mnist_rot_like`; the benchmark's own files
    are not used).

``--seeds N`` trains every model N times; the table, ``results.json`` and the figure give mean ± standard deviation
beside each seed's value.  Writes ``results.json`` and ``accuracy_vs_angle.png`` to the output directory and prints
a table beside the quoted published numbers.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from symkeras import data as sk_data
from symkeras.training import accuracy, compile_classifier, fit_and_score

__all__ = ["GCNN_ANCHORS", "gcnn_experiment", "combine_results", "format_table"]

GCNN_ANCHORS = {
    ("rotated test, upright train", "cnn"): "47.35% acc (UvA DL2 notebook, CNN 103,690 params)",
    ("rotated test, upright train", "p4cnn"): "90.70% acc (UvA DL2 notebook, C4 G-CNN 102,970 params)",
    ("MNIST-rot (approx.)", "cnn"): "94.97% acc = 5.03% error (Cohen & Welling 2016, Z2CNN, MNIST-rot)",
    ("MNIST-rot (approx.)", "p4cnn"): "97.72% acc = 2.28% error (Cohen & Welling 2016, P4CNN, MNIST-rot)",
}


def gcnn_experiment(
    mode="fast", out="out/gcnn", seed=0, epochs=None, verbose=1, strategy="none", seeds=1, train_limit=None
) -> dict:
    """Run the CNN vs P4CNN comparison for ``seeds`` seeds; return (and write) the results.

    (a) "rotated test, upright train": full MNIST (60,000 / 10,000), trained upright, tested at random multiples of
        90°, and per angle from 0° to 345°;
    (b) "MNIST-rot (approx.)": :func:`symkeras.data.mnist_rot_like` — 12,000 train / 50,000 test real digits each
        rotated once by a seeded uniform angle, an approximation of MNIST-rot's protocol.

    Each model is trained once per seed (``seed``, ``seed + 1``, …); ``rows`` hold one entry per seed and
    ``summary`` the mean ± standard deviation beside each seed's value.  ``strategy``: ``"none"``, ``"mirrored"``,
    ``"multiworker"`` or ``"data-parallel"`` (see :mod:`symkeras.distribute`); the batch size of 64 is the global
    batch, split across replicas.  ``train_limit`` caps the training digits of every experiment (default: all in
    full mode, 1,000 in fast mode).  ``epochs`` counts passes over experiment (a)'s training set; (b) trains for the
    same number of optimizer steps (60,000 / 12,000 = 5× the epochs on full data), so both get the same budget.
    """
    import keras

    from symkeras import models
    from symkeras.distribute import strategy_scope
    from symkeras.stats import seed_list

    seeds_run = seed_list(seed, seeds)
    if mode not in ("fast", "full"):
        raise ValueError(f"`mode` must be 'fast' or 'full'. Received: mode={mode!r}")
    if epochs is not None and epochs < 1:
        raise ValueError(f"`epochs` must be >= 1. Received: epochs={epochs!r}")
    fast = mode == "fast"
    test_limit = 500 if fast else None
    train_limit = train_limit or (1000 if fast else None)
    epochs = epochs or (2 if fast else 3)
    batch_size = 64
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)

    def builders(run_seed):
        keras.utils.set_random_seed(run_seed)
        p4 = models.p4cnn(10)
        width = models.match_width(lambda w: models.cnn(w), models.count_params(p4))
        sync = strategy in ("mirrored", "multiworker")  # global batch statistics, as on one device (TF strategies)
        return {
            "cnn": lambda: models.cnn(width, name="cnn", synchronized_bn=sync),
            "p4cnn": lambda: models.p4cnn(10, synchronized_bn=sync),
        }

    rows, curves = [], {}
    angles = np.arange(0, 360, 15)
    experiments = {
        "rotated test, upright train": (sk_data.rotation_symmetric_task(), "random multiples of 90°"),
        "MNIST-rot (approx.)": (sk_data.mnist_rot_like(seed=0), "12k/50k, seeded angles in [0°, 360°)"),
    }
    sizes, epochs_of = {}, {}
    upright_digits = train_limit or sk_data.cache_status()["train"]
    for experiment, (task, _) in experiments.items():
        digits = train_limit or (sk_data.MNIST_ROT_SIZES["train"] if task.name == "mnist_rot_like" else upright_digits)
        epochs_of[experiment] = max(1, round(epochs * upright_digits / min(digits, upright_digits)))
    for run_seed in seeds_run:
        build = builders(run_seed)
        for experiment, (task, test_note) in experiments.items():
            x_test, y_test = task.arrays("test", seed=run_seed + 1, limit=test_limit)
            for name, make in build.items():
                keras.utils.set_random_seed(run_seed)
                with strategy_scope(strategy) as replicas:
                    model = make()
                    compile_classifier(model)
                if verbose:
                    print(
                        f"\n== seed {run_seed} — {experiment}: {name} ({models.count_params(model):,} parameters, "
                        f"{replicas} replica{'s' if replicas > 1 else ''}) =="
                    )
                train = task.dataset("train", batch_size=batch_size, seed=run_seed, limit=train_limit)
                sizes[experiment] = (
                    len(task.arrays("train", limit=train_limit)[1])
                    if experiment not in sizes
                    else sizes[experiment][0],
                    len(y_test),
                )
                acc, seconds = fit_and_score(
                    model, train, x_test, y_test, epochs_of[experiment], verbose=verbose, compiled=True
                )
                rows.append(
                    {
                        "experiment": experiment,
                        "model": name,
                        "seed": run_seed,
                        "params": models.count_params(model),
                        "test": test_note,
                        "accuracy": acc,
                        "error": 1 - acc,
                        "train_seconds": seconds,
                        "epochs": epochs_of[experiment],
                        "anchor": GCNN_ANCHORS[(experiment, name)],
                    }
                )
                if experiment == "rotated test, upright train":
                    x0, y0 = sk_data.load_mnist("test", limit=test_limit)
                    x0 = (x0.astype(np.float32) / 255)[..., None]
                    curves.setdefault(name, []).append(
                        [accuracy(model, sk_data.rotate_batch(x0, np.full(len(y0), a)), y0.astype(int)) for a in angles]
                    )
        # after every seed: write what is done so far, so a long run stopped early keeps its finished seeds
        done = [r["seed"] for r in rows]
        seeds_done = [s for s in seeds_run if s in done]
        result = _gcnn_result(mode, seeds_run, seeds_done, epochs_of, batch_size, strategy, sizes, rows, curves, angles)
        (out / "results.json").write_text(json.dumps(result, indent=2))
        _plot_curves(result, out / "accuracy_vs_angle.png")
    return result


def _gcnn_result(
    mode, seeds_run, seeds_done, epochs_of, batch_size, strategy, sizes, rows, curves, angles, data=None
) -> dict:
    from symkeras.stats import aggregate_rows

    data = data or sk_data.cache_status()["source"]
    summary = aggregate_rows(rows, by=("experiment", "model"), values=("accuracy", "error", "train_seconds"))
    return {
        "mode": mode,
        "seeds": seeds_done,
        "seeds_requested": seeds_run,
        "complete": seeds_done == seeds_run,
        "epochs": epochs_of,
        "batch_size": batch_size,
        "strategy": strategy,
        "optimizer": "Adam 1e-3 ×0.95/epoch",
        "data": data,
        "sizes": {k: {"train": v[0], "test": v[1]} for k, v in sizes.items()},
        "rows": rows,
        "summary": summary,
        "accuracy_vs_angle": {
            "angles": angles.tolist(),
            "per_seed": curves,
            "mean": {k: np.mean(v, axis=0).tolist() for k, v in curves.items()},
            "std": {
                k: (np.std(v, axis=0, ddof=1) if len(v) > 1 else np.zeros(len(angles))).tolist()
                for k, v in curves.items()
            },
        },
    }


#: What two runs must share for their seeds to be pooled.
_PROTOCOL = ("mode", "epochs", "batch_size", "strategy", "optimizer", "data", "sizes")


def combine_results(*results: dict, out=None) -> dict:
    """Pool runs of the same protocol made with different seeds (e.g. one seed per job, in parallel) into one result
    with mean ± std over all their seeds, as if ``gcnn_experiment`` had run them in one go.

    Refuses runs whose protocol differs (data, sizes, epochs, …) or that share a seed.  With ``out``, writes
    ``results.json`` and ``accuracy_vs_angle.png`` there."""
    if not results:
        raise ValueError("combine_results needs at least one result.")
    first = results[0]
    for other in results[1:]:
        differ = [k for k in _PROTOCOL if other.get(k) != first.get(k)]
        if differ:
            raise ValueError(
                f"These runs used different protocols ({', '.join(differ)}); only runs that differ in "
                f"their seeds can be pooled."
            )
    seeds = [s for r in results for s in r["seeds"]]
    if len(set(seeds)) != len(seeds):
        raise ValueError(f"The runs share seeds ({sorted(seeds)}): pool runs of different seeds.")
    rows, curves, order = [], {}, []
    for r in results:
        rows += [row for row in r["rows"] if row["seed"] in r["seeds"]]
        for name, per_seed in r["accuracy_vs_angle"]["per_seed"].items():
            curves.setdefault(name, []).extend(zip(r["seeds"], per_seed))
        order += r["seeds"]
    order = sorted(order)
    rows.sort(key=lambda row: order.index(row["seed"]))
    curves = {name: [c for _, c in sorted(pairs)] for name, pairs in curves.items()}
    sizes = {k: (v["train"], v["test"]) for k, v in first["sizes"].items()}
    requested = sorted({s for r in results for s in r["seeds_requested"]})
    combined = _gcnn_result(
        first["mode"],
        requested,
        order,
        first["epochs"],
        first["batch_size"],
        first["strategy"],
        sizes,
        rows,
        curves,
        np.asarray(first["accuracy_vs_angle"]["angles"]),
        data=first["data"],
    )
    if out is not None:
        out = Path(out)
        out.mkdir(parents=True, exist_ok=True)
        (out / "results.json").write_text(json.dumps(combined, indent=2))
        _plot_curves(combined, out / "accuracy_vs_angle.png")
    return combined


def _plot_curves(result, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from symkeras.viz import plot_accuracy_vs_angle

    curves = result["accuracy_vs_angle"]
    n = len(result["seeds"])
    fig = plot_accuracy_vs_angle(
        curves["angles"],
        curves["mean"],
        f"Trained upright, tested rotated ({result['mode']} mode, "
        f"{'mean ± std over ' + str(n) + ' seeds' if n > 1 else 'one seed'})",
        errors=curves["std"] if n > 1 else None,
    )
    fig.savefig(path, dpi=110)
    plt.close(fig)


def format_table(result) -> str:
    from symkeras.stats import format_mean_std

    n = len(result["seeds"])
    lines = [
        f"{'experiment':<28} {'model':<6} {'params':>7} {'test accuracy':>16}  {'per seed':<26} {'train s':>8}"
        f"   published (quoted)",
        "-" * 140,
    ]
    for r in result["summary"]:
        per_seed = " ".join(f"{100 * a:.2f}" for a in r["accuracy_per_seed"]) if n > 1 else ""
        lines.append(
            f"{r['experiment']:<28} {r['model']:<6} {r['params']:>7,} "
            f"{format_mean_std(r['accuracy_mean'], r['accuracy_std'], n):>16}  {per_seed:<26} "
            f"{r['train_seconds_mean']:8.1f}   {r['anchor']}"
        )
    sizes = "; ".join(
        f"{k}: {v['train']:,} train / {v['test']:,} test, {result['epochs'][k]} epochs"
        for k, v in result["sizes"].items()
    )
    lines.append(
        f"\n{result['mode']} mode, data from {result['data']} ({sizes}); batch "
        f"{result['batch_size']}, {result['optimizer']}, seeds {result['seeds']}"
        f"{' (mean ± sample std)' if n > 1 else ''}."
    )
    if not result.get("complete", True):
        lines.append(
            f"INCOMPLETE: {len(result['seeds'])} of the {len(result['seeds_requested'])} seeds requested "
            f"finished ({result['seeds']})."
        )
    if result["mode"] == "fast":
        lines.append("FAST MODE: tiny data and few epochs — numbers are a smoke test, not results.")
    return "\n".join(lines)
