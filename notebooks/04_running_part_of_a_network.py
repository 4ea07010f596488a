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
# # 04 — Running a network only up to a layer
#
# Style transfer needs VGG-19's activations at a handful of layers — `conv1_1` … `conv5_1` and `conv4_2` —
# and never its classifier. So "how do I run a network only up to `conv2_1`?" comes up at once. In a
# TensorFlow 1 graph there are two different things you may mean by it:
#
# 1. **wiring**: use the tensor `model['conv2_1']` as the input of more graph — a loss, a small head — so
#    that a bigger graph is built on top of the first layers;
# 2. **reading**: get the activation's *values* for an image, `sess.run(model['conv2_1'])`, as a NumPy array.
#
# Either way, TensorFlow only runs what the requested tensor depends on. This notebook shows it by reading
# the trace of real runs, measures what it saves, and then does the same in TF2 — where eager code and
# `tf.function` behave differently.
#
# **What you will learn**
#
# * how to wire `model['conv2_1']` into a larger graph, and how to read its value;
# * that `sess.run(model['conv2_1'])` executes only the layers up to `conv2_1` — checked on the run's trace
#   with `stylelib.graph.executed_ops` — and how ops and time grow as the fetched layer gets deeper;
# * that Grappler rewrites the graph before it runs — it drops a zero bias, and depending on the TensorFlow
#   build it fuses a convolution, its bias and its ReLU into one kernel — so the executed op names are not
#   always the graph's;
# * the TF2 forms: a Keras model cut at a layer, and `stylelib.extractor.FeatureExtractor`, which builds only
#   up to the deepest layer asked for — with the same values as the TF1 session;
# * that eager code pays for every line you call, while `tf.function` prunes what the outputs do not need.
#
# *To run it: in a terminal, in the repository's root folder, type `make lab` (the first time, it creates
# `.venv` and installs what is needed: Python ≥ 3.10 and access to PyPI), then **Run ▸ Run All Cells**.
# `stylelib weights` says whether this machine has the trained VGG-19 weights; without them, start with
# `STYLELIB_WEIGHTS=random make lab`. The outputs saved below were made with random weights.
# This notebook is paired with `04_running_part_of_a_network.py` (jupytext): edit either one — `notebooks/README.md` says how.*

# %%
from stylelib import notebook  # first: it quiets TensorFlow's C++ log lines before TensorFlow loads

import time

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

HEIGHT, WIDTH = notebook.pick((32, 48), (300, 400))   # the graph's fixed input size
REPEATS = notebook.pick(5, 9)                          # timed runs per measurement (median)
content_img = images.resize_to(samples.load_sample("chelsea"), HEIGHT, WIDTH)
content_pre = images.preprocess(content_img, weights)   # (1, H, W, 3), mean subtracted
print("input (H, W):", (HEIGHT, WIDTH))


def type_name(obj) -> str:
    return type(obj).__module__ + "." + type(obj).__name__


def median_seconds(fns: dict, repeats=REPEATS) -> dict:
    # {label: function} -> {label: median wall time (s)}: one warm-up call each, then `repeats` rounds in which
    # every function runs once (interleaving spreads any change in machine load evenly over all of them)
    def once(fn):
        out = fn()
        if hasattr(out, "numpy"):
            out.numpy()   # eager results: wait until the value exists
    times = {label: [] for label in fns}
    for fn in fns.values():
        once(fn)
    for _ in range(repeats):
        for label, fn in fns.items():
            t0 = time.perf_counter()
            once(fn)
            times[label].append(time.perf_counter() - t0)
    return {label: float(np.median(v)) for label, v in times.items()}


# %% [markdown]
# ## 1. The graph
#
# VGG-19 as `art.py` builds it — a dictionary of nodes, one variable (the input image) — inside an explicit
# `tf.Graph`, with one `assign` op built once to load images.

# %% tags=["nbval-check-output"]
try:
    sess.close()   # re-running this cell: close the previous session first
except NameError:
    pass

