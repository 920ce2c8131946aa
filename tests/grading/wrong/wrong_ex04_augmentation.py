"""Plausible wrong answers to exercise 04 (see grade_variants.py)."""

import numpy as np

from symkeras import data, groups

GRADED_BY = {
    "accuracy_per_angle": ["test_accuracy_per_angle_matches_a_direct_computation"],
    "augment_random90": ["test_augment_random90_rotates_each_image_exactly"],
}


def accuracy_per_angle__clockwise(predict, images, labels, angles):
    """Rotates by −angle (clockwise)."""
    result = []
    for angle in angles:
        rotated = data.rotate_batch(images, np.full(len(images), -angle))
        result.append(np.mean(np.argmax(np.asarray(predict(rotated)), axis=-1) == labels))
    return np.asarray(result)


def accuracy_per_angle__quarter_turns_only(predict, images, labels, angles):
    """Rotates with C4.act_on_image(angle // 90): 45° becomes 0°."""
    result = []
    for angle in angles:
        rotated = groups.C4.act_on_image(images, int(angle) // 90 % 4)
        result.append(np.mean(np.argmax(np.asarray(predict(rotated)), axis=-1) == labels))
    return np.asarray(result)


def accuracy_per_angle__count_not_fraction(predict, images, labels, angles):
    """Counts the correct answers instead of the fraction in [0, 1]."""
    result = []
    for angle in angles:
        rotated = data.rotate_batch(images, np.full(len(images), angle))
        result.append(np.sum(np.argmax(np.asarray(predict(rotated)), axis=-1) == labels))
    return np.asarray(result)


def accuracy_per_angle__argmax_over_the_batch(predict, images, labels, angles):
    """Takes the argmax over axis 0 (the batch) instead of the classes."""
    result = []
    for angle in angles:
        rotated = data.rotate_batch(images, np.full(len(images), angle))
        result.append(np.mean(np.argmax(np.asarray(predict(rotated)), axis=0)[labels] == labels))
    return np.asarray(result)


def augment_random90__one_rotation_for_the_batch(images, rng):
    """Draws one k and rotates the whole batch by it."""
    return np.asarray(groups.C4.act_on_image(images, int(rng.integers(0, 4))))


def augment_random90__never_270(images, rng):
    """Off by one: rng.integers(0, 3) never draws 270°."""
    ks = rng.integers(0, 3, len(images))
    return np.concatenate([groups.C4.act_on_image(images[i:i + 1], int(k)) for i, k in enumerate(ks)])


def augment_random90__clockwise(images, rng):
    """Rotates image i by −k_i·90° (clockwise) instead of k_i·90° counter-clockwise."""
    ks = rng.integers(0, 4, len(images))
    return np.concatenate([groups.C4.act_on_image(images[i:i + 1], int(-k) % 4) for i, k in enumerate(ks)])


def augment_random90__grouped_by_rotation(images, rng):
    """Rotates the images with the same k together and concatenates the groups: the order is lost."""
    ks = rng.integers(0, 4, len(images))
    return np.concatenate([groups.C4.act_on_image(images[ks == k], k) for k in range(4)])
