"""MLP-Mixer layers on image patches: a linear Mixer block, and a convolution cloned into one.

An MLP-Mixer (Tolstikhin et al. 2021) cuts an image into ``p × p`` patches (the *tokens*) and alternates two kinds of
dense maps: **token mixing** across patches (one map, shared by every feature) and **channel mixing** across the
features of a patch (one map, shared by every patch).  :func:`mix_patches` is the linear form used here, with
``Q`` token maps ``T_q`` and as many channel maps ``C_q``:

    ``Y = Σ_q T_q · X · C_q``,   ``X`` ∈ R^{t×f_in} the patches of the input (``t = (H/p)(W/p)`` tokens,
    ``f_in = p²·channels`` features, pixel (row, column, channel) inside a patch, channel fastest).

``Q`` plays the part of the token-mixing MLP's width.  With ``Q = 9`` this form holds every circular 3×3
convolution exactly: a shift by one pixel moves a pixel either inside its patch (a channel map) or into one of the
8 neighbouring patches (a token map; :func:`symkeras.cloning.exact_mixer_factors` writes them down).  A dense map
of an ``n × n`` image has ``n⁴`` entries; the Mixer form has ``Q·t² + Q·f_in·f_out``.

* :class:`PatchMixer` — the linear Mixer block as a layer;
* :class:`ClonedMixerConv2D` — a (lifting) convolution whose 9 tap maps are a Mixer block: the Mixer counterpart of
  :class:`~symkeras.layers.ClonedConv2D`, built from a cloned :class:`~symkeras.cloning.MixerStudent`.
"""

from __future__ import annotations

import keras
import numpy as np
from keras import ops

from symkeras import groups
from symkeras.groups import array_namespace
from symkeras.regularizers import kl_divergence

__all__ = ["mix_patches", "mixer_maps", "PatchMixer", "ClonedMixerConv2D"]


def _check_patch(size, patch_size, what):
    if size is None or size % patch_size:
        raise ValueError(
            f"{what}: the image side must be a fixed multiple of `patch_size` (the token maps act on a fixed "
            f"number of patches). Use a patch_size that divides the side, or crop/pad the input. Received: "
            f"side={size}, patch_size={patch_size}"
        )


