"""Symmetry cloning: teach plain dense maps the structure of a convolution (T(2)) or a C4 lifting convolution.

A valid 3×3 cross-correlation of an ``n × n`` image ``x`` (flattened, length ``n²``) is linear in the kernel ``k``
(9 taps) and in ``x``:

    ``y = Σ_c k_c · S_c x``,   ``S_c`` ∈ R^{m²×n²} the shift matrix of tap ``c`` (``m = n − 2``).

A C4 lifting convolution has one such output per rotation ``r``, with the taps of ``rot90^r(k)``:
``y_r = Σ_c k_c · E_{r,c} x`` where ``E_{r,c} = S_{π_r(c)}`` moves tap ``c`` to where the rotation puts it.

**The student** (after "Symmetry From Scratch", arXiv 2410.03989, see ../shared/CLONING.md) knows none of this.  It has
9 bias-free dense maps ``W_b`` ∈ R^{m²×n²} (zero-initialised) and per rotation a learned 9×9 tap map ``A_r``
(U[0,1) initialised): ``ŷ_r = Σ_b (A_r k)_b · W_b x``.  Trained by MSE against the teacher on Gaussian images with
fresh Gaussian kernels for every example, it can only fit if its *effective maps* ``E'_{r,c} = Σ_b (A_r)_{bc} W_b``
become the exact ``E_{r,c}`` — which is what we measure (``W_b`` alone is only defined up to a mixing of the 9 maps).

:func:`clone` trains a student (AdamW, cosine-decayed learning rate, global gradient-norm clipping 1.0, early stop on a
tolerance, Keras progress bar) and :func:`cloned_structure` caches the result per configuration.
:class:`ClonedConv2D` turns a structure into a fully connected layer, and :func:`mlp2cnn` / :func:`mlp2gcnn` rebuild a
CNN or G-CNN as an MLP of such layers.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import keras
import numpy as np
from keras import ops

from symkeras import groups as _groups
from symkeras.distribute import jit_compile_for

__all__ = ["shift_structure", "exact_structure", "correlate", "teacher", "StructuredStudent", "CloneReport",
           "clone", "RECIPES", "clone_cache_path", "cloned_structure", "structure_error",
           "ClonedConv2D", "mlp2cnn", "mlp2gcnn"]

_ROTATIONS = {"trivial": 1, "C4": 4}


def _rotations(group) -> int:
    name = _groups.get(group).name
    if name not in _ROTATIONS:
        raise ValueError(f"Cloning supports group='trivial' (translations, T(2)) or 'C4'. Received: group={group!r}")
    return _ROTATIONS[name]


def _output_size(size: int, padding: str) -> int:
    if padding not in ("valid", "circular"):
        raise ValueError(f"`padding` must be 'valid' or 'circular'. Received: padding={padding!r}")
    return size - 2 if padding == "valid" else size


def shift_structure(size: int, padding: str = "valid") -> np.ndarray:
    """Exact shift matrices ``S`` of shape ``(9, m², n²)`` of a 3×3 cross-correlation on ``size × size`` images.

    Tap ``c = 3·di + dj`` of the kernel multiplies pixel ``(i + di, j + dj)`` for output ``(i, j)`` ('valid',
    ``m = n − 2``), or pixel ``(i + di − 1, j + dj − 1)`` with wrap-around ('circular', ``m = n``).
    """
    m = _output_size(size, padding)
    s = np.zeros((9, m * m, size * size), np.float32)
    out = np.arange(m * m)
    i, j = out // m, out % m
    for di in range(3):
        for dj in range(3):
            if padding == "valid":
                r, c = i + di, j + dj
            else:
                r, c = (i + di - 1) % size, (j + dj - 1) % size
            s[3 * di + dj, out, r * size + c] = 1.0
    return s


def exact_structure(size: int, group="trivial", padding: str = "valid") -> np.ndarray:
    """The exact effective maps ``E`` of shape ``(R, 9, m², n²)``: ``y_r = Σ_c k_c E_{r,c} x`` correlates ``x`` with
    ``rot90^r(k)`` (``R = 1`` for ``"trivial"``, 4 for ``"C4"``).  Tap positions come from
    :func:`symkeras.layers.filter_bank_indices`, i.e. from the one C4 action."""
    from symkeras.layers import filter_bank_indices

    shifts = shift_structure(size, padding)
    rotations = _rotations(group)
    taps = filter_bank_indices(_groups.get(group), 3, 1).reshape(rotations, 9)  # rotated.ravel()[j] = k[taps[r, j]]
    e = np.zeros((rotations, *shifts.shape), np.float32)
    for r in range(rotations):
        for j in range(9):
            e[r, taps[r, j]] += shifts[j]
    return e


def correlate(images: np.ndarray, kernels: np.ndarray, padding: str = "valid") -> np.ndarray:
    """The teacher's arithmetic: per-example 3×3 cross-correlation, ``(N, n, n)`` × ``(N, 3, 3)`` → ``(N, m, m)``."""
    if padding == "circular":
        images = np.pad(images, ((0, 0), (1, 1), (1, 1)), mode="wrap")
    windows = np.lib.stride_tricks.sliding_window_view(images, (3, 3), axis=(1, 2))
    return np.einsum("nijab,nab->nij", windows, kernels)


