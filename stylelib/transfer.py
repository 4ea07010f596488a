"""TF2 engine: style transfer with a compiled (``tf.function``) step, Adam or L-BFGS.

    from stylelib.transfer import stylize
    result = stylize("photo.jpg", "painting.jpg", size=256, iterations=100)
    result.best_image          # (H, W, 3) uint8, the lowest-loss image seen
    result.history[-1].total   # losses per step, with the wall time

The optimized variable is the *preprocessed* image (weights' channel order, mean subtracted), kept inside
the valid pixel range. Targets (content activations and style Gram matrices) are computed once, before
the loop, and held as tensors — not rebuilt at every step. Everything runs on the device TensorFlow picks
(a GPU when it sees one) unless ``device=`` says otherwise.

The settings of a run are a :class:`stylelib.run.RunConfig` (defaults: art.py's numbers, from
:mod:`stylelib.recipe`); the result, the per-step records and the start image come from :mod:`stylelib.run`,
shared with the TF1 engine :mod:`stylelib.session`.
"""

from __future__ import annotations

import functools
import gc
import math
import warnings
from typing import Callable, Mapping

import numpy as np
import tensorflow as tf

from . import images as _images
from . import controls, losses, memory, recipe
from .extractor import FeatureExtractor, conv3d_is_faster
from .lbfgsb import lbfgs_b
from .run import (NonFiniteLossError, RunConfig, RunRecorder, StepInfo, StyleResult, coarse_sides, make_init,
                  pick_device, pixel_bounds, recompute_blocks, shows_settings, tile_rows_for)
from .samples import load_input
from .vgg19 import VGG19Weights, canonical_layer, layer_shapes, load_weights

__all__ = [
    "StyleObjective",
    "stylize",
    "pick_device",
    "as_image",
    # defined in stylelib.run, importable from here too
    "RunConfig",
    "StyleResult",
    "StepInfo",
    "make_init",
    "interpolate_styles",
]

ENGINE = "stylize (TF2)"


def as_image(source, max_size: int | None = None) -> np.ndarray:
    """Deprecated alias of :func:`stylelib.samples.load_input` (an RGB float image ``(H, W, 3)`` from an array,
    an image file or a sample name)."""
    warnings.warn("stylelib.transfer.as_image is deprecated; use stylelib.samples.load_input",
                  DeprecationWarning, stacklevel=2)
    return load_input(source, max_size)


