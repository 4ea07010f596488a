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
# # 03 — Snapshots and live tensors: `sess.run(model['conv4_2'])` versus `model['conv4_2']`
#
# The last line of `art.py`'s content cost passes the *same layer* twice:
#
# ```python
# return _content_loss(sess.run(model['conv4_2']), model['conv4_2'])
# ```
#
# The two arguments look alike but are very different things. The first is a **snapshot**: the layer's
# values for whatever image was in the input variable at that moment, copied out of TensorFlow into a
# NumPy array. The second is a **live tensor**: a node of the graph, still wired to the input variable, whose
# value is recomputed every time the graph runs. Style transfer works because the targets are snapshots and
# the generated image is live.
#
# **What you will learn**
#
# * the types of the two objects — `numpy.ndarray` and, in TF ≥ 2.16, `SymbolicTensor` (the blog, written
#   for TF 1, calls it `ops.Tensor`) — and how each reacts when the input image changes;
# * that a snapshot put into a loss becomes a `Const` node: its numbers are copied into the graph, and you can
#   measure it with `graph.as_graph_def().ByteSize()` — about **250 MB** for `art.py`'s targets at 600×800;
# * that gradients reach only the input variable, and why re-running the initializer (as `art.py` does)
#   resets the image but not the targets;
# * that the "three networks" of the blog's figure are **one** network evaluated three times — drawn from the
#   real graph;
# * what the two content normalizations ½Σ and Σ/(4NM) change: for Adam almost nothing about the *scale*,
#   but a factor 2NM in the *balance* between content and style;
# * the TF2 version: eager tensors are always values, and `tf.function` turns a captured NumPy array back into
#   a `Const`.
#
# *To run it: in a terminal, in the repository's root folder, type `make lab` (the first time, it creates
# `.venv` and installs what is needed: Python ≥ 3.10 and access to PyPI), then **Run ▸ Run All Cells**.
# `stylelib weights` says whether this machine has the trained VGG-19 weights; without them, start with
# `STYLELIB_WEIGHTS=random make lab`. The outputs saved below were made with random weights.
# This notebook is paired with `03_snapshots_vs_live_tensors.py` (jupytext): edit either one — `notebooks/README.md` says how.*

# %%
from stylelib import notebook  # first: it quiets TensorFlow's C++ log lines before TensorFlow loads

import numpy as np
import tensorflow as tf
import keras
import matplotlib.pyplot as plt
# %config InlineBackend.figure_formats = ['png']

from stylelib import extractor, images, losses, samples, vgg19, viz
from stylelib import graph as sgraph
from stylelib.session import ArtSession
from stylelib.run import make_init
from stylelib.transfer import StyleObjective

tf1 = tf.compat.v1
cfg = notebook.setup(seed=0)
weights = cfg.weights

HEIGHT, WIDTH = notebook.pick((32, 48), (300, 400))   # the graph's fixed input size
content_img = images.resize_to(samples.load_sample("chelsea"), HEIGHT, WIDTH)
style_img = images.resize_to(samples.load_sample("brick"), HEIGHT, WIDTH)
content_pre = images.preprocess(content_img, weights)   # (1, H, W, 3), mean subtracted
style_pre = images.preprocess(style_img, weights)
print("input (H, W):", (HEIGHT, WIDTH), "| preprocessed images:", content_pre.shape, content_pre.dtype.name)


def type_name(obj) -> str:
    # the full name of an object's class, as the blog prints it
    return type(obj).__module__ + "." + type(obj).__name__


# %% [markdown]
# ## 1. One graph, one variable
#
# We build VGG-19 as `art.py` does — a dictionary of graph nodes whose only variable is the input image —
# inside an explicit `tf.Graph`. The `assign` op that loads an image is built **once**, fed through a
# placeholder; building a new `assign(...)` for every image would add nodes to the graph each time.

# %% tags=["nbval-check-output"]
try:
    sess.close()   # re-running this cell: close the session of the previous graph first
except NameError:
    pass

g = tf.Graph()
with g.as_default():
    model = sgraph.build_graph(weights, HEIGHT, WIDTH)
    image_in = tf1.placeholder(tf.float32, (1, HEIGHT, WIDTH, 3), name="image_in")
    load_image = model["input"].assign(image_in)
    init = tf1.global_variables_initializer()
    graph_variables = tf1.global_variables()
