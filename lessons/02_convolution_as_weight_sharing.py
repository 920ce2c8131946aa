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
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/OWNER/symkeras/blob/main/lessons/02_convolution_as_weight_sharing.ipynb)
#
# **Description:** a linear map that commutes with shifts *is* a convolution; what sharing weights saves; where real
# CNNs stop being exactly equivariant.
#
# Let `S` shift a signal of `n` samples by one place (circularly). A linear map `M` is shift-equivariant when
# `M S = S M`. Writing out that equation entry by entry gives `M[i+1, j+1] = M[i, j]` (indices mod `n`): every row of
# `M` is the previous row shifted one place — `M` is **circulant**, and multiplying by a circulant matrix is a
# circular convolution (strictly, a cross-correlation, which is what deep-learning libraries compute). Its `n²` free
# numbers collapse to the `n` of its first row. A *small* kernel (`k = 3` numbers) is a second, separate assumption:
# locality. Symmetry gives weight sharing; it does not give locality.
#
# This lesson trains nothing: fast and full mode compute the same numbers.

# %%
# In Colab or a fresh Python: install symkeras with its course material, and fetch this lesson's exercise file.
try:
    import symkeras
except ImportError:
    import subprocess
    import sys

    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "symkeras[course]"], check=True)
    import symkeras
symkeras.course.fetch_exercise("ex02");

# %%
import keras
import matplotlib.pyplot as plt
import numpy as np

from symkeras import cloning, groups
from symkeras.course import lesson_banner
from symkeras.equivariance import equivariance_error

FAST = lesson_banner(figures=4)
rng = np.random.default_rng(0)


def as_numpy(v):
    return keras.ops.convert_to_numpy(v)


def is_circulant(m):
    """Every row is the previous row shifted one place right (cyclically): m[i+1, j+1] = m[i, j]."""
    return np.allclose(m, np.roll(m, (1, 1), axis=(0, 1)))


def blocks(m, n):
    """View the (n², n²) matrix of a map on n×n images as n×n blocks of size n×n: blocks(m, n)[I, J] is block (I, J)."""
    return m.reshape(n, n, n, n).transpose(0, 2, 1, 3)


def is_doubly_block_circulant(m, n):
    b = blocks(m, n)
    return np.allclose(b, np.roll(b, (1, 1), axis=(0, 1))) and all(is_circulant(blk) for blk in b.reshape(-1, n, n))


def is_doubly_block_toeplitz(m, n):
    b = blocks(m, n)
    toeplitz = lambda a: np.allclose(a[1:, 1:], a[:-1, :-1])  # noqa: E731  constant along every diagonal
    return np.allclose(b[1:, 1:], b[:-1, :-1]) and all(toeplitz(blk) for blk in b.reshape(-1, n, n))


# %% [markdown]
# ## The dense matrix of a convolution
# A linear map is fully described by what it does to the basis vectors: feed `e_0, e_1, …` through the layer, and the
# outputs are the columns of its matrix. For a 1-D convolution (kernel of 3) with circular padding on 12 samples the
# matrix is circulant: three diagonals of the same three numbers, wrapping around the corners.
#
# For a 2-D 3×3 convolution on 6×6 images (flattened row by row to 36 numbers) the matrix is built of 6×6 blocks:
# block `(I, J)` says how input row `J` feeds output row `I`. With Keras' **zero** padding (`padding="same"`) the
# blocks are constant along block diagonals and each block is constant along its own diagonals: the matrix is
# **doubly block-Toeplitz**. With **circular** padding the same holds *with wrap-around*, at both levels: the matrix is
# **doubly block-circulant**. The two matrices differ only in rows of output pixels on the image border — the
# wrap-around entries that zero padding drops.

# %%
n, kernel = 12, np.array([0.5, -1.0, 2.0])
conv1d = lambda v: sum(w * np.roll(v, -(j - 1)) for j, w in enumerate(kernel))  # noqa: E731  circular correlation
matrix1d = np.stack([conv1d(e) for e in np.eye(n)], axis=1)
assert is_circulant(matrix1d)

