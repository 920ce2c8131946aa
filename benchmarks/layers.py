"""Layer benchmark: C4 group convolutions vs a plain Conv2D and vs the naive "rotate the input |G| times" approach.

Each row times forward and forward+backward of one implementation on the same batch, interleaving the
implementations round by round so that machine noise hits them alike, and reports medians and ratios to the plain
``Conv2D`` with the same input channels and ``filters·|G|`` output channels.  Prints a table, writes JSON.

    python benchmarks/layers.py [--batch 128] [--size 28] [--fields 16] [--rounds 20] [--out benchmarks/results]
"""

import argparse
import json
import os
import platform
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from symkeras import groups as G  # noqa: E402
from symkeras.layers import GroupConv2D, LiftingConv2D  # noqa: E402


class NaiveGroupConv(keras.layers.Layer):
    """Reference without filter expansion: ``out_t = t·(conv(t⁻¹·f, ψ))`` — transform the *input* |G| times."""

    def __init__(self, layer):
        super().__init__()
        self.layer = layer

    def call(self, x):
        group, lifting = self.layer.group, self.layer.lifting
        act_in = group.act_on_image if lifting else group.act_on_field
        kernel = self.layer.kernel
        outs = []
        for t in group.elements:
            y = keras.ops.conv(act_in(x, group.inverse(t)), kernel, strides=self.layer.strides,
                               padding=self.layer.padding)
            outs.append(group.act_on_image(y, t))
        return keras.ops.reshape(keras.ops.stack(outs, axis=-1), (*keras.ops.shape(outs[0])[:-1], -1)) + \
            keras.ops.repeat(self.layer.bias, group.order)


def _timers(layer, x):
    """Compiled forward and forward+backward (gradient w.r.t. the weights and the input) of ``layer``."""
    forward = tf.function(lambda x: layer(x))
    weights = layer.trainable_variables

    @tf.function
    def forward_backward(x):
        with tf.GradientTape() as tape:
            tape.watch(x)
            loss = tf.reduce_sum(tf.square(layer(x)))
        return tape.gradient(loss, [x, *weights])

    return {"fwd": lambda: forward(x), "fwd+bwd": lambda: forward_backward(x)}


def _measure(implementations, x, rounds, warmup=3):
    timers = {name: _timers(layer, x) for name, layer in implementations.items()}
    times = {name: {mode: [] for mode in ("fwd", "fwd+bwd")} for name in implementations}
    for _ in range(warmup):
        for name in implementations:
            for mode, fn in timers[name].items():
                tf.nest.map_structure(lambda t: t.numpy(), fn())
    for _ in range(rounds):
        for name in implementations:  # interleaved: every implementation sees the same load
            for mode, fn in timers[name].items():
                start = time.perf_counter()
                tf.nest.map_structure(lambda t: t.numpy(), fn())
                times[name][mode].append(time.perf_counter() - start)
    return {name: {mode: float(np.median(ts)) for mode, ts in modes.items()} for name, modes in times.items()}


def run(batch=128, size=28, fields=16, rounds=20, group="C4"):
    group = G.get(group)
    rng = np.random.default_rng(0)
    channels = fields * group.order
    results = []
    for kind, in_channels in (("GroupConv2D", channels), ("LiftingConv2D", 1)):
        x = tf.constant(rng.normal(size=(batch, size, size, in_channels)).astype("float32"))
        cls = GroupConv2D if kind == "GroupConv2D" else LiftingConv2D
        layer = cls(fields, 3, group=group, padding="same")
        plain = keras.layers.Conv2D(channels, 3, padding="same")
        naive = NaiveGroupConv(layer)
        for impl in (layer, plain):
            impl(x[:1])
        np.testing.assert_allclose(naive(x[:2]).numpy(), layer(x[:2]).numpy(), rtol=1e-4, atol=1e-4)
        timing = _measure({"symkeras": layer, "plain Conv2D": plain, "naive (rotate input)": naive}, x, rounds)
        base = timing["plain Conv2D"]
        for name, modes in timing.items():
            results.append({"layer": kind, "implementation": name, "group": group.name, "batch": batch,
                            "size": size, "in_channels": in_channels, "out_channels": channels,
                            **{f"{m}_ms": 1e3 * t for m, t in modes.items()},
                            **{f"{m}_vs_plain": t / base[m] for m, t in modes.items()},
                            **{f"{m}_naive_vs_this": timing["naive (rotate input)"][m] / t for m, t in modes.items()}})
    return results


def print_table(results):
    header = f"{'layer':<14} {'implementation':<21} {'fwd ms':>8} {'fwd+bwd ms':>11} {'fwd/plain':>10} " \
             f"{'f+b/plain':>10} {'naive/this f+b':>15}"
    print(header)
    print("-" * len(header))
    for r in results:
        print(f"{r['layer']:<14} {r['implementation']:<21} {r['fwd_ms']:8.2f} {r['fwd+bwd_ms']:11.2f} "
              f"{r['fwd_vs_plain']:10.2f} {r['fwd+bwd_vs_plain']:10.2f} {r['fwd+bwd_naive_vs_this']:15.2f}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--size", type=int, default=28)
    parser.add_argument("--fields", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--group", default="C4")
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results")
    args = parser.parse_args()
    devices = [d.name for d in tf.config.list_physical_devices()]
    print(f"symkeras layer benchmark: batch {args.batch}×{args.size}×{args.size}, {args.fields} fields of "
          f"{args.group}, 3×3 kernels, 'same' padding, medians over {args.rounds} interleaved rounds; "
          f"TensorFlow {tf.__version__} on {', '.join(devices)}\n")
    results = run(args.batch, args.size, args.fields, args.rounds, args.group)
    print_table(results)
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / "layers.json"
    path.write_text(json.dumps({"machine": platform.platform(), "devices": devices, "args": vars(args) | {
        "out": str(args.out)}, "results": results}, indent=2))
    print(f"\nwrote {path}")


if __name__ == "__main__":
    main()
