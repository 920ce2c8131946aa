"""Results over several seeds: mean ± standard deviation beside every seed's value (one rule, used everywhere)."""

from __future__ import annotations

import numpy as np

__all__ = ["seed_list", "mean_std", "aggregate_rows", "format_mean_std"]


def seed_list(seed: int = 0, seeds: int = 1) -> list[int]:
    """``seeds`` consecutive seeds starting at ``seed``.

    Raises:
        ValueError: ``seeds`` < 1.
    """
    if not isinstance(seeds, (int, np.integer)) or seeds < 1:
        raise ValueError(f"`seeds` must be a positive integer (how many runs per model). Received: seeds={seeds!r}")
    return [int(seed) + i for i in range(int(seeds))]


def mean_std(values) -> tuple[float, float]:
    """Mean and sample standard deviation (ddof=1; 0 for a single value), computed in float64."""
    values = np.asarray(values, np.float64)
    if values.size == 0:
        raise ValueError("mean_std needs at least one value")
    return float(values.mean()), float(values.std(ddof=1)) if values.size > 1 else 0.0


def aggregate_rows(rows: list[dict], by: tuple, values: tuple) -> list[dict]:
    """Group ``rows`` (one per seed) by the fields ``by``; for each field in ``values`` add ``<field>_mean``,
    ``<field>_std`` and ``<field>_per_seed`` (with ``seeds``).  Fields that agree across seeds are kept once."""
    groups: dict = {}
    for row in rows:
        groups.setdefault(tuple(row[k] for k in by), []).append(row)
    out = []
    for group in groups.values():
        merged = {k: v for k, v in group[0].items() if all(r.get(k) == v for r in group)}
        merged["seeds"] = [r.get("seed") for r in group]
        for field in values:
            per_seed = [r[field] for r in group if r.get(field) is not None]
            if per_seed:
                merged[f"{field}_mean"], merged[f"{field}_std"] = mean_std(per_seed)
                merged[f"{field}_per_seed"] = per_seed
        out.append(merged)
    return out


def format_mean_std(mean: float, std: float, n: int, scale: float = 100.0, unit: str = "%", digits: int = 2) -> str:
    """``"97.49%"`` for one seed, ``"97.49 ± 0.12%"`` for several."""
    return (
        f"{scale * mean:.{digits}f}{unit}" if n < 2 else f"{scale * mean:.{digits}f} ± {scale * std:.{digits}f}{unit}"
    )
