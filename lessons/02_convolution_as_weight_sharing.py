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
# # Lesson 2 — Convolution is weight sharing
#
# **Description:** a linear map that commutes with shifts *is* a convolution; what sharing weights saves; where real
# CNNs stop being exactly equivariant.
#
# Let `S` shift a signal by one place (circularly). A linear map `M` is shift-equivariant when `M S = S M`. Writing
# out that equation row by row forces every row of `M` to be the previous row shifted: `M` is **circulant**, i.e. a
# convolution. Its `n²` free numbers collapse to `n` (or to `k` for a kernel of size `k`).

# %%
import keras
import matplotlib.pyplot as plt
import numpy as np

from symkeras import cloning, groups
from symkeras.equivariance import equivariance_error
from symkeras.course import lesson_banner

FAST = lesson_banner(figures=3)
rng = np.random.default_rng(0)

# %% [markdown]
# ## The dense matrix of a convolution
# Feed the basis vectors through a 1-D convolution with circular padding: the columns of the result are its matrix.
# The picture shows the circulant bands (1-D) and, for a 2-D 3×3 convolution on a 6×6 image, the block-Toeplitz
# structure (the 9 shift matrices of `symkeras.cloning.shift_structure`, weighted by the kernel).

# %%
n, kernel = 12, np.array([0.5, -1.0, 2.0])
conv1d = lambda v: sum(w * np.roll(v, -(j - 1)) for j, w in enumerate(kernel))  # noqa: E731  circular correlation
matrix1d = np.stack([conv1d(e) for e in np.eye(n)], axis=1)
kernel2d = rng.normal(size=(3, 3))
matrix2d = np.einsum("c,cpq->pq", kernel2d.ravel(), cloning.shift_structure(6, "circular"))
fig, axes = plt.subplots(1, 2, figsize=(9, 4))
for ax, m, title in [(axes[0], matrix1d, "1-D conv (k=3) on 12 samples: circulant"),
                     (axes[1], matrix2d, "2-D 3×3 conv on 6×6 images: block circulant")]:
    ax.imshow(m, cmap="RdBu_r", vmin=-np.abs(m).max(), vmax=np.abs(m).max())
    ax.set_title(title, fontsize=9)
    ax.set_xlabel("input index")
    ax.set_ylabel("output index")
fig.tight_layout()

# %% [markdown]
# ## Equivariance forces convolution
# Take a *random* dense matrix and average `S⁻ˢ M Sˢ` over all shifts. The average commutes with `S` — and it is
# circulant. Symmetry alone produced weight sharing.

# %%
shift = np.roll(np.eye(n), 1, axis=0)
dense = rng.normal(size=(n, n))
average = sum(np.linalg.matrix_power(shift, s).T @ dense @ np.linalg.matrix_power(shift, s) for s in range(n)) / n
print("random matrix commutes with S:", np.allclose(dense @ shift, shift @ dense))
print("shift average commutes with S:", np.allclose(average @ shift, shift @ average))
print("shift average is circulant:   ", all(np.allclose(average[i], np.roll(average[i - 1], 1)) for i in range(1, n)))

# %% [markdown]
# ## What weight sharing saves
# Quoted from the blog "Symmetry: the property that designs architectures": a fully connected layer from a
# 224×224×3 image to 64 units needs 9,633,792 weights; a 3×3 convolution to 64 channels needs 1,728. Recomputed
# with Keras:

# %%
dense_layer = keras.Sequential([keras.Input((224, 224, 3)), keras.layers.Flatten(),
                                keras.layers.Dense(64, use_bias=False)])
conv_layer = keras.Sequential([keras.Input((224, 224, 3)), keras.layers.Conv2D(64, 3, use_bias=False)])
print(f"dense: {dense_layer.count_params():,} weights   conv: {conv_layer.count_params():,} weights")
assert dense_layer.count_params() == 9_633_792 and conv_layer.count_params() == 1_728
side = 1024
print(f"a 1024×1024 grey image to 192 units, dense: {side * side * 192:,} weights (≈201 M)")

# %% [markdown]
# ## Where real CNNs are not exactly equivariant
# Zero padding, strides and pooling all break exact translation equivariance. Measured over every circular shift of a
# 16×16 image (0 = exact):

# %%
x = rng.normal(size=(2, 16, 16, 1)).astype("float32")
shifts = groups.TranslationGroup(16, 16)
circular = keras.layers.Conv2D(2, 3)
pad = lambda v: np.pad(v, ((0, 0), (1, 1), (1, 1), (0, 0)), mode="wrap")  # noqa: E731
cases = {"conv, circular padding": lambda v: circular(pad(v)),
         "conv, zero 'same' padding": keras.layers.Conv2D(2, 3, padding="same")}
for name, fn in cases.items():
    print(f"{name:<30} max relative error {equivariance_error(fn, shifts, x, 'image', 'image').max_error:.2e}")
pooled = lambda v: np.asarray(v).max(axis=(1, 2))  # noqa: E731
print(f"{'global max-pool (invariant)':<30} max relative error "
      f"{equivariance_error(pooled, shifts, x, 'image', 'trivial').max_error:.2e}")
strided = lambda v: keras.ops.convert_to_numpy(circular(pad(v)))[:, ::2, ::2]  # noqa: E731
for dy, dx in [(0, 2), (0, 1)]:  # a stride-2 map can follow even shifts (one output step), not odd ones
    got, want = strided(groups.translate(x, (dy, dx))), groups.translate(strided(x), (dy // 2, dx // 2))
    print(f"conv, stride 2, shift ({dy},{dx}): relative error {np.abs(got - want).max() / np.abs(want).max():.2e}")

# %% [markdown]
# Strides keep every other position, so a one-pixel shift changes what is sampled; zero padding makes the border
# special. Global pooling, in contrast, turns equivariance into exact invariance.
#
# ## Your turn
# [`exercises/ex02_convolution.py`](../exercises/ex02_convolution.py): build the circulant matrix of a 1-D convolution, recognise circulant matrices,
# shift-average a dense map, and count parameters. Grade with `symkeras.check("ex02")`.
