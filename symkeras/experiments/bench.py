"""Benchmarks with their plain-Keras baselines measured side by side: ``python -m symkeras bench``.

Shared machines are noisy, so every number that matters is a *ratio* of implementations timed in the same run,
interleaved round by round (each round times every implementation once), and summarised by the median.

* ``layers`` — C4 ``GroupConv2D`` / ``LiftingConv2D`` vs a plain ``Conv2D`` with the same output channels and vs the
  naive "transform the input |G| times" implementation, forward and forward+backward.
* ``subgroups_padding`` — ``SubgroupPooling`` D4 → C4 / D4 → D1 (read by a reshape) vs the same reshape-and-max
  written in plain Keras (equal outputs, asserted), D4 → D2 (one gather) vs a reshape-and-max of the same sizes, and the ``valid_equiv`` strided layers on an input that needs
  padding (28 px, stride 3: 1 px each side) vs ``ZeroPadding2D`` + ``Conv2D`` / ``MaxPooling2D`` with the same
  padding and weights, written for that one size (equal outputs, asserted).
* ``training`` — training throughput (images/s, ``model.fit`` steps at one batch size) of an MLP, the Z2CNN with 40
  channels (as many feature maps as the P4CNN's 10 fields × 4 orientations), the P4CNN, and the cloned MLP
  (the C4 G-CNN of the cloning experiment rebuilt by ``mlp2gcnn``); plus the input pipeline alone and the CNN fed
  by it, to show whether ``tf.data`` ever limits training.
* ``cloning`` — cloning steps/s of the structured student vs a plain ``Dense`` student with the same weights.
* ``volumes`` — ``GroupConv3D`` / ``LiftingConv3D`` over O (24 rotations of the cube) vs a plain ``Conv3D`` with the
  same output channels, forward and forward+backward.
* ``transpose`` — C4 ``GroupConv2DTranspose`` (stride 2) vs a plain ``Conv2DTranspose`` with the same channels.
* ``export`` — inference of the P4CNN vs the same model after ``symkeras.export`` (plain ``Conv2D`` layers, batch
  norm folded): the speed-up of deployment.

Targets (CPU): group conv (2-D and 3-D) fwd+bwd ≤ 1.15× plain; P4CNN throughput ≥ 0.8× the CNN; input pipeline far
faster than training; the exported model at least as fast as the original.  Results go to
``benchmarks/results/bench.json``.
"""

from __future__ import annotations

import json
import platform
import time
from pathlib import Path

import numpy as np

from symkeras import groups

__all__ = [
    "interleaved_medians",
    "layer_benchmark",
    "subgroup_padding_benchmark",
    "volume_benchmark",
    "transpose_benchmark",
    "export_benchmark",
    "training_benchmark",
    "cloning_benchmark",
    "run",
    "format_report",
]


def interleaved_medians(timers: dict, rounds: int, warmup: int = 2) -> dict:
    """Median seconds of each zero-argument callable in ``timers``, timed alternately ``rounds`` times."""
    for _ in range(warmup):
        for fn in timers.values():
            fn()
    times = {name: [] for name in timers}
    for _ in range(rounds):
        for name, fn in timers.items():
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    return {name: float(np.median(ts)) for name, ts in times.items()}


# --- layers ----------------------------------------------------------------------------------------------------------


def _naive_group_conv(layer):
    """Reference without filter expansion: ``out_t = t·conv(t⁻¹·f, ψ)`` — transform the *input* |G| times."""
    import keras

    group, lifting = layer.group, layer.lifting
    act_in = group.act_on_image if lifting else group.act_on_field

    def call(x):
        outs = [
            group.act_on_image(
                keras.ops.conv(act_in(x, group.inverse(t)), layer.kernel, strides=layer.strides, padding=layer.padding),
                t,
            )
            for t in group.elements
        ]
        y = keras.ops.stack(outs, axis=-1)
        return keras.ops.reshape(y, (*keras.ops.shape(outs[0])[:-1], -1)) + keras.ops.repeat(layer.bias, group.order)

    return call


