"""Cloning a convolution into an MLP-Mixer block instead of dense maps.

The MLP student (:class:`~symkeras.cloning.StructuredStudent`) computes ``ŷ_r = Σ_b (A_r k)_b · W_b x`` with nine
dense maps ``W_b`` ∈ R^{n²×n²}.  The **Mixer student** keeps the teacher, the tap maps ``A_r`` and the training
loop (:func:`~symkeras.cloning.clone`) and replaces the nine dense maps by one linear Mixer block with nine outputs
(:class:`~symkeras.layers.PatchMixer`): ``M_b x = [Σ_q T_q · patches(x) · C_q]_b``, token maps ``T_q`` across the
``p × p`` patches, channel maps ``C_q`` across the features of a patch.  Its loss is trilinear (``A``, ``T``, ``C``)
rather than bilinear, and it has far fewer numbers: ``Q·t² + Q·p²·9p²`` against ``9·n⁴``.

Padding is circular, so that output pixels and patches line up with the input's (a valid convolution's
``(n−2) × (n−2)`` output does not tile into the same patches).  An exact solution exists (:func:`exact_mixer_factors`),
so a clone can approach the teacher to float32 round-off.
"""

from __future__ import annotations

import keras
import numpy as np
from keras import ops

from symkeras import groups
from symkeras.cloning.structure import point_group
from symkeras.layers.mixer import PatchMixer, mixer_maps

__all__ = ["MixerStudent", "exact_mixer_factors", "steps_to_error"]


@keras.saving.register_keras_serializable(package="symkeras")
class MixerStudent(keras.Model):
    """The Mixer cloning student: ``ŷ_r = Σ_b (A_r k)_b · M_b x``, ``M`` a linear Mixer block with 9 outputs.

    Args:
        size: input side ``n`` (a multiple of ``patch_size``).
        group: the point group (``groups.trivial`` or ``groups.C4``; names accepted).
        patch_size: the Mixer's patch side ``p``.
        token_maps: ``Q``, the token-mixing width (9 holds a 3×3 convolution exactly).
        padding: only ``"circular"`` (the output tiles into the same patches as the input).

    Weights: tap maps ``A`` ``(|G|, 9, 9)``, U[0,1) as in :class:`~symkeras.cloning.StructuredStudent`; token maps
    ``(Q, t, t)``, normal with std ``1/√t``; channel maps ``(Q, p², 9p²)``, zero — so the first output is 0 and the
    first loss the teacher's output variance, as for the MLP student.

    Inputs: ``[kernels (B, K, 9), images (B, n, n)]``.  Output: ``(B, K, n, n, |G|)``.
    """

    def __init__(self, size, group=groups.trivial, patch_size=2, token_maps=9, padding="circular", **kwargs):
        super().__init__(**kwargs)
        if padding != "circular":
            raise ValueError(
                "MixerStudent clones circular convolutions only: a valid convolution's (n−2)×(n−2) output does not "
                f"tile into the input's patches. Use padding='circular'. Received: padding={padding!r}"
            )
        if int(size) % int(patch_size):
            raise ValueError(
                f"`size` must be a multiple of `patch_size` (the image is cut into whole patches). Use e.g. "
                f"patch_size={next(p for p in (2, 3, 5, 7, 1) if int(size) % p == 0)}. Received: size={size}, "
                f"patch_size={patch_size}"
            )
        self.group = point_group(group)
        self.size, self.padding, self.learn_taps = int(size), padding, True
        self.out_size, self.rotations = self.size, self.group.order
        self.patch_size, self.token_count = int(patch_size), int(token_maps)
        self.mixer = PatchMixer(9, self.patch_size, self.token_count, channel_initializer="zeros", name="mixer")
        self.mixer.build((None, self.size, self.size, 1))
        self.taps = self.add_weight(
            name="taps", shape=(self.rotations, 9, 9), initializer=keras.initializers.RandomUniform(0.0, 1.0)
        )

    def call(self, inputs):
        kernels, images = inputs
        n2 = self.size**2
        z = self.mixer(ops.reshape(images, (-1, self.size, self.size, 1)))  # (B, n, n, 9)
        z = ops.transpose(ops.reshape(z, (-1, n2, 9)), (0, 2, 1))  # (B, 9, n²)
        h = ops.einsum("rbc,nkc->nkrb", self.taps, kernels)  # (B, K, R, 9)
        y = ops.einsum("nkrb,nbp->nkpr", h, z)
        return ops.reshape(y, (-1, kernels.shape[1], self.size, self.size, self.rotations))

    def factors(self) -> dict:
        """The learned factors as NumPy arrays: ``taps``, ``token_maps``, ``channel_maps`` (what
        :class:`~symkeras.layers.ClonedMixerConv2D` is built from)."""
        return {
            "taps": ops.convert_to_numpy(self.taps),
            "token_maps": ops.convert_to_numpy(self.mixer.token),
            "channel_maps": ops.convert_to_numpy(self.mixer.channel),
        }

    def effective_maps(self) -> np.ndarray:
        """``E'_{r,c} = Σ_b (A_r)_{bc} M_b``, ``(|G|, 9, n², n²)``: the dense maps the clone multiplies tap ``c``
        with, comparable with :func:`~symkeras.cloning.exact_structure` (``padding="circular"``)."""
        f = self.factors()
        maps = mixer_maps(f["token_maps"], f["channel_maps"], self.patch_size, self.size)
        return np.einsum("rbc,bpq->rcpq", f["taps"], maps)

    def get_config(self):
        return {
            **super().get_config(),
            "size": self.size,
            "group": self.group.name,
            "patch_size": self.patch_size,
            "token_maps": self.token_count,
            "padding": self.padding,
        }