g = tf.Graph()
with g.as_default():
    model = sgraph.build_graph(weights, HEIGHT, WIDTH)
    image_in = tf1.placeholder(tf.float32, (1, HEIGHT, WIDTH, 3), name="image_in")
    load_image = model["input"].assign(image_in)
    init = tf1.global_variables_initializer()
sess = tf1.Session(graph=g)
sess.run(init)
sess.run(load_image, {image_in: content_pre})

layer_names = sgraph.graph_layer_names("avg")
print(len(layer_names), "layers:", ", ".join(layer_names))

# %% [markdown]
# ## 2. Use 1 — wiring `conv2_1` into a bigger graph
#
# `model['conv2_1']` is a symbolic tensor; anything built from it becomes part of the same graph, connected
# through it to the input variable. Here we put a small trainable "head" on top — average the 128 feature
# maps over all positions, multiply by a 128×10 weight matrix — and a loss on its 10 scores. Nothing runs yet.

# %%
with g.as_default():
    features = model["conv2_1"]                                   # (1, H/2, W/2, 128), symbolic
    pooled = tf.reduce_mean(features, axis=[1, 2], name="head_pool")   # (1, 128)
    head_w = tf1.Variable(np.random.default_rng(0).normal(0, 0.01, (128, 10)).astype(np.float32), name="head_w")
    scores = tf.matmul(pooled, head_w, name="head_scores")       # (1, 10)
    head_loss = tf.reduce_sum(tf.square(scores), name="head_loss")
    grad_image, grad_head = tf1.gradients(head_loss, [model["input"], head_w])
    head_variables = tf1.trainable_variables()
sess.run(head_w.initializer)

print("scores:", type_name(scores), tuple(scores.shape))
print("trainable variables now:", [v.name for v in head_variables])
print("gradient of the head's loss reaches the image:", tuple(grad_image.shape), "and the head:", tuple(grad_head.shape))
print("sess.run(head_loss) returns a", type_name(sess.run(head_loss)))
assert isinstance(scores, tf.Tensor) and not hasattr(scores, "numpy")
assert grad_image is not None and grad_head is not None

# %% [markdown]
# The head is connected to the image through `conv2_1`: its loss has a gradient with respect to the input
# (and to the head's weights — a second variable, now that we added one). This is how `art.py` connects its
# losses to the live layers.
#
# ## 3. Use 2 — reading the value of `conv2_1`
#
# Two steps: put an image in the input variable (skip it if the variable already holds the image), then run
# the layer. The result is a NumPy array with no link back to the graph.

# %%
sess.run(load_image, {image_in: content_pre})     # step 1: load the image
conv2_1_value = sess.run(model["conv2_1"])         # step 2: run the graph up to conv2_1

expected = (1, *vgg19.layer_shapes(HEIGHT, WIDTH)["conv2_1"])
print(type_name(conv2_1_value), conv2_1_value.shape, conv2_1_value.dtype.name)
print(f"a {HEIGHT}×{WIDTH} input gives a {expected[1]}×{expected[2]} conv2_1 (height × width, then 128 channels)")
assert isinstance(conv2_1_value, np.ndarray) and conv2_1_value.shape == expected

# %% [markdown]
# ## 4. What a run actually executes
#
# `stylelib.graph.executed_ops(sess, fetches)` runs `sess.run(fetches)` with tracing switched on and returns
# the names of the graph's ops that ran; `ops_of_layers` maps them to the layers they belong to.

# %%
ran_conv2_1 = sgraph.executed_ops(sess, model["conv2_1"])
ran_conv5_1 = sgraph.executed_ops(sess, model["conv5_1"])
ran_head = sgraph.executed_ops(sess, head_loss)

for label, ran in [("conv2_1", ran_conv2_1), ("conv5_1", ran_conv5_1), ("head_loss", ran_head)]:
    print(f"sess.run({label}): {len(ran):2d} ops, layers {sgraph.ops_of_layers(ran)}")
