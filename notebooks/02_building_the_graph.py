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
# # 02 — Building the graph: VGG-19 as a dictionary of nodes with one variable
#
# **The idea:** in TF1 the network is a Python dictionary of graph nodes — the weights are constants, and the
# only `tf.Variable` is the input image, which you load with `assign`.
#
# The blog's `art.py` builds VGG-19 this way ([its `load_vgg_model`, lines 183–204][art-graph]): `graph['input']`
# is a variable holding the image, `graph['conv1_1']` … `graph['avgpool5']` are layers made by two small
# functions. Here we write those functions, build the dictionary inside an explicit `tf.Graph`, check it against
# `stylelib.graph.build_graph`, look at what the graph holds, and then write the same idea in TF2.
#
# **You will learn:** how the dictionary is built and what the MatConvNet index in
# `_conv2d_relu(prev, 0, 'conv1_1')` means; that the graph holds **one variable** and 20 million weights as
# `Const` ops; that a node is symbolic until a `Session` runs it; how `assign` loads an image, and why a new
# `assign` per image grows the graph; the TF2 form — a `tf.Variable` passed through a feature extractor or a
# Keras model, changed with `Variable.assign`.
#
# **Prerequisites:** notebook 01 (the layer table, shapes at any size). **Time:** about 45 minutes.
#
# *To run it: in a terminal, in the repository's root folder, type `make lab` (the first time, it creates
# `.venv` and installs what is needed: Python ≥ 3.10 and access to PyPI), then **Run ▸ Run All Cells**.
# `stylelib weights` says whether this machine has the trained VGG-19 weights; without them, start with
# `STYLELIB_WEIGHTS=random make lab` — the setup cell then prints a RANDOM WEIGHTS banner. Nothing in this
# notebook depends on what the weights learned: shapes, ops and graphs are the same for any weights.
# This notebook is paired with `02_building_the_graph.py` (jupytext): edit either one — `notebooks/README.md` says how.*
#
# [art-graph]: https://github.com/log0/neural-style-painting/blob/71ce48493dd036786fb212cea4272b8a06ba0a0f/art.py#L183-L204

# %%
from stylelib import notebook  # first: it quiets TensorFlow's C++ log lines before TensorFlow loads

import collections

import numpy as np
import tensorflow as tf
import keras
import matplotlib.pyplot as plt
# %config InlineBackend.figure_formats = ['png']

from stylelib import extractor, images, samples, vgg19, viz
from stylelib import graph as sgraph

tf1 = tf.compat.v1
cfg = notebook.setup(seed=0)
weights = cfg.weights

HEIGHT, WIDTH = notebook.pick((64, 96), (600, 800))   # the input size the graph is built for (art.py's 600×800)
photo = images.resize_to(samples.load_sample("chelsea"), HEIGHT, WIDTH)
x = images.preprocess(photo, weights)                  # (1, H, W, 3) float32, mean subtracted
print("graph input (H, W):", (HEIGHT, WIDTH), "| preprocessed image:", x.shape, x.dtype.name)

# %% [markdown]
# ## 1. The weights we build from
#
# `cfg.weights` holds, for each of the 16 conv layers, a kernel (3, 3, in channels, out channels) and a bias
# (out channels,), plus the input convention (channel order, mean pixel). `art.py` reads the trained numbers from
# MatConvNet's `imagenet-vgg-verydeep-19.mat` (with random weights, here: random ones of the same shapes), where a layer is found by its **position** in the file's layer
# list — ReLUs and pools count too — so `conv1_1` is 0, `conv1_2` is 2 (after `relu1_1`) and `conv2_1` is 5.

# %% tags=["nbval-check-output"]
print(weights)
for name in ("conv1_1", "conv1_2", "conv2_1", "conv5_4"):
    print(f"{name}: MatConvNet index {vgg19.MATCONVNET_INDEX[name]:>2}, kernel {weights.kernels[name].shape},"
          f" bias {weights.biases[name].shape}")
assert [vgg19.MATCONVNET_INDEX[n] for n in ("conv1_1", "conv1_2", "conv2_1", "conv5_4")] == [0, 2, 5, 34]
assert weights.kernels["conv1_1"].shape == (3, 3, 3, 64) and weights.biases["conv5_4"].shape == (512,)


