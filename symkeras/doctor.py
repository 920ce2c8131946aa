"""``python -m symkeras doctor``: is this installation ready? Versions, backend, devices, data and an equivariance
self-check, each on one line, with what to do about any problem."""

from __future__ import annotations

import importlib.metadata
import os
import platform
import re
import sys

__all__ = ["doctor", "required_distributions"]

OPTIONAL = ("jax", "torch", "jupyterlab", "pytest")


def required_distributions() -> tuple[str, ...]:
    """The base install's dependencies as declared in pyproject.toml (read from the installed metadata, so the list is
    written once), without TensorFlow itself: the doctor accepts either its CPU or its GPU build."""
    try:
        requirements = importlib.metadata.requires("symkeras") or []
    except importlib.metadata.PackageNotFoundError:  # run from a source tree that was never installed
        requirements = []
    names = [re.split(r"[\s;<>=!~\[]", r, maxsplit=1)[0] for r in requirements if "extra ==" not in r]
    return tuple(n for n in names if n.lower() not in ("tensorflow", "tensorflow-cpu")) or (
        "keras",
        "numpy",
        "matplotlib",
        "tqdm",
        "tensorflow-datasets",
    )


def _version(dist: str) -> str | None:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return None


def _tensorflow_version() -> str | None:
    return _version("tensorflow-cpu") or _version("tensorflow")


def doctor() -> int:
    """Print versions, backend, devices and an equivariance self-check; return 1 when something is wrong."""
    problems = []

    def row(name, value, ok=True):
        print(f"  {name:<20} {value}{'' if ok else '   <-- problem'}")

    print("symkeras doctor")
    row("python", f"{platform.python_version()} ({sys.executable})")
    import symkeras

    row("symkeras", f"{symkeras.__version__} ({os.path.dirname(symkeras.__file__)})")
    for dist in required_distributions():
        version = _version(dist)
        row(dist, version or "MISSING", version is not None)
        if version is None:
            problems.append(f"{dist} is not installed: run `make setup` (or pip install -e .)")
    tf_version = _tensorflow_version()
    row("tensorflow", tf_version or "MISSING", tf_version is not None)
    if tf_version is None:
        problems.append("TensorFlow is not installed: run `make setup` (GPU machines: `make setup GPU=1`)")
    row("optional", ", ".join(f"{d} {_version(d) or '-'}" for d in OPTIONAL))
    if problems:
        return _report(problems)

    import keras

    backend = keras.backend.backend()
    row("backend", f"{backend} (set KERAS_BACKEND=tensorflow|jax|torch before the first `import keras`)")
    row("devices", _devices(backend))
    row("precision", f"float policy {keras.config.dtype_policy().name}")
    from symkeras import data as sk_data

    try:
        status = sk_data.cache_status()
    except sk_data.CorruptCacheError as e:
        status, corrupt = None, str(e)
    else:
        corrupt = None
    row(
        "data cache",
        f"{status['train']:,} train / {status['test']:,} test digits from {status['source']}, checksum verified"
        if status
        else corrupt or f"not prepared ({sk_data.cache_dir()})",
        status is not None and not status.get("subset"),
    )
    if corrupt:
        problems.append(corrupt)
    elif status is None:
        problems.append("MNIST is not prepared: run `python -m symkeras data prepare` (make setup does it)")
    elif status.get("subset"):
        problems.append("only a subset of MNIST is cached: `python -m symkeras data prepare --force`")

    import numpy as np

    from symkeras import groups
    from symkeras.equivariance import equivariance_error
    from symkeras.layers import GroupConv2D, LiftingConv2D

    x = np.random.default_rng(0).normal(size=(2, 9, 9, 1)).astype("float32")
    model = keras.Sequential([LiftingConv2D(2, 3, group=groups.D4), GroupConv2D(2, 3, group=groups.D4)])
    report = equivariance_error(model, groups.D4, x, in_action="image", out_action="field")
    row(
        "self-check",
        f"D4 lifting + group conv: max relative error {report.max_error:.1e} over "
        f"{len(report.errors)} elements (tolerance {report.tolerance:.0e})",
        report.passed,
    )
    if not report.passed:
        problems.append(f"the equivariance self-check failed:\n{report}\nPlease report this with the output above.")
    return _report(problems)


def _devices(backend: str) -> str:
    if backend == "tensorflow":
        import tensorflow as tf

        found = [d.name.replace("/physical_device:", "") for d in tf.config.list_physical_devices()]
    elif backend == "jax":
        import jax

        found = [str(d) for d in jax.devices()]
    else:
        import torch

        found = ["cpu"] + [f"cuda:{i}" for i in range(torch.cuda.device_count())]
    gpu = any("GPU" in d.upper() or "CUDA" in d.upper() for d in found)
    return ", ".join(found) + ("" if gpu else "  (no GPU visible: training runs on the CPU)")


def _report(problems) -> int:
    if not problems:
        print("All good.")
        return 0
    print("\nProblems:")
    for p in problems:
        print(f"  - {p}")
    return 1