print()
print("ops run for conv2_1:", ran_conv2_1)
print("ops run for the head beyond the network:",
      [n for n in ran_head if n not in ran_conv2_1])
bias_adds = [n for n in ran_conv2_1 if n.endswith("/add")]
if bias_adds:
    case = "the bias adds ran as ops of their own: Conv2D, add and Relu one by one"
elif "conv1_1/Conv2D" in ran_conv2_1:
    case = "no bias add ran (the biases are zero, Grappler dropped `+ 0`): Conv2D and Relu ran as two kernels"
else:
    case = "fused: each convolution, its bias and its ReLU ran as one kernel, under the ReLU's name"
print("bias adds that ran under their own name:", bias_adds or "none")
print("this run:", case)

up_to_conv2_1 = ["conv1_1", "conv1_2", "avgpool1", "conv2_1"]
assert sgraph.ops_of_layers(ran_conv2_1) == up_to_conv2_1 and "conv5_1" not in sgraph.ops_of_layers(ran_conv2_1)
assert sgraph.ops_of_layers(ran_head) == up_to_conv2_1
assert sgraph.ops_of_layers(ran_conv5_1)[-1] == "conv5_1" and len(sgraph.ops_of_layers(ran_conv5_1)) == 17
# whatever Grappler did with the biases, every layer's ReLU ran (alone or fused) and so did a convolution kernel
kernels_conv2_1 = sgraph.executed_ops(sess, model["conv2_1"], kernels=True)   # [(op name, kernel that ran), ...]
for layer in ("conv1_1", "conv1_2", "conv2_1"):
    assert f"{layer}/relu" in ran_conv2_1
    assert any("Conv2D" in kernel for name, kernel in kernels_conv2_1 if name.startswith(layer + "/"))
if not any(weights.biases[layer].any() for layer in ("conv1_1", "conv1_2", "conv2_1")):
    assert not bias_adds   # all-zero biases (random weights): Grappler dropped every `+ 0`, in any build

# %% [markdown]
# Running `conv2_1` — directly or through the head — never touches `conv2_2` and beyond: the session prunes
# the graph to the fetched tensors' ancestors before running it.
#
# **Names that run are not always the graph's names.** Before a run, Grappler, TensorFlow's graph optimizer,
# rewrites the pruned graph. What it does with a layer's bias — the `add` op — depends on the weights and on the
# TensorFlow build:
#
# * a bias of all zeros is dropped: `x + 0` is `x`, so no `add` runs (stylelib's random weights have all-zero
#   biases, and the committed outputs were made with them — with nothing to add, nothing is fused either);
# * in a build with oneDNN (TensorFlow's default on x86 Linux), convolution + bias + ReLU are *fused* into one
#   kernel, `_MklNativeFusedConv2D`, which runs under the ReLU's name;
# * without oneDNN (`TF_ENABLE_ONEDNN_OPTS=0`, or other platforms) the CPU remapper fuses a convolution only
#   with a `tf.nn.bias_add`; this graph adds the bias with `+`, so `Conv2D`, `add` and `Relu` run one by one.
#
# So whether the list above holds `conv1_1/add` is not a property of the network; the cell printed which case
# this run is. What holds in every case is asserted: each layer's ReLU runs, and so does a convolution kernel.
# A one-layer graph with a non-zero bias, written both ways, shows the kernels this build runs:

# %% tags=["nbval-ignore-output"]
demo = tf.Graph()
rng = np.random.default_rng(0)
with demo.as_default():
    x_demo = tf1.Variable(rng.normal(size=(1, 16, 16, 3)).astype(np.float32), name="x")
    with tf1.name_scope("conv"):
        kernel = tf.constant(rng.normal(size=(3, 3, 3, 8)).astype(np.float32), name="kernel")
        bias = tf.constant(np.full(8, 0.1, np.float32), name="bias")
        conv = tf.nn.conv2d(x_demo, kernel, 1, "SAME")
        out_plus = tf.nn.relu(conv + bias, name="relu_plus")                      # the bias as `+`
        out_bias_add = tf.nn.relu(tf.nn.bias_add(conv, bias), name="relu_bias_add")   # the bias as BiasAdd
