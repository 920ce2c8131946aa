# ---
# jupyter:
#   jupytext:
#     cell_metadata_filter: -all
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Lesson 10 — Scaling up, and where to go next
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/OWNER/symkeras/blob/main/lessons/10_scaling_up.ipynb)
#
# **Description:** the same model on several devices (`MirroredStrategy`), what XLA does and does not buy on a CPU,
# mixed precision, how dense and convolutional parameter counts scale, and further reading.
#
# Everything here runs on a CPU, and timings on a laptop or a shared machine are noisy: we only compare models timed
# in the same run, interleaved round by round (`symkeras.experiments.bench.interleaved_medians`), and we assert only directions
# with wide margins. Expect your numbers to differ. Full mode takes a few minutes on a 2-core CPU, most of it XLA
# compiling; fast mode skips the P4CNN under XLA.

# %%
# In Colab or a fresh Python: install symkeras with its course material, and fetch this lesson's exercise file.
try:
    import symkeras
except ImportError:
    import subprocess
    import sys

    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "symkeras[course]"], check=True)
    import symkeras
symkeras.course.fetch_exercise("ex10");

# %%
import time

from symkeras.course import lesson_banner

FAST = lesson_banner(figures=3)

from symkeras import distribute  # noqa: E402

devices = distribute.split_cpu(2)  # two logical CPU devices stand in for two GPUs (before TensorFlow runs anything)
print("logical devices:", devices)

import keras  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from symkeras import data, models  # noqa: E402
from symkeras.experiments.bench import interleaved_medians  # noqa: E402
from symkeras.layers import GroupBatchNormalization, GroupConv2D, GroupMaxPool2D, GroupPooling, LiftingConv2D  # noqa: E402

# %% [markdown]
# ## One model, two replicas
# `tf.distribute.MirroredStrategy` copies the model to each device, gives each replica its share of every batch
# (here 32 of 64 images), and averages the gradients before one shared update. On a GPU machine the same code uses
# all GPUs; across machines, `MultiWorkerMirroredStrategy` with a `TF_CONFIG` describing the cluster does the same.
# `symkeras.distribute.strategy_scope("mirrored", devices)` builds and compiles models under the strategy.
#
# If data parallelism is only a way of computing the same thing faster, a model trained on two replicas must follow
# the same loss curve as on one device, from the same initial weights and the same batches. We check it for a small
# C4 G-CNN without dropout (dropout would draw different masks), first without batch norm, then with
# `GroupBatchNormalization` after each convolution — batch norm *does* see how the batch is split.

# %%
x, y = data.rotation_symmetric_task().arrays("train", limit=64 * (6 if FAST else 20))
loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)


def small_gcnn(batch_norm=None):
    """Four C4 convolutions, orientation pooling, a dense head; with ``batch_norm`` = "per-replica" or
    "synchronized", a GroupBatchNormalization after each convolution."""
    layers = [keras.Input((28, 28, 1))]
    for i, conv in enumerate([LiftingConv2D(8, 3), GroupConv2D(8, 3), GroupConv2D(8, 3), GroupConv2D(8, 3)]):
        layers.append(conv)
        if batch_norm:
            layers.append(GroupBatchNormalization("C4", synchronized=batch_norm == "synchronized"))
        layers.append(keras.layers.ReLU())
        if i == 1:
            layers.append(GroupMaxPool2D(2))
    layers += [GroupPooling("C4"), keras.layers.GlobalAveragePooling2D(), keras.layers.Dense(10)]
    return keras.Sequential(layers, name=f"small_gcnn_{batch_norm or 'no_bn'}")


class BatchLosses(keras.callbacks.Callback):
    """The loss of every batch (Keras logs a running mean over the epoch; undo the averaging)."""

    def on_train_begin(self, logs=None):
        self.means = []

    def on_train_batch_end(self, batch, logs=None):
        self.means.append(float(logs["loss"]))

    def losses(self):
        totals = np.array(self.means) * np.arange(1, len(self.means) + 1)
        return np.diff(totals, prepend=0.0)


