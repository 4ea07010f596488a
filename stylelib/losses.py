"""The costs of Gatys et al., as plain TensorFlow ops.

Every function here takes tensors (or numpy arrays) and returns a scalar tensor, using only ops that
behave the same in a TF1 graph (inside ``tf.Graph().as_default()``) and in eager / ``tf.function``
code. That is what lets the TF1 Session engine and the TF2 engine share them and report the same loss.

Shapes: activations are ``(1, H, W, C)`` or ``(H, W, C)``. With ``N = C`` (number of filters) and
``M = H * W`` (positions per filter map). Everything is cast to float32 first, so float16 activations
(mixed precision) neither overflow in the Gram matrix nor lose the sum.
"""

from __future__ import annotations

from typing import Callable, Mapping

import tensorflow as tf

from . import recipe as _recipe

__all__ = [
    "gram_matrix",
    "gram_matrix_for_gradient",
    "content_loss",
    "style_layer_loss",
    "style_gram_loss",
    "content_loss_from_sum",
    "style_loss_from_gram",
    "style_loss",
    "style_contributions",
    "total_variation_loss",
    "CONTENT_NORMALIZATIONS",
]

CONTENT_NORMALIZATIONS = tuple(_recipe.CONTENT_NORMALIZATIONS)  # ("art", "paper"), defined in stylelib.recipe


def _features(x) -> tf.Tensor:
    """Activations as a float32 ``(M, N)`` matrix: one row per position, one column per filter."""
    x = tf.cast(x, tf.float32)
    channels = x.shape[-1]
    if channels is None:
        raise ValueError("the channel dimension of the activations must be known")
    return tf.reshape(x, (-1, channels))


def _n_m(x) -> tuple[float, float]:
    """(N, M) of activations with a static shape: N filters, M = H * W positions."""
    shape = x.shape
    if shape.rank not in (3, 4) or any(d is None for d in shape[-3:]):
        raise ValueError(f"activations must be (1, H, W, C) or (H, W, C) with known sizes, got {shape}")
    if shape.rank == 4 and shape[0] not in (1, None):
        raise ValueError(f"the losses take one image at a time, got a batch of {shape[0]}")
    return float(shape[-1]), float(shape[-3] * shape[-2])


def gram_matrix(features) -> tf.Tensor:
    """``G = Fᵀ F``, where ``F`` is the ``(M, N)`` matrix of activations: ``G[i, j]`` sums, over all
    positions, filter ``i`` times filter ``j``. Unnormalized, as in the paper. Returns ``(N, N)`` float32.
    """
    f = _features(tf.convert_to_tensor(features))
    return tf.matmul(f, f, transpose_a=True)


def gram_matrix_for_gradient(features) -> tf.Tensor:
    """:func:`gram_matrix`, the same matrix bit for bit, with a gradient that costs one matrix product instead of two.

    For a loss ``L`` of the Gram matrix, ``G = FᵀF`` gives ``∂L/∂F = F (D + Dᵀ)`` with ``D = ∂L/∂G``:
    automatic differentiation of ``tf.matmul(f, f, transpose_a=True)`` computes the two products ``F·D`` and
    ``F·Dᵀ`` ((M, N)·(N, N) each, as many multiply-adds as the Gram matrix itself) and adds them. The style cost
    (``Σ(G − A)²``, symmetric ``G`` and ``A``) has a symmetric ``D``, so ``F (D + Dᵀ) = 2 F D``: one product.

    How: ``H = stop_gradient(F)ᵀ F`` is differentiated through its second factor only (``F · ∂L/∂H``), and the
    result is ``2H − stop_gradient(H)``: the value ``2H − H = H`` exactly in floating point (a difference of
    two numbers within a factor of two is exact, Sterbenz's lemma), the gradient ``2 F D``. No
    ``tf.custom_gradient``: in a traced function that registers a gradient function in TensorFlow's global
    registry that keeps the graph alive (see ``stylelib.transfer._AdamLoop._apply``).

    The Gram matrix itself is bit for bit :func:`gram_matrix`'s (checked eagerly, in a ``tf.function`` and in a TF1
    ``Session``). A loss built on it can still differ in its last bits once Grappler has rewritten the graph around
    it (measured: an ``ArtSession``'s 512 px total, 185706912 against 185706944 with :func:`gram_matrix`;
    ``python -m benchmarks.constant_weights session 512``).

    Parameters
    ----------
    features : array or tf.Tensor
        Activations ``(1, H, W, N)`` or ``(H, W, N)``, any float dtype (cast to float32).

    Returns
    -------
    tf.Tensor
        ``(N, N)`` float32, equal to ``gram_matrix(features)``.

    Notes
    -----
    Use it only where ``∂L/∂G`` is symmetric — a loss of the Gram matrix that treats ``G[i, j]`` and
    ``G[j, i]`` alike, as every style cost here does; for any other loss the gradient is ``2 F D`` and wrong.
    The TF2 engine (:class:`stylelib.transfer.StyleObjective`) uses it; :func:`gram_matrix` stays the plain
    definition the notebooks teach and the benchmark's baseline differentiates. Measured in
    ``docs/PERFORMANCE.md`` ("The Gram matrix's gradient").

    Examples
    --------
    >>> import numpy as np
    >>> f = np.arange(12, dtype=np.float32).reshape(1, 2, 3, 2)
    >>> bool(np.array_equal(gram_matrix_for_gradient(f), gram_matrix(f)))
    True
    """
    f = _features(tf.convert_to_tensor(features))
    h = tf.matmul(tf.stop_gradient(f), f, transpose_a=True)
    return 2.0 * h - tf.stop_gradient(h)


