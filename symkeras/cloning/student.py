"""The cloning student, and how it is trained and cached.

**The student** (after "Symmetry From Scratch", arXiv 2410.03989; the repository's docs/design.md says what we kept
and changed) knows none of :mod:`~symkeras.cloning.structure`.  It has 9 bias-free dense maps ``W_b`` ∈ R^{m²×n²}
(zero-initialised) and per group element a learned 9×9 tap map ``A_r`` (U[0,1) initialised):
``ŷ_r = Σ_b (A_r k)_b · W_b x``.  Trained by MSE against the teacher on Gaussian images with fresh Gaussian kernels
for every example, it can only fit if its *effective maps* ``E'_{r,c} = Σ_b (A_r)_{bc} W_b`` become the exact
``E_{r,c}`` — which is what we measure (``W_b`` alone is only defined up to a mixing of the 9 maps).

:func:`clone` trains a student (Adam or a normalised SGD step, global gradient-norm clipping 1.0, early stop on a
tolerance, Keras progress bar) and :func:`cloned_structure` caches the result per configuration.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import keras
import numpy as np
from keras import ops

from symkeras import groups
from symkeras.cloning.structure import exact_structure, output_size, point_group, structure_error, teacher_batch
from symkeras.distribute import jit_compile_for
from symkeras.settings import cache_dir

__all__ = [
    "StructuredStudent",
    "CloneReport",
    "clone",
    "step_seconds",
    "RECIPES",
    "recipe_for",
    "clone_cache_path",
    "cloned_structure",
]


@keras.saving.register_keras_serializable(package="symkeras")
class StructuredStudent(keras.Model):
    """The cloning student: ``ŷ_r = Σ_b (A_r k)_b · W_b x`` with zero-initialised dense maps ``W_b`` ∈ R^{m²×n²}.

    Args:
        size: input side ``n``.
        group: the point group, ``groups.trivial`` (one output: a convolution) or ``groups.C4`` (four outputs: a
            lifting convolution); names are accepted too.
        padding: ``"valid"`` (``m = n − 2``) or ``"circular"`` (``m = n``).
        learn_taps: learn the tap maps ``A_r`` (U[0,1) init, as in the paper); if False (trivial group only),
            ``A = I`` and the ``W_b`` themselves must become the shift matrices.

    Inputs: ``[kernels (B, K, 9), images (B, n, n)]`` (``K`` kernels per image: ``W_b x`` is computed once per
    image and shared by its ``K`` kernels).  Output: ``(B, K, m, m, R)``.
    """

    def __init__(self, size, group=groups.trivial, padding="valid", learn_taps=True, **kwargs):
        super().__init__(**kwargs)
        self.group = point_group(group)
        self.size, self.padding = int(size), padding
        self.rotations = self.group.order
        self.out_size = output_size(self.size, padding)
        if not learn_taps and self.rotations > 1:
            raise ValueError(
                "learn_taps=False fixes A = I, which can only express a plain convolution: use "
                "group=groups.trivial or learn_taps=True."
            )
        self.learn_taps = bool(learn_taps)
        m2, n2 = self.out_size**2, self.size**2
        self.maps = self.add_weight(name="maps", shape=(9, m2, n2), initializer="zeros")
        taps_init = (
            keras.initializers.RandomUniform(0.0, 1.0)
            if learn_taps
            else keras.initializers.Constant(np.eye(9, dtype=np.float32)[None])
        )
        self.taps = self.add_weight(
            name="taps", shape=(self.rotations, 9, 9), initializer=taps_init, trainable=self.learn_taps
        )

    def call(self, inputs):
        kernels, images = inputs
        n2, m2 = self.size**2, self.out_size**2
        x = ops.reshape(images, (-1, n2))
        wx = ops.reshape(ops.matmul(x, ops.transpose(ops.reshape(self.maps, (9 * m2, n2)))), (-1, 9, m2))
        h = ops.einsum("rbc,nkc->nkrb", self.taps, kernels)  # (B, K, R, 9)
        y = ops.einsum("nkrb,nbp->nkpr", h, wx)
        return ops.reshape(y, (-1, kernels.shape[1], self.out_size, self.out_size, self.rotations))

    def effective_maps(self) -> np.ndarray:
        """``E'_{r,c} = Σ_b (A_r)_{bc} W_b``: what the student multiplies tap ``c`` with, ``(R, 9, m², n²)``."""
        taps, maps = ops.convert_to_numpy(self.taps), ops.convert_to_numpy(self.maps)
        return np.einsum("rbc,bpq->rcpq", taps, maps)

    def get_config(self):
        return {
            **super().get_config(),
            "size": self.size,
            "group": self.group.name,
            "padding": self.padding,
            "learn_taps": self.learn_taps,
        }


