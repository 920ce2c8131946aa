"""Settings read from the environment, in one place: where data is cached, and whether to run small (fast mode)."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["cache_dir", "fast_mode", "DATA_DIR_VARIABLE", "FAST_VARIABLE"]

DATA_DIR_VARIABLE = "SYMKERAS_DATA_DIR"
FAST_VARIABLE = "SYMKERAS_FAST"


def fast_mode() -> bool:
    """``SYMKERAS_FAST=1``: lessons and experiments use small data and few epochs (results not representative)."""
    return os.environ.get(FAST_VARIABLE, "0").lower() not in ("", "0", "false", "no")


def cache_dir() -> Path:
    """Where datasets and cloned structures are cached: ``$SYMKERAS_DATA_DIR``, default ``~/.cache/symkeras``."""
    return Path(os.environ.get(DATA_DIR_VARIABLE, Path.home() / ".cache" / "symkeras")).expanduser()
