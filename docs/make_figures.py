"""Regenerate the README figure: python docs/make_figures.py"""

from pathlib import Path

import keras
import matplotlib

matplotlib.use("Agg")

from symkeras.layers import LiftingConv2D  # noqa: E402
from symkeras.viz import letter_image, plot_commuting_diagram  # noqa: E402

keras.utils.set_random_seed(3)
layer = LiftingConv2D(1, 5, group="C4")
fig = plot_commuting_diagram(layer, letter_image(17), g=1)
out = Path(__file__).parent / "equivariance.png"
fig.savefig(out, dpi=110)
print(f"wrote {out}")
