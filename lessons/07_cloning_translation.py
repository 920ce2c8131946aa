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
# # Lesson 7 — Symmetry cloning: teaching an MLP to be a convolution
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/OWNER/symkeras/blob/main/lessons/07_cloning_translation.ipynb)
#
# **Description:** train plain dense maps to imitate random convolutions; watch them become shift matrices; rebuild
# a CNN as an MLP (`mlp2cnn`).
#
# After "Symmetry From Scratch" (arXiv 2410.03989). A valid 3×3 correlation of an `n × n` image is
# `y = Σ_c k_c S_c x`, with `x` flattened (length `n²`), `y` flattened (length `m²`, `m = n − 2`), `k_c` the nine
# kernel taps (`c = 3·di + dj`) and fixed **shift matrices** `S_c ∈ R^{m²×n²}`: row `(i, j)` of `S_c` has a single 1,
# in column `(i + di, j + dj)`.
#
# The **student** has nine zero-initialised dense maps `W_b ∈ R^{m²×n²}` and computes `ŷ = Σ_b k_b W_b x`. It is
# trained by mean squared error to reproduce `conv(x, k)` for Gaussian images `x` and a fresh Gaussian kernel `k` for
# every example. Nothing tells it about shifts.
#
# **Why it must find them.** Write `D_b = W_b − S_b`. Then `ŷ − y = Σ_b k_b D_b x`, and averaging over independent
# standard-normal taps and pixels gives
#
# $$\mathbb{E}\,\text{MSE} = \frac{1}{m^2}\sum_{b=0}^{8}\lVert W_b - S_b\rVert_F^2 .$$
#
# The expected loss *is* the squared distance to the convolution: its only minimum is `W_b = S_b`. Two checks follow
# from the formula: at the start (`W = 0`) the loss is `Σ_b ‖S_b‖² / m² = 9·m²/m² = 9`, and the relative error of
# the outputs equals the relative distance `‖W − S‖ / ‖S‖` of the maps.

# %%
# In Colab or a fresh Python: install symkeras with its course material, and fetch this lesson's exercise file.
try:
    import symkeras
except ImportError:
    import subprocess
    import sys

    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "symkeras[course]"], check=True)
    import symkeras
symkeras.course.fetch_exercise("ex07");

# %%
import warnings

import keras
import matplotlib.pyplot as plt
import numpy as np
from keras import ops

from symkeras import cloning, models
from symkeras.course import lesson_banner

FAST = lesson_banner(figures=4)
warnings.filterwarnings("ignore", message=".*shuffle=True.*")  # Keras notes that a generator is not shuffled: fine
n = 10 if FAST else 16
m = n - 2
print(f"images {n}×{n}, outputs {m}×{m}: each W_b has {m * m}×{n * n} = {m * m * n * n:,} entries")

# %% [markdown]
# ## Cloning, with two optimisers
# Here the student's tap map is fixed to the identity (`learn_taps=False`, coefficient `b` is tap `b`), so the nine
# `W_b` themselves must become the `S_b`. (With a learned tap map — as in the paper and in lesson 8 — `W` is only
# defined up to a mixing of the nine maps.)
#
# We train two copies. **Adam**, as in the paper (here without weight decay, which would pull the clone's 1s towards
# 0, and with a cosine-decayed rate: a constant rate makes Adam drift away again once it is close). And **plain SGD**
# with a step normalised by the image size: with fixed taps the loss is a least-squares problem that is the same in
# every direction (the formula above), so each SGD step removes a fixed fraction of the remaining error. Both stop
# once a batch MSE is below `1e-10`.

# %%
students, reports = {}, {}
for name, options in {"Adam (cosine-decayed rate)": dict(optimizer="adam", learning_rate=1e-2, steps=2000),
                      "SGD (normalised step)": dict(optimizer="sgd", learning_rate=0.5, steps=1000,
                                                    images_per_step=128, kernels_per_image=32)}.items():
    students[name] = cloning.StructuredStudent(n, "trivial", learn_taps=False)
    reports[name] = cloning.clone(students[name], verbose=0, **options)
    print(f"{name:<27} {reports[name]}")
adam, sgd = reports["Adam (cosine-decayed rate)"], reports["SGD (normalised step)"]

# %%
for name, r in reports.items():
    assert abs(r.losses[0] - 9.0) < 0.5, f"{name}: the first loss (W = 0) should be 9, got {r.losses[0]:.2f}"
    assert r.final_loss < 1e-9 and r.structure_relative_error < 1e-4, f"{name} did not clone: {r}"
    ratio = r.heldout_relative_error / r.structure_relative_error
    assert 0.5 < ratio < 2, f"{name}: output error / map error = {ratio:.2f}, expected ≈ 1"
