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
# **The idea:** `sess.run(t)` returns a **snapshot** — a NumPy array frozen at the image the variable held —
# while `t` itself is a **live** tensor, recomputed from the variable every time the graph runs; style transfer
# compares live tensors with snapshots, and that is all the "three networks" are.
#
# `art.py`'s content cost passes the *same layer* twice ([line 224][art-224]):
#
# ```python
# return _content_loss(sess.run(model['conv4_2']), model['conv4_2'])
# ```
#
# **You will learn:** the types of the two and how each reacts when the image changes; that a snapshot put into a
# loss becomes a `Const` node (about 250 MB of them for `art.py` at 600×800); that gradients reach only the input
# variable, and why `art.py`'s second initializer resets the image but not the targets; that the blog's "three
# networks" are **one** network in three roles, and which layers each role executes (from run traces); where
# `stylelib`'s `ArtSession` differs from `art.py`; the TF2 form.
#
# **Prerequisites:** notebook 02 (the network as a dictionary with one variable). **Time:** about 45 minutes.
#
# *To run it: in a terminal, in the repository's root folder, type `make lab` (the first time, it creates
# `.venv` and installs what is needed: Python ≥ 3.10 and access to PyPI), then **Run ▸ Run All Cells**.
# `stylelib weights` says whether this machine has the trained VGG-19 weights; without them, start with
# `STYLELIB_WEIGHTS=random make lab` — the setup cell then prints a RANDOM WEIGHTS banner. What this notebook
# shows (types, graphs, which ops run, gradients) is the same for any weights.
# This notebook is paired with `03_snapshots_vs_live_tensors.py` (jupytext): edit either one — `notebooks/README.md` says how.*
#
# [art-224]: https://github.com/log0/neural-style-painting/blob/71ce48493dd036786fb212cea4272b8a06ba0a0f/art.py#L224

# %%
from stylelib import notebook  # first: it quiets TensorFlow's C++ log lines before TensorFlow loads

import numpy as np
import tensorflow as tf
# %config InlineBackend.figure_formats = ['png']

from stylelib import extractor, images, losses, recipe, samples, vgg19, viz
from stylelib import graph as sgraph
from stylelib.run import pixel_bounds
from stylelib.session import ArtSession

tf1 = tf.compat.v1
cfg = notebook.setup(seed=0)
weights = cfg.weights

HEIGHT, WIDTH = notebook.pick((32, 48), (300, 400))   # the graph's fixed input size
content_img = images.resize_to(samples.load_sample("chelsea"), HEIGHT, WIDTH)
style_img = images.resize_to(samples.load_sample("stained_glass"), HEIGHT, WIDTH)
content_pre = images.preprocess(content_img, weights)   # (1, H, W, 3), mean subtracted
style_pre = images.preprocess(style_img, weights)
print("input (H, W):", (HEIGHT, WIDTH), "| preprocessed images:", content_pre.shape, content_pre.dtype.name)

# %% [markdown]
# ## 1. One graph, one variable
#
# VGG-19 as `art.py` builds it — a dictionary of nodes whose only variable is the input image — inside an
# explicit `tf.Graph`. The `assign` that loads an image is built **once** and fed through a placeholder
# (notebook 02, section 6).

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
print("layers:", len(model) - 1)
assert len(graph_variables) == 1 and graph_variables[0] is model["input"]

# %% [markdown]
# ## 2. Two things called `conv4_2`
#
# Load the content image, then take `model['conv4_2']` twice: as it is, and through `sess.run`.

# %%
sess.run(load_image, {image_in: content_pre})

live = model["conv4_2"]                    # a node of the graph
snapshot = sess.run(model["conv4_2"])      # its value for the image in the variable right now

for label, obj in [("sess.run(model['conv4_2'])", snapshot), ("model['conv4_2']", live)]:
    print(f"{label:27s} {notebook.type_name(obj):44s} shape {tuple(obj.shape)} {obj.dtype.name}")
print("live:", live.name, "- output of a", live.op.type, "op in graph g:", live.graph is g,
      "| has .numpy():", hasattr(live, "numpy"))
