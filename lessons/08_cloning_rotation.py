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
# # Lesson 8 — Cloning rotation symmetry
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/OWNER/symkeras/blob/main/lessons/08_cloning_rotation.ipynb)
#
# **Description:** a C4 lifting-convolution teacher; a student with learned tap maps per rotation; reading what it
# learned despite a mixing it is free to choose; `mlp2gcnn`; the cloned MLP's equivariance against a plain MLP and
# the G-CNN.
#
# The teacher is a C4 lifting convolution with one input and one output channel: for a kernel `k` it outputs four
# maps, `y_r = conv(x, rot90^r(k))`, `r = 0…3`. Rotating a 3×3 kernel only moves its taps, so
# `y_r = Σ_c k_c S_{π_r(c)} x` with the shift matrices `S` of lesson 7 and a permutation `π_r` of the nine taps.
#
# The student (as in "Symmetry From Scratch", arXiv 2410.03989) computes `ŷ_r = Σ_b (A_r k)_b W_b x`: nine dense maps
# `W_b` shared by all rotations (zero-initialised) and one learned 9×9 **tap map** `A_r` per rotation (uniform
# [0, 1) initialised). It is trained by MSE on Gaussian images with a fresh Gaussian kernel per example.

# %%
# In Colab or a fresh Python: install symkeras with its course material, and fetch this lesson's exercise file.
try:
    import symkeras
except ImportError:
    import subprocess
    import sys

    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "symkeras[course]"], check=True)
    import symkeras
symkeras.course.fetch_exercise("ex08");

# %%
import warnings

import keras
import matplotlib.pyplot as plt
import numpy as np
from keras import ops

from symkeras import cloning
from symkeras.course import lesson_banner
from symkeras.equivariance import equivariance_error
from symkeras.layers import GroupConv2D, LiftingConv2D

FAST = lesson_banner(figures=5)
warnings.filterwarnings("ignore", message=".*shuffle=True.*")  # Keras notes that a generator is not shuffled: fine
n = 8 if FAST else 12
m = n - 2
steps = 1000 if FAST else 2500
print(f"images {n}×{n}; clone for at most {steps} steps" + ("" if FAST else " — full mode clones twice (this size and "
      "n − 2, the second one cached for later runs), each one to two minutes on a 2-core CPU, with a progress bar"))

# %% [markdown]
# ## Cloning
# `cloning.clone` trains with Adam (no weight decay, cosine-decayed learning rate, gradient norm clipped at 1) and
# stops once a batch MSE is below `1e-10`. The student starts from `W = 0`, so its first loss is the teacher's output
# variance: a sum of nine products of independent standard normals, variance 9.

# %%
student = cloning.StructuredStudent(n, "C4")
report = cloning.clone(student, steps=steps, verbose=0 if FAST else 1)
print(report)
assert abs(report.losses[0] - 9) < 0.5, report.losses[0]
assert report.final_loss < 1e-9 and report.heldout_relative_error < 1e-4, report

