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
# # 02 — Building the graph: VGG-19 as a dictionary of nodes
#
# The blog's `art.py` builds VGG-19 in TensorFlow 1 as a plain Python dictionary: `graph['input']` is a
# variable holding the image, and `graph['conv1_1']`, …, `graph['avgpool5']` are the layers, each made by
# one of two small functions. In this notebook we write those two functions ourselves, build the dictionary,
# and look closely at what ends up in the TensorFlow graph.
#
# **What you will learn**
#
# * how to write the two builders — convolution + ReLU with fixed weights, and average pooling — and what
#   the MatConvNet layer index in `_conv2d_relu(prev, 0, 'conv1_1')` means;
# * how to build the dictionary inside an explicit `tf.Graph` and check it against
#   `stylelib.graph.build_graph`: same keys, same values;
# * that the graph holds exactly **one variable** — the input image — and that all 20 million weights are
#   `Const` ops stored inside the graph;
# * that a node is symbolic until `sess.run` gives it a value;
# * how `sess.run(model['input'].assign(image))` loads an image, and why calling `.assign()` again and again
#   makes the graph grow (and how to avoid it);
# * what the graph looks like, drawn from its real ops, and how the same idea reads in TF2.
#
# *To run it: in a terminal, in the repository's root folder, type `make lab` (the first time, it creates
# `.venv` and installs what is needed: Python ≥ 3.10 and access to PyPI), then **Run ▸ Run All Cells**.
# `stylelib weights` says whether this machine has the trained VGG-19 weights; without them, start with
# `STYLELIB_WEIGHTS=random make lab`. The outputs saved below were made with random weights.
# This notebook is paired with `02_building_the_graph.py` (jupytext): edit either one — `notebooks/README.md` says how.*

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

HEIGHT, WIDTH = notebook.pick((64, 96), (600, 800))   # the input size the graph is built for
print("graph input (H, W):", (HEIGHT, WIDTH))

# %% [markdown]
# ## 1. The weights we build from
#
# `cfg.weights` is a `VGG19Weights`: for each of the 16 conv layers a kernel of shape
# (3, 3, in channels, out channels) and a bias of shape (out channels,), plus the input convention (channel
# order and mean pixel). `art.py` reads the same numbers from MatConvNet's `.mat` file, where layers are
# found by their position in the file's layer list — ReLUs and pools count too — which is why it passes
# 0 for `conv1_1`, 2 for `conv1_2` and 5 for `conv2_1`.

# %% tags=["nbval-check-output"]
print(weights)
for name in ("conv1_1", "conv1_2", "conv2_1", "conv5_4"):
    print(f"{name}: MatConvNet index {vgg19.MATCONVNET_INDEX[name]:>2}, kernel {weights.kernels[name].shape},"
          f" bias {weights.biases[name].shape}")
assert weights.kernels["conv1_1"].shape == (3, 3, 3, 64) and weights.biases["conv5_4"].shape == (512,)


# %% [markdown]
# ## 2. The two builders, written by hand
#
# `conv2d_relu(prev, index, name)` takes the previous node, the layer's MatConvNet index and its name —
# the same arguments as `art.py`'s `_conv2d_relu`. `art.py` uses the index to find the layer in the `.mat`
# file and the name to check it found the right one; our weights are already keyed by name, so the index is
# only checked. The kernel and bias become **constants** in the graph: `tf.constant` copies the NumPy
# array into the graph definition.
#
# `avgpool(prev, name)` averages each 2×2 window with stride 2 (`'SAME'` padding, as in `art.py`).

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


def maxpool(prev, name):  # for exercise 1
    return tf.nn.max_pool2d(prev, ksize=2, strides=2, padding="SAME", name=name)


# %% [markdown]
# Now the dictionary, line by line as in `art.py`. It must be built inside a graph: we create one
# explicitly with `tf.Graph()` and make it the default only inside the `with` block, so eager execution
# stays on everywhere else and re-running the cell simply builds a fresh graph.

