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
# **Description:** lifting, group convolution and orientation pooling; the rotated filter bank; feature fields that
# rotate *and* cycle; a CNN and a G-CNN at equal parameters.
#
# A **lifting convolution** correlates the image with every rotated copy of each filter: its output is a *field*
# over C4 — for each field, four maps, one per orientation: `out(p, t) = Σ_q ψ(t⁻¹q) x(p + q)`. A **group
# convolution** does the same on fields, rotating the taps *and* cycling the input orientations:
# `out(p, t) = Σ_q Σ_s ψ(t⁻¹q, t⁻¹s) f(p + q, s)`. Rotating the input then rotates every map and cycles the
# orientation axis: `f(g·x) = g·f(x)`. **Orientation pooling** (max over the 4) makes the result invariant.

# %%
import matplotlib.pyplot as plt
import numpy as np
from keras import ops

from symkeras import data, groups, models
from symkeras.layers import GroupConv2D, LiftingConv2D
from symkeras.reproduce import accuracy, fit_and_score
from symkeras.course import lesson_banner
from symkeras.viz import plot_accuracy_vs_angle, plot_commuting_diagram

FAST = lesson_banner(figures=3)
digits, labels = data.load_mnist("test", limit=8)
digit = (digits[:1].astype("float32") / 255)[..., None]

# %% [markdown]
# ## The expanded filter bank
# symkeras stores each filter once and expands it into its four rotations before one ordinary convolution. For a
# group convolution the input slots are also permuted. Below: one 5×5 lifting filter and its bank.

# %%
lift = LiftingConv2D(2, 5, group="C4")
lift.build((None, 28, 28, 1))
bank = ops.convert_to_numpy(lift.expanded_kernel())  # (5, 5, 1, 2·4): channel o·4 + t
fig, axes = plt.subplots(1, 4, figsize=(7, 2.2))
for t, ax in enumerate(axes):
    ax.imshow(bank[:, :, 0, t], cmap="RdBu_r")
    ax.set_title(f"orientation {groups.C4.element_name(t)}", fontsize=9)
    ax.set_xticks([]), ax.set_yticks([])
fig.suptitle("Filter 0 of a lifting convolution in its four orientations")
fig.tight_layout()
kernel = ops.convert_to_numpy(lift.kernel)
assert all(np.array_equal(bank[:, :, 0, t], np.rot90(kernel[:, :, 0, 0], t)) for t in range(4))

# %% [markdown]
# ## Feature fields of a digit and of the rotated digit
# Row 1: the field of the digit. Row 2: the field of the digit rotated by 90°. Row 3: row 1 moved by the rule
# "rotate every map, cycle the orientations" — identical to row 2.

# %%
fig = plot_commuting_diagram(lift, digit[0, :, :, 0], g=1)

# %% [markdown]
# ## Equivariance, element by element
# The whole stack lifting → group conv → group conv is equivariant for every element (float32 round-off only):

# %%
stack = [LiftingConv2D(4, 3, activation="relu"), GroupConv2D(4, 3, activation="relu"), GroupConv2D(4, 3)]
features = lambda v: stack[2](stack[1](stack[0](v)))  # noqa: E731
from symkeras.equivariance import check_equivariance  # noqa: E402

print(check_equivariance(features, "C4", (digits[:4].astype("float32") / 255)[..., None], "image", "field"))

# %% [markdown]
# ## CNN vs G-CNN at equal parameters
# `models.p4cnn()` (24,620 parameters) and a CNN widened to match (`models.match_width`), both trained upright.
# The G-CNN's logits are exactly invariant to 90° rotations, so its accuracy repeats every 90°.

# %%
train_limit, test_limit, epochs = (1000, 300, 2) if FAST else (None, None, 10)
p4 = models.p4cnn(10)
cnn = models.cnn(models.match_width(lambda w: models.cnn(w), models.count_params(p4)))
print(f"parameters: CNN {models.count_params(cnn):,}, P4CNN {models.count_params(p4):,}")
task = data.rotation_symmetric_task()
x_test, y_test = data.load_mnist("test", limit=test_limit)
x_test = (x_test.astype("float32") / 255)[..., None]
for model in (cnn, p4):
    fit_and_score(model, task.dataset("train", limit=train_limit), x_test, y_test, epochs, verbose=0)
angles = np.arange(0, 360, 30)
curves = {m.name: [accuracy(m, data.rotate_batch(x_test, np.full(len(x_test), a)), y_test) for a in angles]
          for m in (cnn, p4)}
fig = plot_accuracy_vs_angle(angles, curves, "CNN vs P4CNN at equal parameters, trained upright")
for name, acc in curves.items():
    at90 = [a for angle, a in zip(angles, acc) if angle % 90 == 0]
    print(f"{name:<6} mean accuracy at 0/90/180/270°: {np.mean(at90):.1%}   over all angles: {np.mean(acc):.1%}")

# %% [markdown]
# The full experiment (`python -m symkeras reproduce gcnn --full`, results in the README) measured 41.7% for the CNN
# and 98.0% for the P4CNN on digits rotated by random multiples of 90°.
#
# ## Your turn
# [`exercises/ex05_gconv.py`](../exercises/ex05_gconv.py): expand lifting and group filter banks yourself, and pool orientations. Grade with
# `symkeras.check("ex05")`.
