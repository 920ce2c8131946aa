"""EuclideanGroup: seeded elements that are orthogonal (proper for rotations, improper on odd elements with
reflections), the point, vector and set actions against their definitions, and the refusals of a continuous group."""

import numpy as np
import pytest

from symkeras import groups
from symkeras.groups import E3, O3, SE3, SO3, EuclideanGroup, SymmetricGroup


@pytest.mark.parametrize("group", [SO3, O3, SE3, E3], ids=lambda g: g.name)
def test_elements_are_orthogonal_and_seeded(group):
    assert group.matrix(0).tolist() == np.eye(3).tolist() and not group.translation(0).any()
    for g in range(1, 12):
        m = group.matrix(g)
        np.testing.assert_allclose(m @ m.T, np.eye(3), atol=1e-12)
        assert abs(abs(np.linalg.det(m)) - 1) < 1e-12
        expected_proper = not (group.reflections and g % 2 == 1)
        assert group.is_proper(g) == expected_proper, f"{group.name} element {g}"
        np.testing.assert_array_equal(m, EuclideanGroup(True, group.reflections, group.translations).matrix(g))
        assert np.any(group.translation(g)) == group.translations
    assert not np.allclose(group.matrix(1), EuclideanGroup(True, group.reflections, seed=1).matrix(1))


def test_rotations_are_spread_over_so3():
    """Haar-random: the mean of many rotation matrices is near zero (a fixed rotation would average to itself)."""
    mean = np.mean([SO3.matrix(g) for g in range(1, 2001)], axis=0)
    assert np.abs(mean).max() < 0.06


def test_point_and_vector_actions_match_their_definitions():
    rng = np.random.default_rng(0)
    group = EuclideanGroup(reflections=True, translations=True, atoms=5)
    x, h = rng.normal(size=(2, 5, 3)), rng.normal(size=(2, 5, 4))
    for g in range(1, 6):
        r, t, sigma = group.matrix(g), group.translation(g), group.permutation(g)
        inverse = np.argsort(sigma)
        np.testing.assert_allclose(group.act_on_points(x, g), x[:, inverse] @ r.T + t, atol=1e-12)
        np.testing.assert_allclose(group.act_on_vectors(x, g), x[:, inverse] @ r.T, atol=1e-12)
        h2, x2 = group.act_on_points((h, x), g)
        np.testing.assert_array_equal(h2, h[:, inverse])
        np.testing.assert_allclose(x2, group.act_on_points(x, g))
        # the element moves point i to position σ(i)
        np.testing.assert_allclose(group.act_on_points(x, g)[:, sigma[0]], x[:, 0] @ r.T + t, atol=1e-12)


def test_symmetric_group_permutes_point_clouds():
    rng = np.random.default_rng(1)
    x, h = rng.normal(size=(2, 4, 3)), rng.normal(size=(2, 4, 2))
    s4 = SymmetricGroup(4)
    for g in (1, 7, 23):
        h2, x2 = s4.act_on_points([h, x], g)
        np.testing.assert_array_equal(x2, s4.act_on_set(x, g))
        np.testing.assert_array_equal(h2, s4.act_on_set(h, g))
        np.testing.assert_array_equal(s4.act_on_vectors(x, g), s4.act_on_set(x, g))
        np.testing.assert_array_equal(groups.act_on_points(x, g, s4), s4.act_on_points(x, g))


def test_actions_on_backend_tensors_equal_numpy():
    from keras import ops

    x = np.random.default_rng(2).normal(size=(2, 6, 3)).astype("float32")
    group = EuclideanGroup(reflections=True, translations=True, atoms=6)
    for g in (1, 2):
        np.testing.assert_allclose(
            ops.convert_to_numpy(group.act_on_points(ops.convert_to_tensor(x), g)), group.act_on_points(x, g), atol=1e-6
        )


def test_names_and_refusals():
    assert [g.name for g in (SO3, O3, SE3, E3)] == ["SO(3)", "O(3)", "SE(3)", "E(3)"]
    assert EuclideanGroup(rotations=False, translations=True, atoms=13).name == "T(3)×S13"
    assert O3 == EuclideanGroup(reflections=True) and O3 != EuclideanGroup(reflections=True, seed=1)
    with pytest.raises(ValueError, match=r"for permutations of points alone use SymmetricGroup\(n\)"):
        EuclideanGroup(rotations=False)
    with pytest.raises(ValueError, match=r"is continuous.*matrix\(a\) @ matrix\(b\)"):
        O3.compose(1, 2)
    with pytest.raises(ValueError, match=r"numbered 0, 1, 2.*Received: g=-1"):
        O3.matrix(-1)
    with pytest.raises(ValueError, match=r"last axis must hold \(x, y, z\).*Received: shape=\(2, 5, 2\)"):
        O3.act_on_points(np.zeros((2, 5, 2)), 1)
    with pytest.raises(ValueError, match=r"permutes 5 points along axis 1"):
        EuclideanGroup(atoms=5).act_on_points(np.zeros((2, 4, 3)), 1)
    with pytest.raises(ValueError, match=r"`atoms` must be None or the number of points"):
        EuclideanGroup(atoms=0)