sess = tf1.Session(graph=g)
sess.run(init)

print("variables in the graph:", [v.name for v in graph_variables])
print("layers:", len(model) - 1, "| ops in the graph:", len(g.get_operations()))
assert len(graph_variables) == 1 and graph_variables[0] is model["input"]

# %% [markdown]
# ## 2. Two things called `conv4_2`
#
# Load the content image, then take `model['conv4_2']` twice: once as it is, once through `sess.run`.

# %%
sess.run(load_image, {image_in: content_pre})

live = model["conv4_2"]                    # a node of the graph
snapshot = sess.run(model["conv4_2"])      # its value for the image in the variable right now

for label, obj in [("sess.run(model['conv4_2'])", snapshot), ("model['conv4_2']", live)]:
    print(f"{label:27s} {type_name(obj):50s} shape {tuple(obj.shape)} {obj.dtype.name}")
print()
print("live is a tf.Tensor:", isinstance(live, tf.Tensor), "| has a value (.numpy):", hasattr(live, "numpy"))
print("live is", live.name, "- made by a", live.op.type, "op of graph g:", live.graph is g)
print("class hierarchy of the live tensor:", [c.__name__ for c in type(live).__mro__[:3]])
assert isinstance(snapshot, np.ndarray)
assert isinstance(live, tf.Tensor) and not hasattr(live, "numpy") and live.graph is g

# %% [markdown]
# The snapshot is an ordinary NumPy array. The live tensor is a `SymbolicTensor`, a subclass of `tf.Tensor`
# (`tensorflow.python.framework.tensor.Tensor`): a *description* of a value — "the output of the ReLU in
# `conv4_2`" — with a shape and a dtype, but no numbers and no `.numpy()`. When the blog was written (TF 1)
# this object was an instance of `tensorflow.python.framework.ops.Tensor` itself. Current TF 2 releases (this
# project needs ≥ 2.16) give graph tensors the subclass `SymbolicTensor` and eager tensors `EagerTensor`; both
# are `tf.Tensor`s, so `isinstance(t, tf.Tensor)` is the test that works across versions.

# %% [markdown]
# ## 3. Change the input: the live tensor follows, the snapshot does not
#
# Now put the style image into the variable and evaluate both again.

# %% tags=["nbval-check-output"]
kept = snapshot.copy()
sess.run(load_image, {image_in: style_pre})
live_value_now = sess.run(live)

print("live value changed with the new input:", not np.array_equal(live_value_now, kept))
print("snapshot still holds the content image's values:", np.array_equal(snapshot, kept))
assert not np.array_equal(live_value_now, kept)
assert np.array_equal(snapshot, kept)

sess.run(load_image, {image_in: content_pre})   # back to the content image
assert np.array_equal(sess.run(live), snapshot)


# %% [markdown]
# Nothing links the array back to the graph: it is a copy of numbers, made once. That is exactly what a
# *target* has to be — the content image's features must stay put while the input variable is being
# optimized away from the content image.

# %% [markdown]
# ## 4. A snapshot in a loss becomes a `Const` node
#
# `losses.content_loss(p, x)` computes `x - p`. When `p` is a NumPy array and `x` a graph tensor, TensorFlow
# converts the array into a constant op: the numbers are **copied into the graph definition**. We measure the
# serialized graph (`GraphDef`) before and after building the content cost, and look for the new constant
# among the ops the cost depends on.

# %%
def ancestors(tensor):
    # every op the tensor depends on, walking op inputs backwards (the part of the graph a run needs)
    seen, stack = {}, [tensor.op]
    while stack:
        op = stack.pop()
        if op.name not in seen:
            seen[op.name] = op
            stack.extend(t.op for t in op.inputs)
            stack.extend(op.control_inputs)
    return list(seen.values())


def const_holding(tensor, value):
    # the Const ops among the tensor's ancestors whose stored value equals `value`
    return [op for op in ancestors(tensor)
            if op.type == "Const" and tuple(op.outputs[0].shape) == value.shape
            and np.array_equal(tf.make_ndarray(op.get_attr("value")), value)]


bytes_before = g.as_graph_def().ByteSize()
with g.as_default():
    content_cost = losses.content_loss(snapshot, live)   # art.py: _content_loss(sess.run(...), model[...])
bytes_after = g.as_graph_def().ByteSize()