with tf1.Session(graph=demo) as demo_sess:
    demo_sess.run(x_demo.initializer)
    for out in (out_plus, out_bias_add):
        ran = sgraph.executed_ops(demo_sess, out, kernels=True)   # [(op name, kernel that ran), ...]
        print(f"sess.run({out.op.name}) ran:", [f"{name} as {kernel}" for name, kernel in ran if name.startswith("conv/")])
        assert out.op.name in [name for name, _ in ran]          # the ReLU runs, alone or as the fused kernel
        assert any("Conv2D" in kernel for _, kernel in ran)      # and a convolution kernel runs

# %% [markdown]
# ## 5. Ops and time, layer by layer
#
# For each layer we count the ops one `sess.run(model[layer])` executes, and time the run (median of a few
# runs after a warm-up, the layers taking turns) relative to running the whole network to `avgpool5`.
# Quick mode measures six layers on a tiny image; full mode all 21 on a 300×400 image. The op counts are deterministic; the times depend on
# the machine (and on a tiny image, fixed per-run overhead dominates).

# %%
PLOT_LAYERS = notebook.pick(["conv1_1", "conv2_1", "conv3_1", "conv4_1", "conv5_1", "avgpool5"], layer_names)
ran_per_layer = {layer: sgraph.executed_ops(sess, model[layer]) for layer in PLOT_LAYERS}   # also warms up
op_counts = {layer: len(ran) for layer, ran in ran_per_layer.items()}
for layer, ran in ran_per_layer.items():
    print(f"{layer:9s} {len(ran):3d} ops executed in {len(sgraph.ops_of_layers(ran)):2d} layers")
counts = list(op_counts.values())
assert counts == sorted(counts) and counts[-1] > 3 * counts[1]

# %% tags=["nbval-ignore-output"]
seconds = median_seconds({layer: (lambda layer=layer: sess.run(model[layer])) for layer in PLOT_LAYERS})
full_run = seconds["avgpool5"]
relative = [seconds[layer] / full_run for layer in PLOT_LAYERS]
for layer, r in zip(PLOT_LAYERS, relative):
    print(f"{layer:9s} {seconds[layer] * 1e3:8.2f} ms  = {r:5.2f} × the full network")
fig = viz.ops_per_layer_plot(PLOT_LAYERS, counts, relative,
                             title=f"sess.run(model[layer]) on a {HEIGHT}×{WIDTH} image")
plt.show()
plt.close(fig)

# %% [markdown]
# ## 6. TF2: a model cut at a layer
#
# Keras' functional API gives a model that *ends* at a layer: either build the layers only up to it
# (`stylelib.extractor.keras_vgg19(weights, up_to='conv2_1')`), or take a full model and make a new `Model`
# from its input to the layer's output. Both contain only the layers up to `conv2_1` and give the same values
# as the TF1 session.

# %%
cut = extractor.keras_vgg19(weights, up_to="conv2_1")
full_model = extractor.keras_vgg19(weights)   # every layer, up to avgpool5
cut_from_full = keras.Model(full_model.input, full_model.get_layer("conv2_1").output, name="cut_from_full")

tf1_value = conv2_1_value   # from sess.run in section 3
for m in (cut, cut_from_full):
    value = m(content_pre)
    diff = float(np.abs(value.numpy() - tf1_value).max())
    print(f"{m.name:16s} layers {[l.name for l in m.layers]}, {m.count_params():,} parameters, "
          f"output {type(value).__name__} {tuple(value.shape)}, same as sess.run: {diff <= 1e-4 * np.abs(tf1_value).max()}")
    assert [l.name for l in m.layers] == ["input", *up_to_conv2_1]
    assert diff <= 1e-4 * np.abs(tf1_value).max()
print(f"the full model has {full_model.count_params():,} parameters and {len(full_model.layers)} layers")

