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
# # 01 — VGG-19 at any size: why a 224×224 network accepts a 600×800 photo
#
# VGG-19 was trained on ImageNet crops of 224×224×3 pixels and ends in a classifier that outputs one score
# for each of 1000 classes. Style transfer feeds it photos of 600×800 pixels and more, and uses no class
# score at all. This notebook takes the network apart to see why that works.
#
# **What you will learn**
#
# * the 16 convolution and 5 pooling layers of VGG-19, their names in the paper / MatConvNet / Keras, and
#   where the three fully-connected layers sat;
# * how every layer's output shape follows from the input size — worked out by hand, symbolically (no
#   computation) and by really running the network — at 224×224 and at 600×800, with **the same weights**;
# * why the classifier head *cannot* take the larger map (and what a fully-convolutional head would give);
# * max versus average pooling, on a 4×4 array and on the network;
# * why convolution weights do not care about the image size: weight sharing and receptive fields;
# * how TF2/Keras express "any size" (`input_shape=(None, None, 3)`, `tf.function` signatures).
#
# Convention used everywhere: shapes are **height × width × channels**, the order of the arrays.
#
# *To run it: in a terminal, in the repository's root folder, type `make lab` (the first time, it creates
# `.venv` and installs what is needed: Python ≥ 3.10 and access to PyPI), then **Run ▸ Run All Cells**.
# `stylelib weights` says whether this machine has the trained VGG-19 weights; without them, start with
# `STYLELIB_WEIGHTS=random make lab`. The outputs saved below were made with random weights.
# This notebook is paired with `01_vgg19_at_any_size.py` (jupytext): edit either one — `notebooks/README.md` says how.*

# %%
from stylelib import notebook  # first: it quiets TensorFlow's C++ log lines before TensorFlow loads

import numpy as np
import tensorflow as tf
import keras
import matplotlib.pyplot as plt
# %config InlineBackend.figure_formats = ['png']

from stylelib import extractor, images, samples, vgg19, viz

cfg = notebook.setup(seed=0)
weights = cfg.weights

# sizes that are really *executed*: small in quick mode, the real thing in full mode
RUN_SMALL = notebook.pick((64, 64), (224, 224))
RUN_BIG = notebook.pick((96, 128), (600, 800))
print("executed sizes (H, W):", RUN_SMALL, "and", RUN_BIG)


# %% [markdown]
# ## 1. The layers
#
# VGG-19 counts its *weight* layers: 16 convolutions plus 3 fully-connected layers make 19. Between the
# convolution blocks sit 5 pooling layers (no weights), and every convolution is followed by a ReLU.
# `stylelib.vgg19.LAYERS` holds the convolution-and-pooling part — the only part style transfer uses.
#
# Each row also carries the layer's index in MatConvNet's `imagenet-vgg-verydeep-19.mat`, the file the
# blog's `art.py` reads. That file lists *every* operation as a layer, ReLUs included, so the indices jump
# by 2 inside a block (conv, relu, conv, relu, …) and by 1 over a pool: `conv1_1` is 0, `conv1_2` is 2,
# `pool1` is 4, `conv2_1` is 5. That is where the numbers in `art.py`'s `_conv2d_relu(prev, 0, 'conv1_1')`,
# `_conv2d_relu(prev, 2, 'conv1_2')`, `_conv2d_relu(prev, 5, 'conv2_1')` … come from.

# %% tags=["nbval-check-output"]
def n_params(layer):
    # a 3x3 kernel for every (input channel, output channel) pair, plus one bias per output channel
    return 3 * 3 * layer.in_channels * layer.out_channels + layer.out_channels if layer.kind == "conv" else 0

print(f"{'layer':8}{'kind':6}{'block':>5}{'MatConvNet':>12}  {'Keras name':14}{'channels':>11}{'parameters':>12}")
for layer in vgg19.LAYERS:
    channels = f"{layer.in_channels}->{layer.out_channels}" if layer.kind == "conv" else f"{layer.out_channels}"
    print(f"{layer.name:8}{layer.kind:6}{layer.block:>5}{layer.matconvnet_index:>12}  {layer.keras_name:14}"
          f"{channels:>11}{n_params(layer):>12,}")