def teacher(images: np.ndarray, kernels: np.ndarray, group="trivial", padding: str = "valid") -> np.ndarray:
    """Outputs ``(N, m, m, R)`` of a single-channel convolution (``"trivial"``) or C4 lifting convolution (``"C4"``)
    with a different kernel per example: orientation ``r`` uses ``rot90^r`` of the kernel (``C4.act_on_image``)."""
    group = _groups.get(group)
    outputs = [correlate(images, group.act_on_image(kernels[..., None], r)[..., 0], padding)
               for r in range(_rotations(group))]
    return np.stack(outputs, axis=-1).astype(np.float32)


@keras.saving.register_keras_serializable(package="symkeras")
class StructuredStudent(keras.Model):
    """The cloning student: ``ŷ_r = Σ_b (A_r k)_b · W_b x`` with zero-initialised dense maps ``W_b`` ∈ R^{m²×n²}.

    Args:
        size: input side ``n``.
        group: ``"trivial"`` (one output: a convolution) or ``"C4"`` (four outputs: a lifting convolution).
        padding: ``"valid"`` (``m = n − 2``) or ``"circular"`` (``m = n``).
        learn_taps: learn the tap maps ``A_r`` (U[0,1) init, as in the paper); if False (``"trivial"`` only),
            ``A = I`` and the ``W_b`` themselves must become the shift matrices.

    Inputs: ``[kernels (B, K, 9), images (B, n, n)]`` (``K`` kernels per image: ``W_b x`` is computed once per
    image and shared by its ``K`` kernels).  Output: ``(B, K, m, m, R)``.
    """

    def __init__(self, size, group="trivial", padding="valid", learn_taps=True, **kwargs):
        super().__init__(**kwargs)
        self.size, self.group_name, self.padding = int(size), _groups.get(group).name, padding
        self.rotations = _rotations(group)
        self.out_size = _output_size(self.size, padding)
        if not learn_taps and self.rotations > 1:
            raise ValueError("learn_taps=False fixes A = I, which can only express a plain convolution: use "
                             "group='trivial' or learn_taps=True.")
        self.learn_taps = bool(learn_taps)
        m2, n2 = self.out_size ** 2, self.size ** 2
        self.maps = self.add_weight(name="maps", shape=(9, m2, n2), initializer="zeros")
        taps_init = (keras.initializers.RandomUniform(0.0, 1.0) if learn_taps
                     else keras.initializers.Constant(np.eye(9, dtype=np.float32)[None]))
        self.taps = self.add_weight(name="taps", shape=(self.rotations, 9, 9), initializer=taps_init,
                                    trainable=self.learn_taps)

    def call(self, inputs):
        kernels, images = inputs
        n2, m2 = self.size ** 2, self.out_size ** 2
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
        return {**super().get_config(), "size": self.size, "group": self.group_name, "padding": self.padding,
                "learn_taps": self.learn_taps}