# %% [markdown]
# `cut_from_full` shares its layers (and weights) with `full_model`; calling it runs only the first four.
#
# `stylelib.extractor.FeatureExtractor` is the library's TF2 extractor: ask for layers, and it builds only up to
# the deepest of them.

# %% tags=["nbval-check-output"]
for wanted in (["conv2_1"], ["conv1_1", "conv4_2"]):
    fe = extractor.FeatureExtractor(weights, wanted)
    print(f"asked for {wanted}: built {len(fe.built_layers)} layers, the last {fe.built_layers[-1]}")
fe_conv2_1 = extractor.FeatureExtractor(weights, ["conv2_1"])
eager_value = fe_conv2_1(tf.constant(content_pre))["conv2_1"]
diff = float(np.abs(eager_value.numpy() - tf1_value).max())
print("FeatureExtractor conv2_1 = TF1 sess.run conv2_1:", diff <= 1e-4 * np.abs(tf1_value).max())
assert fe_conv2_1.built_layers == tuple(up_to_conv2_1)
assert diff <= 1e-4 * np.abs(tf1_value).max()

# %% [markdown]
# ## 7. Eager pays for every line; `tf.function` prunes
#
# A session prunes because it sees the whole graph before running. Eager code cannot: every line runs the
# moment Python reaches it. So a function that computes the whole network and *returns* only `conv2_1` pays
# for the whole network when called eagerly. Wrapped in `tf.function`, the same Python body is traced into a
# graph first, and the runtime drops what the outputs do not need.

# %% tags=["nbval-check-output"]
fe_whole = extractor.FeatureExtractor(weights, ["conv2_1", "avgpool5"])   # builds all 21 layers


def whole_net_return_conv2_1(x):
    return fe_whole(x)["conv2_1"]       # Python computes every layer; we keep one


def whole_net_return_avgpool5(x):
    return fe_whole(x)["avgpool5"]


x_eager = tf.constant(content_pre)
pruned_fn = tf.function(whole_net_return_conv2_1)
full_fn = tf.function(whole_net_return_avgpool5)
spec = tf.TensorSpec((1, HEIGHT, WIDTH, 3), tf.float32)
traced_ops = pruned_fn.get_concrete_function(spec).graph.get_operations()
print("the traced graph of whole_net_return_conv2_1 holds", sum(op.type == "Conv2D" for op in traced_ops),
      "Conv2D ops - the whole network, as Python wrote it")
assert sum(op.type == "Conv2D" for op in traced_ops) == 16

# %% tags=["nbval-ignore-output"]
t = median_seconds({
    "eager: whole net, return conv2_1": lambda: whole_net_return_conv2_1(x_eager),
    "eager: FeatureExtractor(['conv2_1'])": lambda: fe_conv2_1(x_eager)["conv2_1"],
    "tf.function: whole net, return conv2_1": lambda: pruned_fn(x_eager),
    "tf.function: whole net, return avgpool5": lambda: full_fn(x_eager),
})
for label, s in t.items():
    print(f"{label:42s} {s * 1e3:8.2f} ms")
eager_ratio = t["eager: whole net, return conv2_1"] / t["eager: FeatureExtractor(['conv2_1'])"]
pruned_ratio = t["tf.function: whole net, return conv2_1"] / t["tf.function: whole net, return avgpool5"]
print(f"eager: computing everything to return conv2_1 costs {eager_ratio:.1f}× computing just up to conv2_1")
print(f"tf.function: the same body costs {pruned_ratio:.2f}× the full network")
assert eager_ratio > 2 and pruned_ratio < 0.5

# %% [markdown]
# The traced graph has all 16 convolutions, yet the compiled call runs at the price of a short network.
# Where do the other 13 go? When a `tf.function` graph is instantiated, TensorFlow prunes the nodes the
# outputs do not depend on, then Grappler optimizes what is left. We can look at the graph that actually runs
# by asking the eager runtime for run metadata — an internal API (`tensorflow.python.eager.context`), used
# here only to look.

