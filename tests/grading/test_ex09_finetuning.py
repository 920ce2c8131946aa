import keras
import numpy as np
import pytest

from symkeras.grading import expect_close, expect_equal


@pytest.mark.points(2)
def test_kl_to_init_known_values_and_properties(ex, rng):
    expect_close(
        ex.kl_to_init(np.array([np.log(3.0), 0.0]), np.zeros(2)),
        0.75 * np.log(1.5) + 0.25 * np.log(0.5),
        "kl_to_init([log 3, 0], [0, 0]) should be KL(softmax(p) ‖ softmax(p0)) = KL([¾, ¼] ‖ [½, ½]) = "
        "¾·ln 1.5 + ¼·ln 0.5 nats",
    )
    p0 = rng.normal(size=(4, 9))
    expect_close(ex.kl_to_init(p0, p0), 0.0, "the KL of p0 to itself should be 0", tol=1e-12)
    p = p0 + 0.3 * rng.normal(size=(4, 9))
    per_slice = sum(ex.kl_to_init(p[i], p0[i]) for i in range(4))
    assert per_slice > 0, f"the KL of different distributions should be positive; got {per_slice!r}"
    expect_close(
        ex.kl_to_init(p + 5.0, p0),
        ex.kl_to_init(p, p0),
        "adding a constant to p should not change the KL (softmax cannot see it)",
    )
    expect_close(
        ex.kl_to_init(p, p0),
        per_slice,
        "for (4, 9) logits, kl_to_init should SUM the KLs of the 4 rows (one softmax per row, along axis −1)",
    )
    expect_close(
        ex.kl_to_init(p.T, p0.T, axis=0),
        per_slice,
        "kl_to_init(p.T, p0.T, axis=0) should take the softmax along axis 0 and match the row-wise sum",
    )


@pytest.mark.points(2)
def test_freeze_all_but_keeps_frozen_weights_fixed(ex, rng):
    model = ex.to_submission(
        keras.Sequential([keras.Input((4,)), keras.layers.Dense(8, name="body"), keras.layers.Dense(2, name="head")])
    )  # the student's code changes it
    left = ex.freeze_all_but(model, {"head"})
    expect_equal(
        left,
        8 * 2 + 2,
        "freeze_all_but(model, {'head'}) should return the trainable PARAMETERS left: head's 8·2 weights + 2 biases",
    )
    assert not model.get_layer("body").trainable, "the layer 'body' is not in trainable_layers: it should be frozen"
    before = [w.copy() for w in model.get_layer("body").get_weights()]
    model.compile("adam", "mse")
    model.fit(rng.normal(size=(16, 4)), rng.normal(size=(16, 2)), epochs=2, verbose=0)
    for b, a in zip(before, model.get_layer("body").get_weights()):
        expect_equal(a, b, "the frozen layer 'body' changed during fit")
    expect_equal(
        ex.freeze_all_but(model, {"body", "head"}),
        4 * 8 + 8 + 18,
        "freeze_all_but(model, {'body', 'head'}) should make both layers trainable again: 58 parameters",
    )