assert isinstance(snapshot, np.ndarray)
assert type(live).__name__ == "SymbolicTensor" and isinstance(live, tf.Tensor) and tf.is_symbolic_tensor(live)
assert not hasattr(live, "numpy") and live.graph is g and live.op.type == "Relu"

# %% [markdown]
# The snapshot is an ordinary NumPy array. The live tensor is a *description* of a value — "the output of the
# ReLU in `conv4_2`" — with a shape and a dtype but no numbers. (Why the blog's `ops.Tensor` is a
# `SymbolicTensor` here: see notebook 02, section 5.)
#
# ## 3. Change the input: the live tensor follows, the snapshot does not

# %% tags=["nbval-check-output"]
kept = snapshot.copy()
sess.run(load_image, {image_in: style_pre})
live_value_now = sess.run(live)

print("live value changed with the new input:", not np.array_equal(live_value_now, kept))
print("snapshot still holds the content image's values:", np.array_equal(snapshot, kept))
assert not np.array_equal(live_value_now, kept) and np.array_equal(snapshot, kept)

sess.run(load_image, {image_in: content_pre})   # back to the content image
assert np.array_equal(sess.run(live), snapshot)


# %% [markdown]
# Nothing links the array back to the graph: it is a copy, made once. That is what a *target* must be — the
# content image's features stay put while the optimizer moves the input variable away from the content image.
#
# ## 4. A snapshot in a loss becomes a `Const` node
#
# `losses.content_loss(p, x)` computes $\frac{1}{4NM}\sum_{i,j}(x_{ij} - p_{ij})^2$, where $N$ is the layer's
# number of filters (channels, 512 for `conv4_2`) and $M = H \times W$ its number of positions (`art.py`'s
# normalization; the paper's ½Σ and what the choice changes are in notebook 05). When `p` is a NumPy array and `x` a graph
# tensor, TensorFlow converts the array into a `Const` op: the numbers are **copied into the graph definition**.
# We measure the serialized graph before and after, and find the new constant among the cost's ancestors.

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
print(f"GraphDef grew by {bytes_after - bytes_before:,} bytes; the snapshot array is {snapshot.nbytes:,} bytes")
assert 0 <= (bytes_after - bytes_before) - snapshot.nbytes < 2_000

# %% [markdown]
# ## 5. Gradients reach only the input
#
# The optimizer changes variables, and the graph has one. The derivative of the cost with respect to the input
# exists (that is what Adam follows). TensorFlow can differentiate with respect to the constant's output too —
# but a constant has nothing to update. And the NumPy array is not in the graph at all: asking for a gradient with
# respect to it makes a *new*, unconnected constant, whose gradient is `None`.

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
assert trainable == [model["input"]] and grad_input is not None and grad_target is not None
assert grad_numpy == [None]
assert [v for _, v in pairs] == [model["input"]]

# %% [markdown]
# ## 6. `art.py` runs the initializer again — and the targets survive
#
# After building the loss and Adam, `art.py` runs `sess.run(tf.initialize_all_variables())` a second time
# ([lines 283 and 305][art-init]; the old name of `global_variables_initializer`) so that Adam's slot variables get
# values. That also resets the **input** to its initial value, zeros. The input is mean-subtracted, so zeros are not
# black: they are the **mean colour** (about RGB 124, 117, 104), a flat grey-brown picture. The targets do not
# follow — they are `Const`s, and the content cost is now the distance from `conv4_2` of that flat picture to the
# content snapshot. (Live targets would be a different bug: they would follow the input at *every* step, and the
# content cost would be 0 for every image — exercise 1.)
#
# [art-init]: https://github.com/log0/neural-style-painting/blob/71ce48493dd036786fb212cea4272b8a06ba0a0f/art.py#L283-L306

# %% tags=["nbval-check-output"]
sess.run(load_image, {image_in: content_pre})
print("input = content image -> content cost:", float(sess.run(content_cost)))
assert sess.run(content_cost) == 0.0

