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
# # Lesson 11 — Symmetry in 3D: molecules, energies and forces
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/OWNER/symkeras/blob/main/lessons/11_molecules_energies_forces.ipynb)
#
# **Description:** learn the forces on the atoms of a copper cluster from molecular-dynamics frames of a real
# interatomic potential; build an E(3)-equivariant graph network (EGNN) whose energy is invariant and whose forces,
# `F = −∂E/∂x`, turn with the atoms exactly; compare it with an MLP on raw coordinates, with and without rotation
# augmentation, as the number of training frames grows.
#
# **Run time:** about 4–6 minutes in fast mode and 11–18 in full mode, measured on 2 CPU cores shared with other
# work (load average 4–6); it trains 12 / 27 small networks, and full mode is well over the course's 5-minute aim.
# The last cell prints how long this run took.
#
# So far the outputs were labels (invariant) or feature maps (equivariant on a pixel grid). Here the output has
# physical structure: one **force vector per atom**. Turn a molecule and its energy stays the same, but every force
# turns with it. Relabel the atoms and the forces are relabelled. Move the molecule and nothing changes. A model that
# gets this wrong predicts different physics for the same molecule seen from another angle.
#
# | quantity | under a rotation or reflection `R`, a translation `t`, a relabelling `σ` of the atoms |
# |---|---|
# | positions `x` `(n, 3)` | `x_i ↦ R x_{σ⁻¹(i)} + t` |
# | energy `E` (a number) | unchanged: **invariant** |
# | forces `F` `(n, 3)` | `F_i ↦ R F_{σ⁻¹(i)}` (no translation): **equivariant** |

# %%
# In Colab or a fresh Python: install symkeras with its course material, and fetch this lesson's exercise file.
try:
    import symkeras
except ImportError:
    import subprocess
    import sys

    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "symkeras[course]"], check=True)
    import symkeras
symkeras.course.fetch_exercise("ex11");

# %%
import time

import keras
import matplotlib.pyplot as plt
import numpy as np
from ase import Atoms
from ase.calculators.emt import EMT

from symkeras import data, groups
from symkeras.course import lesson_banner
from symkeras.equivariance import check_equivariance, check_invariance, equivariance_error
from symkeras.forces import ForceField, egnn_energy, mlp_energy
from symkeras.layers import EGNNLayer, squared_distances

FAST = lesson_banner(figures=4)
started = time.perf_counter()

# %% [markdown]
# ## The data: molecular dynamics of Cu₁₃ under a real potential
# ASE (the Atomic Simulation Environment) ships the **EMT** potential (effective-medium theory), a many-body model of
# metals such as copper. `data.copper_cluster_md` starts a 13-atom copper icosahedron, heats it to 800 K with a
# Langevin thermostat and records every 10th step: positions (Å), the potential energy (eV) and the forces (eV/Å) EMT
# computes. The run is seeded and cached like MNIST (generated once in about 10–15 s, checksum verified on each load).

# %%
trajectory = data.copper_cluster_md(frames=500, temperature=800, seed=0)
print(f"{len(trajectory)} frames of {trajectory.atoms} atoms; energy {trajectory.energies.mean():.2f} ± "
      f"{trajectory.energies.std():.2f} eV, mean |force component| {np.abs(trajectory.forces).mean():.2f} eV/Å")
pairs = np.sqrt(squared_distances(trajectory.positions)[..., 0])
nearest = np.where(np.eye(trajectory.atoms, dtype=bool), np.inf, pairs).min(axis=2)
print(f"nearest-neighbour distances {nearest.min():.2f}–{nearest.max():.2f} Å (bulk copper: 2.55 Å)")
assert trajectory.positions.shape == (500, 13, 3) and trajectory.forces.shape == (500, 13, 3)
assert 2.0 < nearest.min() and nearest.max() < 3.2, "a bound cluster: no atom closer than 2 Å or lost"

