"""Plausible wrong answers to exercise 07 (see grade_variants.py)."""

import numpy as np

GRADED_BY = {
    "shift_matrices": ["test_shift_matrices_reproduce_a_valid_convolution"],
    "cloning_loss": ["test_cloning_loss_is_the_mean_squared_error"],
}


def shift_matrices__column_major_taps(n):
    """Numbers the taps b = di + 3·dj (column-major) instead of 3·di + dj."""
    m = n - 2
    w = np.zeros((9, m * m, n * n))
    for di in range(3):
        for dj in range(3):
            for i in range(m):
                for j in range(m):
                    w[di + 3 * dj, i * m + j, (i + di) * n + (j + dj)] = 1.0
    return w


def shift_matrices__flipped_kernel(n):
    """Tap b picks pixel (i + 2 − di, j + 2 − dj): a convolution, not a correlation."""
    m = n - 2
    w = np.zeros((9, m * m, n * n))
    for di in range(3):
        for dj in range(3):
            for i in range(m):
                for j in range(m):
                    w[3 * di + dj, i * m + j, (i + 2 - di) * n + (j + 2 - dj)] = 1.0
    return w


def shift_matrices__transposed(n):
    """Returns the (9, n², m²) transposes."""
    m = n - 2
    w = np.zeros((9, m * m, n * n))
    for di in range(3):
        for dj in range(3):
            for i in range(m):
                for j in range(m):
                    w[3 * di + dj, i * m + j, (i + di) * n + (j + dj)] = 1.0
    return w.transpose(0, 2, 1)


def cloning_loss__sum_not_mean(student_maps, teacher_maps):
    """Sums the squared errors instead of averaging them."""
    return float(np.sum((np.asarray(student_maps, np.float64) - np.asarray(teacher_maps, np.float64)) ** 2))


def cloning_loss__root_mean_square(student_maps, teacher_maps):
    """Takes the square root (RMSE)."""
    return float(np.sqrt(np.mean((np.asarray(student_maps, np.float64) - np.asarray(teacher_maps, np.float64)) ** 2)))


def cloning_loss__mean_absolute(student_maps, teacher_maps):
    """Mean absolute error instead of mean squared error."""
    return float(np.mean(np.abs(np.asarray(student_maps, np.float64) - np.asarray(teacher_maps, np.float64))))


def cloning_loss__sum_per_sample(student_maps, teacher_maps):
    """Sums each sample's squared errors and averages over the first axis only."""
    diff = np.asarray(student_maps, np.float64) - np.asarray(teacher_maps, np.float64)
    return float(np.mean(np.sum(diff.reshape(len(diff), -1) ** 2, axis=1)))
