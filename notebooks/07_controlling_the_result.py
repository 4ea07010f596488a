# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 07 · Controlling the result: colour, scale, space and several styles
#
# **The idea:** the style cost is a knob — what you feed the Gram matrices (which image, in which colours, at which
# size, over which region, mixed with which other style) decides what the result takes from the style.
#
# **Prerequisites:** notebooks 05 (the Gram matrix and the style cost) and 06 (the optimization, `stylize`).
# **Time:** about 45 minutes.
#
# **What you will learn** — the controls of Gatys et al. 2017,
# [*Controlling Perceptual Factors in Neural Style Transfer*](https://arxiv.org/abs/1611.07865) (CVPR 2017), as
# `stylelib` runs them:
#
# 1. **colour:** luminance-only transfer (stylize the luminance, keep the content's chroma) and matching the style
#    image's colours to the content first;
# 2. **scale:** the style image's size (`style_scale`), and coarse-to-fine rendering;
# 3. **space:** masks — a style, or none, per region — through *guided* Gram matrices, written out in TF1 and TF2;
# 4. **several styles:** blended Gram targets, and an interpolation strip from one style to another.
#
# *To run it: in a terminal, in the repository's root folder, type `make lab`, then **Run ▸ Run All Cells**.
# Without the trained VGG-19 weights (`stylelib weights` tells), start with `STYLELIB_WEIGHTS=random make lab`: the
# setup cell then prints a banner and pictures carry a red "RANDOM WEIGHTS" label. The saved outputs were made
# with random weights. This notebook is paired with `07_controlling_the_result.py` (jupytext);
# `notebooks/README.md` says how to edit it.*

# %%
from stylelib import notebook

import time

import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf

from stylelib import controls, losses, samples, session, transfer, viz
from stylelib.extractor import FeatureExtractor
from stylelib.images import preprocess, resize_to
from stylelib.run import RunConfig, coarse_sides

tf1 = tf.compat.v1
tf.get_logger().setLevel("ERROR")  # every stylize() run compiles its own step; TF warns of "retracing" after five
cfg = notebook.setup(seed=0)
W, RANDOM = cfg.weights, cfg.random_weights

SIZE = notebook.pick(32, 128)      # longest side of the content, pixels
ITERS = notebook.pick(3, 20)       # L-BFGS iterations per run
# quick mode (the tests) uses a shallow network; full mode art.py's layers (conv4_2; conv1_1 ... conv5_1)
LAYERS = notebook.pick(dict(content_layers=("conv2_2",), style_layers=("conv1_1", "conv2_1")), {})
STYLE, STYLE_B = "sample:stained_glass", "sample:hubble"
RUN = dict(size=SIZE, iterations=ITERS, weights=W, seed=0, **LAYERS)   # the settings every run below shares

content_img = samples.load_input("chelsea", SIZE)
style_img = samples.load_input(STYLE, SIZE)
plain = transfer.stylize(content_img, STYLE, **RUN)                     # no control: notebook 06's run


def history(result):
    """A run's losses per step (without the wall time): two runs are the same run when these are equal."""
    return [(h.step, h.content, h.style, h.total) for h in result.history]


print("content", content_img.shape, "| style", style_img.shape, "| plain run:", len(plain.history) - 1, "steps")
assert plain.best_image.shape == content_img.shape

