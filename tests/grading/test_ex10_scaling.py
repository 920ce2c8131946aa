import pytest


@pytest.mark.points(1)
def test_dense_to_conv_ratio_grows_with_the_image(ex):
    assert ex.dense_to_conv_ratio(28, 1, 1) == pytest.approx(28 ** 4 / 9)
    assert ex.dense_to_conv_ratio(1024, 3, 64, 3) == pytest.approx(1024 ** 4 / 9)
    assert ex.dense_to_conv_ratio(56, 2, 2, 5) / ex.dense_to_conv_ratio(28, 2, 2, 5) == pytest.approx(16), \
        "doubling the side multiplies dense weights by 16 and leaves conv weights alone"


@pytest.mark.points(1)
def test_per_replica_batch_splits_evenly_or_refuses(ex):
    assert ex.per_replica_batch(128, 2) == 64 and ex.per_replica_batch(64, 1) == 64
    with pytest.raises(ValueError):
        ex.per_replica_batch(100, 3)
