"""Plausible wrong answers to exercise 10 (see grade_variants.py)."""

GRADED_BY = {
    "dense_to_conv_ratio": ["test_dense_to_conv_ratio_grows_with_the_image"],
    "per_replica_batch": ["test_per_replica_batch_splits_evenly_or_refuses"],
}


def dense_to_conv_ratio__ignores_kernel_size(side, channels_in, channels_out, kernel_size=3):
    """Always divides by a 3×3 convolution."""
    return (side * side * channels_in) * (side * side * channels_out) / (9 * channels_in * channels_out)


def dense_to_conv_ratio__side_squared_once(side, channels_in, channels_out, kernel_size=3):
    """Counts the dense weights as side²·channels_in·channels_out (one image size, not two)."""
    return (side * side * channels_in * channels_out) / (kernel_size * kernel_size * channels_in * channels_out)


def dense_to_conv_ratio__inverted(side, channels_in, channels_out, kernel_size=3):
    """conv / dense instead of dense / conv."""
    return (kernel_size * kernel_size * channels_in * channels_out) / (
        (side * side * channels_in) * (side * side * channels_out))


def dense_to_conv_ratio__kernel_not_squared(side, channels_in, channels_out, kernel_size=3):
    """Counts kernel_size, not kernel_size², weights per channel pair in the convolution."""
    return (side * side * channels_in) * (side * side * channels_out) / (kernel_size * channels_in * channels_out)


def per_replica_batch__never_refuses(global_batch, replicas):
    """Floors the division and never raises."""
    return global_batch // replicas


def per_replica_batch__float_division(global_batch, replicas):
    """Checks divisibility but returns a float (global_batch / replicas)."""
    if global_batch % replicas:
        raise ValueError("does not divide evenly")
    return global_batch / replicas


def per_replica_batch__rounds_up(global_batch, replicas):
    """Rounds up (the last replica would get a short batch) instead of refusing."""
    return -(-global_batch // replicas)


def per_replica_batch__accepts_zero_replicas(global_batch, replicas):
    """Accepts replicas ≤ 0 whenever the arithmetic happens to work (0 replicas → ZeroDivisionError)."""
    if global_batch % replicas:
        raise ValueError("does not divide evenly")
    return global_batch // replicas
