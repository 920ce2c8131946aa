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
# # Lesson 0 — Set-up and a tour
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/OWNER/symkeras/blob/main/lessons/00_setup_and_tour.ipynb)
#
# **Author:** the symkeras authors · **Date created:** 2026-11-24 · **Last modified:** 2026-11-25
# **Description:** check the installation, look at the data, watch a symmetric layer at work, and grade your first
# exercise.
#
# This course shows how *symmetry* designs neural networks. Every claim is measured in a cell, drawn in a figure or
# checked by an assert. Lessons import everything from `symkeras`; nothing is copied into the notebooks.
#
# Run the lessons with `make lessons` (JupyterLab). Set `SYMKERAS_FAST=1` before starting Jupyter for a quick pass
# with small data — that is what CI does. `symkeras lessons run 00` runs a lesson headless and saves its
# figures. This lesson trains nothing, so fast and full mode compute the same numbers.

# %%
# In Colab or a fresh Python: install symkeras with its course material, and fetch this lesson's exercise file.
try:
    import symkeras
except ImportError:
    import subprocess
    import sys

    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "symkeras[course]"], check=True)
    import symkeras
symkeras.course.fetch_exercise("ex00");

# %%
import subprocess
import sys

import matplotlib.pyplot as plt
import numpy as np

import symkeras
from symkeras.course import lesson_banner

FAST = lesson_banner(figures=3)

# %% [markdown]
# ## Is everything in place?
# `symkeras doctor` prints versions, the Keras backend, the devices (a GPU if there is one), the MNIST cache
# and an equivariance self-check. It exits non-zero, with the fix, when something is wrong.

# %%
doctor = subprocess.run([sys.executable, "-m", "symkeras", "doctor"], capture_output=True, text=True)
print(doctor.stdout)
assert doctor.returncode == 0 and "All good." in doctor.stdout, doctor.stdout + doctor.stderr

# %% [markdown]
# ## Backends and devices
# Keras 3 runs on TensorFlow (the default here, and the GPU path), JAX or PyTorch. Choose with the environment
# variable `KERAS_BACKEND` *before* the first `import keras`. symkeras layers only use `keras.ops`, so they run on
# all three.

# %%
import keras

print("Keras", keras.__version__, "on", keras.backend.backend())

# %% [markdown]
# ## The data: real MNIST digits
# Most lessons use MNIST: handwritten digits, 28×28 grey pixels, 60,000 for training and 10,000 for testing, cached
# offline and checksum-verified. `data.load_mnist(split, limit)` returns uint8 images and labels; with `limit` you get a
# seeded, class-balanced random subset.

# %%
from symkeras import data

train_images, train_labels = data.load_mnist("train")
test_images, test_labels = data.load_mnist("test")
print(f"train {train_images.shape} {train_images.dtype}, test {test_images.shape}; "
      f"digits per class in train: {np.bincount(train_labels).min():,} to {np.bincount(train_labels).max():,}")
assert train_images.shape == (60_000, 28, 28) and test_images.shape == (10_000, 28, 28)
assert sorted(set(train_labels.tolist())) == list(range(10))

# %%
fig, axes = plt.subplots(2, 10, figsize=(11, 2.9))
for digit in range(10):
    for row, index in enumerate(np.flatnonzero(test_labels == digit)[:2]):
        ax = axes[row, digit]
        shown = ax.imshow(test_images[index], cmap="gray_r", vmin=0, vmax=255)
        ax.set_title(f"label {test_labels[index]}", fontsize=8)
        ax.set_xticks([]), ax.set_yticks([])
fig.suptitle("Twenty real MNIST test digits, two per class (28 × 28 pixels)", fontsize=10)
fig.colorbar(shown, ax=axes, shrink=0.8, pad=0.02, label="ink (grey level 0–255)");

# %% [markdown]
# ## Symmetry at work: a layer that rotates with its input
# A **lifting convolution** (lesson 5) correlates the image with a filter *and its three rotations by 90°*: its output
# is a stack of four maps, one per orientation. Rotate the digit by 90° (`r`) and the output does not change
# arbitrarily: every map rotates by 90° **and** the four maps trade places cyclically. That is *equivariance*,
# `f(r·x) = r·f(x)`: the second row (the layer applied to the rotated digit) equals the third (the first row's output,
# rotated and cycled).

# %%
from symkeras import groups
from symkeras.layers import LiftingConv2D
from symkeras.viz import plot_commuting_diagram