# %% [markdown]
# **The physics has the symmetry.** Two checks on EMT itself. The forces of every frame add up to zero (Newton's
# third law — equivalently, the energy does not change when the whole cluster moves). And if we rotate or mirror a
# frame and ask EMT again, we get the same energy and the rotated forces.

# %%
net_force = np.abs(trajectory.forces.sum(axis=1)).max()
print(f"largest |Σ_i F_i| over all frames: {net_force:.1e} eV/Å")
assert net_force < 1e-8


def emt(positions):
    atoms = Atoms(numbers=trajectory.numbers, positions=positions)
    atoms.calc = EMT()
    return atoms.get_potential_energy(), atoms.get_forces()


x0, rotation = trajectory.positions[0], groups.O3.matrix(2)  # element 2 of O(3): a rotation
mirror = groups.O3.matrix(1)  # element 1: a reflection (det −1)
energy0, forces0 = emt(x0)
for name, m in (("rotation", rotation), ("reflection", mirror)):
    energy_m, forces_m = emt(x0 @ m.T)
    print(f"{name} (det {np.linalg.det(m):+.0f}): |ΔE| = {abs(energy_m - energy0):.1e} eV, "
          f"max |F(x Rᵀ) − F(x) Rᵀ| = {np.abs(forces_m - forces0 @ m.T).max():.1e} eV/Å")
    assert abs(energy_m - energy0) < 1e-9 and np.abs(forces_m - forces0 @ m.T).max() < 1e-9

# %%
rotated_x, rotated_f = x0 @ rotation.T, emt(x0 @ rotation.T)[1]
panels = [(x0, forces0, "frame x, EMT forces F(x)"),
          (rotated_x, rotated_f, "rotated frame x Rᵀ, EMT forces F(x Rᵀ)"),
          (rotated_x, forces0 @ rotation.T, "rotated frame, rotated forces F(x) Rᵀ")]
fig = plt.figure(figsize=(13, 4.6))
for k, (pos, force, title) in enumerate(panels):
    ax = fig.add_subplot(1, 3, k + 1, projection="3d")
    ax.scatter(*pos.T, s=220, color="#b87333", edgecolors="k", depthshade=False)
    ax.quiver(*pos.T, *force.T, length=1.5, color="tab:blue", linewidth=1.5)
    ax.set_title(title, fontsize=10)
    ax.set_xlabel("x (Å)"), ax.set_ylabel("y (Å)"), ax.set_zlabel("z (Å)")
    lim = np.abs(np.concatenate([x0, rotated_x])).max() + 0.8
    ax.set_xlim(-lim, lim), ax.set_ylim(-lim, lim), ax.set_zlim(-lim, lim)
    ax.set_box_aspect((1, 1, 1), zoom=0.85)  # equal axes; room for the z label
fig.suptitle("The commuting diagram in 3-D: forces turn with the atoms (Cu atoms; arrows: force, 1 eV/Å drawn as "
             "1.5 Å; panels 2 and 3 are equal)", fontsize=11)
fig.tight_layout()
plt.show()

# %% [markdown]
# ## An E(3)-equivariant graph layer
# `EGNNLayer` (Satorras, Hoogeboom & Welling 2021) treats the cluster as a fully connected graph. Each atom `i`
# carries scalar features `h_i` (here just "copper": `h = 1`) and a position `x_i`:
#
# * messages from invariants only: `m_ij = φ_e(h_i, h_j, |x_i − x_j|²)`;
# * positions move along the relative vectors: `x_i' = x_i + 1/(n−1) · Σ_j (x_i − x_j) φ_x(m_ij)`;
# * features from the mean message: `h_i' = φ_h(h_i, 1/(n−1) · Σ_j m_ij)`.
#
# `|x_i − x_j|²` does not change under rotations, reflections or translations, and sums over `j` do not care about
# the order of the atoms, so `h'` is invariant and `x'` moves exactly as `x` does. `check_equivariance` with the
# point-cloud action checks it for random elements of `E(3) × S₁₃` (rotations, reflections, translations and
# relabellings at once); the layer's own `check_equivariance` uses that group. We check in float64, where the
# tolerance is 1e-12: nothing but round-off may remain. In float32 (7 digits) the same check leaves more round-off,
# amplified by the network; it is printed below and bounded by 1e-4.

