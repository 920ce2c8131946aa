"""Shared test set-up: quiet TensorFlow and real float64 under JAX, before anything imports Keras."""

import os
import random
import sys
import zlib

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("JAX_ENABLE_X64", "1")  # float64 cases must really run in float64 under JAX

import numpy as np
import pytest

# The exercise grader's plugin (--target, @pytest.mark.points, the `ex` fixture): named here for a teacher who runs the
# graded tests by hand (`pytest tests/grading --target solutions`); installing symkeras registers no pytest plugin.
pytest_plugins = ["symkeras.grading"]


def pytest_ignore_collect(collection_path, config):
    """tests/grading grades exercises/ or solutions/: only with --target or SYMKERAS_TARGET (`symkeras grade`)."""
    if collection_path.name == "grading" and not (config.getoption("--target") or os.environ.get("SYMKERAS_TARGET")):
        return True
    return None


@pytest.fixture
def rng():
    return np.random.default_rng(20161118)


@pytest.fixture(autouse=True)
def _seed_each_test(request):
    """Every test starts from its own fixed seed (from its name), whatever ran before it in its worker.

    Layers built without explicit initializer seeds draw from the global generators; without this, a test's
    weights depended on which tests the same xdist worker had run before (a float32 tolerance failed once that way).
    """
    seed = zlib.crc32(request.node.nodeid.encode()) % 2**31
    random.seed(seed)
    np.random.seed(seed)
    if "keras" in sys.modules:  # the test module imported Keras: seed its backend too (never import it here)
        sys.modules["keras"].utils.set_random_seed(seed)
