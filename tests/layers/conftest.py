"""Layer tests run under every Keras backend (`make test-backends`); they pin real float32 arithmetic."""

import os

import pytest


@pytest.fixture(scope="session", autouse=True)
def _pin_float32_precision():
    """TF32 on Ampere GPUs blurs float32 results to ~1e-3: equivariance tests need real float32."""
    backend = os.environ.get("KERAS_BACKEND", "tensorflow")
    if backend == "tensorflow":
        import tensorflow as tf

        tf.config.experimental.enable_tensor_float_32_execution(False)
    elif backend == "torch":
        import torch

        torch.backends.cuda.matmul.allow_tf32 = False
        torch.backends.cudnn.allow_tf32 = False
    yield


@pytest.fixture(params=["float32", "float64"])
def dtype(request):
    return request.param