(target_op,) = const_holding(content_cost, snapshot)
target = target_op.outputs[0]
print("op holding the snapshot:", target_op.type, "| shape", tuple(target.shape),
      "| feeds:", [c.type for c in target.consumers()])
print(f"GraphDef before the cost: {bytes_before / 1e6:.1f} MB (the VGG-19 weights are constants too)")
print(f"GraphDef grew by {bytes_after - bytes_before:,} bytes; the snapshot array is {snapshot.nbytes:,} bytes")
assert 0 <= (bytes_after - bytes_before) - snapshot.nbytes < 2_000

# %% [markdown]
# The graph grew by the size of the array plus a few hundred bytes for the new ops (subtract, square, sum,
# divide). Note also the ~80 MB the graph already had: `build_graph` stores the 20 million VGG-19 weights the
# same way, as `Const` ops.

# %% [markdown]
# ## 5. Gradients reach only the input
#
# The optimizer changes variables, and the graph has one. The derivative of the cost with respect to the
# input exists (that is what Adam follows). TensorFlow can also differentiate with respect to the constant's
# output — but a constant has nothing to update. And the NumPy array is not in the graph at all: asking for a
# gradient with respect to it creates a *new*, unconnected constant, whose gradient is `None`.

# %%
with g.as_default():
    trainable = tf1.trainable_variables()
    grad_input, grad_target = tf1.gradients(content_cost, [model["input"], target])
    grad_numpy = tf1.gradients(content_cost, snapshot)
    pairs = tf1.train.AdamOptimizer(2.0).compute_gradients(content_cost)   # what minimize() would use

print("trainable variables:", [v.name for v in trainable])
print("d cost / d input:          ", tuple(grad_input.shape))
print("d cost / d snapshot Const: ", tuple(grad_target.shape), "(a number, but a Const cannot be updated)")
print("d cost / d the numpy array:", grad_numpy)
print("variables Adam would update:", [v.name for _, v in pairs])
print("variables the cost depends on:", [op.name for op in ancestors(content_cost) if op.type == "VarHandleOp"])
assert trainable == [model["input"]] and grad_input is not None and grad_numpy == [None]
assert [v for _, v in pairs] == [model["input"]]

# %%
with g.as_default():
    try:
        tf1.train.AdamOptimizer(2.0).minimize(content_cost, var_list=[])
    except ValueError as err:
        print("minimize with no variables:", err)

# %% [markdown]
# ## 6. `art.py` runs the initializer again — and the targets survive
#
# After building the loss and the Adam optimizer, `art.py` calls `sess.run(tf.global_variables_initializer())`
# a second time (Adam's slot variables need initializing). That also resets the **input** to its initial
# value, zeros. If the targets were linked to the input, they would now describe a black image. They are
# not: here is the same experiment on our graph.

# %% tags=["nbval-check-output"]
sess.run(load_image, {image_in: content_pre})
print("input = content image -> content cost:", float(sess.run(content_cost)))
assert sess.run(content_cost) == 0.0

sess.run(init)                                    # the second initializer
x_now, live_now, target_now, cost_now = sess.run([model["input"], live, target, content_cost])
n_filters, m_positions = snapshot.shape[-1], snapshot.shape[1] * snapshot.shape[2]
expected = ((live_now.astype(np.float64) - snapshot) ** 2).sum() / (4 * n_filters * m_positions)

print("after the initializer, the input is all zeros:", not x_now.any())
print("the target Const still equals the content snapshot:", np.array_equal(target_now, snapshot))
print("cost = Σ(conv4_2(zeros) − snapshot)² / 4NM:", bool(np.isclose(cost_now, expected, rtol=1e-4)))
initial_value = model["input"].initializer.inputs[1].op
print("the zeros come from the variable's initial value:", initial_value.name, "- a", initial_value.type, "op")
assert not x_now.any() and np.array_equal(target_now, snapshot) and np.isclose(cost_now, expected, rtol=1e-4)

# %% [markdown]
# The reset moved the image (to zeros) and the live `conv4_2` with it; the target stayed the content image's
# `conv4_2`. A neat proof that the targets are copies, not links.

# %% [markdown]
# ## 7. The whole of `art.py`: one network, evaluated three times
#
# `stylelib.session.ArtSession` is `art.py`'s recipe in one object: it loads the content image and takes a
# snapshot of `conv4_2`, loads the style image and takes snapshots of `conv1_1 … conv5_1`, builds the losses
# against the live tensors, builds Adam — and runs the initializer again. Everything below is read from its
# graph.

