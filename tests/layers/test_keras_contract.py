"""Every layer honours the Keras layer contract (run_layer_test), saves and loads exactly, and runs under
mixed precision and XLA."""

import os

import keras
import numpy as np
import pytest
from keras import ops
from keras.src import testing

import symkeras
from symkeras.equivariance import check_invariance
from symkeras.layers import (
    GroupAvgPool2D,
    GroupBatchNormalization,
    GroupConv2D,
    GroupMaxPool2D,
    GroupPooling,
    LiftingConv2D,
    PermutationEquivariantDense,
    SetPooling,
    SubgroupPooling,
)

BACKEND = keras.backend.backend()


class TestLayerContracts(testing.TestCase):
    """Config round trip, symbolic and eager calls, weight counts, a training step, mixed precision."""

    def test_lifting_conv(self):
        self.run_layer_test(
            LiftingConv2D,
            {"filters": 4, "kernel_size": 3, "group": "D4", "activation": "relu"},
            input_shape=(2, 9, 9, 3),
            expected_output_shape=(2, 7, 7, 32),
            expected_num_trainable_weights=2,
            expected_num_non_trainable_weights=0,
        )

    def test_group_conv(self):
        self.run_layer_test(
            GroupConv2D,
            {"filters": 2, "kernel_size": 3, "padding": "same", "strides": 2},
            input_shape=(2, 9, 9, 12),
            expected_output_shape=(2, 5, 5, 8),
            expected_num_trainable_weights=2,
            expected_num_non_trainable_weights=0,
        )

    def test_padded_strided_layers(self):
        self.run_layer_test(
            GroupConv2D,
            {"filters": 2, "kernel_size": 3, "strides": 3, "padding": "valid_equiv"},
            input_shape=(2, 10, 11, 8),
            expected_output_shape=(2, 4, 5, 8),
            expected_num_trainable_weights=2,
            expected_num_non_trainable_weights=0,
        )
        self.run_layer_test(
            GroupMaxPool2D,
            {"pool_size": 3, "strides": 2, "padding": "same_equiv"},
            input_shape=(2, 9, 9, 8),
            expected_output_shape=(2, 5, 5, 8),
            expected_num_trainable_weights=0,
        )

    def test_subgroup_pooling(self):
        self.run_layer_test(
            SubgroupPooling,
            {"group": "D4", "subgroup": "D1", "reduction": "mean"},
            input_shape=(2, 5, 5, 16),
            expected_output_shape=(2, 5, 5, 4),
            expected_num_trainable_weights=0,
        )

    def test_group_pooling(self):
        self.run_layer_test(
            GroupPooling,
            {"group": "C4", "reduction": "mean"},
            input_shape=(2, 5, 5, 12),
            expected_output_shape=(2, 5, 5, 3),
            expected_num_trainable_weights=0,
        )

    def test_spatial_pooling(self):
        for cls in (GroupMaxPool2D, GroupAvgPool2D):
            self.run_layer_test(
                cls,
                {"pool_size": 2},
                input_shape=(2, 6, 6, 8),
                expected_output_shape=(2, 3, 3, 8),
                expected_num_trainable_weights=0,
            )

    def test_group_batch_norm(self):
        self.run_layer_test(
            GroupBatchNormalization,
            {"group": "D4", "momentum": 0.9},
            input_shape=(2, 4, 4, 16),
            expected_output_shape=(2, 4, 4, 16),
            expected_num_trainable_weights=2,
            expected_num_non_trainable_weights=2,
        )

    def test_set_layers(self):
        self.run_layer_test(
            PermutationEquivariantDense,
            {"units": 3, "reduction": "max"},
            input_shape=(2, 5, 4),
            expected_output_shape=(2, 5, 3),
            expected_num_trainable_weights=3,
        )
        self.run_layer_test(
            SetPooling,
            {"reduction": "mean"},
            input_shape=(2, 5, 4),
            expected_output_shape=(2, 4),
            expected_num_trainable_weights=0,
        )