# %% [markdown]
# ## 2. Two builders and the dictionary, written by hand
#
# `conv2d_relu(prev, index, name)` takes `art.py`'s arguments: the previous node, the MatConvNet index and the
# name. Our weights are keyed by name, so the index is only checked. `tf.constant` copies the kernel and the
# bias **into the graph**. `avgpool` averages 2×2 windows with stride 2, `'SAME'` padding, as `art.py` does:
#
# $$\text{conv}_\ell = \max\bigl(0,\ W_\ell * \text{prev} + b_\ell\bigr), \qquad
#   \text{pool}(i, j) = \tfrac14 \textstyle\sum_{a, b \in \{0, 1\}} \text{prev}(2i + a,\ 2j + b).$$
#
# The ¼ holds for full windows. At an odd edge `'SAME'` pads, and TensorFlow's average pooling divides by the
# number of *real* values in the window, not by 4: `avgpool4` at 600×800 takes `conv4_4`'s 75 rows to 38, and
# its last row averages 2 values, not 4. The cell checks it on an image of ones: every average stays 1.

# %%
def conv2d_relu(prev, index, name):
    # relu(conv2d(prev, kernel) + bias) with the layer's fixed (constant) weights
    assert vgg19.MATCONVNET_INDEX[name] == index, f"{name} is layer {vgg19.MATCONVNET_INDEX[name]}, not {index}"
    with tf1.name_scope(name):
        kernel = tf.constant(weights.kernels[name], name="kernel")
        bias = tf.constant(weights.biases[name], name="bias")
        conv = tf.nn.conv2d(prev, kernel, strides=[1, 1, 1, 1], padding="SAME")
        return tf.nn.relu(conv + bias, name="relu")


def avgpool(prev, name):
    return tf.nn.avg_pool2d(prev, ksize=2, strides=2, padding="SAME", name=name)


ones_pooled = avgpool(tf.ones((1, 75, 100, 1)), "edge_check").numpy()   # eager: conv4_4's rows and columns at 600×800
print("75×100 ones -> avg_pool 'SAME' ->", ones_pooled.shape[1:3], "| min, max:", ones_pooled.min(), ones_pooled.max())
assert ones_pooled.shape == (1, 38, 50, 1) and np.all(ones_pooled == 1.0)   # padding is not counted as 0


# %% [markdown]
# The dictionary, line by line as in `art.py`, built inside a graph we create ourselves: `tf.Graph()` is the
# default only inside the `with` block, so eager execution stays on everywhere else and re-running the cell
# builds a fresh graph instead of adding to an old one.
#
# From here on, a cell that has made its point `del`s the graphs, models and big arrays it built (here the
# library's graph): each TF1 graph keeps its own copy of the 80 MB of weights, and a kernel that has run this
# notebook should hold at most 1 GB so that several notebooks fit on an 8 GB laptop; to get one back, re-run the
# cell that built it (its lines without the `del`, to keep it).

# %%
def build_by_hand(height, width):
    net = {}
    net["input"] = tf1.Variable(np.zeros((1, height, width, 3), np.float32), name="input")
    net["conv1_1"] = conv2d_relu(net["input"], 0, "conv1_1")
    net["conv1_2"] = conv2d_relu(net["conv1_1"], 2, "conv1_2")
    net["avgpool1"] = avgpool(net["conv1_2"], "avgpool1")
    net["conv2_1"] = conv2d_relu(net["avgpool1"], 5, "conv2_1")
    net["conv2_2"] = conv2d_relu(net["conv2_1"], 7, "conv2_2")
    net["avgpool2"] = avgpool(net["conv2_2"], "avgpool2")
    net["conv3_1"] = conv2d_relu(net["avgpool2"], 10, "conv3_1")
    net["conv3_2"] = conv2d_relu(net["conv3_1"], 12, "conv3_2")
    net["conv3_3"] = conv2d_relu(net["conv3_2"], 14, "conv3_3")
    net["conv3_4"] = conv2d_relu(net["conv3_3"], 16, "conv3_4")
    net["avgpool3"] = avgpool(net["conv3_4"], "avgpool3")
    net["conv4_1"] = conv2d_relu(net["avgpool3"], 19, "conv4_1")
    net["conv4_2"] = conv2d_relu(net["conv4_1"], 21, "conv4_2")
    net["conv4_3"] = conv2d_relu(net["conv4_2"], 23, "conv4_3")
    net["conv4_4"] = conv2d_relu(net["conv4_3"], 25, "conv4_4")
    net["avgpool4"] = avgpool(net["conv4_4"], "avgpool4")
    net["conv5_1"] = conv2d_relu(net["avgpool4"], 28, "conv5_1")
    net["conv5_2"] = conv2d_relu(net["conv5_1"], 30, "conv5_2")
    net["conv5_3"] = conv2d_relu(net["conv5_2"], 32, "conv5_3")
    net["conv5_4"] = conv2d_relu(net["conv5_3"], 34, "conv5_4")
    net["avgpool5"] = avgpool(net["conv5_4"], "avgpool5")
    return net


