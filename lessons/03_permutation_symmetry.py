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
# # Lesson 3 — Permutation symmetry: sets, graphs and attention
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/OWNER/symkeras/blob/main/lessons/03_permutation_symmetry.ipynb)
#
# **Description:** the permutation-equivariant linear layer, DeepSets `ρ(Σ φ(x_i))` on sets of MNIST digits of any
# size, message passing as the same idea, and why attention needs positional encodings.
#
# A set has no order: a model of a set must give the same answer for every ordering (**invariance**), or reorder its
# per-element outputs along with the input (**equivariance**). The group is `S(n)`, all `n!` permutations of `n`
# elements. Sets are stored as arrays `(batch, n, features)`; a permutation `σ` moves element `i` to position `σ(i)`.

# %%
# In Colab or a fresh Python: install symkeras with its course material, and fetch this lesson's exercise file.
try:
    import symkeras
except ImportError:
    import subprocess
    import sys

    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "symkeras[course]"], check=True)
    import symkeras
symkeras.course.fetch_exercise("ex03");

# %%
import itertools
import time

import keras
import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf

from symkeras import data
from symkeras.course import lesson_banner
from symkeras.equivariance import check_equivariance, check_invariance, equivariance_error
from symkeras.groups import SymmetricGroup
from symkeras.layers import PermutationEquivariantDense, SetPooling

FAST = lesson_banner(figures=7)
rng = np.random.default_rng(0)

# %% [markdown]
# ## Which linear maps commute with every permutation?
# Take one number per element, `x ∈ ℝⁿ`, and a linear map `W`. Equivariance asks `W P = P W` for every permutation
# matrix `P`. As in lesson 2, averaging any `W` over the group, `W̄ = (1/n!) Σ_P Pᵀ W P`, produces such a map — and
# the result has only **two** free numbers, whatever `n`: one value `λ` on the diagonal (an element's effect on
# itself) and one value `γ` everywhere else (every other element's effect, all alike because none is special):
#
# `W̄ = λ I + γ (1 1ᵀ − I)`, i.e. `y_i = (λ − γ) x_i + γ Σ_j x_j`.
#
# Averaging keeps the diagonal's mean, `λ = trace(W)/n`, and the off-diagonal mean, `γ`. Below: all `5! = 120`
# permutations of a random `5 × 5` map.

# %%
n_small = 5
w = rng.normal(size=(n_small, n_small))
perm_matrices = [np.eye(n_small)[list(p)] for p in itertools.permutations(range(n_small))]
w_bar = sum(p.T @ w @ p for p in perm_matrices) / len(perm_matrices)
lam, gam = np.trace(w) / n_small, (w.sum() - np.trace(w)) / (n_small * (n_small - 1))


def commutator(m):
    """Largest |M P − P M| over all 120 permutation matrices."""
    return max(np.abs(m @ p - p @ m).max() for p in perm_matrices)


print(f"random W:   max |WP − PW| = {commutator(w):.2f}")
print(f"average W̄:  max |W̄P − PW̄| = {commutator(w_bar):.1e}; λ = {lam:.3f}, γ = {gam:.3f}")
assert commutator(w) > 0.5 and commutator(w_bar) < 1e-12
assert np.allclose(w_bar, lam * np.eye(n_small) + gam * (1 - np.eye(n_small)), atol=1e-12)

# %%
fig, axes = plt.subplots(1, 2, figsize=(10.5, 4.2), layout="constrained")
for ax, m, title in [(axes[0], w, "a random linear map W\n(not equivariant)"),
                     (axes[1], w_bar, f"W̄: W averaged over all 120 permutations\n"
                                      f"λ = {lam:.2f} on the diagonal, γ = {gam:.2f} elsewhere")]:
    limit = np.abs(m).max()
    im = ax.imshow(m, cmap="RdBu_r", vmin=-limit, vmax=limit)
    for (i, j), value in np.ndenumerate(m):
        ax.text(j, i, f"{value:.2f}", ha="center", va="center", fontsize=8,
                color="white" if abs(value) > 0.6 * limit else "black")
    ax.set(title=title, xlabel="input element j", ylabel="output element i", xticks=range(n_small),
           yticks=range(n_small))
    fig.colorbar(im, ax=ax, label="weight (own colour scale)")