# %% [markdown]
# ## 0 · The knob
#
# Notebook 05's style cost compares, at each style layer $l$, the Gram matrix of the generated image's features,
# $G^l = F^{l\top} F^l$ ($F^l$: $M_l$ positions × $N_l$ filters), with the style image's, $A^l$:
#
# $$E_l = \frac{1}{4 N_l^2 M_l^2} \sum_{i,j} \left(G^l_{ij} - A^l_{ij}\right)^2, \qquad
#   \mathcal{L}_{style} = \sum_l w_l E_l .$$
#
# A Gram matrix sums over positions, so it keeps *which features occur together* and forgets *where*. Each control
# changes what goes into it:
#
# | control | what changes | `stylize(...)` |
# |---|---|---|
# | colour | the images the network sees: grey (luminance only), or a recoloured style | `colour='luminance'`, `'histogram'` |
# | scale | the size of the style image, so the size of the patterns in $A^l$ | `style_scale=0.5`; `coarse_to_fine=` |
# | space | $F^l$ multiplied by a mask before the Gram matrix: one $G$ per region | `mask=`, `mask_styles=` |
# | several styles | $A^l$ = a weighted mean of several styles' Gram matrices | `extra_styles=[...]`, `style_blend=` |
#
# Nothing else changes: the same network, the same content cost, the same optimizer.

# %% [markdown]
# ## 1 · Colour
#
# A style image brings its colours along: `conv1_1` reads the pixels' R, G, B directly, and its Gram matrix pairs
# them. To keep the photo's colours, the paper (section 5.1) transfers the style on the **luminance** only. In the YIQ colour space
# (the NTSC television standard) Y is the luminance and I, Q the chroma:
#
# $$\begin{pmatrix} Y \\ I \\ Q \end{pmatrix} =
#   \begin{pmatrix} 0.299 & 0.587 & 0.114 \\ 0.5959 & -0.2746 & -0.3213 \\ 0.2115 & -0.5227 & 0.3112 \end{pmatrix}
#   \begin{pmatrix} R \\ G \\ B \end{pmatrix}$$
#
# `stylize(..., colour='luminance')` gives the network grey images (R = G = B = Y): the content's luminance, and
# the style's with its mean and standard deviation matched to the content's (so the style's brightness does not
# override the photo's). It stylizes that, then takes the stylized Y with the **content's** I and Q back to RGB.
# Below, that last step written out in NumPy, checked against `controls.with_chroma_of`; then the check that
# matters: the result's chroma is the content's.

# %%
lum = transfer.stylize(content_img, STYLE, colour="luminance", **RUN)

YIQ = np.array([[0.299, 0.587, 0.114], [0.5959, -0.2746, -0.3213], [0.2115, -0.5227, 0.3112]])


def keep_chroma(stylized, content):
    """The luminance of `stylized` with the chroma of `content` (RGB (H, W, 3) in 0-255), back in RGB."""
    y = np.asarray(stylized, np.float64) @ YIQ[0]               # (H, W)
    iq = np.asarray(content, np.float64) @ YIQ[1:].T            # (H, W, 2)
    return np.clip(np.dstack([y, iq]) @ np.linalg.inv(YIQ).T, 0, 255)


mine = keep_chroma(plain.best_image, content_img)              # recolour the plain run's result
assert np.allclose(YIQ, controls.RGB_TO_YIQ)
assert np.allclose(mine, controls.with_chroma_of(plain.best_image, content_img), atol=1e-3)

plan = controls.prepare(RunConfig(colour="luminance"), content_img, style_img)   # what stylize gives the network
grey = all(np.ptp(img, axis=-1).max() == 0 for img in (plan.content, *plan.styles))
same_mean_y = abs(plan.styles[0][..., 0].mean() - controls.luminance(content_img).mean()) < 1.0   # the style's Y
result = lum.best_image.astype(np.float32)
moved = np.abs(controls.chroma(result) - controls.chroma(content_img)).max(axis=-1)   # (H, W): chroma change
clipped = (lum.best_image == 0).any(-1) | (lum.best_image == 255).any(-1)           # pixels clipped to 0 or 255
plain_moved = np.abs(controls.chroma(plain.best_image.astype(np.float32)) - controls.chroma(content_img))
print(f"the network saw grey images: {grey}, the style's with the content's mean luminance: {same_mean_y}")
print(f"chroma change (I, Q; 0-255 units): luminance-only {moved.mean():.2f} on average, "
      f"{moved[~clipped].max():.2f} at most outside the {clipped.sum()} clipped pixels; "
      f"plain run {plain_moved.mean():.1f} on average")
