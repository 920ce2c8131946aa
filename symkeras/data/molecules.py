"""Molecular-dynamics frames from a real interatomic potential: positions, energies and forces of a copper cluster.

:func:`copper_cluster_md` runs Langevin molecular dynamics of a 13-atom copper icosahedron (``ase.cluster.Icosahedron``
with two shells) under ASE's EMT potential (effective-medium theory; it ships with ASE, so nothing is downloaded) and
records every ``interval``-th step: positions (Å), the potential energy (eV) and the forces (eV/Å) EMT computes.
The run is seeded (initial velocities and the thermostat's noise), so the same arguments give the same frames.

The frames are cached like MNIST: ``molecules/<name>.npz`` in :func:`symkeras.settings.cache_dir`, holding the
arrays and a SHA-256 of them that is checked on every load (a damaged file is refused and regenerated only when
asked: ``refresh=True``).  ASE is imported only when frames have to be generated; without it the error names the
fix, ``pip install "symkeras[course]"``.
"""

from __future__ import annotations

import hashlib
import json
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from symkeras.data.mnist import CorruptCacheError, DataUnavailableError
from symkeras.settings import cache_dir

__all__ = ["Trajectory", "copper_cluster_md", "trajectory_file"]

_ARRAYS = ("positions", "energies", "forces", "numbers")


@dataclass
class Trajectory:
    """Frames of a molecular-dynamics run: ``positions`` ``(frames, atoms, 3)`` in Å, ``energies`` ``(frames,)`` in
    eV, ``forces`` ``(frames, atoms, 3)`` in eV/Å (all float64), ``numbers`` ``(atoms,)`` the atomic numbers, and
    ``meta`` (the run's settings, the ASE version, the checksum)."""

    positions: np.ndarray
    energies: np.ndarray
    forces: np.ndarray
    numbers: np.ndarray
    meta: dict = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.energies)

    @property
    def atoms(self) -> int:
        return int(self.positions.shape[1])

    def split(self, *sizes: int):
        """Consecutive pieces of the given sizes (frames in time order), as new trajectories."""
        if sum(sizes) > len(self):
            raise ValueError(
                f"The pieces need {sum(sizes)} frames; the trajectory has {len(self)}. Received: sizes={sizes}"
            )
        out, start = [], 0
        for size in sizes:
            sl = slice(start, start + size)
            out.append(Trajectory(self.positions[sl], self.energies[sl], self.forces[sl], self.numbers, self.meta))
            start += size
        return out


def _sha256(arrays: dict) -> str:
    digest = hashlib.sha256()
    for key in _ARRAYS:
        a = np.ascontiguousarray(arrays[key])
        digest.update(f"{key}:{a.dtype.str}:{a.shape};".encode())
        digest.update(a.data)
    return digest.hexdigest()


def trajectory_file(frames=500, temperature=800.0, seed=0, interval=10, timestep_fs=2.0) -> Path:
    """Where :func:`copper_cluster_md` caches the frames for these settings."""
    name = f"cu13-emt-{float(temperature):g}K-{int(frames)}x{int(interval)}-{float(timestep_fs):g}fs-seed{int(seed)}"
    return cache_dir() / "molecules" / f"{name}.npz"


def _import_ase():
    try:
        import ase  # noqa: F401
        from ase.calculators.emt import EMT
        from ase.cluster import Icosahedron
        from ase.constraints import FixCom
        from ase.md.langevin import Langevin
        from ase.md.velocitydistribution import MaxwellBoltzmannDistribution, Stationary, ZeroRotation
    except ImportError as error:
        raise DataUnavailableError(
            f"Generating molecular-dynamics frames needs ASE (the Atomic Simulation Environment), which is not "
            f'installed ({error}). Install the course extra: pip install "symkeras[course]" (or pip install ase).'
        ) from None
    return ase, EMT, Icosahedron, FixCom, Langevin, MaxwellBoltzmannDistribution, Stationary, ZeroRotation