def content_loss(p, x, normalization: str = "art") -> tf.Tensor:
    """Content cost between target activations ``p`` and generated activations ``x`` (same shape).

    ``"art"``: ``Σ(x − p)² / (4 N M)`` — the normalization of the art.py code the blog studies.
    ``"paper"``: ``½ Σ(x − p)²`` — equation 1 of Gatys et al.
    """
    x = tf.convert_to_tensor(x)
    p = tf.convert_to_tensor(p)
    _recipe.check_choice("content normalization", normalization, CONTENT_NORMALIZATIONS)
    if p.shape.is_fully_defined() and x.shape.is_fully_defined() and p.shape != x.shape:
        raise ValueError(f"content target has shape {p.shape} but the generated activations {x.shape}")
    sq = tf.reduce_sum(tf.square(tf.cast(x, tf.float32) - tf.cast(p, tf.float32)))
    n, m = (1.0, 1.0) if normalization == "paper" else _n_m(x)  # (the paper's cost has no N, M)
    return content_loss_from_sum(sq, n, m, normalization)


def content_loss_from_sum(sq, n: float, m: float, normalization: str = "art") -> tf.Tensor:
    """The content cost of :func:`content_loss` from its sum of squares ``sq = Σ(x − p)²`` (a float32 scalar).

    Parameters
    ----------
    sq : tf.Tensor
        ``Σ(x − p)²`` over all positions and filters of the layer, float32 scalar — or any sum of parts of it
        (the TF2 engine adds it up over row tiles of the image).
    n, m : float
        The layer's filters ``N`` and positions ``M = H·W`` (of the whole image).
    normalization : {'art', 'paper'}
        ``"art"``: ``sq / (4 N M)``; ``"paper"``: ``½ sq`` (equation 1 of Gatys et al.).

    Returns
    -------
    tf.Tensor
        Scalar float32.
    """
    if normalization == "paper":
        return 0.5 * sq
    _recipe.check_choice("content normalization", normalization, CONTENT_NORMALIZATIONS)
    return sq / (4.0 * n * m)


def style_gram_loss(target_gram, x, generated_gram: Callable[[object], tf.Tensor] = gram_matrix) -> tf.Tensor:
    """One layer's style cost from a precomputed target Gram matrix ``(N, N)`` and activations ``x``:
    ``Σ(G(x) − A)² / (4 N² M²)`` with ``N, M`` of ``x``; ``G`` computed by ``generated_gram``
    (:func:`gram_matrix`, or :func:`gram_matrix_for_gradient` for a gradient of one matrix product).
    """
    x = tf.convert_to_tensor(x)
    n, m = _n_m(x)
    return style_loss_from_gram(target_gram, generated_gram(x), n, m)


def style_loss_from_gram(target_gram, gram, n: float, m: float) -> tf.Tensor:
    """One layer's style cost from the generated image's Gram matrix: ``Σ(G − A)² / (4 N² M²)`` (equation 4 of
    Gatys et al.).

    Parameters
    ----------
    target_gram : array or tf.Tensor
        ``A``, the style target's Gram matrix ``(N, N)``.
    gram : tf.Tensor
        ``G``, the generated activations' Gram matrix ``(N, N)`` float32 (:func:`gram_matrix`) — or a sum of
        Gram matrices of parts of the positions (``G`` is a sum over positions; the TF2 engine adds it up over
        row tiles of the image).
    n, m : float
        Filters ``N`` and positions ``M = H·W`` of the whole layer.

    Returns
    -------
    tf.Tensor
        Scalar float32.
    """
    a = tf.cast(target_gram, tf.float32)
    return tf.reduce_sum(tf.square(gram - a)) / (4.0 * n * n * m * m)


