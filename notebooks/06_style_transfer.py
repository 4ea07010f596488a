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
# # 06 · The whole optimization, twice: a TF1 Session and TF2
#
# The earlier notebooks built the pieces: the network, the snapshots, the costs. Here we run the complete
# style transfer — once the way art.py does it (a TF1 graph stepped with `sess.run`), once with the TF2
# engine of `stylelib` (eager code compiled with `tf.function`) — and look at what happens during a run.
#
# **What you will learn**
#
# - the art.py loop with `stylelib.session` (`ArtSession`, `run_art`) and the TF2 loop with
#   `stylelib.transfer.stylize`, and that both compute **the same loss** for the same image;
# - Adam versus L-BFGS, with the loss plotted against wall time;
# - starting from the content image, from noise, or from art.py's blend of both;
# - why the result keeps the **best** image seen, and why stopping a run (a callback, Stop, Ctrl-C) loses
#   nothing;
# - what `tf.function` buys over running the same step eagerly, measured here;
# - an interactive explorer (`stylelib.widgets.StyleExplorer`) to try settings by hand.
#
# *To run it: in a terminal, in the repository's root folder, type `make lab` (the first time, it creates
# `.venv` and installs what is needed: Python ≥ 3.10 and access to PyPI), then **Run ▸ Run All Cells**.
# `stylelib weights` says whether this machine has the trained VGG-19 weights; without them, start with
# `STYLELIB_WEIGHTS=random make lab`. The outputs saved below were made with random weights.
# This notebook is paired with `06_style_transfer.py` (jupytext): edit either one — `notebooks/README.md` says how.*

# %% [markdown]
# ## Setup
#
# In quick mode (`STYLELIB_QUICK=1`) images are 32 px and runs are a few steps long; otherwise 128 px and a few
# dozen steps. The TF1 graph of art.py has one fixed input shape, so the style image is resized to the
# content image's exact size, and the same two arrays are given to both engines.

# %%
from stylelib import notebook

import time

import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf

from stylelib import images, samples, session, transfer, viz
from stylelib.run import make_init

cfg = notebook.setup(seed=0)
W = cfg.weights
RANDOM = cfg.random_weights

SIZE = notebook.pick(32, 128)
STEPS = notebook.pick(6, 50)

content_img = samples.load_input("chelsea", SIZE)
style_img = images.resize_to(samples.load_input("brick"), *content_img.shape[:2])
content_pre = images.preprocess(content_img, W)
style_pre = images.preprocess(style_img, W)
print("content", content_img.shape, "style", style_img.shape, "preprocessed", content_pre.shape, content_pre.dtype)
assert content_img.shape == style_img.shape


def show(fig):
    # the red random-weights label sits at the very top: leave room for it, show the figure once, free it
    if fig.texts:
        fig.tight_layout(rect=(0, 0, 1, 1 - 0.3 / fig.get_figheight()))
    plt.show()
    plt.close(fig)


# %% tags=["nbval-check-output"]
show(viz.show_images([content_img, style_img], ["content: chelsea", "style: brick"], size=2.4))

# %% [markdown]
# ## 1 · The TF1 engine: art.py's loop in a Session
#
# `session.run_art` does what art.py does: build the graph once for this image size, snapshot the content
# activations and the style activations with `sess.run` (they become constants), start from
# `0.6 × noise + 0.4 × content`, then call `sess.run(train_op)` (Adam, learning rate 2) again and again. It
# returns the same `StyleResult` as the TF2 engine: losses per step — step 0 is the start image, then one
# record per Adam update — the final and the best image.

# %%
tf1_result = session.run_art(content_img, style_img, size=None, iterations=STEPS, weights=W, seed=0)
print(type(tf1_result).__name__, "| steps:", tf1_result.history[-1].step, "| optimizer:", tf1_result.config.optimizer)
print("image", tf1_result.image.shape, tf1_result.image.dtype, "| random weights:", tf1_result.random_weights)
assert [r.step for r in tf1_result.history] == list(range(STEPS + 1)) and not tf1_result.interrupted
assert tf1_result.history[-1].total < tf1_result.history[0].total

