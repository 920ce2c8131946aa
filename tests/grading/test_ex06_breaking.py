import numpy as np
import pytest

from symkeras import data


@pytest.mark.points(1)
def test_rotation_breaking_labels_follow_the_task(ex):
    labels, k = np.array([3, 3, 3, 3, 7, 0]), np.array([0, 1, 2, 3, 6, 5])
    np.testing.assert_array_equal(ex.rotation_breaking_labels(labels, k), [3, 3, 13, 13, 17, 0])
    x = np.zeros((8, 28, 28, 1), "float32")
    y = np.arange(8)
    _, task_labels = data.rotation_breaking_task().train_transform(x, y, np.random.default_rng(5))
    ks = np.random.default_rng(5).integers(0, 4, 8)  # the same draws as the task
    np.testing.assert_array_equal(ex.rotation_breaking_labels(y, ks), task_labels)


@pytest.mark.points(1)
def test_invariant_ceiling_is_fifty_percent_for_uniform_rotations(ex):
    assert ex.invariant_accuracy_ceiling([0.25] * 4) == pytest.approx(0.5)
    assert ex.invariant_accuracy_ceiling([0.4, 0.4, 0.1, 0.1]) == pytest.approx(0.8)
    assert ex.invariant_accuracy_ceiling([0.0, 0.1, 0.6, 0.3]) == pytest.approx(0.9)