@dataclass
class CloneReport:
    """What cloning achieved: steps run, final loss, held-out relative error, distance to the exact structure."""

    steps: int
    final_loss: float
    heldout_relative_error: float
    structure_max_abs_error: float
    structure_relative_error: float
    seconds: float
    losses: list

    def __str__(self):
        return (
            f"cloned in {self.steps} steps ({self.seconds:.0f} s): loss {self.final_loss:.2e}, held-out relative "
            f"error {self.heldout_relative_error:.1e}, effective maps vs exact: max |Δ| "
            f"{self.structure_max_abs_error:.1e}, relative {self.structure_relative_error:.1e}"
        )


class _LastBatchMSE(keras.metrics.Metric):
    """The MSE of the latest batch (Keras' ``loss`` log is a running mean over the epoch)."""

    def __init__(self, name="batch_mse", **kwargs):
        super().__init__(name=name, **kwargs)
        self.value = self.add_variable(shape=(), initializer="zeros", name="value")

    def update_state(self, y_true, y_pred, sample_weight=None):
        self.value.assign(ops.mean(ops.square(ops.cast(y_true, y_pred.dtype) - y_pred)))

    def result(self):
        return ops.convert_to_tensor(self.value)  # a tensor, not the variable: JAX cannot return a variable from jit

    def reset_state(self):
        self.value.assign(0.0)


class _StopAtTolerance(keras.callbacks.Callback):
    def __init__(self, tolerance):
        super().__init__()
        self.tolerance, self.losses = tolerance, []

    def on_train_batch_end(self, batch, logs=None):
        self.losses.append(float(logs["batch_mse"]))
        if self.losses[-1] < self.tolerance:
            self.model.stop_training = True


def _compile(student, optimizer, learning_rate, steps, clipnorm, images_per_step):
    """Compile ``student`` for cloning, as :func:`clone` and :func:`step_seconds` both do."""
    if optimizer == "adam":
        # Adam = AdamW without weight decay (decay would pull the clone's 1s towards 0).
        schedule = keras.optimizers.schedules.CosineDecay(learning_rate, steps, alpha=1e-3)
        opt = keras.optimizers.Adam(schedule, global_clipnorm=clipnorm)
    elif optimizer == "sgd":
        m2, n2 = student.out_size**2, student.size**2
        opt = keras.optimizers.SGD(learning_rate * 0.5 * images_per_step * m2 / n2, global_clipnorm=clipnorm)
    else:
        raise ValueError(f"`optimizer` must be 'adam' or 'sgd'. Received: optimizer={optimizer!r}")
    # XLA fuses the optimizer's element-wise passes over the 9·m²·n² map entries, which dominate a step at large n.
    student.compile(optimizer=opt, loss="mse", metrics=[_LastBatchMSE()], jit_compile=jit_compile_for(dense=True))


def clone(
    student: StructuredStudent,
    steps: int = 2000,
    images_per_step: int = 64,
    kernels_per_image: int = 16,
    learning_rate: float = 1e-2,
    clipnorm: float = 1.0,
    tolerance: float = 1e-10,
    seed: int = 0,
    verbose: int = 1,
    optimizer: str = "adam",
) -> CloneReport:
    """Train ``student`` to imitate its teacher on Gaussian images, each with ``kernels_per_image`` fresh Gaussian
    kernels (``images_per_step × kernels_per_image`` examples per step).  MSE loss, global gradient-norm clipping
    ``clipnorm``, early stop once the batch loss is below ``tolerance``.  Two optimisers:

    * ``"adam"`` (as in the paper; AdamW without weight decay, which would pull the clone's 1s towards 0): learning
      rate cosine-decayed from ``learning_rate`` to 1e-3 of it over ``steps`` (a constant rate makes Adam drift away
      again; docs/design.md).  Needed when the tap maps are learned (a bilinear problem).
    * ``"sgd"``, the normalised step for a fixed-tap student (``learn_taps=False``): there the loss is a least-squares
      problem that is isotropic in expectation, ``E[loss] = (1/m²) Σ_b ‖W_b − S_b‖²``, so plain SGD with rate
      ``learning_rate · B·m²/(2n²)`` (``B`` = images per step) removes the fraction ``learning_rate·B/n²`` of the
      error per step, like the Kaczmarz method: linear convergence with no schedule.  ``learning_rate`` ≈ 0.5 is
      stable with ≥ 32 kernels per image.  At n = 48 it reaches 3.8e-3 relative in 300 steps where Adam is at
      3.4e-1 after 600.
    """
    group, padding, size = student.group, student.padding, student.size
    rng = np.random.default_rng(seed)

    def batches():
        while True:
            yield teacher_batch(rng, size, images_per_step, kernels_per_image, group, padding)

    _compile(student, optimizer, learning_rate, steps, clipnorm, images_per_step)
    stopper = _StopAtTolerance(tolerance)
    start = time.perf_counter()
    student.fit(batches(), steps_per_epoch=steps, epochs=1, verbose=verbose, callbacks=[stopper])
    seconds = time.perf_counter() - start
    (k, x), y = teacher_batch(np.random.default_rng(seed + 10_000), size, 64, 4, group, padding)  # held-out draws
    pred = ops.convert_to_numpy(student([k, x]))
    errors = structure_error(student.effective_maps(), exact_structure(size, group, padding))
    return CloneReport(
        len(stopper.losses),
        stopper.losses[-1],
        float(np.linalg.norm(pred - y) / np.linalg.norm(y)),
        errors["max_abs"],
        errors["relative"],
        seconds,
        stopper.losses,
    )


