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
# # 06 · Solutions: the optimization
#
# Worked solutions to the exercises of `06_style_transfer.ipynb`; each one ends with `assert`s that check it.
# Try the exercises first. This notebook stands alone (its own setup cell); with random weights (the saved outputs)
# the pictures carry a red label. It is paired with `06_solutions.py` (jupytext).

# %%
from stylelib import notebook

import keras
import numpy as np
import tensorflow as tf

from stylelib import images, losses, recipe, samples, session, transfer, viz
from stylelib.extractor import FeatureExtractor
from stylelib.graph import build_graph
from stylelib.run import make_init

tf1 = tf.compat.v1
cfg = notebook.setup(seed=0)
W, RANDOM = cfg.weights, cfg.random_weights
SIZE = notebook.pick(32, 96)
STEPS = notebook.pick(5, 30)
LR = recipe.ART_LEARNING_RATE
STYLE = recipe.ART_STYLE_LAYERS

content_img = samples.load_input("chelsea", SIZE)
style_img = images.resize_to(samples.load_input("stained_glass"), *content_img.shape[:2])
content_pre, style_pre = images.preprocess(content_img, W), images.preprocess(style_img, W)
x0 = make_init("blend", content_pre, seed=0, weights=W)
print("content", content_img.shape, "| start", x0.shape)

# %% [markdown]
# ## Exercise 1 · art.py's loop in TF2, exactly
#
# What makes the TF2 loop of the notebook differ from art.py: the clip (drop it), and Keras' Adam ε = 1e-7 where TF1's
# `AdamOptimizer` uses 1e-8 (pass `epsilon=1e-8`). Both use the same formula — TF1's
# [`training/adam.py`](https://github.com/tensorflow/tensorflow/blob/master/tensorflow/python/training/adam.py) and
# Keras 3's `optimizers/adam.py` compute $\eta_t = \eta\sqrt{1-\beta_2^t}/(1-\beta_1^t)$ and
# $x \leftarrow x - \eta_t\, m/(\sqrt{v} + \epsilon)$, with ε added to the *uncorrected* √v ("epsilon hat" in both
# docstrings, after Kingma & Ba's remark before their section 2.1) — so the same ε gives the same step. The best image is kept in
# two variables next to the image, updated inside the compiled step — no copy to the host per step. The loss a step
# returns is that of the image *before* its update, as in `run_art`'s history.

# %% tags=["nbval-check-output"]
exact = session.run_art(content_img, style_img, size=None, iterations=STEPS, weights=W, seed=0, exact_art_py=True)

extractor = FeatureExtractor(W, ["conv4_2", *STYLE])
P = extractor(tf.constant(content_pre))["conv4_2"]
A = {l: losses.gram_matrix(a) for l, a in extractor(tf.constant(style_pre)).items() if l in STYLE}


def total_loss(x):
    f = extractor(x)
    return (recipe.ART_CONTENT_WEIGHT * losses.content_loss(P, f["conv4_2"])
            + recipe.ART_STYLE_WEIGHT * losses.style_loss(A, f, STYLE, targets_are_grams=True))


x = tf.Variable(x0)
adam = keras.optimizers.Adam(learning_rate=LR, epsilon=1e-8)    # TF1's epsilon
adam.build([x])
best_loss = tf.Variable(np.inf, dtype=tf.float32)
best_x = tf.Variable(x0)


def keep_if_best(loss):
    if loss < best_loss:                                          # autograph: a tf.cond
        best_loss.assign(loss)
        best_x.assign(x)


@tf.function
def step():
    with tf.GradientTape() as tape:
        loss = total_loss(x)
    grad = tape.gradient(loss, x)
    keep_if_best(loss)                                            # before the update: this loss is x's
    adam.apply_gradients([(grad, x)])                             # no clip: art.py's loop
    return loss


mine = [float(step()) for _ in range(STEPS)]
last = total_loss(x)
keep_if_best(last)
mine = np.array(mine + [float(last)])
rel = np.abs(mine / exact.series("total") - 1).max()
print(f"the same losses as run_art(exact_art_py=True), within 1e-3: {rel < 1e-3}; "
      f"my best image has the lowest loss: {float(best_loss) == mine.min()}")