# %%
try:
    art.close()    # re-running this cell
except NameError:
    pass
art = ArtSession(content_img, style_img, weights)

forward_convs = [op.name for op in art.graph.get_operations() if op.type == "Conv2D"]
print("forward convolutions in the graph:", len(forward_convs), "- conv4_2/Conv2D appears",
      forward_convs.count("conv4_2/Conv2D"), "time(s)")
print("input after ArtSession's second initializer is all zeros:", not art.image().any())
print("content snapshot:", art.content_layer, art.content_snapshot.shape)
print("style snapshots: ", {k: v.shape for k, v in art.style_snapshots.items()})
assert len(forward_convs) == 16 and forward_convs.count("conv4_2/Conv2D") == 1
assert not art.image().any()

# %% [markdown]
# Sixteen forward convolutions: one VGG-19, not three. The blog's picture of three networks — top one fed the
# content image, bottom one the style image, middle one the generated image — is a picture of three
# *evaluations* of these same nodes. The figure below is drawn from the session's own structures: the layer
# names and shapes come from the graph's tensors, the coloured boxes from the snapshots it holds.

# %% tags=["nbval-check-output"]
layer_shapes = {k: tuple(t.shape[1:]) for k, t in art.model.items() if k != "input"}
fig = viz.three_networks(
    layer_shapes,
    {art.content_layer: art.content_snapshot.shape[1:]},
    {k: v.shape[1:] for k, v in art.style_snapshots.items()},
    input_shape=tuple(art.model["input"].shape),
    n_ops=len(art.graph.get_operations()),
)
plt.show()
plt.close(fig)

# %% [markdown]
# ### How big are the constants?
#
# Each snapshot went into the graph as a `Const`. Below we find them in the session's graph, add up their
# bytes, and check the total against what `vgg19.layer_shapes` predicts (height × width × channels × 4 bytes
# per layer). Then we use the same formula for the blog's 600×800 image.

# %%
loss_tensor = art.losses["total"]
snapshots = {f"{art.content_layer} (content)": art.content_snapshot,
             **{f"{k} (style)": v for k, v in art.style_snapshots.items()}}
found = {name: const_holding(loss_tensor, value) for name, value in snapshots.items()}
measured = sum(tf.make_ndarray(ops[0].get_attr("value")).nbytes for ops in found.values())


def predicted_bytes(height, width):
    shapes = vgg19.layer_shapes(height, width)
    layers = [art.content_layer, *art.style_snapshots]
    return {l: int(np.prod(shapes[l])) * 4 for l in layers}


print("every snapshot is a Const in the loss graph:", all(len(ops) == 1 for ops in found.values()))
print(f"measured: {measured:,} bytes of snapshot constants at {HEIGHT}×{WIDTH}; "
      f"layer_shapes predicts {sum(predicted_bytes(HEIGHT, WIDTH).values()):,}")
assert all(len(ops) == 1 for ops in found.values())
assert measured == sum(predicted_bytes(HEIGHT, WIDTH).values())

big = predicted_bytes(600, 800)
shapes_600 = vgg19.layer_shapes(600, 800)
weight_bytes = sum(k.nbytes + b.nbytes for k, b in zip(weights.kernels.values(), weights.biases.values()))
print("\nat 600×800:")
for layer, nbytes in big.items():
    print(f"  {layer:8s} {'×'.join(map(str, shapes_600[layer])):12s} {nbytes / 1e6:7.1f} MB")
print(f"  {'total':21s} {sum(big.values()) / 1e6:7.1f} MB   (plus {weight_bytes / 1e6:.1f} MB of weights)")
assert 240e6 < sum(big.values()) < 260e6

