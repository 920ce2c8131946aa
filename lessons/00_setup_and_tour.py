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
# **Author:** the symkeras authors · **Date created:** 2026-11-24 · **Last modified:** 2026-11-24
# **Description:** check the installation, meet the library, and grade your first exercise.
#
# This course shows how *symmetry* designs neural networks. Every claim is measured in a cell, drawn in a figure or
# checked by an assert. Lessons import everything from `symkeras`; nothing is copied into the notebooks.
#
# Run the lessons with `make lessons` (JupyterLab). Set `SYMKERAS_FAST=1` before starting Jupyter for a quick pass
# with small data — that is what CI does.

# %%
import subprocess
import sys

import symkeras
from symkeras.course import lesson_banner

FAST = lesson_banner(figures=3)

# %% [markdown]
# ## Is everything in place?
# `python -m symkeras doctor` prints versions, the Keras backend, the devices (a GPU if there is one), the MNIST cache
# and an equivariance self-check. It exits non-zero, with the fix, when something is wrong.

# %%
doctor = subprocess.run([sys.executable, "-m", "symkeras", "doctor"], capture_output=True, text=True)
print(doctor.stdout)
assert doctor.returncode == 0, doctor.stdout + doctor.stderr

# %% [markdown]
# ## Backends and devices
# Keras 3 runs on TensorFlow (the default here, and the GPU path), JAX or PyTorch. Choose with the environment
# variable `KERAS_BACKEND` *before* the first `import keras`. symkeras layers only use `keras.ops`, so they run on
# all three.

# %%
import keras

print("Keras", keras.__version__, "on", keras.backend.backend())

# %% [markdown]
# ## The library in one glance
# Groups are objects; layers take a group; `check_equivariance` proves the symmetry for every group element.

# %%
import numpy as np

from symkeras.layers import LiftingConv2D

layer = LiftingConv2D(4, 3, group="D4")
x = np.random.default_rng(0).normal(size=(2, 9, 9, 1)).astype("float32")
print(symkeras.groups.D4, "elements:", symkeras.groups.D4.element_names())
print(layer.check_equivariance(x))

# %% [markdown]
# ## Grading exercises
# Each lesson ends with **Your turn**: an exercise in `exercises/exNN_*.py`. Edit the file, then grade it from the
# notebook with `symkeras.check("exNN")` (or all of them with `python -m symkeras grade`). Untouched stubs show as
# "not attempted".

# %%
symkeras.check("ex00")

# %% [markdown]
# ## Your turn
# Open [`exercises/ex00_setup.py`](../exercises/ex00_setup.py), implement `keras_backend()` and `group_order()`, and re-run the cell above until it
# prints **All tests passed!**