print(f"luminance change: {np.abs(controls.luminance(result) - controls.luminance(content_img)).mean():.1f}")
assert grey and same_mean_y and moved.mean() <= 0.3 and moved[~clipped].max() <= 1.0   # uint8 rounding moves I or Q by <= 0.6
assert plain_moved.mean() > 10 * moved.mean()

# %% [markdown]
# The other way (section 5.2): **recolour the style image first**, so it has the content's colours, then run as
# usual. `colour='histogram'` moves each style pixel $p$ by the linear map that gives the style the content's mean
# colour $\mu_C$ and 3×3 colour covariance $\Sigma_C$:
#
# $$p' = \Sigma_C^{1/2}\,\Sigma_S^{-1/2}\,(p - \mu_S) + \mu_C \qquad
#   \Rightarrow \qquad \mathrm{mean}(p') = \mu_C, \quad \mathrm{cov}(p') = \Sigma_C$$
#
# (symmetric matrix square roots). Luminance-only keeps the content's colours exactly but loses how the style ties
# colour to strokes; matching keeps that tie but reproduces the content's colours only in their mean and covariance.

# %%
matched = controls.match_colours(style_img, content_img)
hist = transfer.stylize(content_img, STYLE, colour="histogram", **RUN)


def mean_cov(img):
    px = np.asarray(img, np.float64).reshape(-1, 3)
    return px.mean(axis=0), np.cov(px, rowvar=False)


(mu_c, cov_c), (mu_s, cov_s), (mu_m, cov_m) = mean_cov(content_img), mean_cov(style_img), mean_cov(matched)
print("mean colour (R, G, B): content", mu_c.round(), "| style", mu_s.round(), "| matched style", mu_m.round())
print(f"largest covariance gap to the content's: style {np.abs(cov_s - cov_c).max():.0f}, "
      f"matched style {np.abs(cov_m - cov_c).max():.1f} (the content's largest entry: {np.abs(cov_c).max():.0f})")
assert np.abs(mu_m - mu_c).max() <= 0.5 and np.allclose(cov_m, cov_c, rtol=0.02, atol=1.0)
assert np.abs(mu_s - mu_c).max() > 10                          # the style's colours were far from the content's

# %% tags=["weights-picture", "nbval-check-output"]
notebook.show(viz.show_images(
    [content_img, style_img, plain.best_image, lum.best_image, matched, hist.best_image],
    ["content", "style", "plain", "colour='luminance'", "style, colours matched", "colour='histogram'"],
    ncols=3, size=2.6, random_weights=RANDOM))

# %% [markdown]
# The pictures (random weights: texture, not painting) show the mechanics: the plain run takes the stained glass's
# colours; the luminance-only run has the cat's colours with the stylized light and dark; the matched style has the
# cat's palette, and so does its run. With trained weights the same holds for the colours; the strokes would be
# the stained glass's cells and lead lines.
#
# ## 2 · Scale
#
# The network's receptive fields have fixed sizes in pixels, so the Gram matrices describe patterns of a given size
# *in pixels*. Resizing the style image changes which patterns they see: at half the size, a 20-pixel pane becomes
# a 10-pixel pane, and the result gets finer patterns. `style_scale=0.5` multiplies the style image's usual size
# (`style_size`, else `size`) by 0.5; `style_scale=1` is the plain run. Below we watch the run resize the style: a
# wrapper around `controls.prepare` (the function `stylize` calls with the loaded images) keeps what it was given.

# %%
seen = []
prepare = controls.prepare
controls.prepare = lambda config, content, style, **kw: seen.append(style.shape) or prepare(config, content, style, **kw)
try:
    half = transfer.stylize(content_img, STYLE, style_scale=0.5, **RUN)
