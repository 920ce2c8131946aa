"""symkeras.export: the same model from Keras' own layers — equal outputs, batch norm folded, loads in a process that
never imports symkeras, converts to TensorFlow Lite with the same outputs."""

import json
import subprocess
import sys
import warnings

import keras
import numpy as np
import pytest
from keras import ops

import symkeras
from symkeras import models
from symkeras.deploy import FLOAT32_AGREEMENT, to_tflite
from symkeras.layers import (
    GroupBatchNormalization,
    GroupConv2D,
    GroupConv2DTranspose,
    GroupConv3D,
    GroupMaxPool3D,
    GroupPooling,
    LiftingConv2D,
    LiftingConv3D,
    PermutationEquivariantDense,
)


def _trained(model, x, y, loss="mse"):
    """One training epoch moves the weights and the batch-norm statistics off their initial values."""
    model.compile(optimizer="adam", loss=loss)
    model.fit(x, y, epochs=2, batch_size=len(x) // 2, verbose=0)
    return model


def _p4cnn(rng):
    x = rng.normal(size=(8, 28, 28, 1)).astype("float32")
    return _trained(models.p4cnn(4), x, np.arange(8) % 10, "sparse_categorical_crossentropy"), x


def _volume_model(rng, spatial_pooling=True):
    """3-D over O: a BN after an activated convolution (not foldable) and one after a linear convolution."""
    model = keras.Sequential(
        [
            layer
            for layer in [
                keras.Input((7, 7, 7, 1)),
                LiftingConv3D(2, 3, group="O", activation="relu"),
                GroupBatchNormalization("O"),
                GroupConv3D(2, 3, group="O", strides=2, padding="same"),
                GroupBatchNormalization("O"),
                keras.layers.ReLU(),
                GroupMaxPool3D(3, strides=1, padding="same") if spatial_pooling else None,
                GroupPooling("O", reduction="mean"),
                keras.layers.GlobalAveragePooling3D(),
                keras.layers.Dense(3),
            ]
            if layer is not None
        ]
    )
    x = rng.normal(size=(4, 7, 7, 7, 1)).astype("float32")
    return _trained(model, x, rng.normal(size=(4, 3)).astype("float32")), x


def _segmenter(rng):
    """Encoder–decoder with a transposed group convolution followed by batch norm (folded on its out-channel axis)."""
    inputs = keras.Input((13, 13, 1))
    h = LiftingConv2D(3, 3, group="D4", activation="relu")(inputs)
    h = GroupConv2D(4, 3, group="D4", strides=2, use_bias=False)(h)
    h = GroupBatchNormalization("D4")(h)
    h = keras.layers.ReLU()(h)
    h = GroupConv2DTranspose(3, 3, group="D4", strides=2)(h)
    h = GroupBatchNormalization("D4")(h)
    h = keras.layers.ReLU()(h)
    h = GroupConv2DTranspose(1, 3, group="D4")(h)
    model = keras.Model(inputs, GroupPooling("D4")(h))
    x = rng.normal(size=(4, 13, 13, 1)).astype("float32")
    return _trained(model, x, rng.normal(size=(4, 13, 13, 1)).astype("float32")), x


MODELS = {
    "p4cnn": (_p4cnn, 6, 0),
    "3d-O": (_volume_model, 1, 1),
    "segmenter-D4": (_segmenter, 2, 0),
    "3d-O-no-pool3d": (lambda rng: _volume_model(rng, spatial_pooling=False), 1, 1),
}


def _all_layers(model):
    for layer in model.layers:
        yield layer
        if isinstance(layer, keras.Model):
            yield from _all_layers(layer)


#: float32 (see the constant's comment); test_export_in_float64_is_exact shows the construction itself is exact.
FLOAT32_TOLERANCE = FLOAT32_AGREEMENT


def _assert_close(got, want, tol=FLOAT32_TOLERANCE):
    got, want = np.asarray(got, np.float64), np.asarray(want, np.float64)
    assert got.shape == want.shape
    error = np.max(np.abs(got - want)) / max(1.0, np.max(np.abs(want)))
    assert error <= tol, f"max error {error:.2e} > {tol:.0e}"
    return error


@pytest.mark.parametrize("name", MODELS)
def test_export_uses_keras_layers_only_and_gives_the_same_outputs(name, rng):
    build, folds, kept_norms = MODELS[name]
    model, x = build(rng)
    exported = symkeras.export(model)
    layers = list(_all_layers(exported))
    assert all(type(layer).__module__.startswith("keras.") for layer in layers), [type(v) for v in layers]
    assert sum(isinstance(layer, keras.layers.Identity) for layer in layers) == folds  # batch norms folded
    assert sum(isinstance(layer, keras.layers.BatchNormalization) for layer in layers) == kept_norms
    _assert_close(exported.predict(x, verbose=0), model.predict(x, verbose=0))
    before = ops.convert_to_numpy(model(x))
    exported.layers[1].set_weights([w * 0 for w in exported.layers[1].get_weights()])  # copies, not shared
    np.testing.assert_array_equal(ops.convert_to_numpy(model(x)), before)


def test_export_in_float64_is_exact(rng):
    """In float64 the exported P4CNN (every batch norm folded) gives the original logits to 1e-12."""
    previous = keras.config.dtype_policy()
    keras.config.set_dtype_policy("float64")
    try:
        model, x = _p4cnn(rng)
        exported = symkeras.export(model)
        assert all(w.dtype == "float64" for w in exported.weights)
        _assert_close(
            exported.predict(x.astype("float64"), verbose=0), model.predict(x.astype("float64"), verbose=0), tol=1e-12
        )
    finally:
        keras.config.set_dtype_policy(previous)


_LOAD_WITHOUT_SYMKERAS = """
import json, sys
import numpy as np, keras
model = keras.models.load_model(sys.argv[1])
out = model.predict(np.load(sys.argv[2]), verbose=0)
np.save(sys.argv[3], out)
print(json.dumps({"symkeras_imported": any(m.split(".")[0] == "symkeras" for m in sys.modules),
                  "layers": sorted({type(layer).__module__.split(".")[0] for layer in model.layers})}))
"""


@pytest.mark.parametrize("name", ["p4cnn", "3d-O"])
def test_exported_model_loads_in_a_process_without_symkeras(name, tmp_path, rng):
    model, x = MODELS[name][0](rng)
    path = tmp_path / "exported.keras"
    symkeras.export(model).save(path)
    np.save(tmp_path / "x.npy", x)
    result = subprocess.run(
        [sys.executable, "-c", _LOAD_WITHOUT_SYMKERAS, str(path), str(tmp_path / "x.npy"), str(tmp_path / "y.npy")],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
        env={
            "PATH": "/usr/bin:/bin",
            "KERAS_BACKEND": "tensorflow",
            "TF_CPP_MIN_LOG_LEVEL": "3",
            "HOME": str(tmp_path),
        },
    )
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report == {"symkeras_imported": False, "layers": ["keras"]}
    # Another process may pick other oneDNN kernels (another summation order): float32 round-off of the whole
    # network, measured up to 1.3e-6 under load. In one process the exported model matches to 1e-6 (test above).
    _assert_close(np.load(tmp_path / "y.npy"), model.predict(x, verbose=0), tol=5e-6)


@pytest.mark.skipif(keras.backend.backend() != "tensorflow", reason="TensorFlow Lite converts TensorFlow graphs")
def test_3d_spatial_pooling_needs_tensorflow_ops_in_tflite(rng):
    model, _ = MODELS["3d-O"][0](rng)
    with pytest.raises(Exception, match=r"TF Select ops: .*MaxPool3D"):
        to_tflite(symkeras.export(model))
    assert len(to_tflite(symkeras.export(model), select_tf_ops=True)) > 0


@pytest.mark.skipif(keras.backend.backend() != "tensorflow", reason="TensorFlow Lite converts TensorFlow graphs")
@pytest.mark.parametrize("name", ["p4cnn", "segmenter-D4", "3d-O-no-pool3d"])
def test_exported_model_converts_to_tflite_with_the_same_outputs(name, rng):
    """TensorFlow Lite has no built-in 3-D spatial pooling (and pip TensorFlow's interpreter no Flex delegate), so
    the 3-D model here downsamples by a strided convolution; GroupPooling over O runs as 2-D pooling."""
    import tensorflow as tf

    model, x = MODELS[name][0](rng)
    flatbuffer = to_tflite(symkeras.export(model))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tf.lite.Interpreter announces its move to ai_edge_litert
        interpreter = tf.lite.Interpreter(model_content=flatbuffer)
    source = interpreter.get_input_details()[0]
    interpreter.resize_tensor_input(source["index"], x.shape)
    interpreter.allocate_tensors()
    interpreter.set_tensor(source["index"], x)
    interpreter.invoke()
    got = interpreter.get_tensor(interpreter.get_output_details()[0]["index"])
    _assert_close(got, model.predict(x, verbose=0), tol=1e-5)  # TFLite's XNNPACK kernels sum in their own order


def test_export_refuses_what_it_cannot_rebuild():
    inputs = keras.Input((5, 3))
    sets = keras.Model(inputs, PermutationEquivariantDense(2)(inputs))
    with pytest.raises(ValueError, match=r"export has no plain-Keras form for PermutationEquivariantDense"):
        symkeras.export(sets)

    class Subclassed(keras.Model):
        def __init__(self):
            super().__init__()
            self.conv = GroupConv2D(2, 3)

        def call(self, x):
            return self.conv(x)

    subclassed = Subclassed()
    subclassed(np.zeros((1, 5, 5, 4), "float32"))
    with pytest.raises(ValueError, match=r"export needs a Sequential or functional keras\.Model"):
        symkeras.export(subclassed)
    padded = keras.Sequential([keras.Input((None, None, 4)), GroupConv2D(2, 3, strides=2, padding="valid_equiv")])
    with pytest.raises(ValueError, match=r"pads by an amount that depends on the input size"):
        symkeras.export(padded)
    with pytest.raises(ValueError, match=r"export needs a built model"):
        symkeras.export(keras.Sequential([GroupConv2D(2, 3)]))
