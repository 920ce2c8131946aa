"""Group-equivariant Keras layers (channels-last; fields are ``(batch, H, W, fields·|G|)`` over planar groups and
``(batch, D, H, W, fields·|G|)`` over cubic groups, group index fastest; point clouds are ``(batch, n, 3)`` positions with ``(batch, n, f)`` per-point
features)."""

from symkeras.layers.base import PADDINGS, equivariant_padding
from symkeras.layers.cloned import ClonedConv2D
from symkeras.layers.convolution import (
    GroupConv2D,
    GroupConv2DTranspose,
    GroupConv3D,
    LiftingConv2D,
    LiftingConv3D,
    expand_filter_bank,
    filter_bank_indices,
)
from symkeras.layers.graph import EGNNLayer, relative_vectors, squared_distances
from symkeras.layers.mixer import ClonedMixerConv2D, PatchMixer, mix_patches, mixer_maps
from symkeras.layers.normalization import GroupBatchNormalization
from symkeras.layers.pooling import (
    GroupAvgPool2D,
    GroupAvgPool3D,
    GroupMaxPool2D,
    GroupMaxPool3D,
    GroupPooling,
    SubgroupPooling,
)
from symkeras.layers.sets import PermutationEquivariantDense, SetPooling

__all__ = [
    "LiftingConv2D",
    "GroupConv2D",
    "GroupConv2DTranspose",
    "LiftingConv3D",
    "GroupConv3D",
    "GroupPooling",
    "SubgroupPooling",
    "GroupMaxPool2D",
    "GroupAvgPool2D",
    "GroupMaxPool3D",
    "GroupAvgPool3D",
    "GroupBatchNormalization",
    "PermutationEquivariantDense",
    "SetPooling",
    "ClonedConv2D",
    "PatchMixer",
    "ClonedMixerConv2D",
    "mix_patches",
    "mixer_maps",
    "EGNNLayer",
    "squared_distances",
    "relative_vectors",
    "expand_filter_bank",
    "filter_bank_indices",
    "equivariant_padding",
    "PADDINGS",
]
