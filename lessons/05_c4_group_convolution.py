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
# # Lesson 5 — C4 group convolution
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/OWNER/symkeras/blob/main/lessons/05_c4_group_convolution.ipynb)
#
# **Description:** lifting, group convolution and orientation pooling; the rotated filter bank; feature fields that
# rotate *and* cycle; a CNN and a G-CNN at equal parameters.
#
# A **lifting convolution** correlates the image with every rotated copy of each filter: its output is a *field*
# over C4 — for each field, four maps, one per orientation: `out(p, t) = Σ_q ψ(t⁻¹q) x(p + q)`. A **group
# convolution** does the same on fields, rotating the taps *and* cycling the input orientations:
# `out(p, t) = Σ_q Σ_s ψ(t⁻¹q, t⁻¹s) f(p + q, s)`. Rotating the input then rotates every map and cycles the
# orientation axis: `f(g·x) = g·f(x)`. **Orientation pooling** (max over the 4) makes the result invariant.

# %%
# In Colab or a fresh Python: install symkeras with its course material, and fetch this lesson's exercise file.
try:
    import symkeras
except ImportError:
    import subprocess
    import sys

    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "symkeras[course]"], check=True)
    import symkeras
symkeras.course.fetch_exercise("ex05");

# %%
import json
import time

import keras
import matplotlib.pyplot as plt
import numpy as np
from keras import ops

import symkeras
from symkeras import data, groups, models
from symkeras.course import lesson_banner
from symkeras.equivariance import check_equivariance, equivariance_error
from symkeras.layers import GroupConv2D, LiftingConv2D
from symkeras.viz import plot_accuracy_vs_angle, plot_commuting_diagram

FAST = lesson_banner(figures=5)
digits, labels = data.load_mnist("test", limit=8)
digits = (digits.astype("float32") / 255)[..., None]
digit = digits[:1]

# %% [markdown]
# ## The expanded filter bank of a lifting convolution
# symkeras stores each filter once and expands it into its four rotations before one ordinary convolution. Below:
# one 5×5 lifting filter and its bank (output channel `o·4 + t` holds filter `o` turned by `t`).

# %%
lift = LiftingConv2D(2, 5, group="C4")
lift.build((None, 28, 28, 1))
bank = ops.convert_to_numpy(lift.expanded_kernel())  # (5, 5, 1, 2·4)
kernel = ops.convert_to_numpy(lift.kernel)  # (5, 5, 1, 2): what is stored and trained
vmax = np.abs(bank).max()
fig, axes = plt.subplots(1, 4, figsize=(8, 2.6))
for t, ax in enumerate(axes):
    im = ax.imshow(bank[:, :, 0, t], cmap="RdBu_r", vmin=-vmax, vmax=vmax)
    ax.set_title(f"orientation {groups.C4.element_name(t)}", fontsize=9)
    ax.set_xticks([]), ax.set_yticks([])
fig.colorbar(im, ax=axes, label="filter weight", shrink=0.8)
fig.suptitle("Filter 0 of a lifting convolution in its four orientations (one stored 5×5 filter)")
plt.show()
assert all(np.array_equal(bank[:, :, 0, t], np.rot90(kernel[:, :, 0, 0], t)) for t in range(4))
print(f"stored weights {kernel.size}, bank entries {bank.size}: the bank holds each stored weight 4 times")

# %% [markdown]
# ## The filter bank of a group convolution: rotate *and* cycle
# A group convolution's input is a field: four orientation slots. For output orientation `t`, each slot's 3×3 taps
# are rotated by `t` *and* the slots move round by `t`: the filter that output `t` applies to slot `s` is the stored
# filter of slot `s − t (mod 4)`, turned by `t`. Follow one stored slot along a diagonal of the grid.

# %%
gconv = GroupConv2D(1, 3, group="C4")
gconv.build((None, 10, 10, 4))
gbank = ops.convert_to_numpy(gconv.expanded_kernel())  # (3, 3, 4 input slots, 4 output orientations)
gkernel = ops.convert_to_numpy(gconv.kernel)  # (3, 3, 4, 1)
vmax = np.abs(gbank).max()
fig, axes = plt.subplots(4, 4, figsize=(7, 7))
for t in range(4):
    for s in range(4):
        ax = axes[t, s]
        im = ax.imshow(gbank[:, :, s, t], cmap="RdBu_r", vmin=-vmax, vmax=vmax)
        ax.set_xticks([]), ax.set_yticks([])
        ax.set_title(f"slot {(s - t) % 4}, {90 * t}°", fontsize=8)
        if s == 0:
            ax.set_ylabel(f"output {groups.C4.element_name(t)}", fontsize=9)
        if t == 3:
            ax.set_xlabel(f"input slot {s}", fontsize=9)
