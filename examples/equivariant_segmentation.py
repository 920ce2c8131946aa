"""
Title: Equivariant encoder–decoder: per-pixel stroke segmentation of rotated digits
Description: A D4 encoder–decoder (lifting conv, strided group conv, transposed group convs) trained on upright MNIST
digits segments rotated and mirrored digits exactly as well as upright ones: the segmentation of a transformed digit
is the transformed segmentation, checked for every element of D4. Stroke segmentation is a local task, so a plain
CNN encoder–decoder of similar size nearly generalises too (measured with the defaults, 2,000 digits, 3 epochs:
D4 IoU 0.950 upright and 0.950 rotated/mirrored; CNN 0.928 and 0.924) — the difference here is the guarantee, not
the score.

Run: ``python examples/equivariant_segmentation.py [--digits 2000] [--epochs 3]`` (about a minute on 2 CPU cores).
"""

# ## Setup
import argparse
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import numpy as np  # noqa: E402

from symkeras import groups  # noqa: E402
from symkeras.data import load_mnist  # noqa: E402
from symkeras.equivariance import check_equivariance  # noqa: E402
from symkeras.layers import GroupConv2D, GroupConv2DTranspose, GroupPooling, LiftingConv2D  # noqa: E402

# ## The task
# Input: a digit (28×28, in [0, 1]). Target: which pixels belong to the pen stroke (intensity > 0.5). The stroke
# map of a rotated digit is the rotated stroke map: the task is D4-equivariant.


def strokes(x):
    return (x > 0.5).astype("float32")


# ## The models
# 28 → 26 (3×3) → 12 (4×4, stride 2: (26 − 4) is even, a symmetric sampling grid) → 26 (transposed 4×4, stride 2)
# → 28 (transposed 3×3) → one logit per pixel, pooled over the group so that it moves with the image.


def equivariant(group=groups.D4, fields=6):
    return keras.Sequential(
        [
            keras.Input((28, 28, 1)),
            LiftingConv2D(fields, 3, group=group, activation="relu"),
            GroupConv2D(2 * fields, 4, group=group, strides=2, activation="relu"),
            GroupConv2DTranspose(fields, 4, group=group, strides=2, activation="relu"),
            GroupConv2DTranspose(1, 3, group=group),
            GroupPooling(group, reduction="mean"),
        ],
        name="d4_encoder_decoder",
    )


def plain(channels=16):
    return keras.Sequential(
        [
            keras.Input((28, 28, 1)),
            keras.layers.Conv2D(channels, 3, activation="relu"),
            keras.layers.Conv2D(2 * channels, 4, strides=2, activation="relu"),
            keras.layers.Conv2DTranspose(channels, 4, strides=2, activation="relu"),
            keras.layers.Conv2DTranspose(1, 3),
        ],
        name="cnn_encoder_decoder",
    )


def iou(model, x, y):
    predicted = model.predict(x, verbose=0) > 0
    truth = y > 0.5
    return float(np.sum(predicted & truth) / max(1, np.sum(predicted | truth)))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[2])
    parser.add_argument("--digits", type=int, default=2000, help="training digits (upright)")
    parser.add_argument("--epochs", type=int, default=3)
    args = parser.parse_args(argv)

    # ## Prepare the data: train upright, test on each digit moved by a random element of D4
    keras.utils.set_random_seed(0)
    x_train = load_mnist("train", limit=args.digits)[0][..., None].astype("float32") / 255
    x_test = load_mnist("test", limit=500)[0][..., None].astype("float32") / 255
    rng = np.random.default_rng(0)
    moved = np.concatenate(
        [groups.D4.act_on_image(x[None], int(g)) for x, g in zip(x_test, rng.integers(0, groups.D4.order, len(x_test)))]
    )

    # ## Build and train
    results, trained = {}, {}
    for model in (equivariant(), plain()):
        trained[model.name] = model
        model.compile(optimizer=keras.optimizers.Adam(3e-3), loss=keras.losses.BinaryCrossentropy(from_logits=True))
        model.fit(x_train, strokes(x_train), epochs=args.epochs, batch_size=64, verbose=0)
        results[model.name] = (
            model.count_params(),
            iou(model, x_test, strokes(x_test)),
            iou(model, moved, strokes(moved)),
        )

    # ## Evaluate
    print(f"{'model':<22} {'params':>7} {'IoU upright':>12} {'IoU rotated/mirrored':>21}")
    for name, (params, upright, transformed) in results.items():
        print(f"{name:<22} {params:7,} {upright:12.3f} {transformed:21.3f}")
    report = check_equivariance(
        trained["d4_encoder_decoder"], groups.D4, x_test[:16], in_action="image", out_action="image"
    )
    print(
        f"trained D4 model, segmentation of g·x vs g·(segmentation of x), all 8 elements: max relative error "
        f"{report.max_error:.1e}"
    )
    return results, report


if __name__ == "__main__":
    main()
