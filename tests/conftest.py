"""Shared test set-up: quiet TensorFlow and real float64 under JAX, before anything imports Keras."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("JAX_ENABLE_X64", "1")  # float64 cases must really run in float64 under JAX

import numpy as np
import pytest


@pytest.fixture
def rng():
    return np.random.default_rng(20161118)