def structure_error(structure: np.ndarray, exact: np.ndarray) -> dict:
    """How far learned effective maps are from the exact ones: max |difference| and relative Frobenius error."""
    diff = structure - exact
    return {"max_abs": float(np.abs(diff).max()),
            "relative": float(np.linalg.norm(diff) / np.linalg.norm(exact))}


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
        return (f"cloned in {self.steps} steps ({self.seconds:.0f} s): loss {self.final_loss:.2e}, held-out relative "
                f"error {self.heldout_relative_error:.1e}, effective maps vs exact: max |Δ| "
                f"{self.structure_max_abs_error:.1e}, relative {self.structure_relative_error:.1e}")


def _batch(rng, size, images_per_step, kernels_per_image, group, padding):
    """Gaussian images, Gaussian kernels and the teacher's outputs ``(B, K, m, m, R)``.

    Same arithmetic as :func:`teacher`, but each image's 3×3 windows are extracted once and multiplied with all its
    kernels in one matrix product (``teacher`` would copy every image ``K`` times)."""
    b, k = images_per_step, kernels_per_image
    group = _groups.get(group)
    kernels = rng.standard_normal((b, k, 3, 3)).astype(np.float32)
    images = rng.standard_normal((b, size, size)).astype(np.float32)
    padded = np.pad(images, ((0, 0), (1, 1), (1, 1)), mode="wrap") if padding == "circular" else images
    m = _output_size(size, padding)
    windows = np.lib.stride_tricks.sliding_window_view(padded, (3, 3), axis=(1, 2)).reshape(b, m * m, 9)
    rotated = [group.act_on_image(kernels.reshape(b * k, 3, 3, 1), r).reshape(b, k, 9)
               for r in range(_rotations(group))]
    targets = np.stack([np.matmul(kr, windows.transpose(0, 2, 1)) for kr in rotated], axis=-1)  # (B, K, m², R)
    return (kernels.reshape(b, k, 9), images), targets.reshape(b, k, m, m, -1)


class _LastBatchMSE(keras.metrics.Metric):
    """The MSE of the latest batch (Keras' ``loss`` log is a running mean over the epoch)."""

    def __init__(self, name="batch_mse", **kwargs):
        super().__init__(name=name, **kwargs)
        self.value = self.add_variable(shape=(), initializer="zeros", name="value")

    def update_state(self, y_true, y_pred, sample_weight=None):
        self.value.assign(ops.mean(ops.square(ops.cast(y_true, y_pred.dtype) - y_pred)))

    def result(self):
        return self.value

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


