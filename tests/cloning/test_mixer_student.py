"""The Mixer cloning student: an exact solution exists and equals the teacher, cloning reaches it with the shared
training loop, its factors build a ClonedMixerConv2D, and steps_to_error reads a loss curve."""

import keras
import numpy as np
import pytest
from keras import ops

from symkeras import cloning
from symkeras.equivariance import equivariance_error


def exact_taps(size):
    shifts, exact = cloning.shift_structure(size, "circular"), cloning.exact_structure(size, "C4", "circular")
    return np.einsum("rcpq,dpq->rdc", exact, shifts) / size**2


def test_exact_factors_reproduce_the_teacher():
    size = 6
    student = cloning.MixerStudent(size, "C4", patch_size=3)
    token, channel = cloning.exact_mixer_factors(size, 3)
    student.mixer.token.assign(token), student.mixer.channel.assign(channel), student.taps.assign(exact_taps(size))
    (k, x), y = cloning.teacher_batch(np.random.default_rng(0), size, 8, 3, "C4", "circular")
    np.testing.assert_allclose(ops.convert_to_numpy(student([k, x])), y, atol=2e-5)
    np.testing.assert_allclose(student.effective_maps(), cloning.exact_structure(size, "C4", "circular"), atol=1e-6)


def test_untrained_student_is_far_from_the_teacher_and_starts_at_the_teacher_variance():
    student = cloning.MixerStudent(4, "C4")
    (k, x), y = cloning.teacher_batch(np.random.default_rng(1), 4, 8, 4, "C4", "circular")
    assert np.abs(ops.convert_to_numpy(student([k, x]))).max() == 0  # zero channel maps
    report = cloning.clone(student, steps=5, verbose=0)
    assert abs(report.losses[0] - 9) < 2 and report.heldout_relative_error > 0.5


def test_cloning_into_the_mixer_reaches_the_exact_structure_and_equivariance():
    keras.utils.set_random_seed(0)
    size = 4
    student = cloning.MixerStudent(size, "C4", patch_size=2)
    report = cloning.clone(student, steps=1500, verbose=0, tolerance=1e-9)
    assert report.heldout_relative_error < 1e-3 and report.structure_relative_error < 1e-3, report
    layer = cloning.ClonedMixerConv2D(2, **student.factors(), patch_size=2, group="C4")
    x = np.random.default_rng(2).normal(size=(4, size, size, 1)).astype("float32")
    assert equivariance_error(layer, "C4", x, "image", "field").max_error < 1e-2
    assert cloning.steps_to_error(report.losses, 1e-2) < report.steps


def test_steps_to_error():
    losses = [9.0, 1.0, 0.09, 0.0009, 0.5, 9e-6]
    assert cloning.steps_to_error(losses, 0.1) == 3  # 9·0.1² = 0.09, reached at step 3 (1-based)
    assert cloning.steps_to_error(losses, 0.01) == 4
    assert cloning.steps_to_error(losses, 1e-3) == 6
    assert cloning.steps_to_error(losses, 1e-4) is None
    with pytest.raises(ValueError, match="`relative_error` must be positive"):
        cloning.steps_to_error(losses, 0)


def test_refusals_and_config():
    with pytest.raises(ValueError, match="circular convolutions only.*padding='valid'"):
        cloning.MixerStudent(6, "C4", padding="valid")
    with pytest.raises(ValueError, match="multiple of `patch_size`.*size=7, patch_size=2"):
        cloning.MixerStudent(7, "C4", patch_size=2)
    with pytest.raises(ValueError, match="Cloning supports the point groups"):
        cloning.MixerStudent(6, "D4")
    student = cloning.MixerStudent(6, "C4", patch_size=3, token_maps=4)
    config = student.get_config()
    again = cloning.MixerStudent.from_config(config)
    assert (again.size, again.patch_size, again.token_count, again.group) == (6, 3, 4, student.group)
    assert sum(int(np.prod(w.shape)) for w in student.weights) == 4 * 9 * 9 + 4 * 4 * 4 + 4 * 9 * 81


def test_step_seconds_times_every_student_side_by_side():
    students = [cloning.StructuredStudent(4, "C4", padding="circular"), cloning.MixerStudent(4, "C4")]
    before = [np.array(ops.convert_to_numpy(s.taps)) for s in students]
    seconds = cloning.step_seconds(students, rounds=4, warmup=1, images_per_step=4, kernels_per_image=2)
    assert len(seconds) == 2 and all(0 < t < 10 for t in seconds)
    assert all(np.abs(ops.convert_to_numpy(s.taps) - b).max() > 0 for s, b in zip(students, before)), "it trains"
    with pytest.raises(ValueError, match="`optimizer` must be 'adam' or 'sgd'"):
        cloning.step_seconds(students[:1], optimizer="rmsprop")