# %%
sample = trajectory.positions[:8]  # float64
layer = EGNNLayer(16, dtype="float64")
report = layer.check_equivariance(sample)  # E(3)×S13, (h, x) → (h', x'); raises over the float64 tolerance 1e-12
print(f"{report.group.name}: max relative error {report.max_error:.1e} over {report.coverage()}; the first rows:")
print("\n".join(report.table().splitlines()[:5]))
assert report.max_error < 1e-12
report32 = EGNNLayer(16).equivariance_error(sample.astype("float32"))
print(f"the same check in float32: max relative error {report32.max_error:.1e}")
assert report32.max_error < 1e-4

# %% [markdown]
# ## Energy models and their forces
# An energy model maps positions `(batch, 13, 3)` to one number per frame. `egnn_energy` stacks two EGNN layers and
# sums a per-atom energy, so `E` is invariant; `mlp_energy` flattens the 39 coordinates into an MLP, with no
# symmetry built in. `ForceField` turns either into a force field by automatic differentiation, `F = −∂E/∂x` (on
# TensorFlow a `GradientTape` inside `call`; the optimiser differentiates it once more). By the chain rule an
# invariant `E` has exactly equivariant forces: `E(x Rᵀ + t) = E(x)` for all `x` ⇒ `F(x Rᵀ + t) = F(x) Rᵀ`.
# Checked here on untrained models in float64 (tolerance 1e-12).

# %%
units, layers = 32, 2
egnn_field = ForceField(egnn_energy(units, layers, dtype="float64"))
mlp_field = ForceField(mlp_energy(trajectory.atoms, (128, 128), dtype="float64"))
e3 = groups.EuclideanGroup(reflections=True, translations=True, atoms=trajectory.atoms)  # E(3)×S13
for name, field in (("EGNN", egnn_field), ("MLP", mlp_field)):
    energy_error = equivariance_error(lambda p, f=field: f(p)["energy"], e3, sample, "points", "trivial", samples=6)
    force_error = equivariance_error(lambda p, f=field: f(p)["forces"], e3, sample, "points", "vectors", samples=6)
    print(f"untrained {name}: energy invariance error {energy_error.max_error:.1e}, "
          f"force equivariance error {force_error.max_error:.1e} over {force_error.coverage()}")
check_invariance(lambda p: egnn_field(p)["energy"], e3, sample, in_action="points", samples=6)
check_equivariance(lambda p: egnn_field(p)["forces"], e3, sample, "points", "vectors", samples=6)
assert equivariance_error(lambda p: mlp_field(p)["forces"], e3, sample, "points", "vectors", samples=6).max_error > 0.1

# %% [markdown]
# ## The experiment: force error against the number of training frames
# The first 300 frames are the training pool, the last 200 (later in time) the test set. Each **test frame is shown
# at a random orientation** (a seeded rotation per frame): the physics is the same, so a good model must be too.
#
# Three models, each trained on the forces only (mean squared error; the energy is then learnt up to a constant,
# which forces cannot see), with Adam and a cosine-decayed rate for the same number of steps of 32 frames:
#
# * **EGNN** — the invariant energy model;
# * **MLP** — the same 39 raw coordinates the frames come in;
# * **MLP + augmentation** — every training batch turned by fresh random rotations (positions and target forces).
#
# The score is the mean absolute error of the force components on the test set (eV/Å); predicting zero forces
# scores the mean |F| of the test set, drawn as a dashed line.

# %%
sizes, seeds, steps = ((16, 64), (0, 1), 250) if FAST else ((8, 32, 128), (0, 1, 2), 400)
pool, test = trajectory.split(300, 200)
test_rotations = np.stack([groups.SO3.matrix(g) for g in range(1, len(test) + 1)])
x_test = np.einsum("fij,fkj->fki", test_rotations, test.positions).astype("float32")  # x Rᵀ, one R per frame
f_test = np.einsum("fij,fkj->fki", test_rotations, test.forces).astype("float32")
zero_baseline = float(np.abs(f_test).mean())
print(f"training sizes {sizes}, seeds {seeds}, {steps} steps of 32 frames each; test: {len(test)} rotated frames; "
      f"zero-force baseline {zero_baseline:.3f} eV/Å")