# %% tags=["nbval-check-output"]
def build_by_hand(height, width, pooling="avg"):
    pool = avgpool if pooling == "avg" else maxpool
    p = f"{pooling}pool"                          # key prefix: 'avgpool1' ... like art.py
    net = {}
    net["input"] = tf1.Variable(np.zeros((1, height, width, 3), np.float32), dtype=tf.float32, name="input")
    net["conv1_1"] = conv2d_relu(net["input"], 0, "conv1_1")
    net["conv1_2"] = conv2d_relu(net["conv1_1"], 2, "conv1_2")
    net[p + "1"] = pool(net["conv1_2"], p + "1")
    net["conv2_1"] = conv2d_relu(net[p + "1"], 5, "conv2_1")
    net["conv2_2"] = conv2d_relu(net["conv2_1"], 7, "conv2_2")
    net[p + "2"] = pool(net["conv2_2"], p + "2")
    net["conv3_1"] = conv2d_relu(net[p + "2"], 10, "conv3_1")
    net["conv3_2"] = conv2d_relu(net["conv3_1"], 12, "conv3_2")
    net["conv3_3"] = conv2d_relu(net["conv3_2"], 14, "conv3_3")
    net["conv3_4"] = conv2d_relu(net["conv3_3"], 16, "conv3_4")
    net[p + "3"] = pool(net["conv3_4"], p + "3")
    net["conv4_1"] = conv2d_relu(net[p + "3"], 19, "conv4_1")
    net["conv4_2"] = conv2d_relu(net["conv4_1"], 21, "conv4_2")
    net["conv4_3"] = conv2d_relu(net["conv4_2"], 23, "conv4_3")
    net["conv4_4"] = conv2d_relu(net["conv4_3"], 25, "conv4_4")
    net[p + "4"] = pool(net["conv4_4"], p + "4")
    net["conv5_1"] = conv2d_relu(net[p + "4"], 28, "conv5_1")
    net["conv5_2"] = conv2d_relu(net["conv5_1"], 30, "conv5_2")
    net["conv5_3"] = conv2d_relu(net["conv5_2"], 32, "conv5_3")
    net["conv5_4"] = conv2d_relu(net["conv5_3"], 34, "conv5_4")
    net[p + "5"] = pool(net["conv5_4"], p + "5")
    return net


g = tf.Graph()
with g.as_default():
    model = build_by_hand(HEIGHT, WIDTH)
print(len(model), "entries:", ", ".join(model))
print("built in its own graph:", model["conv1_1"].graph is g)

# %% [markdown]
# ### Same keys and shapes as `stylelib.graph.build_graph`
#
# `stylelib` builds the same dictionary (from its layer table instead of 22 written-out lines). We build
# it in a second graph and compare.

# %%
g_lib = tf.Graph()
with g_lib.as_default():
    lib_model = sgraph.build_graph(weights, HEIGHT, WIDTH)

print("same keys in the same order:", list(model) == list(lib_model))
print("same static shapes:", all(model[k].shape == lib_model[k].shape for k in model))
for k in ("input", "conv1_1", "avgpool1", "conv4_2", "avgpool5"):
    print(f"  {k:9}{str(tuple(model[k].shape)):>20}")
assert list(model) == list(lib_model) == ["input"] + sgraph.graph_layer_names("avg")
assert all(model[k].shape == lib_model[k].shape for k in model)
assert tuple(model["avgpool5"].shape) == (1, *vgg19.layer_shapes(HEIGHT, WIDTH)["pool5"])

# %% [markdown]
# ## 3. One variable; the weights are constants
#
# The blog's observation, checked: the graph has exactly one variable — the input image — and it is
# trainable, so an optimizer can change it. The layers are not variables at all.

# %% tags=["nbval-check-output"]
with g.as_default():
    trainable = [v.name for v in tf1.trainable_variables()]
    everything = [v.name for v in tf1.global_variables()]
print("trainable variables:", trainable)
print("all variables:      ", everything)
assert trainable == everything == ["input:0"]


# %% [markdown]
# The weights are `Const` ops. Counting op types shows 33 constants: 16 kernels, 16 biases, and the
# zeros the variable starts from (its initial value). A constant's value lives *inside* the graph
# definition (the `GraphDef` protocol buffer), so the serialized graph is as big as all the weights together.

