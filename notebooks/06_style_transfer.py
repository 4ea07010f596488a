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
# # 06 · The optimization: art.py's loop, written out
#
# **The idea:** style transfer is an ordinary optimization whose only variable is the image — a loss, an optimizer,
# a loop — and here you write that loop yourself, first as art.py does it in TF1, then in TF2, before using
# `stylelib`'s engines.
#
# **Prerequisites:** notebooks 02 (the graph with one variable), 03 (snapshots), 04 (`FeatureExtractor`, the TF2
# network) and 05 (the costs).
# **Time:** about 45 minutes.
#
# **What you will learn**
#
# 1. art.py's TF1 loop line by line: the costs wired from snapshots, `AdamOptimizer(lr).minimize(total)`, the
#    *second* initializer, the `assign` of the start image, the `for` loop — checked against
#    `stylelib.session.run_art`;
# 2. the same loop in TF2: `tf.GradientTape`, `apply_gradients`, clipping — checked against
#    `stylelib.transfer.stylize`;
# 3. what the library adds; Adam versus L-BFGS, against steps and against wall time; what the start image changes;
# 4. where `run_art` differs from art.py (clipping, the best image) and the option that removes the difference;
# 5. callbacks, Ctrl-C and the interactive explorer.
#
# *To run it: in a terminal, in the repository's root folder, type `make lab`, then **Run ▸ Run All Cells**.
# Without the trained VGG-19 weights (`stylelib weights` tells), start with `STYLELIB_WEIGHTS=random make lab`: the
# setup cell then prints a banner and pictures carry a red "RANDOM WEIGHTS" label. The saved outputs were made
# with random weights. This notebook is paired with `06_style_transfer.py` (jupytext); `notebooks/README.md` says
# how to edit it.*

# %%
from stylelib import notebook

import inspect

import keras
import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf

from stylelib import images, losses, recipe, samples, session, transfer, viz
from stylelib.extractor import FeatureExtractor
from stylelib.graph import build_graph
from stylelib.run import make_init, pixel_bounds
from stylelib.widgets import StyleExplorer

tf1 = tf.compat.v1
tf.get_logger().setLevel("ERROR")  # each stylize() run compiles its own step; TF warns of "retracing" after five
cfg = notebook.setup(seed=0)
W, RANDOM = cfg.weights, cfg.random_weights

SIZE = notebook.pick(32, 128)     # longest side, pixels
STEPS = notebook.pick(5, 30)      # Adam updates in the loops we write
LONG = notebook.pick(8, 80)       # steps for Adam vs L-BFGS
LR = recipe.ART_LEARNING_RATE     # art.py's 2.0
STYLE = recipe.ART_STYLE_LAYERS   # art.py's {layer: w_l}

content_img = samples.load_input("chelsea", SIZE)
style_img = images.resize_to(samples.load_input("stained_glass"), *content_img.shape[:2])  # one graph, one shape
content_pre, style_pre = images.preprocess(content_img, W), images.preprocess(style_img, W)
x0 = make_init("blend", content_pre, seed=0, weights=W)   # art.py's start: 0.6 × noise(±20) + 0.4 × photo, both
#                                                           mean-subtracted: a low-contrast image near the mean grey
lo, hi = pixel_bounds(W)                                  # the 0–255 range, after preprocessing
print("content", content_img.shape, "| style", style_img.shape, "| start x0", x0.shape, x0.dtype)
assert content_img.shape == style_img.shape and x0.shape == (1, *content_img.shape)

# %% tags=["nbval-check-output"]
notebook.show(viz.show_images([content_img, style_img], ["content: chelsea", "style: stained_glass"], size=2.4))

