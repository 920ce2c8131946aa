import numpy as np
import pytest

from symkeras import data, groups


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
    angles = [0, 45, 90, 180]
    got = ex.accuracy_per_angle(_top_heavy, x, labels, angles)
    assert np.shape(got) == (4,), "one accuracy per angle"
    expected = [np.mean(np.argmax(_top_heavy(data.rotate_batch(x, np.full(len(x), a))), 1) == labels)
                for a in angles]
    np.testing.assert_allclose(got, expected, err_msg="accuracies differ from rotating with rotate_batch")
    assert got[0] == 1.0 and got[3] < 0.5


@pytest.mark.points(2)
def test_augment_random90_rotates_each_image_exactly(ex, digits):
    x, _ = digits
    out = ex.augment_random90(x, np.random.default_rng(0))
    assert out.shape == x.shape, "shape must not change"
    ks = []
    for i in range(len(x)):
        matches = [k for k in range(4) if np.array_equal(out[i:i + 1], groups.C4.act_on_image(x[i:i + 1], k))]
        assert matches, f"image {i} is not an exact 90° rotation of the input"
        ks.append(matches[0])
    assert set(ks) == {0, 1, 2, 3}, "all four rotations should occur"