sess.run(init)                                    # the second initializer
x_now, target_now, live_now, cost_now = sess.run([model["input"], target, live, content_cost])
n_filters, m_positions = snapshot.shape[-1], snapshot.shape[1] * snapshot.shape[2]
expected = ((live_now.astype(np.float64) - snapshot) ** 2).sum() / (4 * n_filters * m_positions)

flat_rgb = images.deprocess(x_now, weights)        # back to 0–255 RGB: the mean colour everywhere
print("after the initializer, the input is all zeros:", not x_now.any(),
      "| as a picture: every pixel RGB", tuple(int(c) for c in flat_rgb[0, 0]))
print("the target Const still equals the content snapshot:", np.array_equal(target_now, snapshot))
print("cost = Σ(conv4_2(zeros) − snapshot)² / 4NM:", bool(np.isclose(cost_now, expected, rtol=1e-4)))
assert not x_now.any() and np.array_equal(target_now, snapshot) and np.isclose(cost_now, expected, rtol=1e-4)
assert (flat_rgb == flat_rgb[0, 0]).all() and flat_rgb.min() > 50     # one flat colour, far from black

# %% [markdown]
# ## 7. Three evaluations of one network — and what each one executes
#
# `art.py` uses the one graph in **three roles**: **1 content run** (the content image in the variable, `sess.run`
# of `conv4_2`), **5 style runs** (the style image, one `sess.run` per layer `conv1_1 … conv5_1`), and **one live
# run per Adam step** (the total cost on the variable, before its gradient). Which ops does each `sess.run`
# execute? A `Session` runs only what its fetches need, and it can tell us: pass
# `RunOptions(trace_level=FULL_TRACE)` and a `RunMetadata`, and the run records every node it executed in
# `run_metadata.step_stats`. Four lines, on the content run:

# %%
options = tf1.RunOptions(trace_level=tf1.RunOptions.FULL_TRACE)
metadata = tf1.RunMetadata()
sess.run(load_image, {image_in: content_pre})
sess.run(model["conv4_2"], options=options, run_metadata=metadata)
ran = [node.node_name for dev in metadata.step_stats.dev_stats for node in dev.node_stats]

print(len(ran), "nodes ran, e.g.", [n for n in ran if "conv" in n and "kernel" not in n][:4], "...")
layers_ran = [k for k in sgraph.graph_layer_names() if any(n == k or n.startswith(k + "/") for n in ran)]
print("layers executed for conv4_2:", layers_ran)
assert layers_ran == sgraph.graph_layer_names()[:sgraph.graph_layer_names().index("conv4_2") + 1]

# %% [markdown]
# Only the layers up to `conv4_2` ran: `conv4_3` … `avgpool5` exist in the graph but were pruned from this run.
# `sgraph.executed_ops` wraps these four lines (and maps back nodes that Grappler, TensorFlow's graph optimizer,
# fused or folded; notebook 04 looks at that) and `sgraph.ops_of_layers` turns op names into layers. Now the
# other two roles: the five style runs ([line 265][art-265]) and the live evaluation, the total cost
# $5\,L_\text{content} + 100\,L_\text{style}$ (`art.py` names these weights `BETA` and `ALPHA`, the reverse of the
# paper's α for content and β for style).
#
# [art-265]: https://github.com/log0/neural-style-painting/blob/71ce48493dd036786fb212cea4272b8a06ba0a0f/art.py#L265

# %%
def layers_executed(fetches):
    return sgraph.ops_of_layers(sgraph.executed_ops(sess, fetches))


keys = sgraph.graph_layer_names()
style_layers = dict(recipe.ART_STYLE_LAYERS)      # conv1_1 … conv5_1, weights 0.5 … 4
sess.run(load_image, {image_in: style_pre})
# art.py: one sess.run per style layer; quick mode (tests only) fetches all five in one run, cheaper to set up
style_runs = notebook.pick([list(style_layers)], [[l] for l in style_layers])
style_snapshots, per_run = {}, {}
for run in style_runs:
    fetch = {l: model[l] for l in run}
    style_snapshots.update(sess.run(fetch))
    per_run[run[-1]] = layers_executed(fetch)         # the same run again, traced