def _layer_timers(fn, weights, x):
    import tensorflow as tf

    forward = tf.function(fn)

    @tf.function
    def forward_backward(x):
        with tf.GradientTape() as tape:
            tape.watch(x)
            loss = tf.reduce_sum(tf.square(fn(x)))
        return tape.gradient(loss, [x, *weights])

    def run(f):
        return lambda: tf.nest.map_structure(lambda t: t.numpy(), f(x))

    return run(forward), run(forward_backward)


def layer_benchmark(batch=128, size=28, fields=16, rounds=10, group=groups.C4) -> list:
    import keras
    import tensorflow as tf

    from symkeras.layers import GroupConv2D, LiftingConv2D

    group = groups.get(group)
    rng = np.random.default_rng(0)
    channels = fields * group.order
    rows = []
    for cls, in_channels in ((GroupConv2D, channels), (LiftingConv2D, 1)):
        x = tf.constant(rng.normal(size=(batch, size, size, in_channels)).astype("float32"))
        layer = cls(fields, 3, group=group, padding="same")
        plain = keras.layers.Conv2D(channels, 3, padding="same")
        layer(x[:1]), plain(x[:1])
        naive = _naive_group_conv(layer)
        np.testing.assert_allclose(
            keras.ops.convert_to_numpy(naive(x[:2])), keras.ops.convert_to_numpy(layer(x[:2])), rtol=1e-4, atol=1e-4
        )
        impls = {
            "symkeras": (layer, layer.trainable_variables),
            "plain Conv2D": (plain, plain.trainable_variables),
            "naive (transform input)": (naive, layer.trainable_variables),
        }
        timers = {}
        for name, (fn, weights) in impls.items():
            timers[(name, "fwd")], timers[(name, "fwd+bwd")] = _layer_timers(fn, weights, x)
        t = interleaved_medians(timers, rounds)
        for name in impls:
            rows.append(
                {
                    "layer": cls.__name__,
                    "implementation": name,
                    "batch": batch,
                    "size": size,
                    "in_channels": in_channels,
                    "out_channels": channels,
                    "fwd_ms": 1e3 * t[(name, "fwd")],
                    "fwd+bwd_ms": 1e3 * t[(name, "fwd+bwd")],
                    "fwd_vs_plain": t[(name, "fwd")] / t[("plain Conv2D", "fwd")],
                    "fwd+bwd_vs_plain": t[(name, "fwd+bwd")] / t[("plain Conv2D", "fwd+bwd")],
                }
            )
    return rows


