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
# **The idea:** to use VGG-19 "up to `conv2_1`" you either *wire* the tensor `model['conv2_1']` into more graph,
# or *read* its value with `sess.run` — and either way TensorFlow executes only the ops that tensor depends on.
#
# Style transfer needs the activations of a handful of layers (`conv1_1` … `conv5_1`, `conv4_2`) and never the
# classifier, so "how do I compute a network only to a certain point?" comes up at once; the blog post answers it
# with the two uses above. This notebook shows both in TF1, then *proves* which ops ran by reading the run's
# trace (four lines, shown before any helper uses them), counts what stopping early saves, and ends with the
# TF2 forms: a Keras model cut at a layer, `stylelib.extractor.FeatureExtractor`, and what `tf.function` prunes.
#
# * **Prerequisites:** notebooks 01–03 (the network as a dict of graph nodes with one variable; `sess.run`
#   returns NumPy snapshots).
# * **Time:** about 45 minutes, with the exercises.
# * **To run it:** in a terminal, in the repository's root folder, type `make lab`, then **Run ▸ Run All Cells**.
#   `stylelib weights` says whether this machine has the trained VGG-19 weights; without them, start with
#   `STYLELIB_WEIGHTS=random make lab` — the setup cell then prints a RANDOM WEIGHTS banner. With random weights
#   *which layers run* and the shapes are the same as with trained weights; op names and op counts are not
#   (random weights have zero biases, which Grappler drops — section 5 says by how much). The outputs saved
#   below were made with random weights.
#
# *This notebook is paired with `04_running_part_of_a_network.py` (jupytext): edit either one —
# `notebooks/README.md` says how. Worked solutions: `solutions/04_solutions.ipynb`.*

# %%
from stylelib import notebook  # first: it quiets TensorFlow's C++ log lines before TensorFlow loads

import glob
import tempfile

import numpy as np
import tensorflow as tf
import keras
# %config InlineBackend.figure_formats = ['png']

from stylelib import extractor, images, samples, tracing, vgg19, viz
from stylelib import graph as sgraph
from stylelib.notebook import median_seconds, type_name

tf1 = tf.compat.v1
cfg = notebook.setup(seed=0)
weights = cfg.weights

HEIGHT, WIDTH = notebook.pick((32, 48), (224, 224))   # the graph's fixed input size (height, width)
content_pre = images.preprocess(images.resize_to(samples.load_sample("chelsea"), HEIGHT, WIDTH), weights)
print("input (H, W):", (HEIGHT, WIDTH), "| preprocessed batch:", content_pre.shape)

# %% [markdown]
# ## 1. The graph
#
# VGG-19 as the blog's `art.py` builds it — a dictionary of graph nodes whose only variable is the input image —
# inside an explicit `tf.Graph`, with one `assign` op, built once, to load images into that variable.

# %% tags=["nbval-check-output"]
g = tf.Graph()
with g.as_default():
    model = sgraph.build_graph(weights, HEIGHT, WIDTH)
    image_in = tf1.placeholder(tf.float32, (1, HEIGHT, WIDTH, 3), name="image_in")
    load_image = model["input"].assign(image_in)
    init = tf1.global_variables_initializer()
if "sess" in globals():
    sess.close()  # noqa: F821 -- re-running this cell: close the previous session first
sess = tf1.Session(graph=g)
sess.run(init)

layer_names = sgraph.graph_layer_names("avg")
print(len(layer_names), "layers:", ", ".join(layer_names))
with g.as_default():
    print("variables:", [v.name for v in tf1.global_variables()])
    assert [v.name for v in tf1.global_variables()] == ["input:0"]
assert len(layer_names) == 21 and layer_names[3] == "conv2_1"

# %% [markdown]
# ## 2. Use 1 — wiring `conv2_1` into a bigger graph
#
# `model['conv2_1']` is a symbolic tensor: anything built from it joins the same graph and is connected, through
# it, to the input variable. Here a small trainable "head" goes on top — average the 128 feature maps over all
# positions, multiply by a 128×10 matrix — with a loss on its 10 scores. Building it runs nothing: even the new
# variable `head_w` stays uninitialized until we run its initializer.

