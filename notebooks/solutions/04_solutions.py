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
# # Solutions — 04 Running a network only up to a layer
#
# Worked solutions of the three exercises of `04_running_part_of_a_network.ipynb`, each checked by an `assert`. Try
# the exercises first. This notebook stands alone: run it top to bottom (`make lab`, then **Run ▸ Run All Cells**;
# with `STYLELIB_WEIGHTS=random make lab` on a machine without the trained weights — which layers run does not
# depend on them; op names and op counts do: random weights have zero biases, which Grappler drops).
#
# *This notebook is paired with `04_solutions.py` (jupytext): edit either one — `notebooks/README.md` says how.*

# %%
from stylelib import notebook  # first: it quiets TensorFlow's C++ log lines before TensorFlow loads

import numpy as np
import tensorflow as tf

from stylelib import extractor, images, samples, tracing
from stylelib import graph as sgraph

tf1 = tf.compat.v1
cfg = notebook.setup(seed=0)
weights = cfg.weights

HEIGHT, WIDTH = notebook.pick((32, 48), (224, 224))
content_pre = images.preprocess(images.resize_to(samples.load_sample("chelsea"), HEIGHT, WIDTH), weights)
layer_names = sgraph.graph_layer_names("avg")

g = tf.Graph()
with g.as_default():
    model = sgraph.build_graph(weights, HEIGHT, WIDTH)
    image_in = tf1.placeholder(tf.float32, (1, HEIGHT, WIDTH, 3), name="image_in")
    load_image = model["input"].assign(image_in)
if "sess" in globals():
    sess.close()  # noqa: F821 -- re-running this cell
sess = tf1.Session(graph=g)
sess.run(model["input"].initializer)

# %% [markdown]
# ## Exercise 1 — which layers does `sess.run(model['avgpool3'])` execute?
#
# Prediction: `avgpool3`'s ancestors — every layer before it in the chain, and nothing after: `conv1_1`, `conv1_2`,
# `avgpool1`, `conv2_1`, `conv2_2`, `avgpool2`, `conv3_1` … `conv3_4`, `avgpool3` (11 layers).

# %% tags=["nbval-check-output"]
predicted = ["conv1_1", "conv1_2", "avgpool1", "conv2_1", "conv2_2", "avgpool2",
             "conv3_1", "conv3_2", "conv3_3", "conv3_4", "avgpool3"]
layers_avgpool3 = sgraph.ops_of_layers(sgraph.executed_ops(sess, model["avgpool3"]))
print(len(layers_avgpool3), "layers ran:", layers_avgpool3)
assert layers_avgpool3 == predicted == layer_names[: layer_names.index("avgpool3") + 1]

# %% [markdown]
# ## Exercise 2 — `value_up_to`: run the network only to a layer, and prove it
#
# The two steps of "reading" a layer (load the image, run the layer), with the run traced by the four lines of
# notebook 04, section 4. The layers that ran are the graph's layer names with at least one executed node.

# %% tags=["nbval-check-output"]
def value_up_to(sess, model, load_image, image_in, image, layer):
    """Load `image`, run the graph to `layer` with a full trace; return (value, layers that ran)."""
    sess.run(load_image, {image_in: image})                                   # step 1: load the image
    options = tf1.RunOptions(trace_level=tf1.RunOptions.FULL_TRACE)
    metadata = tf1.RunMetadata()
    value = sess.run(model[layer], options=options, run_metadata=metadata)   # step 2: run, traced
    ran = {node.node_name for dev in metadata.step_stats.dev_stats for node in dev.node_stats}
    layers = [key for key in model if key != "input" and any(n == key or n.startswith(key + "/") for n in ran)]
    return value, layers


value, ran_layers = value_up_to(sess, model, load_image, image_in, content_pre, "conv2_1")
print("layers that ran for conv2_1:", ran_layers)
print("conv5_1 ran:", "conv5_1" in ran_layers)
assert ran_layers == ["conv1_1", "conv1_2", "avgpool1", "conv2_1"] and "conv5_1" not in ran_layers

# %% [markdown]
# The value is the layer's activation for the image: the same as an untraced `sess.run`, and as the TF2
# `FeatureExtractor` computes it.

# %% tags=["nbval-check-output"]
plain = sess.run(model["conv2_1"])
tf2 = extractor.FeatureExtractor(weights, ["conv2_1"])(content_pre)["conv2_1"].numpy()
scale = np.abs(plain).max()
print("traced run = plain run:", float(np.abs(value - plain).max()) <= 1e-6 * scale,
      "| = FeatureExtractor:", float(np.abs(value - tf2).max()) <= 1e-4 * scale)
assert float(np.abs(value - plain).max()) <= 1e-6 * scale and float(np.abs(value - tf2).max()) <= 1e-4 * scale

# %% [markdown]
# The same function for a deeper layer runs every layer up to it, and no further:

# %% tags=["nbval-check-output"]
_, ran_conv5_1 = value_up_to(sess, model, load_image, image_in, content_pre, "conv5_1")
print("for conv5_1,", len(ran_conv5_1), "layers ran, the last:", ran_conv5_1[-1])
assert ran_conv5_1 == layer_names[: layer_names.index("conv5_1") + 1]

# %%
sess.close()   # the last TF1 run here: free what the session prepared (notebook 03, section 8)

# %% [markdown]
# ## Exercise 3 — one `tf.function`, two outputs
#
# Prediction: the outputs `conv2_1` and `conv4_2` need everything up to `conv4_2` (the union of their ancestors):
# `conv1_1`, `conv1_2`, `conv2_1`, `conv2_2`, `conv3_1`…`conv3_4`, `conv4_1`, `conv4_2` — 10 of the 16 convolutions.
# The traced graph holds all 16 (Python computed the whole network); the optimized graph keeps 10.

# %% tags=["nbval-check-output"]
fe_to_end = extractor.FeatureExtractor(weights, ["conv2_1", "conv4_2", "avgpool5"])   # all 21 layers


def two_outputs(x):
    feats = fe_to_end(x)
    return feats["conv2_1"], feats["conv4_2"]


pre, post = tracing.optimized_graph(two_outputs, tf.constant(content_pre))
print("convolutions traced:", tracing.count_ops(pre, "Conv2D"), "| after pruning and Grappler:",
      tracing.count_ops(post, "Conv2D"))
assert tracing.count_ops(pre, "Conv2D") == 16 and tracing.count_ops(post, "Conv2D") == 10

# %% [markdown]
# **Back to the notebook:** `04_running_part_of_a_network.ipynb`. **Next:** `05_content_and_style_costs.ipynb`.