with g.as_default():
    style_cost = losses.style_loss(style_snapshots, {l: model[l] for l in style_layers}, style_layers)
    total_cost = recipe.ART_CONTENT_WEIGHT * content_cost + recipe.ART_STYLE_WEIGHT * style_cost
executed = {"content": layers_ran, "style": [k for k in keys if any(k in r for r in per_run.values())],
            "live": layers_executed(total_cost)}

print("style runs (by last layer), layers each executed:", {l: len(r) for l, r in per_run.items()})
for row, run_layers in executed.items():
    print(f"{row:7s}: {len(run_layers)} of {len(keys)} layers ran, the last {run_layers[-1]}")
assert all(run_layers == keys[:keys.index(l) + 1] for l, run_layers in per_run.items())
assert executed["style"] == executed["live"] == keys[:keys.index("conv5_1") + 1]

# %% [markdown]
# The figure below is drawn from these structures: layer names and shapes from the graph's tensors, the snapshots
# we hold, and the traces. **Coloured** boxes: in the snapshot rows, values copied out (red, green); in the live
# row (blue, wired to the variable), every layer that ran. **Grey** boxes (snapshot rows): layers that *did* run in
# that evaluation but whose values were only passed on, not copied out. **White, dotted** boxes: layers that
# evaluation did not execute. Sixteen conv layers exist once; the rows are the three roles.

# %% tags=["nbval-check-output"]
layer_shapes = {k: tuple(t.shape[1:]) for k, t in model.items() if k != "input"}
fig = viz.three_networks(layer_shapes, {"conv4_2": snapshot.shape[1:]},
                         {k: v.shape[1:] for k, v in style_snapshots.items()},
                         input_shape=tuple(model["input"].shape), executed=executed,
                         runs={"content": 1, "style": len(style_layers), "live": 1})
notebook.show(fig)
forward_convs = [op.name for op in g.get_operations() if op.type == "Conv2D"]   # gradients: Conv2DBackprop*
print("forward Conv2D ops in the graph:", len(forward_convs), "| ops named conv4_2/Conv2D:",
      forward_convs.count("conv4_2/Conv2D"))
assert len(forward_convs) == 16 and forward_convs.count("conv4_2/Conv2D") == 1

