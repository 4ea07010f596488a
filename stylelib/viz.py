"""Matplotlib figures for the notebooks: image grids, feature maps, Gram matrices, loss curves.

Every function returns the ``matplotlib.figure.Figure`` it drew (and does not call ``plt.show()``), so a
notebook cell can show it, save it, or close it. Random-weights results carry a red label on the figure.
"""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np

__all__ = ["show_images", "feature_maps", "gram_image", "loss_curves", "RANDOM_LABEL", "mark_random"]

RANDOM_LABEL = "RANDOM WEIGHTS — not a trained VGG-19 result"


def _plt():
    import matplotlib.pyplot as plt

    return plt


def mark_random(fig, random_weights: bool) -> None:
    """Write :data:`RANDOM_LABEL` across the top of ``fig`` when ``random_weights`` is true."""
    if random_weights:
        fig.text(0.5, 0.995, RANDOM_LABEL, ha="center", va="top", color="red", fontsize=10, weight="bold")


def _as_display(img) -> np.ndarray:
    a = np.asarray(img)
    if a.ndim == 4:
        a = a[0]
    if a.dtype != np.uint8:
        a = np.clip(a, 0, 255).astype(np.uint8) if a.max() > 1.5 else np.clip(a, 0, 1)
    return a


def show_images(images: Sequence, titles: Sequence[str] | None = None, *, ncols: int | None = None,
                size: float = 3.0, random_weights: bool = False, suptitle: str | None = None):
    """A grid of RGB images (uint8 or float 0–255), one per axis, titles under them."""
    plt = _plt()
    n = len(images)
    ncols = ncols or min(n, 4)
    nrows = (n + ncols - 1) // ncols
    fig, axes = plt.subplots(nrows, ncols, figsize=(size * ncols, size * nrows + 0.4), squeeze=False)
    for i, ax in enumerate(axes.ravel()):
        ax.axis("off")
        if i < n:
            ax.imshow(_as_display(images[i]))
            if titles is not None:
                ax.set_title(titles[i], fontsize=9)
    if suptitle:
        fig.suptitle(suptitle, y=0.97)
    mark_random(fig, random_weights)
    fig.tight_layout()
    return fig


def feature_maps(activations, n: int = 8, *, title: str = "", size: float = 1.6, random_weights: bool = False,
                 channels: Sequence[int] | None = None):
    """The first ``n`` channels (or ``channels``) of activations ``(1, H, W, C)`` as grey images."""
    plt = _plt()
    a = np.asarray(activations)
    if a.ndim == 4:
        a = a[0]
    chans = list(channels) if channels is not None else list(range(min(n, a.shape[-1])))
    fig, axes = plt.subplots(1, len(chans), figsize=(size * len(chans), size + 0.5), squeeze=False)
    for ax, c in zip(axes[0], chans):
        ax.imshow(a[..., c], cmap="viridis")
        ax.set_title(f"ch {c}", fontsize=8)
        ax.axis("off")
    fig.suptitle(f"{title}  {a.shape[0]}×{a.shape[1]}×{a.shape[2]}".strip(), fontsize=10)
    mark_random(fig, random_weights)
    fig.tight_layout()
    return fig


def gram_image(grams: Mapping[str, np.ndarray], *, size: float = 3.0, log: bool = True, random_weights: bool = False):
    """Gram matrices side by side (``{title: (N, N) array}``), on a log scale by default."""
    plt = _plt()
    fig, axes = plt.subplots(1, len(grams), figsize=(size * len(grams), size + 0.4), squeeze=False)
    for ax, (title, g) in zip(axes[0], grams.items()):
        g = np.asarray(g, np.float64)
        ax.imshow(np.log1p(np.abs(g)) if log else g, cmap="magma")
        ax.set_title(f"{title}  {g.shape[0]}×{g.shape[1]}", fontsize=9)
        ax.axis("off")
    mark_random(fig, random_weights)
    fig.tight_layout()
    return fig


def loss_curves(runs: Mapping[str, object], *, x: str = "step", keys: Sequence[str] = ("total",),
                logy: bool = True, random_weights: bool = False, title: str = ""):
    """Loss against ``x`` (``'step'`` or ``'seconds'``) for several runs: ``{label: StyleResult}``."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(6.5, 3.8))
    for label, result in runs.items():
        xs = result.series(x)
        for key in keys:
            ax.plot(xs, result.series(key), label=f"{label} · {key}" if len(keys) > 1 else label)
    ax.set_xlabel("wall time (s)" if x == "seconds" else x)
    ax.set_ylabel("loss")
    if logy:
        ax.set_yscale("log")
    ax.legend(fontsize=8)
    if title:
        ax.set_title(title)
    mark_random(fig, random_weights)
    fig.tight_layout()
    return fig