# %% [markdown]
# ## 2 · The TF2 engine, and the same loss from both
#
# `transfer.stylize` holds the same costs in a `StyleObjective`: targets computed once as tensors, and a
# call that takes the image and returns `content`, `style`, `tv` and `total`. Both engines use the functions
# of `stylelib.losses`, so for the **same starting image and weights** they must report the same numbers.
# We check that directly: load the start image into an `ArtSession` (`loss_values`) and hand it to a
# `StyleObjective`. In the same session we also step the art.py loop by hand three times — `step()` is one
# `sess.run` of the losses and Adam's `train_op`, returning the losses of the image *before* the update — and
# find the first three entries of `run_art`'s history (steps 0, 1 and 2).

# %%
x0 = make_init("blend", content_pre, seed=0, weights=W)      # art.py's start, preprocessed
objective = transfer.StyleObjective(content_pre, style_pre, W)        # art.py's layers and weights 5 / 100

with session.ArtSession(content_img, style_img, W) as art:
    tf1_values = art.loss_values(x0)                # x0 into the variable, then sess.run(losses)
    by_hand = [art.step()["total"] for _ in range(3)]   # the art.py loop: sess.run([losses, train_op])
    print("TF1 graph:", type(art.graph).__name__, "| trainable variables:",
          len(art.graph.get_collection(tf.compat.v1.GraphKeys.TRAINABLE_VARIABLES)))
tf2_values = {k: float(v) for k, v in objective(tf.constant(x0)).items()}

for key in ("content", "style", "tv", "total"):
    rel = abs(tf1_values[key] - tf2_values[key]) / abs(tf2_values[key])
    print(f"{key:8} relative difference TF1 vs TF2: {round(rel, 5)}")
    assert rel < 1e-5, key
same = np.allclose(by_hand, [r.total for r in tf1_result.history[:3]], rtol=1e-5)
print("three steps by hand == the first three steps of run_art:", same)
assert same

# %% [markdown]
# Now the whole TF2 run with art.py's recipe (Adam, learning rate 2, blend start). In both engines
# `history[k]` is the loss of the image after k updates, and `history[0]` the loss at the start image `x0` —
# equal, as just shown — so the two curves should lie on top of each other — the second hides the first. (They drift apart very slightly over many steps: Keras'
# Adam adds its ε = 1e-7 where TF1's adds 1e-8, and the sums run in another order.)

# %% tags=["nbval-check-output"]
tf2_adam = transfer.stylize(content_img, style_img, size=None, iterations=STEPS, weights=W, seed=0,
                            optimizer="adam", init="blend", learning_rate=2.0)
first = abs(tf2_adam.history[0].total - tf1_result.history[0].total) / tf1_result.history[0].total
last = abs(tf2_adam.history[-1].total - tf1_result.history[-1].total) / tf1_result.history[-1].total
print("first step: same loss:", first < 1e-5, "| last step within 1 %:", last < 0.01)
assert first < 1e-5 and last < 0.01
show(viz.loss_curves({"TF1 Session (run_art)": tf1_result, "TF2 stylize, Adam": tf2_adam},
                     random_weights=RANDOM, title="same recipe, two engines"))

# %% tags=["weights-picture", "nbval-check-output"]
show(viz.show_images([tf1_result.image, tf2_adam.image], ["TF1 Session (art.py)", "TF2 stylize (Adam)"],
                     size=2.6, random_weights=RANDOM))

# %% [markdown]
# ## 3 · Adam versus L-BFGS
#
# Adam takes small steps of roughly fixed size (its learning rate is in pixel units); L-BFGS builds a
# picture of the curvature from the last few gradients and makes a line search along its direction, so it
# usually gets much further per step, at the price of a few extra loss evaluations. Gatys et al. used
# L-BFGS. The fair comparison is against **time**, so we plot `x='seconds'` (the first step includes the
# tracing of the compiled function). The bookkeeping is the same for both: `history[k]` is the image after
# k steps, `history[0]` the start image.