g = tf.Graph()
with g.as_default():
    model = build_by_hand(HEIGHT, WIDTH)
g_lib = tf.Graph()
with g_lib.as_default():
    lib_model = sgraph.build_graph(weights, HEIGHT, WIDTH)   # stylelib builds it from its layer table

print(len(model), "entries:", ", ".join(model))
print("same keys, in the same order, as build_graph:", list(model) == list(lib_model))
for k in ("input", "conv1_1", "avgpool1", "conv4_2", "avgpool5"):
    print(f"  {k:9}{str(tuple(model[k].shape)):>20}")
assert model["conv1_1"].graph is g and lib_model["conv1_1"].graph is g_lib
assert list(model) == list(lib_model) == ["input"] + sgraph.graph_layer_names("avg")
assert all(model[k].shape == lib_model[k].shape for k in model)
assert tuple(model["avgpool5"].shape) == (1, *vgg19.layer_shapes(HEIGHT, WIDTH)["pool5"])
del lib_model, g_lib   # compared; each graph holds its own 80 MB of weights (section 5 builds a fresh one)

# %% [markdown]
# ## 3. One variable; the weights are constants
#
# The blog's observation, checked: the graph has exactly **one** variable — the input image — and it is
# trainable, so an optimizer can change it. The layers are not variables at all.

# %% tags=["nbval-check-output"]
with g.as_default():
    trainable = [v.name for v in tf1.trainable_variables()]
    everything = [v.name for v in tf1.global_variables()]
print("trainable variables:", trainable)
print("all variables:      ", everything)
assert trainable == everything == ["input:0"]


# %% [markdown]
# The weights are `Const` ops: 16 kernels, 16 biases, plus the zeros the variable starts from (its initial
# value) — 33 in all. A constant's value lives *inside* the graph definition (the `GraphDef` protocol buffer),
# so the serialized graph is as big as all the weights together.

# %%
def op_counts(graph):
    return dict(sorted(collections.Counter(op.type for op in graph.get_operations()).items()))


def const_bytes(ops):
    return sum(int(np.prod(op.outputs[0].shape)) * op.outputs[0].dtype.size for op in ops if op.type == "Const")


consts = [op for op in g.get_operations() if op.type == "Const"]
weight_bytes = 4 * sum(weights.kernels[n].size + weights.biases[n].size for n in vgg19.CONV_LAYERS)
graph_bytes = g.as_graph_def().ByteSize()
print("op types:", op_counts(g))
print("Const ops: kernels", sum(op.name.endswith("/kernel") for op in consts),
      "| biases", sum(op.name.endswith("/bias") for op in consts),
      "| other", [op.name for op in consts if not op.name.endswith(("/kernel", "/bias"))])
print(f"constants: {const_bytes(consts) / 1e6:.1f} MB (weights {weight_bytes / 1e6:.1f} MB + the zeros"
      f" of a {HEIGHT}×{WIDTH} image {x.nbytes / 1e6:.2f} MB); serialized GraphDef: {graph_bytes / 1e6:.1f} MB")
assert len(consts) == 33 and const_bytes(consts) == weight_bytes + x.nbytes
assert 1.0 <= graph_bytes / const_bytes(consts) < 1.01   # the GraphDef is the constants plus a little

# %% [markdown]
# ## 4. The graph, drawn from its ops
#
# `viz.draw_graph` walks back from each entry through the real ops to find which entries it reads (arrows),
# which op types it is made of, and which `Const` tensors it uses (under the box). The variable is the gold
# box. The picture is the same for any weights.

