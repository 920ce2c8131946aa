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
# # Lesson 4 — Rotations break CNNs; augmentation and what it costs
#
# **Description:** a CNN trained on upright digits fails on rotated ones; training on rotated copies fixes much of
# it, at a price.
#
# Convolution is translation-equivariant, not rotation-equivariant: nothing in a CNN relates a "6" to the same "6"
# turned by 90°. It can only learn that relation from data.

# %%
import numpy as np

from symkeras import data, models
from symkeras.reproduce import accuracy, fit_and_score
from symkeras.course import lesson_banner
from symkeras.viz import plot_accuracy_vs_angle

FAST = lesson_banner(figures=3)
train_limit, test_limit, epochs = (1000, 300, 2) if FAST else (None, None, 10)
angles = np.arange(0, 360, 30)
x_test, y_test = data.load_mnist("test", limit=test_limit)
x_test = (x_test.astype("float32") / 255)[..., None]


def per_angle(model):
    return [accuracy(model, data.rotate_batch(x_test, np.full(len(x_test), a)), y_test) for a in angles]


# %% [markdown]
# ## Trained upright
# The Z2CNN-style model of `symkeras.models.cnn`, trained on upright digits only:

# %%
upright = data.rotation_symmetric_task()  # train upright (test rotations are applied below, angle by angle)
cnn = models.cnn(20)
acc0, seconds_plain = fit_and_score(cnn, upright.dataset("train", limit=train_limit), x_test, y_test, epochs, verbose=0)
print(f"upright test accuracy {acc0:.1%} after {seconds_plain:.0f} s of training")

# %% [markdown]
# ## Augmented: trained on random rotations
# Same model and epochs, but every training digit is rotated by a fresh random angle on every pass
# (`rotated_mnist((0, 360))`).

# %%
augmented_task = data.rotated_mnist((0, 360))
cnn_aug = models.cnn(20)
acc_aug, seconds_aug = fit_and_score(cnn_aug, augmented_task.dataset("train", limit=train_limit), x_test, y_test,
                                     epochs, verbose=0)
print(f"upright test accuracy {acc_aug:.1%} after {seconds_aug:.0f} s of training")

# %% [markdown]
# The figure shows accuracy against the rotation of the test digits. The upright-trained CNN collapses away from 0°;
# augmentation spreads its accuracy over all angles but typically lowers the upright peak at equal training.

# %%
curves = {"CNN, upright training": per_angle(cnn), "CNN, rotation augmentation": per_angle(cnn_aug)}
fig = plot_accuracy_vs_angle(angles, curves, "Accuracy vs rotation of the test digits")
for name, acc in curves.items():
    print(f"{name:<28} accuracy at 0°: {acc[0]:.1%}   mean over all angles: {np.mean(acc):.1%}")

# %% [markdown]
# ## What augmentation costs
# At equal compute (same epochs and steps), the augmented model must spend capacity and data on learning every
# orientation. Accuracy on randomly rotated test digits, epoch by epoch:

# %%
rotated_test = augmented_task.arrays("test", seed=1, limit=test_limit)
curve = []
model = models.cnn(20)
for epoch in range(epochs):
    fit_and_score(model, augmented_task.dataset("train", limit=train_limit, seed=epoch), *rotated_test, 1, verbose=0)
    curve.append(accuracy(model, *rotated_test))
print("rotated-test accuracy per epoch (augmented CNN):", [f"{a:.1%}" for a in curve])

# %% [markdown]
# Augmentation teaches the symmetry approximately, from data, every epoch again. Lesson 5 builds it into the
# architecture instead.
#
# ## Your turn
# [`exercises/ex04_augmentation.py`](../exercises/ex04_augmentation.py): accuracy per angle, and exact random 90° augmentation. Grade with
# `symkeras.check("ex04")`.
