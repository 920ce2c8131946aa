"""Reference solution — exercise 04: rotations break CNNs; augmentation (lesson 04)."""

import numpy as np

from symkeras import data, groups


def accuracy_per_angle(predict, images: np.ndarray, labels: np.ndarray, angles) -> np.ndarray:
    """Accuracy of ``predict`` (images ``(N, H, W, 1)`` → logits ``(N, classes)``) on the images rotated
    counter-clockwise by each angle in ``angles`` (degrees; use ``symkeras.data.rotate_batch``).

    Returns an array with one accuracy in [0, 1] per angle.
    """
    # BEGIN SOLUTION
    result = []
    for angle in angles:
        rotated = data.rotate_batch(images, np.full(len(images), angle))
        result.append(np.mean(np.argmax(np.asarray(predict(rotated)), axis=-1) == labels))
    return np.asarray(result)
    # END SOLUTION


def augment_random90(images: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Rotate each image ``(N, H, W, C)`` by its own random multiple of 90°, exactly (use
    ``symkeras.groups.C4.act_on_image``): image ``i`` turns ``k_i·90°`` counter-clockwise, with
    ``k = rng.integers(0, 4, size=N)`` (one draw per image, in order; calling ``rng.integers(0, 4)`` image by image
    draws the same ``k``).  Returns the batch in the same order."""
    # BEGIN SOLUTION
    ks = rng.integers(0, 4, len(images))
    return np.concatenate([groups.C4.act_on_image(images[i : i + 1], int(k)) for i, k in enumerate(ks)])
    # END SOLUTION