conv_params = sum(n_params(l) for l in vgg19.LAYERS)
print(f"\n{len(vgg19.CONV_LAYERS)} conv + {len(vgg19.POOL_LAYERS)} pool layers, {conv_params:,} parameters")
assert len(vgg19.CONV_LAYERS) == 16 and len(vgg19.POOL_LAYERS) == 5
assert [vgg19.MATCONVNET_INDEX[n] for n in ("conv1_1", "conv1_2", "pool1", "conv2_1")] == [0, 2, 4, 5]
assert conv_params == 20_024_384

# %% [markdown]
# ### Where the three fully-connected layers were
#
# After `pool5` the original network flattens the 7×7×512 map into one vector of 25 088 numbers and
# multiplies it by three weight matrices. In the `.mat` file they follow `pool5` (index 36) as `fc6`,
# `relu6`, `fc7`, `relu7`, `fc8`, `prob`; Keras calls them `fc1`, `fc2`, `predictions` after a `flatten`.

# %% tags=["nbval-check-output"]
HEAD = [  # name, MatConvNet index, Keras name, inputs, outputs
    ("fc6", 37, "fc1", 7 * 7 * 512, 4096),
    ("fc7", 39, "fc2", 4096, 4096),
    ("fc8", 41, "predictions", 4096, 1000),
]
head_params = 0
print(f"{'layer':6}{'MatConvNet':>11}  {'Keras name':12}{'inputs':>8}{'outputs':>9}{'parameters':>14}")
for name, index, keras_name, n_in, n_out in HEAD:
    p = n_in * n_out + n_out
    head_params += p
    print(f"{name:6}{index:>11}  {keras_name:12}{n_in:>8,}{n_out:>9,}{p:>14,}")

total = conv_params + head_params
print(f"\nconv stack {conv_params:,} + head {head_params:,} = {total:,} parameters;"
      f" the head holds {100 * head_params / total:.0f}% of them")
assert vgg19.MATCONVNET_INDEX["pool5"] == 36 and HEAD[0][3] == 25088
assert total == 143_667_240  # the parameter count Keras reports for VGG19(include_top=True)

# %% [markdown]
# So 86 % of VGG-19's parameters live in the classifier head, and `fc6` alone holds 102.8 million of them.
# Style transfer throws the head away. As we will see, the head is also the only part of the network that
# cares about the input size.

# %% [markdown]
# ## 2. One set of weights, two input sizes
#
# `stylelib.extractor.keras_vgg19` builds the conv stack as a Keras model. Its input shape is
# `(None, None, 3)`: height and width are left open. Nothing about the weights depends on them — a kernel is
# 3×3×(in)×(out), whatever the image.

# %% tags=["nbval-check-output"]
vgg = extractor.keras_vgg19(weights, up_to="pool5", input_shape=(None, None, 3))
print("model input shape:", vgg.input.shape)
print("parameters:", f"{vgg.count_params():,}")
print("conv1_1 kernel:", tuple(vgg.get_layer("conv1_1").kernel.shape))
assert vgg.count_params() == conv_params
assert np.array_equal(vgg.get_layer("conv4_2").kernel.numpy(), weights.kernels["conv4_2"])


# %% [markdown]
# ### Shapes without computing anything
#
# Every Keras layer can say what shape it *would* produce for a given input shape
# (`layer.compute_output_shape`). Chaining that through the model gives all 21 output shapes at 224×224 and
# at 600×800 in microseconds — no pixel is convolved. `vgg19.layer_shapes(h, w)` does the same by
# arithmetic: a 3×3 convolution with `'SAME'` padding keeps height and width, a 2×2 pool with stride 2 halves
# them (rounding up, see below).

# %% tags=["nbval-check-output"]
def symbolic_shapes(model, height, width):
    # propagate a shape through the layers; returns {paper layer name: (H, W, C)}
    shape, out = (1, height, width, 3), {}
    for layer in model.layers[1:]:  # layers[0] is the Input
        shape = layer.compute_output_shape(shape)
        out[vgg19.canonical_layer(layer.name)] = tuple(shape[1:])
    return out

def fmt(shape):
    return "×".join(str(d) for d in shape)

at_224 = symbolic_shapes(vgg, 224, 224)
at_600x800 = symbolic_shapes(vgg, 600, 800)

