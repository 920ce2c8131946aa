"""symkeras.stats: mean ± sample standard deviation beside each seed's value, and the seed list."""

import numpy as np
import pytest

from symkeras.stats import aggregate_rows, format_mean_std, mean_std, seed_list


def test_mean_std_known_values():
    assert mean_std([0.9, 0.8, 1.0]) == pytest.approx((0.9, 0.1))
    assert mean_std([0.5]) == (0.5, 0.0)
    with pytest.raises(ValueError, match="at least one value"):
        mean_std([])


def test_aggregate_rows_groups_by_key_and_keeps_every_seed():
    rows = [
        {"model": m, "seed": s, "params": 10, "accuracy": a, "note": f"seed {s}"}
        for m, s, a in [("cnn", 0, 0.5), ("p4", 0, 0.9), ("cnn", 1, 0.7), ("p4", 1, 0.95)]
    ]
    cnn, p4 = aggregate_rows(rows, by=("model",), values=("accuracy",))
    assert cnn["model"] == "cnn" and cnn["seeds"] == [0, 1] and cnn["params"] == 10
    assert cnn["accuracy_per_seed"] == [0.5, 0.7]
    assert cnn["accuracy_mean"] == pytest.approx(0.6) and cnn["accuracy_std"] == pytest.approx(
        np.std([0.5, 0.7], ddof=1)
    )
    assert "note" not in cnn, "fields that differ between seeds are not reported as if shared"
    assert p4["accuracy_mean"] == pytest.approx(0.925)


def test_seed_list_and_formatting():
    assert seed_list(3, 2) == [3, 4]
    with pytest.raises(ValueError, match=r"`seeds` must be a positive integer.*Received: seeds=0"):
        seed_list(0, 0)
    assert format_mean_std(0.9749, 0.0012, 3) == "97.49 ± 0.12%"
    assert format_mean_std(0.9749, 0.0, 1) == "97.49%"
