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
# # Lesson 1 — Invariance and equivariance
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/OWNER/symkeras/blob/main/lessons/01_invariance_and_equivariance.ipynb)
#
# **Description:** the two definitions, the group axioms of C4 and D4, and how to *measure* equivariance — including
# where a real convolution loses it.
#
# A map `f` is **invariant** under a transformation `T` if `f(T(x)) = f(x)`, and **equivariant** if
# `f(T(x)) = T'(f(x))` — transforming the input transforms the output in a predictable way. The transformations we
# care about form a **group**: they can be composed, undone, and include "do nothing".
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
symkeras.course.fetch_exercise("ex01");

# %%
import keras
import matplotlib
import matplotlib.pyplot as plt
import numpy as np

from symkeras import data, groups
from symkeras.course import lesson_banner
from symkeras.equivariance import equivariance_error
from symkeras.viz import plot_cayley_table, plot_images

FAST = lesson_banner(figures=6)
digits, labels = data.load_mnist("test", limit=16)
x = (digits[:4].astype("float32") / 255)[..., None]  # four real test digits, (4, 28, 28, 1) in [0, 1]

# %% [markdown]
# ## C4 and D4 acting on a digit
# C4 holds the four rotations by multiples of 90°; D4 adds the four mirror images. Each element moves the pixel grid
# exactly (no interpolation). The figure shows the 8 elements of D4 applied to one digit.

# %%
fig = plot_images([groups.D4.act_on_image(x[:1], g)[0, :, :, 0] for g in groups.D4.elements],
                  [f"{n}: {groups.D4.describe(g)}" if g in (1, 4) else n
                   for g, n in zip(groups.D4.elements, groups.D4.element_names())],
                  "The eight elements of D4 acting on a digit (r: rotate 90° counter-clockwise, f: mirror)")

# %% [markdown]
# ## The group axioms, checked
# A Cayley table lists `a∘b` for every pair. Closure: every entry is an element. Identity: `e` leaves everything
# alone. Inverses: every row contains `e`. Associativity: `(a∘b)∘c = a∘(b∘c)`. C4 is commutative (its table is
# symmetric); D4 is not: `r∘f ≠ f∘r`.

# %%
fig, axes = plt.subplots(1, 2, figsize=(9, 4))
plot_cayley_table(groups.C4, ax=axes[0])
plot_cayley_table(groups.D4, ax=axes[1])
fig.tight_layout()

# %%
for group in (groups.C4, groups.D4):
    table = group.cayley_table()
    n = group.order
    assert all(sorted(row) == list(range(n)) for row in table)  # closure, each element once per row
    assert all(group.compose(group.inverse(g), g) == 0 for g in group.elements)
    assert np.array_equal(table[table], table[np.arange(n)[:, None, None], table[None]])  # associativity
r, f = 1, 4
print("D4: r∘f =", groups.D4.element_name(groups.D4.compose(r, f)), " f∘r =",
      groups.D4.element_name(groups.D4.compose(f, r)))
assert np.array_equal(groups.C4.cayley_table(), groups.C4.cayley_table().T)  # C4 commutes
assert groups.D4.compose(r, f) != groups.D4.compose(f, r)  # D4 does not

# %% [markdown]
# ## Equivariance as a commuting diagram
# Take a shift `T` (5 pixels down, 8 right, wrapping around the edges). Two paths lead from `x` to an output: apply
# `f` then shift the result (`T·f(x)`), or shift the input then apply `f` (`f(T·x)`). `f` is equivariant when both
# paths agree — the last column, their difference, is zero. A 3×3 convolution whose padding wraps around (circular
# padding) passes; a `Dense` layer from 784 pixels to 784 pixels fails: it has a separate weight for every
# (input pixel, output pixel) pair, so nothing ties what it does at one place to what it does at another.

# %%
shift = (5, 8)
conv_valid = keras.layers.Conv2D(1, 3, use_bias=False)
conv_valid.build((None, 30, 30, 1))
conv_valid.set_weights([np.array([[1, 0, -1], [2, 0, -2], [1, 0, -1]], "float32")[:, :, None, None]])  # edges


def circular_conv(v):
    """The 3×3 convolution with circular padding: wrap one pixel around, then a 'valid' convolution."""
    return keras.ops.convert_to_numpy(conv_valid(np.pad(v, ((0, 0), (1, 1), (1, 1), (0, 0)), mode="wrap")))


dense = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Flatten(), keras.layers.Dense(28 * 28),
                          keras.layers.Reshape((28, 28, 1))])