# %% tags=["nbval-check-output"]
viz.draw_graph(model, title=f"VGG-19 as a dictionary of graph nodes ({HEIGHT}×{WIDTH} input)")
plt.show()
structure = viz.graph_structure(model)
print("conv1_1 reads", structure["conv1_1"]["edges"], "via", "+".join(structure["conv1_1"]["ops"]))
print("avgpool1 reads", structure["avgpool1"]["edges"], "via", structure["avgpool1"]["ops"])
assert structure["conv1_1"]["edges"] == ["input"] and structure["conv2_1"]["edges"] == ["avgpool1"]
assert all(len(structure[k]["consts"]) == 2 for k in vgg19.CONV_LAYERS)

# %% [markdown]
# ## 5. A node is symbolic until it is run
#
# `model['conv1_1']` is not an array but a description of a computation: a name, a dtype, a static shape, no
# value. The blog printed its type as `tensorflow.python.framework.ops.Tensor`. That was true until
# TensorFlow 2.13: **TensorFlow 2.14** split the class — graph tensors are `SymbolicTensor`, eager ones
# `EagerTensor`, and both are subclasses of `tf.Tensor` ([2.14.0 release notes, "Breaking Changes"][tf214]). This
# project needs TensorFlow ≥ 2.16, so every build it runs on gives `SymbolicTensor`; test with
# `isinstance(t, tf.Tensor)` (any tensor) or `tf.is_symbolic_tensor(t)` (graph tensors only), never with
# `type(t) ==`. The variable is a `ResourceVariable`: in the TF 1 of the blog's time `tf.Variable` made a
# reference variable (its class was `tf.Variable` itself; the name `RefVariable` came with TF 1.11), while here
# TF 2's behaviour, on even in a `tf.Graph`, enables resource variables.
#
# [tf214]: https://github.com/tensorflow/tensorflow/releases/tag/v2.14.0

# %%
node = model["conv1_1"]
print("TensorFlow", tf.__version__.split(".")[0] + "." + tf.__version__.split(".")[1] + ".x")
print("type:", notebook.type_name(node), "| a tf.Tensor:", isinstance(node, tf.Tensor),
      "| symbolic:", tf.is_symbolic_tensor(node))
print("name:", node.name, "| dtype:", node.dtype.name, "| static shape:", tuple(node.shape))
print("variable type:", type(model["input"]).__name__)
try:
    node.numpy()
except AttributeError as e:
    print("asking for its value without a session ->", type(e).__name__)
assert tuple(int(p) for p in tf.__version__.split(".")[:2]) >= (2, 16)     # the project's requirement
# the exact class name is checked on purpose, to show the 2.14 split; in your code use isinstance
assert type(node).__name__ == "SymbolicTensor" and isinstance(node, tf.Tensor) and tf.is_symbolic_tensor(node)
assert not tf.is_symbolic_tensor(tf.constant(1.0)) and type(tf.constant(1.0)).__name__ == "EagerTensor"
assert type(model["input"]).__name__ == "ResourceVariable" and not hasattr(node, "numpy")

# %% [markdown]
# A value appears only when a `Session` runs the node. The variable first needs a value — its initializer (the
# zeros) — then we load the image the way `art.py` does, `sess.run(model['input'].assign(image))`. After that
# `sess.run(model['conv2_1'])` returns a NumPy array. We also run every layer of both graphs on the same image:
# the hand-built dictionary and `build_graph` run the same ops in the same order, so they agree exactly.

# %%
layer_keys = sgraph.graph_layer_names("avg")


def run_every_layer(net, image):
    with tf1.Session(graph=net["input"].graph) as sess:
        sess.run(net["input"].initializer)
        zeros_mean = float(sess.run(net["input"]).mean())
        sess.run(net["input"].assign(image))
        return zeros_mean, sess.run({k: net[k] for k in layer_keys})


