"""Molecular-dynamics frames from ASE's EMT potential: shapes, physics (forces sum to zero, energy invariant under a
rotation, forces = −∂E/∂x), determinism, the verified cache and its refusal of damaged files, and the missing-ASE
message."""

import builtins

import numpy as np
import pytest

from symkeras import data
from symkeras.data import molecules
from symkeras.groups import O3

pytest.importorskip("ase")


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("SYMKERAS_DATA_DIR", str(tmp_path))
    return tmp_path


@pytest.fixture
def frames(cache):
    return data.copper_cluster_md(frames=6, interval=2, verbose=False)


def test_frames_have_shapes_units_and_physics(frames):
    assert frames.positions.shape == (6, 13, 3) and frames.forces.shape == (6, 13, 3) and frames.energies.shape == (6,)
    assert frames.numbers.tolist() == [29] * 13 and frames.meta["units"]["forces"] == "eV/Å"
    assert np.abs(frames.forces.sum(axis=1)).max() < 1e-8, "EMT forces sum to zero (no net force on the cluster)"
    assert len(set(np.round(frames.energies, 6))) == 6, "the frames differ"


def test_emt_is_invariant_and_forces_are_its_gradient(frames):
    from ase import Atoms
    from ase.calculators.emt import EMT

    def emt(positions):
        atoms = Atoms(numbers=frames.numbers, positions=positions)
        atoms.calc = EMT()
        return atoms.get_potential_energy(), atoms.get_forces()

    x = frames.positions[0]
    energy, forces = emt(x)
    assert abs(energy - frames.energies[0]) < 1e-9 and np.allclose(forces, frames.forces[0], atol=1e-9)
    for g in (1, 2):
        e_g, f_g = emt(x @ O3.matrix(g).T)
        assert abs(e_g - energy) < 1e-9 and np.abs(f_g - forces @ O3.matrix(g).T).max() < 1e-9
    step = np.zeros_like(x)
    step[3, 1] = 1e-5
    numeric = -(emt(x + step)[0] - emt(x - step)[0]) / 2e-5
    assert abs(numeric - forces[3, 1]) < 1e-5


def test_the_cache_is_deterministic_and_verified(cache, frames, capsys):
    path = molecules.trajectory_file(frames=6, interval=2)
    assert path.exists() and path.parent == cache / "molecules"
    again = data.copper_cluster_md(frames=6, interval=2)
    assert "checksum verified" in capsys.readouterr().out
    np.testing.assert_array_equal(again.positions, frames.positions)
    fresh = data.copper_cluster_md(frames=6, interval=2, refresh=True, verbose=False)
    np.testing.assert_array_equal(fresh.forces, frames.forces)  # the same seed gives the same frames
    with np.load(path) as npz:
        arrays = {k: npz[k] for k in npz.files}
    arrays["forces"] = arrays["forces"] * 1.01
    np.savez(path, **arrays)
    with pytest.raises(data.CorruptCacheError, match=r"does not match its checksum.*refresh=True"):
        data.copper_cluster_md(frames=6, interval=2)
    path.write_bytes(b"not a zip")
    with pytest.raises(data.CorruptCacheError, match=r"cannot be read.*refresh=True"):
        data.copper_cluster_md(frames=6, interval=2)
    assert len(data.copper_cluster_md(frames=6, interval=2, refresh=True, verbose=False)) == 6


def test_split_and_errors(frames):
    a, b = frames.split(4, 2)
    assert len(a) == 4 and len(b) == 2 and np.array_equal(b.positions, frames.positions[4:])
    with pytest.raises(ValueError, match=r"need 7 frames; the trajectory has 6"):
        frames.split(7)
    with pytest.raises(ValueError, match=r"`frames` must be a positive int"):
        data.copper_cluster_md(frames=0)


def test_without_ase_the_error_names_the_fix(cache, monkeypatch):
    real_import = builtins.__import__

    def no_ase(name, *args, **kwargs):
        if name == "ase" or name.startswith("ase."):
            raise ImportError("No module named 'ase'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_ase)
    with pytest.raises(data.DataUnavailableError, match=r'pip install "symkeras\[course\]"'):
        data.copper_cluster_md(frames=3, interval=1)