dense_fn = lambda v: keras.ops.convert_to_numpy(dense(v))  # noqa: E731
digit, moved = x[:1], groups.translate(x[:1], shift)
fig, axes = plt.subplots(2, 6, figsize=(13, 4.8))
for row, (name, fn) in enumerate([("Conv2D, circular padding", circular_conv), ("Dense 784 → 784", dense_fn)]):
    fx, f_tx = fn(digit), fn(moved)
    t_fx = groups.translate(fx, shift)
    vmax = np.abs(t_fx).max()
    panels = [("x", digit, "gray_r"), ("f(x)", fx, "RdBu_r"), ("T·f(x)", t_fx, "RdBu_r"), ("T·x", moved, "gray_r"),
              ("f(T·x)", f_tx, "RdBu_r"), ("f(T·x) − T·f(x)", f_tx - t_fx, "RdBu_r")]
    for ax, (title, img, cmap) in zip(axes[row], panels):
        shown = ax.imshow(img[0, :, :, 0], cmap=cmap, **({} if cmap == "gray_r" else {"vmin": -vmax, "vmax": vmax}))
        ax.set_title(title, fontsize=9)
        ax.set_xticks([]), ax.set_yticks([])
    axes[row, 0].set_ylabel(name, fontsize=9)
    fig.colorbar(shown, ax=axes[row].tolist(), shrink=0.85, pad=0.01, label="output value")
    print(f"{name:<26} max|f(T·x) − T·f(x)| / max|T·f(x)| = {np.abs(f_tx - t_fx).max() / vmax:.2e}")
fig.suptitle(f"Commuting diagram for the shift T = {shift} (rows, columns): does f(T·x) equal T·f(x)?", fontsize=11);

# %% [markdown]
# ## Measuring equivariance
# `equivariance_error(f, group, x, in_action, out_action)` returns, for every element `g`, the relative error
# `max|f(g·x) − g·f(x)| / max|g·f(x)|`. Exactly equivariant maps score 0 or float32 round-off (asserted below the
# library's tolerance 1e-5); the others score order one (asserted above 0.1). Three familiar operations,
# each under the four rotations of C4 and under all 784 circular shifts of a 28×28 image:

# %%
maxpool_global = lambda v: np.asarray(v).max(axis=(1, 2))  # noqa: E731  (invariant: the max ignores positions)
shifts28 = groups.TranslationGroup(28, 28)
cases = {  # name: (map, out_action)
    "global max-pool\n(invariance)": (maxpool_global, "trivial"),
    "Dense 784 → 784": (dense_fn, "image"),
    "3×3 Conv2D,\ncircular padding": (circular_conv, "image"),
}
assert shifts28.order == 784
errors = {(name, group.name): equivariance_error(fn, group, x, "image", action).max_error
          for name, (fn, action) in cases.items() for group in (groups.C4, shifts28)}
for (name, group), err in errors.items():
    print(f"{name.replace(chr(10), ' '):<34} {group:<10} max relative error {err:.2e}")
exact = [("global max-pool\n(invariance)", "C4"), ("global max-pool\n(invariance)", "T(28x28)"),
         ("3×3 Conv2D,\ncircular padding", "T(28x28)")]
assert all(errors[k] < 1e-5 for k in exact)
assert all(err > 0.1 for k, err in errors.items() if k not in exact)

# %%
floor = 1e-10  # a log axis cannot show 0: exact zeros are drawn at this floor and labelled "0"
fig, ax = plt.subplots(figsize=(8, 3.8))
for k, group in enumerate(("C4", "T(28x28)")):
    values = [errors[(name, group)] for name in cases]
    bars = ax.bar(np.arange(len(cases)) + (k - 0.5) * 0.38, np.maximum(values, floor), width=0.38,
                  label={"C4": "C4: 4 rotations", "T(28x28)": "all 784 circular shifts"}[group])
    for bar, v in zip(bars, values):
        ax.text(bar.get_x() + bar.get_width() / 2, max(v, floor) * 2, "0" if v == 0 else f"{v:.2g}",
                ha="center", fontsize=8)
ax.axhline(1e-5, color="k", ls="--", lw=1, label="float32 tolerance 1e-5")
ax.set_yscale("log")
ax.set_ylim(floor, 1e4)
ax.set_xticks(range(len(cases)), list(cases), fontsize=9)
ax.set_ylabel("max relative error (log scale)")
ax.set_title("A convolution follows shifts, not rotations; a Dense layer follows neither")
ax.legend(fontsize=8, loc="upper left", ncol=3)
fig.tight_layout()