side = 6
kernel2d = rng.normal(size=(3, 3)).astype("float32")
zero_conv = keras.layers.Conv2D(1, 3, padding="same", use_bias=False)
valid_conv = keras.layers.Conv2D(1, 3, padding="valid", use_bias=False)
zero_conv.build((None, side, side, 1))
valid_conv.build((None, side + 2, side + 2, 1))
for layer in (zero_conv, valid_conv):
    layer.set_weights([kernel2d[:, :, None, None]])
wrap = lambda v: np.pad(v, ((0, 0), (1, 1), (1, 1), (0, 0)), mode="wrap")  # noqa: E731
basis = np.eye(side * side, dtype="float32").reshape(-1, side, side, 1)  # e_q as 6×6 images
matrix_zero = as_numpy(zero_conv(basis)).reshape(side * side, -1).T  # column q = the layer applied to e_q
matrix_circ = as_numpy(valid_conv(wrap(basis))).reshape(side * side, -1).T

print("zero padding:     doubly block-Toeplitz", is_doubly_block_toeplitz(matrix_zero, side),
      "| doubly block-circulant", is_doubly_block_circulant(matrix_zero, side))
print("circular padding: doubly block-Toeplitz", is_doubly_block_toeplitz(matrix_circ, side),
      "| doubly block-circulant", is_doubly_block_circulant(matrix_circ, side))