def step_seconds(
    students,
    rounds: int = 30,
    warmup: int = 3,
    images_per_step: int = 64,
    kernels_per_image: int = 16,
    optimizer: str = "adam",
    seed: int = 0,
) -> list:
    """The median wall time of one cloning step of each student, measured side by side: compiled as :func:`clone`
    compiles them, then ``rounds`` rounds in which every student takes one ``train_on_batch`` step in turn (after
    ``warmup`` untimed steps, which include compilation).  Interleaving and the median keep a load spike on a shared
    machine from landing on one student only.  The students are trained by the timed steps: pass fresh ones.

    Returns one number of seconds per student, in order.
    """
    rng = np.random.default_rng(seed)
    batches = []
    for student in students:
        _compile(student, optimizer, 1e-2, rounds + warmup, 1.0, images_per_step)
        batches.append(
            teacher_batch(rng, student.size, images_per_step, kernels_per_image, student.group, student.padding)
        )
        for _ in range(warmup):
            student.train_on_batch(*batches[-1])
    times = [[] for _ in students]
    for _ in range(rounds):
        for student, batch, record in zip(students, batches, times):
            start = time.perf_counter()
            student.train_on_batch(*batch)  # returns NumPy losses: the step has finished
            record.append(time.perf_counter() - start)
    return [float(np.median(record)) for record in times]


#: How :func:`cloned_structure` clones each point group: T(2) (the trivial point group) with fixed taps (A = I) and
#: the normalised SGD step; C4 with learned tap maps and Adam, as in the paper.
RECIPES = {
    groups.trivial: {
        "learn_taps": False,
        "optimizer": "sgd",
        "learning_rate": 0.5,
        "images_per_step": 128,
        "kernels_per_image": 32,
    },
    groups.C4: {
        "learn_taps": True,
        "optimizer": "adam",
        "learning_rate": 1e-2,
        "images_per_step": 64,
        "kernels_per_image": 16,
    },
}


def recipe_for(group) -> dict:
    """The :data:`RECIPES` entry of ``group`` (a group object or name)."""
    return RECIPES[point_group(group)]


def clone_cache_path(size: int, group=groups.trivial, padding: str = "valid", steps: int = 2000, seed: int = 0) -> Path:
    """Where :func:`cloned_structure` keeps the clone of this configuration (it may not exist yet)."""
    group = point_group(group)
    name = f"{group.name}-{padding}-n{size}-steps{steps}-seed{seed}-{recipe_for(group)['optimizer']}.npz"
    return Path(cache_dir()) / "clones" / name


def cloned_structure(
    size: int,
    group=groups.trivial,
    padding: str = "valid",
    steps: int = 2000,
    seed: int = 0,
    verbose: int = 1,
    cache: bool = True,
):
    """Effective maps ``(R, 9, m², n²)`` of a student cloned with :data:`RECIPES` — from the cache when present.

    Returns ``(structure, info)`` where ``info`` holds the :class:`CloneReport` numbers.  The cache lives in
    ``<symkeras data cache>/clones`` and is keyed by every setting that changes the result.
    """
    group = point_group(group)
    recipe = recipe_for(group)
    path = clone_cache_path(size, group, padding, steps, seed)
    if cache and path.exists():
        with np.load(path) as stored:
            return stored["structure"], {k: float(stored[k]) for k in stored.files if k != "structure"}
    student = StructuredStudent(size, group=group, padding=padding, learn_taps=recipe["learn_taps"])
    options = {k: v for k, v in recipe.items() if k != "learn_taps"}
    report = clone(student, steps=steps, seed=seed, verbose=verbose, **options)
    if verbose:
        print(report)
    info = {
        "steps": report.steps,
        "final_loss": report.final_loss,
        "heldout_relative_error": report.heldout_relative_error,
        "structure_max_abs_error": report.structure_max_abs_error,
        "structure_relative_error": report.structure_relative_error,
        "seconds": report.seconds,
    }
    structure = student.effective_maps().astype(np.float32)
    if cache:
        path.parent.mkdir(parents=True, exist_ok=True)
        np.savez(path, structure=structure, **info)
    return structure, info