def _generate(frames, temperature, seed, interval, timestep_fs, equilibration) -> tuple[dict, dict]:
    ase, EMT, Icosahedron, FixCom, Langevin, MaxwellBoltzmannDistribution, Stationary, ZeroRotation = _import_ase()
    from ase import units

    atoms = Icosahedron("Cu", noshells=2)  # 13 atoms: one centre, 12 at the vertices
    atoms.center()
    atoms.positions -= atoms.get_center_of_mass()
    atoms.calc = EMT()
    atoms.set_constraint(FixCom())  # the cluster does not drift
    rng = np.random.default_rng(seed)
    with warnings.catch_warnings():  # ASE 3.29 prefers thermalize_momenta; this keeps the cached frames' draws
        warnings.simplefilter("ignore", DeprecationWarning)
        MaxwellBoltzmannDistribution(atoms, temperature_K=temperature, rng=rng)
    Stationary(atoms)
    ZeroRotation(atoms)
    dynamics = Langevin(atoms, timestep_fs * units.fs, temperature_K=temperature, friction=0.02, fixcm=False, rng=rng)
    dynamics.run(equilibration)
    positions, energies, forces = [], [], []
    for _ in range(frames):
        dynamics.run(interval)
        positions.append(atoms.get_positions())
        energies.append(atoms.get_potential_energy())
        forces.append(atoms.get_forces(apply_constraint=False))  # the potential's own forces, not the constrained ones
    arrays = {
        "positions": np.asarray(positions, np.float64),
        "energies": np.asarray(energies, np.float64),
        "forces": np.asarray(forces, np.float64),
        "numbers": np.asarray(atoms.numbers, np.int64),
    }
    meta = {
        "system": "Cu13 icosahedron, ASE EMT potential",
        "dynamics": "Langevin, friction 0.02 per time unit, centre of mass fixed",
        "temperature_K": float(temperature),
        "frames": int(frames),
        "interval_steps": int(interval),
        "timestep_fs": float(timestep_fs),
        "equilibration_steps": int(equilibration),
        "seed": int(seed),
        "ase_version": ase.__version__,
        "units": {"positions": "Å", "energies": "eV", "forces": "eV/Å"},
    }
    return arrays, meta


def _read(path: Path) -> Trajectory:
    try:
        with np.load(path, allow_pickle=False) as npz:
            arrays = {k: npz[k] for k in _ARRAYS}
            meta = json.loads(str(npz["meta"]))
    except (OSError, ValueError, KeyError, EOFError, json.JSONDecodeError) as e:
        raise CorruptCacheError(
            f"The molecular-dynamics cache {path} cannot be read ({type(e).__name__}: {e}); it is truncated, "
            f"corrupted or not a symkeras cache: load it with refresh=True to generate it again."
        ) from None
    actual = _sha256(arrays)
    if actual != meta.get("arrays_sha256"):
        raise CorruptCacheError(
            f"The molecular-dynamics cache {path} does not match its checksum (stored "
            f"{str(meta.get('arrays_sha256'))[:12]}…, computed {actual[:12]}…): its frames were changed or damaged. "
            f"Load it with refresh=True to generate it again."
        )
    return Trajectory(**arrays, meta=meta)


def copper_cluster_md(
    frames: int = 500,
    temperature: float = 800.0,
    seed: int = 0,
    interval: int = 10,
    timestep_fs: float = 2.0,
    refresh: bool = False,
    verbose: bool = True,
) -> Trajectory:
    """Frames of Langevin dynamics of a Cu₁₃ cluster under ASE's EMT potential (generated once, then cached).

    Args:
        frames: how many frames to record (500 take about 10 s to generate on one core).
        temperature: thermostat temperature in K (800 K: the cluster vibrates strongly and changes shape).
        seed: seeds the initial velocities and the thermostat noise.
        interval: MD steps between recorded frames (decorrelates them).
        timestep_fs: MD time step in femtoseconds.
        refresh: generate again even if a cache exists (also the fix for a damaged cache).
        verbose: print where the frames came from.

    Returns:
        A :class:`Trajectory`; its cache file (:func:`trajectory_file`) is verified against its SHA-256 on every load.

    Raises:
        DataUnavailableError: ASE is not installed (the message says how to install it).
        CorruptCacheError: the cache exists but is unreadable or fails its checksum (use ``refresh=True``).
    """
    for name, value in (("frames", frames), ("interval", interval)):
        if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < 1:
            raise ValueError(f"`{name}` must be a positive int. Received: {name}={value!r}")
    if not temperature > 0 or not timestep_fs > 0:
        raise ValueError(
            f"`temperature` (K) and `timestep_fs` must be positive. Received: temperature={temperature!r}, "
            f"timestep_fs={timestep_fs!r}"
        )
    path = trajectory_file(frames, temperature, seed, interval, timestep_fs)
    if path.exists() and not refresh:
        trajectory = _read(path)
        if verbose:
            print(f"{len(trajectory)} MD frames of Cu13 (EMT, {temperature:g} K) from {path}; checksum verified")
        return trajectory
    started = time.perf_counter()
    arrays, meta = _generate(frames, temperature, seed, interval, timestep_fs, equilibration=20 * interval)
    meta = {**meta, "arrays_sha256": _sha256(arrays), "generated_seconds": round(time.perf_counter() - started, 2)}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.stem}.tmp.npz")
        np.savez(tmp, **arrays, meta=json.dumps(meta))
        tmp.replace(path)  # atomic: an interrupted run never leaves half a file
        where = f"cached in {path}"
    except OSError as e:
        where = f"not cached ({e.strerror or e}: set SYMKERAS_DATA_DIR to a writable folder)"
    if verbose:
        print(
            f"generated {frames} MD frames of Cu13 (EMT, {temperature:g} K) in {meta['generated_seconds']:.1f} s; {where}"
        )
    return Trajectory(**arrays, meta=meta)
