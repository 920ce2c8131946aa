"""The symmetry tasks of the course (after "Symmetry From Scratch", arXiv 2410.03989) and rotated-MNIST protocols.

Tasks (``Task`` objects; images are float32 in [0, 1], ``(N, H, W, 1)``; labels int32):

* :func:`rotation_symmetric_task` — train upright, test at random multiples of 90°; 10 classes.
* :func:`rotation_breaking_task` — random multiples of 90° everywhere; 0°/90° keep the label ``y``, 180°/270° give
  ``y + 10``; 20 classes.  An exactly C4-invariant model cannot beat ~50%.
* :func:`translation_breaking_task` — pad 10 px (48×48); shift left 5–15 px → ``y``, right 5–15 px → ``y + 10``,
  down 0–15 px; 20 classes.
* :func:`rotated_mnist` — rotations by random multiples of 90° (exact) or by continuous angles (bilinear).
* :func:`mnist_rot_like` — an approximation of the MNIST-rot benchmark (Larochelle et al. 2007): its sizes (12,000
  train / 50,000 test) built from real MNIST digits, each rotated once by a seeded uniform angle in [0°, 360°).  The
  benchmark's own files and angles are not used.

Random transforms are redrawn on every pass for training (``Task.dataset``) and drawn once, from a seed, for
evaluation (``Task.arrays``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from symkeras.data.mnist import load_mnist
from symkeras.data.transforms import rotate90_batch, rotate_batch, shift_batch

__all__ = [
    "Task",
    "rotated_mnist",
    "rotation_symmetric_task",
    "rotation_breaking_task",
    "translation_breaking_task",
    "mnist_rot_like",
    "MNIST_ROT_SIZES",
]

# --- tasks -----------------------------------------------------------------------------------------------------------

Transform = Callable[[np.ndarray, np.ndarray, np.random.Generator], tuple]


def _identity(x, y, rng):
    return x, y


@dataclass
class Task:
    """A classification task on MNIST: how images and labels are transformed for training and for testing.

    ``train_transform`` / ``test_transform`` map ``(images float32 (N, 28, 28, 1), labels, rng)`` to the task's
    ``(images, labels)``.
    """

    name: str
    num_classes: int
    description: str
    train_transform: Transform = _identity
    test_transform: Transform = _identity
    input_shape: tuple = (28, 28, 1)
    source: Callable[[str], tuple] | None = None  # split -> (uint8 images, labels); default: MNIST's own split

    def _raw(self, split, limit):
        if self.source is None:
            x, y = load_mnist(split, limit=limit)
        else:
            x, y = self.source(split)
            if limit is not None:
                if limit > len(y):
                    raise ValueError(f"asked for {limit:,} {split} digits of {self.name}, which has {len(y):,}")
                x, y = x[:limit], y[:limit]
        images = x.astype(np.float32)
        images /= 255.0
        return images[..., None], y.astype(np.int32)

    def arrays(self, split: str = "test", seed: int = 0, limit: int | None = None):
        """``(images, labels)`` for ``split`` with the random transforms drawn once from ``seed``."""
        x, y = self._raw(split, limit)
        transform = self.train_transform if split == "train" else self.test_transform
        return transform(x, y, np.random.default_rng(seed))

    def dataset(
        self, split: str = "train", batch_size: int = 64, seed: int = 0, shuffle: bool = True, limit: int | None = None
    ):
        """A batched, prefetching ``tf.data.Dataset`` whose random transforms are redrawn on every pass."""
        import tensorflow as tf

        x, y = self._raw(split, limit)
        transform = self.train_transform if split == "train" else self.test_transform
        rng = np.random.default_rng(seed)
        shape = transform(x[:1], y[:1], np.random.default_rng(0))[0].shape[1:]

        def apply(xb, yb):
            xt, yt = transform(xb, yb, rng)
            return xt.astype(np.float32), yt.astype(np.int32)

        def tf_apply(xb, yb):
            xt, yt = tf.numpy_function(apply, [xb, yb], [tf.float32, tf.int32], stateful=True)
            return tf.ensure_shape(xt, (None, *shape)), tf.ensure_shape(yt, (None,))

        ds = tf.data.Dataset.from_tensor_slices((x, y))
        if shuffle:
            ds = ds.shuffle(len(y), seed=seed, reshuffle_each_iteration=True)
        return ds.batch(batch_size).map(tf_apply).prefetch(tf.data.AUTOTUNE)


def _random90(x, y, rng):
    return rotate90_batch(x, rng.integers(0, 4, len(y))), y


def rotated_mnist(angles="random90") -> Task:
    """Train and test on rotated digits: ``"random90"`` (multiples of 90°, exact) or ``(low, high)`` degrees
    (continuous, bilinear: the MNIST-rot protocol uses ``(0, 360)``).

    Raises:
        ValueError: for anything else, naming the two accepted forms.
    """
    if isinstance(angles, str) and angles == "random90":
        transform, text = _random90, "random multiples of 90°"
    else:
        pair = () if isinstance(angles, str) else tuple(angles) if np.iterable(angles) else ()
        if (
            len(pair) != 2
            or not all(isinstance(a, (int, float, np.integer, np.floating)) and not isinstance(a, bool) for a in pair)
            or not pair[0] <= pair[1]
        ):
            raise ValueError(
                f"`angles` must be 'random90' (multiples of 90°, exact) or a pair (low, high) of degrees "
                f"with low <= high, e.g. (0, 360) for the MNIST-rot protocol. Received: angles={angles!r}"
            )
        low, high = float(pair[0]), float(pair[1])

        def transform(x, y, rng):
            return rotate_batch(x, rng.uniform(low, high, len(y))), y

        text = f"random angles in [{low:g}°, {high:g}°) (bilinear)"
    return Task("rotated_mnist", 10, f"MNIST rotated by {text}, train and test", transform, transform)


def rotation_symmetric_task() -> Task:
    """Train upright; test each digit at a random multiple of 90°.  10 classes."""
    return Task("rotation_symmetric", 10, "train upright, test at random multiples of 90°", _identity, _random90)


def _rotation_breaking(x, y, rng):
    k = rng.integers(0, 4, len(y))
    return rotate90_batch(x, k), y + 10 * (k >= 2)


def rotation_breaking_task() -> Task:
    """Random multiples of 90°; 0°/90° → ``y``, 180°/270° → ``y + 10``.  20 classes (C4 invariance caps at ~50%)."""
    return Task(
        "rotation_breaking",
        20,
        "0°/90° keep the label, 180°/270° give label+10",
        _rotation_breaking,
        _rotation_breaking,
    )


def _translation_breaking(x, y, rng):
    n = len(y)
    padded = np.pad(x, ((0, 0), (10, 10), (10, 10), (0, 0)))
    right = rng.integers(0, 2, n)
    dx = rng.integers(5, 16, n) * np.where(right == 1, 1, -1)
    dy = rng.integers(0, 16, n)
    return shift_batch(padded, dy, dx), y + 10 * right


def translation_breaking_task() -> Task:
    """Pad 10 px (48×48); left 5–15 px → ``y``, right 5–15 px → ``y + 10``; down 0–15 px.  20 classes."""
    return Task(
        "translation_breaking",
        20,
        "pad 10 px; shifted left → label, right → label+10; down 0–15 px",
        _translation_breaking,
        _translation_breaking,
        input_shape=(48, 48, 1),
    )


MNIST_ROT_SIZES = {"train": 12_000, "test": 50_000}


@lru_cache(maxsize=2)
def _mnist_rot_like_digits(seed: int):
    """All 70,000 MNIST digits shuffled by ``seed``: the first 12,000 train, the next 50,000 test, each rotated once."""
    x_train, y_train = load_mnist("train", seed=seed)
    x_test, y_test = load_mnist("test", seed=seed)
    x, y = np.concatenate([x_train, x_test]), np.concatenate([y_train, y_test])
    need = sum(MNIST_ROT_SIZES.values())
    if len(y) < need:
        raise ValueError(
            f"mnist_rot_like needs {need:,} digits (12,000 train + 50,000 test) but the cache holds "
            f"{len(y):,}: prepare full MNIST with `python -m symkeras data prepare --force`."
        )
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(y))[:need]
    angles = rng.uniform(0.0, 360.0, need)
    rotated = np.rint(rotate_batch(x[order][..., None], angles)[..., 0]).clip(0, 255).astype(np.uint8)
    n = MNIST_ROT_SIZES["train"]
    return {
        "train": (rotated[:n], y[order][:n]),
        "test": (rotated[n:], y[order][n:]),
        "angles": {"train": angles[:n], "test": angles[n:]},
    }


def mnist_rot_like(seed: int = 0) -> Task:
    """An approximation of MNIST-rot: 12,000 train / 50,000 test real MNIST digits, each rotated by a seeded uniform
    angle in [0°, 360°) (bilinear), drawn once like the benchmark's fixed files.  10 classes.

    The digits are a seeded draw from all 70,000 MNIST digits (train and test disjoint); needs the full MNIST cache.
    """

    def source(split):
        x, y = _mnist_rot_like_digits(seed)[split]
        return x, y

    return Task(
        "mnist_rot_like",
        10,
        f"approximation of MNIST-rot (12k/50k real digits, seeded angles, seed {seed})",
        source=source,
    )