# %% [markdown]
# ## 8. `ArtSession`: the same recipe in one object — and where it is not `art.py`
#
# `stylelib.session.ArtSession` does all of the above in its constructor: content snapshot, style snapshots,
# losses against the live tensors, `AdamOptimizer(2.0).minimize(total)` written as its two halves,
# `compute_gradients` and `apply_gradients`, so that the update waits for the losses `step()` fetches with it (the
# TV cost, reported but at art.py's weight 0 no part of the gradient, reads the image on its own: without the wait it
# could read the updated image), and the equivalent of the second initializer (it runs the input's initializer and
# `variables_initializer` of the variables Adam created, not `global_variables_initializer()`). Its snapshots equal
# ours up to float round-off.
#
# It differs from `art.py` in one way that changes the result. **`art.py` never clips the variable**: nothing in its loop
# ([lines 307–320][art-loop]) assigns a clipped value back — the loop runs `train_step` and, every 100 steps,
# reads, prints and saves the image; its only `np.clip` is in `save_image` ([line 79][art-79]), on the copy written
# to disk. **`ArtSession.step()` clips the variable after every Adam update** (notebook 06 compares the loops).
# The cell shows only that `art.train_op` has no clip: from an image 300 above every pixel, one `train_op` step
# leaves it out of range, one `ArtSession.step()` does not.
#
# It differs in one more way, which leaves the result alone up to float rounding: how the style cost's gradient
# passes through each Gram matrix `G = FᵀF` (`F`: positions × filters). By the product rule, `dG = dFᵀ·F + Fᵀ·dF`,
# one term per factor, so with `D = ∂L/∂G` the gradient is `∂L/∂F = F·Dᵀ + F·D`. TensorFlow differentiates
# `tf.matmul(a, b)` with one matrix product per input
# ([`_MatMulGrad`, tensorflow/python/ops/math_grad.py](https://github.com/tensorflow/tensorflow/blob/v2.21.0/tensorflow/python/ops/math_grad.py#L1696-L1730)),
# so `art.py`'s `FᵀF`, with `F` as both inputs, costs those two products and a sum. Here `L = Σ(G − A)²` (times
# constants), so `D = 2(G − A)`: symmetric, since `G` and `A` both are, and the gradient is `2 F·D` — one product.
# `losses.gram_matrix_for_gradient` gets automatic differentiation to compute just that: `H = stop_gradient(F)ᵀF`
# is differentiated through its second factor only, and `2H − stop_gradient(H)` has `H`'s value and the gradient
# `2 F·D` (the term `2H` passes `2D` back to `H`, `stop_gradient(H)` passes nothing, and `H`'s one product turns
# `2D` into `F·2D`). `ArtSession` builds its Gram matrices that way, as the TF2 engine does. `ArtSession`'s 512 px
# step measured 0.96 × the two-product form's (816 against 849 ms; `docs/PERFORMANCE.md`, "The TF1 Session's step").
# `ArtSession(..., clip=False, gram_gradient="two-product")`, and `run_art(..., exact_art_py=True)`, keep `art.py`'s
# graph, plus the reported TV cost and the update's wait for the losses (a control dependency: it changes no value,
# it only makes the update run after them). The second cell counts the products on a small matrix.
#
# [art-loop]: https://github.com/log0/neural-style-painting/blob/71ce48493dd036786fb212cea4272b8a06ba0a0f/art.py#L307-L320
# [art-79]: https://github.com/log0/neural-style-painting/blob/71ce48493dd036786fb212cea4272b8a06ba0a0f/art.py#L79

# %%
try:
    art.close()    # re-running this cell
except NameError:
    pass
art = ArtSession(content_img, style_img, weights)
same = np.allclose(art.content_snapshot, snapshot, rtol=1e-5, atol=1e-4) and all(
    np.allclose(art.style_snapshots[l], style_snapshots[l], rtol=1e-5, atol=1e-4) for l in style_layers)
print("ArtSession's snapshots equal ours up to float round-off:", same)
if not cfg.quick:                                 # a traced Adam step: skipped in quick mode (it is slow)
    step_layers = sgraph.ops_of_layers(sgraph.executed_ops(art.sess, art.train_op))
    print("its Adam step executes the live evaluation's layers:", step_layers == executed["live"])
    assert step_layers == executed["live"]

lo, hi = pixel_bounds(weights)
too_bright = content_pre + 300.0                  # every pixel far above 255
art.set_image(too_bright)
art.sess.run(art.train_op)                        # the bare train_op, as art.py's loop runs it: no clip
out_of_range = float((art.image() > hi).mean())
art.set_image(too_bright)
art.step()                                        # ArtSession's step: the update, then the clip
print(f"above the upper bound (255 − mean): {out_of_range:.0%} of the values after art.py's step,"
      f" {float((art.image() > hi).mean()):.0%} after ArtSession.step()")
assert same and out_of_range > 0.9 and np.all(art.image() <= hi) and np.all(art.image() >= lo)

# %%
# The gradient of a style-like cost through each Gram matrix form, in a small graph: the products it runs.
forms = {"art.py (gram_matrix)": losses.gram_matrix,
         "ArtSession (gram_matrix_for_gradient)": losses.gram_matrix_for_gradient}
with tf.Graph().as_default() as small:
    acts = tf1.placeholder(tf.float32, (1, 6, 5, 4))   # activations: 30 positions, 4 filters
    gram_target = np.eye(4, dtype=np.float32)          # a target Gram matrix
    grads = {form: tf.gradients(tf.reduce_sum(tf.square(gram(acts) - gram_target)), acts)[0]
             for form, gram in forms.items()}