# %% [markdown]
# ## 1 · art.py's loop in TF1, written out
#
# We follow [art.py](https://github.com/log0/neural-style-painting/blob/master/art.py) (log0/neural-style-painting, commit `71ce484`; line numbers below
# are that file's). Its main block builds the graph and the costs, adds the optimizer, initializes, loads the start
# image and runs the loop; first, the graph and the costs. The network is
# `build_graph` from notebook 02 (art.py's `load_vgg_model`, lines 82–205). The content image goes into the
# variable and `sess.run` takes a **snapshot** of `conv4_2` (lines 285–286, 224); the style image goes in and the
# five style layers are snapshotted (lines 289–290, 265). Wired to the live tensors, the snapshots become constants
# (notebook 03). The costs are notebook 05's, here from `stylelib.losses` (asserted equal there), and the total is
# equation 7 of [Gatys et al. 2015](https://arxiv.org/abs/1508.06576):
#
# $$\mathcal{L}_{total}(\vec p, \vec a, \vec x) = \alpha\,\mathcal{L}_{content}(\vec p, \vec x)
#   + \beta\,\mathcal{L}_{style}(\vec a, \vec x) \qquad (7)$$
#
# with art.py's α = 5 and β = 100 (line 293). Careful: art.py *names* them the other way round — `BETA = 5` is its
# content weight and `ALPHA = 100` its style weight (lines 38–40).

# %%
g = tf.Graph()
with g.as_default():
    model = build_graph(W, *content_img.shape[:2])              # art.py's load_vgg_model: one Variable, the input
    sess = tf1.Session(graph=g)
    sess.run(model["input"].assign(content_pre))                 # art.py 285
    P = sess.run(model["conv4_2"])                               # snapshot: a numpy array
    sess.run(model["input"].assign(style_pre))                   # art.py 289
    A = sess.run({layer: model[layer] for layer in STYLE})       # snapshots of the five style layers
    content_cost = losses.content_loss(P, model["conv4_2"])      # Σ(x − p)² / (4NM), art.py 223
    style_cost = losses.style_loss(A, model, STYLE)              # Σ_l w_l E_l, art.py 265-267
    total = recipe.ART_CONTENT_WEIGHT * content_cost + recipe.ART_STYLE_WEIGHT * style_cost   # art.py 293
print("snapshot P:", notebook.type_name(P), P.shape, "| total:", notebook.type_name(total), total.shape)
assert isinstance(P, np.ndarray) and total.shape == () and total.graph is g

# %% [markdown]
# Next, lines 302–303: `optimizer = tf.train.AdamOptimizer(2.0)` and `train_step = optimizer.minimize(total_loss)`.
# `minimize` does two things: it adds the gradient of the total with respect to **every trainable variable** — here
# only the image — and the update op; and it creates Adam's own variables — two *slots* per trained variable
# (the running means m and v of the gradient and of its square) and the counters `beta1_power`, `beta2_power` (powers of β₁, β₂). New variables start
# uninitialized, which is why art.py runs the initializer a **second** time (line 305). That also resets the image
# to zeros — which is why the start image is assigned *after* it (line 306). (art.py writes
# `tf.initialize_all_variables()`, the deprecated name of `global_variables_initializer()`. It also runs it once
# before loading the content image, line 283. That first one is redundant in TF1 as in TF2: the image is the only
# variable then, and an `assign` gives a variable its value — a TF1 ref variable as much as a TF2 resource
# variable — so we skip it.)

# %%
with g.as_default():
    before = [v.name for v in tf1.global_variables()]
    optimizer = tf1.train.AdamOptimizer(LR)                      # art.py 302
    train_step = optimizer.minimize(total)                       # art.py 303: gradient + update, and Adam's slots
    after = [v.name for v in tf1.global_variables()]
    init = tf1.global_variables_initializer()                    # art.py 305: the SECOND initializer
    x_in = tf1.placeholder(tf.float32, x0.shape, name="start")   # art.py 306 assigns a constant; a placeholder
    load_start = model["input"].assign(x_in)                     # lets us load other starts without new nodes