plt.show()

# %% [markdown]
# With `F` features per element, `λ` and `γ` become `F × units` matrices `Λ` and `Γ`:
# `y_i = x_i Λ + pool_j(x_j) Γ + b`. That is `PermutationEquivariantDense` (the pool is a mean by default, so the
# layer behaves the same for small and large sets). Its weight count does not depend on `n`, so one layer serves
# sets of every size. We check it on all 24 orderings of sets of 4 and all 120 of sets of 5:

# %%
layer = PermutationEquivariantDense(8)
for n in (4, 5):
    report = check_equivariance(layer, SymmetricGroup(n), rng.normal(size=(3, n, 6)).astype("float32"), "set", "set")
    print(f"n = {n}: max relative error over all {SymmetricGroup(n).order} permutations: {report.max_error:.1e}")
    assert report.passed
print(f"parameters: {layer.count_params()} (= 2 × 6 × 8 + 8) for sets of any size")
assert layer.count_params() == 2 * 6 * 8 + 8

# %% [markdown]
# ## A set task: the sum of a set of digits
# Each example is a set of `n` MNIST digits drawn at random; the target is the sum of their labels. Training sets
# are dealt from the 60,000 training digits with `n = 1 … 5`; test sets come from the 10,000 test digits with
# `n = 1 … 10`, so sizes 6 – 10 are never seen in training. Dealing from shuffled decks keeps the draw uniform: every
# digit and every combination of labels can occur.

# %%
TRAIN_SIZES, TEST_SIZES = range(1, 6), range(1, 11)
train_per_size = 2000 if FAST else 16000
test_per_size = 300 if FAST else 1000
x_train, y_train = data.load_mnist("train")
x_test, y_test = data.load_mnist("test")