# %% [markdown]
# ## Where a real convolution loses equivariance: the border
# Keras' `Conv2D(padding="same")` pads with **zeros**, not by wrapping around. Is it still shift-equivariant? Take
# 12×12 crops from the middle of the digits — strokes run right up to the edge — and measure all 144 circular shifts:

# %%
crop = x[:, 8:20, 8:20]
assert all(np.concatenate([c[[0, -1]].ravel(), c[:, [0, -1]].ravel()]).max() > 0.5 for c in crop)  # ink on the edge
shifts = groups.TranslationGroup(12, 12)
assert shifts.order == 144
zero_conv = keras.layers.Conv2D(1, 3, padding="same", use_bias=False)
zero_conv.build((None, 12, 12, 1))
zero_conv.set_weights(conv_valid.get_weights())  # the same kernel; only the padding differs
zero_fn = lambda v: keras.ops.convert_to_numpy(zero_conv(v))  # noqa: E731
zero_error = equivariance_error(zero_fn, shifts, crop, "image", "image").max_error
circular_error = equivariance_error(circular_conv, shifts, crop, "image", "image").max_error
print(f"zero padding ('same'): max relative error {zero_error:.2f}")
print(f"circular padding:      max relative error {circular_error:.1e}")
assert zero_error > 0.5 and circular_error < 1e-5

# %% [markdown]
# Zero padding's error is of order one — as large as the output itself, not a small correction. Yet the two layers
# share their kernel and differ only in what they assume lies beyond the edge. The reported number is a **maximum
# over pixels**, so a single bad pixel decides it. Where do the bad pixels live? An output pixel can only differ if
# its 3×3 window reached past the edge — in `f(T·x)` (the outermost ring of the output) or in `f(x)` before the shift
# moved it (that ring, wrapped to the seam where the shift cut the image). Everywhere else both paths multiply the
# same kernel with the same pixels.

# %%
def edge_mask(n, s):
    """Output pixels (in the frame of f(T·x)) whose 3×3 window crossed the edge in f(T·x) or in f(x)."""
    ring = np.zeros((n, n), bool)
    ring[[0, -1], :] = ring[:, [0, -1]] = True
    return ring | np.roll(ring, s, axis=(0, 1))


n = 12
diff, scale, masks = [], [], []
for g in shifts.elements:
    s = shifts.shift(g)
    want = groups.translate(zero_fn(crop), s)[..., 0]
    diff.append(np.abs(zero_fn(groups.translate(crop, s))[..., 0] - want))
    scale.append(np.abs(want).max())
    masks.append(edge_mask(n, s))
diff, masks = np.stack(diff) / np.array(scale)[:, None, None, None], np.stack(masks)[:, None]  # (144, 4, 12, 12)
edge_err, interior_err = diff[np.broadcast_to(masks, diff.shape)].max(), diff[~np.broadcast_to(masks, diff.shape)].max()
edge_fraction = masks.mean()
print(f"max relative error on pixels whose window crossed the edge: {edge_err:.2f}")
print(f"max relative error on all other pixels:                      {interior_err:.1e}")
print(f"edge-touched pixels: {edge_fraction:.0%} of a 12×12 output (averaged over the 144 shifts)")
assert edge_err == diff.max() > 0.5 and interior_err < 1e-5 and 0.45 < edge_fraction < 0.55

# %% [markdown]
# So zero padding breaks equivariance completely on the edge-touched pixels and not at all elsewhere. On a 12×12 crop
# those pixels are half of the image; their share falls close to `8/n` as the image side `n` grows (counted with the
# same mask, averaged over all shifts):

# %%
shares = {m: np.mean([edge_mask(m, (dy, dx)).mean() for dy in range(m) for dx in range(m)]) for m in (12, 28, 64)}
for m, share in shares.items():
    print(f"{m:>3}×{m:<3} image: {share:.1%} of the output pixels are edge-touched (8/n = {8 / m:.1%})")
assert shares[12] > shares[28] > shares[64] and abs(shares[64] - 8 / 64) < 0.02
assert np.isclose(shares[12], edge_fraction)

# %% [markdown]
# The picture for one shift: the error (middle) lights up only on edge-touched pixels (right-middle); with
# circular padding (right) the same kernel gives an error map that is zero everywhere.