# %%
tf2_lbfgs = transfer.stylize(content_img, style_img, size=None, iterations=STEPS, weights=W, seed=0,
                             optimizer="lbfgs", init="blend")
print("L-BFGS steps:", tf2_lbfgs.history[-1].step, "| lower final loss than Adam after as many steps:",
      tf2_lbfgs.history[-1].total < tf2_adam.history[-1].total)
assert tf2_lbfgs.history[-1].total < tf2_adam.history[-1].total
show(viz.loss_curves({"Adam (lr 2)": tf2_adam, "L-BFGS": tf2_lbfgs}, x="seconds",
                     random_weights=RANDOM, title=f"{STEPS} steps each, against wall time"))

# %% [markdown]
# ## 4 · Where to start: content, noise or a blend
#
# `init='content'` starts at the photo (its content cost is exactly 0 there), `'noise'` at uniform noise
# over the whole pixel range (Gatys et al.'s choice: each seed gives a different result), `'blend'` is
# art.py's `0.6 × noise(±20) + 0.4 × photo`. The start decides which of the many low-cost images the
# optimizer finds.

# %% tags=["nbval-check-output"]
starts = {init: make_init(init, content_pre, seed=0, weights=W) for init in ("content", "noise", "blend")}
start_losses = {init: {k: float(v) for k, v in objective(tf.constant(x)).items()} for init, x in starts.items()}
for init, v in start_losses.items():
    print(f"{init:8} content cost at the start is zero: {v['content'] == 0.0}")
assert start_losses["content"]["content"] == 0.0
assert start_losses["content"]["content"] < start_losses["blend"]["content"] < start_losses["noise"]["content"]
print("content cost at the start: content < blend < noise")

# %% tags=["nbval-check-output"]
init_runs = {"content": transfer.stylize(content_img, style_img, size=None, iterations=STEPS, weights=W,
                                         seed=0, init="content"),
             "noise": transfer.stylize(content_img, style_img, size=None, iterations=STEPS, weights=W,
                                       seed=0, init="noise"),
             "blend": tf2_lbfgs}
for init, r in init_runs.items():
    assert r.config.init == init and r.history[-1].total < start_losses[init]["total"], init
print("every start: the final loss is below the loss at the start")
show(viz.loss_curves(init_runs, random_weights=RANDOM, title="L-BFGS from three starts"))

# %% tags=["weights-picture", "nbval-check-output"]
show(viz.show_images([images.deprocess(x, W) for x in starts.values()] + [r.best_image for r in init_runs.values()],
                     [f"start: {k}" for k in starts] + [f"result from {k}" for k in init_runs], ncols=3, size=2.4,
                     random_weights=RANDOM))

# %% [markdown]
# ## 5 · The best image is kept
#
# The last image is not always the best one: Adam with a large step overshoots and the loss jumps up and
# down. Both engines therefore remember the image with the lowest total loss: `best_image`, `best_step`,
# `best_loss`. Below, Adam with learning rate 20 — ten times art.py's.

# %%
bouncy = transfer.stylize(content_img, style_img, size=None, iterations=STEPS, weights=W, seed=0,
                          optimizer="adam", init="blend", learning_rate=20.0)
totals = bouncy.series("total")
print("steps:", bouncy.history[-1].step, "| best_loss == min(history):", bouncy.best_loss == totals.min(),
      "| best_step is where the minimum is:", bouncy.best_step == int(np.argmin(totals)))
assert bouncy.best_loss == totals.min() and bouncy.best_step == int(np.argmin(totals))  # history[i] is step i
assert bouncy.best_image.shape == bouncy.image.shape == content_img.shape
for r in (tf1_result, tf2_adam, tf2_lbfgs):
    assert r.best_loss == r.series("total").min()
show(viz.loss_curves({"Adam, lr 2 (art.py)": tf2_adam, "Adam, lr 20": bouncy}, random_weights=RANDOM,
                     title="a larger step overshoots"))

