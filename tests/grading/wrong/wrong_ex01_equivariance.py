"""Plausible wrong answers to exercise 01 (see grade_variants.py)."""

import numpy as np

GRADED_BY = {
    "rot90_field": ["test_rot90_field_is_the_c4_action"],
    "satisfies_group_axioms": ["test_group_axioms_accept_groups_and_reject_non_groups"],
    "is_equivariant": ["test_is_equivariant_tells_equivariant_from_not"],
}


def rot90_field__no_orientation_cycle(x, k):
    """Rotates every map but forgets to cycle the orientation axis."""
    return np.rot90(x, k, axes=(1, 2))


def rot90_field__cycles_backwards(x, k):
    """Cycles the orientation axis by −k instead of +k."""
    rotated = np.rot90(x, k, axes=(1, 2))
    fields = rotated.reshape(*rotated.shape[:3], x.shape[-1] // 4, 4)
    return np.roll(fields, -k, axis=-1).reshape(rotated.shape)


def rot90_field__clockwise(x, k):
    """Turns the maps clockwise (np.rot90 with −k) while cycling the orientation axis by +k."""
    rotated = np.rot90(x, -k, axes=(1, 2))
    fields = rotated.reshape(*rotated.shape[:3], x.shape[-1] // 4, 4)
    return np.roll(fields, k, axis=-1).reshape(rotated.shape)


def rot90_field__orientation_slowest(x, k):
    """Takes the channels as 4 blocks of C (orientation slowest) instead of channel c·4 + h."""
    rotated = np.rot90(x, k, axes=(1, 2))
    fields = rotated.reshape(*rotated.shape[:3], 4, x.shape[-1] // 4)
    return np.roll(fields, k, axis=-2).reshape(rotated.shape)


def satisfies_group_axioms__no_associativity(table):
    """Checks closure, identity and inverses (a Latin square with identity 0) but not associativity."""
    table = np.asarray(table)
    n = len(table)
    if table.shape != (n, n) or table.min() < 0 or table.max() >= n:
        return False
    elements = np.arange(n)
    if not (np.array_equal(table[0], elements) and np.array_equal(table[:, 0], elements)):
        return False
    return all((table[a] == 0).any() and (table[:, a] == 0).any() for a in elements)


def satisfies_group_axioms__one_sided(table):
    """Checks only that 0 is a LEFT identity (0∘b = b) and that every a has a RIGHT inverse (a∘b = 0)."""
    table = np.asarray(table)
    n = len(table)
    if table.shape != (n, n) or table.min() < 0 or table.max() >= n:
        return False
    elements = np.arange(n)
    if not np.array_equal(table[0], elements):
        return False
    if not all((table[a] == 0).any() for a in elements):
        return False
    left = table[table]
    right = table[elements[:, None, None], table[None, :, :]]
    return bool(np.array_equal(left, right))


def satisfies_group_axioms__latin_square_and_associative(table):
    """Checks that every row and column is a permutation and that ∘ is associative — a group, but forgets to check
    that its identity is 0."""
    table = np.asarray(table)
    n = len(table)
    elements = np.arange(n)
    if table.shape != (n, n) or table.min() < 0 or table.max() >= n:
        return False
    if not all(np.array_equal(np.sort(row), elements) for row in (*table, *table.T)):
        return False
    left = table[table]
    right = table[elements[:, None, None], table[None, :, :]]
    return bool(np.array_equal(left, right))


def satisfies_group_axioms__any_identity(table):
    """Accepts any identity element e, not the identity 0 the docstring asks for (inverses then mean a∘b = e)."""
    table = np.asarray(table)
    n = len(table)
    if table.shape != (n, n) or table.min() < 0 or table.max() >= n:
        return False
    elements = np.arange(n)
    ids = [e for e in elements if np.array_equal(table[e], elements) and np.array_equal(table[:, e], elements)]
    if not ids:
        return False
    e = ids[0]
    if not all((table[a] == e).any() and (table[:, a] == e).any() for a in elements):
        return False
    left = table[table]
    right = table[elements[:, None, None], table[None, :, :]]
    return bool(np.array_equal(left, right))


def is_equivariant__absolute_tolerance(f, group, x, in_action="image", out_action="field", tol=1e-5):
    """Compares max|f(g·x) − g·f(x)| with tol directly: an absolute, not a relative, error."""
    from keras import ops

    def act(kind, value, g):
        return value if kind == "trivial" else getattr(group, f"act_on_{kind}")(value, g)

    fx = np.asarray(ops.convert_to_numpy(f(x)), np.float64)
    for g in group.elements:
        got = np.asarray(ops.convert_to_numpy(f(act(in_action, x, g))), np.float64)
        want = act(out_action, fx, g)
        if got.shape != want.shape or np.max(np.abs(got - want)) > tol:
            return False
    return True


def is_equivariant__rotations_only(f, group, x, in_action="image", out_action="field", tol=1e-5):
    """Tries the rotations r^k only (k < group.rotations): a D4 check that never flips."""
    from keras import ops

    def act(kind, value, g):
        return value if kind == "trivial" else getattr(group, f"act_on_{kind}")(value, g)

    fx = np.asarray(ops.convert_to_numpy(f(x)), np.float64)
    for g in range(group.rotations):
        got = np.asarray(ops.convert_to_numpy(f(act(in_action, x, g))), np.float64)
        want = act(out_action, fx, g)
        if got.shape != want.shape or np.max(np.abs(got - want)) > tol * max(np.max(np.abs(want)), 1e-30):
            return False
    return True


def is_equivariant__inverse_on_the_output(f, group, x, in_action="image", out_action="field", tol=1e-5):
    """Compares f(g·x) with g⁻¹·f(x)."""
    from keras import ops

    def act(kind, value, g):
        return value if kind == "trivial" else getattr(group, f"act_on_{kind}")(value, g)

    fx = np.asarray(ops.convert_to_numpy(f(x)), np.float64)
    for g in group.elements:
        got = np.asarray(ops.convert_to_numpy(f(act(in_action, x, g))), np.float64)
        want = act(out_action, fx, group.inverse(g))
        if got.shape != want.shape or np.max(np.abs(got - want)) > tol * max(np.max(np.abs(want)), 1e-30):
            return False
    return True


def is_equivariant__scaled_by_the_input(f, group, x, in_action="image", out_action="field", tol=1e-5):
    """Relative to the size of the INPUT, max|x|, instead of the expected output max|g·f(x)|."""
    from keras import ops

    def act(kind, value, g):
        return value if kind == "trivial" else getattr(group, f"act_on_{kind}")(value, g)

    fx = np.asarray(ops.convert_to_numpy(f(x)), np.float64)
    scale = max(float(np.max(np.abs(np.asarray(x, np.float64)))), 1e-30)
    for g in group.elements:
        got = np.asarray(ops.convert_to_numpy(f(act(in_action, x, g))), np.float64)
        want = act(out_action, fx, g)
        if got.shape != want.shape or np.max(np.abs(got - want)) > tol * scale:
            return False
    return True