print("variables before minimize():", before)
print("after:", after)
print("trained by minimize():", [v.name for v in g.get_collection(tf1.GraphKeys.TRAINABLE_VARIABLES)])
assert before == ["input:0"] and len(after) == 5 and {"input/Adam:0", "input/Adam_1:0"} <= set(after)
assert [v.name for v in g.get_collection(tf1.GraphKeys.TRAINABLE_VARIABLES)] == ["input:0"]
assert inspect.signature(tf1.train.AdamOptimizer).parameters["epsilon"].default == 1e-8
assert "DEPRECATED" in tf1.initialize_all_variables.__doc__ and "global_variables_initializer" in \
    tf1.initialize_all_variables.__doc__                         # art.py's spelling of the initializer

# %% [markdown]
# The loop, lines 305–308. art.py runs only `sess.run(train_step)`; we also fetch `total` **in the same run**, so we
# can plot it: it is computed from the same forward pass the gradient uses, the image *before* the update, and the
# update is the same. Nothing else happens to the image: **no clipping** (art.py clips to 0–255 only when it
# saves a picture, line 79).

# %%
def art_py_loop(x_start, steps):
    """art.py lines 305-308; returns the total loss of the image after k updates, k = 0..steps, and the image."""
    sess.run(init)                                   # 305: every variable initialized: image zeros, Adam reset
    assert not sess.run(model["input"]).any()        # the image is zeros now
    sess.run(load_start, {x_in: x_start})            # 306: the start image into the variable
    totals = []
    for _ in range(steps):                           # 307
        totals.append(sess.run([total, train_step])[0])   # 308 (+ the loss of the image before this update)
    totals.append(sess.run(total))                   # the image after the last update
    return np.array(totals, np.float64), sess.run(model["input"])


tf1_totals, tf1_x = art_py_loop(x0, STEPS)
print(f"total loss: {tf1_totals[0]:.3g} at the start -> {tf1_totals[-1]:.3g} after {STEPS} updates")
assert tf1_totals[-1] < tf1_totals[0]

# %% [markdown]
# **Check against the library.** `stylelib.session.run_art` builds this graph in an `ArtSession` and runs this loop.
# By default it does three things that art.py does not (section 6); `exact_art_py=True` turns them off and gives
# art.py's loop, and art.py's graph with one control dependency added (the update waits for the losses it is
# reported with; no value changes). Same start (`init='blend'`, `seed=0`), same steps: the same losses at every step
# and the same image.
#
# One more line of art.py is worth a look: every 100 steps it calls `sess.run(tf.reduce_sum(mixed_image))`
# (line 313). `tf.reduce_sum` itself computes nothing: each call adds **new nodes** to the graph — among them a
# `Const` holding the whole image, since `mixed_image` there is a numpy array — and only then does `sess.run` compute
# the sum. A 5,000-step run adds them 50 times, 50 copies of the image. (`ArtSession` finalizes its graph, so a stray
# op there is an error.)

# %% tags=["nbval-check-output"]
exact = session.run_art(content_img, style_img, size=None, iterations=STEPS, weights=W, seed=0, exact_art_py=True)
same_losses = np.allclose(exact.series("total"), tf1_totals, rtol=1e-6)
max_px = float(np.abs(exact.image.astype(int) - images.deprocess(tf1_x, W).astype(int)).max())
print(f"run_art(exact_art_py=True) vs the loop above: the same loss at every step: {same_losses}, "
      f"the same image (to 1 grey level): {max_px <= 1}")
assert same_losses and max_px <= 1

n_ops = len(g.get_operations())
with g.as_default():
    tf.reduce_sum(tf1_x)                             # what art.py's line 313 does at every report
new_ops = g.get_operations()[n_ops:]
print("one tf.reduce_sum added nodes to the graph:", [op.type for op in new_ops])
assert any(op.type == "Const" and tuple(op.outputs[0].shape) == tf1_x.shape for op in new_ops)

# %% [markdown]
# ## 2 · The same loop in TF2: `GradientTape`, `apply_gradients`, clipping
#
# In TF2 nothing needs a session or an initializer. The targets are computed once, eagerly, and kept as **tensors**
# (TF2's form of the snapshots); the loss is a Python function of the image; `tf.GradientTape` records the forward
# pass and gives the gradient; the Keras optimizer applies it; `tf.function` compiles the step into a graph. The
# optimizer's slots are made by `build` (TF1: `minimize` plus the second initializer). This loop also clips the
# image back into the pixel range after every update, as `stylize` does — a safeguard: the blend start is far inside
# the range, and the cell prints how many values the clip held at a bound here (section 6 shows the clip at work,
# from noise). It also checks that Adam's first update moves no pixel by more than η (section 4).