def random_rotations(rng, count):
    q, r = np.linalg.qr(rng.normal(size=(count, 3, 3)))
    q = q * np.sign(np.diagonal(r, axis1=1, axis2=2))[:, None, :]  # Haar-random orthogonal
    return q * np.sign(np.linalg.det(q))[:, None, None]  # proper rotations


class Batches(keras.utils.PyDataset):
    """`steps` batches of 32 frames drawn from the training frames; with `augment`, each frame turned at random."""

    def __init__(self, frames, augment, seed):
        super().__init__()
        self.frames, self.augment, self.rng = frames, augment, np.random.default_rng(seed)

    def __len__(self):
        return steps

    def __getitem__(self, index):
        pick = self.rng.integers(0, len(self.frames), 32)
        x, f = self.frames.positions[pick], self.frames.forces[pick]
        if self.augment:
            r = random_rotations(self.rng, 32)
            x, f = np.einsum("bij,bkj->bki", r, x), np.einsum("bij,bkj->bki", r, f)
        return x.astype("float32"), {"forces": f.astype("float32")}


def train(kind, frames, seed):
    keras.utils.set_random_seed(seed)
    energy = egnn_energy(units, layers) if kind == "EGNN" else mlp_energy(trajectory.atoms, (128, 128))
    field = ForceField(energy)
    field.compile(keras.optimizers.Adam(keras.optimizers.schedules.CosineDecay(1e-2, steps)),
                  loss={"forces": "mse"}, jit_compile=True)
    field.fit(Batches(frames, kind == "MLP + augmentation", seed), epochs=1, verbose=0)
    return field


def force_mae(field, x, f):
    return float(np.abs(field.predict(x, batch_size=100, verbose=0)["forces"] - f).mean())


kinds = ("EGNN", "MLP", "MLP + augmentation")
errors, train_errors, fields = {k: np.zeros((len(sizes), len(seeds))) for k in kinds}, {}, {}
t0 = time.perf_counter()
for i, n in enumerate(sizes):
    for j, seed in enumerate(seeds):
        pick = np.sort(np.random.default_rng(seed).choice(len(pool), n, replace=False))  # each seed its own frames
        frames = data.Trajectory(pool.positions[pick], pool.energies[pick], pool.forces[pick], pool.numbers)
        for kind in kinds:
            field = train(kind, frames, seed)
            errors[kind][i, j] = force_mae(field, x_test, f_test)
            if n == sizes[-1] and seed == seeds[0]:
                fields[kind] = field
                train_errors[kind] = force_mae(field, frames.positions.astype("float32"), frames.forces)
    print(f"{n:>4} frames: " + "; ".join(f"{k} {errors[k][i].mean():.3f} ± {errors[k][i].std():.3f}" for k in kinds)
          + f" eV/Å  ({time.perf_counter() - t0:.0f} s so far)")

# %% [markdown]
# What the table says, checked for every training size (means over the seeds):

# %%
mean = {k: errors[k].mean(axis=1) for k in kinds}
for i, n in enumerate(sizes):
    print(f"{n:>4} frames: EGNN {mean['EGNN'][i]:.3f} eV/Å = {mean['EGNN'][i] / zero_baseline:.0%} of the zero "
          f"baseline; best MLP {min(mean['MLP'][i], mean['MLP + augmentation'][i]):.3f} "
          f"({min(mean['MLP'][i], mean['MLP + augmentation'][i]) / zero_baseline:.0%})")
