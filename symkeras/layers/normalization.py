"""Batch normalisation of feature fields with statistics shared over the group axis."""

from __future__ import annotations

import keras
from keras import ops

from symkeras import groups as _groups
from symkeras.layers.base import EquivariantMixin

__all__ = ["GroupBatchNormalization"]


@keras.saving.register_keras_serializable(package="symkeras")
class GroupBatchNormalization(EquivariantMixin, keras.layers.Layer):
    """Batch normalisation for fields: one mean/variance and one scale/offset per *field*, not per channel.

    With ``f`` viewed as ``(batch, H, W, fields, |G|)``, each field ``c`` is normalised by statistics taken over
    batch, space *and* the group axis,

        ``y[..., c, h] = γ_c · (f[..., c, h] − μ_c) / sqrt(σ²_c + ε) + β_c``,

    so all orientations of a field are treated alike and ``BN(g·f) = g·BN(f)`` holds exactly, in training and in
    inference.  (A plain ``BatchNormalization`` learns a scale per orientation channel and breaks equivariance.)
    In training, ``μ, σ²`` are the batch statistics and the moving averages move by ``1 − momentum``; otherwise
    the moving averages are used.  Statistics are computed in float32 (or float64) even under mixed precision.

    Args:
        group: the group of the input fields.
        synchronized: under a TensorFlow distribution strategy, take the batch statistics over the *global* batch
            (sums all-reduced across replicas) instead of each replica's share, so that training on N devices
            matches one device.  Costs three small all-reduces per layer and step; no effect on one device.  (JAX's
            ``DataParallel`` computes global statistics by itself.)
        momentum, epsilon, center, scale, beta_initializer, gamma_initializer, moving_mean_initializer,
        moving_variance_initializer, beta_regularizer, gamma_regularizer: as in ``keras.layers.BatchNormalization``.

    Input shape / output shape:
        ``(batch, height, width, fields·|G|)`` (planar groups) or ``(batch, depth, height, width, fields·|G|)``
        (cubic groups), group index fastest.
    """

    def __init__(
        self,
        group=_groups.C4,
        momentum=0.99,
        epsilon=1e-3,
        center=True,
        scale=True,
        beta_initializer="zeros",
        gamma_initializer="ones",
        moving_mean_initializer="zeros",
        moving_variance_initializer="ones",
        beta_regularizer=None,
        gamma_regularizer=None,
        synchronized=False,
        **kwargs,
    ):
        super().__init__(autocast=False, **kwargs)  # keep statistics and moving averages in the variable dtype
        self.group = _groups.get(group)
        if not 0.0 <= momentum <= 1.0 or epsilon <= 0:
            raise ValueError(
                f"Need 0 <= momentum <= 1 and epsilon > 0. Received: momentum={momentum}, epsilon={epsilon}"
            )
        self.momentum, self.epsilon = float(momentum), float(epsilon)
        self.synchronized = bool(synchronized)
        self.center, self.scale = bool(center), bool(scale)
        self.beta_initializer = keras.initializers.get(beta_initializer)
        self.gamma_initializer = keras.initializers.get(gamma_initializer)
        self.moving_mean_initializer = keras.initializers.get(moving_mean_initializer)
        self.moving_variance_initializer = keras.initializers.get(moving_variance_initializer)
        self.beta_regularizer = keras.regularizers.get(beta_regularizer)
        self.gamma_regularizer = keras.regularizers.get(gamma_regularizer)

    def build(self, input_shape):
        channels = input_shape[-1]
        space = "height, width" if self.group.spatial_dims == 2 else "depth, height, width"
        if len(input_shape) != self.group.spatial_dims + 2:
            raise ValueError(
                f"GroupBatchNormalization over {self.group.name} expects (batch, {space}, "
                f"fields·{self.group.order}). Received: input_shape={tuple(input_shape)}"
            )
        self.group.fields_in(channels, "GroupBatchNormalization", shape=input_shape)
        self.input_spec = keras.layers.InputSpec(ndim=len(input_shape), axes={-1: channels})
        shape = (channels // self.group.order,)
        self.gamma = (
            self.add_weight(
                name="gamma", shape=shape, initializer=self.gamma_initializer, regularizer=self.gamma_regularizer
            )
            if self.scale
            else None
        )
        self.beta = (
            self.add_weight(
                name="beta", shape=shape, initializer=self.beta_initializer, regularizer=self.beta_regularizer
            )
            if self.center
            else None
        )
        self.moving_mean = self.add_weight(
            name="moving_mean", shape=shape, trainable=False, initializer=self.moving_mean_initializer
        )
        self.moving_variance = self.add_weight(
            name="moving_variance", shape=shape, trainable=False, initializer=self.moving_variance_initializer
        )

    def call(self, inputs, training=None):
        # Per-channel sums reduced over the group axis: no 5-D view of the activations, and the output is one
        # multiply-add with per-channel factors (each field's factor repeated over its |G| channels).
        dtype, order = self.moving_mean.dtype, self.group.order
        x = ops.cast(inputs, dtype)
        if training and self.trainable:
            shape = ops.shape(x)
            axes = tuple(range(len(x.shape) - 1))  # batch and space
            count = order
            for axis in axes:
                count = count * shape[axis]
            count = self._all_replicas(ops.cast(count, dtype))

            def field_sums(values):  # (B, *space, F·|G|) -> (F,); sums, not ops.mean (it drops float64 on JAX)
                return self._all_replicas(ops.sum(ops.reshape(ops.sum(values, axis=axes), (-1, order)), axis=-1))

            mean = field_sums(x) / count
            variance = field_sums(ops.square(x - ops.repeat(mean, order))) / count
            self.moving_mean.assign(self.moving_mean * self.momentum + mean * (1.0 - self.momentum))
            self.moving_variance.assign(self.moving_variance * self.momentum + variance * (1.0 - self.momentum))
        else:
            mean, variance = self.moving_mean, self.moving_variance
        factor = ops.rsqrt(variance + self.epsilon)
        if self.scale:
            factor = factor * self.gamma
        offset = -mean * factor
        if self.center:
            offset = offset + self.beta
        outputs = x * ops.repeat(factor, order) + ops.repeat(offset, order)
        return ops.cast(outputs, self.compute_dtype)

    def _all_replicas(self, value):
        """``value`` summed over the replicas of the current TensorFlow strategy (when ``synchronized``)."""
        if not self.synchronized or keras.backend.backend() != "tensorflow":
            return value
        import tensorflow as tf

        context = tf.distribute.get_replica_context()
        if context is None or context.num_replicas_in_sync == 1:
            return value
        return context.all_reduce(tf.distribute.ReduceOp.SUM, value)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        serialize = keras.initializers.serialize
        return {
            **super().get_config(),
            "group": self.group.name,
            "momentum": self.momentum,
            "epsilon": self.epsilon,
            "synchronized": self.synchronized,
            "center": self.center,
            "scale": self.scale,
            "beta_initializer": serialize(self.beta_initializer),
            "gamma_initializer": serialize(self.gamma_initializer),
            "moving_mean_initializer": serialize(self.moving_mean_initializer),
            "moving_variance_initializer": serialize(self.moving_variance_initializer),
            "beta_regularizer": keras.regularizers.serialize(self.beta_regularizer),
            "gamma_regularizer": keras.regularizers.serialize(self.gamma_regularizer),
        }
