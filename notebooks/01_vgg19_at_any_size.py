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
# # 01 — VGG-19 at any size
#
# **The idea:** VGG-19's convolution and pooling layers slide the same small filters over every position of
# their input, so the weights learned on 224×224 crops work unchanged on a 600×800 photo — only the classifier
# head on top needed exactly 224×224, and style transfer throws it away.
#
# The blog post behind this course asks: "If the Neural Network takes a 224x224x3 input, then how can we use it to
# input an image that is 600x800." This notebook answers with a demonstration first — the features of a *piece* of a photo are
# the features of the whole photo, cut out — then the shapes of every layer at 224×224 and at 600×800, what
# happens at odd sizes, why the classifier head cannot follow, and the TF2 form of "any size".
#
# * **Prerequisites:** none in this course; Python and NumPy, and what a convolution is.
# * **Time:** about 45 minutes, with the exercises.
# * **To run it:** in a terminal, in the repository's root folder, type `make lab`, then **Run ▸ Run All Cells**.
#   `stylelib weights` says whether this machine has the trained VGG-19 weights; without them, start with
#   `STYLELIB_WEIGHTS=random make lab` — the setup cell then prints a RANDOM WEIGHTS banner, and the one picture
#   whose content depends on the weights carries a red label. Every claim checked here holds for any weights.
#   The outputs saved below were made with random weights.
#
# Convention everywhere: shapes are **height × width × channels**, the order of the arrays.
#
# *This notebook is paired with `01_vgg19_at_any_size.py` (jupytext): edit either one — `notebooks/README.md`
# says how. Worked solutions: `solutions/01_solutions.ipynb`. The tangents (receptive fields, a
# fully-convolutional head, pooling gradients, `tf.function` signatures) are in `under_the_hood.ipynb`.*

# %%
from stylelib import notebook  # first: it quiets TensorFlow's C++ log lines before TensorFlow loads

import numpy as np
import tensorflow as tf
import keras
import matplotlib.pyplot as plt
from matplotlib.patches import Rectangle
# %config InlineBackend.figure_formats = ['png']

from stylelib import extractor, images, samples, vgg19, viz
from stylelib import graph as sgraph

tf1 = tf.compat.v1
cfg = notebook.setup(seed=0)
weights = cfg.weights

# what is really executed: the class sizes in full mode, small ones in quick mode (the tests)
BIG = notebook.pick((96, 128), (600, 800))          # the whole photo (height, width)
LAYER, STRIDE = notebook.pick(("conv3_1", 4), ("conv4_2", 8))   # the layer compared, and its step in pixels
TOP, LEFT, SIZE = notebook.pick((16, 32, 64), (96, 272, 256))   # the piece: a SIZE×SIZE square at (TOP, LEFT)
photo = images.resize_to(samples.load_sample("chelsea"), *BIG)
print(f"photo {BIG[0]}×{BIG[1]}, piece {SIZE}×{SIZE} at row {TOP}, column {LEFT}; compared at {LAYER}")

# %% [markdown]
# ## 1. The features of a piece are a piece of the features
#
# `art.py` builds VGG-19 as a TF1 graph for *one* fixed size, `IMAGE_HEIGHT × IMAGE_WIDTH`. Nothing in the weights
# fixes that size: the same weight arrays build a graph for the whole photo and another for a square piece cut out
# of it. If a convolution really applies one filter at every position, then `LAYER`'s activations for the piece
# must equal the matching window of `LAYER`'s activations for the whole photo — except near the piece's edges,
# where the piece sees zero padding instead of the photo's real neighbouring pixels.

# %%
def run_tf1(image_pre, layer):
    """Build art.py's graph for this image's size (its own tf.Graph), load the image, return one layer's value."""
    g = tf.Graph()
    with g.as_default():
        model = sgraph.build_graph(weights, image_pre.shape[1], image_pre.shape[2])
    with tf1.Session(graph=g) as sess:
        sess.run(model["input"].initializer)
        sess.run(model["input"].assign(image_pre))
        return sess.run(model[layer])[0]


