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
# # Solutions — 01 VGG-19 at any size
#
# Worked solutions of the three exercises of `01_vgg19_at_any_size.ipynb`, each checked by an `assert`. Try the
# exercises first. This notebook stands alone: run it top to bottom (`make lab`, then **Run ▸ Run All Cells**; with
# `STYLELIB_WEIGHTS=random make lab` on a machine without the trained weights — nothing here depends on them).
#
# *This notebook is paired with `01_solutions.py` (jupytext): edit either one — `notebooks/README.md` says how.*

# %%
from stylelib import notebook  # first: it quiets TensorFlow's C++ log lines before TensorFlow loads

import numpy as np
import tensorflow as tf
import keras

from stylelib import extractor, images, samples, vgg19

cfg = notebook.setup(seed=0)
weights = cfg.weights
vgg = extractor.keras_vgg19(weights, up_to="pool5", input_shape=(None, None, 3))   # 'SAME' pools, any size

# %% [markdown]
# ## Exercise 1 — `pool5` of a 500-wide, 375-tall photo
#
# Height first: the input is 375×500. Five pools halve each side. `'SAME'` rounds up, `'valid'` rounds down:
#
# | | height | width |
# |---|---|---|
# | `'SAME'` | 375 → 188 → 94 → 47 → 24 → **12** | 500 → 250 → 125 → 63 → 32 → **16** |
# | `'valid'` | 375 → 187 → 93 → 46 → 23 → **11** | 500 → 250 → 125 → 62 → 31 → **15** |
#
# So `pool5` is 12×16×512 with `stylelib`'s pools and 11×15×512 with Keras' `VGG19`. Checked without computing
# anything: `vgg19.layer_shapes`, and Keras' shape inference through the model's layers.

# %% tags=["nbval-check-output"]
def inferred_pool5(model, height, width):
    """pool5's (H, W, C) by Keras' shape inference alone (no pixel computed)."""
    shape = (1, height, width, 3)
    for layer in model.layers[1:]:
        shape = layer.compute_output_shape(shape)
    return tuple(shape[1:])


same = vgg19.layer_shapes(375, 500)["pool5"]
print("'SAME' : layer_shapes", same, "| Keras shape inference", inferred_pool5(vgg, 375, 500))
assert same == inferred_pool5(vgg, 375, 500) == (12, 16, 512)

# %% tags=["nbval-check-output"]
valid_pools = keras.Sequential([keras.Input((None, None, 1))] + [keras.layers.MaxPooling2D(2) for _ in range(5)])
valid = tuple(valid_pools(tf.zeros((1, 375, 500, 1))).shape[1:3])
print("'valid': five MaxPooling2D(2) layers (Keras' default padding) ->", valid)
assert valid == (11, 15)

# %% [markdown]
# ## Exercise 2 — `pool5_size` for any input
#
# The convolutions never change height and width (`'SAME'` padding, stride 1); only the five pools do, each halving
# with the rounding of its padding. So the function is a loop of five halvings — no TensorFlow needed. It is
# checked against the network really run (`vgg`, `'SAME'` pools) and against Keras' `'valid'` pools, on sizes
# chosen to be odd at different depths.