assert is_doubly_block_toeplitz(matrix_zero, side) and not is_doubly_block_circulant(matrix_zero, side)
assert is_doubly_block_circulant(matrix_circ, side)
# the same matrix as the 9 shift matrices of symkeras.cloning (lesson 7), each weighted by its kernel tap
shift_matrices = cloning.shift_structure(side, "circular")
assert shift_matrices.shape == (9, 36, 36)
assert np.allclose(matrix_circ, np.einsum("c,cpq->pq", kernel2d.ravel(), shift_matrices), atol=1e-6)
rows_differ = np.flatnonzero(np.abs(matrix_circ - matrix_zero).max(axis=1) > 1e-6)
border = [p for p in range(side * side) if p // side in (0, side - 1) or p % side in (0, side - 1)]
print(f"rows where the two matrices differ: {len(rows_differ)} of {side * side} = the {len(border)} border pixels")
assert rows_differ.tolist() == border

# %%
fig, axes = plt.subplots(1, 3, figsize=(14, 4.4), gridspec_kw={"width_ratios": [1, 1.1, 1.1]})
panels = [(matrix1d, "1-D conv (k = 3, circular) on 12 samples:\ncirculant", None),
          (matrix_zero, "2-D 3×3 conv on 6×6 images, zero padding:\ndoubly block-Toeplitz", side),
          (matrix_circ, "2-D 3×3 conv on 6×6 images, circular padding:\ndoubly block-circulant", side)]
for ax, (m, title, block) in zip(axes, panels):
    vmax = np.abs(m).max()
    shown = ax.imshow(m, cmap="RdBu_r", vmin=-vmax, vmax=vmax)
    if block:  # outline the 6×6 blocks
        for b in range(block, m.shape[0], block):
            ax.axhline(b - 0.5, color="k", lw=0.4), ax.axvline(b - 0.5, color="k", lw=0.4)
    ax.set_title(title, fontsize=9)
    ax.set_xlabel("input index (pixel, row by row)" if block else "input index (sample)")
    ax.set_ylabel("output index")
    fig.colorbar(shown, ax=ax, shrink=0.8, label="weight (kernel tap)")
fig.suptitle("A convolution written as a dense matrix: the same few kernel numbers repeated along diagonals",
             fontsize=11)
fig.tight_layout()

# %% [markdown]
# ## Equivariance forces convolution
# Take a *random* dense 12×12 matrix `M` and average `S⁻ˢ M Sˢ` over all 12 shifts `s`. The average commutes with
# `S` — and it is circulant: each of its entries is the mean of one wrapped diagonal of `M`. Multiplying by it is a
# circular convolution with a 12-tap kernel (its first row). Symmetry alone produced weight sharing — but not a small
# kernel: all 12 taps are non-zero.
#
# Averaging over the shifts is a linear projection of the 144 entries of `M`. Its rank counts the free numbers a
# shift-equivariant linear map has left: 12 = `n`.

# %%
shift = np.roll(np.eye(n), 1, axis=0)  # S e_j = e_(j+1)
power = [np.linalg.matrix_power(shift, s) for s in range(n)]
average_over_shifts = lambda m: sum(p.T @ m @ p for p in power) / n  # noqa: E731
dense = rng.normal(size=(n, n))
average = average_over_shifts(dense)
commutator = lambda m: np.abs(m @ shift - shift @ m).max()  # noqa: E731
print(f"max|MS − SM|: random matrix {commutator(dense):.2f}, its shift average {commutator(average):.1e}")
assert commutator(dense) > 0.5 and commutator(average) < 1e-12 and is_circulant(average)
# each entry is the mean of one wrapped diagonal of M; applying it = circular correlation with its first row
diagonal_means = np.array([np.mean([dense[i, (i + d) % n] for i in range(n)]) for d in range(n)])
assert np.allclose(average[0], diagonal_means)
v = rng.normal(size=n)
taps = average[0]
assert np.allclose(average @ v, sum(t * np.roll(v, -d) for d, t in enumerate(taps)))
projection = np.stack([average_over_shifts(e.reshape(n, n)).ravel() for e in np.eye(n * n)], axis=1)
rank1d = np.linalg.matrix_rank(projection)
print(f"free numbers: {n * n} in a dense map, {rank1d} after averaging over shifts; "
      f"non-zero kernel taps: {np.sum(np.abs(taps) > 1e-12)} of {n}")
assert rank1d == n and np.allclose(projection @ projection, projection)  # a projection onto a 12-dim space
assert np.all(np.abs(taps) > 1e-12)  # no locality: symmetry did not make the kernel small

# %% [markdown]
# The same in 2-D: average a random 36×36 map on 6×6 images over the 36 circular shifts of the grid (the group
# `T(6×6)`). The result is doubly block-circulant — the matrix of a circular 2-D convolution with a full 6×6 kernel —
# and the 1,296 free numbers collapse to 36.

# %%
shifts6 = groups.TranslationGroup(side, side)
perms = [groups.translate(basis, shifts6.shift(g)).reshape(side * side, -1).T for g in shifts6.elements]  # P_g
average_2d = lambda m: sum(p.T @ m @ p for p in perms) / len(perms)  # noqa: E731
dense2d = rng.normal(size=(side * side, side * side))
average2d = average_2d(dense2d)
# the averaging as one (1296, 1296) matrix on the flattened M: ravel(Pᵀ M P) = (Pᵀ ⊗ Pᵀ) ravel(M)
projection2d = sum(np.kron(p.T, p.T) for p in perms) / len(perms)
assert np.allclose(projection2d @ dense2d.ravel(), average2d.ravel())
rank2d = np.linalg.matrix_rank(projection2d)
print(f"2-D: doubly block-circulant {is_doubly_block_circulant(average2d, side)}; free numbers "
      f"{side ** 4:,} → {rank2d}")
assert is_doubly_block_circulant(average2d, side) and not is_doubly_block_circulant(dense2d, side)
assert rank2d == side * side == shifts6.order

# %%
fig, axes = plt.subplots(1, 3, figsize=(14, 4.4))
for ax, (m, title) in zip(axes, [(dense, f"random dense 12×12 map:\n{n * n} free numbers, max|MS − SM| = "
                                          f"{commutator(dense):.1f}"),
                                 (average, f"averaged over the 12 shifts:\ncirculant, {rank1d} free numbers"),
                                 (average2d, f"2-D: random 36×36 averaged over T(6×6):\ndoubly block-circulant, "
                                             f"{rank2d} free numbers")]):
    vmax = np.abs(m).max()
    shown = ax.imshow(m, cmap="RdBu_r", vmin=-vmax, vmax=vmax)
    ax.set_title(title, fontsize=9)
    ax.set_xlabel("input index")
    ax.set_ylabel("output index")
    fig.colorbar(shown, ax=ax, shrink=0.8, label="matrix entry")
fig.suptitle("Averaging any linear map over the shifts leaves a convolution", fontsize=11)
fig.tight_layout()

# %% [markdown]
# ## What weight sharing saves
# Quoted from the blog post "Symmetry: The Property That Designs Architectures" (Software Bits): a fully connected
# layer from a 224×224 RGB image to 64 features has 224·224·3·64 = **9,633,792** parameters; a 3×3 convolution to 64
# channels has **1,728** (a 7×7 one 9,408) — "the 5,500× parameter reduction". For a 1024×1024 image the post quotes
# **201 million** for the fully connected layer and 1,728, unchanged, for the convolution. Recomputed with Keras'
# `count_params` (weights only, no biases, as in the post):

# %%
def dense_count(height, width, channels=3, units=64):
    model = keras.Sequential([keras.Input((height, width, channels)), keras.layers.Flatten(),
                              keras.layers.Dense(units, use_bias=False)])
    return model.count_params()


def conv_count(height, width, kernel_size=3, channels=3, filters=64):
    model = keras.Sequential([keras.Input((height, width, channels)),
                              keras.layers.Conv2D(filters, kernel_size, use_bias=False)])
    return model.count_params()


quoted = {"dense 224": 9_633_792, "conv3 224": 1_728, "conv7 224": 9_408, "ratio": 5_500, "dense 1024": 201e6}
dense224, conv224, conv7 = dense_count(224, 224), conv_count(224, 224), conv_count(224, 224, kernel_size=7)
print(f"224×224×3 → 64: dense {dense224:,} weights, 3×3 conv {conv224:,}, 7×7 conv {conv7:,}; "
      f"dense / 3×3 conv = {dense224 / conv224:,.0f}×")
assert (dense224, conv224, conv7) == (quoted["dense 224"], quoted["conv3 224"], quoted["conv7 224"])
assert quoted["ratio"] <= dense224 / conv224 < 5_600  # 5,575×: the quoted "5,500×" rounds it down

# %% [markdown]
# A 1024×1024 dense layer would allocate 805 MB of float32 weights just to be counted, so we count it with the formula
# `H·W·C·units` — after checking that formula against Keras' `count_params` at every size Keras can build cheaply. The
# convolution's count is taken from Keras at every size, 1024 included.

# %%
sides = [28, 56, 112, 224]
formula = lambda s: s * s * 3 * 64  # noqa: E731
keras_dense = [dense_count(s, s) for s in sides]
keras_conv = {s: conv_count(s, s) for s in sides + [1024]}
assert keras_dense == [formula(s) for s in sides] and set(keras_conv.values()) == {1_728}
dense1024 = formula(1024)
print(f"1024×1024×3 → 64: dense {dense1024:,} weights (quoted: 201 million), 3×3 conv {keras_conv[1024]:,}; "
      f"ratio {dense1024 / keras_conv[1024]:,.0f}×")
assert round(dense1024 / 1e6) == quoted["dense 1024"] / 1e6 and keras_conv[1024] == 1_728

# %%
fig, ax = plt.subplots(figsize=(7.5, 4.2))
grid = np.array([16, 28, 56, 112, 224, 512, 1024])
ax.plot(grid, formula(grid), "-", color="C0", label="fully connected, H·W·3·64 (formula)")
ax.plot(sides, keras_dense, "o", color="C0", label="fully connected, Keras count_params")
ax.plot(list(keras_conv), list(keras_conv.values()), "s-", color="C1", label="3×3 conv, Keras count_params")
ax.axhline(conv7, color="C2", ls=":", label=f"7×7 conv ({conv7:,})")
ax.annotate(f"{dense224:,}", (224, dense224), textcoords="offset points", xytext=(10, -12), fontsize=8)
ax.annotate(f"1024²: {dense1024:,}", (1024, dense1024), textcoords="offset points", xytext=(-135, -4), fontsize=8)
ax.annotate(f"{conv224:,} at every size", (1024, conv224), textcoords="offset points", xytext=(-95, 6), fontsize=8)
ax.set_xscale("log")
ax.set_yscale("log")
ax.set_xlabel("image side H = W (pixels, RGB input, log scale)")
ax.set_ylabel("weights, layer to 64 outputs (log scale)")
ax.set_title("Weight sharing makes the parameter count independent of image size")
ax.grid(alpha=0.3, which="both")
ax.legend(fontsize=8, loc="center right")
fig.tight_layout()

# %% [markdown]
# ## Where real CNNs are not exactly equivariant
# Three common ingredients break exact translation equivariance. Measured on two random 16×16 images (so every pixel,
# border included, carries signal) over all 256 circular shifts, with the relative error of lesson 1 (0 = exact):
#
# * **Zero padding** makes the border special: order-one errors on the pixels whose 3×3 window crossed the edge,
#   none elsewhere (lesson 1 maps where).
# * **Stride 2** keeps every other position. A shift by an even number of pixels moves the output by half as much —
#   exact equivariance for the *subgroup* of even shifts. After an odd shift the layer samples different positions,
#   and *no* shift of the output reproduces it (the table shows the best match over all 64 output shifts).
# * **2×2 max-pooling with stride 2** behaves the same way: exact for even shifts, broken for odd ones.
# * **Global pooling** turns equivariance into invariance: exact after a circular-padding convolution. After a
#   zero-padding one the border errors survive the average — and they are not small next to it: on these zero-mean
#   random images the responses largely cancel in the average, while 60 of the 256 pixels sit on the border ring.

# %%
x = rng.normal(size=(2, 16, 16, 1)).astype("float32")
shifts = groups.TranslationGroup(16, 16)
half = groups.TranslationGroup(8, 8)  # even input shifts 2t, acting on the 8×8 output as shifts t
assert shifts.order == 256 and half.order == 64
conv_valid = keras.layers.Conv2D(4, 3)
conv_zero = keras.layers.Conv2D(4, 3, padding="same")
conv_stride = keras.layers.Conv2D(4, 3, strides=2)
circular = lambda v: as_numpy(conv_valid(wrap(v)))  # noqa: E731
zero = lambda v: as_numpy(conv_zero(v))  # noqa: E731
strided = lambda v: as_numpy(conv_stride(wrap(v)))  # noqa: E731  18×18 padded → 8×8 (positions 0, 2, …, 14)
pooled = lambda v: as_numpy(keras.layers.MaxPooling2D(2)(circular(v)))  # noqa: E731
assert strided(x).shape[1:3] == pooled(x).shape[1:3] == (8, 8)
even_in = lambda v, g: groups.translate(v, tuple(2 * a for a in half.shift(g)))  # noqa: E731
half_out = lambda v, g: groups.translate(v, half.shift(g))  # noqa: E731


def odd_shift_error(fn):
    """Max over odd input shifts of the BEST relative match f(T·x) ≈ t·f(x) over all 64 output shifts t."""
    fx = fn(x)
    candidates = np.stack([groups.translate(fx, half.shift(t)) for t in half.elements])  # (64, 2, 8, 8, C)
    odd = [shifts.shift(g) for g in shifts.elements if any(a % 2 for a in shifts.shift(g))]
    ys = fn(np.concatenate([groups.translate(x, s) for s in odd])).reshape(len(odd), *fx.shape)  # one batch
    best = np.abs(ys[:, None] - candidates[None]).max(axis=(2, 3, 4, 5)).min(axis=1)  # best t for each odd shift
    return best.max() / np.abs(fx).max()


zero_report = equivariance_error(zero, shifts, x, "image", "image")
diff = np.stack([np.abs(zero(groups.translate(x, shifts.shift(g))) - groups.translate(zero(x), shifts.shift(g)))
                 / np.abs(zero(x)).max() for g in shifts.elements])  # (256, 2, 16, 16, 4)
ring = np.zeros((16, 16), bool)
ring[[0, -1], :] = ring[:, [0, -1]] = True
interior = np.stack([~(ring | np.roll(ring, shifts.shift(g), axis=(0, 1))) for g in shifts.elements])
results = {
    "conv, circular padding": equivariance_error(circular, shifts, x, "image", "image").max_error,
    "conv, zero padding: all pixels": zero_report.max_error,
    "conv, zero padding: pixels whose window\nnever crossed the edge": diff[interior[:, None, :, :, None]
                                                                              .repeat(2, 1).repeat(4, 4)].max(),
    "conv, stride 2: even shifts": equivariance_error(strided, half, x, even_in, half_out).max_error,
    "conv, stride 2: odd shifts (best match)": odd_shift_error(strided),
    "2×2 max-pool: even shifts": equivariance_error(pooled, half, x, even_in, half_out).max_error,
    "2×2 max-pool: odd shifts (best match)": odd_shift_error(pooled),
    "global max-pool after circular conv\n(invariance)": equivariance_error(
        lambda v: circular(v).max(axis=(1, 2)), shifts, x, "image", "trivial").max_error,
    "global average-pool after zero-padding conv\n(invariance)": equivariance_error(
        lambda v: zero(v).mean(axis=(1, 2)), shifts, x, "image", "trivial").max_error,
}
for name, err in results.items():
    print(f"{name.replace(chr(10), ' '):<72} {err:.2e}")
exact = ["conv, circular padding", "conv, zero padding: pixels whose window\nnever crossed the edge",
         "conv, stride 2: even shifts", "2×2 max-pool: even shifts",
         "global max-pool after circular conv\n(invariance)"]
broken = ["conv, zero padding: all pixels", "conv, stride 2: odd shifts (best match)",
          "2×2 max-pool: odd shifts (best match)"]
assert all(results[k] < 1e-5 for k in exact) and all(results[k] > 0.1 for k in broken)
leak = results["global average-pool after zero-padding conv\n(invariance)"]
print(f"global average pool after zero padding: invariance error {leak:.2f}, "
      f"{leak / results['conv, zero padding: all pixels']:.0%} of the per-pixel error before pooling")
assert leak > 0.05 and ring.sum() == 60  # far above round-off: pooling does not wash out the border

# %%
floor = 1e-10  # a log axis cannot show 0: exact zeros are drawn at this floor and labelled "0"
names = list(results)
values = np.array([results[k] for k in names])
fig, ax = plt.subplots(figsize=(9, 5.2))
colors = ["C2" if k in exact else "C3" for k in names]
bars = ax.barh(range(len(names)), np.maximum(values, floor), color=colors)
for bar, v, color in zip(bars, values, colors):
    ax.text(max(v, floor) * 1.6, bar.get_y() + bar.get_height() / 2, "0 (exact)" if v == 0 else f"{v:.1e}",
            va="center", fontsize=8, color=color, fontweight="bold")
ax.axvline(1e-5, color="k", ls="--", lw=1)
ax.text(1.3e-5, -0.75, "float32 tolerance 1e-5", fontsize=8)
ax.set_xscale("log")
ax.set_xlim(floor, 1e3)
ax.set_yticks(range(len(names)), names, fontsize=8)
ax.set_ylim(len(names) - 0.5, -1.1)  # first case on top, room for the tolerance label
ax.set_xlabel("max relative error over the shifts (log scale; red bars: broken, green 0: exact)")
ax.set_title("Where a CNN keeps and loses translation equivariance (16×16 inputs, all 256 shifts)", fontsize=10)
fig.tight_layout()

# %% [markdown]
# The border and the sampling grid, not the convolution, are what break the symmetry: the convolution itself is exact
# whenever its window never meets the edge and every position is kept.
#
# ## Your turn
# [`exercises/ex02_convolution.py`](../exercises/ex02_convolution.py): build the circulant matrix of a 1-D
# convolution, recognise circulant matrices, shift-average a dense map, and count parameters. Grade it here
# (untouched stubs show as "not attempted"):

# %%
import symkeras

symkeras.check("ex02");
