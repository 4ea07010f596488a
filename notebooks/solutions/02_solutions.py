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
# # 02 — Solutions: building the graph
#
# Worked solutions to the exercises of `02_building_the_graph.ipynb`; each one checks itself with `assert`s.
# Try the exercises first. This notebook stands alone (its own setup cell) and runs in well under a minute.
# This notebook is paired with `02_solutions.py` (jupytext): edit either one — `notebooks/README.md` says how.

# %%
from stylelib import notebook  # first: it quiets TensorFlow's C++ log lines before TensorFlow loads

import numpy as np
import tensorflow as tf

from stylelib import extractor, images, samples, vgg19
from stylelib import graph as sgraph

tf1 = tf.compat.v1
cfg = notebook.setup(seed=0)
weights = cfg.weights

HEIGHT, WIDTH = notebook.pick((32, 48), (150, 200))   # even sizes: every 2×2 pooling window is full
x = images.preprocess(images.resize_to(samples.load_sample("chelsea"), HEIGHT, WIDTH), weights)
print("image (H, W):", (HEIGHT, WIDTH))

# %% [markdown]
# ## Exercise 1 — the first block by hand, with max pooling
#
# The builder of the notebook, plus a `maxpool`; the dictionary holds `input`, `conv1_1`, `conv1_2`, `maxpool1`.
# We run it and the library's max-pooling graph up to `maxpool1`, and the library's average-pooling graph for
# comparison.
#
# The max-pooling graph is `del`ed once compared: each TF1 graph keeps its own copy of the 80 MB of weights, and a
# kernel that has run this notebook should hold at most 1 GB so that several notebooks fit on an 8 GB laptop; to
# get it back, re-run the cell (its lines without the `del`, to keep it).

# %% tags=["nbval-check-output"]
def conv2d_relu(prev, index, name):
    assert vgg19.MATCONVNET_INDEX[name] == index
    with tf1.name_scope(name):
        kernel = tf.constant(weights.kernels[name], name="kernel")
        bias = tf.constant(weights.biases[name], name="bias")
        return tf.nn.relu(tf.nn.conv2d(prev, kernel, strides=[1, 1, 1, 1], padding="SAME") + bias, name="relu")


def maxpool(prev, name):
    return tf.nn.max_pool2d(prev, ksize=2, strides=2, padding="SAME", name=name)


def first_block(height, width):
    net = {"input": tf1.Variable(np.zeros((1, height, width, 3), np.float32), name="input")}
    net["conv1_1"] = conv2d_relu(net["input"], 0, "conv1_1")
    net["conv1_2"] = conv2d_relu(net["conv1_1"], 2, "conv1_2")
    net["maxpool1"] = maxpool(net["conv1_2"], "maxpool1")
    return net


def run(net, keys, image):
    with tf1.Session(graph=net["input"].graph) as sess:
        sess.run(net["input"].initializer)
        sess.run(net["input"].assign(image))
        return sess.run({k: net[k] for k in keys})


g = tf.Graph()
with g.as_default():
    mine = first_block(HEIGHT, WIDTH)
lib_max = sgraph.build_graph(weights, HEIGHT, WIDTH, pooling="max")   # called outside any graph, build_graph
#                                                                     makes its own fresh tf.Graph
lib_avg = sgraph.build_graph(weights, HEIGHT, WIDTH, pooling="avg")

keys = ["conv1_1", "conv1_2", "maxpool1"]
by_hand = run(mine, keys, x)
by_lib = run(lib_max, keys, x)
avg = run(lib_avg, ["conv1_1", "conv1_2", "avgpool1"], x)
print("keys:", list(mine), "| the same keys start build_graph(pooling='max'):", list(lib_max)[:4] == list(mine))
assert list(lib_max)[:4] == list(mine) == ["input", "conv1_1", "conv1_2", "maxpool1"]
del lib_max   # compared: its 80 MB of weight constants can go (lib_avg is used again in exercise 3)

# %% tags=["nbval-check-output"]
print("hand-built == build_graph(pooling='max'):", all(np.array_equal(by_hand[k], by_lib[k]) for k in keys))
print("conv1_1, conv1_2 identical to the avg graph:",
      np.array_equal(by_hand["conv1_1"], avg["conv1_1"]) and np.array_equal(by_hand["conv1_2"], avg["conv1_2"]))
never_smaller = bool(np.all(by_hand["maxpool1"] >= avg["avgpool1"] * (1 - 1e-6)))   # allowing for round-off
print("maxpool1 >= avgpool1 everywhere:", never_smaller,
      "| equal everywhere:", bool(np.array_equal(by_hand["maxpool1"], avg["avgpool1"])))
assert all(np.array_equal(by_hand[k], by_lib[k]) for k in keys)
assert np.array_equal(by_hand["conv1_2"], avg["conv1_2"])
assert never_smaller and not np.array_equal(by_hand["maxpool1"], avg["avgpool1"])

