"""Batch normalisation of feature fields with statistics shared over the group axis."""

from __future__ import annotations

import keras

from symkeras import groups as _groups
from symkeras.layers._base import EquivariantMixin

__all__ = ["GroupBatchNormalization"]


@keras.saving.register_keras_serializable(package="symkeras")
class GroupBatchNormalization(EquivariantMixin, keras.layers.Layer):
    """Batch normalisation for fields: one mean/variance and one scale/offset per *field*, not per channel.

    Statistics are taken over batch, space *and* the group axis, so every orientation of a field is normalised
    alike and ``BN(g·f) = g·BN(f)`` holds exactly.  (A plain ``BatchNormalization`` would give each orientation its
    own statistics and break equivariance.)  Internally a ``keras.layers.BatchNormalization(axis=3)`` runs on the
    5-D view ``(batch, H, W, fields, |G|)``.

    Args:
        group: the group of the input fields.
        momentum, epsilon, center, scale, beta_initializer, gamma_initializer, moving_mean_initializer,
        moving_variance_initializer, beta_regularizer, gamma_regularizer: as in ``keras.layers.BatchNormalization``.

    Input shape / output shape:
        ``(batch, height, width, fields·|G|)``, group index fastest.
    """

    def __init__(self, group="C4", momentum=0.99, epsilon=1e-3, center=True, scale=True, beta_initializer="zeros",
                 gamma_initializer="ones", moving_mean_initializer="zeros", moving_variance_initializer="ones",
                 beta_regularizer=None, gamma_regularizer=None, **kwargs):
        super().__init__(**kwargs)
        self.group = _groups.get(group)
        self.batch_norm = keras.layers.BatchNormalization(
            axis=3, momentum=momentum, epsilon=epsilon, center=center, scale=scale, beta_initializer=beta_initializer,
            gamma_initializer=gamma_initializer, moving_mean_initializer=moving_mean_initializer,
            moving_variance_initializer=moving_variance_initializer, beta_regularizer=beta_regularizer,
            gamma_regularizer=gamma_regularizer, dtype=self.dtype_policy, name="batch_norm")

    def build(self, input_shape):
        channels = input_shape[-1]
        if len(input_shape) != 4 or channels is None or channels % self.group.order:
            raise ValueError(f"GroupBatchNormalization over {self.group.name} expects (batch, height, width, "
                             f"fields·{self.group.order}). Received: input_shape={tuple(input_shape)}")
        self.input_spec = keras.layers.InputSpec(ndim=4, axes={-1: channels})
        self.batch_norm.build((*input_shape[:3], channels // self.group.order, self.group.order))

    def call(self, inputs, training=None):
        fields = _groups.split_group_axis(inputs, self.group)
        return _groups.merge_group_axis(self.batch_norm(fields, training=training), self.group)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        bn = self.batch_norm.get_config()
        keys = ("momentum", "epsilon", "center", "scale", "beta_initializer", "gamma_initializer",
                "moving_mean_initializer", "moving_variance_initializer", "beta_regularizer", "gamma_regularizer")
        return {**super().get_config(), "group": self.group.name, **{k: bn[k] for k in keys}}
