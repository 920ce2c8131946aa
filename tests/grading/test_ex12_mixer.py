import numpy as np
import pytest

from symkeras.grading import expect_close, expect_equal


@pytest.mark.points(2)
def test_to_patches_order_and_shape(ex, rng):
    image = np.arange(16.0).reshape(4, 4)
    expect_equal(
        ex.to_patches(image, 2),
        np.array([[0, 1, 4, 5], [2, 3, 6, 7], [8, 9, 12, 13], [10, 11, 14, 15]], dtype=float),
        "to_patches(arange(16).reshape(4, 4), 2): row 0 should be the top-left 2×2 patch [0, 1, 4, 5], row 1 the "
        "top-right one [2, 3, 6, 7] (patches row by row, pixels inside a patch row by row)",
    )
    image = rng.normal(size=(6, 6))
    patches = np.asarray(ex.to_patches(image, 3))
    expect_equal(patches.shape, (4, 9), "a 6×6 image in 3×3 patches gives 4 tokens of 9 features")
    for i, j in [(0, 0), (1, 4), (5, 2), (4, 5)]:
        expect_close(
            patches[(i // 3) * 2 + j // 3, (i % 3) * 3 + j % 3],
            image[i, j],
            f"pixel ({i}, {j}) should be in token {(i // 3) * 2 + j // 3}, feature {(i % 3) * 3 + j % 3}",
        )


@pytest.mark.points(2)
def test_to_patches_turns_a_shift_into_token_mixing(ex, rng):
    """Shifting the image by a whole patch permutes the tokens and leaves every patch's features as they were."""
    image = rng.normal(size=(6, 6))
    moved = np.roll(image, 2, axis=1)  # one patch (p = 2) to the right, circularly
    tokens, moved_tokens = np.asarray(ex.to_patches(image, 2)), np.asarray(ex.to_patches(moved, 2))
    order = [3 * (s // 3) + (s % 3 - 1) % 3 for s in range(9)]
    expect_close(
        moved_tokens,
        tokens[order],
        "shifting the image right by one patch should only permute the token rows (a token map), not mix features",
        tol=1e-12,
    )


@pytest.mark.points(2)
def test_steps_to_error(ex):
    losses = [9.0, 1.0, 0.09, 0.0009, 0.5, 9e-6]
    expect_equal(
        ex.steps_to_error(losses, 0.1),
        3,
        "relative error 0.1 means MSE ≤ 9·0.1² = 0.09: first reached by the 3rd loss, step 3 (steps count from 1)",
    )
    expect_equal(ex.steps_to_error(losses, 0.01), 4, "MSE ≤ 9e-4 is first reached at step 4")
    expect_equal(ex.steps_to_error(losses, 1e-3), 6, "MSE ≤ 9e-6 is first reached at step 6 (a later rise is fine)")
    never = ex.steps_to_error(losses, 1e-4)
    assert never is None, f"MSE ≤ 9e-8 is never reached: steps_to_error should return None; got {never!r}"
    expect_equal(
        ex.steps_to_error([4.0, 0.04, 0.0004], 0.1, teacher_variance=4.0),
        2,
        "with teacher_variance=4 the threshold is 4·0.1² = 0.04, reached at step 2",
    )