# %%
extractor = FeatureExtractor(W, ["conv4_2", *STYLE])           # notebook 04: VGG-19 up to conv5_1
P2 = extractor(tf.constant(content_pre))["conv4_2"]            # content target: a tensor
A2 = {l: losses.gram_matrix(a) for l, a in extractor(tf.constant(style_pre)).items() if l in STYLE}  # Gram targets


def total_loss(x):
    f = extractor(x)
    return (recipe.ART_CONTENT_WEIGHT * losses.content_loss(P2, f["conv4_2"])
            + recipe.ART_STYLE_WEIGHT * losses.style_loss(A2, f, STYLE, targets_are_grams=True))


x = tf.Variable(x0)                                            # the image is the only variable
adam = keras.optimizers.Adam(learning_rate=LR)                 # ε = 1e-7 (TF1's AdamOptimizer: 1e-8)
adam.build([x])                                                # its slots m and v


@tf.function
def train_step_tf2():
    with tf.GradientTape() as tape:
        loss = total_loss(x)                                   # loss of the image before the update
    grad = tape.gradient(loss, x)
    adam.apply_gradients([(grad, x)])
    x.assign(tf.clip_by_value(x, lo, hi))                      # back into the 0–255 range
    return loss


tf2_totals = [float(train_step_tf2())]
first_move = float(np.abs(x.numpy() - x0).max())               # the largest change of a pixel in the first update
tf2_totals = np.array(tf2_totals + [float(train_step_tf2()) for _ in range(STEPS - 1)] + [float(total_loss(x))])
at_bound = int(((x.numpy() <= lo) | (x.numpy() >= hi)).sum())
print(f"TF2 loop: {tf2_totals[0]:.3g} -> {tf2_totals[-1]:.3g}; same start loss as TF1:",
      bool(np.isclose(tf2_totals[0], tf1_totals[0], rtol=1e-5)))
print(f"largest pixel change in the first update: {first_move:.2f} (η = {LR}); "
      f"values at a bound after {STEPS} updates: {at_bound}")
assert first_move <= LR * (1 + 1e-4)
assert np.isclose(tf2_totals[0], tf1_totals[0], rtol=1e-5) and tf2_totals[-1] < tf2_totals[0]
assert keras.optimizers.Adam().epsilon == 1e-7

# %% [markdown]
# **Check against the library.** `stylize(optimizer='adam', init='blend')` runs this loop (with a `StyleObjective`
# holding the targets). We run it for `LONG` steps — we need the long run in section 4 — and compare its first
# `STEPS` steps with ours: a run's early steps do not depend on how long it will go on.

# %% tags=["nbval-check-output"]
adam_run = transfer.stylize(content_img, style_img, size=None, iterations=LONG, weights=W, seed=0,
                            optimizer="adam", init="blend", learning_rate=LR)
rel = np.abs(adam_run.series("total")[:STEPS + 1] / tf2_totals - 1).max()
print(f"stylize (Adam) vs the TF2 loop above, steps 0 to STEPS: the same losses (within 1e-4): {rel < 1e-4}")
assert rel < 1e-4

# %% [markdown]
# ## 3 · The library: what `stylize` and `run_art` add
#
# The loops above are the whole algorithm. The engines wrap them with what a tool needs: one `RunConfig` of
# settings (checked before any work), any image file or sample, a size, the device (a GPU if TensorFlow sees one),
# L-BFGS next to Adam, a memory check, the history of every step with its wall time, the best image, callbacks, and
# a clean stop on Ctrl-C. Both engines return the same `StyleResult`.