def _gcnn(group="C4"):
    inputs = keras.Input((13, 13, 1))
    x = LiftingConv2D(4, 3, group=group, kernel_regularizer="l2")(inputs)
    x = GroupBatchNormalization(group)(x)
    x = keras.layers.ReLU()(x)
    x = GroupConv2D(4, 3, group=group, strides=2)(x)
    x = GroupMaxPool2D(pool_size=3, strides=2, padding="same")(x)
    x = GroupAvgPool2D(pool_size=1)(x)
    x = GroupPooling(group)(x)
    x = keras.layers.GlobalAveragePooling2D()(x)
    return keras.Model(inputs, keras.layers.Dense(3)(x))


@pytest.mark.parametrize("group", ["C4", "D4"])
def test_model_save_and_load_gives_identical_outputs(group, tmp_path, rng):
    model = _gcnn(group)
    x = rng.normal(size=(4, 13, 13, 1)).astype("float32")
    model.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    model.fit(x, np.arange(4) % 3, epochs=1, verbose=0)  # moves weights and batch-norm statistics off their init
    path = tmp_path / "gcnn.keras"
    model.save(path)
    loaded = keras.models.load_model(path)
    np.testing.assert_array_equal(ops.convert_to_numpy(loaded(x)), ops.convert_to_numpy(model(x)))
    check_invariance(loaded, group, x)
    assert loaded.layers[1].group is symkeras.groups.get(group)


@pytest.mark.parametrize("policy", ["mixed_bfloat16", "mixed_float16"])
def test_mixed_precision_keeps_float32_weights_and_equivariance(policy, rng):
    previous = keras.config.dtype_policy()
    keras.config.set_dtype_policy(policy)
    try:
        layer = GroupConv2D(4, 3, group="C4", padding="same")
        x = rng.normal(size=(2, 7, 7, 8)).astype("float32")
        y = layer(x)
        assert layer.kernel.dtype == "float32" and keras.backend.standardize_dtype(y.dtype) == policy.split("_")[1]
        report = layer.check_equivariance(x)
        assert report.tolerance == symkeras.equivariance.TOLERANCES[policy.split("_")[1]]
    finally:
        keras.config.set_dtype_policy(previous)


@pytest.mark.skipif(BACKEND == "torch", reason="jit_compile means XLA: TensorFlow and JAX")
def test_xla_compiled_model_matches_eager_and_stays_invariant(rng):
    model = _gcnn("D4")
    x = rng.normal(size=(8, 13, 13, 1)).astype("float32")
    eager = ops.convert_to_numpy(model(x))
    model.compile(jit_compile=True)
    compiled = model.predict(x, verbose=0)
    np.testing.assert_allclose(compiled, eager, rtol=1e-5, atol=1e-6)
    check_invariance(lambda v: model.predict(v, verbose=0), "D4", x)


def test_backend_under_test_is_the_requested_one():
    assert BACKEND == os.environ.get("KERAS_BACKEND", "tensorflow")


def test_loading_without_symkeras_names_the_package_and_load_model_registers_it(tmp_path):
    """Keras never imports a third-party module while loading, so without `import symkeras.layers` it cannot find
    the classes; its error does name the registered `symkeras>…` class, and `symkeras.load_model` just works."""
    import subprocess
    import sys

    model = keras.Sequential([keras.Input((7, 7, 1)), LiftingConv2D(2, 3), GroupPooling("C4")])
    path = tmp_path / "m.keras"
    model.save(path)
    script = (
        "import sys, keras\n"
        f"path = {str(path)!r}\n"
        "try:\n    keras.models.load_model(path)\nexcept Exception as error:\n    print('ERROR', error)\n"
        "import symkeras\n"
        "try:\n    keras.models.load_model(path)\nexcept Exception as error:\n    print('LAZY', type(error).__name__)\n"
        "print('LOADED', symkeras.load_model(path).layers[0].__class__.__name__)\n"
    )
    root = os.path.dirname(os.path.dirname(os.path.abspath(symkeras.__file__)))  # the symkeras under test
    env = {
        **os.environ,
        "TF_CPP_MIN_LOG_LEVEL": "3",
        "PYTHONPATH": os.pathsep.join([root, *filter(None, [os.environ.get("PYTHONPATH")])]),
    }
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=300, cwd=tmp_path, check=True
    ).stdout
    assert "Could not locate class 'LiftingConv2D'" in out and "'registered_name': 'symkeras>LiftingConv2D'" in out
    assert "LAZY TypeError" in out  # `import symkeras` alone does not register the layers…
    assert "LOADED LiftingConv2D" in out  # …symkeras.load_model does