def style_layer_loss(a, x) -> tf.Tensor:
    """One layer's style cost between style-image activations ``a`` and generated activations ``x``:
    ``Σ(G(x) − G(a))² / (4 N² M²)`` (equation 4 of the paper). ``a`` and ``x`` need the same ``N``;
    their sizes may differ (the Gram matrix forgets positions), ``M`` is taken from ``x``.
    """
    return style_gram_loss(gram_matrix(a), x)


def style_contributions(targets: Mapping[str, object], generated: Mapping[str, object],
                        layer_weights: Mapping[str, float], *, targets_are_grams: bool = False,
                        generated_gram: Callable[[object], tf.Tensor] = gram_matrix) -> dict[str, tf.Tensor]:
    """Each style layer's share of the style cost: ``{l: w_l · E_l}``, whose sum is :func:`style_loss`.

    Parameters
    ----------
    targets : mapping of str to array or tensor
        Per layer, the style image's activations ``(1, H, W, N)`` — or their Gram matrices ``(N, N)`` with
        ``targets_are_grams=True``.
    generated : mapping of str to array or tensor
        Per layer, the generated image's activations ``(1, H, W, N)``; layers not in ``layer_weights`` are ignored.
    layer_weights : mapping of str to float
        ``{l: w_l}``, in the order the result keeps.
    targets_are_grams : bool
        Whether ``targets`` holds Gram matrices instead of activations.
    generated_gram : callable
        Computes the generated activations' Gram matrix ``(N, N)``: :func:`gram_matrix` (default; automatic
        differentiation gives its gradient with two matrix products) or :func:`gram_matrix_for_gradient` (the same
        matrix, a gradient of one product). The targets' Gram matrices always use :func:`gram_matrix`.

    Returns
    -------
    dict of str to tf.Tensor
        ``{l: w_l · E_l}``, scalar float32 tensors, with ``E_l = Σ(G − A)² / (4 N² M²)`` (equation 4 of
        Gatys et al.), in the order of ``layer_weights``.

    Raises
    ------
    KeyError
        A layer of ``layer_weights`` missing from ``targets`` or ``generated`` (the message names it).

    Examples
    --------
    >>> import numpy as np
    >>> a = {"l1": np.ones((1, 2, 2, 1), np.float32), "l2": np.ones((1, 1, 1, 2), np.float32)}
    >>> x = {"l1": np.zeros((1, 2, 2, 1), np.float32), "l2": np.zeros((1, 1, 1, 2), np.float32)}
    >>> {l: float(v) for l, v in style_contributions(a, x, {"l1": 1.0, "l2": 3.0}).items()}
    {'l1': 0.25, 'l2': 0.75}
    """
    missing = [l for l in layer_weights if l not in targets or l not in generated]
    if missing:
        raise KeyError(f"style layers {missing} are missing from the targets or the generated activations")
    return {layer: float(w) * style_gram_loss(targets[layer] if targets_are_grams else gram_matrix(targets[layer]),
                                              generated[layer], generated_gram)
            for layer, w in layer_weights.items()}


def style_loss(targets: Mapping[str, object], generated: Mapping[str, object],
               layer_weights: Mapping[str, float], *, targets_are_grams: bool = False,
               generated_gram: Callable[[object], tf.Tensor] = gram_matrix) -> tf.Tensor:
    """Weighted sum of per-layer style costs, ``Σ_l w_l E_l`` (equation 5).

    ``targets[l]``: style-image activations (or their Gram matrices with ``targets_are_grams=True``);
    ``generated[l]``: generated-image activations; ``layer_weights[l]``: ``w_l``; ``generated_gram``: as in
    :func:`style_contributions`, whose terms, layer by layer, make the sum.
    """
    total = tf.constant(0.0, tf.float32)
    for term in style_contributions(targets, generated, layer_weights, targets_are_grams=targets_are_grams,
                                    generated_gram=generated_gram).values():
        total = total + term
    return total


def total_variation_loss(image) -> tf.Tensor:
    """Sum of squared differences between neighbouring pixels (down and right), divided by the pixel
    count, for an image ``(1, H, W, 3)`` or ``(H, W, 3)`` — a smoothness prior, in (pixel value)² units.
    """
    x = tf.cast(tf.convert_to_tensor(image), tf.float32)
    if x.shape.rank == 3:
        x = x[None]
    dy = x[:, 1:, :, :] - x[:, :-1, :, :]
    dx = x[:, :, 1:, :] - x[:, :, :-1, :]
    count = tf.cast(tf.reduce_prod(tf.shape(x)[1:3]), tf.float32)
    return (tf.reduce_sum(tf.square(dy)) + tf.reduce_sum(tf.square(dx))) / count
