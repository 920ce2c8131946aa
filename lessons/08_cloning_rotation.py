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
# # Lesson 8 — Cloning rotation symmetry
#
# **Description:** a C4 lifting-convolution teacher; a student with learned tap maps per rotation; `mlp2gcnn`; the
# cloned MLP's equivariance against a plain MLP and the G-CNN.
#
# The teacher outputs four maps, `y_r = conv(x, rot90^r(k))`. The student computes
# `ŷ_r = Σ_b (A_r k)_b W_b x` with nine shared dense maps `W_b` and a learned 9×9 tap map `A_r` per rotation. Only
# the *effective maps* `E_{r,c} = Σ_b (A_r)_{bc} W_b` are determined by the teacher (any invertible mixing of the
# `W_b` can be undone by the `A_r`), so that is what we compare with the exact ones.

# %%
import keras
import matplotlib.pyplot as plt
import numpy as np

from symkeras import cloning
from symkeras.equivariance import equivariance_error
from symkeras.layers import GroupConv2D, LiftingConv2D
from symkeras.course import lesson_banner

FAST = lesson_banner(figures=3)
n = 8 if FAST else 12

# %%
student = cloning.StructuredStudent(n, "C4")
report = cloning.clone(student, steps=1000 if FAST else 2500, verbose=0)
print(report)

# %% [markdown]
# ## The learned rotation maps
# For one output pixel in the middle, each panel shows which input pixel tap `c = 0` (the kernel's top-left) reads
# in orientation `r`. The tap walks around the 3×3 neighbourhood as the kernel rotates.

# %%
effective, exact = student.effective_maps(), cloning.exact_structure(n, "C4")
m = n - 2
pixel = (m // 2) * m + m // 2
fig, axes = plt.subplots(2, 4, figsize=(8, 4.2))
for r in range(4):
    for row, maps in enumerate((effective, exact)):
        axes[row, r].imshow(maps[r, 0, pixel].reshape(n, n), cmap="gray_r", vmin=0, vmax=1)
        axes[row, r].set_xticks([]), axes[row, r].set_yticks([])
        axes[row, r].set_title(f"{'learned' if row == 0 else 'exact'}, r={r}", fontsize=8)
fig.suptitle("Where tap (0,0) of the kernel reads, per rotation, for the centre output pixel")
fig.tight_layout()
print(f"effective maps vs exact: max |Δ| {np.abs(effective - exact).max():.1e}")

# %% [markdown]
# ## mlp2gcnn and the equivariance of the cloned MLP
# Rebuild a small G-CNN with the cloned structure and measure C4-equivariance of three models on the same input:
# the G-CNN (exact by construction), the cloned MLP, and a plain MLP (a dense layer of the same shape, untrained
# structure).

# %%
gcnn = keras.Sequential([keras.Input((n, n, 1)), LiftingConv2D(4, 3, activation="relu"),
                         GroupConv2D(4, 3)], name="gcnn")
second, _ = cloning.cloned_structure(n - 2, "C4", steps=1000 if FAST else 2500, verbose=0)  # cached per setting
structures = {n: effective, n - 2: second}  # one clone per input size
cloned_mlp = cloning.mlp2gcnn(gcnn, lambda size, group: structures[size])
x = np.random.default_rng(2).normal(size=(2, n, n, 1)).astype("float32")
plain = keras.Sequential([keras.Input((n, n, 1)), keras.layers.Flatten(),
                          keras.layers.Dense((n - 4) ** 2 * 16), keras.layers.Reshape((n - 4, n - 4, 16))])
for name, model in [("G-CNN", gcnn), ("cloned MLP (mlp2gcnn)", cloned_mlp), ("plain MLP", plain)]:
    print(f"{name:<24} C4 equivariance error {equivariance_error(model, 'C4', x, 'image', 'field').max_error:.1e}")

# %% [markdown]
# ## Your turn
# [`exercises/ex08_rotation_cloning.py`](../exercises/ex08_rotation_cloning.py): the 9×9 permutation that rotates kernel taps. Grade with
# `symkeras.check("ex08")`.