assert all(mean["EGNN"] < mean["MLP"]) and all(mean["EGNN"] < mean["MLP + augmentation"]), "EGNN best at every size"
assert mean["EGNN"][-1] < 0.5 * zero_baseline, "the EGNN learns the forces (half the zero-force error or better)"
trend = mean["EGNN"][-1] - mean["EGNN"][0]
lead = np.minimum(mean["MLP"], mean["MLP + augmentation"]) - mean["EGNN"]
print(f"EGNN from {sizes[0]} to {sizes[-1]} frames: {trend:+.3f} eV/Å ({trend / mean['EGNN'][0]:+.0%}); its lead "
      f"over the better MLP: {lead.min():.3f} eV/Å or more")
assert abs(trend) < lead.min(), "more frames changed the EGNN less than its lead over the MLPs"
assert all(mean["EGNN"] < 0.6 * np.minimum(mean["MLP"], mean["MLP + augmentation"])), "by a wide margin"
assert min(mean["MLP"].min(), mean["MLP + augmentation"].min()) > 0.8 * zero_baseline, (
    "neither MLP gets 20% below predicting zero")
assert all(mean["MLP"] > zero_baseline), "the plain MLP does worse than zero forces on rotated frames"
print(f"the plain MLP is worse than predicting zero forces: {mean['MLP'].min() / zero_baseline:.1f}× or more")
print(f"training-set error of the MLP on its {sizes[-1]} frames: {train_errors['MLP']:.3f} eV/Å "
      f"(test {errors['MLP'][-1, 0]:.3f}); EGNN {train_errors['EGNN']:.3f} (test {errors['EGNN'][-1, 0]:.3f})")

# %%
fig, ax = plt.subplots(figsize=(9, 4.6))
for kind, marker in zip(kinds, "osD"):
    ax.errorbar(sizes, errors[kind].mean(axis=1), yerr=errors[kind].std(axis=1), marker=marker, capsize=4,
                label=kind)
ax.axhline(zero_baseline, color="gray", linestyle="--", label="predict zero forces")
ax.set_xscale("log"), ax.set_yscale("log")
ax.minorticks_off()
ax.set_xticks(sizes, [str(n) for n in sizes])
ax.set_xlabel("training frames (13 atoms each)")
ax.set_ylabel("force error on rotated test frames (MAE, eV/Å)")
ax.set_title(f"Sample efficiency: mean ± std over {len(seeds)} seeds, {steps} training steps each")
ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1))
fig.tight_layout()
plt.show()

# %% [markdown]
# Where do the errors come from? A parity plot of predicted against true force components on the rotated test
# frames, for the models trained on the most frames (seed 0).

# %%
fig, axes = plt.subplots(1, 3, figsize=(12, 4), sharex=True, sharey=True)
for ax, kind in zip(axes, kinds):
    predicted = fields[kind].predict(x_test, batch_size=100, verbose=0)["forces"]
    ax.scatter(f_test.ravel(), np.asarray(predicted).ravel(), s=2, alpha=0.3)
    lim = np.abs(f_test).max()
    ax.plot([-lim, lim], [-lim, lim], color="k", linewidth=0.8)
    ax.set_title(f"{kind}: MAE {np.abs(np.asarray(predicted) - f_test).mean():.3f} eV/Å", fontsize=10)
    ax.set_xlabel("EMT force component (eV/Å)")
axes[0].set_ylabel("predicted force component (eV/Å)")
fig.suptitle(f"Predicted vs true forces on {len(test)} rotated test frames ({sizes[-1]} training frames)")
fig.tight_layout()
plt.show()

# %% [markdown]
# ## How equivariant are the trained force fields?
# The force equivariance error `max|F(g·x) − g·F(x)| / max|g·F(x)|` of each trained model over sampled elements of
# four kinds of symmetry: rotations (`SO(3)`), mirror images, translations (`T(3)`) and relabellings of the atoms
# (`S₁₃`), on 16 test frames.

# %%
probe = test.positions[:16].astype("float32")
symmetries = {"rotations": groups.SO3,
              "reflections": groups.EuclideanGroup(rotations=False, reflections=True),
              "translations": groups.EuclideanGroup(rotations=False, translations=True),
              "permutations": groups.SymmetricGroup(trajectory.atoms)}