# %%
fig, ax = plt.subplots(figsize=(7, 3.6))
ax.semilogy(np.arange(1, report.steps + 1), report.losses)
ax.axhline(1e-10, color="gray", ls=":", lw=1)
ax.text(report.steps / 2, 1.6e-10, "stop: batch MSE < 1e-10", ha="center", fontsize=8, color="gray")
ax.set_xlabel("optimizer step")
ax.set_ylabel("batch MSE over the 4 rotations")
ax.set_title(f"Cloning a C4 lifting convolution on {n}×{n} images ({report.steps} steps)")
ax.grid(alpha=0.3)
fig.tight_layout()
plt.show()
low = int(np.argmin(report.losses[:report.steps // 2]))
print(f"lowest batch MSE in the first half: {report.losses[low]:.1e} at step {low + 1}; highest after it: "
      f"{max(report.losses[low:]):.1e}")

# %% [markdown]
# The curve need not fall steadily. Adam's step size is set by its learning rate rather than by the size of the
# gradient, so close to a solution it keeps moving by about the learning rate, and the loss can stall or climb again
# (compare the two printed numbers) until the cosine schedule has lowered the rate enough for the final descent.
#
# ## What is — and is not — determined
# Only the products matter: tap `c` in rotation `r` is multiplied with the **effective map**
# `E'_{r,c} = Σ_b (A_r)_{bc} W_b`. Any invertible 9×9 mixing `M` gives another exact solution: replace `W_b` by
# `Σ_d M_{bd} S_d` and `A_r` by `M^{-T} P_r`, where `P_r` is the permutation matrix of `π_r`. Nothing in the loss
# prefers `M = I`, so the raw `W_b` need **not** look like shift matrices. Let's see.

# %%
maps, taps = ops.convert_to_numpy(student.maps), ops.convert_to_numpy(student.taps)
shifts, exact = cloning.shift_structure(n), cloning.exact_structure(n, "C4")
raw_distance = np.linalg.norm(maps - shifts) / np.linalg.norm(shifts)
print(f"raw learned W_b vs the shift matrices S_b: relative distance {raw_distance:.2f}")
assert raw_distance > 0.3, "the raw maps are not the shift matrices"

# %% [markdown]
# Far from them. But each raw map might still be a *mixture* of shifts. The shift matrices are orthogonal
# (`⟨S_b, S_c⟩ = m² δ_bc`: different taps read different pixels), so the best least-squares mixing has a closed form,
# `M_bd = ⟨W_b, S_d⟩ / m²`, and what is left, `W_b − Σ_d M_bd S_d`, is the part of the learned maps that is *not* a
# combination of shifts.

# %%
mixing = np.einsum("bpq,dpq->bd", maps, shifts) / m ** 2
residual = maps - np.einsum("bd,dpq->bpq", mixing, shifts)
mixed_distance = np.linalg.norm(residual) / np.linalg.norm(maps)
print(f"after the best mixing M: relative residual {mixed_distance:.1e}; condition number of M "
      f"{np.linalg.cond(mixing):.1f}")
print("M (rows: learned map b, columns: shift d):\n", np.round(mixing, 2))
assert mixed_distance < 1e-4, mixed_distance
assert np.abs(mixing - np.eye(9)).max() > 0.1, "M is not the identity: the student chose its own mixing"

# %% [markdown]
# Every learned map is, to about one part in a million, a combination of the nine shifts — just not one shift each.
# The figure shows this on the same zoom as lesson 7 (first output row against the first three image rows): each raw
# `W_b` carries bands at all nine offsets, with weights given by row `b` of `M`.

# %%
fig, axes = plt.subplots(1, 10, figsize=(15, 3.2), layout="constrained",
                         gridspec_kw={"width_ratios": [1] * 9 + [1.3]})
top = np.abs(maps[:, :m, :3 * n]).max()
for b in range(9):
    image = axes[b].imshow(maps[b, :m, :3 * n], cmap="RdBu_r", vmin=-top, vmax=top, aspect="auto")
    axes[b].set_title(f"raw W{b}", fontsize=8)
    axes[b].set_xticks([0, n, 2 * n])
    axes[b].set_yticks([])
    axes[b].tick_params(labelsize=6)
    axes[b].set_xlabel("input pixel", fontsize=7)
axes[0].set_ylabel("output pixel (first row)", fontsize=7)
fig.colorbar(image, ax=axes[:9], fraction=0.02, pad=0.01, label="entry of W_b")
mix_image = axes[9].imshow(mixing, cmap="RdBu_r", vmin=-np.abs(mixing).max(), vmax=np.abs(mixing).max())
axes[9].set_title("best mixing M", fontsize=8)
axes[9].set_xlabel("shift d", fontsize=7)
axes[9].set_ylabel("learned map b", fontsize=7)
axes[9].tick_params(labelsize=6)
fig.colorbar(mix_image, ax=axes[9], fraction=0.05, label="M_bd")
fig.suptitle("Learned with free tap maps, each W_b is a mixture of all nine shifted bands (weights: row b of M)",
             fontsize=10)
plt.show()

# %% [markdown]
# ## The tap maps, with the mixing undone
# If `W = M S`, the effective maps are `E'_{r,c} = Σ_d (Mᵀ A_r)_{dc} S_d`, so `Mᵀ A_r` should be the permutation
# `P_r` that rotates the kernel taps (the matrix exercise 8 asks you to build). Top: the raw learned `A_r`; bottom:
# `Mᵀ A_r`, with the exact permutation's 1s marked by circles.

# %%
undone = np.einsum("bd,rbc->rdc", mixing, taps)
permutations = np.einsum("rcpq,dpq->rdc", exact, shifts) / m ** 2  # exact P_r[d, c]: 1 where rotation r moves c to d
fig, axes = plt.subplots(2, 4, figsize=(11, 5.8), layout="constrained")
for r in range(4):
    for row, (label, matrices) in enumerate((("raw A", taps), ("Mᵀ A", undone))):
        ax = axes[row, r]
        image = ax.imshow(matrices[r], cmap="RdBu_r", vmin=-1.3, vmax=1.3)
        ax.set_title(f"{label}_{r}  (rotation {90 * r}°)", fontsize=9)
        ax.set_xticks(range(0, 9, 2)), ax.set_yticks(range(0, 9, 2))
        ax.tick_params(labelsize=7)
        if row == 1:
            d, c = np.nonzero(permutations[r] > 0.5)
            ax.scatter(c, d, s=90, facecolors="none", edgecolors="black", lw=1)
            ax.set_xlabel("kernel tap c", fontsize=8)
    axes[0, r].set_xlabel("kernel tap c", fontsize=8)
axes[0, 0].set_ylabel("coefficient b", fontsize=8)
axes[1, 0].set_ylabel("shift d", fontsize=8)
fig.colorbar(image, ax=axes, fraction=0.03, label="matrix entry")
fig.suptitle("Tap maps: dense as learned; the rotation permutations once the mixing M is undone (circles: exact)",
             fontsize=10)
plt.show()
tap_error = np.abs(undone - permutations).max()
print(f"max |Mᵀ A_r − P_r| over the four rotations: {tap_error:.1e}")
assert tap_error < 1e-3, tap_error

# %% [markdown]
# ## The learned rotation maps, read through a kernel
# The effective maps are what a cloned layer uses, and they *are* determined. To see them, pick a kernel with nine
# different taps, `k = [[1, 2, 3], [4, 5, 6], [7, 8, 9]]`, and compute for the centre output pixel `p` the 3×3 filter
# the student applies in each rotation: `Σ_c k_c E'_{r,c}[p, ·]`, cut to the 3×3 neighbourhood `p` reads. The exact
# answer is `rot90^r(k)`.

# %%
effective = student.effective_maps()
kernel = np.arange(1, 10, dtype=np.float32)
i0 = j0 = m // 2
p = i0 * m + j0
fig, axes = plt.subplots(2, 4, figsize=(9, 5), layout="constrained")
for r in range(4):
    for row, (label, e) in enumerate((("learned", effective), ("exact rot90^r(k)", exact))):
        applied = np.einsum("c,cq->q", kernel, e[r, :, p]).reshape(n, n)[i0:i0 + 3, j0:j0 + 3]
        ax = axes[row, r]
        image = ax.imshow(applied, cmap="viridis", vmin=0, vmax=9)
        for (i, j), v in np.ndenumerate(applied):
            ax.text(j, i, f"{v:.2f}", ha="center", va="center", fontsize=8, color="white" if v < 5 else "black")
        ax.set_xticks([]), ax.set_yticks([])
        ax.set_title(f"{label}, r = {r} ({90 * r}°)", fontsize=8)
fig.colorbar(image, ax=axes, fraction=0.03, label="filter weight")
fig.suptitle("The 3×3 filter the clone applies at the centre pixel, per rotation, for k = 1…9", fontsize=10)
plt.show()
for r in range(4):
    applied = np.einsum("c,cq->q", kernel, effective[r, :, p]).reshape(n, n)[i0:i0 + 3, j0:j0 + 3]
    assert np.abs(applied - np.rot90(kernel.reshape(3, 3), r)).max() < 1e-3, r
errors = cloning.structure_error(effective, exact)
print(f"all effective maps vs exact: max |Δ| {errors['max_abs']:.1e}, relative {errors['relative']:.1e}")
assert errors["max_abs"] < 1e-4 and errors["relative"] < 1e-4, errors

# %% [markdown]
# ## mlp2gcnn and the equivariance of the cloned MLP
# Rebuild a small G-CNN (lifting convolution → ReLU → group convolution, random weights) with cloned structures and
# compare three models on the same Gaussian inputs, for every rotation `g`: the relative error
# `max|f(g·x) − g·f(x)| / max|g·f(x)|`, where `g` rotates the image and, on the output, rotates each feature map and
# cycles its four orientation channels.
#
# - the **G-CNN**: equivariant by construction, so its error is float32 rounding;
# - the **cloned MLP** (`cloning.mlp2gcnn`): two dense layers whose matrices come from the clone above (for `n×n`
#   inputs) and a second clone for the group convolution's `(n−2)×(n−2)` inputs (`cloned_structure` caches it);
# - a **plain MLP**: one dense layer with the same input and output shapes and random (Glorot) weights — an MLP
#   that has not been taught anything about rotations.

# %%
gcnn = keras.Sequential([keras.Input((n, n, 1)), LiftingConv2D(4, 3, activation="relu"),
                         GroupConv2D(4, 3)], name="gcnn")
second, second_info = cloning.cloned_structure(n - 2, "C4", steps=steps, verbose=0 if FAST else 1)  # cached
print(f"clone for {n - 2}×{n - 2} inputs: relative error of its maps {second_info['structure_relative_error']:.1e}")
structures = {n: effective, n - 2: second}  # one clone per input size
cloned_mlp = cloning.mlp2gcnn(gcnn, lambda size, group: structures[size])
plain = keras.Sequential([keras.Input((n, n, 1)), keras.layers.Flatten(),
                          keras.layers.Dense((n - 4) ** 2 * 16), keras.layers.Reshape((n - 4, n - 4, 16))],
                         name="plain_mlp")
x = np.random.default_rng(2).normal(size=(16, n, n, 1)).astype("float32")
gap = np.abs(ops.convert_to_numpy(cloned_mlp(x)) - ops.convert_to_numpy(gcnn(x))).max() / \
    np.abs(ops.convert_to_numpy(gcnn(x))).max()
print(f"cloned MLP vs G-CNN outputs: max relative difference {gap:.1e}")
assert gap < 1e-4, gap
reports = {name: equivariance_error(model, "C4", x, "image", "field")
           for name, model in [("G-CNN", gcnn), ("cloned MLP (mlp2gcnn)", cloned_mlp), ("plain MLP", plain)]}
for name, rep in reports.items():
    print(f"{name:<24}" + "  ".join(f"{rep.group.describe(g)}: {e:.1e}" for g, e in rep.errors.items()))

# %%
rotations = [1, 2, 3]  # the identity's error is 0 for every model
fig, ax = plt.subplots(figsize=(8, 4))
width = 0.27
for k, (name, rep) in enumerate(reports.items()):
    values = [rep.errors[g] for g in rotations]
    bars = ax.bar(np.arange(3) + (k - 1) * width, values, width, label=name)
    ax.bar_label(bars, labels=[f"{v:.1e}" for v in values], fontsize=7, padding=2)
ax.set_yscale("log")
ax.set_ylim(1e-9, 1e2)
ax.set_xticks(np.arange(3), [reports["G-CNN"].group.describe(g) for g in rotations])
ax.set_ylabel("relative equivariance error")
ax.set_title("C4 equivariance error per rotation: the clone inherits the symmetry")
ax.legend(loc="upper left", ncols=3, fontsize=8)
ax.grid(axis="y", alpha=0.3)
fig.tight_layout()
plt.show()

# %%
g_err, c_err, p_err = (reports[k].max_error for k in ("G-CNN", "cloned MLP (mlp2gcnn)", "plain MLP"))
assert g_err < 1e-5, g_err
assert g_err < c_err < 1e-3, (g_err, c_err)
assert p_err > 0.1 and c_err < 1e-3 * p_err, (c_err, p_err)
clone_error = max(errors["relative"], second_info["structure_relative_error"])
assert c_err < 30 * clone_error, (c_err, clone_error)  # same order as the clones' own relative map errors
print(f"largest error: G-CNN {g_err:.1e} (float32 rounding), cloned MLP {c_err:.1e} (the clone's own error), "
      f"plain MLP {p_err:.1e}: the cloned MLP is {p_err / c_err:.0e}× closer to equivariant than the plain MLP and "
      f"{c_err / g_err:.0f}× further than the G-CNN; the clones' relative map errors are up to {clone_error:.1e}")

# %% [markdown]
# The cloned MLP is a fully connected network, yet it is C4-equivariant to within the accuracy of its clone: many
# orders of magnitude better than a plain MLP, and above the G-CNN only by the clone's small residual error. Lesson 9
# lets training move these maps away from the symmetry — on purpose, when the task needs it.
#
# ## Your turn
# [`exercises/ex08_rotation_cloning.py`](../exercises/ex08_rotation_cloning.py): the 9×9 permutation that rotates kernel taps. Grade with
# `symkeras.check("ex08")`.