with tf1.Session(graph=small) as small_sess:
    feed = {acts: np.random.default_rng(0).normal(size=(1, 6, 5, 4))}
    values = {form: small_sess.run(t, feed) for form, t in grads.items()}
    kernels_ran = {form: sgraph.executed_ops(small_sess, t, feed, kernels=True) for form, t in grads.items()}
# each form runs one product for G itself; the rest are the gradient's
products = {form: sum("MatMul" in kernel for _, kernel in ops) - 1 for form, ops in kernels_ran.items()}
same_gradient = np.allclose(*values.values(), rtol=1e-5, atol=1e-5)
print("matrix products the gradient ran:", products)
print("the same gradient up to float rounding:", same_gradient)
assert list(products.values()) == [2, 1] and same_gradient

# %% [markdown]
# ### How big are the constants?
#
# Each snapshot went into the graph as a `Const`. We find them in `ArtSession`'s graph, add their bytes, check the
# total against what `vgg19.layer_shapes` predicts (H × W × channels × 4 bytes per layer), and use the same
# formula for `art.py`'s 600×800 image.

# %%
snapshots = {"conv4_2 (content)": art.content_snapshot, **{f"{k} (style)": v for k, v in art.style_snapshots.items()}}
found = {name: const_holding(art.losses["total"], value) for name, value in snapshots.items()}
measured = sum(tf.make_ndarray(ops[0].get_attr("value")).nbytes for ops in found.values())


def predicted_bytes(height, width):
    shapes = vgg19.layer_shapes(height, width)
    return {l: int(np.prod(shapes[l])) * 4 for l in ["conv4_2", *style_layers]}


weight_bytes = sum(k.nbytes + b.nbytes for k, b in zip(weights.kernels.values(), weights.biases.values()))
big = predicted_bytes(600, 800)
print("every snapshot is a Const in the loss graph:", all(len(ops) == 1 for ops in found.values()))
print(f"measured {measured:,} bytes at {HEIGHT}×{WIDTH}; layer_shapes predicts {sum(predicted_bytes(HEIGHT, WIDTH).values()):,}")
print("at 600×800:", {k: f"{v / 1e6:.1f} MB" for k, v in big.items()})
print(f"total {sum(big.values()) / 1e6:.0f} MB of snapshots, next to {weight_bytes / 1e6:.0f} MB of weights")
assert all(len(ops) == 1 for ops in found.values())
assert measured == sum(predicted_bytes(HEIGHT, WIDTH).values())
assert 240e6 < sum(big.values()) < 260e6

# %% [markdown]
# About **250 MB** of activations baked into the `GraphDef` next to the 80 MB of weights: a serialized `GraphDef`
# carries them (section 4 measured the growth), it may not exceed 2 GB (protobuf's limit), and a new content or
# style image means a **new graph**. Modern code computes the targets once and keeps them *outside* the graph's
# definition — as tensors captured by reference, or variables or placeholders that can be reassigned.
#
# Before TF2, a word on what an open `Session` costs. For every different combination of feeds and fetches it is
# asked to run, a session prepares and keeps an executor: its own pruned and optimized copy of the part of the graph
# those fetches need, constants included, with the kernels and their buffers
# ([`DirectSession::GetOrCreateExecutors`](https://github.com/tensorflow/tensorflow/blob/master/tensorflow/core/common_runtime/direct_session.cc)).
# This notebook has run a dozen different fetches in `sess` and a traced Adam step in `art`: in full mode each of the
# two sessions then held about 0.9 GB (measured with `notebooks/tools/kernel_memory.py`) — memory that a kernel left
# open for a class keeps for nothing.
# `close()` frees it (the end of a `with tf1.Session(graph=g) as sess:` block does the same, the form to use when a
# session is not needed across cells). A closed session refuses to run; the exercises open a fresh one on the same
# graph, which prepares only what they run. A graph itself — weights and snapshot constants — is kept as long as a
# Python name reaches it (and freed at the next garbage collection after that): `ArtSession`'s is not needed any
# more, so the cell below drops `art` too, with the snapshots of sections 7 and 8 (`style_snapshots`, `snapshots`,
# `found`); `g` stays for the exercises. To go back to an earlier cell after this one:
#
# * sections 2–7 need a session again: `sess = tf1.Session(graph=g); sess.run(init)`;
# * section 7's figure and section 8 also need section 7's style snapshots: with that new session, run section 7's
#   cell that takes them (the one that defines `layers_executed`) again first;
# * section 1's cell builds a new graph `g`: after it, run the cells from section 2 on, in order.
#
# Each re-run of a cell that builds a cost (sections 4 and 7) adds its snapshot constants to `g` again (about
# 59 MB for section 7's style cost); they stay as long as `g` does, and only section 1's new graph drops them. When
# you are done, run the cell below again: it closes the new sessions and drops the names.

