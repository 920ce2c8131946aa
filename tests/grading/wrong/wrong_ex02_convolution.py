"""Plausible wrong answers to exercise 02 (see grade_variants.py)."""

import numpy as np

GRADED_BY = {
    "circular_conv1d_matrix": ["test_conv_matrix_computes_circular_correlation"],
    "is_circulant": ["test_is_circulant"],
    "shift_average": ["test_shift_average_turns_a_dense_map_into_a_convolution"],
    "dense_params": ["test_dense_params_match_keras_and_the_blog"],
    "conv_params": ["test_conv_params_match_keras_and_the_blog"],
}


def circular_conv1d_matrix__convolution_not_correlation(kernel, n):
    """Flips the kernel (a true convolution, x[i − j + r]) where Keras cross-correlates."""
    kernel = np.asarray(kernel, np.float64)
    r = len(kernel) // 2
    m = np.zeros((n, n))
    for i in range(n):
        for j, w in enumerate(kernel):
            m[i, (i - j + r) % n] += w
    return m


def circular_conv1d_matrix__not_centred(kernel, n):
    """Forgets the centring r = len(w) // 2: y[i] = Σ_j w[j] x[i + j]."""
    kernel = np.asarray(kernel, np.float64)
    m = np.zeros((n, n))
    for i in range(n):
        for j, w in enumerate(kernel):
            m[i, (i + j) % n] += w
    return m


def circular_conv1d_matrix__transposed(kernel, n):
    """Fills M[(i + j − r) mod n, i]: the transpose of the matrix asked for."""
    kernel = np.asarray(kernel, np.float64)
    r = len(kernel) // 2
    m = np.zeros((n, n))
    for i in range(n):
        for j, w in enumerate(kernel):
            m[(i + j - r) % n, i] += w
    return m


def is_circulant__shifted_left(m, tol=1e-12):
    """Expects each row to be the previous one shifted to the LEFT."""
    m = np.asarray(m)
    return m.shape[0] == m.shape[1] and all(np.allclose(m[i], np.roll(m[i - 1], -1), atol=tol)
                                            for i in range(1, len(m)))


def is_circulant__toeplitz(m, tol=1e-12):
    """Checks constant diagonals (Toeplitz: m[i, j] = m[i−1, j−1]) and forgets the wrap-around."""
    m = np.asarray(m)
    return m.shape[0] == m.shape[1] and bool(np.allclose(m[1:, 1:], m[:-1, :-1], atol=tol))


def is_circulant__exact_equality(m, tol=1e-12):
    """Ignores the tolerance: exact equality fails on circulants computed in floating point."""
    m = np.asarray(m)
    return m.shape[0] == m.shape[1] and all(np.array_equal(m[i], np.roll(m[i - 1], 1)) for i in range(1, len(m)))


def is_circulant__first_two_rows(m, tol=1e-12):
    """Compares the second row with the first and stops there."""
    m = np.asarray(m)
    return m.shape[0] == m.shape[1] and bool(np.allclose(m[1], np.roll(m[0], 1), atol=tol))


def shift_average__sum_not_mean(m):
    """Sums S⁻ˢ M Sˢ over the n shifts and forgets to divide by n."""
    m = np.asarray(m, np.float64)
    n = len(m)
    shift = np.roll(np.eye(n), 1, axis=0)
    total, power = np.zeros_like(m), np.eye(n)
    for _ in range(n):
        total += power.T @ m @ power
        power = shift @ power
    return total


def shift_average__one_sided(m):
    """Averages M Sˢ instead of the conjugate S⁻ˢ M Sˢ."""
    m = np.asarray(m, np.float64)
    n = len(m)
    shift = np.roll(np.eye(n), 1, axis=0)
    total, power = np.zeros_like(m), np.eye(n)
    for _ in range(n):
        total += m @ power
        power = shift @ power
    return total / n


def shift_average__one_shift_short(m):
    """Off by one: averages over the shifts s = 0 … n−2 only."""
    m = np.asarray(m, np.float64)
    n = len(m)
    shift = np.roll(np.eye(n), 1, axis=0)
    total, power = np.zeros_like(m), np.eye(n)
    for _ in range(n - 1):
        total += power.T @ m @ power
        power = shift @ power
    return total / (n - 1)


def dense_params__no_channels(height, width, channels, units, bias=False):
    """Forgets the channels of the flattened image."""
    return height * width * units + (units if bias else 0)


def dense_params__one_bias(height, width, channels, units, bias=False):
    """Counts one bias for the layer instead of one per unit."""
    return height * width * channels * units + (1 if bias else 0)


def dense_params__bias_always(height, width, channels, units, bias=False):
    """Counts the biases whether or not ``bias`` is set."""
    return height * width * channels * units + units


def conv_params__kernel_not_squared(kernel_size, in_channels, out_channels, bias=False):
    """Counts kernel_size weights per channel pair instead of kernel_size²."""
    return kernel_size * in_channels * out_channels + (out_channels if bias else 0)


def conv_params__no_input_channels(kernel_size, in_channels, out_channels, bias=False):
    """Forgets that each filter spans every input channel."""
    return kernel_size * kernel_size * out_channels + (out_channels if bias else 0)


def conv_params__bias_per_input_channel(kernel_size, in_channels, out_channels, bias=False):
    """Counts one bias per input channel instead of one per output channel."""
    return kernel_size * kernel_size * in_channels * out_channels + (in_channels if bias else 0)
