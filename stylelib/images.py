"""Images in and out: file -> RGB float array, resize, preprocess for given weights, deprocess, save.

Convention: an *image* is an ``(H, W, 3)`` float32 array of RGB values in 0–255.
A *preprocessed* batch is ``(1, H, W, 3)`` float32 in the channel order of the weights, mean subtracted.
"""

from __future__ import annotations

import numpy as np

from .vgg19 import VGG19Weights


def preprocess(image: np.ndarray, weights: VGG19Weights) -> np.ndarray:
    """RGB 0–255 image ``(H, W, 3)`` or batch ``(N, H, W, 3)`` -> network input ``(N, H, W, 3)`` float32.

    Reorders channels to ``weights.channel_order`` and subtracts ``weights.mean`` (given in that order).
    """
    x = np.asarray(image, dtype=np.float32)
    if x.ndim == 3:
        x = x[None]
    if x.ndim != 4 or x.shape[-1] != 3:
        raise ValueError(f"preprocess expects (H, W, 3) or (N, H, W, 3) RGB, got shape {np.shape(image)}")
    if weights.channel_order == "BGR":
        x = x[..., ::-1]
    return (x - np.asarray(weights.mean, np.float32)).astype(np.float32)


def deprocess(x, weights: VGG19Weights) -> np.ndarray:
    """Inverse of :func:`preprocess`: network input ``(1, H, W, 3)`` or ``(H, W, 3)`` -> RGB uint8 ``(H, W, 3)``."""
    x = np.asarray(x, dtype=np.float32)
    if x.ndim == 4:
        if x.shape[0] != 1:
            raise ValueError(f"deprocess expects one image, got a batch of {x.shape[0]}")
        x = x[0]
    x = x + np.asarray(weights.mean, np.float32)
    if weights.channel_order == "BGR":
        x = x[..., ::-1]
    return np.clip(np.rint(x), 0, 255).astype(np.uint8)
