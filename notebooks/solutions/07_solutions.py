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
# # 07 · Solutions: controlling the result
#
# Worked solutions to the exercises of `07_controlling_the_result.ipynb`; each one ends with `assert`s that check
# it. Try the exercises first. This notebook stands alone (its own setup cell); it runs no optimization, only the
# network's forward pass, so the weights (random in the saved outputs) change the numbers, not the checks. It is
# paired with `07_solutions.py` (jupytext).

# %%
from stylelib import notebook

import numpy as np
import tensorflow as tf

from stylelib import controls, losses, samples, transfer
from stylelib.extractor import FeatureExtractor
from stylelib.images import preprocess, resize_to

cfg = notebook.setup(seed=0)
W = cfg.weights
SIZE = notebook.pick(32, 128)

content_img = samples.load_input("chelsea", SIZE)
hw = content_img.shape[:2]
glass = resize_to(samples.load_input("stained_glass"), *hw)     # both styles at the content's size: Gram matrices
hubble = resize_to(samples.load_input("hubble"), *hw)           # then need no rescaling
content_pre, glass_pre, hubble_pre = (preprocess(x, W) for x in (content_img, glass, hubble))
print("content", content_img.shape, "| styles", glass.shape, hubble.shape)

# %% [markdown]
# ## Exercise 1 · Luminance-only in TF
#
# `tf.tensordot(x, m, 1)` contracts the last axis of `x` (the colour channel) with the first of `m`, so an image
# batch `(1, H, W, 3)` times a `(3, k)` matrix gives `(1, H, W, k)`. The luminance is row 0 of the YIQ matrix, the
# chroma rows 1 and 2; the inverse matrix takes YIQ back to RGB. Any image can play the stylized one: the
# recombination does not care where the luminance comes from — here the stained glass.

# %% tags=["nbval-check-output"]
YIQ = tf.constant(controls.RGB_TO_YIQ, tf.float64)


def keep_chroma(stylized, content):
    """The luminance of `stylized` with the chroma of `content`: RGB batches (1, H, W, 3), 0-255."""
    y = tf.tensordot(tf.cast(stylized, tf.float64), YIQ[:1], [[3], [1]])             # (1, H, W, 1)
    iq = tf.tensordot(tf.cast(content, tf.float64), YIQ[1:], [[3], [1]])             # (1, H, W, 2)
    rgb = tf.tensordot(tf.concat([y, iq], axis=-1), tf.linalg.inv(YIQ), [[3], [1]])  # back to RGB
    return tf.clip_by_value(rgb, 0.0, 255.0)


mine = keep_chroma(glass[None], content_img[None])[0].numpy()
library = controls.with_chroma_of(glass, content_img)
print(f"the content's shape: {mine.shape == content_img.shape}; the same as controls.with_chroma_of (within 1e-3): "
      f"{np.allclose(mine, library, atol=1e-3)}")
assert mine.shape == content_img.shape and np.allclose(mine, library, atol=1e-3)

# %% [markdown]
# And what it is for: wherever no channel was clipped to 0 or 255, the result's chroma is the content's and its
# luminance the stained glass's.

# %% tags=["nbval-check-output"]
inside = ((mine > 0) & (mine < 255)).all(axis=-1)
chroma_gap = np.abs(controls.chroma(mine) - controls.chroma(content_img))[inside].max()
luma_gap = np.abs(controls.luminance(mine) - controls.luminance(glass))[inside].max()
print(f"unclipped pixels: chroma = the content's (within 0.01): {chroma_gap < 0.01}, "
      f"luminance = the stained glass's (within 0.01): {luma_gap < 0.01}")
assert inside.mean() > 0.5 and chroma_gap < 0.01 and luma_gap < 0.01

# %% [markdown]
# ## Exercise 2 · A blended target
#
# The target of `conv1_1` is the weighted mean of the two styles' Gram matrices. `StyleObjective` takes the
# weights normalized to sum 1 (`controls.blend_weights` does it; `stylize` calls it for you).

# %% tags=["nbval-check-output"]
LAYER = "conv1_1"
extractor = FeatureExtractor(W, [LAYER])
A_glass = losses.gram_matrix(extractor(tf.constant(glass_pre))[LAYER])
A_hubble = losses.gram_matrix(extractor(tf.constant(hubble_pre))[LAYER])
w = (0.7, 0.3)
A_mine = (w[0] * A_glass + w[1] * A_hubble) / sum(w)