# %% [markdown]
# Before the first pool both graphs run the same ops on the same image, so they agree exactly. A max of four
# numbers is never smaller than their mean (equal only when all four are equal), so `maxpool1 ≥ avgpool1`, and from
# there on the two networks see different inputs.
#
# ## Exercise 2 — a second variable
#
# The block again, with `conv1_1`'s kernel a `tf1.Variable` (its initial value: the kernel's numbers). Now the graph
# has two trainable variables, and `minimize` — which by default updates **every** trainable variable the cost
# depends on — would change the network's weights as well as the image: that is training the network, not style
# transfer. `var_list=[image]` restricts the update to the image; `art.py` needs no `var_list` only because its
# weights are constants.

# %% tags=["nbval-check-output"]
g2 = tf.Graph()
with g2.as_default():
    image_var = tf1.Variable(x, name="input")
    kernel_var = tf1.Variable(weights.kernels["conv1_1"], name="conv1_1_kernel")     # the one change
    conv1_1 = tf.nn.relu(tf.nn.conv2d(image_var, kernel_var, 1, "SAME") + weights.biases["conv1_1"])
    conv1_2 = conv2d_relu(conv1_1, 2, "conv1_2")
    cost = tf.reduce_mean(conv1_2)
    trainable = tf1.trainable_variables()
    pairs = tf1.train.AdamOptimizer(2.0).compute_gradients(cost)
    step_all = tf1.train.AdamOptimizer(2.0).minimize(cost)
    step_image = tf1.train.AdamOptimizer(2.0).minimize(cost, var_list=[image_var])
    init2 = tf1.global_variables_initializer()

with tf1.Session(graph=g2) as sess:
    sess.run(init2)
    sess.run(step_image)
    kernel_after_image_step = sess.run(kernel_var)
    sess.run(step_all)
    kernel_after_full_step = sess.run(kernel_var)
print("trainable variables:", [v.name for v in trainable])
print("minimize() would update:", [v.name for g_, v in pairs if g_ is not None])
print("kernel unchanged by minimize(var_list=[image]):",
      np.array_equal(kernel_after_image_step, weights.kernels["conv1_1"]),
      "| changed by minimize():", not np.array_equal(kernel_after_full_step, weights.kernels["conv1_1"]))
assert [v.name for v in trainable] == ["input:0", "conv1_1_kernel:0"]
assert [v for g_, v in pairs if g_ is not None] == [image_var, kernel_var]
assert np.array_equal(kernel_after_image_step, weights.kernels["conv1_1"])
assert not np.array_equal(kernel_after_full_step, weights.kernels["conv1_1"])

# %% [markdown]
# ## Exercise 3 — the dictionary in TF2
#
# The same four layers, eagerly, from a `tf.Variable`. No graph, no session: each line runs when it is reached.

# %% tags=["nbval-check-output"]
def features_by_hand(v):
    def conv(prev, name):
        return tf.nn.relu(tf.nn.conv2d(prev, weights.kernels[name], 1, "SAME") + weights.biases[name])

    out = {"conv1_1": conv(v, "conv1_1")}
    out["conv1_2"] = conv(out["conv1_1"], "conv1_2")
    out["avgpool1"] = tf.nn.avg_pool2d(out["conv1_2"], 2, 2, "SAME")
    out["conv2_1"] = conv(out["avgpool1"], "conv2_1")
    return out


image = tf.Variable(x)
reference = extractor.FeatureExtractor(weights, ["conv1_1", "conv1_2", "avgpool1", "conv2_1"])
mine_tf2, theirs = features_by_hand(image), reference(image)
close = all(np.allclose(mine_tf2[k], theirs[k], rtol=1e-4, atol=1e-3) for k in theirs)
print("same keys as FeatureExtractor:", sorted(mine_tf2) == sorted(theirs), "| same values:", close)
assert sorted(mine_tf2) == sorted(theirs) and close

# %% tags=["nbval-check-output"]
style = images.preprocess(images.resize_to(samples.load_sample("stained_glass"), HEIGHT, WIDTH), weights)
image.assign(style)                               # a new image, and the function follows
after = features_by_hand(image)
print("after image.assign(style): conv2_1 changed:", not np.allclose(after["conv2_1"], mine_tf2["conv2_1"]),
      "| still equals FeatureExtractor:", bool(np.allclose(after["conv2_1"], reference(image)["conv2_1"],
                                                            rtol=1e-4, atol=1e-3)))
assert not np.allclose(after["conv2_1"], mine_tf2["conv2_1"])
assert np.allclose(after["conv2_1"], reference(image)["conv2_1"], rtol=1e-4, atol=1e-3)
assert np.allclose(after["conv1_1"], run(lib_avg, ["conv1_1"], style)["conv1_1"], rtol=1e-4, atol=1e-3)