# %%
from tensorflow.python.eager import context as eager_context


def conv_count(graph_def):
    return sum("Conv2D" in node.op for node in graph_def.node)


def graph_that_ran(fn, *args):
    # (pre-optimization, post-optimization) GraphDef of the network function one call of `fn` instantiated
    ctx = eager_context.context()
    ctx.enable_run_metadata()
    try:
        fn(*args)
        metadata = ctx.export_run_metadata()
    finally:
        ctx.disable_run_metadata()
    # a call may instantiate small helper functions too: keep the one holding the convolutions
    f = max(metadata.function_graphs, key=lambda f: conv_count(f.pre_optimization_graph))
    return f.pre_optimization_graph, f.post_optimization_graph


fresh_fn = tf.function(whole_net_return_conv2_1)   # a new function, so this call instantiates it
pre, post = graph_that_ran(fresh_fn, x_eager)
print("before optimization:", len(pre.node), "nodes,", conv_count(pre), "convolutions")
print("after pruning + Grappler:", len(post.node), "nodes,", conv_count(post), "convolutions:",
      sorted({node.op for node in post.node if "Conv2D" in node.op}))
assert conv_count(pre) == 16 and conv_count(post) == 3

# %% [markdown]
# Three convolutions remain — `conv1_1`, `conv1_2`, `conv2_1`. The op types printed are those of the graph
# after Grappler: `_FusedConv2D` where it fused a convolution with its bias and ReLU. (Here the weights are
# inputs of the traced function, so Grappler cannot see that a bias is zero and fuses it; a oneDNN build
# renames the kernel `_MklNativeFusedConv2D` later, when it runs.) So the three
# ways of "running up to a layer" are: a **session** prunes the graph to the fetches; **eager** code runs
# exactly what you call, so you stop where you need to (`FeatureExtractor`, a cut Keras model); and
# **`tf.function`** traces everything you wrote and prunes again before running.
#
# ## Exercises
#
# 1. **Predict, then check.** Which layers does `sess.run(model['avgpool3'])` execute? Write your list down,
#    then check it with `executed_ops` and `ops_of_layers`.
# 2. **Two fetches, one run.** `sess.run([model['conv1_1'], model['conv3_1']])` asks for two layers. Is
#    `conv1_1` computed twice? Compare the executed ops with those of `sess.run(model['conv3_1'])` alone.
# 3. **Two outputs from one `tf.function`.** Trace a `tf.function` that computes the whole network and returns
#    `conv2_1` *and* `conv4_2`. How many convolutions does the optimized graph keep?
#
# ## Solutions

# %% tags=["nbval-check-output"]
# Exercise 1
layers_avgpool3 = sgraph.ops_of_layers(sgraph.executed_ops(sess, model["avgpool3"]))
print(layers_avgpool3)
assert layers_avgpool3 == layer_names[: layer_names.index("avgpool3") + 1]

# %%
# Exercise 2: the shared layers run once; a run executes the union of the fetches' ancestors
both = sgraph.executed_ops(sess, [model["conv1_1"], model["conv3_1"]])
alone = sgraph.executed_ops(sess, model["conv3_1"])
print("same ops as conv3_1 alone:", both == alone, "|", len(both), "ops; conv1_1/relu runs",
      both.count("conv1_1/relu"), "time")
assert both == alone

# %% tags=["nbval-check-output"]
# Exercise 3: the outputs need everything up to conv4_2: 10 convolutions
fe_to_end = extractor.FeatureExtractor(weights, ["conv2_1", "conv4_2", "avgpool5"])


@tf.function
def two_outputs(x):
    feats = fe_to_end(x)          # all 21 layers in Python
    return feats["conv2_1"], feats["conv4_2"]


pre2, post2 = graph_that_ran(two_outputs, x_eager)
print("convolutions before optimization:", conv_count(pre2), "| after:", conv_count(post2))
assert conv_count(pre2) == 16 and conv_count(post2) == 10