# %% [markdown]
# About **250 MB** of activations, baked into the `GraphDef` next to the 80 MB of weights. That hurts in
# several ways: every export or optimization pass of the graph copies them; a serialized `GraphDef` may not
# exceed 2 GB (protobuf's limit), which bigger images reach (exercise 2); and a new content or style image
# means building a **new graph**, because the targets are part of it. Modern code therefore computes the
# targets once and keeps them *outside* the graph's definition — as tensors captured by reference, or in
# variables / placeholders that can be reassigned. `stylelib.transfer.StyleObjective` does that (section 9).
#
# ### Is the style Gram matrix recomputed every step?
#
# `art.py`'s style loss takes the Gram matrix of each *constant* style activation inside the loss, so the graph
# contains a `MatMul` of a constant with itself. Whether a training step really recomputes it is up to
# Grappler's constant folding. Rather than assume, we trace one evaluation of the style loss (each training
# step evaluates it) and read which kernel ran under each of
# those `MatMul` names: a node that Grappler folded either runs as a `Const` under its old name or is replaced
# by a new constant and does not run at all.

# %% tags=["nbval-ignore-output"]
target_grams = [op for op in art.graph.get_operations()
                if op.type == "MatMul" and not op.name.startswith("gradients")
                and not any(a.type == "VarHandleOp" for a in ancestors(op.outputs[0]))]
# what every step evaluates: {op name: kernel that ran}; ops Grappler folded into constants are left out
kernel_of = dict(sgraph.executed_ops(art.sess, art.losses["style"], kernels=True))
for layer, op in zip(art.style_snapshots, target_grams):
    ran = kernel_of.get(op.name)
    if ran is not None and ran != "Const":
        verdict = f"ran as {ran}: recomputed every step"
    else:
        verdict = "folded into a constant by Grappler: not recomputed"
    print(f"{layer}: target Gram '{op.name}' {verdict}")
assert len(target_grams) == len(art.style_snapshots)

# %% [markdown]
# ## 8. ½Σ or Σ/(4NM)? Scale versus balance
#
# `art.py`'s comment says it replaced the paper's content cost ½Σ(x − p)² by Σ(x − p)²/(4NM) because the paper's
# form was "very slow in painting". For one layer with N filters and M positions the two differ by exactly the
# factor **2NM**, and so do their gradients.

# %%
ADAM_H, ADAM_W = notebook.pick((32, 48), (64, 96))   # small: every Adam step below runs eagerly
STEPS = notebook.pick(3, 15)
c_small = images.preprocess(images.resize_to(content_img, ADAM_H, ADAM_W), weights)
s_small = images.preprocess(images.resize_to(style_img, ADAM_H, ADAM_W), weights)
x0 = make_init("blend", c_small, seed=0, weights=weights)   # art.py's start: noise blended with the content

fe4 = extractor.FeatureExtractor(weights, ["conv4_2"])
p = fe4(tf.constant(c_small))["conv4_2"]
x_var = tf.Variable(x0)
with tf.GradientTape(persistent=True) as tape:
    x_feat = fe4(x_var)["conv4_2"]
    cost_art = losses.content_loss(p, x_feat, "art")
    cost_paper = losses.content_loss(p, x_feat, "paper")
g_art, g_paper = tape.gradient(cost_art, x_var), tape.gradient(cost_paper, x_var)
del tape

N, M = int(p.shape[-1]), int(p.shape[1] * p.shape[2])
print(f"conv4_2 at {ADAM_H}×{ADAM_W}: N = {N} filters, M = {M} positions, 2NM = {2 * N * M}")
print("cost ratio  ½Σ / (Σ/4NM):     ", round(float(cost_paper / cost_art)))
print("gradient ratio ‖∇½Σ‖/‖∇Σ/4NM‖:", round(float(tf.norm(g_paper) / tf.norm(g_art))))
assert np.isclose(float(cost_paper / cost_art), 2 * N * M, rtol=1e-4)
assert np.isclose(float(tf.norm(g_paper) / tf.norm(g_art)), 2 * N * M, rtol=1e-4)


# %% [markdown]
# A factor of tens of thousands in the gradient sounds like it must change everything. For **Adam** it mostly does
# not: each step is `lr · m̂ / (√v̂ + ε)`, where `m̂` and `√v̂` are running averages of the gradient and of its
# magnitude — multiply every gradient by `c` and both scale by `c`, leaving the step unchanged except where
# the gradient is so tiny that ε matters. What the choice *does* change is the **balance** when the content
# cost is added to the style cost: `5·content + 100·style` weighs a content term 2NM times larger.
#
# We run a few Adam steps (learning rate 2, ε = 1e-8 as in `art.py`) from the same start with four losses:
# content only with each normalization (the same loss up to a factor 2NM), and content + style with each.