# %% tags=["nbval-check-output"]
with g.as_default():
    features = model["conv2_1"]                                          # (1, H/2, W/2, 128), symbolic
    pooled = tf.reduce_mean(features, axis=[1, 2], name="head_pool")     # (1, 128)
    head_w = tf1.Variable(np.random.default_rng(0).normal(0, 0.01, (128, 10)).astype(np.float32), name="head_w")
    scores = tf.matmul(pooled, head_w, name="head_scores")              # (1, 10)
    head_loss = tf.reduce_sum(tf.square(scores), name="head_loss")
    grad_image, grad_head = tf1.gradients(head_loss, [model["input"], head_w])
    uninitialized = tf1.report_uninitialized_variables()
not_yet = [name.decode() for name in sess.run(uninitialized)]
print("uninitialized variables after building the head:", not_yet)
assert not_yet == [head_w.op.name]            # building ran nothing, not even head_w's initializer
sess.run(head_w.initializer)

print("scores:", type_name(scores), tuple(scores.shape))
print("gradient of the head's loss with respect to the image:", type_name(grad_image),
      "of the image's shape:", grad_image.shape == model["input"].shape)
assert isinstance(scores, tf.Tensor) and not hasattr(scores, "numpy")   # symbolic: no value yet
assert grad_image is not None and grad_image.shape == model["input"].shape and grad_head is not None

# %% [markdown]
# The head's loss has a gradient with respect to the input image: the head is connected to the image through
# `conv2_1`. That is exactly how `art.py` connects its content and style costs to the live layers.
#
# ## 3. Use 2 — reading the value of `conv2_1`
#
# Two steps, as in the blog: put an image into the input variable (skip it if the variable already holds the
# image), then run the layer. The result is a NumPy array with no link back to the graph.
#
# The blog writes step 1 as `sess.run(graph['input'].assign(content_image))`. We feed a placeholder into the
# `assign` op built once in section 1 instead, because every `.assign(...)` call *builds* a new op (and a constant
# holding the image): called once per image in a loop, it makes the graph grow — notebook 02, section 6, shows it.

# %% tags=["nbval-check-output"]
sess.run(load_image, {image_in: content_pre})     # step 1: load the image
conv2_1_value = sess.run(model["conv2_1"])         # step 2: run the graph up to conv2_1