fig.colorbar(im, ax=axes, label="filter weight", shrink=0.6)
fig.suptitle("Group convolution filter bank: rows = output orientation, columns = input slot\n"
             "(each panel: which stored slot it holds, and by how much it is turned)", fontsize=10)
plt.show()
assert all(np.array_equal(gbank[:, :, s, t], np.rot90(gkernel[:, :, (s - t) % 4, 0], t))
           for s in range(4) for t in range(4))

# %% [markdown]
# ## Feature fields of a digit and of the rotated digit
# Row 1: the field of the digit. Row 2: the field of the digit rotated by 90°. Row 3: row 1 moved by the rule
# "rotate every map, cycle the orientations" — identical to row 2.

# %%
fig = plot_commuting_diagram(lift, digit[0, :, :, 0], g=1)
plt.show()
report = check_equivariance(lift, "C4", digit, "image", "field")
print(f"largest difference between rows 2 and 3, relative to the field: {report.errors[1]:.1e}")

# %% [markdown]
# ## Equivariance, element by element
# The relative error `max|f(g·x) − g·f(x)| / max|g·f(x)|` for each element `g` of C4, on four digits. The group
# layers, a stack of them and the whole P4CNN (whose pooled logits should not move at all) are exact up to float32
# round-off; a plain `Conv2D` and the plain CNN, checked the same way, are not.

# %%
stack = [LiftingConv2D(4, 3, activation="relu"), GroupConv2D(4, 3, activation="relu"), GroupConv2D(4, 3)]
conv = keras.layers.Conv2D(4, 3)
p4_untrained, cnn_untrained = models.p4cnn(4), models.cnn(8)
cases = {  # name: (function, output action, should be exact)
    "LiftingConv2D (image → field)": (lift, "field", True),
    "lifting → GroupConv2D": (lambda v: stack[1](stack[0](v)), "field", True),
    "lifting → group → group": (lambda v: stack[2](stack[1](stack[0](v))), "field", True),
    "P4CNN logits (invariant)": (lambda v: p4_untrained(v, training=False), "trivial", True),
    "plain Conv2D (image → image)": (conv, "image", False),
    "plain CNN logits (invariant?)": (lambda v: cnn_untrained(v, training=False), "trivial", False),
}
reports = {name: equivariance_error(fn, "C4", digits[:4], "image", action) for name, (fn, action, _) in cases.items()}
table = np.array([[r.errors[g] for g in groups.C4.elements] for r in reports.values()])
fig, ax = plt.subplots(figsize=(8, 3.6))
im = ax.imshow(np.log10(np.maximum(table, 1e-12)), cmap="magma", vmin=-12, vmax=0, aspect="auto")
for i, row in enumerate(table):
    for j, err in enumerate(row):
        ax.text(j, i, "0" if err == 0 else f"{err:.0e}", ha="center", va="center", fontsize=8,
                color="white" if err < 1e-3 else "black")
ax.set_xticks(range(4), [f"{groups.C4.element_name(g)} ({90 * g}°)" for g in groups.C4.elements])
ax.set_yticks(range(len(reports)), list(reports))
ax.set_xlabel("group element g")
ax.set_title("Relative equivariance error per element of C4")
fig.colorbar(im, ax=ax, label="log₁₀ relative error (floor 10⁻¹²)")
fig.tight_layout()
plt.show()
for (name, (_, _, exact)), r in zip(cases.items(), reports.values()):
    if exact:
        assert r.max_error <= r.tolerance, f"{name} should be exactly equivariant"
    else:
        assert min(r.errors[g] for g in (1, 2, 3)) >= 0.05, f"{name} is not rotation-equivariant"
print(f"group layers and P4CNN: worst error {max(r.max_error for (_, (_, _, e)), r in zip(cases.items(), reports.values()) if e):.1e}; "
      f"plain layers: smallest error at a non-identity element "
      f"{min(r.errors[g] for (_, (_, _, e)), r in zip(cases.items(), reports.values()) if not e for g in (1, 2, 3)):.2f}")