finally:
    controls.prepare = prepare                                 # put the library back as it was
side = max(seen[0][:2])
print(f"longest side of the style image the run used: {side} px (size={SIZE}, style_scale=0.5)")
assert side == round(SIZE / 2) == controls.style_side(half.config, content_img.shape[:2])
assert controls.style_side(plain.config, content_img.shape[:2]) == SIZE   # the plain run's: style_scale=1

# %% tags=["weights-picture", "nbval-check-output"]
notebook.show(viz.show_images(
    [style_img, samples.load_input(STYLE, side), plain.best_image, half.best_image],
    [f"style, {SIZE} px", f"style, {side} px", "style_scale=1", "style_scale=0.5"],
    size=2.4, random_weights=RANDOM))

# %% [markdown]
# **Coarse-to-fine.** Large pictures are slow: a step's cost grows with the number of pixels. The paper also uses
# scale to "more efficiently produce large size, high-quality stylisation" (its abstract): stylize a small version
# first, then refine it at full size. `stylize` does this with `coarse_to_fine`: stages at fractions of the size, coarsest first, each `coarse_iterations` steps,
# each starting from the previous stage's best image upsampled; then `iterations` steps at full size. By default
# (`'auto'`) it is on from 512 px. The stages for a few sizes:

# %% tags=["nbval-check-output"]
for side in (256, 512, 1024, 1600):
    print(f"{side:5} px: coarse stages {coarse_sides(RunConfig(), side)}")
print("coarse_to_fine=0.5 at 128 px:", coarse_sides(RunConfig(coarse_to_fine=0.5), 128))
assert coarse_sides(RunConfig(), 1600) == [400, 800] and coarse_sides(RunConfig(), 256) == []
assert coarse_sides(RunConfig(coarse_to_fine=None), 1600) == []

# %% [markdown]
# Below, the same result size twice, with Adam (one loss-and-gradient per step, so steps count the work): plain,
# `2K` steps at full size; coarse-to-fine, `K` steps at half size (a quarter of the pixels), then `K` at full size.
# A callback notes the time since the call at each full-size step (the coarse stage reports none), so the curves
# share a clock. The cell asserts the work; it prints the times and losses, which depend on the machine and the
# weights. (`'auto'` waits for 512 px: at 128 px it was measured slower than a plain L-BFGS run, the coarse stage's
# own set-up — targets, tracing — being paid again; `docs/PERFORMANCE.md` has the measurements.)

# %%
K = ITERS
curves = {}
for name, c2f in {"plain": None, "coarse-to-fine": 0.5}.items():
    times, t0 = [], time.perf_counter()
    run = transfer.stylize(content_img, STYLE, optimizer="adam", coarse_to_fine=c2f, coarse_iterations=K,
                           callback=lambda info, times=times, t0=t0: times.append(time.perf_counter() - t0),
                           **{**RUN, "iterations": 2 * K if c2f is None else K})
    curves[name] = (run, np.array(times))
full_size = {name: len(run.history) for name, (run, _) in curves.items()}
stage = coarse_sides(RunConfig(coarse_to_fine=0.5), SIZE)
print(f"loss evaluations at full size: {full_size}; in the coarse stage: {K + 1}, at {stage[0]} px")
for name, (run, times) in curves.items():
    print(f"{name:15}: final loss {run.history[-1].total:.3g} after {times[-1]:.1f} s")
assert full_size == {"plain": 2 * K + 1, "coarse-to-fine": K + 1} and stage == [round(SIZE / 2)]

fig, ax = plt.subplots(figsize=(6, 3.4))
for name, (run, times) in curves.items():
    ax.plot(times, run.series("total"), marker=".", label=name)
ax.set(xlabel="seconds since the call", ylabel="total loss", yscale="log", title=f"{SIZE} px, Adam")
ax.legend()
viz.mark_random(fig, RANDOM)
notebook.show(fig)