print(f"{'layer':8}{'Keras name':14}{'224×224 input':>16}{'600×800 input':>16}")
for layer in vgg19.LAYERS:
    print(f"{layer.name:8}{layer.keras_name:14}{fmt(at_224[layer.name]):>16}{fmt(at_600x800[layer.name]):>16}")

assert at_224 == vgg19.layer_shapes(224, 224)
assert at_600x800 == vgg19.layer_shapes(600, 800)
assert at_224["pool1"] == (112, 112, 64) and at_600x800["pool1"] == (300, 400, 64)
assert at_224["pool5"] == (7, 7, 512) and at_600x800["pool5"] == (19, 25, 512)

# %% [markdown]
# **Height comes first.** A 600×800 photo here is 600 pixels *tall* and 800 *wide*: TensorFlow stores images
# as `(batch, height, width, channels)` because an array is indexed `[row, column]` and a row is a horizontal
# line of pixels. The blog calls its input 600×800 (height, width — the order of `art.py`'s
# `IMAGE_HEIGHT = 600`, `IMAGE_WIDTH = 800`) but then writes the `pool1` output as 400×300×64, switching to
# the width-first habit of screen resolutions. The tensor is `(1, 300, 400, 64)`.
#
# **Rounding up at odd sizes.** 600 → 300 → 150 → 75 is exact, but `pool4` has to halve 75. With
# `padding='SAME'` (used by `art.py`, by `stylelib`, and by the model above) the pool keeps a half-empty last
# window and rounds up: 75 → 38, then 38 → 19. The original Caffe/MatConvNet VGG and Keras'
# `keras.applications.VGG19` pool without padding (`'valid'`) and round down: 75 → 37 → 18. For 224×224
# both give 7×7 (224 = 7·2⁵). Exercise 3 comes back to this.
#
# ### Shapes from a traced TensorFlow graph
#
# A second symbolic check: trace the TF2 `FeatureExtractor` into a graph for a fixed input signature
# and read the static shapes of its outputs. Tracing builds the graph; it runs nothing.

# %% tags=["nbval-check-output"]
all_layers = extractor.FeatureExtractor(weights, vgg19.LAYER_NAMES)
traced = tf.function(all_layers).get_concrete_function(tf.TensorSpec((1, 600, 800, 3), tf.float32))
traced_shapes = {name: tuple(t.shape[1:]) for name, t in traced.structured_outputs.items()}
print("pool1:", traced_shapes["pool1"], " pool4:", traced_shapes["pool4"], " pool5:", traced_shapes["pool5"])
assert traced_shapes == vgg19.layer_shapes(600, 800)

# %% [markdown]
# ### Shapes from really running it
#
# Now the same weights run on real pixels: the photo of Chelsea the cat, resized to the two executed sizes
# (in full mode 224×224 and 600×800; in quick mode smaller sizes, so the notebook stays fast — the symbolic
# shapes above already covered 600×800).

# %%
photo = samples.load_sample("chelsea")
photo_small = images.resize_to(photo, *RUN_SMALL)
photo_big = images.resize_to(photo, *RUN_BIG)

acts_small = all_layers(images.preprocess(photo_small, weights))
acts_big = all_layers(images.preprocess(photo_big, weights))
ran_small = {name: tuple(a.shape[1:]) for name, a in acts_small.items()}
ran_big = {name: tuple(a.shape[1:]) for name, a in acts_big.items()}

print(f"{'layer':8}{fmt(RUN_SMALL) + ' ran':>16}{fmt(RUN_BIG) + ' ran':>16}")
for name in ("conv1_1", "pool1", "conv3_1", "pool4", "conv5_1", "pool5"):
    print(f"{name:8}{fmt(ran_small[name]):>16}{fmt(ran_big[name]):>16}")

assert ran_small == vgg19.layer_shapes(*RUN_SMALL) == symbolic_shapes(vgg, *RUN_SMALL)
assert ran_big == vgg19.layer_shapes(*RUN_BIG) == symbolic_shapes(vgg, *RUN_BIG)
# keep three layers for the pictures in section 6, drop the rest
SHOW = ("conv1_1", "conv3_1", "conv5_1")
maps_small = {n: acts_small[n].numpy() for n in SHOW}
maps_big = {n: acts_big[n].numpy() for n in SHOW}
del acts_small, acts_big


