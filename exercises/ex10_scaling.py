"""Exercise — exercise 10: what scales, and how (lesson 10)."""


def dense_to_conv_ratio(side: int, channels_in: int, channels_out: int, kernel_size: int = 3) -> float:
    """How many times more weights a dense layer from a ``side × side × channels_in`` image to a same-sized
    ``channels_out`` map needs than a ``kernel_size × kernel_size`` convolution doing the same job (no biases).

    Dense: ``(side²·channels_in)·(side²·channels_out)``; convolution: ``kernel_size²·channels_in·channels_out``.
    """
    raise NotImplementedError("ex10: implement dense_to_conv_ratio")


def per_replica_batch(global_batch: int, replicas: int) -> int:
    """The batch each replica sees (an ``int``) when ``global_batch`` is split evenly over ``replicas`` devices
    (data parallelism).  Raise ``ValueError`` when it does not divide evenly, or when ``replicas < 1``."""
    raise NotImplementedError("ex10: implement per_replica_batch")