zeros_mean, by_hand = run_every_layer(model, x)
_, by_lib = run_every_layer(sgraph.build_graph(weights, HEIGHT, WIDTH), x)   # build_graph makes its own tf.Graph
conv2_1 = by_hand["conv2_1"]
print("input after the initializer, mean:", zeros_mean)
print("sess.run(model['conv2_1']) ->", type(conv2_1).__name__, conv2_1.shape, conv2_1.dtype)
max_diff = max(float(np.abs(by_hand[k] - by_lib[k]).max()) for k in layer_keys)
print(f"{len(layer_keys)} layers compared with build_graph, largest |difference|: {max_diff}")
assert zeros_mean == 0.0 and isinstance(conv2_1, np.ndarray) and conv2_1.shape == (1, HEIGHT // 2, WIDTH // 2, 128)
assert max_diff == 0.0
conv4_2_graph = by_hand["conv4_2"]   # kept for the TF2 comparison below
del by_hand, by_lib

# %% [markdown]
# ## 6. Every `.assign()` call adds to the graph
#
# In graph mode `model['input'].assign(x)` is not an action: it *builds* ops — a `Const` holding the whole
# image, an `AssignVariableOp` and a read — and `sess.run` then executes them. Call it again and it builds them
# again. In a loop (video frames, a re-run notebook cell) the graph grows by one image per call, and a graph only
# ever grows. `art.py` itself does this: every 100 steps its [line 313][art-313],
# `print('sum : ', sess.run(tf.reduce_sum(mixed_image)))`, adds a `Const` holding the whole image (and a `Sum`) —
# 50 copies of the 600×800 image over its 5000 iterations, about 288 MB.
#
# [art-313]: https://github.com/log0/neural-style-painting/blob/71ce48493dd036786fb212cea4272b8a06ba0a0f/art.py#L313

# %%
bytes_before = g.as_graph_def().ByteSize()
with tf1.Session(graph=g) as sess:
    sess.run(model["input"].initializer)
    for i in range(1, 4):
        n_before = len(g.get_operations())
        sess.run(model["input"].assign(x))
        new_ops = g.get_operations()[n_before:]
        print(f"assign #{i}: +{len(new_ops)} ops {sorted(op.type for op in new_ops)},"
              f" the new Const holds {const_bytes(new_ops) / 1e6:.2f} MB")
        assert len(new_ops) == 3 and const_bytes(new_ops) == x.nbytes
        assert sorted(op.type for op in new_ops) == ["AssignVariableOp", "Const", "ReadVariableOp"]
grown = g.as_graph_def().ByteSize() - bytes_before
image_600 = 600 * 800 * 3 * 4                        # one 600×800 float32 image, in bytes
calls_to_2gb = (2**31 - weight_bytes) / image_600    # protobuf refuses to serialize a message over 2 GiB
print(f"after three assigns the serialized graph is {grown / 1e6:.2f} MB bigger; at 600×800 (5.76 MB per call)"
      f" the GraphDef passes protobuf's 2 GB limit after about {calls_to_2gb:.0f} calls")
assert grown >= 3 * x.nbytes and 350 < calls_to_2gb < 370

# %% [markdown]
# **The fix:** build the loading op **once**, with a placeholder for the image, and feed the image each time.
# Then `graph.finalize()` makes the graph read-only: any accidental op creation raises an error instead of
# silently growing the graph. (This is done in a second graph, so the cells above can still be re-run.)

# %% tags=["nbval-check-output"]
g_fixed = tf.Graph()
with g_fixed.as_default():
    fixed = sgraph.build_graph(weights, HEIGHT, WIDTH)
    image_in = tf1.placeholder(tf.float32, shape=fixed["input"].shape, name="image_in")
    load_image = fixed["input"].assign(image_in)          # built once
g_fixed.finalize()

n_ops = len(g_fixed.get_operations())
with tf1.Session(graph=g_fixed) as sess:
    sess.run(fixed["input"].initializer)
    for _ in range(3):
        sess.run(load_image, feed_dict={image_in: x})
    loaded = sess.run(fixed["input"])
    try:
        fixed["input"].assign(x)                          # a new op: refused
    except RuntimeError as e:
        print("RuntimeError:", e)
print("ops added by three loads:", len(g_fixed.get_operations()) - n_ops)
print("the variable holds the image:", bool(np.array_equal(loaded, x)))
assert len(g_fixed.get_operations()) == n_ops and np.array_equal(loaded, x)
del g_fixed, fixed, image_in, load_image, sess   # done with this graph: its 80 MB of weight constants go with it

# %% [markdown]
# ## 7. The same idea in TF2: a `tf.Variable` through a feature extractor
#
# TF2 runs eagerly. The dictionary of nodes becomes a **callable that returns a dictionary** —
# `stylelib.extractor.FeatureExtractor` (a `tf.Module` holding the weights as constants) or a Keras model with one
# output per layer. The one variable is still the image, now a `tf.Variable` you create with its value; there is
# no session and no initializer, and `Variable.assign` changes the value at once, building nothing. (The checks
# against the session's result use `atol=1e-3`, not the exact 0.0 of section 5: eager kernels and the fused
# kernels Grappler picks for the session graph add the same numbers in a different order, so they round
# differently.)

# %%
features = extractor.FeatureExtractor(weights, ["conv1_1", "conv4_2"])
image = tf.Variable(x, name="image")                 # has a value the moment it exists
out = features(image)
print("FeatureExtractor(image) ->", {k: (type(v).__name__, tuple(v.shape)) for k, v in out.items()})
print("variables inside the extractor:", features.trainable_variables)
print("conv4_2 equals the Session result up to float round-off:", bool(np.allclose(out["conv4_2"], conv4_2_graph, atol=1e-3, rtol=1e-4)))
assert type(out["conv4_2"]).__name__ == "EagerTensor" and features.trainable_variables == ()
assert np.allclose(out["conv4_2"].numpy(), conv4_2_graph, atol=1e-3, rtol=1e-4)

style = images.preprocess(images.resize_to(samples.load_sample("stained_glass"), HEIGHT, WIDTH), weights)
image.assign(style)                                  # TF1: sess.run(load_image, feed_dict={image_in: style})
out_style = features(image)
print("after image.assign(style): conv1_1 changed:", not np.allclose(out_style["conv1_1"], out["conv1_1"]))
assert np.array_equal(image.numpy(), style) and not np.allclose(out_style["conv1_1"], out["conv1_1"])
out_conv1_1_mean = float(tf.reduce_mean(out["conv1_1"]))   # what the next cell compares with
del out, out_style  # 0.14 GB each at 600×800 (conv1_1 alone is 600·800·64 float32s)

# %% [markdown]
# Inside a `tf.function` the variable is read **by reference**: the traced graph holds a `ReadVariableOp`, not
# the image. Assigning a new image changes what the next call computes without tracing again — the TF2 twin of
# "build the `assign` once and feed it".

# %% tags=["nbval-check-output"]
@tf.function
def conv1_1_mean(v):
    return tf.reduce_mean(features(v)["conv1_1"])


first = float(conv1_1_mean(image))
image.assign(x)
second = float(conv1_1_mean(image))
traced = conv1_1_mean.get_concrete_function(image).graph
reads_variable = any(op.type == "ReadVariableOp" for op in traced.get_operations())
holds_image = any(op.type == "Const" and op.outputs[0].shape == x.shape for op in traced.get_operations())
print("traces:", conv1_1_mean.experimental_get_tracing_count(), "| the traced graph reads the variable:",
      reads_variable, "| holds the image as a Const:", holds_image)
print("a new image gives a new value:", first != second)
assert conv1_1_mean.experimental_get_tracing_count() == 1 and first != second
assert reads_variable and not holds_image
assert np.isclose(second, out_conv1_1_mean, rtol=1e-4)

# %% [markdown]
# The Keras form is a functional model whose outputs are a dictionary keyed by layer name. Keras layers create
# their weights as *trainable variables*; for a fixed feature extractor (as style transfer needs) set
# `trainable = False`, which leaves the image as the only thing an optimizer may change.

# %%
vgg = extractor.keras_vgg19(weights, up_to="pool5")
as_dict = keras.Model(vgg.input, {layer.name: layer.output for layer in vgg.layers[1:]})
n_before = len(as_dict.trainable_weights)            # 16 kernels + 16 biases
print("outputs:", len(as_dict.outputs), "| trainable weights before:", n_before, end="")
as_dict.trainable = False
print(", after trainable = False:", len(as_dict.trainable_weights))
dict_out = as_dict(image)
print("conv4_2 from the Keras dict model, fed the variable:", tuple(dict_out["conv4_2"].shape))
assert sorted(dict_out) == sorted(sgraph.graph_layer_names("avg"))
assert n_before == 32 and len(as_dict.trainable_weights) == 0
assert np.allclose(dict_out["conv4_2"].numpy(), conv4_2_graph, atol=1e-3, rtol=1e-4)
del dict_out   # every layer's output at HEIGHT×WIDTH: about 0.6 GB at 600×800, not needed any more
del vgg, as_dict   # and the model's own copy of the weights (Keras variables, 80 MB): its point is made

# %% [markdown]
# | TF1 (`art.py`) | TF2 |
# |---|---|
# | `graph = {'input': tf.Variable(...), 'conv1_1': ..., ...}` in a `tf.Graph` | `FeatureExtractor(weights, layers)` or a Keras model with dict outputs |
# | weights: `tf.constant` in the `GraphDef` | weights: constants in a `tf.Module`, or Keras variables with `trainable = False` |
# | `sess.run(init)`, then `sess.run(v.assign(image))` (a new op each time!) | `v = tf.Variable(image)`, then `v.assign(image)` (runs at once) |
# | a placeholder + one `assign` op, fed each time | a `tf.function` that reads the variable by reference |
#
# ## Exercises
#
# Each has an empty cell below it; worked solutions are in `solutions/02_solutions.ipynb`.
#
# 1. **Build the first block yourself.** In a new `tf.Graph`, write the dictionary `{'input', 'conv1_1',
#    'conv1_2', 'maxpool1'}` by hand — a **max**-pooling variant, with `tf.nn.max_pool2d` — and check its values
#    against `sgraph.build_graph(weights, HEIGHT, WIDTH, pooling="max")` on the image `x`. Which entries equal
#    those of the average-pooling graph, and why is `maxpool1` never smaller than `avgpool1`?
# 2. **A second variable.** Build the first block (`conv1_1`, `conv1_2`) again in a new graph, but make
#    `conv1_1`'s kernel a `tf1.Variable` instead of a `tf.constant`. Which variables does
#    `tf1.trainable_variables()` list now? For the cost `tf.reduce_mean(conv1_2)`, which variables would
#    `AdamOptimizer(2.0).minimize(cost)` update (ask `compute_gradients`), and does one step change the kernel?
#    How do you make `minimize` update the image only?
# 3. **The dictionary in TF2.** Write `features_by_hand(v)`: from a `tf.Variable` `v`, compute `conv1_1`,
#    `conv1_2`, `avgpool1`, `conv2_1` eagerly with `tf.nn` ops and `weights`, and return them as a dict. Check it
#    against `FeatureExtractor`, then `assign` a new image and check that calling it again follows. (Section 7's
#    outputs `out` were freed: `out = features(x)` computes them again, and
#    `extractor.FeatureExtractor(weights, ["conv1_1", "conv1_2", "avgpool1", "conv2_1"])` returns all four layers.)

# %%
# Exercise 1: your code here

# %%
# Exercise 2: your code here

# %%
# Exercise 3: your code here

# %% [markdown]
# ## Summary
#
# * `art.py`'s VGG-19 is a dictionary of graph nodes; we built it by hand and it equals
#   `stylelib.graph.build_graph` key for key and value for value.
# * The graph has **one** variable, the input image; the 16 kernels and 16 biases are `Const` ops, stored in the
#   `GraphDef` (about 80 MB of it).
# * A graph node is a `SymbolicTensor` (since TF 2.14; a `tf.Tensor` subclass) without a value; `sess.run`
#   gives a NumPy array.
# * `sess.run(v.assign(image))` builds new ops on every call: build the `assign` once, feed it, and
#   `finalize()` the graph.
# * In TF2 the same idea is a `tf.Variable` passed through a callable (`FeatureExtractor`, a Keras model with
#   `trainable = False`); `Variable.assign` runs at once and a `tf.function` reads the variable by reference.
#
# **Links:** the blog post — [amit-agrawal.com/DNN-1-20171125.html](https://amit-agrawal.com/DNN-1-20171125.html);
# [`art.py`](https://github.com/log0/neural-style-painting/blob/master/art.py) (log0/neural-style-painting);
# Gatys et al., [A Neural Algorithm of Artistic Style](https://arxiv.org/abs/1508.06576) and
# [the CVPR 2016 paper](https://openaccess.thecvf.com/content_cvpr_2016/html/Gatys_Image_Style_Transfer_CVPR_2016_paper.html);
# Simonyan & Zisserman, [VGG](https://arxiv.org/abs/1409.1556);
# [TensorFlow 2.14 release notes](https://github.com/tensorflow/tensorflow/releases/tag/v2.14.0);
# TF guides: [graphs](https://www.tensorflow.org/guide/intro_to_graphs),
# [`tf.function`](https://www.tensorflow.org/guide/function), [migrating TF1 code](https://www.tensorflow.org/guide/migrate).
#
# **Next:** `03_snapshots_vs_live_tensors` — what `sess.run(model['conv4_2'])` returns versus `model['conv4_2']`,
# and why style transfer needs both.
