import pytest

from symkeras.grading import expect_close


@pytest.mark.points(1)
def test_dense_to_conv_ratio_grows_with_the_image(ex):
    for args, ratio in [
        ((28, 1, 1), 28**4 / 9),
        ((1024, 3, 64, 3), 1024**4 / 9),
        ((28, 2, 3, 5), 28**4 / 25),
        ((32, 3, 8, 1), 32**4),
    ]:
        side, c_in, c_out, k = (*args, 3)[:4]
        expect_close(
            ex.dense_to_conv_ratio(*args),
            ratio,
            f"dense_to_conv_ratio{args}: dense ({side}²·{c_in})·({side}²·{c_out}) weights over conv "
            f"{k}²·{c_in}·{c_out}",
        )
    expect_close(
        ex.dense_to_conv_ratio(56, 2, 2, 5) / ex.dense_to_conv_ratio(28, 2, 2, 5),
        16,
        "doubling the side should multiply the ratio by 16 (dense weights ×16, conv weights unchanged)",
    )


@pytest.mark.points(1)
def test_per_replica_batch_splits_evenly_or_refuses(ex):
    for global_batch, replicas in [(128, 2), (64, 1), (96, 8)]:
        got = ex.per_replica_batch(global_batch, replicas)
        assert type(got) is int and got == global_batch // replicas, (
            f"per_replica_batch({global_batch}, {replicas}) should be the int {global_batch // replicas}; got {got!r}"
        )
    for global_batch, replicas, why in [
        (100, 3, "100 does not split evenly over 3"),
        (64, 0, "0 replicas"),
        (64, -2, "a negative number of replicas"),
    ]:
        try:
            got = ex.per_replica_batch(global_batch, replicas)
        except ValueError:
            continue
        except NotImplementedError:
            raise
        except Exception as e:  # noqa: BLE001 — any other exception is the wrong one
            raise AssertionError(
                f"per_replica_batch({global_batch}, {replicas}) should raise ValueError ({why}); "
                f"it raised {type(e).__name__}"
            ) from None
        raise AssertionError(
            f"per_replica_batch({global_batch}, {replicas}) should raise ValueError ({why}); it returned {got!r}"
        )
