"""A fully connected layer generated from 3×3 kernels through a (cloned) structure: a convolution as an MLP layer."""

from __future__ import annotations

import keras
import numpy as np
from keras import ops

from symkeras import groups
from symkeras.regularizers import KLToInit

__all__ = ["ClonedConv2D"]


@keras.saving.register_keras_serializable(package="symkeras")
class ClonedConv2D(keras.layers.Layer):
    """A fully connected layer whose weight matrix is *generated* from 3×3 kernels through a (cloned) structure.

    With structure ``E`` of shape ``(|G|, 9, m², n²)`` (``G`` the point group of the structure: ``groups.trivial``
    or a rotation group such as ``groups.C4``) and stored filters ``ψ`` (as in
    :class:`~symkeras.layers.LiftingConv2D` / :class:`~symkeras.layers.GroupConv2D`), output orientation ``t`` is

        ``y_t[p, o] = Σ_c Σ_q E[t, c, p, q] · Σ_{i, s} x[q, i, s] · ψ[c, i, t⁻¹s, o]``  (``s`` only for group inputs)

    i.e. one dense matrix of size ``(m²·filters·|G|) × (n²·channels)``: an MLP layer.  With the exact structure
    (:func:`symkeras.cloning.exact_structure`) it computes exactly a valid convolution (trivial group), a lifting
    convolution (image input) or a group convolution (``group_input=True``, a field input; slot permutation exact,
    tap rotation from ``E``).  ``structure_trainable``
    lets fine-tuning move ``E`` away from the symmetry; ``structure_beta > 0`` adds ``β·KL(softmax(E) ‖ softmax(E₀))``
    (softmax over the 9 taps, summed over slices, in nats; see :class:`symkeras.regularizers.KLToInit`) to the loss,
    ``structure_anchored=True`` the anchored form ``softmax([E, 0])`` that also sees a shift common to all taps.

    Args:
        filters: output fields.
        structure: the maps ``E``, ``(|G|, 9, m², n²)``; omitted only when rebuilding from a config.
        group: the structure's point group (object or name); default: the rotation group with ``|G|`` elements
            (``groups.cyclic``).
        input_size, output_size: ``n`` and ``m`` when ``structure`` is omitted.
        group_input: the input is a field over ``group`` (``channels = fields·|G|``), as for a group convolution.

    Input shape: ``(batch, n, n, channels)``.  Output shape: ``(batch, m, m, filters·|G|)`` (orientation fastest).
    """

    def __init__(
        self,
        filters,
        structure=None,
        group=None,
        input_size=None,
        output_size=None,
        group_input=False,
        structure_trainable=False,
        structure_beta=0.0,
        structure_anchored=False,
        activation=None,
        use_bias=True,
        kernel_initializer="glorot_uniform",
        rotations=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        order = rotations  # `rotations`: how configs saved before the `group` argument existed said it
        if structure is not None:
            structure = np.asarray(structure, np.float32)
            order, m2, n2 = structure.shape[0], structure.shape[2], structure.shape[3]
            input_size, output_size = int(round(np.sqrt(n2))), int(round(np.sqrt(m2)))
            if structure.ndim != 4 or structure.shape[1] != 9 or input_size**2 != n2 or output_size**2 != m2:
                raise ValueError(
                    f"`structure` must have shape (|G|, 9, m², n²) for square maps. "
                    f"Received: structure.shape={structure.shape}"
                )
        if group is None and order is not None:
            group = groups.cyclic(int(order))
        if input_size is None or output_size is None or group is None:
            raise ValueError(
                f"Give `structure` (|G|, 9, m², n²), or `input_size`, `output_size` and `group` (to "
                f"rebuild from a config). Received: input_size={input_size}, output_size={output_size}, "
                f"group={group!r}"
            )
        self.group = groups.get(group)
        if order is not None and order != self.group.order:
            raise ValueError(
                f"A structure over {self.group.name} has {self.group.order} map sets. Received: "
                f"structure.shape={None if structure is None else structure.shape}, group={group!r}"
            )
        self.output_size = int(output_size)
        self.filters, self.input_size, self.rotations = int(filters), int(input_size), self.group.order
        self.group_input, self.structure_trainable = bool(group_input), bool(structure_trainable)
        self.structure_beta, self.structure_anchored = float(structure_beta), bool(structure_anchored)
        self._structure_value = structure
        self.activation = keras.activations.get(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = keras.initializers.get(kernel_initializer)

    def build(self, input_shape):
        n = self.input_size
        if tuple(input_shape[1:3]) != (n, n):
            raise ValueError(
                f"This ClonedConv2D was cloned for {n}×{n} inputs. Received: input_shape={tuple(input_shape)}"
            )
        channels = input_shape[-1]
        if self.group_input:
            self.group.fields_in(channels, "ClonedConv2D(group_input=True)", shape=input_shape)
        m2 = self.output_size**2
        init = keras.initializers.Constant(self._structure_value) if self._structure_value is not None else "zeros"
        shape = (self.rotations, 9, m2, n * n)
        self.structure_init = self.add_weight(name="structure_init", shape=shape, initializer=init, trainable=False)
        regularizer = (
            KLToInit(self.structure_beta, self.structure_init, axis=1, anchored=self.structure_anchored)
            if self.structure_beta
            else None
        )
        # Created trainable and then switched, so that freeze_structure / unfreeze can toggle it later (TensorFlow
        # never differentiates through a variable that was created non-trainable).
        self.structure = self.add_weight(name="structure", shape=shape, initializer=init, regularizer=regularizer)
        self.structure.trainable = self.structure_trainable
        self._structure_value = None  # held by the variables from now on
        self.kernel = self.add_weight(
            name="kernel", shape=(3, 3, channels, self.filters), initializer=self.kernel_initializer
        )
        self.bias = self.add_weight(name="bias", shape=(self.filters,), initializer="zeros") if self.use_bias else None

    def call(self, inputs):
        n2, m, r = self.input_size**2, self.output_size, self.rotations
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
                perm = self.group.field_permutation(t, channels // self.group.order)
                psi_t = ops.take(psi, perm, axis=1)
            if structure_first:
                z = ops.matmul(ops.reshape(self.structure[t], (9 * m * m, n2)), xt)  # (9·m², B·C)
                z = ops.transpose(ops.reshape(z, (9, m * m, -1, channels)), (1, 2, 0, 3))  # (m², B, 9, C)
                z = ops.reshape(z, (-1, 9 * channels))
                outputs.append(
                    ops.reshape(
                        ops.matmul(z, ops.reshape(psi_t, (9 * channels, self.filters))), (m * m, -1, self.filters)
                    )
                )
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
        return {
            **super().get_config(),
            "filters": self.filters,
            "input_size": self.input_size,
            "output_size": self.output_size,
            "group": self.group.name,
            "group_input": self.group_input,
            "structure_trainable": self.structure_trainable,
            "structure_beta": self.structure_beta,
            "structure_anchored": self.structure_anchored,
            "activation": keras.activations.serialize(self.activation) if self.activation else None,
            "use_bias": self.use_bias,
            "kernel_initializer": keras.initializers.serialize(self.kernel_initializer),
        }
