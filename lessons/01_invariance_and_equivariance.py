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
# **Description:** the two definitions, the group axioms of C4 and D4, and how to *measure* equivariance.
#
# A map `f` is **invariant** under a transformation `T` if `f(T(x)) = f(x)`, and **equivariant** if
# `f(T(x)) = T'(f(x))` — transforming the input transforms the output in a predictable way. The transformations we
# care about form a **group**: they can be composed, undone, and include "do nothing".

# %%
import matplotlib.pyplot as plt
import numpy as np

from symkeras import data, groups
from symkeras.equivariance import equivariance_error
from symkeras.course import lesson_banner
from symkeras.viz import plot_cayley_table, plot_images

FAST = lesson_banner(figures=3)
digits, labels = data.load_mnist("test", limit=16)
x = (digits[:4].astype("float32") / 255)[..., None]

# %% [markdown]
# ## C4 and D4 acting on a digit
# C4 holds the four rotations by multiples of 90°; D4 adds the four mirror images. Each element moves the pixel grid
# exactly (no interpolation). The figure shows the 8 elements of D4 applied to one digit.

# %%
fig = plot_images([groups.D4.act_on_image(x[:1], g)[0, :, :, 0] for g in groups.D4.elements],
                  groups.D4.element_names(), "The eight elements of D4 acting on a digit")

# %% [markdown]
# ## The group axioms, checked
# A Cayley table lists `a∘b` for every pair. Closure: every entry is an element. Identity: `e` leaves everything
# alone. Inverses: every row contains `e`. Associativity: `(a∘b)∘c = a∘(b∘c)`. D4 is not commutative: `r∘f ≠ f∘r`.

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

# %% [markdown]
# ## Measuring equivariance
# `equivariance_error(f, group, x, in_action, out_action)` returns, for every element `g`, the relative error
# `max|f(g·x) − g·f(x)| / max|g·f(x)|`. Exactly equivariant maps score ~1e-7 in float32 (round-off); others score
# order one. Three familiar operations:

# %%
import keras

maxpool_global = lambda v: v.max(axis=(1, 2))  # noqa: E731  (invariant: the max ignores where things are)
dense = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Flatten(), keras.layers.Dense(28 * 28),
                          keras.layers.Reshape((28, 28, 1))])
conv = keras.layers.Conv2D(1, 3, padding="same")
rows = {
    "global max-pool, C4 (invariance)": equivariance_error(maxpool_global, groups.C4, x, "image", "trivial"),
    "Dense layer, C4": equivariance_error(dense, groups.C4, x, "image", "image"),
    "Conv2D, C4": equivariance_error(conv, groups.C4, x, "image", "image"),
}
for name, report in rows.items():
    print(f"{name:<34} max relative error {report.max_error:.2e}")

# %% [markdown]
# A Conv2D is *translation*-equivariant, not rotation-equivariant. Under circular shifts and circular padding it is
# exact; with zero padding the border breaks it slightly:

# %%
crop = x[:, 8:20, 8:20]  # 12×12 keeps all 144 shifts quick
shifts = groups.TranslationGroup(12, 12)
conv_valid = keras.layers.Conv2D(1, 3)
circular_conv = lambda v: conv_valid(np.pad(v, ((0, 0), (1, 1), (1, 1), (0, 0)), mode="wrap"))  # noqa: E731
print(f"Conv2D, zero 'same' padding, all 144 shifts: {equivariance_error(conv, shifts, crop, 'image', 'image').max_error:.2e}")
print(f"Conv2D, circular padding,    all 144 shifts: "
      f"{equivariance_error(circular_conv, shifts, crop, 'image', 'image').max_error:.2e}")

# %% [markdown]
# ## Your turn
# [`exercises/ex01_equivariance.py`](../exercises/ex01_equivariance.py): write the C4 action on a field, a group-axiom checker and `is_equivariant`.
# Grade with `symkeras.check("ex01")`.