class StyleObjective(tf.Module):
    """The loss of Gatys et al. for fixed content and style targets, as a TF2 callable.

    ``objective(x)`` takes a preprocessed image ``(1, H, W, 3)`` float32 and returns a dict of scalar
    float32 tensors ``content``, ``style``, ``tv`` (unweighted) and ``total`` (the weighted sum). The targets
    are computed once, here: the content activations and the style Gram matrices. A style image of a
    different size is allowed: its Gram matrices are rescaled by ``M_x / M_a`` so they compare with the
    generated image's as averages over positions, not sums.

    Parameters
    ----------
    content_pre, style_pre : ndarray
        Preprocessed content and style images, ``(1, H, W, 3)`` float32 (:func:`stylelib.images.preprocess`).
    weights : VGG19Weights
        The network's weights.
    content_layers, style_layers : mapping of str to float
        ``{layer: w_l}`` (default: art.py's, :data:`stylelib.recipe.ART_CONTENT_LAYERS` and ``ART_STYLE_LAYERS``).
    content_weight, style_weight, tv_weight : float
        Weights of the three costs in ``total`` (default: art.py's 5, 100 and 0).
    content_normalization : {'art', 'paper'}
        See :func:`stylelib.losses.content_loss`.
    pooling : {'avg', 'max'}
        Pooling between VGG-19's blocks.
    dtype : str
        The network's compute dtype (``'float16'`` for mixed precision); losses are float32.
    extra_styles_pre : sequence of ndarray
        Controls (issue 12, :mod:`stylelib.controls`): more preprocessed style images, indexed 1, 2, … after
        ``style_pre``.
    style_blend : sequence of float, optional
        Normalized blend weights, one per style image: each layer's target is Σ_k w_k G_k
        (:func:`stylelib.controls.style_targets`).
    regions : stylelib.controls.RegionMask, optional
        A mask: the style cost becomes :class:`stylelib.controls.GuidedStyle` (guided Gram matrices).
    recompute : int
        Gradient checkpointing: the first ``recompute`` VGG blocks are run again in the backward pass instead of
        keeping their activations (:meth:`value_and_gradient`; 0, the default: off). Not with a mask.
    tile_rows : int or None
        With ``recompute > 0``: the recomputed blocks are run on horizontal tiles of about this many image rows
        (with a halo; exact, :meth:`value_and_gradient`), in the forward pass, the backward pass and
        ``objective(x)``. ``None`` or 0 (default): whole images. Ignored without recomputation and with
        several styles or a mask (guided objectives keep the untiled path).

    Raises
    ------
    ValueError
        An unknown layer, normalization or pooling.

    Notes
    -----
    Content cost: equation 1 of Gatys et al. (or art.py's Σ/(4NM)); style cost: equations 3–5
    (Gram matrices, E_l = Σ(G − A)² / (4 N² M²), L_style = Σ w_l E_l); see :mod:`stylelib.losses`.
    """

    def __init__(self, content_pre, style_pre, weights: VGG19Weights, *,
                 content_layers: Mapping[str, float] = recipe.ART_CONTENT_LAYERS,
                 style_layers: Mapping[str, float] = recipe.ART_STYLE_LAYERS,
                 content_weight: float = recipe.ART_CONTENT_WEIGHT, style_weight: float = recipe.ART_STYLE_WEIGHT,
                 tv_weight: float = recipe.ART_TV_WEIGHT,
                 content_normalization: str = recipe.DEFAULT_CONTENT_NORMALIZATION,
                 pooling: str = recipe.DEFAULT_POOLING, dtype="float32",
                 extra_styles_pre=(), style_blend=None, regions=None, recompute: int = 0,
                 tile_rows: int | None = None):
        super().__init__()
        self.content_layers = dict(content_layers)
        self.style_layers = dict(style_layers)
        self.content_weight = float(content_weight)
        self.style_weight = float(style_weight)
        self.tv_weight = float(tv_weight)
        self.content_normalization = recipe.check_choice(
            "content_normalization", content_normalization, recipe.CONTENT_NORMALIZATIONS)
        # each conv a depth-1 Conv3D in traced functions where that is faster (float32 off a GPU: as_conv3d)
        self.extractor = FeatureExtractor(
            weights, list(dict.fromkeys([*self.content_layers, *self.style_layers])), pooling=pooling, dtype=dtype,
            as_conv3d=conv3d_is_faster(dtype),
        )
        self.recompute = int(recompute)
        if self.recompute < 0:
            raise ValueError(f"recompute must be a number of VGG blocks (0 = off), got {recompute!r}")
        # the network cut after the recomputed blocks ([(start, stop), …]: one range per block, then the rest)
        self._segments = self.extractor.segments(self.recompute)
        # where the recomputed (and row-tiled) layers end: the first layer of the rest
        self._tiled_stop = self._segments[-2][1] if len(self._segments) > 1 else 0
        self.tile_rows = int(tile_rows or 0)
        if self.tile_rows < 0:
            raise ValueError(f"tile_rows must be a number of image rows (0 or None = off), got {tile_rows!r}")
        shape_c = content_pre.shape[1] * content_pre.shape[2]
        shape_s = style_pre.shape[1] * style_pre.shape[2]
        self.guided = None  # controls (issue 12): several styles, or a mask
        if extra_styles_pre or style_blend is not None or regions is not None:
            content_feats = self.extractor(tf.constant(content_pre))
            self.content_targets = {l: tf.cast(content_feats[l], tf.float32) for l in self.content_layers}
            styles = [style_pre, *extra_styles_pre]
            self.style_targets, self.guided = controls.style_targets(
                self.extractor, content_pre, content_feats, [tf.constant(x) for x in styles], self.style_layers,
                style_blend or controls.blend_weights(None, len(styles)), regions)
            return
        # One style image: each layer is dropped as soon as what the loop needs of it is taken (the content
        # layers' activations; the style layers' Gram matrices), so computing the targets holds one layer or two
        # of each image at a time, not all the chosen layers of both (issue 11, memory). With recomputation (large
        # images) each image's pass is a compiled function: TensorFlow's executor frees each layer as soon as the
        # next has read it and fuses each conv with its bias and ReLU, where eager execution holds the conv's
        # output, the biased output and the ReLU's at once. The values are the same (tests check it).
        # With row tiles (large images) the recomputed blocks run tile by tile here too: the style image's block 1
        # is the largest layer of the whole run when it is as large as the content or larger.
        def content_pass(x):
            tiles, start, out = self._tiles(x), 0, {}
            if tiles is not None:
                start = self._tiled_stop
                x, _, kept = self._tiled_forward(x, tiles, stats=None, keep=self.content_layers)
                out = {l: tf.cast(a, tf.float32) for l, a in kept.items()}
            out.update({l: tf.cast(a, tf.float32) for l, a in self.extractor.iter_layers(x, start)
                        if l in self.content_layers})
            return out

        c_shapes = layer_shapes(content_pre.shape[1], content_pre.shape[2])
        s_shapes = layer_shapes(style_pre.shape[1], style_pre.shape[2])
        scales = {}
        for l in self.style_layers:
            (hc, wc, _), (hs, ws, _) = c_shapes[canonical_layer(l)], s_shapes[canonical_layer(l)]
            scales[l] = 1.0 if shape_c == shape_s else float(hc * wc) / float(hs * ws)

        def style_pass(x):
            tiles, start, out = self._tiles(x), 0, {}
            if tiles is not None:  # the Gram matrices of the tiled layers: summed over the tiles
                start = self._tiled_stop
                x, stats, _ = self._tiled_forward(x, tiles, stats="style")
                out = {l: g * scales[l] for (_, l), g in stats.items()}
            out.update({l: losses.gram_matrix(a) * scales[l] for l, a in self.extractor.iter_layers(x, start)
                        if l in self.style_layers})
            return out

        if self.recompute:
            content_pass, style_pass = tf.function(content_pass), tf.function(style_pass)
        elif shape_s >= memory.COMPILED_TARGETS_PIXELS:  # a large style image, a small content (--style-size)
            style_pass = tf.function(style_pass)
        self.content_targets = dict(content_pass(tf.constant(content_pre)))
        self.style_targets = dict(style_pass(tf.constant(style_pre)))

    @classmethod
    def from_config(cls, content_pre, style_pre, weights: VGG19Weights, config: RunConfig,
                    **controls_args) -> "StyleObjective":
        """The objective a :class:`~stylelib.run.RunConfig` describes (``controls_args``: the control keywords
        of the constructor, from :meth:`stylelib.controls.Controls.objective_args`)."""
        return cls(content_pre, style_pre, weights, content_layers=config.content_layers,
                   style_layers=config.style_layers, content_weight=config.content_weight,
                   style_weight=config.style_weight, tv_weight=config.tv_weight,
                   content_normalization=config.content_normalization, pooling=config.pooling,
                   dtype="float16" if config.mixed_precision else "bfloat16" if config.bfloat16 else "float32",
                   recompute=recompute_blocks(config, content_pre.shape[1:3]),
                   tile_rows=tile_rows_for(config, content_pre.shape[1:3]), **controls_args)

    # The generated image's Gram matrices: gram_matrix's value, with a gradient of one matrix product instead of
    # two (losses.gram_matrix_for_gradient); and the TV term at weight 0 reported but not differentiated.
    # (benchmarks/constant_weights.py measures the step with the plain ones: class attributes, so it can.)
    _gram = staticmethod(losses.gram_matrix_for_gradient)
    _differentiate_zero_tv = False

    @property
    def _tv_differentiated(self) -> bool:
        """Whether the TV term enters the gradient: only at a weight above 0 (its gradient is 0 otherwise)."""
        return bool(self.tv_weight) or self._differentiate_zero_tv

    def __call__(self, x) -> dict[str, tf.Tensor]:
        tiles = self._tiles(x)
        if tiles is not None:  # the recomputed blocks on row tiles (large images): their layers never whole
            h, stats, _ = self._tiled_forward(x, tiles)
            _, feats = self.extractor.run(h, self._tiled_stop)
            terms = {**self._terms_from_stats(stats, x), **self._terms(feats)}
            return self._values(terms, self._style_sum(terms), x)
        feats = self.extractor(x)
        terms = self._terms(feats)
        s = self._style_sum(terms) if self.guided is None else self.guided.loss(feats, self.style_layers)
        return self._values(terms, s, x)

    def _terms(self, feats: Mapping[str, tf.Tensor]) -> dict[tuple[str, str], tf.Tensor]:
        """The weighted per-layer costs of the layers in ``feats``: ``{('content', l): w_l·C_l, ('style', l):
        w_l·E_l}`` (style terms only without a mask)."""
        terms = {("content", l): w * losses.content_loss(self.content_targets[l], feats[l], self.content_normalization)
                 for l, w in self.content_layers.items() if l in feats}
        if self.guided is None:
            for l in self.style_layers:
                if l in feats:
                    shape = feats[l].shape
                    terms[("style", l)] = self._style_term(l, self._gram(feats[l]), float(shape[-1]),
                                                           float(shape[-3] * shape[-2]))
        return terms

    def _style_term(self, layer: str, gram, n: float, m: float) -> tf.Tensor:
        """``w_l · E_l`` of style layer ``layer`` from the generated image's Gram matrix ``gram`` ``(N, N)`` (or a
        sum of the Gram matrices of row tiles) and the layer's ``N`` filters and ``M`` positions."""
        return float(self.style_layers[layer]) * losses.style_loss_from_gram(self.style_targets[layer], gram, n, m)

    def _terms_from_stats(self, stats: Mapping[tuple[str, str], tf.Tensor], x) -> dict[tuple[str, str], tf.Tensor]:
        """The weighted costs from the tiled layers' statistics (:meth:`_tile_pass`, summed over the tiles):
        ``('style', l)``: the Gram matrix; ``('content', l)``: ``Σ(F − P)²``."""
        shapes = layer_shapes(int(x.shape[1]), int(x.shape[2]))
        terms = {}
        for (kind, l), v in stats.items():
            h, w, c = shapes[canonical_layer(l)]
            if kind == "style":
                terms[(kind, l)] = self._style_term(l, v, float(c), float(h * w))
            else:
                terms[(kind, l)] = self.content_layers[l] * losses.content_loss_from_sum(
                    v, float(c), float(h * w), self.content_normalization)
        return terms

    def _tiles(self, x):
        """The row tiles of the recomputed blocks for ``x`` (:meth:`FeatureExtractor.row_tiles`), or ``None``:
        no tiling (``tile_rows`` off, no recomputation, a mask or several styles, nothing after the recomputed
        blocks, or a single tile)."""
        if not self.tile_rows or not self.recompute or self.guided is not None:
            return None
        if len(self._segments) < 2:
            return None
        tiles = self.extractor.row_tiles(int(x.shape[1]), self.tile_rows, self._tiled_stop)
        return tiles if len(tiles) > 1 else None

    def _tile_pass(self, xt, tile, stats: str | None = "loss", keep=()):
        """The tiled layers (``0:_tiled_stop``) on one tile's input rows ``xt`` ``(1, e − s, W, 3)``: the kept rows
        of the last one's output, the tile's statistics of the loss layers among them (over its kept rows; ``stats``
        ``'loss'``: ``{('style', l): G_tile (N, N), ('content', l): Σ(F − P)²}``, float32; ``'style'``: the Gram
        matrices only; ``None``: none) and ``{l: kept rows}`` of the layers in ``keep``."""
        levels = self.extractor.row_levels(self._tiled_stop)
        out, st, kept = None, {}, {}
        for name, a in self.extractor.iter_layers(xt, 0, self._tiled_stop):
            if name is None:
                out = a
                continue
            first, last = tile.kept(levels[name])
            a = a[:, first:last]
            if name in keep:
                kept[name] = a
            if stats == "loss" and name in self.content_layers:
                r = tile.r0 >> levels[name]
                p = self.content_targets[name][:, r:r + (last - first)]
                st[("content", name)] = tf.reduce_sum(tf.square(tf.cast(a, tf.float32) - tf.cast(p, tf.float32)))
            if stats is not None and name in self.style_layers:
                st[("style", name)] = self._gram(a)
        first, last = tile.kept(tile.align.bit_length() - 1)
        return out[:, first:last], st, kept

    def _tiled_forward(self, x, tiles, stats: str | None = "loss", keep=()):
        """The tiled layers (``0:_tiled_stop``) run tile by tile, one tile after the other (a control dependency
        chains them, so the executor never holds two tiles' layers): the last one's whole output, the statistics summed
        over the tiles (:meth:`_tile_pass`) and the layers in ``keep`` whole (their tiles' rows concatenated)."""
        outs, total, kept, after = [], {}, {}, []
        for tile in tiles:
            with tf.control_dependencies(after):
                xt = tf.identity(x[:, tile.s:tile.e])
            out, st, kp = self._tile_pass(xt, tile, stats, keep)
            outs.append(out)
            total = {k: total[k] + v if k in total else v for k, v in st.items()}
            for k, v in kp.items():
                kept.setdefault(k, []).append(v)
            after = [out, *total.values(), *kp.values()]
        return tf.concat(outs, axis=1), total, {k: tf.concat(v, axis=1) for k, v in kept.items()}

    def _style_sum(self, terms) -> tf.Tensor:
        s = tf.constant(0.0, tf.float32)  # summed in the layers' order, as losses.style_loss does
        for l in self.style_layers:
            s = s + terms[("style", l)]
        return s

    def _values(self, terms, s, x) -> dict[str, tf.Tensor]:
        c = tf.add_n([terms[("content", l)] for l in self.content_layers])
        # at tv_weight 0 (the default) the TV term is reported, not differentiated: its gradient would be 0 anyway,
        # and it costs four strided-slice gradients of the image per step (docs/PERFORMANCE.md)
        tv = losses.total_variation_loss(x if self._tv_differentiated else tf.stop_gradient(x))
        total = self.content_weight * c + self.style_weight * s + self.tv_weight * tv
        return {"content": c, "style": s, "tv": tv, "total": total}

    def _scales(self, relative: bool) -> tuple[float, float, float]:
        if not relative:
            return self.content_weight, self.style_weight, self.tv_weight
        k = max(self.content_weight, self.style_weight, self.tv_weight) or 1.0
        return self.content_weight / k, self.style_weight / k, self.tv_weight / k

    def value_and_gradient(self, x, relative: bool = False) -> tuple[dict[str, tf.Tensor], tf.Tensor]:
        """The losses at ``x`` and the gradient of the total (or of :meth:`relative_total`) with respect to it.

        Parameters
        ----------
        x : tf.Tensor
            Preprocessed image ``(1, H, W, 3)`` float32 (a variable or a tensor).
        relative : bool
            Differentiate :meth:`relative_total` (what L-BFGS minimizes) instead of ``values['total']``.

        Returns
        -------
        (dict, tf.Tensor)
            ``objective(x)``'s dict (``content``, ``style``, ``tv``, ``total``; scalar float32) and the gradient,
            ``(1, H, W, 3)`` float32.

        Notes
        -----
        With ``recompute = k > 0`` (gradient checkpointing, issue 11) the first ``k`` VGG blocks keep none of
        their activations for the backward pass: a first pass through them keeps only each block's input (and
        computes their loss terms); the rest of the network is differentiated as usual from the ``k``-th block's
        output; then, block by block backwards, each block is run again from its input under a tape and its
        input's gradient is taken, its own loss terms plus its output's gradient (``output_gradients``). The
        values are the same bit for bit; the gradient is the same up to float rounding (the order in which
        TensorFlow adds the per-layer contributions); the peak memory is that of one block at a time instead of
        all of them, for one more forward pass through the recomputed blocks.

        With ``tile_rows`` as well (row tiles, issue 11), the recomputed blocks run on horizontal tiles of the image
        with a halo, in the first pass and in the backward pass (:meth:`_tiled_value_and_gradient`): their style
        terms come from the Gram matrices summed over the tiles, their content terms from the summed squared
        differences, and each tile is differentiated against ``dL/dG`` (``dL/dS``) taken once. The values and the
        gradient are those of the untiled objective up to float rounding (the order of the sums;
        ``tests/test_transfer.py::test_tiled_blocks_give_the_losses_and_gradient_of_the_whole_image``). Guided
        objectives (a mask, several styles) keep the untiled path.
        """
        cw, sw, tw = self._scales(relative)

        def combine(terms, tv_of=None):
            parts = []
            content = [terms[k] for k in terms if k[0] == "content"]
            style = [terms[k] for k in terms if k[0] == "style"]
            if content:
                parts.append(cw * tf.add_n(content))
            if style:
                parts.append(sw * tf.add_n(style))
            if tv_of is not None and self._tv_differentiated:
                parts.append(tw * losses.total_variation_loss(tv_of))
            return tf.add_n(parts) if parts else None

        segments = self._segments
        tiles = self._tiles(x)
        if tiles is not None:
            return self._tiled_value_and_gradient(x, tiles, combine, tw)
        if self.recompute == 0 or self.guided is not None or len(segments) == 1:
            with tf.GradientTape() as tape:
                tape.watch(x)
                values = self(x)
                target = self.relative_total(values) if relative else values["total"]
            return values, tape.gradient(target, x)

        head, tail = segments[:-1], segments[-1]
        inputs, terms = [], {}
        h = x
        for start, stop in head:  # forward, no tape: keep each recomputed block's input only
            inputs.append(h)
            h, feats = self.extractor.run(h, start, stop)
            terms.update(self._terms(feats))
        g, tail_terms = self._tail_gradient(h, tail, combine)
        terms.update(tail_terms)
        for (start, stop), inp in reversed(list(zip(head, inputs, strict=True))):
            # the control dependency keeps the recomputation after the gradient it needs, so that the graph
            # optimizer cannot merge it with the first pass (which would keep the activations again)
            with tf.control_dependencies([g]):
                inp = tf.identity(inp)
            with tf.GradientTape() as tape:
                tape.watch(inp)
                out, feats = self.extractor.run(inp, start, stop)
                own = combine(self._terms(feats), inp if start == 0 else None)
            targets, grads = [out], [g]
            if own is not None:
                targets.append(own)
                grads.append(tf.ones_like(own))
            g = tape.gradient(targets, inp, output_gradients=grads)
            del tape, feats
        values = self._values(terms, self._style_sum(terms), x)
        return values, g

    def _tail_gradient(self, h, tail, combine):
        """(gradient of the loss terms after the recomputed blocks with respect to their input ``h``, those terms):
        the part of the network that is not recomputed, differentiated with each loss layer's own gradient taken
        late.

        Differentiated as one tape, each loss layer's own gradient (``dE_l/dF_l``, ``dC_l/dF_l``: a layer-sized
        tensor) depends only on the forward pass, so TensorFlow's executor computes them all as soon as the forward
        pass ends and holds each until the backward pass reaches its layer: at 1024 px ``conv3_1``'s (42.5 MiB) is
        held through the whole backward pass of blocks 4 and 3, where the pass peaks. Here the range is cut after
        each loss layer into pieces, each run forward under its own tape; the terms' values are taken from the
        activations with no gradient path; then, from the deepest piece back, each piece's loss layer adds its own
        gradient to the one arriving from the pieces above — computed only once that one exists (a control
        dependency) — and the piece's tape carries the sum back (``output_gradients``). No ``tf.custom_gradient``:
        in a traced function it registers its gradient function in TensorFlow's global registry for good, and with
        it the objective (``test_a_finished_loop_leaves_its_traced_graph_to_the_collector``).

        The same values, and the same gradient bit for bit where each loss layer has one term (art.py's layers; a
        layer that is both a content and a style layer adds its two terms in another order):
        ``tests/test_transfer.py::test_tail_gradient_takes_each_loss_layers_gradient_late``. A 1024 px evaluation's
        tensors peak 40–60 MiB lower, for about 1 % more time (each style layer's Gram matrix is computed again in the
        backward pass; docs/PERFORMANCE.md, "Memory", fifth round)."""
        start, stop = tail
        pieces, feats, inp = [], {}, h
        for cut in self.extractor.asked_stops(start, stop):
            with tf.GradientTape() as tape:
                tape.watch(inp)
                out, got = self.extractor.run(inp, start, cut)
            pieces.append((tape, inp, out, got))
            feats.update(got)
            inp, start = out, cut
        tail_terms = self._terms({n: tf.stop_gradient(a) for n, a in feats.items()})
        if not tail_terms:
            return tf.zeros_like(h), tail_terms
        # the extractor stops at the deepest layer asked for, so the last piece ends at a loss layer: nothing after it
        g = None
        for tape, inp, out, got in reversed(pieces):
            if g is not None:  # the incoming gradient first: only then this layer's own
                with tf.control_dependencies([g]):
                    out_late = tf.identity(out, name="after_upstream")
            else:
                out_late = out
            with tf.GradientTape() as own_tape:
                own_tape.watch(out_late)
                own = combine(self._terms({n: out_late for n in got}))
            if own is not None:
                own_grad = own_tape.gradient(own, out_late)
                g = own_grad if g is None else g + own_grad
            g = tape.gradient(out, inp, output_gradients=g if g is not None else tf.zeros_like(out))
        return g, tail_terms

    def _tiled_value_and_gradient(self, x, tiles, combine, tw: float):
        """:meth:`value_and_gradient` with the recomputed blocks (the layers ``0:_tiled_stop``) on row tiles.

        Forward: the tiles one after the other (no tape), keeping the blocks' output rows and the loss layers'
        statistics (Gram matrices, content sums of squares) summed over the tiles. The rest of the network is
        differentiated from the blocks' output as usual. The blocks' own terms are computed from the summed
        statistics under a tape, which gives their gradients ``dL/dG``, ``dL/dS`` once (the objective's own
        formulas, not re-derived). Backward, tile by tile: the tile is run again under a tape and its input rows'
        gradient is that of ``Σ ⟨stat_tile, dL/dstat⟩`` plus its output rows' incoming gradient
        (``output_gradients``) — exact, since the statistics are sums of the tiles' contributions — added into
        the image's gradient at its rows (halos overlap and add up). Total variation is differentiated on the
        whole image."""
        h, stats, _ = self._tiled_forward(x, tiles)
        g, tail_terms = self._tail_gradient(h, self._segments[-1], combine)
        keys = list(stats)
        with tf.GradientTape() as tape:
            tape.watch([stats[k] for k in keys])
            own_terms = self._terms_from_stats(stats, x)
            own = combine(own_terms)
        dstats = dict(zip(keys, tape.gradient(own, [stats[k] for k in keys]), strict=True)) if keys else {}
        del tape
        height = int(x.shape[1])
        grad = tf.zeros_like(x, dtype=tf.float32)
        after = [g, *dstats.values()]
        for tile in tiles:
            with tf.control_dependencies(after):
                xt = tf.identity(x[:, tile.s:tile.e])
            with tf.GradientTape() as tape:
                tape.watch(xt)
                out, st, _ = self._tile_pass(xt, tile)
                # ⟨stat_tile, dL/dstat⟩: its gradient is the tile's share of the blocks' own terms' gradient
                lin = tf.add_n([tf.reduce_sum(st[k] * tf.stop_gradient(dstats[k])) for k in keys]) if keys else None
            a = tile.r0 // tile.align
            targets, grads = [out], [g[:, a:a + int(out.shape[1])]]
            if lin is not None:
                targets.append(lin)
                grads.append(tf.ones_like(lin))
            gt = tape.gradient(targets, xt, output_gradients=grads)
            del tape, st, out
            grad = grad + tf.pad(gt, [[0, 0], [tile.s, height - tile.e], [0, 0], [0, 0]])
            after = [grad]
        if self._tv_differentiated:
            with tf.GradientTape() as tape:
                tape.watch(x)
                tv = tw * losses.total_variation_loss(x)
            grad = grad + tape.gradient(tv, x)
        terms = {**own_terms, **tail_terms}
        return self._values(terms, self._style_sum(terms), x), grad

    def relative_total(self, values: Mapping[str, tf.Tensor]) -> tf.Tensor:
        """The weighted sum with the weights divided by the largest one (what L-BFGS minimizes).

        Scaling every weight by one factor leaves it bit-for-bit the same (the divided weights round to the same
        float32), so the L-BFGS run is the same run."""
        k = max(self.content_weight, self.style_weight, self.tv_weight) or 1.0
        return ((self.content_weight / k) * values["content"] + (self.style_weight / k) * values["style"]
                + (self.tv_weight / k) * values["tv"])