# %%
s = (4, 7)
g = shifts.elements[s[0] * 12 + s[1]]
assert shifts.shift(g) == s
moved = groups.translate(crop[:1], s)
zero_map = np.abs(zero_fn(moved) - groups.translate(zero_fn(crop[:1]), s))[0, :, :, 0]
circ_map = np.abs(circular_conv(moved) - groups.translate(circular_conv(crop[:1]), s))[0, :, :, 0]
norm = np.abs(groups.translate(zero_fn(crop[:1]), s)).max()
fig, axes = plt.subplots(1, 4, figsize=(12.5, 3.4))
axes[0].imshow(moved[0, :, :, 0], cmap="gray_r")
axes[0].set_title(f"T·x: a 12×12 crop\nshifted by {s}", fontsize=9)
for ax, img, title in [(axes[1], zero_map / norm, "zero padding:\n|f(T·x) − T·f(x)|"),
                       (axes[3], circ_map / norm, "circular padding:\n|f(T·x) − T·f(x)|")]:
    shown = ax.imshow(img, cmap="magma_r", vmin=0, vmax=zero_map.max() / norm)
    ax.set_title(title, fontsize=9)
    fig.colorbar(shown, ax=ax, shrink=0.85, label="error / max|T·f(x)|")
axes[2].imshow(edge_mask(12, s), cmap="Greys", vmin=0, vmax=1.5)
axes[2].set_title("edge-touched pixels (grey):\nborder ring + seam of the wrap", fontsize=9)
for ax in axes:
    ax.set_xlabel("column (pixel)")
axes[0].set_ylabel("row (pixel)")
fig.suptitle("Zero padding breaks shift equivariance only where a 3×3 window crossed the image edge", fontsize=11)
fig.tight_layout()
assert (zero_map[~edge_mask(12, s)] / norm).max() < 1e-5 and (zero_map / norm).max() > 0.1
assert (circ_map / norm).max() < 1e-5

# %% [markdown]
# Whole MNIST digits have a blank margin. As long as a shift keeps the ink off the border ring, zero padding and
# circular padding see the same (zero) pixels beyond the edge, and the error is exactly round-off even with zero
# padding. Only shifts that push ink onto the edge break it:

# %%
full_zero = keras.layers.Conv2D(1, 3, padding="same", use_bias=False)
full_zero.build((None, 28, 28, 1))
full_zero.set_weights(conv_valid.get_weights())
per_shift = equivariance_error(lambda v: keras.ops.convert_to_numpy(full_zero(v)), shifts28, x[:1], "image",
                               "image").errors
ring = edge_mask(28, (0, 0))
assert not x[0, :, :, 0][ring].any()  # this digit's border ring is blank
clean = {g: not (x[0, :, :, 0][ring].any() or groups.translate(x[:1], shifts28.shift(g))[0, :, :, 0][ring].any())
         for g in shifts28.elements}
clean_err = max(e for g, e in per_shift.items() if clean[g])
dirty = np.array([e for g, e in per_shift.items() if not clean[g]])
print(f"{sum(clean.values())} of 784 shifts keep the ink off the border ring: max relative error {clean_err:.1e}")
print(f"the other {len(dirty)}: max relative error {dirty.max():.2f}, median {np.median(dirty):.2f}")
assert clean_err < 1e-5 and np.median(dirty) > 0.1 and sum(clean.values()) >= 9

# %%
grid = np.array([per_shift[g] for g in shifts28.elements]).reshape(28, 28)
centred = np.roll(grid, (14, 14), axis=(0, 1))  # put the zero shift in the middle: shifts -14 … 13
fig, ax = plt.subplots(figsize=(5.6, 4.6))
shown = ax.imshow(np.maximum(centred, 1e-8), cmap="viridis", norm=matplotlib.colors.LogNorm(1e-8, 10),
                  extent=(-14.5, 13.5, 13.5, -14.5))
ax.contour(np.arange(-14, 14), np.arange(-14, 14), np.roll(np.array([clean[g] for g in shifts28.elements])
           .reshape(28, 28), (14, 14), axis=(0, 1)).astype(float), levels=[0.5], colors="white", linewidths=1.5)
fig.colorbar(shown, ax=ax, label="max relative error (log; 0 drawn at 1e-8)")
ax.set_xlabel("shift right (pixels, wrapping around)")
ax.set_ylabel("shift down (pixels, wrapping around)")
ax.set_title("Zero-padded 3×3 conv on a whole digit: error per shift\n(white outline: shifts that keep the ink off "
             "the edge)", fontsize=10)
fig.tight_layout()

# %% [markdown]
# Padding is not the only way a CNN falls short of exact equivariance — strides and pooling are the others, measured
# in lesson 2.
#
# ## Your turn
# [`exercises/ex01_equivariance.py`](../exercises/ex01_equivariance.py): write the C4 action on a field, a group-axiom
# checker and `is_equivariant`.
# Grade it here (untouched stubs show as "not attempted"):

# %%
import symkeras

symkeras.check("ex01");
