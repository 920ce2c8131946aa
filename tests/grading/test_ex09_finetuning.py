import keras
import numpy as np
import pytest


@pytest.mark.points(2)
def test_kl_to_init_known_values_and_properties(ex, rng):
    assert ex.kl_to_init(np.array([np.log(3.0), 0.0]), np.zeros(2)) == pytest.approx(
        0.75 * np.log(1.5) + 0.25 * np.log(0.5), rel=1e-9)
    p0 = rng.normal(size=(4, 9))
    assert ex.kl_to_init(p0, p0) == pytest.approx(0.0, abs=1e-12)
    p = p0 + 0.3 * rng.normal(size=(4, 9))
    assert ex.kl_to_init(p, p0) > 0
    assert ex.kl_to_init(p + 5.0, p0) == pytest.approx(ex.kl_to_init(p, p0)), "softmax ignores a constant shift"
    per_slice = sum(ex.kl_to_init(p[i], p0[i]) for i in range(4))
    assert ex.kl_to_init(p, p0) == pytest.approx(per_slice), "sum the KL of every slice"
    assert ex.kl_to_init(p.T, p0.T, axis=0) == pytest.approx(per_slice)


@pytest.mark.points(2)
def test_freeze_all_but_keeps_frozen_weights_fixed(ex, rng):
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(8, name="body"), keras.layers.Dense(2, name="head")])
    left = ex.freeze_all_but(model, {"head"})
    assert left == 8 * 2 + 2, "only the head's 18 parameters should remain trainable"
    before = [w.copy() for w in model.get_layer("body").get_weights()]
    model.compile("adam", "mse")
    model.fit(rng.normal(size=(16, 4)), rng.normal(size=(16, 2)), epochs=2, verbose=0)
    for b, a in zip(before, model.get_layer("body").get_weights()):
        np.testing.assert_array_equal(a, b, err_msg="a frozen layer changed during fit")