def subgroup_padding_benchmark(batch=128, size=28, fields=8, rounds=10) -> list:
    """Rows ``{"layer", "implementation", "fwd_ms", "fwd+bwd_ms", "fwd_vs_plain", "fwd+bwd_vs_plain"}``:
    each symkeras layer against the plain-Keras layer a user would otherwise write, timed interleaved."""
    import keras
    import tensorflow as tf

    from symkeras.layers import GroupConv2D, GroupMaxPool2D, SubgroupPooling, equivariant_padding

    rng = np.random.default_rng(0)
    x8 = tf.constant(rng.normal(size=(batch, size, size, fields * 8)).astype("float32"))
    x4 = tf.constant(rng.normal(size=(batch, size, size, fields * 4)).astype("float32"))

    def reshape_max(x, blocks, per_block, axis=-2):  # plain Keras: the group axis as (blocks, per_block), one max
        shape = keras.ops.shape(x)
        return keras.ops.max(
            keras.ops.reshape(x, (*shape[:-1], shape[-1] // (blocks * per_block), blocks, per_block)), axis=axis
        )

    def flat(fn):
        return lambda x: keras.ops.reshape(fn(x), (*keras.ops.shape(x)[:-1], -1))

    d4_c4 = SubgroupPooling(groups.D4, groups.C4)
    d4_d1 = SubgroupPooling(groups.D4, groups.D1)
    np.testing.assert_array_equal(
        keras.ops.convert_to_numpy(d4_c4(x8[:2])),  # pooled sets {h, h·f}: stride 4
        keras.ops.convert_to_numpy(flat(lambda v: reshape_max(v, 2, 4))(x8[:2])),
    )
    np.testing.assert_array_equal(
        keras.ops.convert_to_numpy(d4_d1(x8[:2])),  # {rotations}, {mirrors}: blocks of 4
        keras.ops.convert_to_numpy(flat(lambda v: reshape_max(v, 2, 4, -1))(x8[:2])),
    )
    # Padded strides: the plain-Keras equivalent at a known size is ZeroPadding2D + the layer with 'valid' (28 px,
    # kernel 3, stride 3: 1 px each side), holding the same expanded filter bank, so outputs are equal.
    conv = GroupConv2D(fields, 3, group=groups.C4, strides=3, padding="valid_equiv")
    conv(x4[:1])
    total = equivariant_padding(size, 3, 3, "valid_equiv")
    plain_conv = keras.Sequential(
        [keras.layers.ZeroPadding2D(total // 2), keras.layers.Conv2D(fields * 4, 3, strides=3, padding="valid")]
    )
    plain_conv(x4[:1])
    plain_conv.layers[-1].set_weights(
        [keras.ops.convert_to_numpy(conv.expanded_kernel()), np.repeat(keras.ops.convert_to_numpy(conv.bias), 4)]
    )
    pool = GroupMaxPool2D(3, strides=3, padding="valid_equiv")
    plain_pool = keras.Sequential([keras.layers.ZeroPadding2D(total // 2), keras.layers.MaxPooling2D(3, strides=3)])
    for ours, theirs in ((conv, plain_conv), (pool, plain_pool)):
        np.testing.assert_allclose(
            keras.ops.convert_to_numpy(ours(x4[:2])), keras.ops.convert_to_numpy(theirs(x4[:2])), rtol=1e-4, atol=1e-4
        )
    d4_d2 = SubgroupPooling(groups.D4, groups.D2)  # cosets are not blocks of the group axis: one gather first
    cases = [
        (
            "SubgroupPooling D4→C4",
            x8,
            {"symkeras": (d4_c4, []), "plain reshape + max": (flat(lambda v: reshape_max(v, 2, 4)), [])},
        ),
        (
            "SubgroupPooling D4→D1",
            x8,
            {"symkeras": (d4_d1, []), "plain reshape + max": (flat(lambda v: reshape_max(v, 2, 4, -1)), [])},
        ),
        (
            "SubgroupPooling D4→D2 (gather)",
            x8,
            {"symkeras": (d4_d2, []), "plain reshape + max": (flat(lambda v: reshape_max(v, 2, 4)), [])},
        ),
        (
            "GroupConv2D s3 valid_equiv",
            x4,
            {
                "symkeras": (conv, conv.trainable_variables),
                "ZeroPadding2D + Conv2D": (plain_conv, plain_conv.trainable_variables),
            },
        ),
        (
            "GroupMaxPool2D s3 valid_equiv",
            x4,
            {"symkeras": (pool, []), "ZeroPadding2D + MaxPooling2D": (plain_pool, [])},
        ),
    ]
    rows = []
    for label, x, impls in cases:
        timers = {}
        for name, (fn, weights) in impls.items():
            timers[(name, "fwd")], timers[(name, "fwd+bwd")] = _layer_timers(fn, weights, x)
        t = interleaved_medians(timers, rounds)
        plain = next(name for name in impls if name != "symkeras")
        for name in impls:
            rows.append(
                {
                    "layer": label,
                    "implementation": name,
                    "batch": batch,
                    "size": size,
                    "in_channels": int(x.shape[-1]),
                    "fwd_ms": 1e3 * t[(name, "fwd")],
                    "fwd+bwd_ms": 1e3 * t[(name, "fwd+bwd")],
                    "fwd_vs_plain": t[(name, "fwd")] / t[(plain, "fwd")],
                    "fwd+bwd_vs_plain": t[(name, "fwd+bwd")] / t[(plain, "fwd+bwd")],
                }
            )
    return rows


def _versus_plain(rows, label, pairs, rounds, **info):
    """Time each ``(layer, plain)`` pair (forward, forward+backward) on its input, interleaved, and add one row per
    implementation with its ratio to the plain Keras layer."""
    for cls_name, layer, plain, x in pairs:
        timers = {}
        impls = {"symkeras": layer, label: plain}
        for name, fn in impls.items():
            timers[(name, "fwd")], timers[(name, "fwd+bwd")] = _layer_timers(fn, fn.trainable_variables, x)
        t = interleaved_medians(timers, rounds)
        for name in impls:
            rows.append(
                {
                    "layer": cls_name,
                    "implementation": name,
                    **info,
                    "in_channels": int(x.shape[-1]),
                    "out_channels": int(plain.compute_output_shape(x.shape)[-1]),
                    "fwd_ms": 1e3 * t[(name, "fwd")],
                    "fwd+bwd_ms": 1e3 * t[(name, "fwd+bwd")],
                    "fwd_vs_plain": t[(name, "fwd")] / t[(label, "fwd")],
                    "fwd+bwd_vs_plain": t[(name, "fwd+bwd")] / t[(label, "fwd+bwd")],
                }
            )
    return rows


def volume_benchmark(batch=4, size=12, fields=2, rounds=30, group=groups.O) -> list:
    """``GroupConv3D``/``LiftingConv3D`` over a cubic group vs ``Conv3D`` with the same output channels (3×3×3,
    'same'), on ``batch`` cubic volumes of side ``size`` voxels."""
    import keras
    import tensorflow as tf

    from symkeras.layers import GroupConv3D, LiftingConv3D

    rng = np.random.default_rng(0)
    channels = fields * group.order
    pairs = []
    for cls, in_channels in ((GroupConv3D, channels), (LiftingConv3D, 1)):
        x = tf.constant(rng.normal(size=(batch, size, size, size, in_channels)).astype("float32"))
        layer, plain = cls(fields, 3, group=group, padding="same"), keras.layers.Conv3D(channels, 3, padding="same")
        layer(x[:1]), plain(x[:1])
        pairs.append((cls.__name__, layer, plain, x))
    return _versus_plain([], "plain Conv3D", pairs, rounds, batch=batch, size=size, group=group.name)


def transpose_benchmark(batch=64, size=14, fields=16, rounds=10, group=groups.C4) -> list:
    """``GroupConv2DTranspose`` (4×4, stride 2, 'same') vs ``Conv2DTranspose`` with the same channels."""
    import keras
    import tensorflow as tf

    from symkeras.layers import GroupConv2DTranspose

    channels = fields * group.order
    x = tf.constant(np.random.default_rng(0).normal(size=(batch, size, size, channels)).astype("float32"))
    layer = GroupConv2DTranspose(fields, 4, group=group, strides=2, padding="same")
    plain = keras.layers.Conv2DTranspose(channels, 4, strides=2, padding="same")
    layer(x[:1]), plain(x[:1])
    return _versus_plain(
        [],
        "plain Conv2DTranspose",
        [("GroupConv2DTranspose", layer, plain, x)],
        rounds,
        batch=batch,
        size=size,
        group=group.name,
    )


def export_benchmark(batches=(1, 256), fields=10, rounds=10) -> dict:
    """Inference (one ``tf.function`` call per batch) of the P4CNN vs ``symkeras.export`` of it, at each batch size
    (1: latency, where the per-call filter expansion weighs most), after checking that both give the same logits."""
    import tensorflow as tf

    from symkeras import models
    from symkeras.deploy import export

    model = models.p4cnn(fields)
    exported = export(model)
    rng = np.random.default_rng(0)
    inputs = {batch: tf.constant(rng.normal(size=(batch, 28, 28, 1)).astype("float32")) for batch in batches}
    x = inputs[max(batches)]
    reference = model(x).numpy()
    error = float(np.max(np.abs(exported(x).numpy() - reference)) / np.max(np.abs(reference)))
    calls = {
        name: tf.function(lambda v, m=m: m(v, training=False))
        for name, m in (("P4CNN (symkeras layers)", model), ("exported (plain Keras)", exported))
    }
    timers = {
        (name, batch): (lambda f=f, v=v: f(v).numpy()) for name, f in calls.items() for batch, v in inputs.items()
    }
    seconds = interleaved_medians(timers, rounds)
    rows = [
        {
            "name": name,
            "batch": batch,
            "ms": 1e3 * s,
            "images_per_s": batch / s,
            "speedup": seconds[("P4CNN (symkeras layers)", batch)] / s,
        }
        for (name, batch), s in seconds.items()
    ]
    return {"batches": list(batches), "max_relative_difference": error, "rows": rows}


# --- training throughput -----------------------------------------------------------------------------------------------


def _training_models():
    from symkeras import cloning, models
    from symkeras.experiments.cloning import TASKS, symmetric_network

    gcnn = symmetric_network(TASKS["rotation-symmetric"], 10, (28, 28, 1))
    return {
        "MLP (784-256-256-10)": lambda: models.mlp((28, 28, 1), (256, 256), 10),
        "CNN, 40 channels (baseline)": lambda: models.cnn(40),
        "P4CNN, 10 fields × 4": lambda: models.p4cnn(10),
        "cloned MLP (mlp2gcnn, frozen)": lambda: cloning.mlp_from_convnet(gcnn),
    }


def training_benchmark(batch=64, steps=10, rounds=3) -> dict:
    """Images/s of ``model.fit`` over ``steps`` batches of in-memory data, per model; the ``tf.data`` pipeline of
    the rotation task alone; and the baseline CNN fed by that pipeline (input-bound if it is much slower)."""
    import keras
    import tensorflow as tf

    from symkeras import data as sk_data
    from symkeras import models
    from symkeras.training import compile_classifier

    x, y = sk_data.rotated_mnist("random90").arrays("train", limit=batch * steps)
    in_memory = tf.data.Dataset.from_tensor_slices((x, y)).batch(batch).cache()
    compiled = {}
    for name, make in _training_models().items():
        keras.utils.set_random_seed(0)
        compiled[name] = compile_classifier(make())
    pipeline = sk_data.rotated_mnist((0, 360)).dataset("train", batch_size=batch, limit=batch * steps)

    def fit(model, ds):
        return lambda: model.fit(ds, epochs=1, verbose=0)

    def drain():
        for _ in pipeline:
            pass

    timers = {name: fit(model, in_memory) for name, model in compiled.items()}
    baseline = "CNN, 40 channels (baseline)"
    timers["input pipeline alone (rotation, tf.data)"] = drain
    timers["CNN fed by the input pipeline"] = fit(compiled[baseline], pipeline)
    seconds = interleaved_medians(timers, rounds, warmup=1)
    images = batch * steps
    rows = []
    for name, s in seconds.items():
        row = {"name": name, "images_per_s": images / s, "vs_cnn": seconds[baseline] / s}
        if name in compiled:
            row["params"] = models.count_params(compiled[name])
        rows.append(row)
    feed = seconds["CNN fed by the input pipeline"]
    return {
        "batch": batch,
        "steps": steps,
        "rows": rows,
        "input_share_of_step_time": max(0.0, feed - seconds[baseline]) / feed,
        "pipeline_vs_training_speed": seconds[baseline] / seconds["input pipeline alone (rotation, tf.data)"],
    }


# --- cloning ---------------------------------------------------------------------------------------------------------


def cloning_benchmark(size=28, images=64, kernels=16, steps=10, rounds=3) -> list:
    """Optimizer steps/s of the structured student (``ŷ = Σ_b k_b W_b x``) vs a plain ``Dense`` student holding the
    same ``9·m²·n²`` weights (``x ↦ W x``, no kernels), both with Adam + global clip + XLA, on the same batches."""
    import keras

    from symkeras import cloning
    from symkeras.distribute import jit_compile_for

    rng = np.random.default_rng(0)
    (k, x), target = cloning.teacher_batch(rng, size, images, kernels, groups.trivial, "valid")
    m2 = (size - 2) ** 2
    structured = cloning.StructuredStudent(size, groups.trivial, learn_taps=False)
    dense = keras.Sequential(
        [
            keras.Input((size, size)),
            keras.layers.Flatten(),
            keras.layers.Dense(9 * m2, use_bias=False, kernel_initializer="zeros"),
        ]
    )
    dense_target = rng.standard_normal((images, 9 * m2)).astype("float32")
    for model in (structured, dense):
        model.compile(
            optimizer=keras.optimizers.Adam(1e-3, global_clipnorm=1.0),
            loss="mse",
            jit_compile=jit_compile_for(dense=True),
        )
    batches = {"structured student": ((k, x), target), "plain Dense student": (x, dense_target)}
    models = {"structured student": structured, "plain Dense student": dense}

    def train(name):
        inputs, targets = batches[name]
        return lambda: [models[name].train_on_batch(inputs, targets) for _ in range(steps)]

    seconds = interleaved_medians({name: train(name) for name in models}, rounds, warmup=1)
    base = seconds["plain Dense student"]
    return [
        {
            "name": name,
            "size": size,
            "examples_per_step": images * kernels,
            "steps_per_s": steps / s,
            "vs_dense": base / s,
            "weights": int(9 * m2 * size * size),
        }
        for name, s in seconds.items()
    ]


# --- all -------------------------------------------------------------------------------------------------------------


def run(quick=False, out="benchmarks/results") -> dict:
    """All benchmarks (``quick``: tiny sizes, for tests); writes ``bench.json`` to ``out``."""
    import keras
    import tensorflow as tf

    sizes = (
        {
            "layers": dict(batch=8, size=12, fields=2, rounds=2),
            "subgroups_padding": dict(batch=4, size=10, fields=1, rounds=2),
            "volumes": dict(batch=1, size=5, fields=1, rounds=1),
            "transpose": dict(batch=4, size=6, fields=2, rounds=1),
            "export": dict(batches=[1, 8], fields=2, rounds=1),
            "training": dict(batch=16, steps=2, rounds=1),
            "cloning": dict(size=8, images=8, kernels=2, steps=2, rounds=1),
        }
        if quick
        else {
            "layers": dict(batch=128, size=28, fields=16, rounds=10),
            "subgroups_padding": dict(batch=128, size=28, fields=8, rounds=10),
            "volumes": dict(batch=4, size=12, fields=2, rounds=30),
            "transpose": dict(batch=64, size=14, fields=16, rounds=10),
            "export": dict(batches=[1, 256], fields=10, rounds=20),
            "training": dict(batch=64, steps=10, rounds=3),
            "cloning": dict(size=28, images=64, kernels=16, steps=10, rounds=3),
        }
    )
    result = {
        "machine": platform.platform(),
        "processor": platform.processor(),
        "devices": [d.name for d in tf.config.list_physical_devices()],
        "tensorflow": tf.__version__,
        "keras": keras.__version__,
        "quick": quick,
        "settings": sizes,
        "layers": layer_benchmark(**sizes["layers"]),
        "subgroups_padding": subgroup_padding_benchmark(**sizes["subgroups_padding"]),
        "volumes": volume_benchmark(**sizes["volumes"]),
        "transpose": transpose_benchmark(**sizes["transpose"]),
        "export": export_benchmark(**sizes["export"]),
        "training": training_benchmark(**sizes["training"]),
        "cloning": cloning_benchmark(**sizes["cloning"]),
    }
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "bench.json").write_text(json.dumps(result, indent=2))
    return result


def format_report(result) -> str:
    s = result["settings"]
    lines = [
        f"symkeras bench on {', '.join(result['devices'])} (TensorFlow {result['tensorflow']}, Keras "
        f"{result['keras']}); medians of interleaved rounds",
        "",
        f"layers: batch {s['layers']['batch']}×{s['layers']['size']}², {s['layers']['fields']} C4 fields, 3×3",
        f"{'layer':<14} {'implementation':<24} {'fwd ms':>8} {'fwd+bwd ms':>11} {'fwd/plain':>10} {'f+b/plain':>10}",
    ]
    for r in result["layers"]:
        lines.append(
            f"{r['layer']:<14} {r['implementation']:<24} {r['fwd_ms']:8.2f} {r['fwd+bwd_ms']:11.2f} "
            f"{r['fwd_vs_plain']:10.2f} {r['fwd+bwd_vs_plain']:10.2f}"
        )
    sp = s["subgroups_padding"]
    lines += [
        "",
        f"subgroup pooling and padded strides: batch {sp['batch']}×{sp['size']}², {sp['fields']} fields",
        f"{'layer':<30} {'implementation':<29} {'fwd ms':>8} {'fwd+bwd ms':>11} {'fwd/plain':>10} {'f+b/plain':>10}",
    ]
    for r in result["subgroups_padding"]:
        lines.append(
            f"{r['layer']:<30} {r['implementation']:<29} {r['fwd_ms']:8.2f} {r['fwd+bwd_ms']:11.2f} "
            f"{r['fwd_vs_plain']:10.2f} {r['fwd+bwd_vs_plain']:10.2f}"
        )
    v = s["volumes"]
    lines += [
        "",
        f"volumes: batch {v['batch']}×{v['size']}³, {v['fields']} fields over O (24 rotations), 3×3×3; "
        f"transposed: batch {s['transpose']['batch']}×{s['transpose']['size']}², {s['transpose']['fields']} C4 "
        f"fields, 4×4 stride 2",
    ]
    for r in result["volumes"] + result["transpose"]:
        lines.append(
            f"{r['layer']:<20} {r['implementation']:<22} {r['fwd_ms']:8.2f} {r['fwd+bwd_ms']:11.2f} "
            f"{r['fwd_vs_plain']:10.2f} {r['fwd+bwd_vs_plain']:10.2f}"
        )
    e = result["export"]
    lines += [
        "",
        f"export: inference of the P4CNN (outputs differ by {e['max_relative_difference']:.1e} relative)",
        f"{'model':<26} {'batch':>6} {'ms':>8} {'images/s':>9} {'speed-up':>9}",
    ]
    for r in e["rows"]:
        lines.append(f"{r['name']:<26} {r['batch']:6d} {r['ms']:8.2f} {r['images_per_s']:9.0f} {r['speedup']:9.2f}")
    t = result["training"]
    lines += [
        "",
        f"training throughput: batch {t['batch']}, {t['steps']} steps per round",
        f"{'model':<42} {'params':>9} {'images/s':>9} {'vs CNN':>7}",
    ]
    for r in t["rows"]:
        params = f"{r['params']:,}" if "params" in r else ""
        lines.append(f"{r['name']:<42} {params:>9} {r['images_per_s']:9.0f} {r['vs_cnn']:7.2f}")
    lines.append(
        f"input pipeline: {t['pipeline_vs_training_speed']:.1f}× faster than CNN training; "
        f"{100 * t['input_share_of_step_time']:.0f}% of a pipeline-fed step waits for input"
    )
    c = result["cloning"]
    lines += [
        "",
        f"cloning at {c[0]['size']}×{c[0]['size']} ({c[0]['weights']:,} map entries, "
        f"{c[0]['examples_per_step']} examples/step)",
        f"{'student':<24} {'steps/s':>8} {'vs Dense':>9}",
    ]
    for r in c:
        lines.append(f"{r['name']:<24} {r['steps_per_s']:8.2f} {r['vs_dense']:9.2f}")
    gc = next(r for r in result["layers"] if r["layer"] == "GroupConv2D" and r["implementation"] == "symkeras")
    p4 = next(r for r in t["rows"] if r["name"].startswith("P4CNN"))
    g3 = next(r for r in result["volumes"] if r["layer"] == "GroupConv3D" and r["implementation"] == "symkeras")
    speedup = next(r for r in e["rows"] if r["name"].startswith("exported") and r["batch"] == max(e["batches"]))[
        "speedup"
    ]
    lines += [
        "",
        "targets: GroupConv2D fwd+bwd ≤ 1.15× plain: "
        f"{gc['fwd+bwd_vs_plain']:.2f}× {'ok' if gc['fwd+bwd_vs_plain'] <= 1.15 else 'MISSED'}; "
        f"GroupConv3D (O) fwd+bwd ≤ 1.15× plain: "
        f"{g3['fwd+bwd_vs_plain']:.2f}× {'ok' if g3['fwd+bwd_vs_plain'] <= 1.15 else 'MISSED'}; "
        f"exported model ≥ 1× original speed: {speedup:.2f}× {'ok' if speedup >= 1.0 else 'MISSED'}; "
        f"P4CNN ≥ 0.8× CNN throughput: {p4['vs_cnn']:.2f}× {'ok' if p4['vs_cnn'] >= 0.8 else 'MISSED'}; "
        f"input pipeline not the bottleneck: "
        f"{'ok' if t['pipeline_vs_training_speed'] > 1.5 else 'MISSED'}",
    ]
    if result["quick"]:
        lines.append("QUICK MODE: tiny sizes for testing — the ratios mean nothing.")
    return "\n".join(lines)