# %% [markdown]
# ## 3 · Space: guided Gram matrices
#
# A mask says which style goes where (or none). The paper's spatial control gives each region $r$ a guidance
# channel $T_r$ — 1 inside the region, 0 outside — resized to each layer's feature map ($T_r^l$, here by averaging
# over the pixels each position covers: `controls.layer_guidance`). The features are multiplied by it before the
# Gram matrix, so only the region's positions count:
#
# $$G^l_r = \left(F^l \circ T^l_r\right)^\top \left(F^l \circ T^l_r\right), \qquad
#   A^l_r = \frac{\sum_p T^l_r(p)^2}{M_l}\, A^l ,$$
#
# and the target is the style's Gram matrix scaled to the region's share of positions (a region is compared with
# the style per position, as a whole image is). The layer's cost sums $E_l$'s formula over the regions. A region
# with no style has no style cost: only the content cost acts there. First the guided Gram matrix of one layer, in
# TF1: a graph with a placeholder for the features, the guidance as a constant, run in a `Session`.

# %%
LAYER = "conv2_1"
mask = controls.preset_mask("left half", *content_img.shape[:2])    # (H, W) uint8: 1 = style, 0 = keep the content
regions = controls.load_mask(mask, None, content_img.shape[:2])      # default: label 0 gets no style, 1 gets style 0
weight = regions.regions[0][1]                                       # (H, W) float32 guidance channel of style 0
content_pre = preprocess(content_img, W)
style_pre = preprocess(resize_to(style_img, *content_img.shape[:2]), W)   # one size: A needs no rescaling here
extractor = FeatureExtractor(W, [LAYER])
F = extractor(tf.constant(content_pre))[LAYER]                       # (1, h, w, N): the features to guide
t = controls.layer_guidance(weight, *F.shape[1:3])                   # the mask at the layer's size

g = tf.Graph()
with g.as_default():
    feats = tf1.placeholder(tf.float32, F.shape, name="features")
    guide = tf.constant(t[None, :, :, None], name="guide")            # (1, h, w, 1): broadcast over the filters
    f_r = tf.reshape(feats * guide, (-1, F.shape[-1]))                # (M, N): each position times its weight
    guided_gram = tf.matmul(f_r, f_r, transpose_a=True)               # (N, N)
with tf1.Session(graph=g) as sess:
    G_tf1 = sess.run(guided_gram, {feats: F.numpy()})
print(f"mask {mask.shape} -> guidance at {LAYER} {t.shape}, values {sorted(float(v) for v in np.unique(t.round(2)))}; "
      f"guided Gram matrix {G_tf1.shape} ({notebook.type_name(G_tf1)})")
assert G_tf1.shape == (F.shape[-1],) * 2 and t.shape == tuple(F.shape[1:3]) and 0 <= t.min() <= t.max() <= 1

# %% [markdown]
# The same in TF2: a function, run eagerly. Then the check against the library: `StyleObjective(..., regions=...)`
# holds a `controls.GuidedStyle`, whose guidance must be ours and whose style cost must be ours.

# %% tags=["nbval-check-output"]
def guided_gram(features, guidance):
    f = features * guidance[None, :, :, None]
    f = tf.reshape(f, (-1, f.shape[-1]))
    return tf.matmul(f, f, transpose_a=True)


G_r = guided_gram(F, t)
M, N = float(F.shape[1] * F.shape[2]), float(F.shape[-1])
A_r = losses.gram_matrix(extractor(tf.constant(style_pre))[LAYER]) * float(np.sum(t.astype(np.float64) ** 2) / M)
E_mine = float(tf.reduce_sum(tf.square(G_r - A_r)) / (4 * N**2 * M**2))

objective = transfer.StyleObjective(content_pre, style_pre, W, content_layers={LAYER: 1.0},
                                    style_layers={LAYER: 1.0}, regions=regions)