def mix_patches(x, token_maps, channel_maps, patch_size):
    """The linear Mixer block ``Y = Σ_q T_q · X · C_q`` on ``(batch, H, W, C)`` images, NumPy or ``keras.ops``.

    Args:
        x: ``(batch, H, W, C)``; ``H`` and ``W`` multiples of ``patch_size``.
        token_maps: ``(Q, t, t)`` with ``t = (H/p)(W/p)`` (token order: patch row, then patch column).
        channel_maps: ``(Q, p²·C, p²·outputs)`` (feature order inside a patch: row, column, channel fastest).
        patch_size: ``p``.

    Returns ``(batch, H, W, outputs)``.
    """
    xp = array_namespace(x)
    p = int(patch_size)
    _, h, w, c = x.shape
    outputs = channel_maps.shape[-1] // (p * p)
    patches = xp.reshape(x, (-1, h // p, p, w // p, p, c))
    patches = xp.reshape(xp.transpose(patches, (0, 1, 3, 2, 4, 5)), (-1, (h // p) * (w // p), p * p * c))
    mixed = xp.einsum("qst,btf->bqsf", token_maps, patches)  # token mixing: across patches, per feature
    y = xp.einsum("bqsf,qfg->bsg", mixed, channel_maps)  # channel mixing: across features, per patch
    y = xp.reshape(y, (-1, h // p, w // p, p, p, outputs))
    return xp.reshape(xp.transpose(y, (0, 1, 3, 2, 4, 5)), (-1, h, w, outputs))


def mixer_maps(token_maps, channel_maps, patch_size, size):
    """The dense maps a single-channel Mixer block applies: ``(outputs, n², n²)``, row = output pixel, column = input
    pixel (``n = size``), computed by mixing the ``n²`` basis images.  NumPy or ``keras.ops``, like the factors."""
    xp = array_namespace(token_maps)
    n2 = size * size
    basis = xp.reshape(xp.eye(n2, dtype=channel_maps.dtype), (n2, size, size, 1))
    y = mix_patches(basis, token_maps, channel_maps, patch_size)  # (n² inputs, n, n, outputs)
    return xp.transpose(xp.reshape(y, (n2, n2, -1)), (2, 1, 0))


@keras.saving.register_keras_serializable(package="symkeras")
class PatchMixer(keras.layers.Layer):
    """A linear MLP-Mixer block on image patches: token mixing across patches, then channel mixing across features.

    ``Y = Σ_q T_q · X · C_q`` (:func:`mix_patches`): ``X`` ∈ R^{t×p²C} holds the ``t = (H/p)(W/p)`` patches of the
    input as rows; each token map ``T_q`` ∈ R^{t×t} is shared by all features, each channel map
    ``C_q`` ∈ R^{p²C × p²·outputs}`` by all patches.  Linear and bias-free, so that it can hold a cloned linear map.

    Args:
        outputs: output channels.
        patch_size: side ``p`` of the square patches (must divide the input's height and width).
        token_maps: ``Q``, the number of token/channel map pairs (the token-mixing width); 9 holds any circular 3×3
            convolution exactly.
        token_initializer: initialiser of the token maps (default: normal with std ``1/√t``).
        channel_initializer: initialiser of the channel maps (default ``"glorot_uniform"``).

    Input shape: ``(batch, H, W, C)``, ``H`` and ``W`` fixed multiples of ``patch_size``.
    Output shape: ``(batch, H, W, outputs)``.

    Example:
        >>> PatchMixer(9, patch_size=2)(np.zeros((1, 8, 8, 1), "float32")).shape
        (1, 8, 8, 9)
    """

    def __init__(
        self,
        outputs,
        patch_size=2,
        token_maps=9,
        token_initializer=None,
        channel_initializer="glorot_uniform",
        **kwargs,
    ):
        super().__init__(**kwargs)
        for name, value in (("outputs", outputs), ("patch_size", patch_size), ("token_maps", token_maps)):
            if int(value) != value or value < 1:
                raise ValueError(f"`{name}` must be a positive integer. Received: {name}={value!r}")
        self.outputs, self.patch_size, self.token_maps = int(outputs), int(patch_size), int(token_maps)
        self.token_initializer = keras.initializers.get(token_initializer) if token_initializer else None
        self.channel_initializer = keras.initializers.get(channel_initializer)

    def build(self, input_shape):
        _, h, w, c = input_shape
        for side in (h, w):
            _check_patch(side, self.patch_size, "PatchMixer")
        p = self.patch_size
        t = (h // p) * (w // p)
        token_init = self.token_initializer or keras.initializers.RandomNormal(0.0, 1.0 / np.sqrt(t))
        self.token = self.add_weight(name="token_maps", shape=(self.token_maps, t, t), initializer=token_init)
        self.channel = self.add_weight(
            name="channel_maps",
            shape=(self.token_maps, p * p * c, p * p * self.outputs),
            initializer=self.channel_initializer,
        )

    def call(self, inputs):
        return mix_patches(inputs, self.token, self.channel, self.patch_size)

    def compute_output_shape(self, input_shape):
        return (*input_shape[:3], self.outputs)

    def get_config(self):
        return {
            **super().get_config(),
            "outputs": self.outputs,
            "patch_size": self.patch_size,
            "token_maps": self.token_maps,
            "token_initializer": (
                keras.initializers.serialize(self.token_initializer) if self.token_initializer else None
            ),
            "channel_initializer": keras.initializers.serialize(self.channel_initializer),
        }


@keras.saving.register_keras_serializable(package="symkeras")
class ClonedMixerConv2D(keras.layers.Layer):
    """A lifting convolution whose tap maps are a Mixer block: the Mixer counterpart of
    :class:`~symkeras.layers.ClonedConv2D`.

    The Mixer block (:func:`mix_patches`, ``Q`` token maps ``T_q``, channel maps ``C_q``) turns each input channel
    ``x_i`` into 9 maps ``M_b x_i``; tap map ``A_t`` (9×9, one per element ``t`` of the point group) turns each
    stored 3×3 filter ``ψ_{·,i,o}`` into 9 coefficients:

        ``y_t[p, o] = Σ_i Σ_b (A_t ψ_{·,i,o})_b · (M_b x_i)[p]``

    With the exact factors (:func:`symkeras.cloning.exact_mixer_factors` and the tap permutations) this is a circular
    C4 lifting convolution; with a cloned :class:`~symkeras.cloning.MixerStudent`'s factors it is one up to the
    clone's error.  Its effective structure ``E_{t,c} = Σ_b (A_t)_{bc} M_b`` (:meth:`effective_structure`) has the
    shape and meaning of a :class:`~symkeras.layers.ClonedConv2D` structure.

    Args:
        filters: output fields.
        taps: ``(|G|, 9, 9)`` tap maps; token_maps: ``(Q, t, t)``; channel_maps: ``(Q, p², 9p²)`` (the student's).
            Omitted only when rebuilding from a config (then ``input_size`` and ``token_count`` are needed).
        patch_size: the Mixer's patch side ``p``.
        group: the point group of the tap maps (default: the rotation group with ``|G|`` elements).
        structure_trainable: whether the Mixer factors and the tap maps train (False: "frozen" fine-tuning).
        structure_beta: ``β > 0`` adds ``β·KL(softmax(E) ‖ softmax(E₀))`` (softmax over the 9 taps, summed over
            slices, nats; :class:`~symkeras.regularizers.KLToInit`) of the effective structure to the loss;
            ``structure_anchored`` its anchored form.

    Input shape: ``(batch, n, n, channels)``.  Output shape: ``(batch, n, n, filters·|G|)`` (orientation fastest).
    """

    def __init__(
        self,
        filters,
        taps=None,
        token_maps=None,
        channel_maps=None,
        patch_size=2,
        group=None,
        input_size=None,
        token_count=None,
        structure_trainable=False,
        structure_beta=0.0,
        structure_anchored=False,
        activation=None,
        use_bias=True,
        kernel_initializer="glorot_uniform",
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.patch_size = int(patch_size)
        factors = (taps, token_maps, channel_maps)
        if all(f is not None for f in factors):
            taps, token_maps, channel_maps = (np.asarray(f, np.float32) for f in factors)
            q, t = token_maps.shape[0], token_maps.shape[1]
            side = int(round(np.sqrt(t))) * self.patch_size
            p2 = self.patch_size**2
            expected = {"taps": (taps.shape[0], 9, 9), "token_maps": (q, t, t), "channel_maps": (q, p2, 9 * p2)}
            for name, array in zip(expected, (taps, token_maps, channel_maps)):
                if array.shape != expected[name]:
                    raise ValueError(
                        f"`{name}` must have shape {expected[name]} for patch_size={self.patch_size} and "
                        f"{t} tokens (a MixerStudent's factors). Received: {name}.shape={array.shape}"
                    )
            if input_size is not None and int(input_size) != side:
                raise ValueError(f"The factors are for {side}×{side} inputs. Received: input_size={input_size}")
            input_size, token_count, order = side, q, taps.shape[0]
        elif any(f is not None for f in factors):
            raise ValueError("Give all three of `taps`, `token_maps` and `channel_maps`, or none (from a config).")
        else:
            order = groups.get(group).order if group is not None else None
        if input_size is None or token_count is None or order is None:
            raise ValueError(
                f"Give the factors `taps`, `token_maps`, `channel_maps`, or `input_size`, `token_count` and `group` "
                f"(to rebuild from a config). Received: input_size={input_size}, token_count={token_count}, "
                f"group={group!r}"
            )
        self.group = groups.get(group) if group is not None else groups.cyclic(int(order))
        if self.group.order != order:
            raise ValueError(
                f"{self.group.name} has {self.group.order} elements, so `taps` needs {self.group.order} tap maps. "
                f"Received: taps.shape={None if taps is None else taps.shape}, group={group!r}"
            )
        self.input_size, self.token_count = int(input_size), int(token_count)
        _check_patch(self.input_size, self.patch_size, "ClonedMixerConv2D")
        self.filters, self.rotations = int(filters), self.group.order
        self.structure_trainable = bool(structure_trainable)
        self.structure_beta, self.structure_anchored = float(structure_beta), bool(structure_anchored)
        self.activation = keras.activations.get(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self._factors = None if taps is None else (taps, token_maps, channel_maps)

    def build(self, input_shape):
        n, p = self.input_size, self.patch_size
        if tuple(input_shape[1:3]) != (n, n):
            raise ValueError(
                f"This ClonedMixerConv2D was cloned for {n}×{n} inputs. Received: input_shape={tuple(input_shape)}"
            )
        t = (n // p) ** 2
        shapes = {"taps": (self.rotations, 9, 9), "token_maps": (self.token_count, t, t),
                  "channel_maps": (self.token_count, p * p, 9 * p * p)}  # fmt: skip
        values = self._factors or (None, None, None)
        self.taps, self.token, self.channel = (
            self.add_weight(
                name=name,
                shape=shape,
                initializer=keras.initializers.Constant(value) if value is not None else "zeros",
            )
            for (name, shape), value in zip(shapes.items(), values)
        )
        init = self._effective(*values, xp=np) if values[0] is not None else np.zeros((self.rotations, 9, n**2, n**2))
        self.structure_init = self.add_weight(
            name="structure_init",
            shape=(self.rotations, 9, n * n, n * n),
            initializer=keras.initializers.Constant(init.astype(np.float32)),
            trainable=False,
        )
        # Created trainable and then switched (TensorFlow never differentiates a variable created non-trainable).
        for weight in (self.taps, self.token, self.channel):
            weight.trainable = self.structure_trainable
        self._factors = None
        self.kernel = self.add_weight(
            name="kernel", shape=(3, 3, input_shape[-1], self.filters), initializer=self.kernel_initializer
        )
        self.bias = self.add_weight(name="bias", shape=(self.filters,), initializer="zeros") if self.use_bias else None

    def _effective(self, taps, token, channel, xp):
        maps = mixer_maps(token, channel, self.patch_size, self.input_size)  # (9, n², n²)
        return xp.einsum("tbc,bpq->tcpq", taps, maps)

    def effective_structure(self):
        """``E_{t,c} = Σ_b (A_t)_{bc} M_b``, ``(|G|, 9, n², n²)`` as a NumPy array: what tap ``c`` of orientation
        ``t`` multiplies the image with (compare :func:`symkeras.cloning.exact_structure` with 'circular')."""
        values = [ops.convert_to_numpy(w) for w in (self.taps, self.token, self.channel)]
        return self._effective(*values, xp=np)

    def call(self, inputs):
        n, channels = self.input_size, inputs.shape[-1]
        x = ops.reshape(ops.transpose(inputs, (0, 3, 1, 2)), (-1, n, n, 1))  # every channel on its own
        z = ops.reshape(mix_patches(x, self.token, self.channel, self.patch_size), (-1, channels, n * n, 9))
        psi = ops.reshape(self.kernel, (9, channels, self.filters))
        coefficients = ops.einsum("tbc,cio->bito", self.taps, psi)  # (9, channels, |G|, filters)
        y = ops.einsum("nipb,bito->npot", z, coefficients)  # (batch, n², filters, |G|): orientation fastest
        y = ops.reshape(y, (-1, n, n, self.filters * self.rotations))
        if self.use_bias:
            y = y + ops.repeat(self.bias, self.rotations)
        if self.structure_beta:
            e = self._effective(self.taps, self.token, self.channel, xp=ops)
            self.add_loss(
                self.structure_beta * kl_divergence(e, self.structure_init, axis=1, anchored=self.structure_anchored)
            )
        return self.activation(y) if self.activation is not None else y

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.input_size, self.input_size, self.filters * self.rotations)

    def get_config(self):
        return {
            **super().get_config(),
            "filters": self.filters,
            "patch_size": self.patch_size,
            "group": self.group.name,
            "input_size": self.input_size,
            "token_count": self.token_count,
            "structure_trainable": self.structure_trainable,
            "structure_beta": self.structure_beta,
            "structure_anchored": self.structure_anchored,
            "activation": keras.activations.serialize(self.activation) if self.activation else None,
            "use_bias": self.use_bias,
            "kernel_initializer": keras.initializers.serialize(self.kernel_initializer),
        }
