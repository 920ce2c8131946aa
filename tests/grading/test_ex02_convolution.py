import keras
import numpy as np
import pytest

from symkeras.grading import expect_close, expect_equal

SHIFT = "S (the cyclic shift S e_i = e_(i+1))"


def _circulant(row):
    """The circulant matrix whose row i is ``row`` shifted i places to the right."""
    return np.stack([np.roll(row, i) for i in range(len(row))])


@pytest.mark.points(2)
def test_conv_matrix_computes_circular_correlation(ex, rng):
    kernel, x = rng.normal(size=3), rng.normal(size=8)
    m = ex.circular_conv1d_matrix(kernel, 8)
    expected = sum(w * np.roll(x, -(j - 1)) for j, w in enumerate(kernel))
    expect_close(
        m @ x,
        expected,
        "M @ x should be the circular cross-correlation y[i] = Σ_j w[j]·x[(i + j − 1) mod 8] "
        "of a 3-tap kernel centred on i (not flipped, not transposed)",
        tol=1e-12,
    )
    shift = np.roll(np.eye(8), 1, axis=0)
    expect_close(m @ shift, shift @ m, f"a convolution matrix should commute with {SHIFT}: M S = S M", tol=1e-12)
    kernel5, x = rng.normal(size=5), rng.normal(size=7)
    expected = sum(w * np.roll(x, -(j - 2)) for j, w in enumerate(kernel5))
    expect_close(
        ex.circular_conv1d_matrix(kernel5, 7) @ x,
        expected,
        "with a 5-tap kernel (r = 2) on n = 7, M @ x should be y[i] = Σ_j w[j]·x[(i + j − 2) mod 7]",
        tol=1e-12,
    )


@pytest.mark.points(1)
def test_is_circulant(ex, rng):
    row = rng.normal(size=5)
    toeplitz = np.array([[1.0, 2.0, 3.0], [4.0, 1.0, 2.0], [5.0, 4.0, 1.0]])
    top_two = _circulant(row)
    top_two[2:] = rng.normal(size=(3, 5))
    cases = [
        (
            "[[1, 2, 3], [3, 1, 2], [2, 3, 1]] (each row the previous one shifted right)",
            np.array([[1, 2, 3], [3, 1, 2], [2, 3, 1]]),
            True,
        ),
        (
            "a 5×5 circulant plus round-off of 1e-14 (within tol = 1e-12)",
            _circulant(row) + 1e-14 * rng.normal(size=(5, 5)),
            True,
        ),
        ("a random 4×4 matrix", rng.normal(size=(4, 4)), False),
        ("[[1, 2, 3], [2, 3, 1], [3, 1, 2]] (rows shifted LEFT)", np.array([[1, 2, 3], [2, 3, 1], [3, 1, 2]]), False),
        (
            "[[1, 2, 3], [4, 1, 2], [5, 4, 1]] (constant diagonals but no wrap-around: Toeplitz, not circulant)",
            toeplitz,
            False,
        ),
        ("a 5×5 matrix whose first two rows are circulant but not the others", top_two, False),
    ]
    for what, m, expected in cases:
        got = ex.is_circulant(m)
        assert got is expected, f"is_circulant should be {expected} for {what}; got {got!r}"


@pytest.mark.points(2)
def test_shift_average_turns_a_dense_map_into_a_convolution(ex, rng):
    dense = rng.normal(size=(6, 6))
    m = ex.shift_average(dense)
    expected = np.array(
        [[np.mean([dense[(i + s) % 6, (j + s) % 6] for s in range(6)]) for j in range(6)] for i in range(6)]
    )
    expect_close(
        m,
        expected,
        "the average of S⁻ˢ M Sˢ over the 6 shifts should hold, at (i, j), the mean of "
        "M[(i + s) mod 6, (j + s) mod 6] over s (a mean, not a sum)",
        tol=1e-12,
    )
    shift = np.roll(np.eye(6), 1, axis=0)
    expect_close(m @ shift, shift @ m, f"the shift average should commute with {SHIFT}", tol=1e-12)
    conv = _circulant(rng.normal(size=6))
    expect_close(
        ex.shift_average(conv), conv, "a convolution (circulant) matrix should be its own shift average", tol=1e-12
    )


@pytest.mark.points(1)
def test_dense_params_match_keras_and_the_blog(ex):
    expect_equal(
        ex.dense_params(224, 224, 3, 64),
        9_633_792,
        "dense_params(224, 224, 3, 64): a dense layer from a flattened 224×224×3 image to 64 units has "
        "224·224·3·64 weights",
    )
    dense = keras.Sequential([keras.Input((12, 10, 3)), keras.layers.Flatten(), keras.layers.Dense(7)])
    expect_equal(
        ex.dense_params(12, 10, 3, 7, bias=True),
        dense.count_params(),
        "dense_params(12, 10, 3, 7, bias=True) should match Keras' Flatten + Dense(7): one bias per unit",
    )
    expect_equal(
        ex.dense_params(12, 10, 3, 7),
        dense.count_params() - 7,
        "dense_params(12, 10, 3, 7) without bias should leave the 7 biases out",
    )


@pytest.mark.points(1)
def test_conv_params_match_keras_and_the_blog(ex):
    expect_equal(
        ex.conv_params(3, 3, 64),
        1_728,
        "conv_params(3, 3, 64): a 3×3 convolution from 3 to 64 channels has 3·3·3·64 weights",
    )
    conv = keras.Sequential([keras.Input((12, 10, 3)), keras.layers.Conv2D(7, 5)])
    expect_equal(
        ex.conv_params(5, 3, 7, bias=True),
        conv.count_params(),
        "conv_params(5, 3, 7, bias=True) should match Keras' Conv2D(7, 5) on 3 channels: one bias per output channel",
    )