# %%
r = adam_run
print(type(r).__name__, "| engine:", r.engine, "| optimizer:", r.config.optimizer, "| steps:", r.history[-1].step)
print("history[0] (the start image):", {k: f"{getattr(r.history[0], k):.3g}" for k in ("content", "style", "total")})
print("image", r.image.shape, r.image.dtype, "| best step:", r.best_step, "| stop reason:", r.stop_reason)
assert [h.step for h in r.history] == list(range(LONG + 1)) and r.best_loss == r.series("total").min()
assert exact.engine == "run_art (TF1 Session)" and type(exact) is type(r)

# %% [markdown]
# ## 4 · Adam versus L-BFGS
#
# Adam ([Kingma & Ba](https://arxiv.org/abs/1412.6980)) keeps running means of the gradient g and of g², and moves
# every pixel by
#
# $$x \leftarrow x - \eta\,\frac{\hat m}{\sqrt{\hat v} + \epsilon},$$
#
# with $\hat m, \hat v$ the bias-corrected means — the paper's Algorithm 1. TensorFlow (TF1's
# [`adam.py`](https://github.com/tensorflow/tensorflow/blob/master/tensorflow/python/training/adam.py), like Keras'
# `Adam`) implements the equivalent form the paper gives just before its section 2.1: $\eta_t = \eta\sqrt{1-\beta_2^t}/(1-\beta_1^t)$
# and $x \leftarrow x - \eta_t\, m/(\sqrt{v} + \hat\epsilon)$, with ε added to the *uncorrected* √v (the
# "epsilon hat" of both docstrings); the two differ only in where the tiny ε goes. Either way a pixel moves by
# roughly η = 2 grey levels per step, whatever the scale of the loss (on the first update at most η: section 2
# checks it), so the curve flattens; and a step that is too large makes the loss rise, so that the best image is
# no longer the last one (section 6). L-BFGS estimates the curvature from its last few steps and
# searches along the direction it gives, so one step can go much further; the line search sometimes needs more than
# one loss evaluation per step. Gatys et al. ([CVPR 2016](https://openaccess.thecvf.com/content_cvpr_2016/html/Gatys_Image_Style_Transfer_CVPR_2016_paper.html))
# use L-BFGS; art.py uses Adam. Below: the same objective and start, `LONG` steps each, against steps and against
# wall time (the first steps include tracing the compiled function). The cell prints when L-BFGS reaches Adam's
# final loss, and each one's time per step. With trained weights the losses differ; run it to see whether the
# ranking stays.

# %%
lbfgs_run = transfer.stylize(content_img, style_img, size=None, iterations=LONG, weights=W, seed=0,
                             optimizer="lbfgs", init="blend")
adam_final = adam_run.history[-1].total
reached = int(np.argmax(lbfgs_run.series("total") <= adam_final))   # first L-BFGS step at Adam's final loss
print(f"L-BFGS reached Adam's loss after {LONG} steps at step {reached}: {reached < LONG}; "
      f"lower final loss: {lbfgs_run.history[-1].total < adam_final}")
print(f"... after {lbfgs_run.history[reached].seconds:.1f} s, where Adam took {adam_run.history[-1].seconds:.1f} s;",
      " | ".join(f"{k}: {v.history[-1].seconds / v.history[-1].step * 1e3:.0f} ms per step"
                 for k, v in {"Adam": adam_run, "L-BFGS": lbfgs_run}.items()))
assert lbfgs_run.history[-1].total < adam_final and 0 < reached < LONG
assert cfg.quick or lbfgs_run.history[reached].seconds < adam_run.history[-1].seconds  # timing: full mode only

fig, axes = plt.subplots(1, 2, figsize=(10, 3.6), sharey=True)
for label, run in {"Adam (lr 2)": adam_run, "L-BFGS": lbfgs_run}.items():
    axes[0].plot(run.series("step"), run.series("total"), label=label)
    axes[1].plot(run.series("seconds"), run.series("total"), label=label)
axes[0].set(xlabel="step", ylabel="total loss", yscale="log", title="per step")
axes[1].set(xlabel="wall time (s)", title="per second")
axes[0].legend()
viz.mark_random(fig, RANDOM)
notebook.show(fig)

