"""Measure and assert equivariance ``f(g·x) = g·f(x)`` and invariance ``f(g·x) = f(x)`` for every group element.

Measuring is separate from judging (after e3nn's ``assert_equivariant``):

* :func:`equivariance_error` returns an :class:`EquivarianceReport`: the relative error for each element,
  ``max|f(g·x) − g·f(x)| / max|g·f(x)|``.
* :func:`check_equivariance` / :func:`check_invariance` compute that report and raise an ``AssertionError`` with a
  readable table when any element is over the tolerance for the dtype (``TOLERANCES``); otherwise they return it.

Groups with more than :data:`EXHAUSTIVE_LIMIT` elements (``SymmetricGroup(n)`` for ``n ≥ 8``) are checked on a
sample: the identity, generators of the group (equivariance for generators implies it for every element, up to
rounding) and random elements; the report says how many of how many.

Actions are named by how the group acts on the data (see :mod:`symkeras.groups`): ``"image"`` ``(B, H, W, C)``,
``"volume"`` ``(B, D, H, W, C)`` (cubic groups; ``"image"`` means the same for them), ``"field"``
``(B, *space, C·|G|)``, ``"set"`` ``(B, n, F)``, ``"points"`` (point clouds: positions ``(B, n, 3)`` or a pair
``(h, x)`` of per-point scalars and positions — positions rotate, translate and permute, scalars only permute),
``"vectors"`` (per-point vectors such as forces: rotate and permute, never translate), ``"trivial"`` (unchanged:
invariance), or any callable ``action(x, g)``.  Inputs and outputs may be tuples or lists of arrays (a layer that
returns ``(h', x')``); the error of an element is then the largest relative error over the parts.

Continuous groups (:class:`symkeras.groups.EuclideanGroup`, ``order = inf``) are always checked on a sample of
seeded random elements.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from symkeras import groups as _groups

__all__ = [
    "TOLERANCES",
    "EXHAUSTIVE_LIMIT",
    "EquivarianceReport",
    "equivariance_error",
    "check_equivariance",
    "check_invariance",
]

#: Relative tolerance by dtype.  Rotations, flips and permutations are exact, so only the summation order of the
#: layers' arithmetic differs between ``f(g·x)`` and ``g·f(x)``.
TOLERANCES = {"float16": 1e-2, "bfloat16": 5e-2, "float32": 1e-5, "float64": 1e-12}

#: Largest group checked element by element (7! = 5,040); larger ones are sampled.
EXHAUSTIVE_LIMIT = 5040

_WHAT_MOVES = {
    "image": "move the output image the same way",
    "volume": "move the output volume the same way",
    "field": "move each output feature map and permute its group axis",
    "set": "permute the output's set elements the same way",
    "points": "rotate, translate and permute the output points (per-point scalars only permute)",
    "vectors": "rotate and permute the output's per-point vectors",
    "trivial": "leave the output unchanged",
}


def _resolve_action(action, group):
    if callable(action):
        return action, getattr(action, "__name__", "custom action")
    if action == "trivial":
        return (lambda x, g: x), _WHAT_MOVES[action]
    method = {
        "image": "act_on_image",
        "volume": "act_on_volume",
        "field": "act_on_field",
        "set": "act_on_set",
        "points": "act_on_points",
        "vectors": "act_on_vectors",
    }.get(action)
    if method is None or not hasattr(group, method):
        valid = (
            ["image", "field", "set", "points", "vectors", "trivial", "a callable action(x, g)"]
            if method is None
            else [
                name
                for name, m in (
                    ("image", "act_on_image"),
                    ("volume", "act_on_volume"),
                    ("field", "act_on_field"),
                    ("set", "act_on_set"),
                    ("points", "act_on_points"),
                    ("vectors", "act_on_vectors"),
                )
                if hasattr(group, m)
            ]
            + ["trivial"]
        )
        raise ValueError(f"{group.name} has no action {action!r}; use one of {valid}. Received: action={action!r}")
    return getattr(group, method), _WHAT_MOVES[action]


def _to_numpy(y):
    if isinstance(y, (tuple, list)):
        return [_to_numpy(part) for part in y]
    if isinstance(y, np.ndarray):
        return y
    from keras import ops

    return np.asarray(ops.convert_to_numpy(y))


def _parts(y) -> list:
    return list(y) if isinstance(y, (tuple, list)) else [y]


def _shape_of(x) -> tuple:
    return tuple(tuple(part.shape) for part in x) if isinstance(x, (tuple, list)) else tuple(x.shape)


def _dtype_name(x) -> str:
    if isinstance(x, (tuple, list)):  # several outputs: judged by the least precise of them
        return max((_dtype_name(part) for part in x), key=lambda name: TOLERANCES.get(name, 1e-5))
    dtype = getattr(x, "dtype", None)
    name = getattr(dtype, "name", None) or str(dtype)
    return name.replace("torch.", "").split(".")[-1].strip("<>'\" ")


@dataclass
class EquivarianceReport:
    """Relative error per group element of ``f(g·x)`` against the expected ``g·f(x)`` (or ``f(x)``)."""

    group: object
    errors: dict = field(default_factory=dict)  # element -> relative error
    tolerance: float = float("nan")
    dtype: str = ""
    expectation: str = ""
    group_order: int = 0  # how many elements the group has; more than len(errors) when sampled

    @property
    def max_error(self) -> float:
        return max(self.errors.values())

    @property
    def failures(self) -> dict:
        return {g: e for g, e in self.errors.items() if not e <= self.tolerance}

    @property
    def passed(self) -> bool:
        return not self.failures

    def table(self, only_failures: bool = False) -> str:
        rows = self.failures if only_failures else self.errors
        width = max(len(self.group.element_name(g)) for g in self.errors)
        lines = [f"  {'element':<{max(width, 7)}}  {'rel. error':>10}  status"]
        for g, err in rows.items():
            status = "ok" if err <= self.tolerance else "FAIL"
            lines.append(f"  {self.group.element_name(g):<{max(width, 7)}}  {err:10.2e}  {status}")
        return "\n".join(lines)

    @property
    def sampled(self) -> bool:
        return self.group_order > len(self.errors)

    def coverage(self) -> str:
        if self.group_order == float("inf"):
            return f"{len(self.errors)} seeded random elements (identity included)"
        if self.sampled:
            return f"{len(self.errors)} sampled elements of {self.group_order:,} (generators included)"
        return f"{len(self.errors)} elements"

    def __str__(self) -> str:
        return (
            f"{self.group.name}: max relative error {self.max_error:.2e} over {self.coverage()} "
            f"(tolerance {self.tolerance:.0e} for {self.dtype})\n{self.table()}"
        )


def _elements(group, samples: int):
    if group.order <= EXHAUSTIVE_LIMIT:
        return list(group.elements)
    if not hasattr(group, "sample"):
        raise ValueError(
            f"{group.name} has {group.order:,} elements and no way to sample them; "
            f"give it a sample(count) method. Received: group={group!r}"
        )
    return group.sample(samples)


def _apply(action, name, x, g, group, which):
    """``action(x, g)``, with an error about the *action* when it cannot apply to ``x``."""
    try:
        return action(x, g)
    except ValueError as error:
        side = "the input x" if which == "in_action" else "the output fn(x)"
        raise ValueError(
            f"{which}={name!r} cannot act on {side} of shape {_shape_of(x)}: {error} Choose the {which} that "
            f"describes {side}: 'image' (batch, H, W, C), 'field' (batch, H, W, C·|G|), 'set' (batch, n, F), "
            f"'points' (batch, n, 3) or (h, x), 'vectors' (batch, n, 3), 'trivial' (an invariant output), or a "
            f"callable action(x, g). Received: {which}={name!r}"
        ) from error


def equivariance_error(fn, group, x, in_action="image", out_action="field", samples: int = 64) -> EquivarianceReport:
    """Evaluate ``fn(g·x)`` against ``g·fn(x)`` for every element ``g`` of ``group``.

    Args:
        fn: a callable (a Keras layer or model, or any function of one array).
        group: a :class:`symkeras.groups.Group` or a planar group name such as ``"C4"``.
        x: a batch of inputs (NumPy array or backend tensor).
        in_action, out_action: how the group acts on ``x`` and on ``fn(x)``: ``"image"``, ``"field"``, ``"set"``,
            ``"trivial"`` (invariance) or a callable ``action(x, g)``.
        samples: for groups with more than :data:`EXHAUSTIVE_LIMIT` elements, how many to check: the identity, the
            group's generators, and random elements (a fixed seed, so the same ones every run).

    Returns:
        An :class:`EquivarianceReport`; ``report.errors[g]`` is ``max|fn(g·x) − g·fn(x)| / max|g·fn(x)|``.

    Raises:
        ValueError: when an action cannot apply to ``x`` or ``fn(x)`` (e.g. ``out_action="field"`` for an output
            whose channels are not ``fields·|G|``), naming the action and the choices.
    """
    group = group if isinstance(group, _groups.Group) else _groups.get(group)
    act_in, _ = _resolve_action(in_action, group)
    act_out, moves = _resolve_action(out_action, group)
    y = fn(x)
    dtype = _dtype_name(y)
    errors = {}
    for g in _elements(group, samples):
        got = _parts(_to_numpy(fn(_apply(act_in, in_action, x, g, group, "in_action"))))
        want = _parts(_to_numpy(_apply(act_out, out_action, y, g, group, "out_action")))
        shapes = ([p.shape for p in got], [p.shape for p in want])
        if shapes[0] != shapes[1]:
            raise AssertionError(
                f"{group.name} element {group.element_name(g)}: f(g·x) has shape {_shape_of(got)} but "
                f"g·f(x) has shape {_shape_of(want)}; the output cannot transform as {out_action!r}."
            )
        errors[g] = 0.0
        for a, b in zip(got, want):
            a, b = a.astype(np.float64), b.astype(np.float64)
            scale = max(float(np.max(np.abs(b), initial=0.0)), np.finfo(np.float64).tiny)
            errors[g] = max(errors[g], float(np.max(np.abs(a - b), initial=0.0)) / scale)
    return EquivarianceReport(
        group=group,
        errors=errors,
        tolerance=TOLERANCES.get(dtype, 1e-5),
        dtype=dtype,
        expectation=f"transforming the input should {moves}",
        group_order=group.order,
    )


def check_equivariance(
    fn, group, x, in_action="image", out_action="field", tolerance=None, samples: int = 64
) -> EquivarianceReport:
    """Assert ``fn(g·x) = g·fn(x)`` for every element; returns the :class:`EquivarianceReport`.

    ``tolerance`` overrides the dtype's entry in ``TOLERANCES``; ``samples`` as in :func:`equivariance_error`.

    Raises:
        AssertionError: listing each element whose relative error is over the tolerance.
    """
    report = equivariance_error(fn, group, x, in_action=in_action, out_action=out_action, samples=samples)
    if tolerance is not None:
        report.tolerance = float(tolerance)
    if not report.passed:
        worst = max(report.failures, key=report.failures.get)
        raise AssertionError(
            f"Not {report.group.name}-{'invariant' if out_action == 'trivial' else 'equivariant'}: {report.expectation}, but {len(report.failures)} of "
            f"{report.coverage()} are over the {report.dtype} tolerance {report.tolerance:.0e} "
            f"(element {report.group.element_name(worst)} = {report.group.describe(worst)} is off by "
            f"{report.failures[worst]:.1e}):\n{report.table(only_failures=True)}"
        )
    return report


def check_invariance(fn, group, x, in_action="image", tolerance=None, samples: int = 64) -> EquivarianceReport:
    """Assert ``fn(g·x) = fn(x)`` for every element (equivariance with the trivial output action)."""
    return check_equivariance(
        fn, group, x, in_action=in_action, out_action="trivial", tolerance=tolerance, samples=samples
    )