digit = (test_images[np.flatnonzero(test_labels == 7)[1]].astype("float32") / 255)[None, :, :, None]
lifting = LiftingConv2D(1, 5, group="C4", padding="same")
fig = plot_commuting_diagram(lifting, digit[0], g=1)
fig.subplots_adjust(right=0.86)
fig.colorbar(fig.axes[1].images[0], cax=fig.add_axes([0.89, 0.12, 0.015, 0.7]), label="feature value");

# %%
fx = keras.ops.convert_to_numpy(lifting(digit))
f_rx = keras.ops.convert_to_numpy(lifting(groups.C4.act_on_image(digit, 1)))
gap = np.abs(f_rx - groups.C4.act_on_field(fx, 1)).max() / np.abs(fx).max()
print(f"max |f(r·x) − r·f(x)| / max |f(x)| = {gap:.1e}   (float32 round-off is ~1e-7)")
assert gap < 1e-5

# %% [markdown]
# ## The self-check, element by element
# The doctor's last line is exactly this measurement for a two-layer D4 network (4 rotations and 4 mirror images): the
# relative error `max|f(g·x) − g·f(x)| / max|g·f(x)|` for each of the 8 group elements. An equivariant network
# scores float32 round-off (below the tolerance 1e-5); an ordinary `Conv2D` with the same kernel size, asked the same
# question, is wrong by order one for every rotation and mirror — it never learned, or was built, to follow them.

# %%
from symkeras.equivariance import equivariance_error
from symkeras.layers import GroupConv2D

x = np.random.default_rng(0).normal(size=(2, 9, 9, 1)).astype("float32")
gcnn = keras.Sequential([LiftingConv2D(2, 3, group="D4"), GroupConv2D(2, 3, group="D4")])
plain = keras.layers.Conv2D(16, 3)
reports = {"D4 lifting + group conv (the doctor's self-check)": equivariance_error(gcnn, "D4", x, "image", "field"),
           "ordinary Conv2D (16 filters, 3×3)": equivariance_error(plain, "D4", x, "image", "image")}
for name, report in reports.items():
    print(name, report, sep="\n")
gcnn_report, plain_report = reports.values()
assert gcnn_report.max_error < gcnn_report.tolerance == 1e-5
assert min(e for g, e in plain_report.errors.items() if g != 0) > 0.1 and plain_report.errors[0] == 0

# %%
floor = 1e-10  # log axes cannot show 0: exact zeros are drawn at this floor and labelled "0"
names = groups.D4.element_names()
fig, ax = plt.subplots(figsize=(8, 3.6))
for k, (name, report) in enumerate(reports.items()):
    errors = np.array([report.errors[g] for g in groups.D4.elements])
    bars = ax.bar(np.arange(8) + (k - 0.5) * 0.4, np.maximum(errors, floor), width=0.4, label=name)
    for bar, e in zip(bars, errors):
        if e == 0:
            ax.text(bar.get_x() + bar.get_width() / 2, floor * 2, "0", ha="center", fontsize=8)
ax.axhline(gcnn_report.tolerance, color="k", ls="--", lw=1, label="float32 tolerance 1e-5")
ax.set_yscale("log")
ax.set_ylim(floor, 1e6)
ax.set_xticks(range(8), [f"{n}\n({groups.D4.describe(g)})" if g in (1, 4) else n
                         for g, n in zip(groups.D4.elements, names)], fontsize=8)
ax.set_xlabel("group element g of D4 (r: rotate 90° counter-clockwise, f: mirror)")
ax.set_ylabel("relative error (log scale)")
ax.set_title("Equivariance error per group element: the G-CNN sits at round-off, a Conv2D at order one")
ax.legend(fontsize=8, loc="upper left", ncol=2)
fig.tight_layout()

# %% [markdown]
# ## Grading exercises
# Each lesson ends with **Your turn**: an exercise in `exercises/exNN_*.py`. Edit the file, then grade it from the
# notebook with `symkeras.check("exNN")` (or all of them with `symkeras grade`). Untouched stubs show as
# "not attempted".

# %%
symkeras.check("ex00");

# %% [markdown]
# ## Your turn
# Open [`exercises/ex00_setup.py`](../exercises/ex00_setup.py), implement `keras_backend()` and `group_order()`, and
# re-run the cell above until it prints **All tests passed!**