def clone(student: StructuredStudent, steps: int = 2000, images_per_step: int = 64, kernels_per_image: int = 16,
          learning_rate: float = 1e-2, clipnorm: float = 1.0, tolerance: float = 1e-10, seed: int = 0,
          verbose: int = 1, optimizer: str = "adam") -> CloneReport:
    """Train ``student`` to imitate its teacher on Gaussian images, each with ``kernels_per_image`` fresh Gaussian
    kernels (``images_per_step × kernels_per_image`` examples per step).  MSE loss, global gradient-norm clipping
    ``clipnorm``, early stop once the batch loss is below ``tolerance``.  Two optimisers:

    * ``"adam"`` (as in the paper; AdamW without weight decay, which would pull the clone's 1s towards 0): learning
      rate cosine-decayed from ``learning_rate`` to 1e-3 of it over ``steps`` (a constant rate makes Adam drift away
      again, see CLONING.md §5).  Needed when the tap maps are learned (a bilinear problem).
    * ``"sgd"``, the normalised step for a fixed-tap student (``learn_taps=False``): there the loss is a least-squares
      problem that is isotropic in expectation, ``E[loss] = (1/m²) Σ_b ‖W_b − S_b‖²``, so plain SGD with rate
      ``learning_rate · B·m²/(2n²)`` (``B`` = images per step) removes the fraction ``learning_rate·B/n²`` of the
      error per step, like the Kaczmarz method: linear convergence with no schedule.  ``learning_rate`` ≈ 0.5 is
      stable with ≥ 32 kernels per image.  At n = 48 it reaches 3.8e-3 relative in 300 steps where Adam is at
      3.4e-1 after 600.
    """
    group, padding, size = student.group_name, student.padding, student.size
    rng = np.random.default_rng(seed)

    def batches():
        while True:
            yield _batch(rng, size, images_per_step, kernels_per_image, group, padding)

    if optimizer == "adam":
        # Adam = AdamW without weight decay (decay would pull the clone's 1s towards 0).
        schedule = keras.optimizers.schedules.CosineDecay(learning_rate, steps, alpha=1e-3)
        opt = keras.optimizers.Adam(schedule, global_clipnorm=clipnorm)
    elif optimizer == "sgd":
        m2, n2 = student.out_size ** 2, size ** 2
        opt = keras.optimizers.SGD(learning_rate * 0.5 * images_per_step * m2 / n2, global_clipnorm=clipnorm)
    else:
        raise ValueError(f"`optimizer` must be 'adam' or 'sgd'. Received: optimizer={optimizer!r}")
    # XLA fuses the optimizer's element-wise passes over the 9·m²·n² map entries, which dominate a step at large n.
    student.compile(optimizer=opt, loss="mse", metrics=[_LastBatchMSE()], jit_compile=jit_compile_for(dense=True))
    stopper = _StopAtTolerance(tolerance)
    start = time.perf_counter()
    student.fit(batches(), steps_per_epoch=steps, epochs=1, verbose=verbose, callbacks=[stopper])
    seconds = time.perf_counter() - start
    (k, x), y = _batch(np.random.default_rng(seed + 10_000), size, 64, 4, group, padding)  # held-out draws
    pred = ops.convert_to_numpy(student([k, x]))
    errors = structure_error(student.effective_maps(), exact_structure(size, group, padding))
    return CloneReport(len(stopper.losses), stopper.losses[-1], float(np.linalg.norm(pred - y) / np.linalg.norm(y)),
                       errors["max_abs"], errors["relative"], seconds, stopper.losses)


#: How :func:`cloned_structure` clones each group: T(2) with fixed taps (A = I) and the normalised SGD step; C4 with
#: learned tap maps and Adam, as in the paper.
RECIPES = {
    "trivial": {"learn_taps": False, "optimizer": "sgd", "learning_rate": 0.5, "images_per_step": 128,
                "kernels_per_image": 32},
    "C4": {"learn_taps": True, "optimizer": "adam", "learning_rate": 1e-2, "images_per_step": 64,
           "kernels_per_image": 16},
}


def clone_cache_path(size: int, group="trivial", padding: str = "valid", steps: int = 2000, seed: int = 0) -> Path:
    """Where :func:`cloned_structure` keeps the clone of this configuration (it may not exist yet)."""
    from symkeras.settings import cache_dir

    group = _groups.get(group).name
    name = f"{group}-{padding}-n{size}-steps{steps}-seed{seed}-{RECIPES[group]['optimizer']}.npz"
    return Path(cache_dir()) / "clones" / name


def cloned_structure(size: int, group="trivial", padding: str = "valid", steps: int = 2000, seed: int = 0,
                     verbose: int = 1, cache: bool = True):
    """Effective maps ``(R, 9, m², n²)`` of a student cloned with :data:`RECIPES` — from the cache when present.

    Returns ``(structure, info)`` where ``info`` holds the :class:`CloneReport` numbers.  The cache lives in
    ``<symkeras data cache>/clones`` and is keyed by every setting that changes the result.
    """
    group = _groups.get(group).name
    recipe = RECIPES[group]
    path = clone_cache_path(size, group, padding, steps, seed)
    if cache and path.exists():
        with np.load(path) as stored:
            return stored["structure"], {k: float(stored[k]) for k in stored.files if k != "structure"}
    student = StructuredStudent(size, group=group, padding=padding, learn_taps=recipe["learn_taps"])
    options = {k: v for k, v in recipe.items() if k != "learn_taps"}
    report = clone(student, steps=steps, seed=seed, verbose=verbose, **options)
    if verbose:
        print(report)
    info = {"steps": report.steps, "final_loss": report.final_loss, "heldout_relative_error":
            report.heldout_relative_error, "structure_max_abs_error": report.structure_max_abs_error,
            "structure_relative_error": report.structure_relative_error, "seconds": report.seconds}
    structure = student.effective_maps().astype(np.float32)
    if cache:
        path.parent.mkdir(parents=True, exist_ok=True)
        np.savez(path, structure=structure, **info)
    return structure, info