# %%
def op_counts(graph):
    return dict(sorted(collections.Counter(op.type for op in graph.get_operations()).items()))

def const_bytes_of(ops):
    return sum(int(np.prod(op.outputs[0].shape)) * op.outputs[0].dtype.size for op in ops if op.type == "Const")

def const_bytes(graph):
    return const_bytes_of(graph.get_operations())

print("op types:", op_counts(g))
consts = [op for op in g.get_operations() if op.type == "Const"]
print("kernels:", sum(op.name.endswith("/kernel") for op in consts),
      " biases:", sum(op.name.endswith("/bias") for op in consts),
      " other:", [op.name for op in consts if not op.name.endswith(("/kernel", "/bias"))])

weight_bytes = 4 * sum(weights.kernels[n].size + weights.biases[n].size for n in vgg19.CONV_LAYERS)
graph_bytes = g.as_graph_def().ByteSize()
print(f"constants: {const_bytes(g) / 1e6:.1f} MB   (weights {weight_bytes / 1e6:.1f} MB"
      f" + zeros for a {HEIGHT}×{WIDTH} image {4 * HEIGHT * WIDTH * 3 / 1e6:.2f} MB)")
print(f"serialized GraphDef: {graph_bytes / 1e6:.1f} MB")
assert op_counts(g)["Const"] == 33 and len(consts) == 33
assert const_bytes(g) == weight_bytes + 4 * HEIGHT * WIDTH * 3
assert 1.0 <= graph_bytes / const_bytes(g) < 1.01   # the GraphDef is the constants plus a little

# %% [markdown]
# ## 4. The graph, drawn from its ops
#
# `viz.draw_graph` reads the dictionary's graph: for each entry it walks back through the real ops to find
# which other entries it reads from (the arrows), which op types it is made of, and which `Const` tensors
# it uses (written under the box). The variable is the gold box. This picture is the same for any weights.

# %% tags=["nbval-check-output"]
viz.draw_graph(model, title=f"VGG-19 as a dictionary of graph nodes ({HEIGHT}×{WIDTH} input)")
plt.show()

# %% tags=["nbval-check-output"]
structure = viz.graph_structure(model)
print("conv1_1 reads", structure["conv1_1"]["edges"], "via", "+".join(structure["conv1_1"]["ops"]),
      "with Const", [tuple(s) for _, s, _ in structure["conv1_1"]["consts"]])
print("avgpool1 reads", structure["avgpool1"]["edges"], "via", structure["avgpool1"]["ops"])
assert structure["conv1_1"]["edges"] == ["input"] and structure["conv2_1"]["edges"] == ["avgpool1"]
assert all(len(structure[k]["consts"]) == 2 for k in vgg19.CONV_LAYERS)

# %% [markdown]
# ## 5. A node is symbolic until it is run
#
# `model['conv1_1']` is not an array. It is a description of a computation: it has a name, a dtype and a
# static shape, but no value. The blog printed its type as `tensorflow.python.framework.ops.Tensor`; since
# TensorFlow 2.16 a tensor that lives in a graph is a `SymbolicTensor` (eager tensors are `EagerTensor`;
# both are `tf.Tensor`). The variable is a `ResourceVariable` (the TF1 of the blog's time made a
# `RefVariable`).

# %%
node = model["conv1_1"]
tf_version = tuple(int(p) for p in tf.__version__.split(".")[:2])
print("type:", type(node).__name__, "| a tf.Tensor:", isinstance(node, tf.Tensor))
print("name:", node.name, "| dtype:", node.dtype.name, "| static shape:", tuple(node.shape))
print("variable type:", type(model["input"]).__name__)
try:
    node.numpy()
except AttributeError as e:
    print("asking for its value without a session ->", type(e).__name__ + ":", e)
assert type(node).__name__ == ("SymbolicTensor" if tf_version >= (2, 16) else "Tensor")
assert isinstance(node, tf.Tensor) and tuple(node.shape) == (1, HEIGHT, WIDTH, 64)
assert type(model["input"]).__name__ == "ResourceVariable"