@shows_settings(RunConfig())
def stylize(content, style, config: RunConfig | None = None, *, weights: VGG19Weights | str | None = None,
            callback: Callable[[StepInfo], object] | None = None, progress: bool = False, start=None,
            extra_styles=(), mask=None, mask_styles=None, **settings) -> StyleResult:
    """Stylize ``content`` with ``style``: the TF2 engine (L-BFGS or Adam on a ``tf.function`` objective).

    Parameters
    ----------
    content, style : ndarray, str or os.PathLike
        Images as :func:`stylelib.samples.load_input` takes them: an array ``(H, W, 3)`` RGB (0–255, see
        :func:`stylelib.images.array_to_image`), an image file, or a sample name (``"sample:chelsea"``).
        The content is resized so its longest side is ``size``; the style to ``style_size`` (default: the
        same longest side). Their sizes may differ.
    config : RunConfig, optional
        The run's settings (default: ``RunConfig()``, art.py's numbers with L-BFGS from the content image).
    weights : VGG19Weights or str, optional
        Loaded weights, ``'keras'``, ``'random'`` or a path (default: ``$STYLELIB_WEIGHTS``, else ``'keras'``).
        ``'random'`` is always the seed-0 network; ``seed`` drives only the start image.
    callback : callable, optional
        ``callback(info: StepInfo)`` after every step; returning ``False`` stops the run (the result keeps
        everything so far and ``interrupted`` is True). Ctrl-C does the same.
    progress : bool
        Show a tqdm progress bar.
    start : ndarray, str or os.PathLike, optional
        An image to start from instead of ``init`` (resized to the content's size) — e.g. the picture of a
        stopped run, to resume it: ``ck = stylelib.run.load_checkpoint(path)``, then
        ``stylize(ck.content, ck.style, ck.config, start=ck.image, iterations=ck.remaining)``.
    extra_styles : sequence of (ndarray, str or os.PathLike)
        More style images (controls, :mod:`stylelib.controls`), resized like ``style``: style 1, 2, … (``style``
        is style 0). Without a mask their Gram matrices are blended with the weights ``style_blend`` (default:
        equal): the target of each layer is Σ_k w_k G_k / Σ_k w_k.
    mask : ndarray, str or os.PathLike, optional
        A label image (a PNG, an RGB array, or a 2-D array of labels) saying which style goes where — guided
        Gram matrices, Gatys et al. 2017 section 4.1 (:func:`stylelib.controls.load_mask`; a mask of the
        content's aspect ratio is resized with nearest neighbour). Regions whose label maps to ``None`` get no
        style and stay close to the content.
    mask_styles : mapping or str, optional
        ``{label: style index or None}`` (e.g. ``{"white": 0, "black": None}``, ``{1: 0, 2: 1, 0: None}``);
        default for a black-and-one-colour mask: black keeps the content, the colour gets style 0.
    **settings
        Any field of :class:`~stylelib.run.RunConfig`, changing ``config``: ``size`` (px), ``style_size``,
        ``iterations``, ``optimizer`` (``'lbfgs'``, ``'adam'``), ``learning_rate`` (Adam, pixel values),
        ``content_weight``, ``style_weight``, ``tv_weight``, ``content_layers``, ``style_layers`` (names or
        ``{name: w_l}``), ``content_normalization``, ``pooling``, ``init`` (``'content'``, ``'noise'``,
        ``'blend'``), ``noise_ratio``, ``seed``, ``device`` (``'auto'``, ``'cpu'``, ``'gpu:N'``),
        ``mixed_precision`` (float16 network, for GPUs); controls: ``colour`` (``'style'``, ``'luminance'``,
        ``'histogram'``), ``style_scale`` (the style image's size relative to its usual one), ``style_blend``
        (one weight per style image); performance: ``coarse_to_fine`` (``'auto'``: a coarse stage at half the
        size first, for results of 256 px and more; the coarse stages run the same controls), ``coarse_iterations``,
        ``bfloat16`` (bfloat16 network, Adam only).

    Returns
    -------
    StyleResult
        ``best_image`` (uint8 ``(H, W, 3)``, the lowest loss seen), ``history`` (one
        :class:`~stylelib.run.StepRecord` per step), ``config`` (the :class:`~stylelib.run.RunConfig`), …

    Raises
    ------
    ValueError
        A bad setting (one line naming it), an unknown layer, or a device TensorFlow does not see.
    TypeError
        An unknown setting name.
    stylelib.images.ImageError
        An input that is neither a readable image file nor a sample.
    stylelib.vgg19.WeightsError
        Weights that cannot be loaded (the message lists the ways out).
    stylelib.memory.MemoryEstimateError
        The run's estimated peak memory exceeds the memory available (the message gives a size that fits).
    stylelib.memory.OutOfMemoryError
        TensorFlow or Python ran out of memory anyway (one line, with a size that would fit).
    stylelib.run.NonFiniteLossError
        A loss became NaN or infinite (one line naming the step and the term; ``.result`` keeps what was done).

    Notes
    -----
    L-BFGS (scipy's L-BFGS-B, with the pixel range as box bounds) may end before ``iterations``: converged,
    or its line search found no better point; ``result.stop_reason`` says why. Adam runs every step.
    The losses are those of Gatys et al. (arXiv:1508.06576, equations 1–7) with art.py's weights.

    Examples
    --------
    >>> from stylelib.transfer import stylize
    >>> r = stylize("sample:chelsea", "sample:brick", size=32, iterations=2, weights="random",
    ...             optimizer="adam")
    >>> r.best_image.shape, [h.step for h in r.history], r.config.optimizer  # step 0: the start image
    ((21, 32, 3), [0, 1, 2], 'adam')
    """
    config = RunConfig.make(config, **settings)
    weights = load_weights(weights)
    device_name = pick_device(config.device)

    # the inputs at their own sizes, then the memory check at the sizes they are resized to, then the resize:
    # a size that cannot fit is refused before resizing allocates it
    content_img = load_input(content, what="content image")
    content_hw = _images.shape_at_longest(content_img, config.size)
    style_img = load_input(style, what="style image")
    side = controls.style_side(config, content_hw)
    with warnings.catch_warnings():  # refusals now; a close call is warned about once, by the check below
        warnings.simplefilter("ignore", memory.MemoryWarning)
        memory.check_memory(config, content_hw, _images.shape_at_longest(style_img, side),
                            device_memory="GPU" in device_name.upper())
    content_img, style_img = _images.at_longest(content_img, config.size), _images.at_longest(style_img, side)
    plan = controls.prepare(config, content_img, style_img, extra_styles=extra_styles, mask=mask,
                            mask_styles=mask_styles)  # issue 12: colour, scale, several styles, masks
    content_pre = _images.preprocess(plan.content, weights)
    style_pre = _images.preprocess(plan.styles[0], weights)
    if start is not None:
        start = plan.start(load_input(start, what="start image"))
    x0 = make_init(config.init, content_pre, seed=config.seed, noise_ratio=config.noise_ratio, weights=weights,
                   start=start)
    lo, hi = pixel_bounds(weights)

    on_gpu = "GPU" in device_name.upper()
    shapes = (config, content_img.shape[:2], plan.largest_style_hw)
    memory.check_memory(*shapes, device_memory=on_gpu)  # refuse a run that cannot fit, before allocating it
    with tf.device(device_name), memory.oom_guard(*shapes, device_memory=on_gpu):
        loop = _loop_for(config)
        if start is None and coarse_sides(config, max(content_img.shape[:2])):
            x0 = _coarse_to_fine_start(plan, weights, config, loop, x0, lo, hi, progress=progress)
        objective = StyleObjective.from_config(content_pre, style_pre, weights, config,
                                               **plan.objective_args(lambda x: _images.preprocess(x, weights)))
        del content_pre, style_pre  # the objective keeps their targets; the images are not needed again (memory)
        step_callback = plan.callback(callback)
        runner = loop(objective, x0, lo, hi, config.learning_rate, keep_last=step_callback is not None)
        run = RunRecorder(config.iterations, weights, step_callback, progress,
                          desc=f"stylize ({config.optimizer}, {device_name.split('device:')[-1]})")
        run.drive(lambda record: runner.run(config.iterations, record))
        try:
            result = run.result(runner.current(), runner.best() if run.history else x0, config, engine=ENGINE,
                                device=device_name, shape=content_img.shape)
        except NonFiniteLossError as e:
            e.result = plan.finish(e.result)
            raise
        return plan.finish(result)


