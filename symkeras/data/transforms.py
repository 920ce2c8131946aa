"""Image transforms on NumPy batches ``(N, H, W, C)``, with a value per sample (usable inside ``tf.data``).

The exact 90° rotation is the C4 action of :mod:`symkeras.groups` (one definition); the continuous rotation and the
shift are the transforms of the MNIST-rot and translation-breaking tasks.
"""

from __future__ import annotations

import numpy as np

from symkeras.groups import C4

__all__ = ["rotate90_batch", "rotate_batch", "shift_batch"]


def rotate90_batch(images, k) -> np.ndarray:
    """Rotate each image ``(N, H, W, C)`` counter-clockwise by ``k[i]·90°`` (exact, :data:`symkeras.groups.C4`)."""
    images, k = np.asarray(images), np.asarray(k) % 4
    out = np.empty_like(images)
    for r in range(4):
        sel = k == r
        out[sel] = C4.act_on_image(images[sel], r)
    return out


def rotate_batch(images, degrees, chunk: int = 4096) -> np.ndarray:
    """Rotate each image ``(N, H, W, C)`` counter-clockwise by ``degrees[i]`` about its centre (bilinear, zero fill).

    Pure NumPy, so it can run inside a ``tf.data`` pipeline; large batches are processed ``chunk`` images at a time
    to bound memory.  At multiples of 90° it equals :func:`rotate90_batch` up to float rounding.
    """
    images = np.asarray(images, np.float32)
    degrees = np.broadcast_to(np.asarray(degrees, np.float64), (len(images),))
    if len(images) > chunk:
        return np.concatenate(
            [rotate_batch(images[i : i + chunk], degrees[i : i + chunk], chunk) for i in range(0, len(images), chunk)]
        )
    n, h, w = images.shape[:3]
    theta = np.deg2rad(degrees)[:, None, None]
    cy, cx = (h - 1) / 2, (w - 1) / 2
    rows, cols = np.meshgrid(np.arange(h) - cy, np.arange(w) - cx, indexing="ij")
    # counter-clockwise on screen (row axis points down): output (r, c) samples the input at R(-θ)(r, c)
    src_r = np.cos(theta) * rows + np.sin(theta) * cols + cy
    src_c = -np.sin(theta) * rows + np.cos(theta) * cols + cx
    r0, c0 = np.floor(src_r).astype(int), np.floor(src_c).astype(int)
    fr, fc = (src_r - r0)[..., None], (src_c - c0)[..., None]
    batch = np.arange(n)[:, None, None]

    def pixel(r, c):
        inside = ((r >= 0) & (r < h) & (c >= 0) & (c < w))[..., None]
        return np.where(inside, images[batch, np.clip(r, 0, h - 1), np.clip(c, 0, w - 1)], 0.0)

    out = (
        pixel(r0, c0) * (1 - fr) * (1 - fc)
        + pixel(r0, c0 + 1) * (1 - fr) * fc
        + pixel(r0 + 1, c0) * fr * (1 - fc)
        + pixel(r0 + 1, c0 + 1) * fr * fc
    )
    return out.astype(np.float32)


def shift_batch(images, dy, dx) -> np.ndarray:
    """Shift each image down by ``dy[i]`` and right by ``dx[i]`` pixels with zero fill (content may leave)."""
    images = np.asarray(images)
    n, h, w = images.shape[:3]
    out = np.zeros_like(images)
    for i, (a, b) in enumerate(zip(np.asarray(dy, int), np.asarray(dx, int))):
        out[i, max(a, 0) : h + min(a, 0), max(b, 0) : w + min(b, 0)] = images[
            i, max(-a, 0) : h - max(a, 0), max(-b, 0) : w - max(b, 0)
        ]
    return out
