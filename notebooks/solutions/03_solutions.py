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
# # 03 — Solutions: snapshots and live tensors
#
# Worked solutions to the exercises of `03_snapshots_vs_live_tensors.ipynb`; each one checks itself with
# `assert`s. Try the exercises first. This notebook stands alone: its setup cell rebuilds the graph `g`, the
# content snapshot and the snapshot-based content cost of the main notebook.
# This notebook is paired with `03_solutions.py` (jupytext): edit either one — `notebooks/README.md` says how.

# %%
from stylelib import notebook  # first: it quiets TensorFlow's C++ log lines before TensorFlow loads

import numpy as np
import tensorflow as tf

from stylelib import images, losses, samples
from stylelib import graph as sgraph

tf1 = tf.compat.v1
cfg = notebook.setup(seed=0)
weights = cfg.weights

HEIGHT, WIDTH = notebook.pick((32, 48), (150, 200))
content_pre = images.preprocess(images.resize_to(samples.load_sample("chelsea"), HEIGHT, WIDTH), weights)
style_pre = images.preprocess(images.resize_to(samples.load_sample("stained_glass"), HEIGHT, WIDTH), weights)

try:
    sess.close()   # re-running this cell
except NameError:
    pass
g = tf.Graph()
with g.as_default():
    model = sgraph.build_graph(weights, HEIGHT, WIDTH)
    image_in = tf1.placeholder(tf.float32, (1, HEIGHT, WIDTH, 3), name="image_in")
    load_image = model["input"].assign(image_in)
sess = tf1.Session(graph=g)
sess.run(model["input"].initializer)
sess.run(load_image, {image_in: content_pre})
snapshot = sess.run(model["conv4_2"])                          # the content target, as art.py takes it
with g.as_default():
    content_cost = losses.content_loss(snapshot, model["conv4_2"])
print("graph input:", (HEIGHT, WIDTH), "| content snapshot:", snapshot.shape)

# %% [markdown]
# ## Exercise 1 — forget the `sess.run`: a live target
#
# With `model['conv4_2']` on both sides the cost compares the live tensor with *itself*: it is zero for every
# image, and so is its gradient — TensorFlow differentiates through both arguments, and both chain-rule terms
# contain the factor $(x - x) = 0$. Adam then has nothing to follow: its
# step $\text{lr}\cdot \hat m / (\sqrt{\hat v} + \epsilon)$ is exactly zero and the image never moves.

# %% tags=["nbval-check-output"]
with g.as_default():
    live_cost = losses.content_loss(model["conv4_2"], model["conv4_2"])   # the mistake
    grad_snapshot = tf1.gradients(content_cost, model["input"])[0]
    grad_live = tf1.gradients(live_cost, model["input"])[0]
    adam = tf1.train.AdamOptimizer(2.0)
    step_live = adam.minimize(live_cost, var_list=[model["input"]])
    adam_init = tf1.variables_initializer(adam.variables())

sess.run(load_image, {image_in: style_pre})       # far from the content image
c_snap, c_live, g_snap, g_live = sess.run([content_cost, live_cost, grad_snapshot, grad_live])
print(f"snapshot target: cost > 0: {c_snap > 0}, |gradient| > 0: {np.abs(g_snap).max() > 0}")
print(f"live target:     cost = {c_live}, largest |gradient| = {np.abs(g_live).max()}")
assert c_snap > 0 and np.abs(g_snap).max() > 0
assert c_live == 0.0 and not g_live.any()

# %% tags=["nbval-check-output"]
sess.run(adam_init)
before = sess.run(model["input"])
for _ in range(3):
    sess.run(step_live)
moved = float(np.abs(sess.run(model["input"]) - before).max())
print("three Adam steps on the live-target cost moved the image by at most", moved)
assert moved == 0.0

# %% [markdown]
# ## Exercise 2 — predict, then trace
#
# The content cost needs `conv4_2`, hence every layer before it; a style cost over `conv1_1` and `conv3_1` needs
# the layers up to `conv3_1`. The trace agrees.

# %% tags=["nbval-check-output"]
def layers_executed(fetches):
    return sgraph.ops_of_layers(sgraph.executed_ops(sess, fetches))


keys = sgraph.graph_layer_names()
with g.as_default():
    style_two = losses.style_loss({l: sess.run(model[l]) for l in ("conv1_1", "conv3_1")},
                                  {l: model[l] for l in ("conv1_1", "conv3_1")}, {"conv1_1": 1.0, "conv3_1": 1.0})
predicted = {"content_cost": keys[:keys.index("conv4_2") + 1], "style over conv1_1, conv3_1": keys[:keys.index("conv3_1") + 1]}
traced = {"content_cost": layers_executed(content_cost), "style over conv1_1, conv3_1": layers_executed(style_two)}
for name in predicted:
    print(f"{name}: {len(traced[name])} layers, last {traced[name][-1]}, as predicted: {traced[name] == predicted[name]}")
assert traced == predicted

# %% [markdown]
# ## Exercise 3 — keep the target out of the graph
#
# A placeholder target is fed at run time, so its numbers never enter the `GraphDef`; a new target is a new
# `feed_dict`, not a new graph. (A non-trainable `tf.Variable`, assigned once, works too.)

# %% tags=["nbval-check-output"]
before_bytes = g.as_graph_def().ByteSize()
with g.as_default():
    target_in = tf1.placeholder(tf.float32, snapshot.shape, name="content_target")
    cost_fed = losses.content_loss(target_in, model["conv4_2"])
    trainable = tf1.trainable_variables()
growth = g.as_graph_def().ByteSize() - before_bytes
print("GraphDef grew by less than 2 kB, far less than the snapshot:", growth < 2_000 < snapshot.nbytes)
assert growth < 2_000 < snapshot.nbytes

# %% tags=["nbval-check-output"]
sess.run(load_image, {image_in: content_pre})
print("cost with the content image's snapshot fed:", float(sess.run(cost_fed, {target_in: snapshot})))
print("trainable variables:", [v.name for v in trainable])
assert sess.run(cost_fed, {target_in: snapshot}) == 0.0 and trainable == [model["input"]]

# %%
sess.close()   # done with the TF1 graph: free what the session prepared (notebook 03, section 8)