# --- from clones to networks -----------------------------------------------------------------------------------------

@keras.saving.register_keras_serializable(package="symkeras")
class ClonedConv2D(keras.layers.Layer):
    """A fully connected layer whose weight matrix is *generated* from 3×3 kernels through a (cloned) structure.

    With structure ``E`` of shape ``(R, 9, m², n²)`` and stored filters ``ψ`` (as in
    :class:`~symkeras.layers.LiftingConv2D` / :class:`~symkeras.layers.GroupConv2D`), output orientation ``t`` is

        ``y_t[p, o] = Σ_c Σ_q E[t, c, p, q] · Σ_{i, s} x[q, i, s] · ψ[c, i, t⁻¹s, o]``  (``s`` only for group inputs)

    i.e. one dense matrix of size ``(m²·filters·R) × (n²·channels)``: an MLP layer.  With the exact structure it
    computes exactly a valid convolution (``R = 1``), a C4 lifting convolution (``R = 4``, image input) or a C4 group
    convolution (``R = 4``, field input; slot permutation exact, tap rotation from ``E``).  ``structure_trainable``
    lets fine-tuning move ``E`` away from the symmetry; ``structure_beta > 0`` adds ``β·KL(softmax(E) ‖ softmax(E₀))``
    (softmax over the 9 taps, summed over slices, in nats; see :class:`symkeras.regularizers.KLToInit`) to the loss,
    ``structure_anchored=True`` the anchored form ``softmax([E, 0])`` that also sees a shift common to all taps.

    Input shape: ``(batch, n, n, channels)``.  Output shape: ``(batch, m, m, filters·R)`` (orientation fastest).
    """

    def __init__(self, filters, structure=None, input_size=None, output_size=None, rotations=None,
                 group_input=False, structure_trainable=False, structure_beta=0.0, structure_anchored=False,
                 activation=None, use_bias=True, kernel_initializer="glorot_uniform", **kwargs):
        super().__init__(**kwargs)
        if structure is not None:
            structure = np.asarray(structure, np.float32)
            rotations, m2, n2 = structure.shape[0], structure.shape[2], structure.shape[3]
            input_size, output_size = int(round(np.sqrt(n2))), int(round(np.sqrt(m2)))
            if structure.shape[1] != 9 or input_size ** 2 != n2 or output_size ** 2 != m2:
                raise ValueError(f"`structure` must have shape (R, 9, m², n²) for square maps. "
                                 f"Received: structure.shape={structure.shape}")
        if input_size is None or output_size is None or rotations not in (1, 4):
            raise ValueError(f"Give `structure` (R, 9, m², n²) with R in (1, 4), or `input_size`, `output_size` and "
                             f"`rotations` (to rebuild from a config). Received: input_size={input_size}, "
                             f"output_size={output_size}, rotations={rotations}")
        self.output_size = int(output_size)
        if group_input and rotations != 4:
            raise ValueError("group_input=True (a C4 field input) needs a C4 structure (R = 4).")
        self.filters, self.input_size, self.rotations = int(filters), int(input_size), int(rotations)
        self.group_input, self.structure_trainable = bool(group_input), bool(structure_trainable)
        self.structure_beta, self.structure_anchored = float(structure_beta), bool(structure_anchored)
        self._structure_value = structure
        self.activation = keras.activations.get(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = keras.initializers.get(kernel_initializer)

    def build(self, input_shape):
        n = self.input_size
        if tuple(input_shape[1:3]) != (n, n):
            raise ValueError(f"This ClonedConv2D was cloned for {n}×{n} inputs. Received: input_shape="
                             f"{tuple(input_shape)}")
        channels = input_shape[-1]
        if self.group_input and channels % 4:
            raise ValueError(f"A C4 field input needs channels = fields·4. Received: input_shape={tuple(input_shape)}")
        from symkeras.regularizers import KLToInit

        m2 = self.output_size ** 2
        init = (keras.initializers.Constant(self._structure_value) if self._structure_value is not None
                else "zeros")
        shape = (self.rotations, 9, m2, n * n)
        self.structure_init = self.add_weight(name="structure_init", shape=shape, initializer=init, trainable=False)
        regularizer = (KLToInit(self.structure_beta, self.structure_init, axis=1, anchored=self.structure_anchored)
                       if self.structure_beta else None)
        # Created trainable and then switched, so that freeze_structure / unfreeze can toggle it later (TensorFlow
        # never differentiates through a variable that was created non-trainable).
        self.structure = self.add_weight(name="structure", shape=shape, initializer=init, regularizer=regularizer)
        self.structure.trainable = self.structure_trainable
        self._structure_value = None  # held by the variables from now on
        self.kernel = self.add_weight(name="kernel", shape=(3, 3, channels, self.filters),
                                      initializer=self.kernel_initializer)
        self.bias = self.add_weight(name="bias", shape=(self.filters,), initializer="zeros") if self.use_bias else None

    def call(self, inputs):
        n2, m, r = self.input_size ** 2, self.output_size, self.rotations
        channels = inputs.shape[-1]
        x = ops.reshape(inputs, (-1, n2, channels))
        psi = ops.reshape(self.kernel, (9, channels, self.filters))
        # Two orders give the same numbers; the cheaper one contracts the big structure with the narrower side:
        # (E·x)·ψ costs R·9·m²·n²·B·channels, E·(x·ψ) costs R·9·m²·n²·B·filters multiply-adds.
        structure_first = channels < self.filters
        if structure_first:
            xt = ops.reshape(ops.transpose(x, (1, 0, 2)), (n2, -1))  # (n², B·C)
        outputs = []
        for t in range(r):
            psi_t = psi
            if self.group_input:  # input slot s reads stored slot t⁻¹s (the regular representation, exact)
                perm = (np.arange(channels // 4)[:, None] * 4 + _groups.C4.regular_permutation(t)[None]).reshape(-1)
                psi_t = ops.take(psi, perm, axis=1)
            if structure_first:
                z = ops.matmul(ops.reshape(self.structure[t], (9 * m * m, n2)), xt)  # (9·m², B·C)
                z = ops.transpose(ops.reshape(z, (9, m * m, -1, channels)), (1, 2, 0, 3))  # (m², B, 9, C)
                z = ops.reshape(z, (-1, 9 * channels))
                outputs.append(ops.reshape(ops.matmul(z, ops.reshape(psi_t, (9 * channels, self.filters))),
                                           (m * m, -1, self.filters)))
            else:
                u = ops.einsum("nqi,cio->cqno", x, psi_t)  # (9, n², B, F)
                u = ops.reshape(u, (9 * n2, -1))
                e_t = ops.reshape(self.structure[t], (9, m * m, n2))
                e_t = ops.reshape(ops.transpose(e_t, (1, 0, 2)), (m * m, 9 * n2))
                outputs.append(ops.reshape(ops.matmul(e_t, u), (m * m, -1, self.filters)))  # (m², B, F)
        y = ops.stack(outputs, axis=-1)  # (m², B, F, R): orientation fastest
        y = ops.reshape(ops.transpose(y, (1, 0, 2, 3)), (-1, m, m, self.filters * r))
        if self.use_bias:
            y = y + ops.repeat(self.bias, r)
        return self.activation(y) if self.activation is not None else y

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.output_size, self.output_size, self.filters * self.rotations)

    def get_config(self):
        return {**super().get_config(), "filters": self.filters, "input_size": self.input_size,
                "output_size": self.output_size,
                "rotations": self.rotations, "group_input": self.group_input,
                "structure_trainable": self.structure_trainable, "structure_beta": self.structure_beta,
                "structure_anchored": self.structure_anchored,
                "activation": keras.activations.serialize(self.activation) if self.activation else None,
                "use_bias": self.use_bias, "kernel_initializer": keras.initializers.serialize(self.kernel_initializer)}


def _clone_conv(layer, structure_for, input_size, **options):
    from symkeras.layers import GroupConv2D, LiftingConv2D

    if isinstance(layer, (LiftingConv2D, GroupConv2D)):
        group, group_input = layer.group.name, isinstance(layer, GroupConv2D)
        filters, activation, use_bias = layer.filters, layer.activation, layer.use_bias
    else:
        group, group_input, filters = "trivial", False, layer.filters
        activation, use_bias = layer.activation, layer.use_bias
    if tuple(np.atleast_1d(layer.kernel_size)) not in ((3,), (3, 3)) or layer.padding != "valid" or \
            tuple(np.atleast_1d(layer.strides)) not in ((1,), (1, 1)):
        raise ValueError(f"Only 3×3, stride-1, 'valid' convolutions can be cloned. Received: layer {layer.name}")
    return ClonedConv2D(filters, structure_for(input_size, group), group_input=group_input, activation=activation,
                        use_bias=use_bias, name=f"cloned_{layer.name}", **options)


def _rebuild(model, structure_for, **options):
    """Copy a Sequential conv net, replacing each 3×3 valid convolution by a ClonedConv2D with the same weights."""
    from symkeras.layers import GroupConv2D, LiftingConv2D

    if not isinstance(model, keras.Sequential):
        raise ValueError("mlp2cnn / mlp2gcnn rebuild keras.Sequential models.")
    x = keras.Input(model.input_shape[1:])
    inputs = x
    for layer in model.layers:
        if isinstance(layer, (keras.layers.Conv2D, LiftingConv2D, GroupConv2D)):
            new = _clone_conv(layer, structure_for, int(x.shape[1]), **options)
            x = new(x)
            new.kernel.assign(layer.kernel)
            if layer.use_bias:
                new.bias.assign(layer.bias)
        else:
            new = layer.__class__.from_config(layer.get_config())
            x = new(x)
            if layer.weights:
                new.set_weights(layer.get_weights())
    return keras.Model(inputs, x, name=f"mlp_from_{model.name}")


def mlp2cnn(model, structure_for=None, structure_trainable=False, structure_beta=0.0, structure_anchored=False):
    """An MLP computing what ``model`` (a ``keras.Sequential`` CNN of 3×3 'valid' ``Conv2D`` layers and pointwise /
    pooling / dense layers) computes: each convolution becomes a :class:`ClonedConv2D` with the same kernels.

    ``structure_for(size, group)`` gives the structure for an input side (default: :func:`exact_structure`; pass
    e.g. ``lambda n, g: cloned_structure(n, g)[0]`` to use cloned maps).  ``structure_trainable``,
    ``structure_beta`` and ``structure_anchored`` are passed to every :class:`ClonedConv2D` (unfrozen fine-tuning,
    KL-to-init).
    """
    return _rebuild(model, structure_for or (lambda n, g: exact_structure(n, g)),
                    structure_trainable=structure_trainable, structure_beta=structure_beta,
                    structure_anchored=structure_anchored)


def mlp2gcnn(model, structure_for=None, structure_trainable=False, structure_beta=0.0, structure_anchored=False):
    """:func:`mlp2cnn` for C4 G-CNNs (``LiftingConv2D`` / ``GroupConv2D`` over C4, 3×3, 'valid')."""
    return _rebuild(model, structure_for or (lambda n, g: exact_structure(n, g)),
                    structure_trainable=structure_trainable, structure_beta=structure_beta,
                    structure_anchored=structure_anchored)