# %%
def adam_path(objective, x_start, steps, lr=2.0, epsilon=1e-8):
    # Adam on the image, clipped to the valid pixel range like art.py; returns (images per step, losses per step)
    lo = -np.asarray(weights.mean, np.float32)
    x = tf.Variable(x_start)
    opt = keras.optimizers.Adam(learning_rate=lr, epsilon=epsilon)
    path, records = [], []
    for _ in range(steps):
        with tf.GradientTape() as tape:
            values = objective(x)
        opt.apply_gradients([(tape.gradient(values["total"], x), x)])
        x.assign(tf.clip_by_value(x, lo, lo + 255.0))
        path.append(x.numpy())
        records.append({k: float(v) for k, v in values.items()})
    return np.stack(path), records


objectives = {
    ("content only", "art"): StyleObjective(c_small, s_small, weights, style_weight=0.0, content_normalization="art"),
    ("content only", "paper"): StyleObjective(c_small, s_small, weights, style_weight=0.0, content_normalization="paper"),
    ("content + style", "art"): StyleObjective(c_small, s_small, weights, content_normalization="art"),
    ("content + style", "paper"): StyleObjective(c_small, s_small, weights, content_normalization="paper"),
}
runs = {key: adam_path(obj, x0, STEPS) for key, obj in objectives.items()}
print("runs:", [f"{a} / {b}" for a, b in runs], "-", STEPS, "Adam steps each on a", (ADAM_H, ADAM_W), "image")


# %% tags=["nbval-ignore-output"]
def trajectory_gap(loss_kind):
    # per step: ‖x_art − x_paper‖ / ‖x_art − x0‖, and the largest single-pixel difference
    a, b = runs[(loss_kind, "art")][0], runs[(loss_kind, "paper")][0]
    rel = [np.linalg.norm(a[i] - b[i]) / np.linalg.norm(a[i] - x0) for i in range(len(a))]
    return np.array(rel), np.abs(a - b).reshape(len(a), -1).max(axis=1)


rel_scale, maxdiff_scale = trajectory_gap("content only")
rel_balance, maxdiff_balance = trajectory_gap("content + style")
print("content only (the loss scaled by 2NM):")
print(f"  paths differ by {rel_scale.max():.1%} of the distance travelled (worst step)")
print(f"  largest pixel difference: {maxdiff_scale[0]:.2f} after step 1, {maxdiff_scale[-1]:.2f} after step {STEPS}"
      f"  (each step moves a pixel by up to {2.0:g})")
print("content + style (the balance changed by 2NM):")
print(f"  paths differ by {rel_balance.min():.0%} of the distance travelled (best step)")
print(f"  largest pixel difference: {maxdiff_balance[0]:.2f} after step 1, {maxdiff_balance[-1]:.2f} after step {STEPS}")
assert rel_scale.max() < 0.1 and rel_balance.min() > 0.3

# %%
start = {k: objectives[k](tf.constant(x0)) for k in [("content + style", "art"), ("content + style", "paper")]}
share = {norm: 5.0 * float(v["content"]) / (100.0 * float(v["style"])) for (_, norm), v in start.items()}
print("weighted content / weighted style at the start image:")
for norm, r in share.items():
    print(f"  {norm:5s}: {r:.3g}")
print("ratio paper / art:", round(share["paper"] / share["art"]), "= 2NM =", 2 * N * M)
assert np.isclose(share["paper"] / share["art"], 2 * N * M, rtol=1e-3)

# %% tags=["nbval-check-output"]
fig, axes = plt.subplots(1, 2, figsize=(10, 3.6))
steps = np.arange(1, STEPS + 1)
axes[0].semilogy(steps, rel_scale, "o-", label="content only: loss × 2NM")
axes[0].semilogy(steps, rel_balance, "s-", label="content + style: balance × 2NM")
axes[0].set(xlabel="Adam step", ylabel="‖x_art − x_paper‖ / ‖x_art − x0‖", title="How far apart the two paths are")
axes[0].legend(fontsize=8)
for norm, marker in [("art", "o-"), ("paper", "s-")]:
    recs = runs[("content + style", norm)][1]
    frac = [5 * r["content"] / (5 * r["content"] + 100 * r["style"]) for r in recs]
    axes[1].plot(steps, frac, marker, label=f"{norm}: {'Σ/(4NM)' if norm == 'art' else '½Σ'}")