# %%
if "art" in globals():
    art.close()    # ArtSession's session (section 8): its executors are freed
# ... and its graph (weights and snapshot constants, about 0.14 GB here), and our style snapshots compared with
# it (about 59 MB; graph g holds them as constants): nothing below needs them. (pop: a re-run finds some gone)
for name in ("art", "found", "snapshots", "style_snapshots"):
    globals().pop(name, None)
sess.close()   # the session of sections 1–7
try:
    sess.run(live)
    refused = False
except RuntimeError as e:
    refused = True
    print("RuntimeError:", e)
assert refused

# %% [markdown]
# ## 9. The TF2 way: values are values
#
# Eagerly there is no session: a layer's output *is* its value, an `EagerTensor` with `.numpy()`. An eager
# "snapshot" is simply a tensor computed once and kept; computing on another image makes a new tensor.

# %%
fe = extractor.FeatureExtractor(weights, ["conv4_2"])
x_var = tf.Variable(content_pre)
eager_snapshot = fe(x_var)["conv4_2"]
kept_eager = eager_snapshot.numpy().copy()
x_var.assign(style_pre)
other = fe(x_var)["conv4_2"]                     # the variable changed; the kept tensor did not

print(notebook.type_name(eager_snapshot), "| .numpy() ->", type(eager_snapshot.numpy()).__name__)
print("equal to the TF1 sess.run snapshot up to float round-off:", bool(np.allclose(eager_snapshot, snapshot, rtol=1e-4, atol=1e-3)))
print("after x_var.assign(style): new tensor differs, the snapshot is unchanged:",
      not np.array_equal(other.numpy(), kept_eager) and np.array_equal(eager_snapshot.numpy(), kept_eager))
assert type(eager_snapshot).__name__ == "EagerTensor" and np.array_equal(eager_snapshot.numpy(), kept_eager)
assert not np.array_equal(other.numpy(), kept_eager)
assert np.allclose(eager_snapshot.numpy(), snapshot, rtol=1e-4, atol=1e-3)

# %% [markdown]
# `tf.function` brings graphs back: the first call *traces* the Python function into a graph, and a NumPy array used
# inside becomes a `Const` of that graph — `art.py`'s snapshot-in-the-graph again. An eager tensor used inside is
# instead **captured**: the graph gets a placeholder, and the tensor is passed by reference at every call.

# %% tags=["nbval-check-output"]
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
    holds = [op for op in traced.get_operations() if op.type == "Const"
             and tuple(op.outputs[0].shape) == snapshot_np.shape
             and np.array_equal(tf.make_ndarray(op.get_attr("value")), snapshot_np)]
    captured = any(ext is eager_snapshot for ext, _ in traced.captures)
    print(f"{f.__name__}: snapshot as a Const: {bool(holds)}, captured by reference: {captured}")
    assert (bool(holds), captured) == ((True, False) if f is cost_numpy_target else (False, True))
assert np.isclose(float(cost_numpy_target(content_pre)), float(cost_tensor_target(content_pre)))

