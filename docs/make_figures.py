"""Regenerate the README figures: python docs/make_figures.py"""

from pathlib import Path

import keras
import matplotlib
import numpy as np

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402

from symkeras.layers import LiftingConv2D  # noqa: E402
from symkeras.viz import letter_image, plot_commuting_diagram  # noqa: E402

HERE = Path(__file__).parent


def equivariance_figure():
    keras.utils.set_random_seed(3)
    return plot_commuting_diagram(LiftingConv2D(1, 5, group="C4"), letter_image(17), g=1)


def memory_scaling_figure():
    """Bytes of one single-channel 3×3 layer as an n×n → (n−2)×(n−2) map: a convolution stores 9 numbers whatever
    n is; a cloned dense layer stores 9 maps of m²×n² (O((HW)²)); unfrozen, Adam keeps two more copies and the
    gradient a third."""
    n = np.arange(8, 97)
    m = n - 2
    gib = 2.0**30
    fig, ax = plt.subplots(figsize=(6.5, 4))
    ax.plot(n, np.full(n.shape, 9 * 4 / gib), label="3×3 convolution: 9 weights, O(k²)")
    ax.plot(n, 9 * m**2 * n**2 * 4 / gib, label="cloned dense layer, frozen: 9·m²·n² floats, O((HW)²)")
    ax.plot(n, 4 * 9 * m**2 * n**2 * 4 / gib, label="… unfrozen with Adam (weights, gradient, 2 moments)")
    for size, label in ((28, "MNIST 28×28"), (48, "translation task 48×48")):
        ax.axvline(size, color="gray", ls=":", lw=1)
        ax.text(size, 1e-7, f" {label}", rotation=90, fontsize=7, va="bottom")
    ax.axhline(8, color="red", ls="--", lw=1)
    ax.text(9, 9, "8 GB budget", color="red", fontsize=8)
    ax.set_yscale("log")
    ax.set_xlabel("image side n (pixels)")
    ax.set_ylabel("memory (GiB, log scale)")
    ax.set_title("Why cloned MLPs are big: memory of one 3×3 layer vs image size")
    ax.legend(fontsize=7, loc="center right")
    fig.tight_layout()
    return fig


if __name__ == "__main__":
    for name, make in (("equivariance", equivariance_figure), ("memory_scaling", memory_scaling_figure)):
        fig = make()
        out = HERE / f"{name}.png"
        fig.savefig(out, dpi=110)
        print(f"wrote {out}")