def blended(weights):
    return transfer.StyleObjective(content_pre, glass_pre, W, content_layers={LAYER: 1.0}, style_layers={LAYER: 1.0},
                                   extra_styles_pre=[hubble_pre],
                                   style_blend=controls.blend_weights(weights, 2)).style_targets[LAYER]


A_lib = blended(w)
print(f"the library's target is mine (within 1e-5): {np.allclose(A_lib, A_mine, rtol=1e-5)}; "
      f"it is neither style's: {not np.allclose(A_lib, A_glass) and not np.allclose(A_lib, A_hubble)}")
assert np.allclose(A_lib, A_mine, rtol=1e-5)
assert not np.allclose(A_lib, A_glass, rtol=1e-3) and not np.allclose(A_lib, A_hubble, rtol=1e-3)

# %% [markdown]
# Weights `(2, 1)` are the same blend as `(2/3, 1/3)`, and `(1, 0)` is the stained glass's target bit for bit (the
# library does not even compute a style whose weight is 0).

# %% tags=["nbval-check-output"]
same_blend = np.allclose(blended((2, 1)), (2 * A_glass + A_hubble) / 3, rtol=1e-5)
exact = np.array_equal(blended((1, 0)).numpy(), A_glass.numpy())
print(f"(2, 1) = (2/3, 1/3): {same_blend}; (1, 0) = the stained glass's Gram matrix exactly: {exact}")
assert same_blend and exact

# %% [markdown]
# ## Exercise 3 · Two styles, one mask
#
# Labels 1 (left half) and 2 (right half); `mask_styles` gives label 1 style 0 (the stained glass) and label 2
# style 1 (the first of `extra_styles`, Hubble). Each region has its guidance channel, resized to the layer; each
# guided Gram matrix is compared with its own style's Gram matrix scaled by the region's $\sum_p T_r(p)^2 / M$
# (stylelib's target: the paper's would be a guided Gram matrix of the style image, which has no mask here);
# the layer's cost sums the two terms.

# %% tags=["nbval-check-output"]
LAYER = "conv2_1"
labels = np.ones(hw, np.uint8)
labels[:, hw[1] // 2:] = 2
regions = controls.load_mask(labels, {1: 0, 2: 1}, hw, n_styles=2)
extractor = FeatureExtractor(W, [LAYER])
F = extractor(tf.constant(content_pre))[LAYER]               # the features of the image being judged (here the photo)
M, N = float(F.shape[1] * F.shape[2]), float(F.shape[-1])
style_grams = {0: losses.gram_matrix(extractor(tf.constant(glass_pre))[LAYER]),
               1: losses.gram_matrix(extractor(tf.constant(hubble_pre))[LAYER])}

E = 0.0
guides = []
for k, weight in regions.regions:                            # (style index, (H, W) guidance channel)
    t = controls.layer_guidance(weight, *F.shape[1:3])
    guides.append(t)
    f = tf.reshape(F * t[None, :, :, None], (-1, F.shape[-1]))
    G_r = tf.matmul(f, f, transpose_a=True)
    A_r = style_grams[k] * float(np.sum(t.astype(np.float64) ** 2) / M)
    E += float(tf.reduce_sum(tf.square(G_r - A_r)) / (4 * N**2 * M**2))

objective = transfer.StyleObjective(content_pre, glass_pre, W, content_layers={LAYER: 1.0},
                                    style_layers={LAYER: 1.0}, extra_styles_pre=[hubble_pre], regions=regions)
E_lib = float(objective.guided.loss({LAYER: F}, {LAYER: 1.0}))
print(f"regions: styles {[k for k, _ in regions.regions]}; my guided style cost = the library's (within 1e-5): "
      f"{np.isclose(E, E_lib, rtol=1e-5)}")
assert [k for k, _ in regions.regions] == [0, 1] and np.isclose(E, E_lib, rtol=1e-5)

# %% [markdown]
# The two guidance channels share the picture: at every position of the layer they add up to 1 (area averaging
# keeps that). (Each position's features are weighted by $t^2$ in the Gram matrix, so a position split 0.5/0.5
# would count $0.5^2 + 0.5^2 = 0.5$; here the split falls between positions, so each counts once.)

# %% tags=["nbval-check-output"]
total = guides[0] + guides[1]
print(f"guidance channels at {LAYER}: the sum is 1 everywhere: {np.allclose(total, 1.0, atol=1e-6)}; "
      f"the left half is style 0's: {bool(guides[0][:, 0].min() == 1.0 and guides[0][:, -1].max() == 0.0)}")
assert np.allclose(total, 1.0, atol=1e-6) and guides[0][:, 0].min() == 1.0 and guides[0][:, -1].max() == 0.0