# %% tags=["nbval-check-output"]
def pool5_size(height, width, padding="same"):
    """pool5's (height, width) for an input of height×width pixels: five 2×2/2 pools."""
    for _ in range(5):
        if padding == "same":
            height, width = -(-height // 2), -(-width // 2)    # round up
        else:
            height, width = height // 2, width // 2            # round down
    return height, width


sizes = [(33, 47), (64, 96), (75, 37), (100, 33), (1, 1), (45, 64)]
for h, w in sizes:
    ran = tuple(vgg(tf.zeros((1, h, w, 3))).shape[1:3])             # the network, really run
    valid = tuple(valid_pools(tf.zeros((1, h, w, 1))).shape[1:3]) if min(h, w) >= 32 else (0, 0)
    print(f"{h:3d}×{w:<3d} same {pool5_size(h, w)} = network {ran} | valid {pool5_size(h, w, 'valid')}")
    assert pool5_size(h, w) == ran
    assert min(h, w) < 32 or pool5_size(h, w, "valid") == valid
assert pool5_size(600, 800) == (19, 25) and pool5_size(600, 800, "valid") == (18, 25)

# %% [markdown]
# Smallest square input: rounding up never reaches zero (1 → 1), so with `'SAME'` pools even one pixel gives a 1×1
# `pool5`. Rounding down loses a side as soon as it is 1 before a pool, so five `'valid'` pools need 2⁵ = 32 pixels
# per side — the "at least 32×32" of Keras' `VGG19` documentation.

# %% tags=["nbval-check-output"]
smallest = {p: next(n for n in range(1, 100) if min(pool5_size(n, n, p)) >= 1) for p in ("same", "valid")}
print("smallest square input with a pool5:", smallest)
assert smallest == {"same": 1, "valid": 32}
try:
    keras.applications.VGG19(weights=None, include_top=False, input_shape=(31, 31, 3))
    refused = False
except ValueError as e:
    refused = True
    print("Keras refuses 31×31:", str(e)[:90])
assert refused

# %% [markdown]
# ## Exercise 3 — the crop test, for any conv network (the notebook's idea, implemented)
#
# First a conv stack of our own, with input `(None, None, 3)`: it runs at any size, and each pool halves height and
# width. Its stride is 4 (two pools) and a unit sees 18×18 pixels (3, then +1 for the pool, +2·2, +1·2, +2·4), so
# the units within 9 px = 2.25 positions of the piece's edge can see its padding: a margin of 3 positions is enough.

# %% tags=["nbval-check-output"]
keras.utils.set_random_seed(0)
own = keras.Sequential([
    keras.Input((None, None, 3)),
    keras.layers.Conv2D(8, 3, padding="same", activation="relu"),
    keras.layers.AveragePooling2D(2),
    keras.layers.Conv2D(8, 3, padding="same", activation="relu"),
    keras.layers.AveragePooling2D(2),
    keras.layers.Conv2D(8, 3, padding="same", activation="relu"),
], name="own_stack")
x_full = images.preprocess(images.resize_to(samples.load_sample("chelsea"), 96, 128), weights)
for h, w in ((96, 128), (64, 64)):
    out_shape = tuple(own(x_full[:, :h, :w]).shape[1:])
    print(f"own stack on {h}×{w}: {out_shape}")
    assert out_shape == (h // 4, w // 4, 8)

# %% [markdown]
# The crop test as a function: run the model on the whole batch and on the piece, cut the window of the whole
# batch's features that covers the piece — it starts at `left // stride`, rounded down — and compare them inside
# the margin. Then the piece is moved by 0, 1, …, 8 pixels, for our stack and for VGG-19 up to `conv3_1` (stride 4
# too). Only the shifts that are multiples of the stride (0, 4, 8) match: with any other shift the piece's 2×2
# pools group different pixels than the photo's do, and the piece's grid of units sits between the photo's —
# every unit of the piece computes something no unit of the photo computes. (For those shifts the window starting
# at `left // stride` is the nearest grid of units, and it does not match.)

# %% tags=["nbval-check-output"]
def crop_matches(model, x, top, left, size, stride, margin):
    """Whether `model`'s features of the size×size piece of `x` at (top, left) equal the whole image's, inside."""
    full = model(x).numpy()[0]
    piece = model(x[:, top:top + size, left:left + size]).numpy()[0]
    window = full[top // stride:top // stride + size // stride, left // stride:left // stride + size // stride]
    h, w = piece.shape[:2]
    inside = np.abs(piece - window)[margin:h - margin, margin:w - margin].max()
    return bool(inside <= 1e-4 * np.abs(full).max())


to_conv3_1 = extractor.keras_vgg19(weights, up_to="conv3_1")
for model in (own, to_conv3_1):
    matching = [shift for shift in range(9) if crop_matches(model, x_full, 16, 32 + shift, 64, stride=4, margin=3)]
    print(f"{model.name}: shifts (pixels) whose piece matches the photo inside the margin: {matching}")
    assert matching == [0, 4, 8]
assert not crop_matches(own, x_full, 16, 32, 64, stride=4, margin=0)   # at the piece's very edge they differ

# %% [markdown]
# **Back to the notebook:** `01_vgg19_at_any_size.ipynb`. **Next:** `02_building_the_graph.ipynb`.