def _coarse_to_fine_start(plan: controls.Controls, weights, config: RunConfig, loop, x0, lo, hi, *,
                          progress: bool = False) -> np.ndarray:
    """The full-size start image (preprocessed ``(1, H, W, 3)``) made by the coarse stages of
    :func:`stylelib.run.coarse_sides`: each stage starts from the previous one's best image, upsampled
    (bilinear), and runs ``coarse_iterations`` steps; the first starts from ``config.init`` at its size.

    Each stage runs the same controls as the full-size run, at its own size (:meth:`stylelib.controls.Controls.
    resized`: the content, the style images by the same factor, the mask's labels, the blend and the colour).
    ``progress`` shows each stage's own progress bar."""
    h, w = plan.content.shape[:2]
    iterations = config.coarse_iterations or max(1, config.iterations // 2)
    x = None
    for side in coarse_sides(config, max(h, w)):
        ch, cw = _images.longest_side_shape(h, w, side)
        try:
            stage = plan.resized(ch, cw)
        except ValueError:  # the mask's styled regions vanish at this size: the full-size run starts as without
            return x0
        c_pre = _images.preprocess(stage.content, weights)
        s_pre = _images.preprocess(stage.styles[0], weights)
        if x is None:
            start = make_init(config.init, c_pre, seed=config.seed, noise_ratio=config.noise_ratio, weights=weights)
        else:
            start = _upsample(x, ch, cw, lo, hi)
        objective = StyleObjective.from_config(c_pre, s_pre, weights, config, **stage.objective_args(
            lambda im: _images.preprocess(im, weights)))
        runner = loop(objective, start, lo, hi, config.learning_rate, keep_last=False)
        recorder = RunRecorder(iterations, weights, None, progress, desc=f"coarse stage {cw}x{ch}")
        recorder.drive(lambda record, runner=runner: runner.run(iterations, record))
        if recorder.failure is not None or not recorder.history:
            return x0  # a coarse stage that went wrong: the full-size run starts as it would without one
        x = runner.best()
        del runner, recorder, objective  # the stage's objective and traced step hold its activations' buffers:
        gc.collect()  # free them (a tf.function on a bound method is a reference cycle) before the next stage
    return _upsample(x, h, w, lo, hi)


def _upsample(x: np.ndarray, h: int, w: int, lo, hi) -> np.ndarray:
    """A preprocessed image resized (bilinear) to ``h × w`` and clipped to the pixel bounds."""
    up = tf.image.resize(tf.constant(x, tf.float32), (h, w), method="bilinear").numpy()
    return np.clip(up, lo, hi).astype(np.float32)


def _loop_for(config: RunConfig):
    """The optimizer loop class of ``config`` (called as ``loop(objective, x0, lo, hi, learning_rate,
    keep_last=...)``), with its settings from ``config`` (L-BFGS: ``lbfgs_history``)."""
    if config.optimizer == "adam":
        return _AdamLoop
    return functools.partial(_LbfgsLoop, history=config.lbfgs_history)


class _AdamLoop:
    """Adam on the image variable, one compiled step per update.

    ``keep_last`` keeps a copy of each measured image (the image before the update), which only a callback's
    ``StepInfo.image()`` needs; without it a step makes no copy of the image besides the best one."""

    def __init__(self, objective: StyleObjective, x0, lo, hi, learning_rate, keep_last: bool = True):
        import keras

        self.objective = objective
        self.x = tf.Variable(x0, dtype=tf.float32, name="image")
        self.lo = tf.constant(lo)
        self.hi = tf.constant(hi)
        self.opt = keras.optimizers.Adam(learning_rate=learning_rate)
        self.opt.build([self.x])
        # The best image is kept on the device, next to the image: no per-step copy to the host.
        self.best_x = tf.Variable(x0, dtype=tf.float32, name="best_image")
        self.last_x = tf.Variable(x0, dtype=tf.float32, name="last_measured_image")
        self.best_loss = tf.Variable(np.inf, dtype=tf.float32, name="best_loss")
        self.keep_last = keep_last
        self._step = tf.function(self._step_fn)
        self._measure = tf.function(self._measure_fn)

    def _keep_if_best(self, values) -> None:
        if self.keep_last:
            self.last_x.assign(self.x)
        if values["total"] < self.best_loss:  # autograph turns this into a tf.cond
            self.best_loss.assign(values["total"])
            self.best_x.assign(self.x)

    def _step_fn(self):
        values, grad = self.objective.value_and_gradient(self.x)
        self._keep_if_best(values)
        self._apply(grad)
        self.x.assign(tf.clip_by_value(self.x, self.lo, self.hi))
        return values

    def _apply(self, grad) -> None:
        # What ``self.opt.apply_gradients([(grad, self.x)])`` does for this optimizer (one variable, no clipping,
        # weight decay, loss scale or moving average): Adam's update rule, then the step count — the same ops,
        # the same values bit for bit (tests check it). Not apply_gradients itself: it first sums the gradient
        # over tf.distribute's replicas (one here) through tf.custom_gradient, which in a traced function registers
        # a gradient function in TensorFlow's global registry, never removed, that holds the traced graph — and
        # with it every tensor the graph captured: the objective's copy of the weights and its targets, 55–80 MB
        # that every stylize call left behind for good (tensorflow/tensorflow#97697; issue 11, kernel memory).
        self.opt.update_step(grad, self.x, self.opt.learning_rate)
        self.opt.iterations.assign_add(1)

    def _measure_fn(self):
        values = self.objective(self.x)
        self._keep_if_best(values)
        return values

    def run(self, iterations: int, record) -> None:
        # each compiled step measures the image, then updates it: the losses it returns are those of the image
        # after the previous update. Step 0 is the start image; the image after the last update is measured
        # on its own.
        for i in range(iterations):
            self.step(i, record)
        record(iterations, self._measure(), self._last_image)

    def step(self, i: int, record) -> None:
        """One update (step ``i``: its losses are those of the image before it), recorded."""
        record(i, self._step(), self._last_image)

    def _last_image(self) -> np.ndarray:
        if not self.keep_last:
            raise RuntimeError("this Adam loop keeps no copy of the measured image (keep_last=False)")
        return self.last_x.numpy()

    def current(self) -> np.ndarray:
        return self.x.numpy()

    def best(self) -> np.ndarray:
        return self.best_x.numpy()


class _LbfgsLoop:
    """scipy's L-BFGS-B over the flattened image, with the pixel range as box bounds.

    scipy's stopping tests are absolute (the projected gradient against ``pgtol``; the decrease against
    ``ftol·max(|f|, 1)``), and with box bounds its first step is the gradient itself: the same run with every
    loss weight ×1e-6 would take a tiny first step and stop. So scipy sees a problem without a scale:

    * the function is :meth:`StyleObjective.relative_total` (the weights divided by the largest one) divided
      by its value at the start image, so the decrease test is relative to the starting loss; the gradient
      test is off (``gtol=0``);
    * the variables are the pixels divided by ``c``, chosen so that the first step (minus the gradient) moves
      the steepest pixel by :data:`FIRST_STEP` pixel values; the line search then shortens or lengthens it.

    Both factors cancel when every weight is multiplied by one number: the run is the same, bit for bit.
    """

    FIRST_STEP = 255.0  # pixel values: the whole range, as a raw loss of art.py's scale gives (and the box clips)

    def __init__(self, objective: StyleObjective, x0, lo, hi, learning_rate, keep_last: bool = True,
                 history: int = 10):
        self.objective = objective
        self.shape = x0.shape
        self.history = int(history)
        self._x0 = np.asarray(x0, np.float32)
        self._lo = np.asarray(lo, np.float64)  # per channel: the bounds are made image-sized once, for scipy
        self._hi = np.asarray(hi, np.float64)
        self.x = self._x0.ravel()  # the current image, float32 pixels (preprocessed), not scaled
        self._last = None  # (scaled point, loss values, relative total, gradient) of the last evaluation
        self._best = (math.inf, self.x)
        self._step = 0  # iterations finished
        self._record = None
        self._f_scale = 1.0  # 1 / the relative total at the start image
        self._c = 1.0  # pixels = c × scipy's variables

        @tf.function
        def value_and_grad(x):
            values, grad = self.objective.value_and_gradient(x, relative=True)
            return values, self.objective.relative_total(values), grad

        self._vg = value_and_grad

    def _evaluate_pixels(self, pixels: np.ndarray):
        """(loss values, relative total, gradient float32 (n,)) at the float32 pixels ``pixels`` (n,)."""
        values, relative, grad = self._vg(tf.constant(pixels.reshape(self.shape)))
        values = {k: float(v) for k, v in values.items()}
        if not math.isfinite(values["total"]) and self._record is not None:
            # scipy would go on (or stop with a vague message) on a NaN/inf loss; record() raises with the
            # step and the term that went bad, so the run ends with one clear line
            self._record(self._step + 1, values, lambda: pixels.reshape(self.shape).copy())
        return values, float(relative), grad.numpy().ravel()

    def _fg(self, y: np.ndarray, g: np.ndarray) -> float:
        """scipy's function at the scaled point ``y``: the relative total over its start value; its gradient is
        written into ``g`` (float64). The pixels are ``c·y`` rounded to float32, as TensorFlow gets them."""
        pixels = np.empty(y.shape, np.float32)
        np.multiply(y, self._c, out=pixels, casting="same_kind")  # = (c·y).astype(float32)
        values, relative, grad = self._evaluate_pixels(pixels)
        np.multiply(grad, np.float64(self._c * self._f_scale), out=g)  # in float64, as grad.astype(float64) · s
        self._last = (pixels, values)
        return relative * self._f_scale

    def run(self, iterations: int, record) -> None:
        self._record = record
        self._step = -1  # a bad loss found now is the start image's: step 0
        values, relative, grad = self._evaluate_pixels(self.x)
        self._step = 0
        self._f_scale = 1.0 / abs(relative) if relative else 1.0
        steepest = float(np.abs(grad).max()) * self._f_scale
        self._c = math.sqrt(self.FIRST_STEP / steepest) if steepest > 0 else 1.0
        del grad
        self._best = (values["total"], self.x)
        record(0, values, lambda: self._x0.copy())  # step 0: the start image (self._x0 is never changed)

        def on_iteration(y):
            pixels, values = self._last  # the values at y: lbfgs_b has evaluated y last
            self._step += 1
            self.x = pixels
            if values["total"] < self._best[0]:
                self._best = (values["total"], self.x)
            record(self._step, values, self.current)

        # scipy's variables and bounds: the pixels and the pixel range divided by c. Each is image-sized float64
        # (17 MB at 1024 px): lbfgs_b works in y0 itself (overwrite_x0) and reads the bounds without copying them
        y0 = np.divide(self._x0.ravel(), self._c, dtype=np.float64)
        lower = np.empty(self.shape, np.float64)
        lower[...] = self._lo
        lower /= self._c
        upper = np.empty(self.shape, np.float64)
        upper[...] = self._hi
        upper /= self._c
        message = lbfgs_b(self._fg, y0, lower.ravel(), upper.ravel(), history=self.history, maxiter=iterations,
                          maxfun=iterations * 3, callback=on_iteration, overwrite_x0=True)
        if self._step >= iterations:
            return "completed"
        return f"L-BFGS-B stopped after {self._step} of {iterations} iterations: {message}"

    def current(self) -> np.ndarray:
        return self.x.reshape(self.shape).copy()

    def best(self) -> np.ndarray:
        return self._best[1].reshape(self.shape).copy()


def interpolate_styles(content, style_a, style_b, ts=(0.0, 0.25, 0.5, 0.75, 1.0), config: RunConfig | None = None,
                       **kwargs) -> list[StyleResult]:
    """Style interpolation (issue 12): one :func:`stylize` run per ``t``, with the blended Gram targets
    ``(1 − t) G_a + t G_b`` (``style_blend=(1 − t, t)``) — a strip from ``style_a`` (t = 0, exactly the run with
    ``style_a`` alone) to ``style_b`` (t = 1).

    Parameters
    ----------
    content, style_a, style_b : ndarray, str or os.PathLike
        As :func:`stylize` takes them.
    ts : sequence of float
        The blend weights of ``style_b``, each in [0, 1].
    config, **kwargs
        The runs' settings and :func:`stylize`'s other keywords (``weights``, ``size``, ``iterations`` …; not
        ``style_blend`` or ``extra_styles``, which this sets).

    Returns
    -------
    list of StyleResult
        One per ``t``, in order; :func:`stylelib.controls.strip` puts their ``best_image`` s side by side.

    Raises
    ------
    ValueError
        A ``t`` outside [0, 1], or ``style_blend``/``extra_styles`` given.
    """
    for key in ("style_blend", "extra_styles", "mask"):
        if key in kwargs:
            raise ValueError(f"interpolate_styles sets the blend of style_a and style_b itself; drop {key}=")
    ts = [float(t) for t in ts]
    bad = [t for t in ts if not 0.0 <= t <= 1.0]
    if bad or not ts:
        raise ValueError(f"interpolate_styles takes weights t in [0, 1] (0: style_a only, 1: style_b only); got "
                         f"{bad[0] if bad else 'none'}")
    return [stylize(content, style_a, config, extra_styles=[style_b], style_blend=(1.0 - t, t), **kwargs)
            for t in ts]
