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
# # Lesson 6 — Beyond C4, and when symmetry hurts
#
# **Description:** D4 (rotations and mirrors); the 6-vs-9 problem; the rotation symmetry-breaking task where an
# invariant model cannot exceed ~50%; remedies; a design checklist.
#
# Building a symmetry into a model is a promise that the task does not depend on it. When the task *does* depend on
# orientation, an exactly invariant model is blind to exactly what matters.

# %%
import numpy as np

from symkeras import data, groups, models
from symkeras.equivariance import check_invariance
from symkeras.reproduce import fit_and_score
from symkeras.course import lesson_banner
from symkeras.viz import plot_images

FAST = lesson_banner(figures=3)

# %% [markdown]
# ## D4: add the mirrors
# `models.gcnn(group="D4")` builds the same network over the 8 elements of D4; its logits are invariant to every
# rotation and mirror image:

# %%
x = (data.load_mnist("test", limit=4)[0].astype("float32") / 255)[..., None]
d4_model = models.gcnn(4, group="D4")
print(check_invariance(lambda v: d4_model(v, training=False), "D4", x))

# %% [markdown]
# ## 6 versus 9
# A 6 turned by 180° looks like a 9. A C4-invariant classifier gives both the same answer by construction:

# %%
digits, labels = data.load_mnist("test", limit=200)
six = digits[list(labels).index(6)]
nine = digits[list(labels).index(9)]
fig = plot_images([six, groups.C4.act_on_image(six[None, :, :, None], 2)[0, :, :, 0], nine],
                  ["a 6", "the 6 rotated 180°", "a 9"], "To a rotation-invariant model, the middle image is a 6")

# %% [markdown]
# ## The rotation symmetry-breaking task
# Digits at random multiples of 90°; 0°/90° keep the label `y`, 180°/270° become `y + 10` (20 classes). An exactly
# C4-invariant model sees the four rotations of a digit as the same input, so for each digit it can be right on at
# most two of the four: ≈ 50%. A CNN (no built-in symmetry) and an MLP can learn the orientation.

# %%
task = data.rotation_breaking_task()
train_limit, test_limit, epochs = (1000, 400, 2) if FAST else (None, None, 10)
x_test, y_test = task.arrays("test", seed=1, limit=test_limit)
contenders = {"P4CNN (invariant)": models.p4cnn(10, num_classes=20),
              "CNN": models.cnn(21, num_classes=20),
              "MLP": models.mlp(hidden=(256, 256), num_classes=20)}
results = {}
for name, model in contenders.items():
    acc, _ = fit_and_score(model, task.dataset("train", limit=train_limit), x_test, y_test, epochs, verbose=0)
    results[name] = acc
    print(f"{name:<20} test accuracy {acc:.1%}")

# %% [markdown]
# The invariant model's ceiling is structural, not a training problem (exercise 6 computes it):

# %%
p4 = contenders["P4CNN (invariant)"]
rotated_logits = [p4.predict(groups.C4.act_on_image(x_test[:64], k), verbose=0) for k in range(4)]
print("P4CNN predictions identical for all four rotations:",
      all(np.allclose(rotated_logits[0], r, atol=1e-4) for r in rotated_logits[1:]))

# %% [markdown]
# ## Remedies, from the seeds
# - **Break the symmetry on purpose**: feed what the invariance hides (an orientation channel, absolute positions —
#   like positional encodings in transformers).
# - **Equivariant, not invariant, until the end**: keep the orientation axis (skip orientation pooling) and let the
#   head read it.
# - **Relaxed equivariance**: allow small, learned deviations from the symmetry (lesson 9 does this with KL-to-init).
# - **A smaller group**: C4 instead of D4 when mirror images differ (b/d, 2/5-ish strokes).
#
# ## A design checklist, applied
# | problem | symmetry of the task | architecture |
# |---|---|---|
# | images (photos) | translations; rotations only for aerial/microscopy | CNN; G-CNN when orientation carries no meaning |
# | sets (point sets, bags of items) | permutations | DeepSets / attention without positions |
# | molecules | rotations, translations, atom relabelling | E(3)-equivariant GNNs (e3nn) |
# | time series | shifts in time (not reversal) | 1-D (causal) convolutions |
#
# ## Your turn
# [`exercises/ex06_breaking.py`](../exercises/ex06_breaking.py): the task's labels, and the invariant model's accuracy ceiling. Grade with
# `symkeras.check("ex06")`.