# %% [markdown]
# A value appears only when a `Session` runs the node. First the variable needs a value: its initializer
# (the zeros), then the image, loaded the way `art.py` does it:
# `sess.run(model['input'].assign(image))`. After that `sess.run(model['conv2_1'])` returns a NumPy array —
# a snapshot, no longer connected to the graph.

# %%
photo = images.resize_to(samples.load_sample("chelsea"), HEIGHT, WIDTH)
x = images.preprocess(photo, weights)     # (1, H, W, 3), mean subtracted

with tf1.Session(graph=g) as sess:
    sess.run(model["input"].initializer)
    print("input after the initializer, mean:", sess.run(model["input"]).mean())
    sess.run(model["input"].assign(x))
    conv2_1 = sess.run(model["conv2_1"])
print("sess.run(model['conv2_1']) ->", type(conv2_1).__name__, conv2_1.shape, conv2_1.dtype)
assert isinstance(conv2_1, np.ndarray) and conv2_1.shape == (1, HEIGHT // 2, WIDTH // 2, 128)

# %% [markdown]
# ### Same values as `stylelib`
#
# Both graphs, same image, every layer: the hand-built dictionary and `build_graph` compute the same
# numbers. (Both run the same ops in the same order, so we expect exact equality, not just closeness.)

# %% tags=["nbval-check-output"]
layer_keys = sgraph.graph_layer_names("avg")

def run_every_layer(net, image):
    with tf1.Session(graph=net["input"].graph) as sess:
        sess.run(net["input"].initializer)
        sess.run(net["input"].assign(image))
        return sess.run({k: net[k] for k in layer_keys})

by_hand = run_every_layer(model, x)
by_lib = run_every_layer(lib_model, x)
max_diff = max(float(np.abs(by_hand[k] - by_lib[k]).max()) for k in layer_keys)
print(f"{len(layer_keys)} layers compared, largest |difference|: {max_diff}")
assert all(np.allclose(by_hand[k], by_lib[k], rtol=1e-6, atol=1e-6) for k in layer_keys)
assert max_diff == 0.0
conv4_2_graph = by_hand["conv4_2"]   # kept for the TF2 comparison below
avg_values = {k: by_hand[k] for k in ("conv1_2", "avgpool1", "conv2_1", "conv3_1")}  # for exercise 1
del by_hand, by_lib

# %% [markdown]
# ## 6. Every `.assign()` call adds to the graph
#
# `model['input'].assign(x)` is not an action: in graph mode it *builds* new ops — a `Const` holding the
# whole image, an `AssignVariableOp`, and a read — and `sess.run` then executes them. Call it again and it
# builds them again. In a loop (say, loading video frames, or re-running a notebook cell) the graph grows by
# one image per call, and the graph only ever grows.

# %%
bytes_before = g.as_graph_def().ByteSize()
with tf1.Session(graph=g) as sess:
    sess.run(model["input"].initializer)
    for i in range(1, 4):
        n_before = len(g.get_operations())
        sess.run(model["input"].assign(x))
        new_ops = g.get_operations()[n_before:]
        print(f"assign #{i}: +{len(new_ops)} ops {sorted(op.type for op in new_ops)},"
              f" the new Const holds {const_bytes_of(new_ops) / 1e6:.2f} MB")
        assert len(new_ops) == 3 and const_bytes_of(new_ops) == x.nbytes
grown = g.as_graph_def().ByteSize() - bytes_before
print(f"after three assigns the serialized graph is {grown / 1e6:.2f} MB bigger;"
      f" 1000 calls would add {1000 * x.nbytes / 1e9:.2f} GB")
assert grown >= 3 * x.nbytes

# %% [markdown]
# **The fix:** build the loading op **once**, with a placeholder for the image, and feed the image each
# time. Now running it any number of times adds nothing.

# %% tags=["nbval-check-output"]
with g.as_default():
    image_in = tf1.placeholder(tf.float32, shape=model["input"].shape, name="image_in")
    load_image = model["input"].assign(image_in)

n_ops = len(g.get_operations())
with tf1.Session(graph=g) as sess:
    sess.run(model["input"].initializer)
    for _ in range(3):
        sess.run(load_image, feed_dict={image_in: x})
    loaded = sess.run(model["input"])
print("ops added by three loads:", len(g.get_operations()) - n_ops)
print("the variable holds the image:", bool(np.array_equal(loaded, x)))
assert len(g.get_operations()) == n_ops and np.array_equal(loaded, x)

# %% [markdown]
# A safety net for bigger programs: `graph.finalize()` makes a graph read-only, so any accidental op
# creation raises an error instead of silently growing the graph. (Shown on a tiny graph, so the cells
# above can still be re-run.)

# %%
tiny = tf.Graph()
with tiny.as_default():
    v = tf1.Variable(0.0, name="v")
tiny.finalize()
try:
    with tiny.as_default():
        v.assign(1.0)
except RuntimeError as e:
    print("RuntimeError:", e)

# %% [markdown]
# ## 7. The same idea in TF2
#
# In TF2 code you rarely build a graph by hand. The dictionary of layers becomes a callable that returns a
# dictionary — `stylelib.extractor.FeatureExtractor` (a `tf.Module` holding the weights as constants) or a
# Keras model with one output per layer. Eager execution means every result has a value immediately: there
# is no session and no initializer, and `tf.Variable.assign` changes the value without building anything.

# %%
features = extractor.FeatureExtractor(weights, ["conv1_1", "conv4_2"])
out = features(x)
print("FeatureExtractor returns:", {k: (type(v).__name__, tuple(v.shape)) for k, v in out.items()})
print("variables inside it:", features.trainable_variables)
print("conv4_2 equals the Session result:", bool(np.allclose(out["conv4_2"].numpy(), conv4_2_graph, atol=1e-3, rtol=1e-4)))
assert type(out["conv4_2"]).__name__ == "EagerTensor" and features.trainable_variables == ()
assert np.allclose(out["conv4_2"].numpy(), conv4_2_graph, atol=1e-3, rtol=1e-4)

image = tf.Variable(x, name="image")          # has a value the moment it exists
print("tf.Variable in eager mode:", type(image).__name__, tuple(image.shape),
      "| value available:", bool(np.array_equal(image.numpy(), x)))
image.assign(np.zeros_like(x))                 # runs now, builds nothing
print("after assign(zeros), max |value|:", float(np.abs(image.numpy()).max()))

# %% [markdown]
# The Keras form is a functional model whose outputs are a dictionary keyed by layer name. Keras layers
# create their weights as *trainable variables*; to use the network as a fixed feature extractor (as style
# transfer does) set `trainable = False`, which leaves the image as the only thing to optimize.

# %%
vgg = extractor.keras_vgg19(weights, up_to="pool5")
as_dict = keras.Model(vgg.input, {layer.name: layer.output for layer in vgg.layers[1:]})
print("outputs:", len(as_dict.outputs), "| trainable weights before:", len(as_dict.trainable_weights), end="")
as_dict.trainable = False
print(", after trainable = False:", len(as_dict.trainable_weights))
dict_out = as_dict(x)
print("conv4_2 from the Keras dict model:", tuple(dict_out["conv4_2"].shape))
assert sorted(dict_out) == sorted(sgraph.graph_layer_names("avg"))
assert len(as_dict.trainable_weights) == 0
assert np.allclose(dict_out["conv4_2"].numpy(), conv4_2_graph, atol=1e-3, rtol=1e-4)

# %% [markdown]
# ## Exercises
#
# 1. **A max-pooling variant.** `build_by_hand(h, w, pooling="max")` uses the `maxpool` builder. Build it,
#    check it against `sgraph.build_graph(weights, h, w, pooling="max")`, and compare its layers with the
#    average-pooling graph: which layers are identical, where do they start to differ?
# 2. **Count the parameters** of VGG-19's conv layers from the graph itself — from the `Const` ops — and
#    check the total is 20,024,384. How many bytes is that in float32?
# 3. **Which ops depend on the variable?** Starting from the variable's op, follow `op.outputs` →
#    `tensor.consumers()` to find every op that (directly or indirectly) reads the input. Are any `Const`
#    ops among them? Is every layer's op?
#
# Worked solutions follow.

# %% [markdown]
# ## Solutions
#
# **1.** The max-pooling graphs are built at the notebook's size and compared with the average-pooling
# values kept in section 5 (fetching only up to `conv3_1`, which is enough to see the point and quick).
# Everything before the first pool is the same; from `pool1` on the max version is larger, and the
# difference carries into the later layers.

# %% tags=["nbval-check-output"]
g_max = tf.Graph()
with g_max.as_default():
    max_model = build_by_hand(HEIGHT, WIDTH, pooling="max")
g_max_lib = tf.Graph()
with g_max_lib.as_default():
    max_lib = sgraph.build_graph(weights, HEIGHT, WIDTH, pooling="max")
assert list(max_model) == list(max_lib) == ["input"] + sgraph.graph_layer_names("max")

def run_keys(net, keys):
    with tf1.Session(graph=net["input"].graph) as sess:
        sess.run(net["input"].initializer)
        sess.run(net["input"].assign(x))
        return sess.run([net[k] for k in keys])

keys_max = ["conv1_2", "maxpool1", "conv2_1", "conv3_1"]   # up to conv3_1 keeps the runs quick
mine, lib = run_keys(max_model, keys_max), run_keys(max_lib, keys_max)
avg = list(avg_values.values())
print("hand-built max graph == build_graph(pooling='max'):", all(np.array_equal(a, b) for a, b in zip(mine, lib)))
for k, a, m in zip(keys_max, avg, mine):
    print(f"  {k:9} identical to the avg graph: {bool(np.array_equal(a, m))}")
assert all(np.array_equal(a, b) for a, b in zip(mine, lib))
assert np.array_equal(avg[0], mine[0]) and not any(np.array_equal(a, m) for a, m in zip(avg[1:], mine[1:]))
assert np.all(mine[1] >= avg[1])   # a max is never smaller than the mean of the same window

# %% [markdown]
# **2.** Every kernel and bias is one `Const` op named `…/kernel` or `…/bias`; the product of each shape is
# its number of parameters.

# %% tags=["nbval-check-output"]
weight_consts = [op for op in g_lib.get_operations()
                 if op.type == "Const" and op.name.endswith(("/kernel", "/bias"))]
n_params = sum(int(np.prod(op.outputs[0].shape)) for op in weight_consts)
by_formula = sum(3 * 3 * l.in_channels * l.out_channels + l.out_channels for l in vgg19.LAYERS if l.kind == "conv")
print(f"{len(weight_consts)} weight constants, {n_params:,} parameters, {4 * n_params / 1e6:.1f} MB in float32")
assert n_params == by_formula == 20_024_384


# %% [markdown]
# **3.** A breadth-first walk forward from the variable's op (`VarHandleOp`) through the consumers of its
# outputs, on the library's graph. Every conv, bias-add, ReLU and pool op depends on the variable; no
# `Const` does — constants have no inputs, which is exactly why changing the image never changes a weight.

# %%
def depends_on(start_op):
    seen, queue = set(), [start_op]
    while queue:
        op = queue.pop(0)
        for t in op.outputs:
            for consumer in t.consumers():
                if consumer.name not in seen:
                    seen.add(consumer.name)
                    queue.append(consumer)
    return [op for op in start_op.graph.get_operations() if op.name in seen]

var_op = lib_model["input"].op
dependents = depends_on(var_op)
print("the variable's op:", var_op.type)
print("ops that depend on it:", dict(sorted(collections.Counter(op.type for op in dependents).items())))
layer_ops = {lib_model[k].op.name for k in sgraph.graph_layer_names("avg")}
assert not any(op.type == "Const" for op in dependents)
assert layer_ops <= {op.name for op in dependents}

# %% [markdown]
# The `ReadVariableOp`s read the variable's current value (one feeds `conv1_1`); `VarIsInitializedOp` and
# one `AssignVariableOp` belong to its initializer, and the other `AssignVariableOp` (with a third read) is
# the `assign(x)` that section 5 ran on this graph — more evidence that `.assign()` leaves ops behind.
# Everything downstream of `conv1_1` is the network.
# This is the set of ops an optimizer's gradient flows back through — and the reason the only thing it can
# change is the image.
