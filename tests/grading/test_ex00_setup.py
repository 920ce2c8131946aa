import os

import pytest


@pytest.mark.points(1)
def test_keras_backend_names_the_running_backend(ex):
    assert ex.keras_backend() == os.environ.get("KERAS_BACKEND", "tensorflow"), "not the backend Keras is using"


@pytest.mark.points(1)
def test_group_order(ex):
    assert [ex.group_order(n) for n in ("C4", "D4", "trivial", "C2")] == [4, 8, 1, 2], "wrong group orders"
