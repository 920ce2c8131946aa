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
# **Description:** DeepSets `ρ(Σ φ(x_i))`, the permutation-equivariant linear layer, message passing as the same
# idea, and why attention needs positional encodings.
#
# A set has no order: a model of a set must give the same answer for every ordering (invariance), or reorder its
# per-element outputs along with the input (equivariance). The group is `S(n)`, all `n!` permutations.

# %%
import keras
import numpy as np

from symkeras import data
from symkeras.equivariance import check_invariance, equivariance_error
from symkeras.groups import SymmetricGroup
from symkeras.layers import PermutationEquivariantDense, SetPooling
from symkeras.course import lesson_banner

FAST = lesson_banner(figures=3)
rng = np.random.default_rng(0)

# %% [markdown]
# ## A set task: the sum of a set of digits
# Each example is a set of 4 MNIST digits; the target is the sum of their labels. Digits are embedded one by one
# (`φ`), summed (`Σ`, the only permutation-invariant step), and read out (`ρ`).

# %%
n_sets = 600 if FAST else 6000
images, labels = data.load_mnist("train", limit=4 * n_sets)
x = (images.astype("float32") / 255).reshape(n_sets, 4, 28 * 28)
y = labels.reshape(n_sets, 4).sum(axis=1).astype("float32")

model = keras.Sequential([
    keras.Input((None, 28 * 28)),
    keras.layers.Dense(64, activation="relu"),            # φ on every element
    PermutationEquivariantDense(64, activation="relu"),   # elements see a summary of the set
    SetPooling("sum"),                                    # Σ: invariant
    keras.layers.Dense(64, activation="relu"),
    keras.layers.Dense(1),                                # ρ
], name="deep_sets")
model.compile(optimizer="adam", loss="mse", metrics=["mae"])
history = model.fit(x, y, epochs=3 if FAST else 15, batch_size=32, validation_split=0.2, verbose=0)
print(f"validation MAE of the digit sum: {history.history['val_mae'][-1]:.2f} (labels sum to 0–36)")

# %% [markdown]
# ## The shuffle test
# All 24 orderings of each set give the same prediction — checked for every element of `S(4)` — while a dense layer
# over the concatenated digits does not:

# %%
report = check_invariance(model, SymmetricGroup(4), x[:8], in_action="set")
print(report)
flat = keras.Sequential([keras.Input((4, 28 * 28)), keras.layers.Flatten(), keras.layers.Dense(1)])
print(f"Flatten + Dense, max relative error over S(4): "
      f"{equivariance_error(flat, SymmetricGroup(4), x[:8], 'set', 'trivial').max_error:.2e}")

# %% [markdown]
# ## Message passing is the same idea
# A graph layer updates each node from an order-free aggregate of its neighbours: `h_i' = φ(h_i, Σ_{j∈N(i)} h_j)`.
# `PermutationEquivariantDense` is the special case of a complete graph. Renumbering the nodes (and the adjacency
# matrix with them) permutes the output:

# %%
adjacency = (rng.random((5, 5)) < 0.5).astype("float32")
adjacency = np.triu(adjacency, 1) + np.triu(adjacency, 1).T
node_features = rng.normal(size=(5, 3)).astype("float32")
w_self, w_msg = rng.normal(size=(3, 4)), rng.normal(size=(3, 4))
message_pass = lambda a, h: np.tanh(h @ w_self + (a @ h) @ w_msg)  # noqa: E731
perm = rng.permutation(5)
p = np.eye(5)[perm]
print("relabelled graph gives relabelled output:",
      np.allclose(message_pass(p @ adjacency @ p.T, p @ node_features), p @ message_pass(adjacency, node_features)))

# %% [markdown]
# ## Attention is permutation-equivariant — until positions are added
# Self-attention compares every token with every other token; without positional information it cannot know the
# order, so permuting the tokens permutes the output. Positional embeddings break that symmetry on purpose (word
# order matters in language).

# %%
tokens = rng.normal(size=(2, 5, 8)).astype("float32")
attention = keras.layers.MultiHeadAttention(num_heads=2, key_dim=4)
self_attention = lambda t: attention(t, t)  # noqa: E731
positions = rng.normal(size=(1, 5, 8)).astype("float32")
with_positions = lambda t: attention(t + positions, t + positions)  # noqa: E731
for name, fn in [("self-attention", self_attention), ("self-attention + positional embedding", with_positions)]:
    err = equivariance_error(fn, SymmetricGroup(5), tokens, "set", "set").max_error
    print(f"{name:<40} max relative error over all 120 permutations: {err:.2e}")

# %% [markdown]
# ## Your turn
# [`exercises/ex03_sets.py`](../exercises/ex03_sets.py): write the equivariant linear map in NumPy and a DeepSets model. Grade with
# `symkeras.check("ex03")`.
