import numpy as np
import pytest

from symkeras import data, groups
from symkeras.grading import expect_close, expect_equal


@pytest.fixture(scope="module")
def digits():
    x, y = data.load_mnist("test", limit=60)
    return (x.astype("float32") / 255)[..., None], y.astype(int)


def _top_heavy(images):
    """A rotation-sensitive toy classifier: class 1 if the upper half holds more ink, else class 0."""
    h = images.shape[1] // 2
    top, bottom = images[:, :h].sum(axis=(1, 2, 3)), images[:, h:].sum(axis=(1, 2, 3))
    return np.stack([bottom >= top, top > bottom], axis=1).astype("float32")


@pytest.mark.points(2)
def test_accuracy_per_angle_matches_a_direct_computation(ex, digits):
    x, _ = digits
    labels = np.argmax(_top_heavy(x), axis=1)  # perfect at 0°
    angles = [0, 45, 90, 180, 270]
    got = ex.accuracy_per_angle(_top_heavy, x, labels, angles)
    expect_equal(
        np.shape(got),
        (len(angles),),
        f"accuracy_per_angle should return one accuracy per angle, shape ({len(angles)},)",
    )
    for angle, accuracy in zip(angles, got):
        rotated = data.rotate_batch(x, np.full(len(x), angle))
        expected = np.mean(np.argmax(_top_heavy(rotated), axis=1) == labels)
        expect_close(
            accuracy,
            expected,
            f"at {angle}°: the fraction (in [0, 1]) of images, turned {angle}° counter-clockwise with "
            f"rotate_batch, whose argmax over the classes equals the label",
            tol=1e-9,
        )


@pytest.mark.points(2)
def test_augment_random90_rotates_each_image_exactly(ex, digits):
    x, _ = digits
    out = ex.augment_random90(x, np.random.default_rng(0))
    expect_equal(np.shape(out), x.shape, "augment_random90 should keep the shape of the batch")
    ks = np.random.default_rng(0).integers(0, 4, len(x))  # the draws the docstring asks for, one per image
    for i, k in enumerate(ks):
        turns = [t for t in range(4) if np.array_equal(out[i : i + 1], groups.C4.act_on_image(x[i : i + 1], t))]
        assert turns, (
            f"image {i} of the output is not image {i} of the input turned by an exact multiple of 90° "
            f"(use groups.C4.act_on_image, and keep the images in order)"
        )
        assert turns[0] == k or np.array_equal(groups.C4.act_on_image(x[i : i + 1], int(k)), out[i : i + 1]), (
            f"image {i} should be turned {90 * k}° counter-clockwise (k = {k}, drawn in order with "
            f"rng.integers(0, 4)) but is turned {90 * turns[0]}°"
        )
