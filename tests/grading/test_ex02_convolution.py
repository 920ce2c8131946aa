import keras
import numpy as np
import pytest


@pytest.mark.points(2)
def test_conv_matrix_computes_circular_correlation(ex, rng):
    kernel, x = rng.normal(size=3), rng.normal(size=8)
    m = ex.circular_conv1d_matrix(kernel, 8)
    expected = sum(w * np.roll(x, -(j - 1)) for j, w in enumerate(kernel))
    np.testing.assert_allclose(m @ x, expected, err_msg="M @ x is not the circular correlation of x")
    shift = np.roll(np.eye(8), 1, axis=0)
    np.testing.assert_allclose(m @ shift, shift @ m, err_msg="a convolution must commute with shifts")


@pytest.mark.points(1)
def test_is_circulant(ex, rng):
    assert ex.is_circulant(np.array([[1, 2, 3], [3, 1, 2], [2, 3, 1]])) is True
    assert ex.is_circulant(rng.normal(size=(4, 4))) is False


@pytest.mark.points(2)
def test_shift_average_turns_a_dense_map_into_a_convolution(ex, rng):
    m = ex.shift_average(rng.normal(size=(6, 6)))
    shift = np.roll(np.eye(6), 1, axis=0)
    np.testing.assert_allclose(m @ shift, shift @ m, atol=1e-12, err_msg="the average must commute with shifts")
    assert all(np.allclose(m[i], np.roll(m[i - 1], 1)) for i in range(1, 6)), "the average must be circulant"
    c = ex.circular_conv1d_matrix([1.0, -2.0, 0.5], 6)
    np.testing.assert_allclose(ex.shift_average(c), c, err_msg="a convolution is its own shift average")


@pytest.mark.points(2)
def test_parameter_counts_match_keras_and_the_blog(ex):
    assert ex.dense_params(224, 224, 3, 64) == 9_633_792, "224×224×3 → 64 dense should need 9,633,792 weights"
    assert ex.conv_params(3, 3, 64) == 1_728, "a 3×3 conv from 3 to 64 channels has 1,728 weights"
    dense = keras.Sequential([keras.Input((12, 10, 3)), keras.layers.Flatten(), keras.layers.Dense(7)])
    conv = keras.Sequential([keras.Input((12, 10, 3)), keras.layers.Conv2D(7, 5)])
    assert ex.dense_params(12, 10, 3, 7, bias=True) == dense.count_params()
    assert ex.conv_params(5, 3, 7, bias=True) == conv.count_params()
