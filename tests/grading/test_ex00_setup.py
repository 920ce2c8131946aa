import pytest

from symkeras.grading import expect_equal


@pytest.mark.points(1)
def test_keras_backend_names_the_running_backend(ex):
    import keras

    running = keras.backend.backend()
    expect_equal(ex.keras_backend(), running, f"keras_backend() should name the backend Keras is running, {running!r}")
    for other in ("jax", "torch", "tensorflow"):  # as if chosen in ~/.keras/keras.json, not in $KERAS_BACKEND
        with ex.patched("keras.src.backend.config", "_BACKEND", other):  # in the student's process
            expect_equal(
                ex.keras_backend(),
                other,
                f"with Keras configured for {other!r} (e.g. in ~/.keras/keras.json), keras_backend() should "
                f"return {other!r}: ask Keras (keras.backend.backend()), not a default or $KERAS_BACKEND",
            )


@pytest.mark.points(1)
def test_group_order(ex):
    for name, order in [("C4", 4), ("D4", 8), ("trivial", 1), ("C2", 2), ("D2", 4)]:
        expect_equal(
            ex.group_order(name),
            order,
            f"group_order({name!r}) should be the number of elements of symkeras.groups.get({name!r}), {order}",
        )