# %% [markdown]
# ## 5 · Where to start: the photo, noise, or art.py's blend
#
# The loss has many images of low cost; the optimizer finds one near where it starts. `init='content'` starts at
# the photo (its content cost is exactly 0 there), `'noise'` at uniform noise over the whole range (each seed its
# own result), `'blend'` at art.py's mix. With art.py's Adam and a limited number of steps, the result stays near
# its start. The cell measures each result's mean distance to the **photo** (not to its own start), in grey levels,
# and prints the content cost at the start and at the end: from the photo it can only rise (it starts at 0; the
# style cost pulls the image away), from the blend it may go either way (in the saved run it rises), and here, with
# random weights, the noise and blend starts have almost the same content cost. What the asserts check, for any weights: the photo start has content cost 0; the results from the photo and
# from the blend are closer to the photo than the one from noise; and the photo start ends at a lower content cost
# than the noise start. The pictures, made here with **random** weights, show the same: the runs from the photo and
# the blend still show the cat, recoloured; the run from noise still looks like the noise it started from. What we
# expect with trained weights (not shown here): the photo start keeps the cat's layout and edges and paints the
# stained glass's colours and cells over it; a noise start gives a picture whose objects are rebuilt from the
# content cost alone — less faithful after the same number of steps, and different for every seed.

# %% tags=["weights-picture"]
init_runs = {init: transfer.stylize(content_img, style_img, size=None, iterations=STEPS, weights=W, seed=0,
                                    optimizer="adam", init=init) for init in ("content", "noise", "blend")}
dist = {k: float(np.abs(r.image.astype(float) - content_img).mean()) for k, r in init_runs.items()}
for k, r in init_runs.items():
    print(f"from {k:8}: content cost {r.history[0].content:9.3g} -> {r.history[-1].content:9.3g}, "
          f"distance to the photo {dist[k]:5.1f} grey levels")
assert init_runs["content"].history[0].content == 0.0
assert dist["content"] < dist["noise"] and dist["blend"] < dist["noise"]
assert init_runs["content"].history[-1].content < init_runs["noise"].history[-1].content
print("closer to the photo from the photo and from the blend than from noise:",
      dist["content"] < dist["noise"] and dist["blend"] < dist["noise"])
notebook.show(viz.show_images([r.image for r in init_runs.values()],
                              [f"from {k}: {dist[k]:.0f} from photo" for k in init_runs], size=2.6,
                              random_weights=RANDOM))

# %% [markdown]
# ## 6 · Where `run_art` differs from art.py
#
# Said plainly: **art.py's loop never clips the image, and keeps no best image.** `run_art` by default does both: its
# `ArtSession` clips the image to the pixel range after every Adam update, and `run_art` returns the image with the
# lowest loss as `best_image`. Its `ArtSession` also computes the style gradient with one matrix product per Gram
# matrix instead of `art.py`'s two: the same gradient up to float rounding, cheaper (notebook 03, section 8, counts
# them).
# `run_art(..., exact_art_py=True)` does none of these: its `ArtSession(..., clip=False, gram_gradient="two-product")`
# is `art.py`'s graph with section 1's one control dependency (which changes no value), and it keeps only the last
# image — that is how section 1's check could ask for equal losses.
#
# **Clipping.** Start from noise, which fills the whole range: the updates soon push some pixels out of it. art.py's
# loop (section 1's, run again) lets them go. The default `ArtSession` adds one op to the graph — the image clipped
# back into the range, run after every update (in the same `sess.run`, through a control dependency) — and from then
# on it optimizes another image. Below, the same op in our graph, run after each `train_step`. (`tests/test_session.py`
# checks that `ArtSession`'s steps stay in the range; with `clip=False` and `gram_gradient="two-product"` it is
# art.py's loop, section 1's check.)