x_full = images.preprocess(photo, weights)                       # (1, H, W, 3)
x_piece = x_full[:, TOP:TOP + SIZE, LEFT:LEFT + SIZE]              # (1, SIZE, SIZE, 3): the same pixels
full = run_tf1(x_full, LAYER)                                      # (H/STRIDE, W/STRIDE, C)
piece = run_tf1(x_piece, LAYER)                                    # (SIZE/STRIDE, SIZE/STRIDE, C)
window = full[TOP // STRIDE:(TOP + SIZE) // STRIDE, LEFT // STRIDE:(LEFT + SIZE) // STRIDE]

MARGIN = {"conv3_1": 3, "conv4_2": 6}[LAYER]   # positions near the piece's edges that can see its padding
inside = (slice(MARGIN, -MARGIN), slice(MARGIN, -MARGIN))
scale = np.abs(full).max()
rel_inside = np.abs(piece[inside] - window[inside]).max() / scale
rel_edge = np.abs(piece[0] - window[0]).max() / scale
print(f"{LAYER}: whole photo {full.shape}, piece {piece.shape}, matching window {window.shape}")
print(f"inside the piece (edges of {MARGIN} positions left out): equal to the window: {rel_inside < 1e-4}")
print(f"on the piece's first row: equal to the window: {rel_edge < 1e-4}")
assert piece.shape == window.shape
assert rel_inside < 1e-4      # the same filters at the same pixels give the same numbers
assert rel_edge > 1e-3        # the piece's edge sees zero padding, the photo sees real pixels there

# %% [markdown]
# Two conditions make this work:
#
# * **Alignment.** Each 2×2 pool groups positions in pairs. The piece must start at a multiple of the layer's
#   stride (4 pixels for `conv3_1`, after two pools; 8 for `conv4_2`, after three) so that its pools group the
#   same pixels as the photo's. Exercise 3 moves the piece by 1 to 8 pixels.
# * **A margin.** A unit of `LAYER` sees a window of the input — its *receptive field*: 24×24 pixels for
#   `conv3_1`, 84×84 for `conv4_2` (`under_the_hood.ipynb` §1 computes them). Units closer to the piece's edge
#   than half of that reach into the piece's zero padding, where the photo has real pixels: 12 px = 3 positions
#   of 4 px, and 42 px = 5.25 positions of 8 px, so 6 whole positions.
#
# The equality holds for *any* weights — trained, random, yours — because it is a property of convolution and
# pooling, not of what the filters learned. It is the whole answer to the blog's question: a bigger image is
# just more positions for the same filters.
#
# The picture shows one channel. Left to right: the photo with the piece outlined; the channel for the whole photo
# with the matching window outlined; the channel for the piece alone; and where the two differ (largest difference
# over all channels): only in a frame along the piece's edges.

# %% tags=["weights-picture"]
channel = int(np.argmax(window.std(axis=(0, 1))))    # the channel that varies most in the window
diff = np.abs(piece - window).max(axis=-1)
fig, axes = plt.subplots(1, 4, figsize=(14, 3.8))
axes[0].imshow(photo.astype(np.uint8))
axes[0].add_patch(Rectangle((LEFT, TOP), SIZE, SIZE, fill=False, color="yellow", lw=2))
axes[0].set_title(f"photo {BIG[0]}×{BIG[1]}, piece {SIZE}×{SIZE}", fontsize=9)
lo, hi = full[..., channel].min(), full[..., channel].max()    # one colour scale for both maps
axes[1].imshow(full[..., channel], cmap="viridis", vmin=lo, vmax=hi)
axes[1].add_patch(Rectangle((LEFT / STRIDE - 0.5, TOP / STRIDE - 0.5), SIZE / STRIDE, SIZE / STRIDE,
                            fill=False, color="yellow", lw=2))
axes[1].set_title(f"{LAYER} ch {channel}, whole photo {full.shape[0]}×{full.shape[1]}", fontsize=9)
axes[2].imshow(piece[..., channel], cmap="viridis", vmin=lo, vmax=hi)
axes[2].set_title(f"{LAYER} ch {channel}, piece alone {piece.shape[0]}×{piece.shape[1]}", fontsize=9)
axes[3].imshow(diff > 1e-4 * scale, cmap="gray_r")
axes[3].set_title("piece ≠ window (black), any channel", fontsize=9)
for ax in axes:
    ax.set_xticks([])
    ax.set_yticks([])
viz.mark_random(fig, cfg.random_weights)
notebook.show(fig)
assert not (diff[inside] > 1e-4 * scale).any() and (diff[0] > 1e-4 * scale).any()   # a frame, nothing inside

# %% [markdown]
# With random weights the maps show the mechanics: the same channel, the same pattern inside the window, a frame
# of differences at the edges. With the trained weights the channels would respond to learned features — edges,
# fur, eyes — and the equality would hold just the same.
#
# ## 2. Every layer's shape at 224×224 and at 600×800 — without computing anything
#
# Building a TF1 graph already fixes every tensor's *static* shape: TensorFlow infers it op by op from the input
# size. So we build `art.py`'s graph for 224×224 (the size VGG-19 was trained on) and for 600×800 (the size the blog
# uses) and read the shapes; no pixel is convolved.

# %% tags=["nbval-check-output"]
def static_shapes(height, width):
    """{layer: (H, W, C)} read from the graph built for this input size (the pools are keyed avgpool1...)."""
    g = tf.Graph()
    with g.as_default():
        model = sgraph.build_graph(weights, height, width)
    return {vgg19.canonical_layer(k): tuple(t.shape.as_list()[1:]) for k, t in model.items() if k != "input"}


at_224, at_600x800 = static_shapes(224, 224), static_shapes(600, 800)
print(f"{'layer':8}{'224×224 input':>16}{'600×800 input':>16}")
for name in vgg19.LAYER_NAMES:
    print(f"{name:8}{'×'.join(map(str, at_224[name])):>16}{'×'.join(map(str, at_600x800[name])):>16}")

assert at_224 == vgg19.layer_shapes(224, 224) and at_600x800 == vgg19.layer_shapes(600, 800)
assert at_224["pool1"] == (112, 112, 64) and at_600x800["pool1"] == (300, 400, 64)
assert at_224["pool5"] == (7, 7, 512) and at_600x800["pool5"] == (19, 25, 512)
assert vgg19.layer_shapes(800, 600)["pool1"] == (400, 300, 64)   # art.py's first commit: width first (below)

# %% [markdown]
# Every 3×3 convolution (with `'SAME'` padding) keeps height and width and sets the number of channels; every
# 2×2 pool with stride 2 halves height and width. Both graphs hold the same weight arrays, as constants.
#
# **Height comes first — and the blog writes it the other way.** The blog says that the first layer after pooling
# is 112×112×64 in the classic network "but in our example it will be 400x300x64". Its input is 600×800 in the
# order of `art.py`'s `IMAGE_HEIGHT = 600`, `IMAGE_WIDTH = 800`: 600 pixels tall, 800 wide. TensorFlow stores
# images as `(batch, height, width, channels)` — an array is indexed `[row, column]` — so `pool1` is the tensor
# `(1, 300, 400, 64)`: **300×400×64**. The blog's 400×300 is what `art.py` computed at first: its first commit
# ([29db781](https://github.com/log0/neural-style-painting/commit/29db78161d1658ec4f3fc19e4d1d0c98acd79734)) built the input variable as `np.zeros((1, IMAGE_WIDTH, IMAGE_HEIGHT, COLOR_CHANNELS))` — 800
# rows of 600 columns, whose `pool1` is 400×300×64 (the last assert above) — and the next commit
# ([b8fcabe](https://github.com/log0/neural-style-painting/commit/b8fcabe6b1c2ebdca71c9ecd49e1de093b0a95dc)) swapped it to `(1, IMAGE_HEIGHT, IMAGE_WIDTH, COLOR_CHANNELS)`.
#
# ## 3. Odd sizes: who rounds up, who rounds down
#
# 600 → 300 → 150 → 75 halves exactly, but `pool4` must halve 75. A 2×2 pool with stride 2 over 75 rows has 37
# full windows and one half-window left over. Frameworks differ in whether that last half-window makes an output:
#
# | framework, pooling as VGG-19 uses it | output rows for 75 input rows | rule | source |
# |---|---|---|---|
# | TensorFlow, `padding='SAME'` (`art.py`, `stylelib`) | 38 | ⌈75 / 2⌉ | [TF `tf.nn`, "Notes on padding"](https://www.tensorflow.org/api_docs/python/tf/nn) |
# | TensorFlow / Keras, `padding='valid'` (Keras' `VGG19`: `MaxPooling2D((2, 2), strides=(2, 2))`, default `'valid'`) | 37 | ⌊(75 − 2) / 2⌋ + 1 | [keras `compute_pooling_output_shape`](https://github.com/keras-team/keras/blob/master/keras/src/ops/operation_utils.py), [keras `vgg19.py`](https://github.com/keras-team/keras/blob/master/keras/src/applications/vgg19.py) |
# | Caffe (the original VGG release: kernel 2, stride 2, no pad) | 38 | ⌈(75 − 2) / 2⌉ + 1 | [`pooling_layer.cpp`](https://github.com/BVLC/caffe/blob/master/src/caffe/layers/pooling_layer.cpp) (`ceil`) |
# | MatConvNet `vl_nnpool`, no padding | 37 | ⌊(75 − 2) / 2⌋ + 1 | [`vl_nnpool.m`](https://github.com/vlfeat/matconvnet/blob/master/matlab/vl_nnpool.m) (`floor`) |
# | MatConvNet, a model imported from Caffe (one row of padding added at the bottom/right) | 38 | ⌊(75 + 1 − 2) / 2⌋ + 1 | [`utils/layers.py`](https://github.com/vlfeat/matconvnet/blob/master/utils/layers.py) (`pad_corrected`) |
#
# So **Caffe rounds up**, like TensorFlow's `'SAME'`; MatConvNet's `vl_nnpool` and Keras' `'valid'` pools round
# down (MatConvNet's Caffe importer pads one extra row and column so that imported models keep Caffe's sizes).
# For 224×224 nobody rounds (224 = 7·2⁵), which is why the difference rarely shows. For a 2×2 pool with stride 2
# over $n$ rows (no padding for Caffe and MatConvNet), the rules of the table are
#
# $$n_{\text{out}} = \left\lceil \frac{n - 2}{2} \right\rceil + 1 = \left\lceil \frac{n}{2} \right\rceil
# \quad\text{(TF 'SAME', Caffe)}, \qquad
# n_{\text{out}} = \left\lfloor \frac{n - 2}{2} \right\rfloor + 1 = \left\lfloor \frac{n}{2} \right\rfloor
# \quad\text{(Keras 'valid', MatConvNet)}.$$
#
# The formulas, checked against TensorFlow and Keras:

# %% tags=["nbval-check-output"]
def caffe_pool(n, kernel=2, stride=2, pad=0):          # pooling_layer.cpp: ceil
    return int(np.ceil((n + 2 * pad - kernel) / stride)) + 1


def matconvnet_pool(n, kernel=2, stride=2, pad=(0, 0)):  # vl_nnpool.m: floor; pad = (top, bottom)
    return (n + pad[0] + pad[1] - kernel) // stride + 1


rows = tf.zeros((1, 75, 4, 1))
tf_same = tf.nn.max_pool2d(rows, 2, 2, "SAME").shape[1]
tf_valid = tf.nn.max_pool2d(rows, 2, 2, "VALID").shape[1]
keras_default = keras.layers.MaxPooling2D((2, 2), strides=(2, 2))(rows).shape[1]
print(f"75 rows -> TF 'SAME' {tf_same}, TF 'VALID' {tf_valid}, Keras MaxPooling2D default {keras_default},"
      f" Caffe {caffe_pool(75)}, MatConvNet {matconvnet_pool(75)} (imported from Caffe: {matconvnet_pool(75, pad=(0, 1))})")
assert tf_same == caffe_pool(75) == matconvnet_pool(75, pad=(0, 1)) == 38
assert tf_valid == keras_default == matconvnet_pool(75) == 37
assert all(caffe_pool(n) == -(-n // 2) and matconvnet_pool(n) == n // 2 for n in range(2, 1000))

# %% [markdown]
# The last line checks the rules for every size up to 1000: Caffe's formula is "halve, rounding up", `vl_nnpool`'s
# is "halve, rounding down". At 600×800, rounding up gives `pool5` 19×25; rounding down would give 18×25.
#
# ## 4. The classifier head cannot take the bigger map
#
# After `pool5`, VGG-19 flattens the 7×7×512 map into a vector of 25 088 numbers and multiplies it by `fc6`, a
# 25 088×4096 matrix (then `fc7`, `fc8`). At 600×800 the flattened map has 19·25·512 = 243 200 numbers. A dense
# layer built for 25 088 inputs refuses it (this one has 16 outputs instead of 4096, to save memory — the check
# that fails is about the input length):

# %% tags=["nbval-check-output"]
fc6 = keras.layers.Dense(16, name="fc6")
fc6.build((None, 25088))
print("flattened 224×224 pool5 ->", tuple(fc6(tf.zeros((1, 25088))).shape))
n_big = int(np.prod(at_600x800["pool5"]))
try:
    fc6(tf.zeros((1, n_big)))
    refused = False
except ValueError as e:
    refused = True
    print(f"flattened 600×800 pool5 ({n_big:,} numbers) -> ValueError: {str(e).splitlines()[0]}")
assert refused and n_big == 243_200
print(f"an fc6 for 600×800 would need {n_big * 4096 + 4096:,} weights, all new and untrained")

# %% [markdown]
# A head for 600×800 would be a different, bigger layer, trained again. Style transfer never needs one: it
# compares activations of the convolution layers only. (The head *can* be rewritten as convolutions that slide
# over the big map, giving one classification per window — `under_the_hood.ipynb` §2.)
#
# ## 5. TF2: one model for every size
#
# In TF2 there is no fixed-size graph to rebuild: a Keras model whose input shape is `(None, None, 3)` takes any
# height and width. `stylelib.extractor.keras_vgg19` builds the conv stack that way, with the same weight arrays
# as the TF1 graphs above. Its static output shape leaves height and width open; they become numbers when it runs.

# %% tags=["nbval-check-output"]
vgg = extractor.keras_vgg19(weights, up_to="pool5", input_shape=(None, None, 3))
probe_layers = ("conv1_1", "pool1", "conv3_1", "conv4_2", "pool4", "pool5")
probe = keras.Model(vgg.input, {n: vgg.get_layer(vgg19.layer_key(n, "avg")).output for n in probe_layers})
print("input:", vgg.input.shape, "-> pool5:", vgg.output.shape)
assert tuple(vgg.output.shape) == (None, None, None, 512)
assert np.array_equal(vgg.get_layer("conv4_2").kernel.numpy(), weights.kernels["conv4_2"])

agree = []
for size in (notebook.pick((32, 32), (224, 224)), BIG):
    out = probe(images.preprocess(images.resize_to(photo, *size), weights))
    ran = {n: tuple(out[n].shape[1:]) for n in probe_layers}
    static = {(224, 224): at_224, (600, 800): at_600x800}.get(size) or static_shapes(*size)   # quick mode: build
    agree.append(all(ran[n] == static[n] == vgg19.layer_shapes(*size)[n] for n in probe_layers))
print("shapes when run = the TF1 graphs' static shapes = vgg19.layer_shapes, at both sizes:", all(agree))
assert agree == [True, True]
del out

# %% [markdown]
# And the demonstration of section 1 in TF2: one model, called on the photo and on the piece, gives the TF1
# graphs' numbers.

# %% tags=["nbval-check-output"]
to_layer = extractor.keras_vgg19(weights, up_to=LAYER)
full_tf2 = to_layer(x_full).numpy()[0]
piece_tf2 = to_layer(x_piece).numpy()[0]
print("TF2 = TF1 on the whole photo:", np.abs(full_tf2 - full).max() / scale < 1e-4,
      "| on the piece:", np.abs(piece_tf2 - piece).max() / scale < 1e-4)
assert np.abs(full_tf2 - full).max() / scale < 1e-4 and np.abs(piece_tf2 - piece).max() / scale < 1e-4

# %% [markdown]
# Keras' own `keras.applications.VGG19` takes any size too with `include_top=False` (at least 32×32: its pools
# round down). With `include_top=True` and the ImageNet weights it insists on 224×224 — and refuses before
# downloading anything:

# %% tags=["nbval-check-output"]
try:
    keras.applications.VGG19(weights="imagenet", include_top=True, input_shape=(600, 800, 3))
    refused = False
except ValueError as e:
    refused = True
    print("ValueError:", str(e)[:160])
assert refused

# %% [markdown]
# ## Exercises
#
# 1. **By hand.** A photo 500 pixels wide and 375 pixels tall goes into the network. What is `pool5`'s shape with
#    `stylelib`'s `'SAME'` pools, and with Keras' `'valid'` pools? Write it down, then check the `'SAME'` answer
#    with `vgg19.layer_shapes` and the model `vgg`, and the `'valid'` one by building five `MaxPooling2D(2)` layers.
# 2. **Shapes as a function.** Write `pool5_size(height, width, padding="same")` that returns `pool5`'s
#    (height, width) for any input, for `'same'` and for `'valid'` pools, *without* TensorFlow. Check it against
#    the network (`vgg`, whose pools are `'same'`, and a Keras `MaxPooling2D` for `'valid'`) for at least five
#    sizes, odd ones included. What is the smallest square input that still gives a `pool5` with `'valid'` pools?
# 3. **Implement the idea: the crop test, for any conv network.** Build your own small conv stack with Keras —
#    `keras.Input((None, None, 3))`, then `Conv2D(8, 3, padding="same", activation="relu")`, `AveragePooling2D(2)`,
#    `Conv2D`, `AveragePooling2D(2)`, `Conv2D` — and run it on the photo at two sizes. Then write
#    `crop_matches(model, x, top, left, size, stride, margin)`: run `model` on the batch `x` and on the piece cut
#    at `(top, left)`, and return whether the piece's features equal the matching window inside the margin. Use it
#    on your stack and on `extractor.keras_vgg19(weights, up_to="conv3_1")` with the piece moved by 0, 1, …, 8
#    pixels. Which shifts match, and why?

# %%
# Exercise 1 — your code here

# %%
# Exercise 2 — your code here

# %%
# Exercise 3 — your code here

# %% [markdown]
# ## Summary
#
# * A convolution applies one small filter at every position; a pool has no weights. So VGG-19's conv stack takes
#   any image size with the weights learned at 224×224 — shown by the piece-vs-photo test: the same numbers
#   inside, differences only in a margin at the piece's edges, for any weights.
# * Shapes: at 224×224, `pool1` is 112×112×64 and `pool5` 7×7×512; at 600×800 (height first), `pool1` is
#   **300×400×64** (the blog writes 400×300) and `pool5` 19×25×512.
# * At odd sizes TensorFlow's `'SAME'` and Caffe round up (75 → 38); MatConvNet's `vl_nnpool` and Keras' `'valid'`
#   round down (75 → 37).
# * Only the fully-connected head needs exactly 7×7×512; style transfer never uses it.
# * TF1 builds one fixed-size graph per size from the same weights; TF2 has one model with input `(None, None, 3)`.
#
# **Links:** the blog post ([amit-agrawal.com](https://amit-agrawal.com/DNN-1-20171125.html)); `art.py`
# ([log0/neural-style-painting](https://github.com/log0/neural-style-painting/blob/master/art.py)); Simonyan &
# Zisserman, *Very Deep Convolutional Networks* ([arXiv 1409.1556](https://arxiv.org/abs/1409.1556)); Gatys et al.
# ([arXiv 1508.06576](https://arxiv.org/abs/1508.06576),
# [CVPR 2016](https://openaccess.thecvf.com/content_cvpr_2016/html/Gatys_Image_Style_Transfer_CVPR_2016_paper.html));
# Keras' [VGG19](https://keras.io/api/applications/vgg/); the pooling sources in the table of section 3;
# TensorFlow guide [Introduction to graphs and `tf.function`](https://www.tensorflow.org/guide/intro_to_graphs).
#
# **Optional:** `under_the_hood.ipynb` — receptive fields, the fully-convolutional head, max vs average pooling
# and their gradients, `tf.function` signatures.
#
# **Next:** `02_building_the_graph.ipynb` — the network as a dict of graph nodes with one variable.