def train(batch_norm, strategy, weights):
    """Build and compile under ``strategy`` ("none" or "mirrored"), load ``weights``, train one pass over x."""
    with distribute.strategy_scope(strategy, devices if strategy == "mirrored" else None):
        model = small_gcnn(batch_norm)
        model.compile(optimizer=keras.optimizers.Adam(1e-3), loss=loss_fn)
    model.set_weights(weights)
    record = BatchLosses()
    model.fit(x, y, batch_size=64, shuffle=False, epochs=1, verbose=0, callbacks=[record])
    return model, record.losses()


keras.utils.set_random_seed(0)
start = {"no BN": small_gcnn().get_weights(), "BN": small_gcnn("per-replica").get_weights()}
runs = {
    "no batch norm, one device": train(None, "none", start["no BN"]),
    "no batch norm, 2 replicas": train(None, "mirrored", start["no BN"]),
    "batch norm, one device": train("per-replica", "none", start["BN"]),
    "batch norm, 2 replicas, per-replica BN": train("per-replica", "mirrored", start["BN"]),
    "batch norm, 2 replicas, synchronized BN": train("synchronized", "mirrored", start["BN"]),
}
losses = {name: run[1] for name, run in runs.items()}
print("replicas in sync:", runs["no batch norm, 2 replicas"][0].distribute_strategy.num_replicas_in_sync)
gaps = {"no batch norm": np.abs(losses["no batch norm, 2 replicas"] - losses["no batch norm, one device"]),
        "per-replica BN": np.abs(losses["batch norm, 2 replicas, per-replica BN"] - losses["batch norm, one device"]),
        "synchronized BN": np.abs(losses["batch norm, 2 replicas, synchronized BN"] - losses["batch norm, one device"])}
for name, gap in gaps.items():
    print(f"{name:<16} |loss(2 replicas) − loss(one device)|: first batch {gap[0]:.1e}, largest {gap.max():.1e}")