# %% tags=["nbval-ignore-output"]
print("lr 20: best step", bouncy.best_step, "of", bouncy.history[-1].step,
      "| lr 2: best step", tf2_adam.best_step, "of", tf2_adam.history[-1].step)

# %% [markdown]
# ## 6 · Stopping a run keeps what it had
#
# `stylize(callback=...)` calls the callback for the start image (step 0) and after every step with a
# `StepInfo` (step, losses, best step,
# and `info.image()` to fetch the current picture). Returning `False` stops the run **and returns the
# result** — history so far, best image, `interrupted=True`. Pressing Ctrl-C in a terminal, or the kernel's
# *interrupt* button in Jupyter, raises `KeyboardInterrupt` inside the loop; `stylize` (and `run_art`, the
# same way) catches it and returns normally, so `result = stylize(...)` still gets its value. We simulate
# both with callbacks.

# %% tags=["nbval-check-output"]
K = 3
seen = []


def stop_at_k(info):
    seen.append((info.step, info.iterations, info.best_step))
    return info.step < K           # False at step K: stop


stopped = transfer.stylize(content_img, style_img, size=None, iterations=50, weights=W, seed=0, callback=stop_at_k)
print("interrupted:", stopped.interrupted, "| steps kept:", [r.step for r in stopped.history],
      "| best step:", stopped.best_step)
assert stopped.interrupted and [r.step for r in stopped.history] == [s for s, _, _ in seen] == list(range(K + 1))
assert stopped.best_image.shape == content_img.shape and stopped.best_loss == stopped.series("total").min()


def ctrl_c_at_k(info):
    if info.step == K:
        raise KeyboardInterrupt     # what Ctrl-C / the interrupt button does, mid-run


ctrl_c = transfer.stylize(content_img, style_img, size=None, iterations=50, weights=W, seed=0, callback=ctrl_c_at_k)
print(f"KeyboardInterrupt at step {K} -> interrupted={ctrl_c.interrupted}, last step kept={ctrl_c.history[-1].step}")
assert ctrl_c.interrupted and ctrl_c.history[-1].step == K and ctrl_c.best_image.shape == content_img.shape


# %% [markdown]
# ## 7 · Eager versus `tf.function`
#
# The TF2 engine compiles its step with `tf.function`: the Python code runs once to trace a graph, and every
# later call runs that graph, pruned and optimized (as a TF1 Session would), without Python in the loop.
# Here is the same function — loss and gradient with respect to the image, what one L-BFGS evaluation
# needs — called eagerly and compiled. First: same numbers, traced once.

# %% tags=["nbval-check-output"]
def loss_and_grad(x):
    with tf.GradientTape() as tape:
        tape.watch(x)
        total = objective(x)["total"]
    return total, tape.gradient(total, x)


compiled = tf.function(loss_and_grad)
x_t = tf.constant(x0)
loss_e, grad_e = loss_and_grad(x_t)
loss_c, grad_c = compiled(x_t)
compiled(x_t)
print("same loss:", bool(np.isclose(loss_e, loss_c, rtol=1e-5)), "| same gradient:",
      bool(np.allclose(grad_e, grad_c, rtol=1e-3, atol=1e-3 * float(tf.reduce_max(tf.abs(grad_e))))),
      "| traces:", compiled.experimental_get_tracing_count())
assert np.isclose(loss_e, loss_c, rtol=1e-5) and compiled.experimental_get_tracing_count() == 1


# %% tags=["nbval-ignore-output"]
REPEATS = notebook.pick(5, 10)


def median_seconds(fn, repeats=REPEATS):
    for _ in range(2):                      # warm-up (tracing, allocations)
        fn(x_t)[1].numpy()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn(x_t)[1].numpy()                  # .numpy() waits for the result
        times.append(time.perf_counter() - t0)
    return float(np.median(times))


eager_s, compiled_s = median_seconds(loss_and_grad), median_seconds(compiled)
print(f"{content_img.shape[1]}×{content_img.shape[0]} px: eager {eager_s * 1e3:.1f} ms, "
      f"tf.function {compiled_s * 1e3:.1f} ms per call -> eager / tf.function = {eager_s / compiled_s:.1f}×")