print(type_name(conv2_1_value), conv2_1_value.dtype.name, "of shape (1, H/2, W/2, 128):",
      conv2_1_value.shape == (1, HEIGHT // 2, WIDTH // 2, 128))
assert isinstance(conv2_1_value, np.ndarray) and conv2_1_value.shape == (1, HEIGHT // 2, WIDTH // 2, 128)

# %% [markdown]
# ## 4. Which ops did that run execute? Four lines of tracing
#
# A `Session` can record a trace of one run: pass `RunOptions(trace_level=FULL_TRACE)` and an empty
# `RunMetadata`; after the run, `metadata.step_stats` lists, per device, a `node_stats` entry for every node
# that executed. These are the four lines ([`tf.compat.v1.RunOptions`](https://www.tensorflow.org/api_docs/python/tf/compat/v1/RunOptions),
# [`RunMetadata`](https://www.tensorflow.org/api_docs/python/tf/compat/v1/RunMetadata)):

# %% tags=["nbval-check-output"]
options = tf1.RunOptions(trace_level=tf1.RunOptions.FULL_TRACE)
metadata = tf1.RunMetadata()
sess.run(model["conv2_1"], options=options, run_metadata=metadata)
ran = {node.node_name for dev in metadata.step_stats.dev_stats for node in dev.node_stats}

ran_graph_ops = [op.name for op in g.get_operations() if op.name in ran]   # graph order; drops _SOURCE etc.
print("the executed graph nodes belong to the layers", sgraph.ops_of_layers(ran_graph_ops))
print("any node of conv2_2 ... avgpool5?", any(name.startswith(("conv2_2", "conv3", "conv4", "conv5", "avgpool2",
                                                                "avgpool3", "avgpool4", "avgpool5")) for name in ran))
assert sgraph.ops_of_layers(ran_graph_ops) == ["conv1_1", "conv1_2", "avgpool1", "conv2_1"]
assert not any(name.startswith("conv5_1") for name in ran) and "conv2_1/relu" in ran
assert not any(name.startswith("head_") for name in ran)      # the head was not fetched, so it did not run

# %% [markdown]
# Running `conv2_1` executed `conv1_1`, `conv1_2`, `avgpool1` and `conv2_1` — and nothing of the 17 layers
# after it, nor the head built on top. Before running, the session **prunes** the graph to the ancestors of
# the fetched tensors.
#
# `stylelib.graph.executed_ops(sess, fetches)` is these four lines packaged: it returns the executed graph ops in
# graph order (and leaves out nodes that Grappler, TensorFlow's graph optimizer, replaced by a precomputed
# constant). From here on we use it.

# %% tags=["nbval-check-output"]
assert sgraph.ops_of_layers(sgraph.executed_ops(sess, model["conv2_1"])) == sgraph.ops_of_layers(ran_graph_ops)

ran_conv5_1 = sgraph.executed_ops(sess, model["conv5_1"])
ran_head = sgraph.executed_ops(sess, head_loss)
print("sess.run(conv5_1) ran layers:", sgraph.ops_of_layers(ran_conv5_1))
print("sess.run(head_loss) ran layers:", sgraph.ops_of_layers(ran_head),
      "+ the head's loss:", "head_loss" in ran_head)
assert sgraph.ops_of_layers(ran_conv5_1) == layer_names[: layer_names.index("conv5_1") + 1]
assert sgraph.ops_of_layers(ran_head) == ["conv1_1", "conv1_2", "avgpool1", "conv2_1"]
assert "head_loss" in ran_head and "head_w" in ran_head

# %% [markdown]
# Fetching the head's loss runs the same four layers plus the head: wiring (use 1) and reading (use 2) prune
# alike.
#
# *What we assert and what we don't.* Which **layers** run is decided by the graph's structure: the same for any
# weights and any TensorFlow build. Which **op names** run inside a layer is not: Grappler drops an all-zero bias
# (`x + 0`), and a oneDNN build fuses convolution, bias and ReLU into one kernel. The optional notebook
# `under_the_hood.ipynb` shows those rewrites, case by case.
#
# ## 5. Ops and work, layer by layer
#
# For each layer: the number of ops one `sess.run(model[layer])` executes, and the share of the whole network's
# arithmetic it needs. A 3×3 convolution with a $C_{in}$-channel input and a $H \times W \times C_{out}$ output costs
#
# $$H\cdot W\cdot 9\cdot C_{in}\cdot C_{out}$$
#
# multiply-adds; a 2×2 average pool costs 4 additions per output value. Both come from the layers' shapes
# (`stylelib.vgg19.layer_shapes`) and the kernels' shapes (`weights.kernels[name].shape`), so unlike times they
# do not scatter when the machine is busy.
#
# *The op counts depend on the weights (and on the TensorFlow build):* random weights have zero biases, and
# Grappler drops the `x + 0`, so here `conv2_1` runs 12 ops and `avgpool5` 55. With non-zero biases, as trained
# weights have, this oneDNN build fuses convolution, bias and ReLU into one kernel and the same runs execute
# fewer ops — 11 and 43 when we tried it — while a build with `TF_ENABLE_ONEDNN_OPTS=0` runs the bias adds
# too (17 and 75). The layers that run are the same in every case.

# %%
PLOT_LAYERS = notebook.pick(["conv1_1", "conv2_1", "conv5_1"], layer_names)   # quick mode: runs made above
op_counts = [len(sgraph.executed_ops(sess, model[layer])) for layer in PLOT_LAYERS]


def layer_costs(height, width):
    """Multiply-adds of each conv layer, additions of each pool, for a height × width input."""
    costs = {}
    for name, (h, w, c_out) in vgg19.layer_shapes(height, width).items():
        key = vgg19.layer_key(name, "avg")
        if key.startswith("conv"):
            kh, kw, c_in, _ = weights.kernels[key].shape
            costs[key] = h * w * kh * kw * c_in * c_out
        else:
            costs[key] = h * w * c_out * 4
    return costs


costs = layer_costs(HEIGHT, WIDTH)
cumulative = dict(zip(layer_names, np.cumsum([costs[name] for name in layer_names]) / sum(costs.values())))
share = [cumulative[layer] for layer in PLOT_LAYERS]
for layer, n, f in zip(PLOT_LAYERS, op_counts, share):
    print(f"{layer:9s} {n:3d} ops  {100 * f:5.1f} % of the network's multiply-adds")
weights_kind = "random weights: zero biases" if cfg.random_weights else "trained weights"
if cfg.random_weights:   # the zero biases the op counts above depend on
    assert not any(np.any(b) for b in weights.biases.values())
notebook.show(viz.ops_per_layer_plot(PLOT_LAYERS, op_counts, share, line_label="share of the multiply-adds",
                                     title=f"sess.run(model[layer]) on a {HEIGHT}×{WIDTH} image ({weights_kind})"))
assert op_counts == sorted(set(op_counts)) and op_counts[-1] > 2 * op_counts[PLOT_LAYERS.index("conv2_1")]

at_224 = layer_costs(224, 224)
print(f"at 224×224: conv1_1 {at_224['conv1_1'] / 1e6:.0f} M, conv1_2 {at_224['conv1_2'] / 1e6:.0f} M, "
      f"conv4_2 {at_224['conv4_2'] / 1e6:.0f} M multiply-adds; conv1_2 / conv1_1 = "
      f"{at_224['conv1_2'] / at_224['conv1_1']:.1f}; all five pools together: "
      f"{100 * sum(v for k, v in at_224.items() if 'pool' in k) / sum(at_224.values()):.2f} % of the network")
skipped = 1 - sum(at_224[name] for name in layer_names[: layer_names.index("conv2_1") + 1]) / sum(at_224.values())
print(f"stopping at conv2_1 skips {100 * skipped:.0f} % of the network's multiply-adds")
assert 0.8 < skipped < 0.9
assert at_224["conv1_2"] == at_224["conv4_2"] and round(at_224["conv1_2"] / at_224["conv1_1"]) == 21
assert sum(v for k, v in at_224.items() if "pool" in k) < 0.001 * sum(at_224.values())

# %% [markdown]
# The op count grows with every layer, by about the same amount; the work does not, because the layers cost very
# different amounts. At 224×224, `conv1_2` (64 → 64 channels at full resolution) costs exactly as much as
# `conv4_2` (512 → 512 channels at 28×28), `conv1_1` (3 → 64) about 21 times less, and the five pools together
# less than a thousandth of the network. Stopping at `conv2_1` skips 85 % of the work.
#
# Times should follow the multiply-adds, roughly. One measurement, as a hint only — on a shared machine it can be
# far off (and quick mode, on a tiny image where a fixed per-run overhead dominates, skips it):

# %% tags=["nbval-ignore-output"]
TIMED = notebook.pick((), ("conv2_1", "avgpool5"))
if TIMED:
    seconds = median_seconds({layer: (lambda layer=layer: sess.run(model[layer])) for layer in TIMED})
    print(f"sess.run(conv2_1) took {seconds['conv2_1'] / seconds['avgpool5']:.2f} × the time of the whole network "
          f"(its share of the multiply-adds: {cumulative['conv2_1']:.2f})")

# %% [markdown]
# That was the last TF1 run of this notebook. Notebook 03 showed what an open session keeps: one prepared executor
# (a pruned, optimized copy of the graph with its constants) for every different combination of fetches it has
# run — and section 5 fetched every layer in turn. Close it; the exercises open a fresh session on the same graph,
# which prepares only what they run.
#
# This session, and the full Keras model of section 6 once it has made its point, are freed because a kernel that
# has run this notebook should hold at most 1 GB so that several notebooks fit on an 8 GB laptop (each TF1 graph or
# Keras VGG-19 keeps its own copy of the 80 MB of weights, and a session its executors); to re-run a cell of
# sections 2–5, re-run section 1's cell first (it builds the graph again and opens a new session), then the cells
# from section 2 on, in order (section 2 adds the head to the new graph).

# %%
sess.close()   # frees every executor this session prepared

# %% [markdown]
# ## 6. TF2: a Keras model cut at a layer
#
# TF2 has no session to prune for us: an eager call runs what you call. So you *build* the network only up to the
# layer. Keras' functional API gives two ways: build the layers only up to it
# (`stylelib.extractor.keras_vgg19(weights, up_to='conv2_1')`), or take a full model and make a new `Model` from
# its input to the layer's output. Both hold only the layers up to `conv2_1`, and give the TF1 session's values.

# %% tags=["nbval-check-output"]
cut = extractor.keras_vgg19(weights, up_to="conv2_1")
full_model = extractor.keras_vgg19(weights)   # every layer, up to avgpool5
cut_from_full = keras.Model(full_model.input, full_model.get_layer("conv2_1").output, name="cut_from_full")

scale = np.abs(conv2_1_value).max()
for m in (cut, cut_from_full):
    value = m(content_pre)
    same = float(np.abs(value.numpy() - conv2_1_value).max()) <= 1e-4 * scale
    print(f"{m.name:16s} layers {[l.name for l in m.layers]}: same values as sess.run: {same}")
    assert [l.name for l in m.layers] == ["input", "conv1_1", "conv1_2", "avgpool1", "conv2_1"] and same
print(f"the full model has {len(full_model.layers)} layers; cut_from_full shares the first five, weights included")
assert cut_from_full.get_layer("conv1_1") is full_model.get_layer("conv1_1")
del full_model, cut_from_full, m, value   # point made: the full model's 80 MB of weights (Keras variables) can go

# %% [markdown]
# `stylelib.extractor.FeatureExtractor` is the library's TF2 form: ask for layers and it builds only up to the
# deepest of them. To see what a `tf.function` of it contains, trace it and list the ops of its graph — the TF2
# counterpart of reading a session's trace: `tf.function(f).get_concrete_function(spec).graph.get_operations()`.

# %% tags=["nbval-check-output"]
fe_conv2_1 = extractor.FeatureExtractor(weights, ["conv2_1"])
print("FeatureExtractor(['conv2_1']) built:", fe_conv2_1.built_layers)

spec = tf.TensorSpec((1, HEIGHT, WIDTH, 3), tf.float32)
fe_graph = tf.function(fe_conv2_1).get_concrete_function(spec).graph
conv_ops = [op.name for op in fe_graph.get_operations() if op.type == "Conv2D"]
print("Conv2D ops in its traced graph:", len(conv_ops))

eager_value = fe_conv2_1(tf.constant(content_pre))["conv2_1"].numpy()
print("same values as sess.run:", float(np.abs(eager_value - conv2_1_value).max()) <= 1e-4 * scale)
assert fe_conv2_1.built_layers == ("conv1_1", "conv1_2", "avgpool1", "conv2_1") and len(conv_ops) == 3
assert float(np.abs(eager_value - conv2_1_value).max()) <= 1e-4 * scale

# %% [markdown]
# Three convolutions: `conv5_1` is not in the graph at all, so it cannot run.
#
# ## 7. Eager pays for every line; `tf.function` prunes
#
# A session prunes because it sees the whole graph before running. Eager code cannot: every line runs the moment
# Python reaches it. So a function that computes the whole network and *returns* only `conv2_1` pays for the
# whole network when called eagerly. Wrapped in `tf.function`, the same Python body is first traced into a graph
# — all 16 convolutions — and the runtime then drops what the output does not need. More exactly, when the function
# is instantiated TensorFlow removes the *stateless* nodes that do not contribute to an output (the comment on
# `PruneFunctionBody` in [`tensorflow/core/common_runtime/function.cc`](https://github.com/tensorflow/tensorflow/blob/master/tensorflow/core/common_runtime/function.cc):
# "Removes all stateless nodes that do not contribute to a return value"). Stateful ops — `tf.print`, a variable's
# `assign`, stateful random ops, `tf.py_function` — still run even if no output needs them (the guide
# [Introduction to graphs and `tf.function`](https://www.tensorflow.org/guide/intro_to_graphs), "non-strict
# execution", lists the side effects that always run). A convolution is stateless, so an unused one goes.

# %% tags=["nbval-check-output"]
fe_whole = extractor.FeatureExtractor(weights, ["conv2_1", "avgpool5"])   # builds all 21 layers


def whole_net_return_conv2_1(x):
    return fe_whole(x)["conv2_1"]       # Python computes every layer; we keep one


def whole_net_return_avgpool5(x):
    return fe_whole(x)["avgpool5"]


pruned_fn = tf.function(whole_net_return_conv2_1)
full_fn = tf.function(whole_net_return_avgpool5)
traced = pruned_fn.get_concrete_function(spec).graph
print("Conv2D ops in the traced graph of whole_net_return_conv2_1:",
      sum(op.type == "Conv2D" for op in traced.get_operations()))
assert sum(op.type == "Conv2D" for op in traced.get_operations()) == 16

# %% tags=["nbval-ignore-output"]
x_eager = tf.constant(content_pre)
t = median_seconds(repeats=notebook.pick(1, 5), fns={
    "eager: whole net, return conv2_1": lambda: whole_net_return_conv2_1(x_eager),
    "eager: FeatureExtractor(['conv2_1'])": lambda: fe_conv2_1(x_eager)["conv2_1"],
    "tf.function: whole net, return conv2_1": lambda: pruned_fn(x_eager),
    "tf.function: whole net, return avgpool5": lambda: full_fn(x_eager),
})
for label, s in t.items():
    print(f"{label:42s} {s * 1e3:8.1f} ms")
eager_ratio = t["eager: whole net, return conv2_1"] / t["eager: FeatureExtractor(['conv2_1'])"]
pruned_ratio = t["tf.function: whole net, return conv2_1"] / t["tf.function: whole net, return avgpool5"]
print(f"eager: computing everything to return conv2_1 costs {eager_ratio:.1f}× computing just up to conv2_1")
print(f"tf.function: the same body costs {pruned_ratio:.2f}× the full network")
# times are hints, not asserted: the next cells count the convolutions that really run

# %% [markdown]
# The traced graph holds 16 convolutions, yet the compiled call costs a fraction of the full network. Times are
# a hint, not a proof. The proof is the graph the call really ran: when a `tf.function` graph is instantiated,
# TensorFlow prunes the nodes the outputs do not need, then Grappler optimizes the rest. TensorBoard's trace
# records both graphs, and public APIs read them back: switch graph collection on
# ([`tf.summary.trace_on`](https://www.tensorflow.org/api_docs/python/tf/summary/trace_on)), make one call of a
# *fresh* `tf.function` (graphs are reported when a function is first instantiated), export the trace to an
# event file, and parse its `RunMetadata`:

# %% tags=["nbval-check-output"]
logdir = tempfile.mkdtemp()
writer = tf.summary.create_file_writer(logdir)
tf.summary.trace_on(graph=True)
tf.function(whole_net_return_conv2_1)(x_eager)                 # a fresh tf.function: this call instantiates it
with writer.as_default():
    tf.summary.trace_export("call", step=0)
writer.close()
(event_file,) = glob.glob(logdir + "/events.*")
reported = [graphs for record in tf.data.TFRecordDataset(event_file)
            for value in tf1.Event.FromString(record.numpy()).summary.value
            for graphs in tf1.RunMetadata.FromString(value.tensor.string_val[0]).function_graphs]
main = max(reported, key=lambda f: tracing.count_ops(f.pre_optimization_graph, "Conv2D"))

kept = [node.name.split("/")[0] for node in main.post_optimization_graph.node if "Conv2D" in node.op]
print("convolutions before optimization:", tracing.count_ops(main.pre_optimization_graph, "Conv2D"),
      "| after pruning and Grappler:", tracing.count_ops(main.post_optimization_graph, "Conv2D"), kept)
assert tracing.count_ops(main.pre_optimization_graph, "Conv2D") == 16
assert tracing.count_ops(main.post_optimization_graph, "Conv2D") == 3 and kept == ["conv1_1", "conv1_2", "conv2_1"]

# %% [markdown]
# Three convolutions remain — `conv1_1`, `conv1_2`, `conv2_1` (`FeatureExtractor` puts each layer's ops in a name
# scope, so a node's name starts with its layer). `count_ops` counts op types *containing* "Conv2D", because after
# Grappler a convolution may run as a fused kernel such as `_FusedConv2D`.
# `stylelib.tracing.optimized_graph(fn, *args)` packages these lines: it returns the `(traced, optimized)` pair of
# `GraphDef`s.

# %% tags=["nbval-check-output"]
pre, post = tracing.optimized_graph(whole_net_return_conv2_1, x_eager)
print("optimized_graph: convolutions before", tracing.count_ops(pre, "Conv2D"), "after", tracing.count_ops(post, "Conv2D"))
assert (tracing.count_ops(pre, "Conv2D"), tracing.count_ops(post, "Conv2D")) == (16, 3)

# %% [markdown]
# So there are three ways of "running up to a layer": a **session** prunes the graph to the fetches; **eager**
# code runs exactly what you call, so you stop where you need to (`FeatureExtractor`, a cut Keras model); and
# **`tf.function`** traces everything you wrote and prunes again before running.
#
# ## Exercises
#
# The TF1 exercises run in graph `g`: start them with a fresh session on it (the one of sections 1–5 is closed),
# `sess = tf1.Session(graph=g)`, then `sess.run(init)`. (`init` is the input's initializer only: section 2's head
# `head_w` stays uninitialized in that session until you also run `sess.run(head_w.initializer)`; the exercises do
# not need it.)
#
# 1. **Predict, then check.** Which layers does `sess.run(model['avgpool3'])` execute? Write your list down, then
#    check it with `sgraph.executed_ops` and `sgraph.ops_of_layers`.
# 2. **Implement the idea (TF1).** Write `value_up_to(sess, model, load_image, image_in, image, layer)` that loads
#    `image` into the input variable, runs the network only to `layer` *with the four lines of tracing*, and
#    returns the value and the list of layers that ran. Use it to prove that reading `conv2_1` never runs
#    `conv5_1`, and that the value equals `conv2_1_value` from section 3.
# 3. **Two outputs from one `tf.function` (TF2).** A `tf.function` computes the whole network and returns
#    `conv2_1` *and* `conv4_2`. Predict how many convolutions its optimized graph keeps, then check with
#    `tracing.optimized_graph`. (`fe_whole` returns only `conv2_1` and `avgpool5`: ask a `FeatureExtractor` for
#    `["conv2_1", "conv4_2", "avgpool5"]`, so that the whole network is traced.)

# %%
# Exercise 1 — your code here

# %%
# Exercise 2 — your code here

# %%
# Exercise 3 — your code here

# %% [markdown]
# ## Summary
#
# * Use 1, **wiring**: `model['conv2_1']` is a symbolic tensor; build more graph on it (a head, a loss) and that
#   graph is connected to the input image (its gradient reaches the image).
# * Use 2, **reading**: `sess.run(assign)` then `sess.run(model['conv2_1'])` returns a NumPy array.
# * Either way the session runs only the fetched tensors' ancestors — seen in the run's trace
#   (`RunOptions(trace_level=FULL_TRACE)`, `RunMetadata().step_stats`): `conv5_1` never runs for `conv2_1`.
# * Which layers run depends only on the graph; op names and counts also depend on the weights (a zero bias is
#   dropped) and the build (fusion). The work is counted, not timed: a 3×3 convolution costs
#   $H\cdot W\cdot 9\cdot C_{in}\cdot C_{out}$ multiply-adds, and stopping at `conv2_1` skips 85 % of them.
# * TF2: eager code runs every line you call, so build only what you need (a Keras model cut at a layer,
#   `FeatureExtractor`); a `tf.function` traces everything you wrote and prunes it before running (seen in the
#   optimized graph, `stylelib.tracing.optimized_graph`).
#
# **Links:** the blog post, section "How to Compute a Neural Network only to a certain Point?"
# ([amit-agrawal.com](https://amit-agrawal.com/DNN-1-20171125.html)); `art.py`
# ([log0/neural-style-painting](https://github.com/log0/neural-style-painting/blob/master/art.py)); Gatys et al.,
# [arXiv 1508.06576](https://arxiv.org/abs/1508.06576) and [CVPR 2016](https://openaccess.thecvf.com/content_cvpr_2016/html/Gatys_Image_Style_Transfer_CVPR_2016_paper.html);
# Simonyan & Zisserman, [arXiv 1409.1556](https://arxiv.org/abs/1409.1556); TensorFlow guides:
# [graphs and `tf.function`](https://www.tensorflow.org/guide/intro_to_graphs),
# [better performance with `tf.function`](https://www.tensorflow.org/guide/function),
# [migrating TF1 code](https://www.tensorflow.org/guide/migrate),
# [Grappler](https://www.tensorflow.org/guide/graph_optimization).
#
# **Optional:** `under_the_hood.ipynb` §5 shows Grappler's constant folding and op fusion run by run.
#
# **Next:** `05_content_and_style_costs.ipynb` — the content and style costs built on these layers.