# %%
fig, axes = plt.subplots(1, 2, figsize=(12, 4))
steps = np.arange(1, len(x) // 64 + 1)
for name, style in [("no batch norm, one device", "-"), ("no batch norm, 2 replicas", "--"),
                    ("batch norm, one device", "-"), ("batch norm, 2 replicas, synchronized BN", "--"),
                    ("batch norm, 2 replicas, per-replica BN", ":")]:
    axes[0].plot(steps, losses[name], style, marker="o", ms=3, label=name)
axes[0].set_xlabel("training step (batch of 64)")
axes[0].set_ylabel("training loss of the batch")
axes[0].set_title("Loss curves: one device vs MirroredStrategy on 2 devices")
axes[0].legend(fontsize=7)
for name, gap in gaps.items():
    axes[1].semilogy(steps, np.maximum(gap, 1e-9), marker="o", ms=3, label=name)
axes[1].set_xlabel("training step (batch of 64)")
axes[1].set_ylabel("|loss(2 replicas) − loss(one device)|\n(an exact 0 is drawn at 1e-9)")
axes[1].set_title("How far the 2-replica run is from the one-device run")
axes[1].legend(fontsize=7)
for ax in axes:
    ax.grid(alpha=0.3)
    ax.xaxis.set_major_locator(plt.MaxNLocator(integer=True))
fig.tight_layout()
plt.show()

# %%
plain_gap, local_gap, sync_gap = gaps.values()
assert plain_gap.max() < 1e-3, plain_gap.max()
assert sync_gap[0] < 1e-4 and local_gap[0] > 1e-4 and local_gap[0] > 10 * sync_gap[0], (sync_gap[0], local_gap[0])
assert sync_gap.max() > 10 * plain_gap.max(), (sync_gap.max(), plain_gap.max())
print(f"without batch norm the two runs agree to {plain_gap.max():.0e} over {len(steps)} steps; with batch norm the "
      f"first batch's loss differs by {local_gap[0]:.0e} when each replica normalises its own 32 images and by "
      f"{sync_gap[0]:.0e} with synchronized statistics; over {len(steps)} steps even the synchronized run drifts "
      f"by up to {sync_gap.max():.0e}")

# %% [markdown]
# What the measurement says:
# - **Without batch norm, two replicas compute what one device computes**, up to float rounding: the two runs add
#   the same numbers in a different order (two half-batch gradients, then their average), and training lets such
#   differences grow only slowly (the printed largest gap).
# - **Batch norm is different.** Each replica normalises with the mean and variance of *its own* share of the batch,
#   so the very first loss already differs. `synchronized=True` (in symkeras' `GroupBatchNormalization` and Keras'
#   `BatchNormalization`; `models.p4cnn(..., synchronized_bn=True)` passes it on) all-reduces the statistics so the
#   first loss matches to rounding.
# - Over several steps, even the synchronized run moves away from the one-device run, by far more than the
#   network without batch norm. We measured this but have not traced its cause; the practical lesson stands:
#   compare a multi-device run with a single-device one before trusting it, and expect batch norm to be the part
#   that differs.
#
# We do not compare speed here: both logical devices share the same two CPU cores, so there is nothing to gain.

# %% [markdown]
# ## Throughput, and what XLA buys on a CPU
# `model.compile(jit_compile=True)` asks XLA to compile the whole training step (forward, backward, optimizer) into
# one program; `False` runs it as a TensorFlow graph of separate kernels. Keras' default, `"auto"`, with the
# TensorFlow backend uses XLA only when the machine has a GPU or TPU and no distribution strategy is active (the
# check below); JAX always compiles with XLA. We time two things separately, for the 7-layer CNN with 40 channels,
# the P4CNN with 10 fields × 4 orientations (also 40 feature maps per layer) and, to find where time goes, the CNN
# without its two dropout layers:
#
# - the **first step**: tracing the Python code into a graph and, for XLA, compiling it;
# - the **steady-state step** afterwards (median of interleaved rounds, batch 64), reported as images per second.

# %%
probe = models.cnn(8)
probe.compile(optimizer="adam", loss=loss_fn)  # jit_compile="auto"
probe.train_on_batch(x[:8], y[:8])  # also pays TensorFlow's one-time start-up costs before anything below is timed
print(f"jit_compile='auto' resolves to {probe.jit_compile} on this machine "
      f"({[d.device_type for d in tf.config.list_physical_devices()]})")
if not tf.config.list_physical_devices("GPU") and not tf.config.list_physical_devices("TPU"):
    assert probe.jit_compile is False
print(f"symkeras' choice: dense models {distribute.jit_compile_for(dense=True)!r}, "
      f"convnets {distribute.jit_compile_for(dense=False)!r}")
assert distribute.jit_compile_for(dense=True) is True and distribute.jit_compile_for(dense=False) == "auto"

# %%
batch = 64
xb, yb = x[:batch], y[:batch]
configs = {"CNN": lambda: models.cnn(40), "P4CNN": lambda: models.p4cnn(10),
           "CNN, no dropout": lambda: models.cnn(40, dropout=0.0)}
modes = {"graph": False, "XLA": True}
compiled, first_step = {}, {}
for name, build in configs.items():
    for mode, jit in modes.items():
        if FAST and (name, mode) == ("P4CNN", "XLA"):
            continue  # fast mode: skip the slowest compilation
        keras.utils.set_random_seed(0)
        model = build()
        model.compile(optimizer="adam", loss=loss_fn, jit_compile=jit)
        start = time.perf_counter()
        model.train_on_batch(xb, yb)
        first_step[(name, mode)] = time.perf_counter() - start
        compiled[(name, mode)] = model
round_times = {key: [] for key in compiled}  # interleaved: each round times every model once
for model in compiled.values():
    model.train_on_batch(xb, yb)  # one more warm-up step
for _ in range(5 if FAST else 7):
    for key, model in compiled.items():
        start = time.perf_counter()
        model.train_on_batch(xb, yb)
        round_times[key].append(time.perf_counter() - start)
seconds = {key: float(np.median(ts)) for key, ts in round_times.items()}
throughput = {key: batch / s for key, s in seconds.items()}
print(f"{'model':<16} {'mode':<6} {'first step (s)':>15} {'steady step (ms)':>17} {'images/s':>9}")
for key in compiled:
    print(f"{key[0]:<16} {key[1]:<6} {first_step[key]:15.1f} {1e3 * seconds[key]:17.0f} {throughput[key]:9.0f}")

# %% [markdown]
# XLA is *slower* in the steady state here — so it is not only its compilation time. To find the culprit, time one
# `keras.layers.Dropout(0.3)` on a batch of feature maps the size of the CNN's (64 × 12 × 12 × 40), alone, in both
# modes:

# %%
features = tf.constant(np.random.default_rng(0).normal(size=(64, 12, 12, 40)).astype("float32"))
dropout = keras.layers.Dropout(0.3)
dropout_fns = {mode: tf.function(lambda t: dropout(t, training=True), jit_compile=jit) for mode, jit in modes.items()}
dropout_seconds = interleaved_medians({mode: (lambda f=f: f(features).numpy()) for mode, f in dropout_fns.items()},
                                      rounds=5, warmup=2)
print(f"Dropout alone: graph {1e3 * dropout_seconds['graph']:.1f} ms, XLA {1e3 * dropout_seconds['XLA']:.1f} ms "
      f"({dropout_seconds['XLA'] / dropout_seconds['graph']:.0f}× slower)")

# %%
fig, axes = plt.subplots(1, 3, figsize=(14, 4.2), gridspec_kw={"width_ratios": [3, 3, 1.4]})
names = list(configs)
width = 0.38
for k, (mode, colour) in enumerate([("graph", "tab:blue"), ("XLA", "tab:orange")]):
    offsets = np.arange(len(names)) + (k - 0.5) * width
    tp = [throughput.get((name, mode), np.nan) for name in names]
    fs = [first_step.get((name, mode), np.nan) for name in names]
    bars = axes[0].bar(offsets, tp, width, color=colour, label=mode)
    axes[0].bar_label(bars, labels=["" if np.isnan(v) else f"{v:.0f}" for v in tp], fontsize=7, padding=2)
    bars = axes[1].bar(offsets, fs, width, color=colour, label=mode)
    axes[1].bar_label(bars, labels=["" if np.isnan(v) else f"{v:.0f} s" for v in fs], fontsize=7, padding=2)
for ax, label, title in [(axes[0], "images per second (steady state)", "Training throughput, batch 64"),
                         (axes[1], "seconds", "First step: tracing (+ XLA compilation)")]:
    ax.set_xticks(np.arange(len(names)), names, fontsize=8)
    ax.set_ylabel(label)
    ax.set_title(title, fontsize=10)
    ax.legend(fontsize=8)
    ax.grid(axis="y", alpha=0.3)
    ax.margins(y=0.2)
    if FAST:
        ax.text(names.index("P4CNN") + width / 2, 0, "not run\nin fast\nmode", ha="center", va="bottom", fontsize=7)
bars = axes[2].bar(["graph", "XLA"], [1e3 * dropout_seconds["graph"], 1e3 * dropout_seconds["XLA"]],
                   color=["tab:blue", "tab:orange"])
axes[2].bar_label(bars, fmt="%.1f ms", fontsize=7, padding=2)
axes[2].set_yscale("log")
axes[2].margins(y=0.3)
axes[2].set_ylabel("milliseconds (log scale)")
axes[2].set_title("One Dropout layer\n(64×12×12×40)", fontsize=10)
axes[2].grid(axis="y", alpha=0.3)
fig.suptitle("CPU, measured in this run (shared machines: compare bars within the figure only)", fontsize=10)
fig.tight_layout()
plt.show()

# %%
for name in configs:
    if (name, "XLA") in compiled:
        assert first_step[(name, "XLA")] > 1.5 * first_step[(name, "graph")], name  # compiling costs extra
slowdown = {name: seconds[(name, "XLA")] / seconds[(name, "graph")] for name in configs if (name, "XLA") in seconds}
for name in ("CNN", "P4CNN"):
    if name in slowdown:
        assert slowdown[name] > 1.2, (name, slowdown[name])
assert dropout_seconds["XLA"] > 5 * dropout_seconds["graph"], dropout_seconds
assert slowdown["CNN, no dropout"] > 0.5, slowdown  # without dropout: still no clear win for XLA
print("steady-state step time, XLA ÷ graph: " + ", ".join(f"{name} {r:.1f}×" for name, r in slowdown.items()))
dropout_share = 1 - seconds[("CNN, no dropout", "XLA")] / seconds[("CNN", "XLA")]
assert dropout_share > 1 / 3, dropout_share
print(f"under XLA, the CNN's two Dropout layers take {100 * dropout_share:.0f}% of its training step")
print("first step, XLA ÷ graph: " + ", ".join(f"{name} {first_step[(name, 'XLA')] / first_step[(name, 'graph')]:.1f}×"
                                              for name in slowdown))

# %% [markdown]
# Reading the measurement:
# - **Compilation** makes XLA's first step more than 1.5× as long as the graph's (the ratios printed above). It is
#   paid once per model and input shape.
# - **In the steady state XLA is still slower** for the CNN and the P4CNN as built here (ratios printed above; the
#   assert checks more than 1.2×), so compilation time is not the explanation. The single Dropout layer shows the
#   main culprit: its random mask is many times slower to produce inside XLA on a CPU than with TensorFlow's own
#   kernel (more than 5×). Under XLA the CNN's two Dropout layers take a large share of its whole training step
#   (printed; the assert checks more than a third) — these are small models, so one slow element-wise op weighs a
#   lot.
# - Without dropout, the two modes come much closer (the "CNN, no dropout" ratio), but XLA brings no clear speed-up
#   to these convnets on a CPU either (the assert checks that XLA's step is not under half the graph's).
# - On CPUs, then, Keras' `"auto"` leaves XLA off. On GPUs XLA hands convolutions to the vendor's libraries and its
#   fusion of element-wise operations usually pays off (not measured here). symkeras turns XLA on for the dense
#   models of lessons 7–9 — clone students and cloned MLPs, whose steps are dominated by element-wise passes over
#   millions of structure entries — and leaves convnets on `"auto"` (`symkeras.distribute.jit_compile_for`).
#   Measure before choosing.

# %% [markdown]
# ## Does the symmetry cost speed?
# The P4CNN and the 40-channel CNN have the same number of feature maps per layer (10 fields × 4 orientations vs 40
# channels), so their convolutions cost about the same; the P4CNN has about 3× fewer parameters and does some extra
# work per step (rotating its filters into a bank, group batch norm, orientation pooling). The ratio below is measured
# in this run, in graph mode:

# %%
ratio = throughput[("P4CNN", "graph")] / throughput[("CNN", "graph")]
per_round = np.array(round_times[("CNN", "graph")]) / np.array(round_times[("P4CNN", "graph")])
p4_params = models.count_params(compiled[("P4CNN", "graph")])
cnn_params = models.count_params(compiled[("CNN", "graph")])
print(f"P4CNN: {throughput[('P4CNN', 'graph')]:.0f} images/s, {p4_params:,} parameters; CNN (40 channels): "
      f"{throughput[('CNN', 'graph')]:.0f} images/s, {cnn_params:,} parameters")
print(f"P4CNN/CNN throughput: {ratio:.2f}× (median step times); single rounds of this run: "
      + ", ".join(f"{r:.2f}×" for r in per_round))
assert 0.4 < ratio < 2, ratio
assert 2.5 < cnn_params / p4_params < 4, (cnn_params, p4_params)

# %% [markdown]
# The P4CNN's throughput is within a small factor of the CNN's (the assert allows 0.4–2×), with about a third
# of the parameters. Look at the single rounds: on a shared machine the ratio moves from one round to the next, so
# a ratio from another run is a different measurement, not a contradiction. `make bench` measures the same ratio
# with its own method (`model.fit` over cached batches, interleaved rounds, a median) and the README reports one
# such run on the build machine; expect it to differ from the number above. Quote a throughput ratio only with the
# machine, its load, the batch size and the method that produced it.

# %% [markdown]
# ## Mixed precision
# `keras.mixed_precision.set_global_policy("mixed_float16")` makes layers compute in float16 while keeping their
# variables in float32 (for stable updates). It pays off on GPUs with fast float16 units (and `"mixed_bfloat16"` on
# TPUs and recent CPUs); here we only check what the policy does to a G-CNN layer.

# %%
keras.mixed_precision.set_global_policy("mixed_float16")
layer = GroupConv2D(4, 3)
out = layer(tf.zeros((1, 8, 8, 8)))
keras.mixed_precision.set_global_policy("float32")
print(f"compute dtype {layer.compute_dtype}, output {out.dtype.name}, variables "
      f"{sorted({v.dtype for v in layer.weights})}")
assert layer.compute_dtype == "float16" and out.dtype.name == "float16"
assert all(v.dtype == "float32" for v in layer.weights)

# %% [markdown]
# ## How parameter counts scale
# A dense layer between two `H×W` single-channel maps needs `(HW)²` weights; a `k×k` convolution needs `k²`, whatever
# the image size; a cloned convolution (lessons 7–8) stores its nine `m² × n²` maps, `9·(H−2)²·H²` numbers. Counted by
# Keras where the layer fits in memory (markers), from the formula beyond. A clone is the most expensive of the
# three: nine dense maps instead of one, so several times the numbers of a plain dense layer (printed below for
# MNIST's 28×28) — the price of learning the symmetry rather than building it in.

# %%
sides = np.array([8, 16, 28, 32, 64, 128, 256, 512, 1024])
counted = {}
for side in sides[sides <= 64]:
    dense_layer = keras.layers.Dense(int(side) ** 2, use_bias=False)
    dense_layer.build((None, int(side) ** 2))
    conv_layer = keras.layers.Conv2D(1, 3, use_bias=False)
    conv_layer.build((None, int(side), int(side), 1))
    counted[int(side)] = (dense_layer.count_params(), conv_layer.count_params())
    assert counted[int(side)] == (side ** 4, 9), (side, counted[int(side)])
cloned_entries = 9 * (sides - 2.0) ** 2 * sides.astype(float) ** 2
fig, ax = plt.subplots(figsize=(7, 4.2))
ax.loglog(sides, sides.astype(float) ** 4, label="dense: (HW)²")
ax.loglog(sides, cloned_entries, "--", label="cloned 3×3 conv: 9·(H−2)²·H² fixed numbers")
ax.loglog(sides, np.full(len(sides), 9.0), label="3×3 conv: 9")
ax.loglog(list(counted), [c[0] for c in counted.values()], "o", color="tab:blue", label="counted by Keras")
ax.loglog(list(counted), [c[1] for c in counted.values()], "o", color="tab:green")
ax.axhline(8e9 / 4, color="gray", ls=":", lw=1)
ax.text(sides[0], 8e9 / 4 * 1.5, "8 GB of float32", fontsize=8, color="gray")
ax.set_xlabel("image side H = W (pixels)")
ax.set_ylabel("weights per channel pair")
ax.set_title("Weight sharing keeps a convolution's size independent of the image")
ax.legend(fontsize=8, loc="lower right", bbox_to_anchor=(1.0, 0.12))
ax.grid(alpha=0.3, which="both", lw=0.3)
fig.tight_layout()
plt.show()
side_1024 = 1024 ** 4
print(f"at 1024×1024: dense {side_1024:.2e} weights ({side_1024 * 4 / 1e12:.1f} TB as float32), conv 9")
at_28 = {"dense": 28 ** 4, "cloned": 9 * 26 ** 2 * 28 ** 2, "conv": 9}
print(f"at 28×28 (MNIST): dense {at_28['dense']:,}, cloned {at_28['cloned']:,} "
      f"({at_28['cloned'] / at_28['dense']:.1f}× the dense layer), conv {at_28['conv']}")
assert 5 < at_28["cloned"] / at_28["dense"] < 9

# %% [markdown]
# ## Where to go next
# - **escnn** (QUVA-Lab): steerable CNNs for continuous rotations SO(2), O(2) and 3-D groups — the C4 of these
#   lessons becomes any angle, without a filter per rotation.
# - **e3nn**: E(3)-equivariant networks for molecules and point clouds (lesson 11 builds a small E(n)-equivariant
#   graph layer by hand).
# - AlphaFold2 (quoted, not shown here): its *invariant point attention* is invariant to global rotations and
#   translations of the residue frames it attends over, and the structure module built on it updates those frames
#   equivariantly.
# - "Does Equivariance Matter at Scale?" (Brehmer, Behrends, de Haan, Cohen; arXiv 2410.23179), quoted from its
#   abstract, not reproduced here: on a rigid-body interaction benchmark with transformer models, equivariant models
#   outperformed non-equivariant ones at every compute budget they tested, and training non-equivariant models with
#   data augmentation closed the data-efficiency gap given enough epochs.
#
# ## Your turn
# [`exercises/ex10_scaling.py`](../exercises/ex10_scaling.py): dense-vs-conv ratios and per-replica batches. Grade with `symkeras.check("ex10")`.
