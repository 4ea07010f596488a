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
# # Under the hood (optional appendix)
#
# **The idea:** five tangents that the course's notebooks point to but do not need — each short, each checked by
# running code and an `assert`.
#
# 1. **Receptive fields** — how much of the image one unit of a layer sees (notebook 01's margin).
# 2. **The fully-convolutional head** — VGG-19's classifier rewritten as convolutions, so that it *can* slide
#    over a big image (notebook 01, section 4).
# 3. **Max versus average pooling**, and where their gradients go (why Gatys et al. use average pooling).
# 4. **`tf.function` signatures** — one trace per input shape, or one for all.
# 5. **Grappler**, TensorFlow's graph optimizer: constant folding and op fusion — why the op names a run executes
#    are not always the graph's (notebook 04).
#
# * **Prerequisites:** notebooks 01 and 04.
# * **Time:** about 30 minutes; no exercises.
# * **To run it:** `make lab` in the repository's root folder, then **Run ▸ Run All Cells** (with
#   `STYLELIB_WEIGHTS=random make lab` if this machine has no trained VGG-19 weights: nothing here depends on them).
#
# *This notebook is paired with `under_the_hood.py` (jupytext): edit either one — `notebooks/README.md` says how.*

# %%
from stylelib import notebook  # first: it quiets TensorFlow's C++ log lines before TensorFlow loads

import numpy as np
import tensorflow as tf
import keras

from stylelib import extractor, images, samples, tracing, vgg19

tf1 = tf.compat.v1
cfg = notebook.setup(seed=0)
weights = cfg.weights

# %% [markdown]
# ## 1. Receptive fields
#
# A unit of `conv1_1` sees a 3×3 patch of pixels. A unit of `conv1_2` sees 3×3 units of `conv1_1`, that is 5×5
# pixels. After a 2×2 pool with stride 2, one step in the map is 2 pixels, so the next 3×3 convolution widens the
# field by 2 steps of 2 pixels. In general, with $r$ the field's width in pixels and $s$ the layer's stride in
# pixels (the distance between neighbouring units):
#
# $$ \text{3×3 conv: } r \leftarrow r + 2s, \qquad \text{2×2 pool, stride 2: } r \leftarrow r + s,\; s \leftarrow 2s. $$

# %% tags=["nbval-check-output"]
r, s, receptive = 1, 1, {}
for layer in vgg19.LAYERS:
    if layer.kind == "conv":
        r += 2 * s
    else:
        r, s = r + s, 2 * s
    receptive[layer.name] = (r, s)
print("layer     field  stride")
for name in ("conv1_2", "pool1", "conv2_1", "conv3_1", "conv4_2", "conv5_1", "pool5"):
    print(f"{name:8} {receptive[name][0]:4d} px {receptive[name][1]:5d} px")
assert receptive["conv3_1"] == (24, 4) and receptive["conv4_2"] == (84, 8) and receptive["pool5"] == (268, 32)

# %% [markdown]
# The field is a property of the layer sizes, not of the weights, so we can *measure* it on a skeleton of the
# network: one channel per layer, all-ones 3×3 kernels, average pools, an all-ones image. Every value is then
# positive (the ReLUs pass everything), and the gradient of one unit with respect to the image is non-zero exactly
# on the pixels that unit sees.