assert rel < 1e-3 and float(best_loss) == mine.min()
assert np.isclose(float(total_loss(best_x)), mine.min(), rtol=1e-5)

# %% [markdown]
# ## Exercise 2 · The second initializer
#
# (a) `minimize()` made Adam's variables, and nothing has given them a value yet: the first `train_step` fails with
# `FailedPreconditionError`. (One style layer and a small image are enough to see it.)

# %% tags=["nbval-check-output"]
small = images.resize_to(content_img, 16, 16)
g = tf.Graph()
with g.as_default():
    model = build_graph(W, 16, 16)
    sess = tf1.Session(graph=g)
    sess.run(model["input"].assign(images.preprocess(images.resize_to(style_img, 16, 16), W)))
    a = sess.run(model["conv1_1"])                                # a snapshot
    loss = losses.style_layer_loss(a, model["conv1_1"])
    train_step = tf1.train.AdamOptimizer(LR).minimize(loss)
    try:
        sess.run(train_step)
        error = None
    except tf.errors.FailedPreconditionError as e:
        error = e
print("without the second initializer:", type(error).__name__)
assert isinstance(error, tf.errors.FailedPreconditionError)

# %% [markdown]
# (b) With it, the loop runs. Adam's counter `beta1_power` starts at β₁ = 0.9 and is multiplied by 0.9 after every
# update (it corrects the bias of the running means): update t uses β₁ᵗ, so after t updates the variable holds
# β₁^(t+1), the value the next update will use. Running the initializer again in the middle sets the image back to
# zeros and the counter back to 0.9: Adam starts over — which is why art.py loads the start image *after* it.

# %% tags=["nbval-check-output"]
with g.as_default():
    init = tf1.global_variables_initializer()
    start = model["input"].assign(images.preprocess(small, W))
    beta1_power = next(v for v in tf1.global_variables() if v.name == "beta1_power:0")   # made by minimize()
sess.run(init)
sess.run(start)
for _ in range(3):
    sess.run(train_step)
beta1_power_3 = float(sess.run(beta1_power))              # after t = 3 updates: β₁^(t+1)
sess.run(init)
image_after_init, counter_after_init = sess.run([model["input"], beta1_power])
print(f"beta1_power after 3 updates = β₁^(3+1) = 0.9⁴: {np.isclose(beta1_power_3, 0.9 ** 4)}; after the initializer "
      f"again: image all zeros: {not image_after_init.any()}, beta1_power = 0.9: {np.isclose(counter_after_init, 0.9)}")
assert np.isclose(beta1_power_3, 0.9 ** 4) and not image_after_init.any() and np.isclose(counter_after_init, 0.9)
sess.close()

# %% [markdown]
# ## Exercise 3 · A filmstrip callback
#
# The callback receives every step (0 is the start image); `info.image()` copies the picture only when called.
# Returning `False` stops the run; returning anything else (here `True`) lets it go on.

# %% tags=["nbval-check-output"]
film = []


def filmstrip(info):
    if info.step > 0 and info.step % 2 == 0:
        film.append(info.image())
    return info.step < 8                    # False at step 8: stop


strip = transfer.stylize(content_img, style_img, size=None, iterations=50, weights=W, seed=0, optimizer="adam",
                         init="blend", callback=filmstrip)
print(f"pictures kept: {len(film)}, each of the content's shape: {all(f.shape == content_img.shape for f in film)}, "
      f"uint8: {film[0].dtype == np.uint8}; interrupted: {strip.interrupted}, last step: {strip.history[-1].step}")
assert len(film) == 4 and strip.interrupted and strip.history[-1].step == 8

# %% tags=["weights-picture", "nbval-check-output"]
notebook.show(viz.show_images(film, [f"step {2 * (i + 1)}" for i in range(len(film))], size=2.2,
                              random_weights=RANDOM))
