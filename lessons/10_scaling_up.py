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
# # Lesson 10 — Scaling up, and where to go next
#
# **Description:** the same model on several devices (MirroredStrategy), XLA, mixed precision; how dense and
# convolutional parameter counts scale; further reading.

# %%
import time

import tensorflow as tf

cpus = tf.config.list_physical_devices("CPU")
try:  # two logical CPU devices stand in for two GPUs (must happen before TensorFlow starts its runtime)
    tf.config.set_logical_device_configuration(cpus[0], [tf.config.LogicalDeviceConfiguration()] * 2)
except RuntimeError as error:
    print("logical devices already fixed:", error)

import keras  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from symkeras import data, models  # noqa: E402
from symkeras.course import lesson_banner  # noqa: E402

FAST = lesson_banner(figures=3)
print("logical devices:", [d.name for d in tf.config.list_logical_devices()])

# %% [markdown]
# ## One model, two replicas
# `tf.distribute.MirroredStrategy` copies the model to each device, splits every batch between them, and averages the
# gradients. On a GPU machine the same code uses all GPUs; across machines, `MultiWorkerMirroredStrategy` with a
# `TF_CONFIG` describing the cluster does the same.

# %%
x, y = data.rotation_symmetric_task().arrays("train", limit=512 if FAST else 4096)
devices = [d.name for d in tf.config.list_logical_devices("CPU")][:2]
strategy = tf.distribute.MirroredStrategy(devices)
print("replicas in sync:", strategy.num_replicas_in_sync)
with strategy.scope():
    model = models.p4cnn(10)
    model.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
history = model.fit(x, y, batch_size=64, epochs=1, verbose=0)
print(f"trained under {type(strategy).__name__}: loss {history.history['loss'][-1]:.3f}")

# %% [markdown]
# ## Throughput: CNN vs P4CNN, eager graph vs XLA
# Images per second for one training epoch at batch 64 (first epoch excluded: it compiles). On a GPU, also try
# `keras.mixed_precision.set_global_policy("mixed_float16")`.

# %%
def throughput(build, jit):
    model = build()
    model.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  jit_compile=jit)
    model.fit(x, y, batch_size=64, epochs=1, verbose=0)
    start = time.perf_counter()
    model.fit(x, y, batch_size=64, epochs=1, verbose=0)
    return len(x) / (time.perf_counter() - start)


print(f"{'model':<8} {'graph img/s':>12} {'XLA img/s':>10}")
for name, build in [("CNN", lambda: models.cnn(40)), ("P4CNN", lambda: models.p4cnn(10))]:
    print(f"{name:<8} {throughput(build, False):12.0f} {throughput(build, True):10.0f}")

# %% [markdown]
# ## How parameter counts scale
# A dense layer between two `H×W` feature maps needs `(HW)²` weights per channel pair; a `k×k` convolution needs `k²`,
# whatever the image size. The figure shows both on a log scale.

# %%
sides = np.array([8, 16, 28, 64, 128, 256, 512, 1024])
fig, ax = plt.subplots(figsize=(6, 3.8))
ax.loglog(sides, sides.astype(float) ** 4, marker="o", label="dense: (HW)²")
ax.loglog(sides, np.full(len(sides), 9.0), marker="o", label="3×3 conv: 9")
ax.set_xlabel("image side H = W (pixels)")
ax.set_ylabel("weights per channel pair")
ax.set_title("Weight sharing keeps convolutions independent of image size")
ax.legend()
ax.grid(alpha=0.3)
fig.tight_layout()

# %% [markdown]
# ## Where to go next
# - **escnn** (QUVA-Lab): steerable CNNs for continuous rotations SO(2), O(2) and 3-D groups.
# - **e3nn**: E(3)-equivariant networks for molecules and point clouds (AlphaFold2's invariant point attention is
#   SE(3)-equivariant — quoted, not shown here).
# - "Does Equivariance Matter at Scale?" (arXiv 2410.23179) reports equivariant models reach about half the test
#   loss of augmented ones at equal compute — quoted, not reproduced here.
#
# ## Your turn
# [`exercises/ex10_scaling.py`](../exercises/ex10_scaling.py): dense-vs-conv ratios and per-replica batches. Grade with `symkeras.check("ex10")`.
