import numpy as np
import pytest

from symkeras import data
from symkeras.grading import expect_close, expect_equal


@pytest.mark.points(1)
def test_rotation_breaking_labels_follow_the_task(ex):
    labels, k = np.array([3, 3, 3, 3, 7, 0, 4, 4]), np.array([0, 1, 2, 3, 6, 5, 4, -1])
    got = np.asarray(ex.rotation_breaking_labels(labels, k))
    expect_equal(got.shape, labels.shape, "rotation_breaking_labels should return one label per digit")
    for y, kk, g in zip(labels, k, got):
        want = y + 10 * (kk % 4 >= 2)
        assert g == want, (
            f"a {y} turned k = {kk} quarter turns (k mod 4 = {kk % 4}) should be labelled {want} "
            f"(y for k mod 4 ∈ {{0, 1}}, y + 10 for {{2, 3}}); got {g}"
        )
    x = np.zeros((8, 28, 28, 1), "float32")
    y = np.arange(8)
    _, task_labels = data.rotation_breaking_task().train_transform(x, y, np.random.default_rng(5))
    ks = np.random.default_rng(5).integers(0, 4, 8)  # the same draws as the task
    expect_equal(
        ex.rotation_breaking_labels(y, ks), task_labels, "the labels should match symkeras.data.rotation_breaking_task"
    )


@pytest.mark.points(1)
def test_invariant_ceiling_is_fifty_percent_for_uniform_rotations(ex):
    for probs, ceiling in [
        ([0.25] * 4, 0.5),
        ([0.4, 0.4, 0.1, 0.1], 0.8),
        ([0.0, 0.1, 0.6, 0.3], 0.9),
        ([0.1, 0.5, 0.1, 0.3], 0.6),
    ]:
        expect_close(
            ex.invariant_accuracy_ceiling(probs),
            ceiling,
            f"with rotation probabilities {probs}, an invariant classifier answers y for all four "
            f"rotations (right for k ∈ {{0, 1}}) or y + 10 (right for {{2, 3}}): the best is {ceiling}",
        )