table = {kind: {name: equivariance_error(lambda p, f=fields[kind]: f(p)["forces"], group, probe, "points", "vectors",
                                         samples=8).max_error
                for name, group in symmetries.items()}
         for kind in kinds}
print(f"{'':<20}" + "".join(f"{name:>14}" for name in symmetries))
for kind in kinds:
    print(f"{kind:<20}" + "".join(f"{table[kind][name]:>14.1e}" for name in symmetries))
egnn_worst = max(table["EGNN"].values())
mlp_best = min(table[kind][name] for kind in kinds[1:] for name in symmetries)
print(f"EGNN: at most {egnn_worst:.1e} (float32 round-off); the MLPs: at least {mlp_best:.2f}")
assert egnn_worst < 1e-4 and egnn_worst < 1e-4 * mlp_best, "EGNN forces: exact up to float32 round-off"
assert all(table[kind][name] > 0.1 for kind in kinds[1:] for name in symmetries), "both MLPs: of order one"

# %%
fig, ax = plt.subplots(figsize=(10, 4.2))
width = 0.26
for k, kind in enumerate(kinds):
    values = [table[kind][name] for name in symmetries]
    ax.bar(np.arange(len(symmetries)) + (k - 1) * width, values, width, label=kind)
ax.set_yscale("log")
ax.axhline(1e-4, color="gray", linestyle=":", label="asserted bound for the EGNN, 1e-4")
ax.set_xticks(np.arange(len(symmetries)), list(symmetries))
ax.set_ylabel("force equivariance error (relative)")
ax.set_title("Trained force fields: the EGNN's error is round-off, the MLPs' is of order one")
ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1))
fig.tight_layout()
plt.show()

# %% [markdown]
# **What augmentation did.** Random rotations during training lowered the MLP's rotation error, but every error of
# the augmented MLP is still of order one — including the relabelling of the atoms, which it never saw:

# %%
aug, plain = table["MLP + augmentation"], table["MLP"]
print(f"rotations: MLP {plain['rotations']:.2f} → with augmentation {aug['rotations']:.2f}; "
      f"permutations: {plain['permutations']:.2f} → {aug['permutations']:.2f}")
assert aug["rotations"] < plain["rotations"] and min(aug.values()) > 0.1

# %% [markdown]
# ## What to take away
# * When the output has structure — a vector per atom — the symmetry is not "the label stays the same" but "the
#   output moves with the input". An **invariant energy** differentiated by autodiff gives **equivariant,
#   conservative forces** for free and exactly.
# * The EGNN needed no augmentation to be right at every orientation; at each training size above its force error
#   was below 60% of the better MLP's (on raw coordinates, with or without rotation augmentation), and the MLP
#   without augmentation did worse on rotated frames than predicting no force at all.
# * Over this range of sizes, more frames changed the EGNN's error by less than its lead over the better MLP
#   (printed above; how much more data helps it varies between runs), while neither MLP came 20% below the
#   zero-force line at any size. A caveat from the seeds: a training run can sit on a plateau near the zero-force
#   error for a while before it drops, which is what makes the EGNN's spread between seeds large at some sizes.
# * Augmentation only approximates a symmetry, and only the part of it you sample: rotating the training frames does
#   little for the relabelling of identical atoms, and within this training budget the augmented MLP learnt
#   little more than "forces are small" (its parity plot is flat).
#
# Going further: 3-D equivariant networks with higher-order features (spherical harmonics: e3nn, NequIP, MACE) and,
# in protein structure, AlphaFold2's invariant point attention, which is invariant to global rotations and
# translations of the frames it attends over.

# %%
print(f"This notebook ran for {(time.perf_counter() - started) / 60:.1f} minutes ({'fast' if FAST else 'full'} mode).")

# %% [markdown]
# ## Your turn
# [`exercises/ex11_molecules.py`](../exercises/ex11_molecules.py): the invariant edge features of an EGNN and a
# check of force equivariance. Grade with `symkeras.check("ex11")`.
