import numpy as np
import pytest
from keras import ops

from symkeras.grading import expect_close, expect_equal


@pytest.mark.points(3)
def test_shift_matrices_reproduce_a_valid_convolution(ex, rng):
    n, m = 7, 5
    w = np.asarray(ex.shift_matrices(n))
    expect_equal(
        w.shape,
        (9, m * m, n * n),
        f"shift_matrices({n}) should be 9 matrices of shape (m², n²) = ({m * m}, {n * n}), m = n − 2",
    )
    expect_equal(w.sum(axis=2), np.ones((9, m * m)), "each row of each W_b should pick exactly one pixel (one 1)")
    x = rng.normal(size=(n, n))
    for di in range(3):
        for dj in range(3):
            b = 3 * di + dj
            expect_close(
                w[b] @ x.ravel(),
                x[di : di + m, dj : dj + m].ravel(),
                f"W_{b} (tap b = 3·di + dj with di = {di}, dj = {dj}) should pick pixel (i + {di}, j + {dj}) "
                f"for output (i, j), both flattened row-major",
                tol=1e-12,
            )
    kernel = rng.normal(size=(3, 3))
    y = np.einsum("b,bij,j->i", kernel.ravel(), w, x.ravel()).reshape(m, m)
    expected = ops.convert_to_numpy(ops.conv(x[None, :, :, None], kernel[:, :, None, None], padding="valid"))
    expect_close(y, expected[0, :, :, 0], "Σ_b k_b W_b x should equal Keras' valid 3×3 correlation", tol=1e-5)


@pytest.mark.points(1)
def test_cloning_loss_is_the_mean_squared_error(ex, rng):
    a, b = np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([[1.0, 0.0], [3.0, 8.0]])
    expect_close(
        ex.cloning_loss(a, b),
        (0 + 4 + 0 + 16) / 4,
        "cloning_loss([[1, 2], [3, 4]], [[1, 0], [3, 8]]) should be the mean of the squared differences "
        "(0 + 4 + 0 + 16) / 4",
    )
    expect_close(ex.cloning_loss(a, a), 0.0, "the loss of identical maps should be 0")
    s, t = rng.normal(size=(3, 4, 4, 2)), rng.normal(size=(3, 4, 4, 2))
    expect_close(
        ex.cloning_loss(s, t),
        np.mean((s - t) ** 2),
        "on (3, 4, 4, 2) feature maps the loss should average the squared error over every entry",
    )