assert 3 * sgd.steps < adam.steps, (sgd.steps, adam.steps)
print(f"first loss (W = 0): Adam {adam.losses[0]:.2f}, SGD {sgd.losses[0]:.2f} — the formula says 9")
print(f"held-out relative output error / relative map error: Adam "
      f"{adam.heldout_relative_error / adam.structure_relative_error:.2f}, SGD "
      f"{sgd.heldout_relative_error / sgd.structure_relative_error:.2f} — the formula says 1")
print(f"steps to a batch MSE below 1e-10: Adam {adam.steps}, SGD {sgd.steps} ({adam.steps / sgd.steps:.0f}× fewer)")

# %% [markdown]
# Both students reach the convolution. The loss curves show the difference between the optimisers: SGD's loss falls
# on a straight line in this log plot (a fixed fraction of the error per step, the least-squares picture). Adam's
# curve bends: it moves every weight by about its learning rate per step, however large or small the remaining error,
# so it needs many more steps here (the numbers above).

# %%
fig, ax = plt.subplots(figsize=(7, 3.8))
for name, r in reports.items():
    ax.semilogy(np.arange(1, r.steps + 1), r.losses, label=f"{name}: {r.steps} steps")
ax.axhline(9.0, color="gray", ls="--", lw=1)
ax.text(np.mean(ax.get_xlim()), 9.0 * 1.6, "W = 0: MSE = 9", ha="center", va="bottom", fontsize=8, color="gray")
ax.axhline(1e-10, color="gray", ls=":", lw=1)
ax.text(np.mean(ax.get_xlim()), 1e-10 * 1.6, "stop: MSE < 1e-10", ha="center", va="bottom", fontsize=8,
        color="gray")
ax.set_ylim(3e-12, 1e6)
ax.set_xlabel("optimizer step")
ax.set_ylabel("batch MSE (= ‖W − S‖² / m² in expectation)")
ax.set_title(f"Cloning a 3×3 convolution into nine dense maps on {n}×{n} images")
ax.legend(loc="upper right")
ax.grid(alpha=0.3)
fig.tight_layout()
plt.show()

# %% [markdown]
# ## The learned maps beside the exact shift matrices
# Each full `W_b` is a `m² × n²` matrix whose nine versions look alike from afar: a thin diagonal band. They differ
# in *where* the band sits: `S_b` reads pixel `(i + di, j + dj)`, i.e. its band is shifted right by `di·n + dj`
# columns. So we zoom in: the first output row (`m` rows of the matrix) against the first three image rows (`3n`
# columns). Top: the learned maps of the SGD student; bottom: the exact `S_b`.

# %%
learned, exact = ops.convert_to_numpy(students["SGD (normalised step)"].maps), cloning.shift_structure(n)
fig, axes = plt.subplots(2, 9, figsize=(14, 4.2), sharey=True, layout="constrained")
for b in range(9):
    di, dj = divmod(b, 3)
    for row, (label, maps) in enumerate((("W", learned), ("S", exact))):
        ax = axes[row, b]
        image = ax.imshow(maps[b, :m, :3 * n], cmap="gray_r", vmin=0, vmax=1, aspect="auto",
                          extent=(-0.5, 3 * n - 0.5, m - 0.5, -0.5))
        ax.set_title(f"{label}{b}: tap ({di},{dj})\nband at +{di * n + dj}", fontsize=7)
        ax.set_xticks([0, n, 2 * n])
        ax.tick_params(labelsize=6)
    axes[1, b].set_xlabel("input pixel", fontsize=7)
axes[0, 0].set_ylabel("learned\noutput pixel", fontsize=8)
axes[1, 0].set_ylabel("exact\noutput pixel", fontsize=8)
fig.colorbar(image, ax=axes, fraction=0.015, pad=0.01, label="matrix entry")
fig.suptitle(f"First output row of each map (rows 0–{m - 1}, columns 0–{3 * n - 1}): the band moves with the tap",
             fontsize=10)
plt.show()

# %% [markdown]
# At this zoom the learned and exact maps agree to the eye. How closely? The next figure shows the error
# `W_b − S_b` over the *whole* matrices, on a colour scale set by the largest error. It has no structure left: it is
# noise at the level where the stopping rule (batch MSE below `1e-10`) ended training.

# %%
error = learned - exact
largest = np.abs(error).max()
relative = np.linalg.norm(error) / np.linalg.norm(exact)
fig, axes = plt.subplots(1, 9, figsize=(14, 3.2), sharey=True, layout="constrained")
for b in range(9):
    image = axes[b].imshow(error[b], cmap="RdBu_r", vmin=-largest, vmax=largest, aspect="auto")
    axes[b].set_title(f"W{b} − S{b}\nmax {np.abs(error[b]).max():.1e}", fontsize=7)
    axes[b].set_xlabel("input pixel", fontsize=7)
    axes[b].tick_params(labelsize=6)
axes[0].set_ylabel("output pixel", fontsize=8)
fig.colorbar(image, ax=axes, fraction=0.015, pad=0.01, label="W_b − S_b", format="%.1e")
fig.suptitle(f"Error of the learned maps: largest {largest:.1e} (entries are 0 or 1), relative {relative:.1e}",
             fontsize=10)