axes[1].set(xlabel="Adam step", ylabel="content share of the total loss", ylim=(-0.05, 1.05),
            title="What the normalization changes: the balance")
axes[1].legend(fontsize=8)
for ax in axes:
    ax.set_xticks(steps)
viz.mark_random(fig, cfg.random_weights)
fig.tight_layout(rect=(0, 0, 1, 0.94))
plt.show()
plt.close(fig)

# %% [markdown]
# With content alone, the two normalizations walk almost the same path: multiplying a loss by a constant does
# not matter to Adam (the few pixels that differ are those with near-zero gradients, where ε is not negligible —
# exercise 1). With content and style together, the paper's ½Σ makes the content term dominate the total, so
# the image stays close to the photograph; `art.py`'s Σ/(4NM) hands the optimization to the style term. That
# balance, rather than speed, is the likely explanation of "very slow in painting": with the paper's normalization the content
# weight 5 would have to be divided by roughly 2NM to paint the same way.
#
# ## 9. The TF2 way: values are values
#
# In eager TensorFlow there is no session: a layer's output *is* its value, an `EagerTensor` with `.numpy()`
# available at once. An eager "snapshot" is simply a tensor computed once and kept.

# %%
fe = extractor.FeatureExtractor(weights, ["conv4_2"])
eager_snapshot = fe(tf.constant(content_pre))["conv4_2"]
kept_eager = eager_snapshot.numpy().copy()
other = fe(tf.constant(style_pre))["conv4_2"]   # computing on another image makes a new tensor

print(type_name(eager_snapshot), "| a tf.Tensor:", isinstance(eager_snapshot, tf.Tensor),
      "| .numpy() ->", type(eager_snapshot.numpy()).__name__, eager_snapshot.numpy().shape)
print("same values as the TF1 sess.run snapshot:", bool(np.allclose(eager_snapshot.numpy(), snapshot, rtol=1e-4, atol=1e-3)))
print("the style image gave a new tensor; the snapshot is unchanged:",
      not np.array_equal(other.numpy(), kept_eager) and np.array_equal(eager_snapshot.numpy(), kept_eager))
assert hasattr(eager_snapshot, "numpy") and not np.array_equal(other.numpy(), kept_eager)
assert np.array_equal(eager_snapshot.numpy(), kept_eager)
assert np.allclose(eager_snapshot.numpy(), snapshot, rtol=1e-4, atol=1e-3)

# %% [markdown]
# `tf.function` brings graphs back: the first call *traces* the Python function into a graph, and a NumPy
# array used inside becomes a `Const` of that graph — `art.py`'s snapshot-in-the-graph again. An eager tensor
# used inside is instead **captured**: the graph gets a placeholder, and the tensor is passed in by reference
# at every call. We trace the same content cost both ways and compare the graphs.

# %%
snapshot_np = eager_snapshot.numpy()


@tf.function
def cost_numpy_target(x):
    return losses.content_loss(snapshot_np, fe(x)["conv4_2"])


@tf.function
def cost_tensor_target(x):
    return losses.content_loss(eager_snapshot, fe(x)["conv4_2"])


spec = tf.TensorSpec((1, HEIGHT, WIDTH, 3), tf.float32)
for f in (cost_numpy_target, cost_tensor_target):
    traced = f.get_concrete_function(spec).graph
    op_types = [op.type for op in traced.get_operations()]
    holds = [op.name for op in traced.get_operations() if op.type == "Const"
             and tuple(op.outputs[0].shape) == snapshot_np.shape
             and np.array_equal(tf.make_ndarray(op.get_attr("value")), snapshot_np)]
    captured = any(ext is eager_snapshot for ext, _ in traced.captures)
    print(f"{f.__name__}: {len(op_types)} ops ({op_types.count('Conv2D')} Conv2D), "
          f"snapshot as Const: {bool(holds)}, captured by reference: {captured}, "
          f"GraphDef ≈ {traced.as_graph_def().ByteSize() / 1e3:.0f} kB")
    if f is cost_numpy_target:
        assert holds and not captured
    else:
        assert not holds and captured

print("value check:", bool(np.isclose(float(cost_numpy_target(content_pre)), float(cost_tensor_target(content_pre)))))
print("StyleObjective keeps its targets as:", type_name(objectives[("content + style", "art")].content_targets["conv4_2"]))