def exact_mixer_factors(size: int, patch_size: int):
    """Token and channel maps with which a Mixer block computes the 9 circular shifts of a 3×3 convolution exactly.

    Tap ``c = 3·di + dj`` reads pixel ``((i + di − 1) mod n, (j + dj − 1) mod n)``.  For output pixel ``(a, b)`` of
    patch ``(I, J)`` that pixel lies in patch ``(I + δi, J + δj)`` (mod ``n/p``), ``δ = ⌊(a + di − 1)/p⌋ ∈ {−1, 0, 1}``,
    at position ``((a + di − 1) mod p, (b + dj − 1) mod p)``.  So token map ``q = 3(δi + 1) + (δj + 1)`` moves each
    patch by ``(δi, δj)`` and channel map ``q`` picks the position inside it for every tap whose pixel lands there.

    Returns ``(token_maps (9, t, t), channel_maps (9, p², 9p²))`` for :func:`symkeras.layers.mix_patches`.
    """
    p, n = int(patch_size), int(size)
    if n % p:
        raise ValueError(f"`size` must be a multiple of `patch_size`. Received: size={size}, patch_size={patch_size}")
    side = n // p
    token = np.zeros((9, side * side, side * side), np.float32)
    for q in range(9):
        di, dj = q // 3 - 1, q % 3 - 1
        for i in range(side):
            for j in range(side):
                token[q, i * side + j, ((i + di) % side) * side + (j + dj) % side] = 1.0
    channel = np.zeros((9, p * p, p * p * 9), np.float32)
    for c in range(9):
        di, dj = c // 3, c % 3
        for a in range(p):
            for b in range(p):
                (si, a2), (sj, b2) = divmod(a + di - 1, p), divmod(b + dj - 1, p)
                q = 3 * (si + 1) + (sj + 1)
                channel[q, a2 * p + b2, (a * p + b) * 9 + c] = 1.0
    return token, channel


def steps_to_error(losses, relative_error: float, teacher_variance: float = 9.0):
    """The first optimizer step (1-based) whose batch MSE is at most ``teacher_variance · relative_error²``, i.e.
    whose relative RMS error is at most ``relative_error``; ``None`` if no step reached it.

    The teacher's output variance is 9 (nine products of independent standard normals), so a batch MSE of ``9ε²``
    is a relative error ``ε``.
    """
    if not relative_error > 0:
        raise ValueError(f"`relative_error` must be positive. Received: relative_error={relative_error!r}")
    threshold = teacher_variance * relative_error**2
    hits = np.flatnonzero(np.asarray(losses, dtype=np.float64) <= threshold)
    return int(hits[0]) + 1 if hits.size else None
