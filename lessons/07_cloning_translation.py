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
# **Description:** train plain dense maps to imitate random convolutions; watch them become shift matrices; rebuild
# a CNN as an MLP (`mlp2cnn`).
#
# After "Symmetry From Scratch" (arXiv 2410.03989). A valid 3×3 correlation is `y = Σ_c k_c S_c x` with fixed shift
# matrices `S_c`. The **student** has nine zero-initialised dense maps `W_b` and is trained by MSE to reproduce
# `conv(x, k)` for random Gaussian images `x` and fresh random kernels `k`. Nothing tells it about shifts — but the
# only way to fit every kernel is to make `W_b = S_b`.

# %%
import keras
import matplotlib.pyplot as plt
import numpy as np
from keras import ops

from symkeras import cloning
from symkeras.course import lesson_banner

FAST = lesson_banner(figures=3)
n = 8 if FAST else 12

# %% [markdown]
# ## Cloning
# Here the tap map is fixed to the identity (`learn_taps=False`), so the nine `W_b` themselves must become the shift
# matrices (with a learned tap map they are only defined up to a mixing; lesson 8 handles that).

# %%
student = cloning.StructuredStudent(n, "trivial", learn_taps=False)
report = cloning.clone(student, steps=1500, verbose=0)
print(report)

# %%
fig, ax = plt.subplots(figsize=(6, 3.2))
ax.semilogy(report.losses)
ax.set_xlabel("optimizer step")
ax.set_ylabel("batch MSE")
ax.set_title(f"Cloning a 3×3 convolution on {n}×{n} images")
ax.grid(alpha=0.3)
fig.tight_layout()

# %% [markdown]
# ## The learned maps beside the exact shift matrices
# Each `W_b` is an `m² × n²` matrix. Top: the nine learned maps; bottom: the exact `S_b`. The diagonal bands sit at
# the offsets of the nine kernel taps.

# %%
learned, exact = ops.convert_to_numpy(student.maps), cloning.shift_structure(n)
fig, axes = plt.subplots(2, 9, figsize=(13, 3.4))
for b in range(9):
    for row, maps in enumerate((learned, exact)):
        axes[row, b].imshow(maps[b], cmap="gray_r", vmin=0, vmax=1, aspect="auto")
        axes[row, b].set_xticks([]), axes[row, b].set_yticks([])
        axes[row, b].set_title(f"{'W' if row == 0 else 'S'}{b} (tap {b // 3},{b % 3})", fontsize=7)
axes[0, 0].set_ylabel("learned")
axes[1, 0].set_ylabel("exact")
fig.suptitle("The nine learned dense maps become shift matrices")
fig.tight_layout()
print(f"max |W_b − S_b| = {np.abs(learned - exact).max():.1e}")

# %% [markdown]
# ## mlp2cnn: a CNN rebuilt as an MLP
# `cloning.mlp2cnn` replaces every 3×3 convolution of a CNN by a `ClonedConv2D` — a single dense matrix generated
# from the same kernels through the (cloned or exact) structure. With the structure we just learned, the MLP computes
# what the CNN computes:

# %%
cnn = keras.Sequential([keras.Input((n, n, 1)), keras.layers.Conv2D(4, 3, activation="relu"),
                        keras.layers.Flatten(), keras.layers.Dense(3)], name="small_cnn")
learned_structure = student.effective_maps()
mlp = cloning.mlp2cnn(cnn, lambda size, group: learned_structure)
x = np.random.default_rng(1).normal(size=(4, n, n, 1)).astype("float32")
difference = np.abs(ops.convert_to_numpy(mlp(x)) - ops.convert_to_numpy(cnn(x))).max()
print(f"max |MLP − CNN| = {difference:.1e}")
mlp.summary()

# %% [markdown]
# ## Your turn
# [`exercises/ex07_cloning.py`](../exercises/ex07_cloning.py): build the exact shift matrices and the cloning loss. Grade with `symkeras.check("ex07")`.
