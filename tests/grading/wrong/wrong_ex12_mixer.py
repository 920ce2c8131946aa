"""Plausible wrong answers to exercise 12 (see grade_variants.py)."""

import numpy as np

GRADED_BY = {
    "to_patches": ["test_to_patches_order_and_shape", "test_to_patches_turns_a_shift_into_token_mixing"],
    "steps_to_error": ["test_steps_to_error"],
}


def to_patches__plain_reshape(image, patch_size):
    """Reshapes the image to (t, p²) directly: each 'patch' is a run of p² pixels along the rows."""
    image = np.asarray(image)
    return image.reshape(-1, patch_size * patch_size)


def to_patches__tokens_column_major(image, patch_size):
    """Orders the patches column by column instead of row by row."""
    image = np.asarray(image)
    n, p = image.shape[0], patch_size
    blocks = image.reshape(n // p, p, n // p, p).transpose(2, 0, 1, 3)
    return blocks.reshape((n // p) ** 2, p * p)


def to_patches__pixels_transposed(image, patch_size):
    """Orders the pixels inside a patch column by column."""
    image = np.asarray(image)
    n, p = image.shape[0], patch_size
    blocks = image.reshape(n // p, p, n // p, p).transpose(0, 2, 3, 1)
    return blocks.reshape((n // p) ** 2, p * p)


def steps_to_error__zero_based(losses, relative_error, teacher_variance=9.0):
    """Returns the index of the loss (from 0), not the step (from 1)."""
    threshold = teacher_variance * relative_error**2
    for step, loss in enumerate(losses):
        if loss <= threshold:
            return step
    return None


def steps_to_error__forgets_the_variance(losses, relative_error, teacher_variance=9.0):
    """Compares the MSE with ε² (an absolute error), forgetting the teacher's variance."""
    for step, loss in enumerate(losses, start=1):
        if loss <= relative_error**2:
            return step
    return None


def steps_to_error__error_not_squared(losses, relative_error, teacher_variance=9.0):
    """Compares the MSE with 9ε: mixes a squared error with an unsquared one."""
    for step, loss in enumerate(losses, start=1):
        if loss <= teacher_variance * relative_error:
            return step
    return None


def steps_to_error__last_step_below(losses, relative_error, teacher_variance=9.0):
    """Returns the last step below the threshold instead of the first."""
    hits = [s for s, loss in enumerate(losses, start=1) if loss <= teacher_variance * relative_error**2]
    return hits[-1] if hits else None
