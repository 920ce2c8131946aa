"""Plausible wrong answers to exercise 03 (see grade_variants.py)."""

import numpy as np

GRADED_BY = {
    "perm_equivariant_linear": ["test_perm_equivariant_linear_matches_the_library_and_is_equivariant"],
    "deep_sets": ["test_deep_sets_model_is_invariant_for_any_set_size"],
}


def perm_equivariant_linear__sum_not_mean(x, lam, gam):
    """Pools the set with a sum where the map asks for the mean."""
    return x @ lam + x.sum(axis=1, keepdims=True) @ gam


def perm_equivariant_linear__mean_over_the_batch(x, lam, gam):
    """Averages over the batch axis (0) instead of the set axis (1)."""
    return x @ lam + x.mean(axis=0, keepdims=True) @ gam


def perm_equivariant_linear__gamma_without_lambda(x, lam, gam):
    """Swaps the roles of Λ and Γ."""
    return x @ gam + x.mean(axis=1, keepdims=True) @ lam


def deep_sets__mean_pooling(features, hidden=32, outputs=1):
    """Pools with a mean: still invariant, but not the sum Σ_i φ(x_i) asked for."""
    import keras

    inputs = keras.Input((None, features))
    x = keras.layers.Dense(hidden, activation="relu")(inputs)
    x = keras.layers.GlobalAveragePooling1D()(x)
    x = keras.layers.Dense(hidden, activation="relu")(x)
    return keras.Model(inputs, keras.layers.Dense(outputs)(x))


def deep_sets__max_pooling(features, hidden=32, outputs=1):
    """Pools with a max: still invariant, but not the sum Σ_i φ(x_i) asked for."""
    import keras

    inputs = keras.Input((None, features))
    x = keras.layers.Dense(hidden, activation="relu")(inputs)
    x = keras.layers.GlobalMaxPooling1D()(x)
    x = keras.layers.Dense(hidden, activation="relu")(x)
    return keras.Model(inputs, keras.layers.Dense(outputs)(x))


def deep_sets__linear_phi(features, hidden=32, outputs=1):
    """φ without its ReLU: Σ_i φ(x_i) then only sees the sum of the elements."""
    import keras

    from symkeras.layers import SetPooling

    inputs = keras.Input((None, features))
    x = keras.layers.Dense(hidden)(inputs)
    x = SetPooling("sum")(x)
    x = keras.layers.Dense(hidden, activation="relu")(x)
    return keras.Model(inputs, keras.layers.Dense(outputs)(x))


def deep_sets__no_rho_hidden_layer(features, hidden=32, outputs=1):
    """ρ is a single Dense(outputs): the hidden ReLU layer after the sum is missing."""
    import keras

    from symkeras.layers import SetPooling

    inputs = keras.Input((None, features))
    x = keras.layers.Dense(hidden, activation="relu")(inputs)
    x = SetPooling("sum")(x)
    return keras.Model(inputs, keras.layers.Dense(outputs)(x))


def deep_sets__pool_the_inputs(features, hidden=32, outputs=1):
    """Sums the raw elements first and applies φ after: ρ(φ(Σ_i x_i)) is invariant but not Σ_i φ(x_i)."""
    import keras

    from symkeras.layers import SetPooling

    inputs = keras.Input((None, features))
    x = SetPooling("sum")(inputs)
    x = keras.layers.Dense(hidden, activation="relu")(x)
    x = keras.layers.Dense(hidden, activation="relu")(x)
    return keras.Model(inputs, keras.layers.Dense(outputs)(x))
