"""Run the same training on one device, several GPUs, or several hosts — without changing the model code.

``strategy_scope(name)`` is a context manager to build and compile models in:

* ``"none"`` — the default single device;
* ``"mirrored"`` — ``tf.distribute.MirroredStrategy``: one host, all its GPUs (or the logical CPU devices made by
  :func:`split_cpu`); each batch is split across the replicas and gradients are averaged;
* ``"multiworker"`` — ``tf.distribute.MultiWorkerMirroredStrategy``: several hosts described by ``TF_CONFIG``;
* ``"data-parallel"`` — ``keras.distribution.DataParallel`` under the JAX backend.

The TensorFlow strategies need ``KERAS_BACKEND=tensorflow``; ``"data-parallel"`` needs ``KERAS_BACKEND=jax``.
"""

from __future__ import annotations

import contextlib

__all__ = ["STRATEGIES", "jit_compile_for", "split_cpu", "strategy_scope"]

STRATEGIES = ("none", "mirrored", "multiworker", "data-parallel")
_TF_STRATEGIES: dict = {}


def jit_compile_for(dense: bool, strategy: str = "none"):
    """The ``jit_compile`` argument for :meth:`keras.Model.compile`: ``True`` where XLA pays off, else ``"auto"``.

    * dense models over millions of weights (cloned MLPs, clone students): ``True`` — XLA fuses the optimizer and KL
      passes over the structure (a 48-px clone's optimizer step 3.4× faster on CPU);
    * convnets (``dense=False``): ``"auto"`` — Keras then uses XLA on GPUs only; XLA's CPU convolutions are 2–3× slower;
    * the PyTorch backend (``"auto"`` means eager there) and any distribution strategy (a forced XLA step under
      ``MirroredStrategy`` reads every replica's variables from one device): ``"auto"``.
    """
    import keras

    if dense and strategy == "none" and keras.backend.backend() != "torch":
        return True
    return "auto"


def split_cpu(devices: int = 2) -> list[str]:
    """Split the CPU into ``devices`` logical devices (call before TensorFlow runs anything) and return their names.

    Lets a laptop or CI machine exercise multi-replica code paths for real.
    """
    import tensorflow as tf

    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * devices)
    return [d.name for d in tf.config.list_logical_devices("CPU")]


@contextlib.contextmanager
def strategy_scope(name: str = "none", devices=None):
    """Build and compile models inside this context; yields the number of replicas.

    ``devices`` (``"mirrored"`` only) names the devices to mirror over, e.g. the result of :func:`split_cpu`.
    """
    import keras

    if name not in STRATEGIES:
        raise ValueError(f"`strategy` must be one of {STRATEGIES}. Received: strategy={name!r}")
    backend = keras.backend.backend()
    if name == "none":
        yield 1
        return
    if name == "data-parallel":
        if backend != "jax":
            raise ValueError(
                "strategy='data-parallel' uses keras.distribution and needs KERAS_BACKEND=jax; with "
                "TensorFlow use 'mirrored' or 'multiworker'."
            )
        previous = keras.distribution.distribution()
        distribution = keras.distribution.DataParallel(devices=devices)
        keras.distribution.set_distribution(distribution)
        try:
            yield len(distribution.device_mesh.devices.ravel())
        finally:
            keras.distribution.set_distribution(previous)
        return
    if backend != "tensorflow":
        raise ValueError(
            f"strategy={name!r} is a TensorFlow strategy and needs KERAS_BACKEND=tensorflow (with JAX "
            f"use 'data-parallel')."
        )
    import tensorflow as tf

    key = (name, tuple(devices or ()))
    if key not in _TF_STRATEGIES:  # one object per configuration: separate instances collide on collective keys
        _TF_STRATEGIES[key] = (
            tf.distribute.MirroredStrategy(devices)
            if name == "mirrored"
            else tf.distribute.MultiWorkerMirroredStrategy()
        )
    strategy = _TF_STRATEGIES[key]
    with strategy.scope():
        yield strategy.num_replicas_in_sync