# %% tags=["nbval-check-output"]
noise0 = make_init("noise", content_pre, seed=0, weights=W)
clip_steps = 15
free_totals, free_x = art_py_loop(noise0, clip_steps)          # art.py's loop, from noise
with g.as_default():
    clip_op = model["input"].assign(tf.clip_by_value(model["input"], lo, hi))   # what ArtSession adds
sess.run(init)
sess.run(load_start, {x_in: noise0})
clip_totals = []
for _ in range(clip_steps):
    clip_totals.append(sess.run([total, train_step])[0])
    sess.run(clip_op)
clip_totals = np.array(clip_totals + [sess.run(total)], np.float64)
clip_x = sess.run(model["input"])
outside = {"art.py's loop": int(((free_x < lo) | (free_x > hi)).sum()),
           "with the clip": int(((clip_x < lo) | (clip_x > hi)).sum())}
print(f"values outside 0-255 after {clip_steps} updates from noise:",
      {k: ("some" if v else "none") for k, v in outside.items()})
print("same loss at the start:", bool(np.isclose(clip_totals[0], free_totals[0], rtol=1e-6)),
      "| the same run afterwards:", bool(np.allclose(clip_totals, free_totals, rtol=1e-6)))
assert outside["art.py's loop"] > 0 and outside["with the clip"] == 0
assert np.isclose(clip_totals[0], free_totals[0], rtol=1e-6) and not np.allclose(clip_totals, free_totals, rtol=1e-6)
sess.close()                   # the last TF1 run of this notebook: free what the session prepared (notebook 03, §8)
sess = tf1.Session(graph=g)    # a fresh one on the same graph, should you re-run the TF1 cells above

# %% [markdown]
# **The best image.** With art.py's step (η = 2) the loss falls almost every step and the last image is the
# best one. With a step that is too large, Adam overshoots: below, η = 200 (a hundred times art.py's) for 12 steps —
# the loss jumps up after the first update, and the run does not end on its best image. The engines keep the image of the
# lowest loss as `best_image`; art.py's loop keeps only the last one, and so does `run_art(..., exact_art_py=True)`
# (section 1's run: its `best_step` is its last step).

# %% tags=["nbval-check-output"]
big = transfer.stylize(content_img, style_img, size=None, iterations=12, weights=W, seed=0, optimizer="adam",
                       init="blend", learning_rate=200.0)
t = big.series("total")
print(f"η = 200: the loss rose after the first update: {t[1] > t[0]}; the best image is not the last one: "
      f"{big.best_step < 12}")
print(f"run_art(exact_art_py=True): best_step is the last step: {exact.best_step == STEPS}, "
      f"best_image is image: {bool((exact.best_image == exact.image).all())}")
assert t[1] > t[0] and big.best_loss == t.min() and big.best_step == int(np.argmin(t))
assert big.best_step < 12 and big.best_loss < t[-1] and not (big.best_image == big.image).all()
assert exact.best_step == STEPS and (exact.best_image == exact.image).all()

# %% [markdown]
# ## 7 · Callbacks, Ctrl-C, and the explorer
#
# Both engines call `callback(info)` for the start image (step 0) and after every step; `info` has the step, the
# losses, the best step so far and `info.image()` (fetched only when called). Returning `False` stops the run and
# **returns** what it had: the history so far, the best image, `interrupted=True`. Ctrl-C in a terminal (or
# Jupyter's *interrupt* button) raises `KeyboardInterrupt` inside the loop; the engines catch it and return the
# same way. We simulate both with `stylize`; `run_art` behaves the same (`tests/test_session.py`).

# %% tags=["nbval-check-output"]
K = 2
stopped = transfer.stylize(content_img, style_img, size=None, iterations=50, weights=W, seed=0, optimizer="adam",
                           init="blend", callback=lambda info: info.step < K)           # False at step K


def ctrl_c(info):
    if info.step == K:
        raise KeyboardInterrupt                        # what Ctrl-C does, mid-run


interrupted = transfer.stylize(content_img, style_img, size=None, iterations=50, weights=W, seed=0,
                               optimizer="adam", init="blend", callback=ctrl_c)