# %% [markdown]
# The gain is largest for small images, where the time per op is dominated by Python and dispatch overhead;
# for large images the convolutions dominate and the ratio shrinks towards 1. (On a GPU the convolutions are
# fast again, so the per-op Python overhead of eager mode counts again and the ratio grows.)
#
# ## 8 · Try it yourself: the style explorer
#
# `StyleExplorer` puts the knobs of this notebook into one panel: content and style images (samples or your
# own uploads), size, content / style / TV weights, steps, layers, optimizer and start. **Run** starts the
# optimization in a background thread — the preview and the loss plot refresh every few steps — **Stop**
# ends it and keeps the best image, **Save** writes that image to the path shown (it refuses to overwrite an
# existing file unless you tick *overwrite*). With random weights the panel says so in red.
#
# It is not started automatically here; press **Run**. (Everything it does is also a method —
# `explorer.run(blocking=True)`, `explorer.save()` — and the settings, the worker thread and saving live in
# `explorer.controller`, a plain object without widgets, which is how its tests drive it.)

# %%
from stylelib.widgets import StyleExplorer

explorer = StyleExplorer("chelsea", "brick", weights=W, size=notebook.pick(64, 128), steps=notebook.pick(10, 50))
explorer

# %% [markdown]
# ## Exercises
#
# 1. **Total variation.** Run L-BFGS from the content image with `tv_weight=100` and compare its final `tv`
#    cost with the run from section 4 (`init_runs['content']`, `tv_weight=0`).
# 2. **A filmstrip callback.** Write a callback that keeps `info.image()` every 2 steps (and never stops the
#    run). Check how many pictures you got and their shape.
# 3. **Adam does not care about the scale of the loss.** Multiply both the content and the style weight by 10
#    (50 and 1000) and rerun section 2's Adam run. Show that the total loss is 10× larger at every step — the
#    raw content and style costs are the same numbers — and that the image is practically the same. (Adam divides the gradient by a running estimate of its size; only the *ratio*
#    of the weights matters to it.)
#
# ## Solutions

# %%
# Exercise 1
smooth = transfer.stylize(content_img, style_img, size=None, iterations=STEPS, weights=W, seed=0,
                          init="content", tv_weight=100.0)
rough = init_runs["content"]
print(f"final TV cost: {smooth.history[-1].tv:.4g} with tv_weight=100, {rough.history[-1].tv:.4g} without "
      f"(ratio {smooth.history[-1].tv / rough.history[-1].tv:.2f})")
assert smooth.history[-1].tv < rough.history[-1].tv and smooth.config.tv_weight == 100.0

# %%
# Exercise 2
film = []


def filmstrip(info):
    if info.step > 0 and info.step % 2 == 0:   # step 0 is the start image
        film.append(info.image())     # copied from the device only on these steps
    # returning None (not False) never stops the run


strip_run = transfer.stylize(content_img, style_img, size=None, iterations=STEPS, weights=W, seed=0,
                             optimizer="adam", init="blend", callback=filmstrip)
print("frames:", len(film), "| shape:", film[0].shape, film[0].dtype, "| interrupted:", strip_run.interrupted)
assert len(film) == STEPS // 2 and film[0].shape == content_img.shape and not strip_run.interrupted

# %% tags=["nbval-check-output"]
# Exercise 3
scaled = transfer.stylize(content_img, style_img, size=None, iterations=STEPS, weights=W, seed=0,
                          optimizer="adam", init="blend", content_weight=50.0, style_weight=1000.0)
ratio = scaled.series("total") / tf2_adam.series("total")
pixel_diff = np.abs(scaled.image.astype(int) - tf2_adam.image.astype(int))
print("loss ratio ≈ 10 at every step:", bool(np.allclose(ratio, 10.0, rtol=1e-2)),
      "| mean pixel difference < 1 grey level:", pixel_diff.mean() < 1.0)
assert np.allclose(ratio, 10.0, rtol=1e-2) and pixel_diff.mean() < 1.0