def deal_sets(labels, n, count):
    """`count` sets of `n` digit indices dealt from shuffled decks of the whole split, and their label sums."""
    decks = -(-count * n // len(labels))  # enough shuffled copies of the split
    index = np.concatenate([rng.permutation(len(labels)) for _ in range(decks)])[:count * n].reshape(count, n)
    return index, labels[index].sum(axis=1).astype("float32")


train_sets = {n: deal_sets(y_train, n, train_per_size) for n in TRAIN_SIZES}
test_sets = {n: deal_sets(y_test, n, test_per_size) for n in TEST_SIZES}
train_targets = np.concatenate([t for _, t in train_sets.values()])
test_targets = np.concatenate([t for _, t in test_sets.values()])
print(f"train: {len(train_targets):,} sets of 1–5 digits; sums range {train_targets.min():.0f}–"
      f"{train_targets.max():.0f} ({len(np.unique(train_targets))} distinct values), mean {train_targets.mean():.2f}")
print(f"test:  {len(test_targets):,} sets of 1–10 digits; sums range {test_targets.min():.0f}–"
      f"{test_targets.max():.0f} ({len(np.unique(test_targets))} distinct values)")
assert len(np.unique(train_targets)) >= 38 and len(np.unique(test_targets)) >= 60

# %%
shown = [(2, 0), (3, 0), (5, 0), (8, 0)]
fig, axes = plt.subplots(len(shown), 8, figsize=(9, 5.2))
for row, (n, k) in enumerate(shown):
    index, target = test_sets[n]
    for col in range(8):
        ax = axes[row, col]
        ax.axis("off")
        if col < n:
            ax.imshow(x_test[index[k, col]], cmap="gray_r")
            ax.set_title(str(y_test[index[k, col]]), fontsize=9)
    axes[row, 0].text(-0.25, 0.5, f"n = {n}\nsum = {target[k]:.0f}", transform=axes[row, 0].transAxes,
                      ha="right", va="center", fontsize=10)
fig.suptitle("Four test sets (digit labels above each image); the target is the sum")
fig.subplots_adjust(left=0.14)
plt.show()

# %% [markdown]
# A batch is a rectangular tensor, so one batch holds sets of one size; each size is batched on its own and the
# batches of all sizes are shuffled together. The digits are gathered from the image array batch by batch.

# %%
def set_batches(images, sets, batch_size=64, pad_to=None, seed=0):
    """A tf.data stream of (digits (B, n, 784) in [0, 1], sums (B,)); `pad_to`: zero-pad to that many digits and
    flatten to (B, pad_to·784), the input of a model that sees the set as one long vector."""
    pixels = tf.constant(images.reshape(len(images), -1))
    streams = [tf.data.Dataset.from_tensor_slices(s).shuffle(len(s[1]), seed=seed + n).batch(batch_size)
               for n, s in sets.items()]
    batches = tf.data.Dataset.sample_from_datasets(streams, seed=seed, stop_on_empty_dataset=False)
    batches = batches.apply(tf.data.experimental.assert_cardinality(sum(int(s.cardinality()) for s in streams)))

    def load(index, target):
        x = tf.cast(tf.gather(pixels, index), "float32") / 255
        if pad_to:
            x = tf.pad(x, [[0, 0], [0, pad_to - tf.shape(x)[1]], [0, 0]])
            x = tf.reshape(x, (-1, pad_to * 28 * 28))
        return x, target

    return batches.map(load).prefetch(2)


def set_array(images, index):
    """The digits of sets `index` (count, n) as float32 (count, n, 784)."""
    return images[index].reshape(*index.shape, 28 * 28).astype("float32") / 255


# %% [markdown]
# ## DeepSets: `ρ(Σ φ(x_i))`
# Every digit is embedded by the same `φ`; one `PermutationEquivariantDense` lets each element see the set's mean;
# the sum `Σ` is the only step that mixes elements and it ignores their order; `ρ` reads the answer out. Nothing in
# the model depends on `n`. Training prints one line per epoch and then its duration: expect one to two minutes
# per model in full mode on 2 CPU cores (more on a busy machine), under a minute in fast mode.

# %%
deep_sets = keras.Sequential([
    keras.Input((None, 28 * 28)),                          # a set of any size n
    keras.layers.Dense(128, activation="relu"),            # φ, the same on every element
    keras.layers.Dense(64, activation="relu"),
    PermutationEquivariantDense(64, activation="relu"),    # each element also sees a summary of the set
    SetPooling("sum"),                                     # Σ: invariant
    keras.layers.Dense(64, activation="relu"),             # ρ
    keras.layers.Dense(1),
], name="deep_sets")
deep_sets.compile(optimizer="adam", loss="mse", metrics=["mae"])
EPOCHS, BATCH = (12, 64) if FAST else (10, 128)
start = time.perf_counter()
deep_sets.fit(set_batches(x_train, train_sets, BATCH), epochs=EPOCHS, shuffle=False, verbose=2)  # already shuffled
print(f"DeepSets trained in {time.perf_counter() - start:.0f} s")

# %% [markdown]
# ## Baselines, and a model that sees the set as a list
# Two baselines that ignore the images: the **mean** of the training sums (one number for every set), and
# **`n` × the mean training digit** (it knows the size). A model is only useful if it beats both.
#
# The obvious non-invariant model concatenates the digits into one vector: a **flat MLP** on 5 × 784 inputs (smaller
# sets zero-padded) with the same hidden widths (128, 64, 64, 64), trained on the same sets for the same epochs. Its
# input width fixes the largest set it can take: it cannot even be applied to 6 digits.

# %%
MAX_FLAT = max(TRAIN_SIZES)
flat = keras.Sequential([
    keras.Input((MAX_FLAT * 28 * 28,)),
    keras.layers.Dense(128, activation="relu"),
    keras.layers.Dense(64, activation="relu"),
    keras.layers.Dense(64, activation="relu"),
    keras.layers.Dense(64, activation="relu"),
    keras.layers.Dense(1),
], name="flat_mlp")
flat.compile(optimizer="adam", loss="mse", metrics=["mae"])
start = time.perf_counter()
flat.fit(set_batches(x_train, train_sets, BATCH, pad_to=MAX_FLAT), epochs=EPOCHS, shuffle=False, verbose=2)
print(f"flat MLP trained in {time.perf_counter() - start:.0f} s; weights: flat MLP {flat.count_params():,}, "
      f"DeepSets {deep_sets.count_params():,}")


def flat_predict(sets_array):
    """The flat MLP on sets (count, n ≤ 5, 784): zero-pad to 5 digits and flatten."""
    padded = np.zeros((len(sets_array), MAX_FLAT, 28 * 28), "float32")
    padded[:, :sets_array.shape[1]] = sets_array
    return flat.predict(padded.reshape(len(sets_array), -1), verbose=0, batch_size=1000)[:, 0]


# %%
mean_sum = train_targets.mean()
mean_digit = y_train.mean()
pred, mae = {}, {"DeepSets": {}, "flat MLP": {}, "mean of training sums": {}, "n × mean digit": {}}
for n, (index, target) in test_sets.items():
    sets_n = set_array(x_test, index)
    pred[n] = deep_sets.predict(sets_n, verbose=0, batch_size=1000)[:, 0]
    mae["DeepSets"][n] = np.abs(pred[n] - target).mean()
    if n <= MAX_FLAT:
        mae["flat MLP"][n] = np.abs(flat_predict(sets_n) - target).mean()
    mae["mean of training sums"][n] = np.abs(mean_sum - target).mean()
    mae["n × mean digit"][n] = np.abs(n * mean_digit - target).mean()
seen = {name: np.mean([m[n] for n in TRAIN_SIZES]) for name, m in mae.items()}
seen_targets = np.concatenate([test_sets[n][1] for n in TRAIN_SIZES])
print(f"test MAE on sets of the training sizes 1–5 (mean over sizes; these targets range {seen_targets.min():.0f}–"
      f"{seen_targets.max():.0f}):")
for name, value in seen.items():
    ratio = "" if name == "DeepSets" else f"   (DeepSets ÷ this: {seen['DeepSets'] / value:.2f})"
    print(f"  {name:<24} {value:5.2f}{ratio}")
assert seen["DeepSets"] < 0.5 * seen["n × mean digit"] < seen["mean of training sums"]
assert seen["DeepSets"] < 0.75 * seen["flat MLP"]

# %% [markdown]
# DeepSets' error is less than half that of the better baseline, and less than three quarters of the flat MLP's
# (the ratios are printed above; both bounds are asserted). A likely reason for the gap to the flat MLP: `φ` is one
# digit reader shared by every position and trained on every digit of every set, while the flat MLP has separate
# weights for each of its 5 input slots and must learn to read a digit in each of them. The scatter shows the
# predictions against the truth for the sizes seen in training and for the larger sizes never seen.

# %%
fig, axes = plt.subplots(1, 2, figsize=(11, 4.8), sharey=False)
for ax, sizes, title in [(axes[0], TRAIN_SIZES, "sizes seen in training (n = 1–5)"),
                         (axes[1], [n for n in TEST_SIZES if n not in TRAIN_SIZES], "unseen sizes (n = 6–10)")]:
    for n in sizes:
        ax.scatter(test_sets[n][1], pred[n], s=5, alpha=0.4, color=plt.cm.viridis(n / max(TEST_SIZES)),
                   label=f"n = {n}")
    top = max(test_sets[n][1].max() for n in sizes) + 2
    ax.plot([0, top], [0, top], "k--", lw=1, label="perfect")
    ax.axhline(mean_sum, color="tab:red", lw=1, label=f"baseline: mean sum {mean_sum:.1f}")
    ax.set(title=f"DeepSets on test sets, {title}", xlabel="true sum of the labels", ylabel="predicted sum")
    ax.legend(fontsize=8, markerscale=3, loc="upper left")
fig.tight_layout()
plt.show()

# %% [markdown]
# ## Generalising across set sizes
# The error per set size: the shaded sizes were used in training. On sets up to twice as large as any it was trained
# on, DeepSets' error stays below 0.6 × that of the size-aware baseline (asserted for each size 6 – 10), because
# `Σ φ(x_i)` is defined for every `n`; the flat MLP stops at 5. Its error does grow with `n` (asserted): every extra
# digit is one more chance to misread.

# %%
unseen = [n for n in TEST_SIZES if n not in TRAIN_SIZES]
for n in unseen:
    print(f"n = {n:2d}: DeepSets MAE {mae['DeepSets'][n]:.2f}, n × mean digit {mae['n × mean digit'][n]:.2f}")
    assert mae["DeepSets"][n] < 0.6 * mae["n × mean digit"][n]
assert mae["DeepSets"][max(TEST_SIZES)] > mae["DeepSets"][max(TRAIN_SIZES)] > mae["DeepSets"][min(TRAIN_SIZES)]

fig, ax = plt.subplots(figsize=(7.5, 4.5))
ax.axvspan(min(TRAIN_SIZES) - 0.5, max(TRAIN_SIZES) + 0.5, color="0.9", label="sizes used in training")
styles = {"DeepSets": "o-", "flat MLP": "s-", "mean of training sums": "^:", "n × mean digit": "v:"}
for name, m in mae.items():
    ax.plot(list(m), list(m.values()), styles[name], label=name)
ax.set(title="Test error vs set size (the flat MLP accepts at most 5 digits)", xlabel="set size n (digits)",
       ylabel="mean absolute error of the sum", xticks=list(TEST_SIZES), ylim=(0, None))
ax.legend(fontsize=9, loc="upper left")
plt.show()

# %% [markdown]
# ## The shuffle test
# All 24 orderings of a set of 4 digits give DeepSets the same prediction — checked for every element of `S(4)`.
# The flat MLP saw its training sets in random orders, yet it has not learned to ignore the order: its answer for
# the same 4 digits moves by several units from one ordering to another.

# %%
index4, target4 = test_sets[4]
sets4 = set_array(x_test, index4[:8])
report = check_invariance(deep_sets, SymmetricGroup(4), sets4, in_action="set")
print(report)
flat_report = equivariance_error(lambda s: flat_predict(np.asarray(s))[:, None], SymmetricGroup(4), sets4, "set",
                                 "trivial")
print(f"flat MLP: max relative error over S(4): {flat_report.max_error:.2e}")
assert report.passed and flat_report.max_error > 1e-2

# %%
orderings = list(itertools.permutations(range(4)))
by_model = {"DeepSets": np.stack([deep_sets.predict(sets4[:, list(o)], verbose=0)[:, 0] for o in orderings], 1),
            "flat MLP": np.stack([flat_predict(sets4[:, list(o)]) for o in orderings], 1)}
spread = {name: (p.max(axis=1) - p.min(axis=1)) for name, p in by_model.items()}
for name, s in spread.items():
    print(f"{name:<9} spread of the prediction over the 24 orderings: mean {s.mean():.2e}, max {s.max():.2e}")
assert spread["DeepSets"].max() < 1e-3 and spread["flat MLP"].mean() > 2.0

fig, axes = plt.subplots(1, 2, figsize=(11, 4.6), sharey=True, layout="constrained")
for ax, (name, p) in zip(axes, by_model.items()):
    for k in range(len(sets4)):
        ax.scatter(np.full(24, k) + np.linspace(-0.3, 0.3, 24), p[k], s=10, color="tab:blue",
                   label="prediction, one per ordering" if k == 0 else None)
        ax.plot([k - 0.4, k + 0.4], [target4[k]] * 2, color="k", lw=2, label="true sum" if k == 0 else None)
    ax.set(title=f"{name}: all 24 orderings of 8 test sets\n(spread up to {spread[name].max():.2g})",
           xlabel="test set (4 digits)", ylabel="predicted sum", xticks=range(len(sets4)))
fig.legend(*axes[0].get_legend_handles_labels(), loc="outside lower center", ncols=2)
plt.show()

# %% [markdown]
# ## Message passing is the same idea
# A graph layer updates each node from its own features and an order-free aggregate of its neighbours:
# `h_i' = tanh(h_i W_self + Σ_{j∈N(i)} h_j W_msg)`. `PermutationEquivariantDense` is the special case of a complete
# graph (every node linked to every node, itself included) with the sum replaced by a mean (checked below).
# Renumbering the nodes (and the adjacency matrix with them, `A → P A Pᵀ`) permutes the output rows: the computation
# follows the nodes, not their numbers. Summing over the nodes gives a graph-level readout that is invariant.

# %%
keras.utils.set_random_seed(1)  # from here on the same graph, tokens and attention weights in fast and full mode
rng = np.random.default_rng(1)
n_nodes = 7
adjacency = np.triu((rng.random((n_nodes, n_nodes)) < 0.45).astype("float64"), 1)
adjacency = adjacency + adjacency.T
node_features = rng.normal(size=(n_nodes, 3))
w_self, w_msg = rng.normal(size=(3, 4)), rng.normal(size=(3, 4))
message_pass = lambda a, h: np.tanh(h @ w_self + (a @ h) @ w_msg)  # noqa: E731
perm = rng.permutation(n_nodes)
p = np.eye(n_nodes)[perm]  # new node k is old node perm[k]
out = message_pass(adjacency, node_features)
out_relabelled = message_pass(p @ adjacency @ p.T, p @ node_features)
equivariance_gap = np.abs(out_relabelled - p @ out).max()
renumbered_change = np.abs(out_relabelled - out).max()
readout_gap = np.abs(out_relabelled.sum(0) - out.sum(0)).max()
print(f"max |f(PAPᵀ, PH) − P f(A, H)| = {equivariance_gap:.1e}  (equivariant)")
print(f"max |f(PAPᵀ, PH) − f(A, H)|   = {renumbered_change:.2f}  (row k now belongs to another node)")
print(f"graph readout Σ_i h_i':  max change {readout_gap:.1e}  (invariant)")
assert equivariance_gap < 1e-12 and readout_gap < 1e-12 and renumbered_change > 0.1

complete_graph = np.ones((n_nodes, n_nodes)) / n_nodes  # mean over all nodes
set_layer = PermutationEquivariantDense(4, activation="tanh", dtype="float64")
set_layer.build((None, n_nodes, 3))
set_layer.set_weights([w_self, w_msg, np.zeros(4)])
gap = np.abs(keras.ops.convert_to_numpy(set_layer(node_features[None]))[0]
             - message_pass(complete_graph, node_features)).max()
print(f"PermutationEquivariantDense vs message passing on the complete graph: max difference {gap:.1e}")
assert gap < 1e-12

# %%
angle = 2 * np.pi * np.arange(n_nodes) / n_nodes
position = np.stack([np.cos(angle), np.sin(angle)], 1)  # where old node i is drawn
fig, axes = plt.subplots(1, 3, figsize=(14, 4.8), gridspec_kw={"width_ratios": [1, 1, 1.3]}, layout="constrained")
for ax, numbers, values, title in [
        (axes[0], np.arange(n_nodes), out[:, 0], "original numbering"),
        (axes[1], np.argsort(perm), out_relabelled[np.argsort(perm), 0], "the same graph, nodes renumbered")]:
    for i, j in zip(*np.nonzero(np.triu(adjacency))):
        ax.plot(*position[[i, j]].T, color="0.6", zorder=1)
    dots = ax.scatter(*position.T, c=values, cmap="coolwarm", vmin=-1, vmax=1, s=700, edgecolors="k", zorder=2)
    for i in range(n_nodes):
        ax.text(*position[i], str(numbers[i]), ha="center", va="center", fontsize=11, fontweight="bold")
    ax.set(title=title, aspect="equal", xlim=(-1.4, 1.4),
           ylim=(-1.4, 1.4))
    ax.axis("off")
fig.colorbar(dots, ax=axes[:2], label="output feature 0 of the node", shrink=0.8)
fig.suptitle("Message passing: each node's output (colour) follows the node, not its number")
width = 0.4
axes[2].bar(np.arange(n_nodes) - width / 2, out[:, 0], width, label="f(A, H), original numbering")
axes[2].bar(np.arange(n_nodes) + width / 2, out_relabelled[:, 0], width, label="f(PAPᵀ, PH), renumbered")
axes[2].set(title="read by node number, the outputs differ:\nrow k belongs to another node", xlabel="node number",
            ylabel="output feature 0", xticks=range(n_nodes), ylim=(-1.25, 1.6))
axes[2].legend(fontsize=8, loc="upper left")
plt.show()

# %% [markdown]
# ## Attention is permutation-equivariant — until positions are added
# Self-attention compares every token with every other token: token `i`'s output is a weighted average of all
# tokens, with weights from query–key similarity. Nothing in it knows where a token sits, so permuting the tokens
# permutes the attention matrix (rows and columns) and the output rows. Adding a positional embedding (here the
# sinusoidal one of the original Transformer) to each token breaks that on purpose: in language, word order matters.

# %%
n_tokens, width_tokens = 5, 8
tokens = rng.normal(size=(2, n_tokens, width_tokens)).astype("float32")
attention = keras.layers.MultiHeadAttention(num_heads=2, key_dim=4)
pos = np.arange(n_tokens)[:, None] / 10000 ** (np.arange(0, width_tokens, 2)[None] / width_tokens)
positions = np.zeros((1, n_tokens, width_tokens), "float32")
positions[0, :, 0::2], positions[0, :, 1::2] = np.sin(pos), np.cos(pos)
self_attention = lambda t: attention(t, t)  # noqa: E731
with_positions = lambda t: attention(t + positions, t + positions)  # noqa: E731
errors = {}
for name, fn in [("self-attention", self_attention), ("self-attention + positional embedding", with_positions)]:
    errors[name] = equivariance_error(fn, SymmetricGroup(n_tokens), tokens, "set", "set")
    print(f"{name:<38} max relative error over all 120 permutations: {errors[name].max_error:.2e}")
assert errors["self-attention"].max_error < 1e-5 and errors["self-attention + positional embedding"].max_error > 1e-2

# %%
sigma = np.array([3, 0, 4, 1, 2])  # token at position k of the new sequence was token sigma[k]
_, scores = attention(tokens, tokens, return_attention_scores=True)
_, scores_perm = attention(tokens[:, sigma], tokens[:, sigma], return_attention_scores=True)
scores, scores_perm = keras.ops.convert_to_numpy(scores)[0, 0], keras.ops.convert_to_numpy(scores_perm)[0, 0]
back = np.empty_like(scores_perm)
back[np.ix_(sigma, sigma)] = scores_perm  # undo the permutation on rows and columns
assert np.allclose(back, scores, atol=1e-6)

fig = plt.figure(figsize=(13, 8), layout="constrained")
grid = fig.add_gridspec(2, 3, height_ratios=[1, 0.9])
names = [str(i) for i in range(n_tokens)]
for col, (m, title, labels) in enumerate([
        (scores, "tokens in order", names),
        (scores_perm, f"tokens permuted to {sigma.tolist()}", [names[s] for s in sigma]),
        (back, "permuted, rows and columns put back:\nidentical to the first", names)]):
    ax = fig.add_subplot(grid[0, col])
    im = ax.imshow(m, cmap="viridis", vmin=0, vmax=max(scores.max(), scores_perm.max()))
    ax.set(title=title, xlabel="key token (original number)", ylabel="query token (original number)",
           xticks=range(n_tokens), yticks=range(n_tokens), xticklabels=labels, yticklabels=labels)
fig.colorbar(im, ax=fig.axes[:3], label="attention weight (head 0)", shrink=0.9)
fig.suptitle("Self-attention: permuting the tokens permutes the attention matrix")
ax = fig.add_subplot(grid[1, :])
for name, marker in [("self-attention", "o"), ("self-attention + positional embedding", "s")]:
    values = [max(errors[name].errors[g], 1e-9) for g in SymmetricGroup(n_tokens).elements]
    ax.semilogy(values, marker, ms=3, label=name)
ax.set(title="equivariance error for each of the 120 permutations (exact zeros drawn at 1e-9; float32 round-off "
             "≈ 1e-7)",
       xlabel="permutation (index in S(5))", ylabel="max relative error", ylim=(1e-9, 10))
ax.legend(fontsize=9, loc="center right")
plt.show()

# %% [markdown]
# ## Your turn
# [`exercises/ex03_sets.py`](../exercises/ex03_sets.py): write the equivariant linear map in NumPy and a DeepSets model. Grade with
# `symkeras.check("ex03")`.