# %% [markdown]
# ## CNN vs G-CNN at equal parameters
# A P4CNN (`models.p4cnn`) and a plain CNN widened to the same number of parameters (`models.match_width`), both
# trained on upright digits only, with the same optimiser (Adam, learning rate 3·10⁻³ decayed to 0 along a cosine),
# batch size, number of steps and seed, no dropout. Fast mode uses a P4CNN with 6 fields per layer and 2,000
# training digits seen 10 times; full mode the P4CNN's 10 fields and all 60,000 training digits, once.

# %%
if FAST:
    config = dict(fields=6, train_digits=2_000, epochs=10, test_digits=1_000, angle_step=45)
else:
    config = dict(fields=10, train_digits=60_000, epochs=1, test_digits=2_000, angle_step=15)
    print("Full mode trains a CNN and a P4CNN on 60,000 digits: about 3–4 minutes on 2 free CPU cores (longer on a "
          "busy machine); Keras shows a progress bar per model.")
batch_size = 64
steps = config["epochs"] * -(-config["train_digits"] // batch_size)
p4 = models.p4cnn(config["fields"], dropout=0.0)
width = models.match_width(lambda w: models.cnn(w), models.count_params(p4))
cnn = models.cnn(width, dropout=0.0)
n_cnn, n_p4 = models.count_params(cnn), models.count_params(p4)
print(f"parameters: CNN ({width} channels per layer) {n_cnn:,}, P4CNN ({config['fields']} fields × 4 orientations) "
      f"{n_p4:,}")
assert abs(n_cnn - n_p4) <= 0.05 * n_p4, "equal parameters, within 5%"

task = data.rotation_symmetric_task()  # trains upright
x_test, y_test = data.load_mnist("test", limit=config["test_digits"])
x_test = (x_test.astype("float32") / 255)[..., None]
seconds = {}
for model in (cnn, p4):
    keras.utils.set_random_seed(0)
    schedule = keras.optimizers.schedules.CosineDecay(3e-3, decay_steps=steps)
    model.compile(optimizer=keras.optimizers.Adam(schedule), jit_compile=False,
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    start = time.perf_counter()
    model.fit(task.dataset("train", batch_size, limit=config["train_digits"]), epochs=config["epochs"],
              verbose=0 if FAST else 1, shuffle=False)  # the dataset reshuffles itself every epoch
    seconds[model.name] = time.perf_counter() - start
    print(f"{model.name}: trained in {seconds[model.name]:.0f} s")

# %% [markdown]
# Accuracy against the rotation of the test digits. Multiples of 90° are exact pixel permutations (`rotate90_batch`);
# other angles are interpolated.

# %%
angles = np.arange(0, 360, config["angle_step"])


def turned(a):
    return data.rotate90_batch(x_test, np.full(len(x_test), a // 90)) if a % 90 == 0 else \
        data.rotate_batch(x_test, np.full(len(x_test), a))


def accuracy(model, x, y):
    return float(np.mean(np.argmax(model.predict(x, batch_size=500, verbose=0), axis=-1) == y))


curves = {"CNN": [], "P4CNN": []}
for a in angles:
    x_a = turned(a)
    curves["CNN"].append(accuracy(cnn, x_a, y_test))
    curves["P4CNN"].append(accuracy(p4, x_a, y_test))
closed = {f"{name} ({n:,} parameters)": acc + acc[:1] for (name, acc), n in zip(curves.items(), (n_cnn, n_p4))}
fig = plot_accuracy_vs_angle(np.append(angles, 360), closed, "CNN vs P4CNN at equal parameters, trained upright")
fig.axes[0].axhline(10, color="gray", ls=":", lw=1)
fig.axes[0].text(362, 11, "chance (10%)", fontsize=8, color="gray", ha="right")
fig.axes[0].set_ylim(0, 102)
plt.show()
acc_cnn, acc_p4 = np.array(curves["CNN"]), np.array(curves["P4CNN"])
quarter = angles % 90 == 0
turns = quarter & (angles > 0)
for name, acc in curves.items():
    acc = np.array(acc)
    print(f"{name:<6} at 0°: {acc[0]:.1%}   at 90°/180°/270°: " + " / ".join(f"{a:.1%}" for a in acc[turns])
          + f"   mean over all angles: {acc.mean():.1%}")
at45 = list(angles).index(45)
print(f"P4CNN at 45°: {acc_p4[at45]:.1%} (C4 holds only quarter turns)")

# %% [markdown]
# What the curves show, and the checks below:
# - At 0° both networks read upright digits well; equal parameters buy similar upright accuracy.
# - The CNN collapses at 90°, 180° and 270°, as in lesson 4. The P4CNN gives *the same* accuracy at every quarter
#   turn: its logits are invariant to C4, so a quarter-turned test set is the upright one for it.
# - Between quarter turns (45°, 135°, …) the P4CNN also drops: C4 invariance says nothing about other angles, and an
#   interpolated 45° digit is an input neither network was trained on.

# %%
assert min(acc_cnn[0], acc_p4[0]) >= (0.90 if FAST else 0.97), "both learn upright digits"
assert abs(acc_p4[0] - acc_cnn[0]) <= 0.05, "equal parameters: similar upright accuracy"
assert acc_p4[quarter].max() - acc_p4[quarter].min() <= 0.005, "P4CNN: the same accuracy at every quarter turn"
assert acc_p4[turns].mean() >= acc_cnn[turns].mean() + 0.4, "P4CNN far ahead of the CNN at 90°/180°/270°"
assert acc_p4[at45] <= acc_p4[0] - 0.05, "C4 is not every rotation: the P4CNN loses accuracy at 45°"
print(f"at 90°/180°/270°: P4CNN {acc_p4[turns].mean():.1%}, CNN {acc_cnn[turns].mean():.1%} (mean of the three)")

# %% [markdown]
# ## A longer run
# `symkeras reproduce gcnn --full --seeds 3` trains the same two architectures with its own protocol: on all
# 60,000 training digits, upright, then tested on the 10,000 test digits turned by random multiples of 90°; and on an
# approximation of the MNIST-rot benchmark (12,000 training and 50,000 test digits, each turned by a seeded angle in
# [0°, 360°)), next to the published numbers. Its committed result, loaded here: every model trained with three seeds,
# mean ± standard deviation beside each seed's value.

# %%
results_file = symkeras.course.material("results") / "gcnn-full" / "results.json"  # docs/results/ (or installed)
longer = json.loads(results_file.read_text())
summary = {(row["experiment"], row["model"]): row for row in longer["summary"]}
print(f"{longer['data']}; seeds {longer['seeds']}; epochs {longer['epochs']}")
for (experiment, model), row in summary.items():
    per_seed = ", ".join(f"{a:.2%}" for a in row["accuracy_per_seed"])
    print(f"{experiment:<28} {model:<6} {row['params']:>6,} parameters: {row['accuracy_mean']:.2%} ± "
          f"{row['accuracy_std']:.2%} ({per_seed})\n{'':<36}published, quoted: {row['anchor']}")
upright = {m: summary[("rotated test, upright train", m)] for m in ("cnn", "p4cnn")}
approx_rot = {m: summary[("MNIST-rot (approx.)", m)] for m in ("cnn", "p4cnn")}

# %% [markdown]
# Every seed tells the story of this lesson: trained upright, the P4CNN keeps its accuracy at every quarter turn and
# the CNN keeps little more than its upright quarter. On continuous angles, which C4 does not contain, the P4CNN still
# makes fewer errors than the CNN with the same number of parameters — but not the 2.28% error of the paper, which
# trained for far longer than this run's budget on a 2-core CPU.

# %%
assert longer["mode"] == "full" and len(longer["seeds"]) >= 3, "a full run with three seeds"
assert longer["sizes"] == {"rotated test, upright train": {"train": 60000, "test": 10000},
                           "MNIST-rot (approx.)": {"train": 12000, "test": 50000}}, "the protocol described above"
assert min(upright["p4cnn"]["accuracy_per_seed"]) >= max(upright["cnn"]["accuracy_per_seed"]) + 0.4, \
    "every seed: the P4CNN far ahead on quarter-turned digits"
assert max(upright["cnn"]["accuracy_per_seed"]) < 0.5, "the upright CNN: about its upright quarter, and a little more"
assert approx_rot["p4cnn"]["error_mean"] < approx_rot["cnn"]["error_mean"], "fewer errors on continuous angles too"
assert approx_rot["p4cnn"]["error_mean"] > 0.0228, "the published 2.28% is not reached at this budget (said above)"
print(f"MNIST-rot approximation, mean error: P4CNN {approx_rot['p4cnn']['error_mean']:.2%}, "
      f"CNN {approx_rot['cnn']['error_mean']:.2%} (published: 2.28% and 5.03%)")

# %% [markdown]
# ## Your turn
# [`exercises/ex05_gconv.py`](../exercises/ex05_gconv.py): expand lifting and group filter banks yourself, and pool
# orientations. Grade it here (untouched stubs show as "not attempted"):

# %%
symkeras.check("ex05");