for name, res in {"callback returned False": stopped, "Ctrl-C": interrupted}.items():
    print(f"{name}: interrupted={res.interrupted}, steps kept={[h.step for h in res.history]}, "
          f"best image kept: {res.best_image.shape == content_img.shape}")
    assert res.interrupted and [h.step for h in res.history] == list(range(K + 1))

# %% [markdown]
# `StyleExplorer` puts this notebook's knobs into one panel — images, size, the three weights, steps, layers,
# optimizer, start — and runs `stylize` in a background thread: **Run**, **Stop** (keeps the best image), **Save**.
# With random weights it says so in red. It does not start by itself; press **Run**.

# %%
explorer = StyleExplorer("chelsea", "stained_glass", weights=W, size=notebook.pick(64, 128),
                         steps=notebook.pick(10, 50))
explorer

# %% [markdown]
# ## Exercises
#
# The solutions are in `solutions/06_solutions.ipynb` — try first.
#
# 1. **art.py's loop in TF2, exactly.** Write a `GradientTape` loop that does what
#    `run_art(..., exact_art_py=True)` does: TF1's Adam (hint: Keras' `Adam` has an `epsilon` argument), **no**
#    clipping, `STEPS` updates from `x0`, and keep the lowest-loss image yourself. Check that your losses match
#    `exact.series('total')` (relative difference below 1e-3) and that your best image is at the lowest loss.
# 2. **The second initializer.** Build a small art.py graph (any size, one style layer is enough) and call
#    `minimize()`; then (a) run `train_step` *without* the second initializer and catch the error TensorFlow raises;
#    (b) run it properly for a few steps, run the initializer again, and show what it resets (the image, and Adam's
#    counter `beta1_power`).
# 3. **A filmstrip callback.** Write a callback for `stylize` that keeps `info.image()` every 2 steps and stops the
#    run after step 8. Check how many pictures you kept, their shape, and that the result is `interrupted`.

# %%
# Exercise 1: your code here

# %%
# Exercise 2: your code here

# %%
# Exercise 3: your code here

# %% [markdown]
# ## Summary
#
# - The optimization has four parts: a loss of the image, an optimizer, its state, a loop. In TF1 (art.py):
#   `minimize()` adds the gradient, the update and Adam's slots; a second initializer gives them values (and resets
#   the image, so the start is assigned after it); `sess.run(train_step)` in a `for` loop. `run_art(exact_art_py=True)`
#   gives the same losses at every step.
# - In TF2: targets as tensors, `tf.GradientTape` for the gradient, `optimizer.apply_gradients`, `tf.clip_by_value`,
#   compiled with `tf.function`; `stylize` gives the same losses.
# - L-BFGS goes much further per step than Adam, and is ahead per second too.
# - With a limited number of steps the result stays near its start: measured by the distance to the photo.
# - art.py never clips in its loop and keeps only the last image; `run_art` clips every step and keeps the best
#   image, unless `exact_art_py=True`.
# - Callbacks, Ctrl-C and Stop end a run and return what it had.
#
# **Links:** the blog post (https://amit-agrawal.com/DNN-1-20171125.html); art.py (https://github.com/log0/neural-style-painting/blob/master/art.py); Gatys et al., *A Neural
# Algorithm of Artistic Style* (https://arxiv.org/abs/1508.06576) and *Image Style Transfer Using CNNs*, CVPR 2016
# (https://openaccess.thecvf.com/content_cvpr_2016/html/Gatys_Image_Style_Transfer_CVPR_2016_paper.html); Kingma & Ba, *Adam* (https://arxiv.org/abs/1412.6980); TensorFlow's guides to
# automatic differentiation (https://www.tensorflow.org/guide/autodiff), `tf.function` (https://www.tensorflow.org/guide/function) and
# migrating from TF1 (https://www.tensorflow.org/guide/migrate).
#
# **Next:** `07_controlling_the_result.ipynb` — colour, scale, masks and several styles (Gatys et al. 2017); or the
# optional `under_the_hood.ipynb` (receptive fields, pooling gradients, `tf.function` signatures, Grappler).