plt.show()
assert largest < 1e-4 and relative < 1e-4, (largest, relative)
print(f"max |W_b − S_b| = {largest:.1e}, ‖W − S‖ / ‖S‖ = {relative:.1e}")

# %% [markdown]
# ## Reading one output pixel
# Another way to read the maps: take one output pixel `p` (here the centre one) and draw row `p` of every `W_b` as
# an `n × n` image of the input. Each of the nine maps reads exactly one pixel, and together they tile the 3×3
# neighbourhood of `p` — tap `b = 3·di + dj` at offset `(di, dj)`. Below, each input pixel is coloured by
# `Σ_b (b + 1)·W_b[p, q]`, i.e. by the (1-based) number of the tap that reads it (a 7×7 window of the input; every
# pixel outside the 3×3 neighbourhood is 0).

# %%
i0 = j0 = m // 2
p = i0 * m + j0
fig, axes = plt.subplots(1, 2, figsize=(8, 4), layout="constrained")
for ax, (label, maps) in zip(axes, (("learned W_b", learned), ("exact S_b", exact))):
    labels = np.einsum("b,bq->q", np.arange(1, 10), maps[:, p]).reshape(n, n)
    lo, hi = i0 - 2, i0 + 5  # a 7×7 window of the input around the neighbourhood, in image coordinates
    image = ax.imshow(labels[lo:hi, lo:hi], cmap="viridis", vmin=0, vmax=9,
                      extent=(lo - 0.5, hi - 0.5, hi - 0.5, lo - 0.5))
    for di in range(3):
        for dj in range(3):
            ax.text(j0 + dj, i0 + di, f"{labels[i0 + di, j0 + dj]:.2f}", ha="center", va="center", fontsize=7,
                    color="white" if labels[i0 + di, j0 + dj] < 5 else "black")
    ax.add_patch(plt.Rectangle((j0 - 0.5, i0 - 0.5), 1, 1, fill=False, ec="red", lw=1.5))
    ax.set_title(f"{label}: who reads which pixel\nfor output pixel ({i0},{j0}) (red: its top-left input)",
                 fontsize=9)
    ax.set_xlabel("input column")
    ax.set_ylabel("input row")
fig.colorbar(image, ax=axes, fraction=0.03, label="Σ_b (b+1)·W_b[p, q]  (tap number)")
plt.show()
rows = learned[:, p]
assert np.all(np.abs(rows.sum(axis=1) - 1) < 1e-4), "each map reads a total weight of 1"
assert [int(np.argmax(r)) for r in rows] == [(i0 + b // 3) * n + j0 + b % 3 for b in range(9)]
print("each learned map reads one pixel of the 3×3 neighbourhood, tap b at offset (b // 3, b % 3): checked")

# %% [markdown]
# ## mlp2cnn: a CNN rebuilt as an MLP
# `cloning.mlp2cnn` replaces every 3×3 convolution of a CNN by a `ClonedConv2D` — a single dense matrix generated
# from the same kernels through the (cloned or exact) structure. With the structure we just learned, the MLP computes
# what the CNN computes, with the same trainable weights; it also carries the structure as fixed numbers (stored
# twice: the current maps and a frozen copy that lesson 9's penalty compares against).

# %%
cnn = keras.Sequential([keras.Input((n, n, 1)), keras.layers.Conv2D(4, 3, activation="relu"),
                        keras.layers.Flatten(), keras.layers.Dense(3)], name="small_cnn")
learned_structure = students["SGD (normalised step)"].effective_maps()
mlp = cloning.mlp2cnn(cnn, lambda size, group: learned_structure)
x = np.random.default_rng(1).normal(size=(64, n, n, 1)).astype("float32")
cnn_out, mlp_out = ops.convert_to_numpy(cnn(x)), ops.convert_to_numpy(mlp(x))
difference = np.abs(mlp_out - cnn_out).max() / np.abs(cnn_out).max()
fixed = sum(int(np.prod(w.shape)) for w in mlp.non_trainable_weights)
print(f"max |MLP − CNN| / max |CNN| over 64 Gaussian images = {difference:.1e}")
print(f"trainable parameters: CNN {models.count_params(cnn)}, MLP {models.count_params(mlp)}; "
      f"fixed structure numbers in the MLP: {fixed:,} = 2 × 9 × {m * m} × {n * n}")
assert difference < 1e-4, difference
assert models.count_params(mlp) == models.count_params(cnn)
assert fixed == 2 * 9 * m * m * n * n

# %% [markdown]
# The MLP is the CNN, at a price: 9 numbers per channel pair became `9·m²·n²` — a cost that grows with the fourth
# power of the image side (lesson 10 plots it).
#
# ## Your turn
# [`exercises/ex07_cloning.py`](../exercises/ex07_cloning.py): build the exact shift matrices and the cloning loss. Grade with `symkeras.check("ex07")`.
