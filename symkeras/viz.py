"""Matplotlib figures used by the README and the lessons.  Every figure is titled and every axis labelled."""

from __future__ import annotations

import numpy as np

from symkeras import groups as _groups

__all__ = ["letter_image", "plot_commuting_diagram", "plot_cayley_table"]


def letter_image(size: int = 15) -> np.ndarray:
    """A synthetic ``(size, size)`` "F": no rotation or mirror maps it to itself, so every group element shows.

    Synthetic on purpose (no data needed); lessons use real digits from :mod:`symkeras.data`.
    """
    img = np.zeros((size, size), "float32")
    a, b = size // 5, size - size // 5
    img[a:b, a : a + 2] = 1.0  # stem
    img[a : a + 2, a:b] = 1.0  # top bar
    img[(a + b) // 2 : (a + b) // 2 + 2, a : (a + 2 * b) // 3] = 1.0  # middle bar
    return img


def plot_commuting_diagram(layer, image, g: int, field: int = 0, group=None):
    """Draw ``x → f(x)`` above ``g·x → f(g·x)``, with ``g·f(x)`` beside it, for one output field of ``layer``.

    ``layer`` maps an image ``(1, H, W, C)`` to a field over ``group`` (e.g. :class:`~symkeras.layers.LiftingConv2D`).
    Each field is drawn as its ``|G|`` orientation maps.  Returns the matplotlib figure.
    """
    import matplotlib.pyplot as plt
    from keras import ops

    group = _groups.get(group if group is not None else layer.group)
    x = np.asarray(image, "float32").reshape(1, *np.shape(image)[:2], -1)
    gx = group.act_on_image(x, g)

    def maps(img):
        y = ops.convert_to_numpy(layer(img))
        return _groups.split_group_axis(y, group)[0, :, :, field]  # (H', W', |G|)

    rows = [
        ("x", x, maps(x)),
        (f"{group.element_name(g)}·x", gx, maps(gx)),
        (
            f"{group.element_name(g)}·f(x)",
            None,
            _groups.split_group_axis(group.act_on_field(ops.convert_to_numpy(layer(x)), g), group)[0, :, :, field],
        ),
    ]
    n = group.order
    fig, axes = plt.subplots(3, n + 1, figsize=(1.6 * (n + 1), 5.2), squeeze=False)
    vmax = max(np.abs(r[2]).max() for r in rows)
    for r, (label, img, fmap) in enumerate(rows):
        ax = axes[r, 0]
        if img is not None:
            ax.imshow(img[0, :, :, 0], cmap="gray_r")
            ax.set_title(f"input {label}", fontsize=9)
        else:
            ax.text(0.5, 0.5, "expected:\nmove the\nmaps and\ncycle them", ha="center", va="center", fontsize=9)
        ax.set_xticks([]), ax.set_yticks([])
        ax.set_ylabel(["f(x)", f"f({label})", label][r], fontsize=9)
        for h in range(n):
            ax = axes[r, h + 1]
            ax.imshow(fmap[:, :, h], cmap="RdBu_r", vmin=-vmax, vmax=vmax)
            ax.set_xticks([]), ax.set_yticks([])
            ax.set_title(f"orientation {group.element_name(h)}", fontsize=8)
    fig.suptitle(
        f"{group.name} equivariance: f({group.element_name(g)}·x) = {group.element_name(g)}·f(x) (rows 2 and 3 agree)",
        fontsize=11,
    )
    fig.tight_layout()
    return fig


def plot_cayley_table(group, ax=None):
    """The multiplication table ``compose(a, b)`` as a labelled heat map (a Latin square)."""
    import matplotlib.pyplot as plt

    group = group if isinstance(group, _groups.Group) else _groups.get(group)
    if ax is None:
        _, ax = plt.subplots(figsize=(0.5 * group.order + 1.5, 0.5 * group.order + 1.2))
    table = group.cayley_table()
    names = group.element_names()
    ax.imshow(table, cmap="tab10" if group.order <= 10 else "viridis")
    for a in group.elements:
        for b in group.elements:
            ax.text(b, a, names[table[a, b]], ha="center", va="center", fontsize=8, color="white")
    ax.set_xticks(range(group.order), names, fontsize=8)
    ax.set_yticks(range(group.order), names, fontsize=8)
    ax.set_xlabel("b (applied first)")
    ax.set_ylabel("a")
    ax.set_title(f"Cayley table of {group.name}: a∘b")
    return ax.figure


def plot_accuracy_vs_angle(angles, curves: dict, title: str, ax=None, errors: dict | None = None):
    """Accuracy (%) against the rotation of the test images, one line per model in ``curves``.

    ``errors`` (same keys, e.g. the standard deviation over seeds, as fractions) draws error bars."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(6.5, 3.6))
    for name, acc in curves.items():
        if errors is not None and name in errors:
            ax.errorbar(
                angles,
                100 * np.asarray(acc),
                yerr=100 * np.asarray(errors[name]),
                marker="o",
                ms=3,
                capsize=2,
                label=name,
            )
        else:
            ax.plot(angles, 100 * np.asarray(acc), marker="o", ms=3, label=name)
    ax.set_xticks(range(0, 361, 45))
    ax.set_xlabel("rotation of the test digits (degrees, counter-clockwise)")
    ax.set_ylabel("test accuracy (%)")
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend()
    ax.figure.tight_layout()
    return ax.figure


def plot_images(images, titles, suptitle: str, cmap="gray_r"):
    """A row of 2-D images with titles (axes hidden: they are pixel grids)."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(images), figsize=(1.7 * len(images), 2.1), squeeze=False)
    for ax, img, title in zip(axes[0], images, titles):
        ax.imshow(np.asarray(img), cmap=cmap)
        ax.set_title(title, fontsize=8)
        ax.set_xticks([]), ax.set_yticks([])
    fig.suptitle(suptitle, fontsize=10)
    fig.tight_layout()
    return fig
