import numpy as np
import pytest
from keras import ops


@pytest.mark.points(3)
def test_shift_matrices_reproduce_a_valid_convolution(ex, rng):
    n = 7
    w = ex.shift_matrices(n)
    assert w.shape == (9, 25, 49), "9 matrices of shape (m², n²)"
    x, kernel = rng.normal(size=(n, n)), rng.normal(size=(3, 3))
    y = np.einsum("b,bij,j->i", kernel.ravel(), w, x.ravel()).reshape(5, 5)
    expected = ops.convert_to_numpy(ops.conv(x[None, :, :, None], kernel[:, :, None, None], padding="valid"))
    np.testing.assert_allclose(y, expected[0, :, :, 0], rtol=1e-6, atol=1e-6,
                               err_msg="Σ_b k_b W_b x must equal the valid 3×3 correlation")
    assert set(np.unique(w)) == {0.0, 1.0} and np.all(w.sum(axis=2) == 1), "each row picks exactly one pixel"


@pytest.mark.points(1)
def test_cloning_loss_is_the_mean_squared_error(ex):
    a, b = np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([[1.0, 0.0], [3.0, 8.0]])
    assert ex.cloning_loss(a, b) == pytest.approx((4 + 16) / 4)
    assert ex.cloning_loss(a, a) == 0.0