# %% [markdown]
# | TF1 (`art.py`) | TF2 |
# |---|---|
# | `sess.run(model['conv4_2'])` → NumPy snapshot | `fe(image)['conv4_2']` → `EagerTensor`, a value at once |
# | the snapshot meets a live tensor → a `Const` in the `GraphDef` | a captured eager tensor: a placeholder, passed by reference (a NumPy array in a `tf.function` is still a `Const`) |
# | `model['conv4_2']` live on the variable | `fe(x_var)['conv4_2']` recomputed inside `GradientTape` every step |
# | a `Session` prunes each run to its fetches | a `tf.function` graph is pruned to its outputs (notebook 04) |
#
# ## Exercises
#
# Each has an empty cell below it; worked solutions are in `solutions/03_solutions.ipynb`. They run in graph `g`:
# start with a fresh session on it (the one above is closed), `sess = tf1.Session(graph=g)`, then `sess.run(init)`.
#
# 1. **Forget the `sess.run`.** Suppose `art.py` had written `_content_loss(model['conv4_2'], model['conv4_2'])`:
#    a *live* target. In graph `g`, build that cost next to the snapshot-based `content_cost`, load the style image
#    (so the image is far from the content), and compare the two costs and their gradients with respect to the
#    input. What would Adam do with the live version?
# 2. **Predict, then trace.** Which layers does evaluating `content_cost` alone execute? And a style cost over
#    `conv1_1` and `conv3_1` only? Write your prediction as a list, then check it with `layers_executed`.
# 3. **Keep the target out of the graph.** In graph `g`, build the content cost against a *placeholder* for the
#    target instead of the NumPy array. Check that the `GraphDef` grows by far less than `snapshot.nbytes`, that
#    the cost is zero for the content image when you feed the snapshot, and that the only trainable variable is
#    still the input.

# %%
# Exercise 1: your code here

# %%
# Exercise 2: your code here

# %%
# Exercise 3: your code here

# %% [markdown]
# ## Summary
#
# * `sess.run(t)` returns a NumPy **snapshot**; `t` is a live `SymbolicTensor` (since TF 2.14), recomputed from the
#   variable at every run. Change the image: the live value follows, the snapshot does not.
# * A snapshot used in a loss becomes a `Const` in the `GraphDef` — about 250 MB of them for `art.py` at 600×800.
# * Gradients reach only the input variable; the second initializer resets the image, never the targets.
# * The "three networks" are one network run three times; a run trace shows the content run stops at `conv4_2` and
#   the style and live runs at `conv5_1` — `conv5_2` … `avgpool5` never run.
# * `ArtSession` is `art.py`'s recipe, except that it clips the image after every step (and `run_art` keeps the best
#   image); `art.py` clips only the copy it saves. Its style gradient takes one matrix product per Gram matrix where
#   `art.py`'s takes two: the same gradient up to float rounding, cheaper.
# * TF2: eager tensors are values; in a `tf.function` a NumPy array is a `Const`, an eager tensor is captured.
#
# **Links:** the blog post — [amit-agrawal.com/DNN-1-20171125.html](https://amit-agrawal.com/DNN-1-20171125.html);
# [`art.py`](https://github.com/log0/neural-style-painting/blob/master/art.py) (log0/neural-style-painting);
# Gatys et al., [A Neural Algorithm of Artistic Style](https://arxiv.org/abs/1508.06576) and
# [the CVPR 2016 paper](https://openaccess.thecvf.com/content_cvpr_2016/html/Gatys_Image_Style_Transfer_CVPR_2016_paper.html);
# Simonyan & Zisserman, [VGG](https://arxiv.org/abs/1409.1556);
# [TensorFlow 2.14 release notes](https://github.com/tensorflow/tensorflow/releases/tag/v2.14.0);
# TF guides: [graphs](https://www.tensorflow.org/guide/intro_to_graphs),
# [`tf.function`](https://www.tensorflow.org/guide/function), [autodiff](https://www.tensorflow.org/guide/autodiff),
# [migrating TF1 code](https://www.tensorflow.org/guide/migrate).
#
# **Next:** `04_running_part_of_a_network` — computing only up to a layer, and which ops a run executes.