E_lib = float(objective.guided.loss({LAYER: F}, {LAYER: 1.0}))
same_guide = np.array_equal(objective.guided.guides[LAYER][0].numpy()[0, :, :, 0], t)
print(f"TF2 = TF1 guided Gram: {np.allclose(G_r, G_tf1, rtol=1e-5)}; the library's guidance is ours: {same_guide}; "
      f"its style cost is ours (within 1e-5): {np.isclose(E_lib, E_mine, rtol=1e-5)}")
assert np.allclose(G_r, G_tf1, rtol=1e-5) and same_guide and np.isclose(E_lib, E_mine, rtol=1e-5)

# %% [markdown]
# Now the run: `mask=` takes the label image; by default (a black-and-one-colour mask) black keeps the content and
# the other label gets the style. The cell measures how far each column of the result is from the photo.

# %% tags=["weights-picture"]
masked = transfer.stylize(content_img, STYLE, mask=mask, **RUN)
change = np.abs(masked.best_image.astype(np.float32) - content_img).mean(axis=-1)   # (H, W), grey levels
w = content_img.shape[1]
styled, kept, far = change[:, : w // 2].mean(), change[:, w // 2:].mean(), change[:, 3 * w // 4:].mean()
print(f"mean change: styled half {styled:.1f}, kept half {kept:.1f}, its outer half (farthest from the edge) {far:.1f}")
assert kept < styled / 4 and far < styled / 10

fig, axes = plt.subplots(1, 4, figsize=(12, 2.8))
for ax, img, title in zip(axes[:3], [content_img, mask * 255, masked.best_image],
                          ["content", "mask (white: style)", "mask='left half'"], strict=True):
    ax.imshow(img.astype(np.uint8), cmap="gray", vmin=0, vmax=255)
    ax.set(title=title, xticks=[], yticks=[])
axes[3].plot(change.mean(axis=0))
axes[3].axvline(w / 2, color="grey", ls="--")
axes[3].set(title="change per column", xlabel="column", ylabel="grey levels")
viz.mark_random(fig, RANDOM)
notebook.show(fig)

# %% [markdown]
# The kept half is not untouched: near the edge it moves. A feature of the styled half sees pixels across the edge
# (receptive fields, notebook 01), so the style cost pulls them too — far with art.py's deep layers (the curve falls
# over the whole kept half), a few pixels with the shallow layers of quick mode. Far from the edge only the content
# cost acts, and the photo stays.
# With trained weights the styled half shows the style's strokes; the geometry of the leak is the same.
#
# ## 4 · Several styles
#
# With several style images $k$ and weights $w_k$, the target of each layer is the weighted mean of their Gram
# matrices — one mixed "style" the generated image must match:
#
# $$A^l = \frac{\sum_k w_k\, A^l_k}{\sum_k w_k}.$$
#
# `stylize(content, style, extra_styles=[other], style_blend=(w_0, w_1))`; `transfer.interpolate_styles` makes one
# run per $t$ with `style_blend=(1 - t, t)`, and `controls.strip` puts the results side by side. The weights
# `(1, 0)` multiply nothing away: the run is the single-style run, step for step.

# %% tags=["weights-picture", "nbval-check-output"]
TS = notebook.pick((0.0,), (0.0, 0.25, 0.5, 0.75, 1.0))   # the blend weight t of the second style
mix = transfer.interpolate_styles(content_img, STYLE, STYLE_B, ts=TS, **RUN)
print(f"t = 0 (style_blend=(1, 0)) is the single-style run: the same losses at every step: "
      f"{history(mix[0]) == history(plain)}, the same picture: {np.array_equal(mix[0].best_image, plain.best_image)}")
assert history(mix[0]) == history(plain) and np.array_equal(mix[0].best_image, plain.best_image)

picture = controls.strip([samples.load_input(STYLE, SIZE)] + [r.best_image for r in mix]
                         + [samples.load_input(STYLE_B, SIZE)])
fig, ax = plt.subplots(figsize=(12, 2.6))
ax.imshow(picture)
ax.set(title=f"stained glass | t = {', '.join(f'{t:g}' for t in TS)} | hubble", xticks=[], yticks=[])
viz.mark_random(fig, RANDOM)
notebook.show(fig)

# %% [markdown]
# The TF1 engine, `session.run_art` (notebook 06), runs art.py's loop and none of these controls. It does not
# ignore them silently: it refuses them in one line, before it builds anything.

# %% tags=["nbval-check-output"]
try:
    session.run_art(content_img, STYLE, size=SIZE, iterations=1, weights=W, colour="luminance")
    refusal = None
except ValueError as e:
    refusal = str(e)
print(refusal)
assert refusal and "use stylelib.transfer.stylize" in refusal and "\n" not in refusal

# %% [markdown]
# ## Exercises
#
# The solutions are in `solutions/07_solutions.ipynb` — try first.
#
# 1. **Luminance-only in TF.** Write `keep_chroma` with TensorFlow ops (`tf.tensordot`, `tf.linalg.inv`), for an
#    image batch `(1, H, W, 3)`, and check it against `controls.with_chroma_of` on two images (`plain.best_image`
#    and the photo, say).
# 2. **A blended target.** For `conv1_1`, compute $A = (0.7\,A_{glass} + 0.3\,A_{hubble}) / (0.7 + 0.3)$ from the
#    two style images (resized to the content's size) with `losses.gram_matrix`, and check it against
#    `transfer.StyleObjective(..., extra_styles_pre=[...], style_blend=(0.7, 0.3)).style_targets`.
# 3. **Two styles, one mask.** Make a mask whose left half gets the stained glass and right half the Hubble picture
#    (`mask_styles={...}`, `extra_styles`). Compute the guided style cost of `conv2_1` by hand — both regions — and
#    check it against `StyleObjective(..., regions=...).guided.loss`.

# %%
# Exercise 1: your code here

# %%
# Exercise 2: your code here

# %%
# Exercise 3: your code here

# %% [markdown]
# ## Summary
#
# - Every control changes what the Gram matrices are given; the network, the content cost and the optimizer stay.
# - **Colour:** `colour='luminance'` stylizes Y and puts the content's I, Q back (chroma kept up to uint8 rounding and
#   clipping); `colour='histogram'` gives the style the content's mean colour and colour covariance first.
# - **Scale:** `style_scale` resizes the style image, so the size of the patterns it passes on;
#   `coarse_to_fine` does the first steps on a smaller picture.
# - **Space:** a guided Gram matrix multiplies the features by the mask, resized to the layer; a region without
#   style keeps the content, except near its edge, where receptive fields reach across.
# - **Several styles:** the target is the weighted mean of the Gram matrices; weights (1, 0) are the single style.
# - `run_art` (TF1) refuses the controls in one line.
#
# **Links:** Gatys et al., *Controlling Perceptual Factors in Neural Style Transfer*, CVPR 2017
# (https://arxiv.org/abs/1611.07865); *Image Style Transfer Using CNNs*, CVPR 2016
# (https://openaccess.thecvf.com/content_cvpr_2016/html/Gatys_Image_Style_Transfer_CVPR_2016_paper.html); the blog
# post (https://amit-agrawal.com/DNN-1-20171125.html); TensorFlow's guides to `tf.function`
# (https://www.tensorflow.org/guide/function) and migrating from TF1 (https://www.tensorflow.org/guide/migrate).
#
# **Next:** this is the last notebook. Use the controls from the command line —
# `stylelib stylize photo.jpg painting.jpg -o out.png --colour luminance --mask mask.png --mask-styles white=0,black=none`
# (the README's "Controlling the result") — or in the explorer (notebook 06's `StyleExplorer`), which has them too.