# %% [markdown]
# ## 3. The classifier head cannot take the larger map
#
# `fc6` is a matrix with 25 088 rows, one per number of the flattened 7×7×512 `pool5` map. At 600×800 the
# flattened map is much longer:

# %% tags=["nbval-check-output"]
def pooled(n, padding):
    # one 2x2/2 pool: 'same' rounds up, 'valid' rounds down
    return -(-n // 2) if padding == "same" else n // 2

def pool5_hw(height, width, padding):
    for _ in range(5):
        height, width = pooled(height, padding), pooled(width, padding)
    return height, width

flat = {
    "224×224": 7 * 7 * 512,
    "600×800, 'same' pools (art.py, stylelib)": int(np.prod(at_600x800["pool5"])),
    "600×800, 'valid' pools (Caffe VGG, Keras)": int(np.prod(pool5_hw(600, 800, "valid"))) * 512,
}
for label, n in flat.items():
    print(f"{label:44} flattened pool5: {n:>7,}")
assert pool5_hw(600, 800, "same") == (19, 25) and pool5_hw(600, 800, "valid") == (18, 25)
assert flat["600×800, 'valid' pools (Caffe VGG, Keras)"] == 18 * 25 * 512 == 230_400

# %% [markdown]
# A `Dense` layer built for 25 088 inputs refuses both. (The layer here has only 16 of `fc6`'s 4096 output
# units, to save 400 MB of memory; the check that fails is about the *input* length, which is the same.)

# %%
fc6 = keras.layers.Dense(16, name="fc6")
fc6.build((None, 25088))
print("kernel:", tuple(fc6.kernel.shape))
print("224×224 pool5, flattened ->", tuple(fc6(tf.zeros((1, 25088))).shape))

for n in (230_400, 243_200):
    try:
        fc6(tf.zeros((1, n)))
        print("accepted?!")
    except ValueError as e:
        print(f"{n:,} inputs -> ValueError: {e}")

# %% [markdown]
# It is not Keras being fussy; it is the matrix product itself. The row count of the weight matrix has to
# match the length of the vector:

# %%
try:
    np.zeros((1, 230_400), np.float32) @ fc6.kernel.numpy()
except ValueError as e:
    print("NumPy:", e)

new_fc6 = 230_400 * 4096 + 4096
print(f"\nan fc6 for 600×800 inputs would need {new_fc6:,} weights "
      f"({new_fc6 / (25088 * 4096 + 4096):.1f}× as many) — all of them new and untrained")
assert new_fc6 == 943_722_496

# %% [markdown]
# A head for 600×800 would be a different, bigger layer that would have to be trained again. Style transfer
# never needs one: it only compares activations of the conv layers.
#
# **The fully-convolutional alternative.** `fc6`'s 25 088×4096 matrix can be read as 4096 filters of size
# 7×7×512. Used as a convolution with `'valid'` padding, it gives the same answer as `fc6` on a 7×7 map and
# slides over a bigger one; `fc7` and `fc8` become 1×1 convolutions. On the 18×25 `pool5` of a 600×800
# image this gives a 12×19 grid of 1000 class scores — one classification per window of the image, a window
# every 32 pixels. (This is how the VGG authors evaluated at test time, and the start of segmentation
# networks.) The shape, again without computing:

# %% tags=["nbval-check-output"]
fc6_conv = keras.layers.Conv2D(4096, 7, padding="valid", name="fc6_as_conv")
fc7_conv = keras.layers.Conv2D(4096, 1, name="fc7_as_conv")
fc8_conv = keras.layers.Conv2D(1000, 1, name="fc8_as_conv")

for label, hw in (("224×224", (7, 7)), ("600×800 valid pools", (18, 25)), ("600×800 same pools", (19, 25))):
    shape = (1, *hw, 512)
    for layer in (fc6_conv, fc7_conv, fc8_conv):
        shape = layer.compute_output_shape(shape)
    print(f"{label:22} pool5 {fmt(hw + (512,)):>10} -> class scores {fmt(shape[1:]):>10}")
    if hw == (18, 25):
        assert shape == (1, 12, 19, 1000)

# %% [markdown]
# ## 4. Why the same weights work at any size
#
# A convolution applies **one** small kernel at every position of its input: the 3×3×3×64 numbers of
# `conv1_1` are shared by all 224·224 positions of a small image and all 600·800 positions of a big one.
# Nothing in a conv layer is tied to a position, so a bigger image just means more positions. (Pooling has
# no weights at all.)
#
# A consequence we can test: the activation at one position depends only on a window of the input around
# it — its *receptive field* — not on how big the whole image is. So if we cut a piece out of the image and
# run the piece alone, the piece's activations must equal the matching part of the full image's
# activations, everywhere except near the piece's borders (where the piece's zero padding differs from the
# real neighbouring pixels). The cut must start at a multiple of the layer's *stride* (4 for `conv3_1`, after
# two pools), so that the pooling windows line up.

# %% tags=["nbval-check-output"]
image = images.preprocess(images.resize_to(photo, 96, 128), weights)
to_conv3_1 = extractor.FeatureExtractor(weights, ["conv3_1"])

full = to_conv3_1(image)["conv3_1"].numpy()[0]             # 24×32 positions
top, left, size = 16, 32, 64                               # a 64×64 piece; 16 and 32 are multiples of 4
piece = to_conv3_1(image[:, top:top + size, left:left + size])["conv3_1"].numpy()[0]  # 16×16 positions

m = 4  # conv3_1 positions to skip at the piece's borders (its receptive field is 24 px = 6 positions wide)
from_piece = piece[m:-m, m:-m]
from_full = full[top // 4 + m: (top + size) // 4 - m, left // 4 + m: (left + size) // 4 - m]
rel = np.abs(from_piece - from_full).max() / np.abs(from_full).max()
print("full image conv3_1:", full.shape, " piece conv3_1:", piece.shape, " compared:", from_piece.shape)
print("inside the piece, piece and full image agree:", bool(rel < 1e-4))
print("at the piece's border they differ:", bool(np.abs(piece[0] - full[top // 4, left // 4: (left + size) // 4]).max() > 0))
assert rel < 1e-4

# %% [markdown]
# How big is a receptive field? Each 3×3 convolution widens it by 2 steps of the current stride, each 2×2
# pool by 1 step and then doubles the stride. The table lists it for every layer, with the number of
# positions the layer has at the two sizes.

# %% tags=["nbval-check-output"]
rf, stride, receptive = 1, 1, {}
for layer in vgg19.LAYERS:
    if layer.kind == "conv":
        rf += 2 * stride
    else:
        rf += stride
        stride *= 2
    receptive[layer.name] = (rf, stride)

print(f"{'layer':8}{'receptive field':>16}{'stride':>8}{'positions at 224²':>19}{'at 600×800':>12}")
for layer in vgg19.LAYERS:
    rf, stride = receptive[layer.name]
    h1, w1, _ = at_224[layer.name]
    h2, w2, _ = at_600x800[layer.name]
    print(f"{layer.name:8}{f'{rf}×{rf} px':>16}{stride:>8}{h1 * w1:>19,}{h2 * w2:>12,}")
assert receptive["conv3_1"] == (24, 4) and receptive["conv4_2"] == (84, 8) and receptive["pool5"] == (268, 32)

# %% [markdown]
# A `conv4_2` unit — the content layer of the paper — looks at an 84×84 pixel window; at 600×800 there are
# 7500 of them instead of 784 at 224×224, each computing the same feature detector on its own window. The
# style loss (Gram matrices) averages over positions, so it too is happy with any number of them. What the
# size *does* change is scale: receptive fields are measured in pixels, so in a bigger photo each unit
# covers a smaller part of the scene (and transferred brush strokes come out smaller relative to the
# picture).
# (`pool5` units see 268×268 pixels — more than a whole 224 image, so at 224 every one of them reaches into
# the padding.)

# %% [markdown]
# ## 5. Max pooling versus average pooling
#
# VGG-19 was trained with **max** pooling: each 2×2 window passes on its largest value. Gatys et al. report
# that for *synthesizing* images, replacing it with **average** pooling improves the gradient flow and gives
# slightly more appealing results; `art.py` follows them (`_avgpool`), and so do `stylelib`'s defaults.
# On a 4×4 array:

# %% tags=["nbval-check-output"]
x = tf.constant([[1, 2, 0, 3],
                 [4, 6, 5, 1],
                 [0, 2, 7, 3],
                 [1, 9, 2, 8]], tf.float32)[None, :, :, None]   # (batch, H, W, channels)

with tf.GradientTape(persistent=True) as tape:
    tape.watch(x)
    max_out = tf.nn.max_pool2d(x, ksize=2, strides=2, padding="SAME")
    avg_out = tf.nn.avg_pool2d(x, ksize=2, strides=2, padding="SAME")
    max_sum, avg_sum = tf.reduce_sum(max_out), tf.reduce_sum(avg_out)

print("max pool:\n", max_out[0, :, :, 0].numpy())
print("average pool:\n", avg_out[0, :, :, 0].numpy())
grad_max = tape.gradient(max_sum, x)[0, :, :, 0].numpy()
grad_avg = tape.gradient(avg_sum, x)[0, :, :, 0].numpy()
print("gradient through max pool:\n", grad_max)
print("gradient through average pool:\n", grad_avg)
assert max_out.numpy().ravel().tolist() == [6, 5, 9, 8]
assert avg_out.numpy().ravel().tolist() == [3.25, 2.25, 3.0, 5.0]
assert (grad_max > 0).sum() == 4 and np.all(grad_avg == 0.25)
del tape

# %% [markdown]
# The gradients show the "gradient flow" argument: through a max pool only the winning pixel of each window
# gets a signal (12 of the 16 pixels get zero), through an average pool every pixel gets a quarter. When the
# network is used to *change the image*, average pooling lets every pixel move.
#
# On the network, with the photo at the small executed size. Up to `conv1_2` (before the first pool)
# both versions are identical; `pool1` of the average version is never larger than the max version; after
# that the differences spread through every later layer.

# %% tags=["nbval-ignore-output"]
x_photo = images.preprocess(photo_small, weights)
avg_net = extractor.FeatureExtractor(weights, vgg19.LAYER_NAMES, pooling="avg")(x_photo)
max_net = extractor.FeatureExtractor(weights, vgg19.LAYER_NAMES, pooling="max")(x_photo)

print(f"{'layer':8}{'mean (avg net)':>15}{'mean (max net)':>15}{'relative difference':>21}")
rel_diff = {}
for name in ("conv1_2", "pool1", "conv2_1", "conv3_1", "conv4_2", "conv5_1", "pool5"):
    a, m = avg_net[name].numpy(), max_net[name].numpy()
    rel_diff[name] = np.linalg.norm(a - m) / np.linalg.norm(m)
    print(f"{name:8}{a.mean():>15.3g}{m.mean():>15.3g}{rel_diff[name]:>21.2f}")

assert np.array_equal(avg_net["conv1_2"].numpy(), max_net["conv1_2"].numpy())
assert np.all(avg_net["pool1"].numpy() <= max_net["pool1"].numpy() + 1e-4)
assert all(rel_diff[n] > 0.01 for n in ("pool1", "conv2_1", "conv4_2", "pool5"))

# %% [markdown]
# Average pooling makes the activations smaller (an average never exceeds the maximum), and the deeper
# layers see inputs on a different scale than they were trained on. With trained weights, style transfer
# works with either; the paper's choice is average. (The exact numbers above depend on the weights, so
# this cell's output is not compared by the tests; its `assert`s are checked.)

# %% [markdown]
# ## 6. Feature maps of a photo at both sizes
#
# The same six channels of three layers, for the photo at the two executed sizes. With trained weights the
# maps at the big size show the same kinds of edges and textures as at the small size, just with more
# positions. Random filters respond to edges and colours too — the cat's outline shows in the maps below —
# but not with the learned, selective features of the trained network. The committed notebook was run with
# random weights, so its maps carry the red "RANDOM WEIGHTS" label: they show the mechanics (the same
# channels at two sizes), not what VGG-19 learned.

# %% tags=["nbval-check-output"]
viz.show_images([photo_small, photo_big], [f"input {fmt(RUN_SMALL)}", f"input {fmt(RUN_BIG)}"], size=3)
plt.show()

# %% tags=["weights-picture", "nbval-check-output"]
channels = range(6)
fig, axes = plt.subplots(2 * len(SHOW), len(channels), figsize=(1.8 * len(channels), 1.6 * 2 * len(SHOW)))
for i, name in enumerate(SHOW):
    for j, (label, maps) in enumerate(((fmt(RUN_SMALL), maps_small), (fmt(RUN_BIG), maps_big))):
        row = 2 * i + j
        for c in channels:
            ax = axes[row, c]
            ax.imshow(maps[name][0, :, :, c], cmap="viridis")
            ax.set_xticks([])
            ax.set_yticks([])
            if c == 0:
                ax.set_ylabel(f"{name}\n{label}", fontsize=8)
            if row == 0:
                ax.set_title(f"channel {c}", fontsize=8)
viz.mark_random(fig, cfg.random_weights)
fig.tight_layout(rect=(0, 0, 1, 0.97))   # leave room for the random-weights label
plt.show()

# %% [markdown]
# ## 7. A TF2 note
#
# The blog's `art.py` builds a TF1 graph for one fixed size (`IMAGE_HEIGHT`, `IMAGE_WIDTH`); the next
# notebook rebuilds that graph. In TF2 "any size" is said directly:
#
# * `keras.applications.VGG19(include_top=False, input_shape=(None, None, 3))` is the pretrained conv stack
#   for any image of at least 32×32 pixels (its pools are `'valid'`). With `include_top=True` and the
#   ImageNet weights it insists on 224×224 — it refuses before downloading anything:

# %%
try:
    keras.applications.VGG19(weights="imagenet", include_top=True, input_shape=(600, 800, 3))
except ValueError as e:
    print("ValueError:", e)

# %% [markdown]
# * A `tf.function` traces a new graph for every new input shape it sees. Give it an `input_signature`
#   with `None` for height and width and it traces once; the static shapes inside are then partly unknown
#   and only become concrete when it runs.

# %% tags=["nbval-check-output"]
to_pool1 = extractor.FeatureExtractor(weights, ["pool1"])

per_shape = tf.function(to_pool1)
for hw in ((32, 48), (48, 64)):
    per_shape(tf.zeros((1, *hw, 3)))
print("traces without a signature:", per_shape.experimental_get_tracing_count())

any_size = tf.function(to_pool1, input_signature=[tf.TensorSpec((1, None, None, 3), tf.float32)])
for hw in ((32, 48), (48, 64)):
    out = any_size(tf.zeros((1, *hw, 3)))["pool1"]
    print(f"input {fmt(hw)} -> pool1 {fmt(out.shape)}")
print("traces with a (1, None, None, 3) signature:", any_size.experimental_get_tracing_count())
print("static pool1 shape inside that graph:", any_size.get_concrete_function().structured_outputs["pool1"].shape)
assert per_shape.experimental_get_tracing_count() == 2 and any_size.experimental_get_tracing_count() == 1

# %% [markdown]
# ## Exercises
#
# 1. **By hand:** a photo 500 pixels wide and 375 pixels tall goes into the network. What is the `pool5`
#    shape with `stylelib`'s `'SAME'` pools, and what would it be with Keras' `'valid'` pools? Check with
#    `vgg19.layer_shapes` and with `symbolic_shapes(vgg, …)`.
# 2. **Smallest input:** what is the smallest square input for which `pool5` still has at least one
#    position — with `'SAME'` pools, and with `'valid'` pools? Find it by a loop and explain the answer.
# 3. **`'valid'` pooling:** build the pools with `padding='valid'` and compare the shapes at 600×800 and
#    at 375×500 with the `'SAME'` ones. Which pixels does each padding ignore or treat specially? Look at a
#    3×3 array to see what an average pool does in its half-empty last window.
#
# Worked solutions follow. Try first!

# %% [markdown]
# ## Solutions
#
# **1.** Height first: the input is 375×500. Halve five times, rounding up with `'SAME'`:
# 375 → 188 → 94 → 47 → 24 → 12 and 500 → 250 → 125 → 63 → 32 → 16, so `pool5` is 12×16×512.
# Rounding down with `'valid'`: 375 → 187 → 93 → 46 → 23 → 11 and 500 → 250 → 125 → 62 → 31 → 15,
# so 11×15×512.

# %% tags=["nbval-check-output"]
print("SAME :", vgg19.layer_shapes(375, 500)["pool5"], symbolic_shapes(vgg, 375, 500)["pool5"])
print("valid:", pool5_hw(375, 500, "valid") + (512,))
assert vgg19.layer_shapes(375, 500)["pool5"] == symbolic_shapes(vgg, 375, 500)["pool5"] == (12, 16, 512)
assert pool5_hw(375, 500, "valid") == (11, 15)


# %% [markdown]
# **2.** The conv layers never shrink the map (`'SAME'` padding), so only the pools matter. Rounding up never
# reaches 0 — a 1×1 map pools to 1×1 — so with `'SAME'` pools even a single pixel gives a 1×1 `pool5`
# (most of whose receptive field is padding). Rounding down loses the map as soon as a side is 1 before a
# pool, so five `'valid'` pools need 2⁵ = 32 pixels per side. That is why Keras' VGG19 says "at least 32x32".

# %%
def smallest(padding):
    return next(n for n in range(1, 100) if min(pool5_hw(n, n, padding)) >= 1)

print("smallest square input, 'SAME' pools :", smallest("same"))
print("smallest square input, 'valid' pools:", smallest("valid"))
assert smallest("same") == 1 and smallest("valid") == 32
assert vgg19.layer_shapes(1, 1)["pool5"] == (1, 1, 512)
try:
    keras.applications.VGG19(weights=None, include_top=False, input_shape=(31, 31, 3))
except ValueError as e:
    print("Keras:", e)


# %% [markdown]
# **3.** A conv stack with `'valid'` pools is the same model with a different pool layer. The shapes differ
# only where a side is odd before a pool: at 600×800 only at `pool4` (75 → 37 instead of 38), and from
# there on. `'valid'` simply drops the last row or column when the count is odd; `'SAME'` keeps it in a
# half-empty window, and TensorFlow's average pool then averages only the real values in that window
# (padding is not counted as zeros).

# %% tags=["nbval-check-output"]
def conv_stack_shapes(height, width, padding):
    # the conv stack with the given pool padding, shapes only (compute_output_shape creates no weights)
    shape, out = (1, height, width, 3), {}
    for layer in vgg19.LAYERS:
        if layer.kind == "conv":
            keras_layer = keras.layers.Conv2D(layer.out_channels, 3, padding="same")
        else:
            keras_layer = keras.layers.AveragePooling2D(2, padding=padding)
        shape = keras_layer.compute_output_shape(shape)
        out[layer.name] = tuple(shape[1:])
    return out

for hw in ((600, 800), (375, 500)):
    same, valid = vgg19.layer_shapes(*hw), conv_stack_shapes(*hw, "valid")
    differ = [n for n in vgg19.LAYER_NAMES if same[n] != valid[n]]
    print(f"{fmt(hw)}: first layer that differs: {differ[0]} ({fmt(same[differ[0]])} with SAME,"
          f" {fmt(valid[differ[0]])} with valid); pool5 {fmt(same['pool5'])} vs {fmt(valid['pool5'])}")
assert conv_stack_shapes(600, 800, "valid")["pool5"] == (18, 25, 512)
assert conv_stack_shapes(600, 800, "same") == vgg19.layer_shapes(600, 800)

small = tf.constant(np.arange(1, 10, dtype=np.float32).reshape(1, 3, 3, 1))
print("\n3×3 input:\n", small[0, :, :, 0].numpy())
print("average pool, SAME :\n", tf.nn.avg_pool2d(small, 2, 2, "SAME")[0, :, :, 0].numpy())
print("average pool, valid:\n", tf.nn.avg_pool2d(small, 2, 2, "VALID")[0, :, :, 0].numpy())
assert tf.nn.avg_pool2d(small, 2, 2, "SAME")[0, 1, 1, 0] == 9.0  # the last window holds only the 9

# %% [markdown]
# With `'SAME'`, the bottom-right output is just the lone 9 (averaged over the one real value), and the
# right column averages two values. With `'valid'` the last row and column of the input never reach the
# output at all. For style transfer the difference is small — a strip of pixels at the bottom or right
# edge — but it explains why `stylelib` (like `art.py`) reports `pool5` of a 600×800 image as 19×25, while
# Keras' VGG19 gives 18×25.