# %% tags=["nbval-check-output"]
def measured_field(layer_name, size=320):
    x = tf.ones((1, size, size, 1))
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = x
        for layer in vgg19.LAYERS[: vgg19.LAYER_NAMES.index(layer_name) + 1]:
            if layer.kind == "conv":
                y = tf.nn.relu(tf.nn.conv2d(y, tf.ones((3, 3, 1, 1)), 1, "SAME"))
            else:
                y = tf.nn.avg_pool2d(y, 2, 2, "SAME")
        centre = y[0, y.shape[1] // 2, y.shape[2] // 2, 0]
    seen = np.argwhere(tape.gradient(centre, x).numpy()[0, :, :, 0] != 0)
    return int(seen[:, 0].max() - seen[:, 0].min() + 1)


for name in ("conv3_1", "conv4_2", "pool5"):
    measured = measured_field(name)
    print(f"{name}: computed {receptive[name][0]} px, measured {measured} px")
    assert measured == receptive[name][0]

# %% [markdown]
# A `conv4_2` unit — the paper's content layer — sees 84×84 pixels; at 600×800 there are 75×100 of them, each with
# the same filters. That is why notebook 01 leaves 6 positions at the edges of its piece (42 px = 5.25 positions of
# 8 px, rounded up). `pool5` units see
# 268×268 pixels: more than a whole 224×224 image, so at 224×224 every one of them reaches into the padding.
# Receptive fields are measured in pixels, so in a bigger photo each unit covers a smaller part of the scene — which
# suggests that brush strokes come out smaller, relative to the picture, when style transfer runs at a larger size.
# Gatys et al. 2017 ([arXiv 1611.07865](https://arxiv.org/abs/1611.07865)) control style across spatial scales
# and discuss stylising large, high-resolution images.
#
# ## 2. The fully-convolutional head
#
# `fc6` multiplies the flattened 7×7×512 `pool5` map by a 25 088×4096 matrix. The same matrix, reshaped to
# 7×7×512×4096, is a convolution with a 7×7 kernel: on a 7×7 map with `'valid'` padding it gives exactly `fc6`'s
# output at one position; on a bigger map it slides, one classification per 7×7 window of `pool5` (a window every
# 32 pixels of the image). `fc7` and `fc8` become 1×1 convolutions. Checked here with 8 channels and 5 outputs
# instead of 512 and 4096 (the same algebra, less memory).
#
# The reshape is valid only if the map was flattened in the same order the kernel is read — here height, width,
# channels (HWC), as `reshape` flattens a TensorFlow map. Caffe, where VGG-19 was trained, flattens `pool5` in
# CHW order (channels first), so its `fc6` matrix must be permuted before it can be read as 7×7×512 filters.
# MatConvNet's `.mat` file, which `art.py` loads, already stores `fc6` as a convolution: `art.py`'s docstring
# lists layer 37 as `fullyconnected (7, 7, 512, 4096)`
# ([art.py](https://github.com/log0/neural-style-painting/blob/master/art.py)).

# %% tags=["nbval-check-output"]
rng = np.random.default_rng(0)
C, N = 8, 5
dense = keras.layers.Dense(N)
dense.build((None, 7 * 7 * C))
as_conv = keras.layers.Conv2D(N, 7, padding="valid")
as_conv.build((None, None, None, C))
kernel, bias = dense.get_weights()
as_conv.set_weights([kernel.reshape(7, 7, C, N), bias])      # the same numbers, read as 7×7 filters

pool5_224 = rng.normal(size=(1, 7, 7, C)).astype(np.float32)
dense_out = dense(pool5_224.reshape(1, -1)).numpy()
conv_out = as_conv(pool5_224).numpy()
print("7×7 map: Dense", dense_out.shape, "| Conv2D", conv_out.shape, "| equal:", np.allclose(dense_out, conv_out[:, 0, 0], atol=1e-5))
assert conv_out.shape == (1, 1, 1, N) and np.allclose(dense_out, conv_out[:, 0, 0], atol=1e-5)

pool5_big = rng.normal(size=(1, 19, 25, C)).astype(np.float32)    # pool5 of a 600×800 image ('SAME' pools)
grid = as_conv(pool5_big).numpy()
window_0_3 = dense(pool5_big[:, 0:7, 3:10].reshape(1, -1)).numpy()
print("19×25 map -> a grid of", grid.shape[1:3], "classifications; the one at (0, 3) is Dense on that window:",
      np.allclose(grid[0, 0, 3], window_0_3[0], atol=1e-5))
assert grid.shape[1:3] == (13, 19) and np.allclose(grid[0, 0, 3], window_0_3[0], atol=1e-5)

# %% [markdown]
# With the real sizes: at 600×800, the 19×25×512 `pool5` map gives a 13×19 grid of 1000 class scores (18×25 with
# Keras' `'valid'` pools gives 12×19). Simonyan & Zisserman evaluated their networks this way at test time
# ("dense evaluation", [arXiv 1409.1556](https://arxiv.org/abs/1409.1556), section 3.2). Style transfer needs none
# of it.
#
# ## 3. Max versus average pooling, and their gradients
#
# VGG-19 was trained with **max** pooling. Gatys et al. replace it with **average** pooling for image synthesis;
# they report that this improves the gradient flow and gives slightly more appealing pictures
# ([arXiv 1508.06576](https://arxiv.org/abs/1508.06576)). `art.py` and `stylelib` follow them. On a 4×4 array:

# %% tags=["nbval-check-output"]
x = tf.constant([[1, 2, 0, 3],
                 [4, 6, 5, 1],
                 [0, 2, 7, 3],
                 [1, 9, 2, 8]], tf.float32)[None, :, :, None]   # (batch, H, W, channels)
with tf.GradientTape(persistent=True) as tape:
    tape.watch(x)
    max_out = tf.nn.max_pool2d(x, 2, 2, "SAME")
    avg_out = tf.nn.avg_pool2d(x, 2, 2, "SAME")
    max_sum, avg_sum = tf.reduce_sum(max_out), tf.reduce_sum(avg_out)
grad_max = tape.gradient(max_sum, x)[0, :, :, 0].numpy()
grad_avg = tape.gradient(avg_sum, x)[0, :, :, 0].numpy()
del tape
print("max pool:", max_out.numpy().ravel().tolist(), "| average pool:", avg_out.numpy().ravel().tolist())
print("gradient through max pool:\n", grad_max.astype(int))
print("gradient through average pool:\n", grad_avg)
assert max_out.numpy().ravel().tolist() == [6, 5, 9, 8] and avg_out.numpy().ravel().tolist() == [3.25, 2.25, 3, 5]
assert (grad_max != 0).sum() == 4 and np.all(grad_avg == 0.25)

# %% [markdown]
# Through a max pool only the winner of each window gets a gradient (12 of the 16 pixels get zero); through an
# average pool every pixel gets a quarter. When the network is used to *change the image*, every pixel of an
# average pool's window gets gradient, not only the winner (a ReLU before the pool can still block it, where its
# input is negative).
#
# On the network: up to `conv1_2` both versions are the same network, so `pool1` compares the two poolings on the
# same numbers, and there an average never exceeds the maximum of its window — for any weights. Beyond `pool1` the
# two networks see different inputs, and no such rule holds (weights can be negative, so a smaller input can give
# a larger output); whether the average-pooled network's activations come out smaller there depends on the
# weights, so we claim nothing about it.

# %% tags=["nbval-check-output"]
x_photo = images.preprocess(images.resize_to(samples.load_sample("chelsea"), 32, 48), weights)
avg_pool1 = extractor.FeatureExtractor(weights, ["conv1_2", "pool1"], pooling="avg")(x_photo)
max_pool1 = extractor.FeatureExtractor(weights, ["conv1_2", "pool1"], pooling="max")(x_photo)
same_conv1_2 = np.array_equal(avg_pool1["conv1_2"].numpy(), max_pool1["conv1_2"].numpy())
avg_le_max = bool(np.all(avg_pool1["pool1"].numpy() <= max_pool1["pool1"].numpy() + 1e-4))
print("conv1_2 identical in both networks:", same_conv1_2, "| pool1: average <= max everywhere:", avg_le_max)
assert same_conv1_2 and avg_le_max

# %% [markdown]
# ## 4. `tf.function` signatures: one trace per shape, or one for all
#
# A `tf.function` traces its Python body into a graph for the shapes and dtypes it is called with, and traces
# again for a new shape. Given an `input_signature` with `None` for height and width, it traces once; the static
# shapes inside that graph are then partly unknown and become numbers only when it runs
# ([guide: `tf.function`, "Rules of tracing"](https://www.tensorflow.org/guide/function)).

# %% tags=["nbval-check-output"]
to_pool1 = extractor.FeatureExtractor(weights, ["pool1"])

per_shape = tf.function(to_pool1)
for hw in ((32, 48), (48, 64), (32, 48)):
    per_shape(tf.zeros((1, *hw, 3)))
print("traces without a signature, 3 calls with 2 shapes:", per_shape.experimental_get_tracing_count())

any_size = tf.function(to_pool1, input_signature=[tf.TensorSpec((1, None, None, 3), tf.float32)])
for hw in ((32, 48), (48, 64)):
    print(f"input {hw} -> pool1 {tuple(any_size(tf.zeros((1, *hw, 3)))['pool1'].shape)}")
static = any_size.get_concrete_function().structured_outputs["pool1"].shape
print("traces with a (1, None, None, 3) signature:", any_size.experimental_get_tracing_count(),
      "| static pool1 shape in its graph:", static)
assert per_shape.experimental_get_tracing_count() == 2 and any_size.experimental_get_tracing_count() == 1
assert static.as_list() == [1, None, None, 64]

# %% [markdown]
# A style-transfer loop calls its step function with one shape thousands of times, so either form traces once
# there; a signature matters when one function serves images of many sizes, where each new shape would otherwise
# cost a new trace (and keep one more graph in memory).
#
# ## 5. Grappler: constant folding and op fusion
#
# Before a `Session` runs the pruned graph, Grappler ([guide](https://www.tensorflow.org/guide/graph_optimization))
# rewrites it. The run's trace shows the result: each executed node has a name and the *kernel* that ran
# (`node_stats.timeline_label`, `"name = Kernel(inputs)"`; `stylelib.graph.executed_ops(..., kernels=True)` reads it).
# Four one-line graphs show four rewrites. Whether a rewrite happens can depend on the TensorFlow build (oneDNN,
# TensorFlow's default on x86 Linux, or the plain CPU kernels with `TF_ENABLE_ONEDNN_OPTS=0`), so each cell says
# which case this run is and asserts *that case* completely.

# %%
rng = np.random.default_rng(0)
g = tf.Graph()
with g.as_default():
    x_var = tf1.Variable(rng.normal(size=(1, 8, 8, 3)).astype(np.float32), name="x")
    a = tf.constant(np.full(3, 2.0, np.float32), name="a")
    b = tf.constant(np.full(3, 3.0, np.float32), name="b")
    scaled = tf.multiply(x_var, tf.multiply(a, b, name="a_times_b"), name="scaled")   # a*b needs no input
    kernel = tf.constant(rng.normal(size=(3, 3, 3, 4)).astype(np.float32), name="kernel")
    conv = tf.nn.conv2d(x_var, kernel, 1, "SAME", name="conv")
    bias = tf.constant(np.full(4, 0.1, np.float32), name="bias")
    relu_bias_add = tf.nn.relu(tf.nn.bias_add(conv, bias, name="bias_add"), name="relu_bias_add")
    relu_plus = tf.nn.relu(tf.add(conv, bias, name="plus"), name="relu_plus")                 # art.py's `+ b`
    relu_plus_zero = tf.nn.relu(tf.add(conv, tf.zeros(4), name="plus_zero"), name="relu_plus_zero")
sess = tf1.Session(graph=g)
sess.run(x_var.initializer)


def kernels_that_ran(fetch):
    """{op name: kernel that ran} for the graph's ops one traced sess.run(fetch) executed (raw trace)."""
    options = tf1.RunOptions(trace_level=tf1.RunOptions.FULL_TRACE)
    metadata = tf1.RunMetadata()
    sess.run(fetch, options=options, run_metadata=metadata)
    labels = {n.node_name: n.timeline_label for d in metadata.step_stats.dev_stats for n in d.node_stats}
    return {name: label.split(" = ")[1].split("(")[0] for name, label in labels.items()
            if name in {op.name for op in g.get_operations()} and " = " in label}


# %% [markdown]
# **Constant folding.** `a * b` depends on no input, so Grappler computes it once, before the run, and the node
# runs as a `Const` holding the product (in every build).

# %% tags=["nbval-check-output"]
ran = kernels_that_ran(scaled)
print("a_times_b ran as:", ran.get("a_times_b"), "| a and b ran:", "a" in ran or "b" in ran,
      "| scaled ran as:", ran["scaled"])
assert ran.get("a_times_b") == "Const" and "a" not in ran and "b" not in ran and ran["scaled"] == "Mul"

# %% [markdown]
# **Fusion with `tf.nn.bias_add`**, and **`x + b` as `art.py` writes it.** A convolution, its bias and its ReLU can
# run as one *fused* kernel, under the ReLU's name. Whether they are fused depends on the build and on how the bias
# is added; the two cases are asserted in full either way.

# %% tags=["nbval-ignore-output"]
for out, add_name in ((relu_bias_add, "bias_add"), (relu_plus, "plus")):
    ran = kernels_that_ran(out)
    name = out.op.name
    fused = "FusedConv2D" in ran.get(name, "")
    if fused:   # one kernel under the ReLU's name; the convolution and the add did not run by themselves
        assert "conv" not in ran and add_name not in ran
        case = f"fused: {name} ran as {ran[name]}"
    else:       # three kernels, each under its own name
        assert "Conv2D" in ran["conv"] and ran[add_name] in ("BiasAdd", "AddV2") and ran[name] == "Relu"
        case = f"not fused: conv ran as {ran['conv']}, {add_name} as {ran[add_name]}, {name} as Relu"
    print(f"{add_name:9s} -> {case}")

# %% [markdown]
# The committed output is this machine's TensorFlow build, with oneDNN: both are fused (`_MklNativeFusedConv2D`).
# With `TF_ENABLE_ONEDNN_OPTS=0` — not shown here; it was tested elsewhere, and `tests/test_notebooks_rerun.py`
# reruns this notebook in that build, where the asserts of both branches above hold — only `bias_add` was reported
# fused (`_FusedConv2D`), with `conv + b` running as three kernels.
#
# **An all-zero bias is dropped.** `x + 0` is `x`, so Grappler removes the add — in both builds tried here (oneDNN
# and `TF_ENABLE_ONEDNN_OPTS=0`; the assert below runs in both) — this is why, with
# `stylelib`'s random weights (all biases zero), notebook 04's traces show no bias adds at all.

# %% tags=["nbval-check-output"]
ran = kernels_that_ran(relu_plus_zero)
print("plus_zero ran:", "plus_zero" in ran, "| relu_plus_zero ran as:", ran["relu_plus_zero"])
assert "plus_zero" not in ran and "Conv2D" in ran.get("conv", ran["relu_plus_zero"])

# %% [markdown]
# **In TF2**, a `tf.function` graph goes through Grappler too when it is instantiated. `stylelib.tracing.optimized_graph`
# returns the traced graph and the one that ran (notebook 04, section 7, shows the public APIs it uses):

# %% tags=["nbval-ignore-output"]
def conv_bias_relu(x):
    return tf.nn.relu(tf.nn.bias_add(tf.nn.conv2d(x, kernel_values, 1, "SAME"), bias_values))


kernel_values = rng.normal(size=(3, 3, 3, 4)).astype(np.float32)
bias_values = np.full(4, 0.1, np.float32)
pre, post = tracing.optimized_graph(conv_bias_relu, tf.zeros((1, 8, 8, 3)))
before = sorted(n.op for n in pre.node if n.op in ("Conv2D", "BiasAdd", "Relu"))
after = sorted(n.op for n in post.node if "Conv2D" in n.op or n.op in ("BiasAdd", "Relu"))
print("traced:", before, "| after Grappler:", after)
assert before == ["BiasAdd", "Conv2D", "Relu"]
assert after in (["_FusedConv2D"], ["BiasAdd", "Conv2D", "Relu"])   # fused, or left as three ops

# %% [markdown]
# ## Summary
#
# * A unit's receptive field grows by 2 strides per 3×3 convolution and 1 per pool; `conv4_2` sees 84×84 pixels.
# * `fc6` is a 7×7 convolution in disguise: on a 7×7 map it equals the dense layer, on a bigger map it slides.
# * Max pooling passes gradient to one pixel per window, average pooling to all four; at `pool1` the average never
#   exceeds the maximum, and deeper no such rule holds.
# * A `tf.function` traces once per input shape unless its signature leaves the sizes open.
# * Grappler folds constant subgraphs, drops `+ 0`, and (depending on the build) fuses convolution, bias and ReLU —
#   so check which *layers* ran, not which op names.
#
# **Links:** Gatys et al. ([arXiv 1508.06576](https://arxiv.org/abs/1508.06576)); Simonyan & Zisserman
# ([arXiv 1409.1556](https://arxiv.org/abs/1409.1556)); TensorFlow guides:
# [`tf.function`](https://www.tensorflow.org/guide/function),
# [Grappler](https://www.tensorflow.org/guide/graph_optimization),
# [graphs](https://www.tensorflow.org/guide/intro_to_graphs); the blog post
# ([amit-agrawal.com](https://amit-agrawal.com/DNN-1-20171125.html)); `art.py`
# ([log0/neural-style-painting](https://github.com/log0/neural-style-painting/blob/master/art.py)).
#
# **Next:** back to the course — `05_content_and_style_costs.ipynb`.