# %% [markdown]
# The traced graph with the NumPy target carries the whole array inside its definition; the one with the
# eager tensor only a placeholder for it (the big weight kernels of `FeatureExtractor` are captured the same
# way, which is why that graph is only a few kB). This is the modern answer to section 7's 250 MB: compute the
# targets once, keep them as tensors, and let the compiled step refer to them.
#
# ## Exercises
#
# 1. **Adam and ε.** Re-run the two *content only* paths with `adam_path(..., epsilon=1e-14)`. How large is the
#    largest pixel difference after the first step now, and how far apart are the paths? What does that tell
#    you about where the differences came from?
# 2. **The 2 GB wall.** A serialized `GraphDef` must stay under 2 GiB. Using `vgg19.layer_shapes`, find the
#    smallest 3:4 image (height × 4/3 = width, height a multiple of 10) for which `art.py`'s snapshot constants
#    plus the VGG-19 weights exceed 2 GiB.
# 3. **Keep the target out of the graph.** In graph `g`, build the content cost against a *placeholder* for the
#    target instead of the NumPy array. Check that the `GraphDef` grows by far less than `snapshot.nbytes`, that
#    the cost is still zero for the content image (feed the snapshot), and that the trainable variables are
#    still only the input.
#
# ## Solutions

# %% tags=["nbval-check-output"]
# Exercise 1: with a negligible ε, the first Adam step is the same for both scales
tiny_eps = {norm: adam_path(objectives[("content only", norm)], x0, STEPS, epsilon=1e-14)[0] for norm in ("art", "paper")}
a, b = tiny_eps["art"], tiny_eps["paper"]
first_step_tiny = float(np.abs(a[0] - b[0]).max())
rel_tiny = np.array([np.linalg.norm(a[i] - b[i]) / np.linalg.norm(a[i] - x0) for i in range(len(a))])
print("after step 1, the largest pixel difference is below 0.01:", first_step_tiny < 0.01)
print("the paths are at least 4× closer than with ε = 1e-8:", rel_tiny.max() < 0.25 * rel_scale.max())
assert first_step_tiny < 0.01 and rel_tiny.max() < 0.25 * rel_scale.max()

# %% [markdown]
# After one step the two images agree to float32 round-off: the differences with ε = 1e-8 came from pixels
# whose gradient, in the Σ/(4NM) scale, was comparable to ε — there `√v̂ + ε` is not proportional to the
# gradient's scale. Over more steps a little round-off creeps back in: with a tiny ε, a pixel whose gradient is
# nearly zero still takes a full-size step in the direction of that (noisy) gradient, which is one reason ε is
# not set to zero.

# %% tags=["nbval-check-output"]
# Exercise 2: snapshot constants grow with the pixel count; the weights are a fixed 80 MB
limit = 2 ** 31
height = 600
while sum(predicted_bytes(height, height * 4 // 3).values()) + weight_bytes <= limit:
    height += 10
width = height * 4 // 3
total = sum(predicted_bytes(height, width).values()) + weight_bytes
print(f"first 3:4 size over 2 GiB: {height}×{width} -> {total / 2**30:.2f} GiB")
assert total > limit and sum(predicted_bytes(height - 10, (height - 10) * 4 // 3).values()) + weight_bytes <= limit

# %%
# Exercise 3: a placeholder target is fed at run time, so its numbers never enter the GraphDef
before = g.as_graph_def().ByteSize()
with g.as_default():
    target_in = tf1.placeholder(tf.float32, snapshot.shape, name="content_target")
    cost_fed = losses.content_loss(target_in, model["conv4_2"])
    still_trainable = tf1.trainable_variables()
growth = g.as_graph_def().ByteSize() - before
sess.run(load_image, {image_in: content_pre})
print(f"GraphDef grew by {growth:,} bytes (the snapshot is {snapshot.nbytes:,})")
print("cost with the content image's snapshot fed:", float(sess.run(cost_fed, {target_in: snapshot})))
print("trainable variables:", [v.name for v in still_trainable])
assert growth < 2_000
assert sess.run(cost_fed, {target_in: snapshot}) == 0.0 and still_trainable == [model["input"]]

# %% [markdown]
# A new target is now a new `feed_dict` value, not a new graph. (A non-trainable `tf.Variable` assigned once
# works too, and keeps the target on the GPU between steps.)
