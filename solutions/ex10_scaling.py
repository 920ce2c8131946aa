"""Reference solution — exercise 10: what scales, and how (lesson 10)."""


def dense_to_conv_ratio(side: int, channels_in: int, channels_out: int, kernel_size: int = 3) -> float:
    """How many times more weights a dense layer from a ``side × side × channels_in`` image to a same-sized
    ``channels_out`` map needs than a ``kernel_size × kernel_size`` convolution doing the same job (no biases).

    Dense: ``(side²·channels_in)·(side²·channels_out)``; convolution: ``kernel_size²·channels_in·channels_out``.
    """
    # BEGIN SOLUTION
    dense = (side * side * channels_in) * (side * side * channels_out)
    conv = kernel_size * kernel_size * channels_in * channels_out
    return dense / conv
    # END SOLUTION


def per_replica_batch(global_batch: int, replicas: int) -> int:
    """The batch each replica sees (an ``int``) when ``global_batch`` is split evenly over ``replicas`` devices
    (data parallelism).  Raise ``ValueError`` when it does not divide evenly, or when ``replicas < 1``."""
    # BEGIN SOLUTION
    if replicas < 1 or global_batch % replicas:
        raise ValueError(f"global_batch={global_batch} does not split evenly over replicas={replicas}")
    return global_batch // replicas
    # END SOLUTION
