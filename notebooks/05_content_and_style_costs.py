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
# # 05 · The content cost and the style cost
#
# **The idea:** style transfer asks one image to match a photo *position by position* in one deep layer (the
# content cost) and a painting *only in which features occur together* — Gram matrices, which forget where —
# in several layers (the style cost).
#
# **Before this:** notebook 03 (snapshots `sess.run(t)` versus live tensors `t`) and notebook 04 (running a
# network up to a layer). **Time:** about 45 minutes, exercises included.
#
# **What you will do**
#
# - read the paper's five equations (content cost, Gram matrix, $E_l$, $L_{style}$, the total) and match each
#   with a line of code;
# - write `art.py`'s costs yourself in a TF1 graph — snapshots, Gram matrices, the factor $1/(4N^2M^2)$, the
#   layer weights — then in TF2, and check both against `stylelib.losses`;
# - measure how much each style layer contributes ($w_l E_l$), instead of assuming it;
# - see what the normalization ($\tfrac12\Sigma$ or $\Sigma/(4NM)$) and the scale of the loss change, and what
#   they do not;
# - shuffle the tiles of a photo and watch the Gram matrix stay put while the picture does not;
# - rebuild images from noise with only the style cost, or only the content cost (Figure 1 of the CVPR 2016
#   paper).
#
# *To run it: in a terminal, in the repository's root folder, type `make lab` (the first time, it creates
# `.venv` and installs what is needed: Python ≥ 3.10 and access to PyPI), then **Run ▸ Run All Cells**.
# `stylelib weights` says whether this machine has the trained VGG-19 weights; without them, start with
# `STYLELIB_WEIGHTS=random make lab` — the setup cell then prints a banner and every picture that depends on
# the learned weights carries a red "RANDOM WEIGHTS" label. The outputs saved below were made with random
# weights. This notebook is paired with `05_content_and_style_costs.py` (jupytext): edit either one —
# `notebooks/README.md` says how.*

# %%
from stylelib import notebook  # first: it quiets TensorFlow's C++ log lines before TensorFlow loads

import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf

from stylelib import graph, images, losses, recipe, run, samples, transfer, viz
from stylelib.extractor import FeatureExtractor

tf1 = tf.compat.v1
cfg = notebook.setup(seed=0)
W = cfg.weights
RANDOM = cfg.random_weights

COST_SIZE = notebook.pick(48, 128)   # the cost computations (no optimization)
GRAM_SIZE = notebook.pick(64, 256)   # the shuffled-tiles experiment
SIZE = notebook.pick(32, 128)        # the reconstructions from noise
STEPS = notebook.pick(5, 40)         # L-BFGS steps per reconstruction
ART_WEIGHTS = dict(recipe.ART_STYLE_LAYERS)   # art.py's {layer: w_l}
STYLE_LAYERS = list(ART_WEIGHTS)
print("sizes:", COST_SIZE, GRAM_SIZE, SIZE, "| L-BFGS steps:", STEPS)

# %% [markdown]
# ## 1 · The paper's equations
#
# Gatys, Ecker & Bethge, *A Neural Algorithm of Artistic Style* (arXiv:1508.06576, 2015; equations in its
# *Methods* section) — the paper `art.py` follows; the equation numbers below are that paper's. Their CVPR 2016
# paper, *Image Style Transfer Using Convolutional Neural Networks*, states the same equations in its section 2.
# Layer $l$ has $N_l$ filters, each a map of $M_l$ = height × width positions; $F^l_{ij}$ is filter $i$ at
# position $j$ for the generated image $\vec x$, $P^l$ the same for the photo $\vec p$. (The paper writes $F^l$ as $N_l \times M_l$; TensorFlow's activations flatten to $M_l \times N_l$,
# the transpose: same numbers.)
#
# $$\mathcal{L}_{content}(\vec p, \vec x, l) = \frac12 \sum_{i,j} \left(F^l_{ij} - P^l_{ij}\right)^2 \tag{1}$$
#
# $$G^l_{ij} = \sum_k F^l_{ik} F^l_{jk} \tag{3}$$
#
# $$E_l = \frac{1}{4 N_l^2 M_l^2} \sum_{i,j} \left(G^l_{ij} - A^l_{ij}\right)^2 \tag{4}$$
#
# $$\mathcal{L}_{style}(\vec a, \vec x) = \sum_{l} w_l E_l \tag{5}$$
#
# $$\mathcal{L}_{total}(\vec p, \vec a, \vec x) = \alpha\, \mathcal{L}_{content}(\vec p, \vec x) + \beta\,
# \mathcal{L}_{style}(\vec a, \vec x) \tag{7}$$
#
# ($A^l$ is the Gram matrix of the painting $\vec a$; equations (2) and (6) are the derivatives, which
# TensorFlow computes for us.) The paper takes the content from `conv4_2` and the style from `conv1_1`,
# `conv2_1`, `conv3_1`, `conv4_1`, `conv5_1` with equal $w_l = 1/5$.
#
# [`art.py`](https://github.com/log0/neural-style-painting/blob/master/art.py) changes several things; among
# them:
#
# - its content cost is $\sum (F - P)^2 / (4 N M)$, not $\tfrac12 \sum (F - P)^2$ (its comment says the paper's
#   form was slow to "paint"); §4 shows what that changes;
# - its layer weights are $w_l$ = 0.5, 1, 1.5, 3, 4 for `conv1_1` … `conv5_1`;
# - **the names of the two weights are swapped.** `art.py` defines `BETA = 5` (commented as the emphasis on
#   content) and `ALPHA = 100` (the emphasis on style), and forms `total_loss = BETA * content_loss + ALPHA *
#   style_loss` under the comment "equation 7 of the paper". In equation (7), α weighs the *content* and β the
#   *style*. So `art.py`'s `BETA` is the paper's α, and its `ALPHA` is the paper's β. `stylelib` avoids both
#   names: `content_weight = 5`, `style_weight = 100`;
# - it starts from 60 % uniform noise in ±20 plus 40 % of the photo (`generate_noise_image`, `NOISE_RATIO = 0.6`),
#   not from white noise, and it optimizes with Adam (learning rate 2), where the CVPR 2016 paper uses L-BFGS.

# %% tags=["nbval-check-output"]
assert recipe.ART_CONTENT_WEIGHT == 5.0 and recipe.ART_STYLE_WEIGHT == 100.0   # art.py's BETA and ALPHA
assert ART_WEIGHTS == {"conv1_1": 0.5, "conv2_1": 1.0, "conv3_1": 1.5, "conv4_1": 3.0, "conv5_1": 4.0}
assert list(recipe.ART_CONTENT_LAYERS) == ["conv4_2"]
assert recipe.ART_NOISE_RATIO == 0.6 and recipe.ART_LEARNING_RATE == 2.0   # art.py's start image and Adam's lr
print("content weight (art.py's BETA, the paper's α):", recipe.ART_CONTENT_WEIGHT)
print("style weight   (art.py's ALPHA, the paper's β):", recipe.ART_STYLE_WEIGHT)
print("art.py's style layers and w_l:", ART_WEIGHTS)

# %% [markdown]
# ## 2 · `art.py`'s costs, written out in TF1
#
# The photo is the cat `chelsea`; the painting is `stained_glass`, resized to the photo's size as `art.py`
# requires (one graph, one input shape). Following `art.py`: load the photo into the input variable and take a
# **snapshot** of `conv4_2`; load the painting and take a snapshot of each style layer; build the costs from
# the snapshots (constants) and the **live** layers. Then evaluate them for `art.py`'s start image
# (60 % noise, 40 % photo).
#
# Once the costs are evaluated the cell `del`s the TF1 graph and what was built in it: a TF1 graph keeps its own
# copy of the 80 MB of weights, and a kernel that has run this notebook should hold at most 1 GB so that several
# notebooks fit on an 8 GB laptop; to get the graph back, re-run the cell (its lines without the `del`, to keep it).

# %%
photo = samples.load_sample("chelsea", COST_SIZE)
painting = images.resize_to(samples.load_sample("stained_glass", COST_SIZE), *photo.shape[:2])
photo_pre, painting_pre = images.preprocess(photo, W), images.preprocess(painting, W)
x0 = run.make_init("blend", photo_pre, seed=0, weights=W)     # art.py's start image
H, Wd = photo.shape[:2]


def gram_tf1(F, N, M):
    # art.py's Gram matrix: (1, H, W, N) -> (M, N) -> Fᵀ F, shape (N, N)
    Ft = tf.reshape(F, (M, N))
    return tf.matmul(tf.transpose(Ft), Ft)


g = tf.Graph()
with g.as_default(), tf1.Session(graph=g) as sess:
    model = graph.build_graph(W, H, Wd)
    sess.run(model["input"].initializer)

    sess.run(model["input"].assign(photo_pre))
    p = sess.run(model["conv4_2"])                           # snapshot: a numpy array
    N, M = p.shape[3], p.shape[1] * p.shape[2]
    content_cost = tf.reduce_sum(tf.pow(model["conv4_2"] - p, 2)) / (4 * N * M)

    sess.run(model["input"].assign(painting_pre))
    E = {}
    for layer in STYLE_LAYERS:
        a = sess.run(model[layer])                           # snapshot of the painting's activations
        N, M = a.shape[3], a.shape[1] * a.shape[2]
        A = gram_tf1(tf.constant(a), N, M)                   # target Gram matrix (a constant)
        G = gram_tf1(model[layer], N, M)                     # live Gram matrix of the generated image
        E[layer] = tf.reduce_sum(tf.pow(G - A, 2)) / (4 * N**2 * M**2)
    style_cost = sum(ART_WEIGHTS[layer] * E[layer] for layer in STYLE_LAYERS)
    total_cost = recipe.ART_CONTENT_WEIGHT * content_cost + recipe.ART_STYLE_WEIGHT * style_cost

    sess.run(model["input"].assign(x0))
    tf1_values = sess.run({"content": content_cost, "style": style_cost, "total": total_cost, "E": E})

print("types: p", notebook.type_name(p), "| E['conv1_1']", notebook.type_name(E["conv1_1"]))
print({k: f"{v:.4g}" for k, v in tf1_values.items() if k != "E"})
assert isinstance(p, np.ndarray) and tf1_values["style"] > 0 and tf1_values["content"] > 0
assert isinstance(E["conv1_1"], tf.Tensor) and tf.is_symbolic_tensor(E["conv1_1"])   # a graph node, no value
del g, model, sess, content_cost, style_cost, total_cost, E, A, G   # the TF1 part is done: its graph goes (80 MB)

# %% [markdown]
# The same numbers from `stylelib.losses` (eager TF2, features from `FeatureExtractor`): `content_loss`
# (normalization `'art'`), `style_loss` (equations 3–5 with art.py's weights).

# %% tags=["nbval-check-output"]
extract = FeatureExtractor(W, STYLE_LAYERS + ["conv4_2"])
P, A_acts, X = extract(photo_pre), extract(painting_pre), extract(x0)
lib = {
    "content": float(losses.content_loss(P["conv4_2"], X["conv4_2"], "art")),
    "style": float(losses.style_loss(A_acts, X, ART_WEIGHTS)),
}
lib["total"] = recipe.ART_CONTENT_WEIGHT * lib["content"] + recipe.ART_STYLE_WEIGHT * lib["style"]
for key in lib:
    assert np.isclose(tf1_values[key], lib[key], rtol=1e-3), (key, tf1_values[key], lib[key])
print("TF1 art.py costs == stylelib.losses (content, style, total), within 0.1 %")

# %% [markdown]
# ## 3 · The same style cost in TF2, and what each layer contributes
#
# In TF2 no `Session` is needed: the painting's Gram matrices `A` are computed eagerly, once — that eager
# computation *is* the snapshot. The style cost of an image is a Python function; `tf.function` traces it into
# a graph once (the cell asserts one trace) and reuses the Gram matrices `A` as captured tensors: placeholder
# inputs of that graph bound to the eager values (TensorFlow turns only captured tensors of at most 128
# elements into `Const` nodes, see
# [`capture_container.py`](https://github.com/tensorflow/tensorflow/blob/master/tensorflow/core/function/capture/capture_container.py)).

# %%
A_gram = {layer: losses.gram_matrix(A_acts[layer]) for layer in STYLE_LAYERS}   # computed once


@tf.function
def style_cost_tf2(x):
    feats = extract(x)
    terms = []
    for layer, w in ART_WEIGHTS.items():
        f = feats[layer]
        n, m = f.shape[-1], f.shape[1] * f.shape[2]
        F = tf.reshape(f, (m, n))
        G = tf.matmul(F, F, transpose_a=True)
        terms.append(w * tf.reduce_sum(tf.square(G - A_gram[layer])) / (4.0 * n**2 * m**2))
    return tf.add_n(terms)


tf2_style = float(style_cost_tf2(tf.constant(x0)))
traced = style_cost_tf2.get_concrete_function(tf.TensorSpec(x0.shape, tf.float32)).graph
assert style_cost_tf2.experimental_get_tracing_count() == 1
# each A: a captured tensor that enters the graph as a placeholder input (not a Const holding its values)
assert all(any(ext is a and inside.op.type == "Placeholder" for ext, inside in traced.captures)
           for a in A_gram.values())
print(f"style cost: TF1 {tf1_values['style']:.5g} | TF2 {tf2_style:.5g} | stylelib {lib['style']:.5g}")
assert np.isclose(tf2_style, lib["style"], rtol=1e-4) and np.isclose(tf2_style, tf1_values["style"], rtol=1e-3)

# %% [markdown]
# A comment in `art.py` says that more weight on the higher layers gives "softer" features, and its weights do
# rise with depth: `conv5_1` gets 8 times the weight of `conv1_1`. But a weight multiplies $E_l$, and $E_l$ has a
# different size in every layer. What each layer contributes is $w_l E_l$:
# `losses.style_contributions` returns those terms (their sum is `style_loss`). We measure them at three
# images: the photo itself, `art.py`'s start (noise + photo) and pure noise.

# %%
starts = {"photo": photo_pre, "art.py start": x0, "noise": run.make_init("noise", photo_pre, seed=0, weights=W)}
shares, E_plain = {}, {}
for name, x in starts.items():
    feats = extract(x)
    parts = {k: float(v) for k, v in losses.style_contributions(A_acts, feats, ART_WEIGHTS).items()}
    assert np.isclose(sum(parts.values()), float(losses.style_loss(A_acts, feats, ART_WEIGHTS)), rtol=1e-5)
    shares[name] = {k: v / sum(parts.values()) for k, v in parts.items()}
    E_plain[name] = {k: v / ART_WEIGHTS[k] for k, v in parts.items()}

weight_share = {k: w / sum(ART_WEIGHTS.values()) for k, w in ART_WEIGHTS.items()}
print(f"{'share of the style cost':24}" + "".join(f"{k:>9}" for k in STYLE_LAYERS))
print(f"{'  w_l / Σw (the weights)':24}" + "".join(f"{v:9.1%}" for v in weight_share.values()))
for name, s in shares.items():
    print(f"{'  w_l·E_l at ' + name:24}" + "".join(f"{v:9.1%}" for v in s.values()))
print(f"{'E_l at art.py start':24}" + "".join(f"{v:9.2g}" for v in E_plain["art.py start"].values()))
if RANDOM and not cfg.quick:   # what the text below reads in the committed (random-weights, full-mode) run
    for s in shares.values():
        assert s["conv5_1"] < 0.1 and max(s, key=s.get) == "conv3_1"

# %% tags=["weights-picture", "nbval-check-output"]
fig, ax = plt.subplots(figsize=(7, 3))
xs = np.arange(len(STYLE_LAYERS))
ax.bar(xs - 0.3, list(weight_share.values()), 0.2, label="w_l / Σw", color="grey")
for k, (name, s) in enumerate(shares.items()):
    ax.bar(xs - 0.1 + 0.2 * k, list(s.values()), 0.2, label=f"w_l·E_l share at {name}")
ax.set_xticks(xs, STYLE_LAYERS)
ax.set_ylabel("share of the style cost")
ax.legend(fontsize=8)
viz.mark_random(fig, RANDOM)
notebook.show(fig)

# %% [markdown]
# **What the measurement shows.** The weights rise with depth; the contributions do not follow them. In the
# committed run (*random* weights, 128 px) $E_l$ at `art.py`'s start is about $3\cdot10^6$ for `conv3_1` but
# only about $2\cdot10^5$ for `conv5_1` (the table's last row), so `conv5_1`, with 40 % of the weight, carries
# only 6–8 % of the style cost, while `conv3_1`, with 15 % of the weight, carries the most (34–39 %), at all three
# images. So "art.py's weights favour the deep layers" is true of the weights, not of the cost. With the
# trained VGG-19 the sizes of $E_l$ are different (trained filters respond differently from random ones), so
# the shares can differ: run this cell with the real weights before concluding anything about them. The lesson
# holds either way: to know which layer dominates, measure $w_l E_l$.
#
# ## 4 · Normalization and the scale of the loss
#
# The content cost of `art.py`, $\Sigma/(4NM)$, and the paper's $\tfrac12\Sigma$ differ by exactly the factor
# $2NM$ for one layer — for `conv4_2` of a 600×800 photo ($N = 512$, $M = 75 \cdot 100$) that is 7 680 000. Two
# separate questions:
#
# - **Does the scale of the whole loss matter?** For Adam, hardly: each step is
#   $\text{lr}\cdot\hat m/(\sqrt{\hat v}+\epsilon)$, where $\hat m$ and $\hat v$ are running averages of
#   the gradient and of its square. Multiply the loss by $c$ and $\hat m$, $\sqrt{\hat v}$ both scale by $c$: the
#   step is the same unless the gradient is so small that $\epsilon$ matters. (scipy's L-BFGS-B is not
#   scale-free. Its decrease test, $(f^k - f^{k+1})/\max\{|f^k|, |f^{k+1}|, 1\} \le$ `ftol`, is relative while
#   $|f| > 1$ and absolute below; its gradient test, largest projected gradient component $\le$ `gtol`, is
#   absolute — see
#   [`minimize(method='L-BFGS-B')`](https://docs.scipy.org/doc/scipy/reference/optimize.minimize-lbfgsb.html)
#   and [`fmin_l_bfgs_b`](https://docs.scipy.org/doc/scipy/reference/generated/scipy.optimize.fmin_l_bfgs_b.html).
#   So `stylelib` hands it the loss divided by its value at the start, and turns the gradient test off.)
# - **Does the normalization matter?** Yes: it changes the **balance**. With the same weights 5 and 100, the
#   paper's content cost weighs $2NM$ times more against the style cost.

# %%
n42, m42 = P["conv4_2"].shape[-1], P["conv4_2"].shape[1] * P["conv4_2"].shape[2]
c_art = float(losses.content_loss(P["conv4_2"], X["conv4_2"], "art"))
c_paper = float(losses.content_loss(P["conv4_2"], X["conv4_2"], "paper"))
assert np.isclose(c_paper / c_art, 2 * n42 * m42, rtol=1e-4)
print("content cost ½Σ / (Σ/4NM) == 2NM for conv4_2: checked")
for norm, c in (("art", c_art), ("paper", c_paper)):
    ratio = recipe.ART_CONTENT_WEIGHT * c / (recipe.ART_STYLE_WEIGHT * lib["style"])
    print(f"  {norm:5}: 5·content / 100·style at art.py's start = {ratio:.1e}")

# %% [markdown]
# In the committed run (random weights) `art.py`'s normalization makes the weighted content term about
# $3\cdot10^{-7}$ of the style term at the start — the content barely counts — and the paper's makes it about
# $6\cdot10^{-2}$. Which balance is "right" depends on the weights, the layers and the image size; it is tuned by
# looking at results.
#
# Now Adam (`stylize(optimizer='adam')`, learning rate 2 as in `art.py`) from `art.py`'s start, three times.
# The loop is `stylelib`'s, not `art.py`'s: it clips the pixels to their range after every step and uses Keras'
# Adam ($\epsilon = 10^{-7}$), where `art.py` never clips and uses TF1's `AdamOptimizer` ($\epsilon = 10^{-8}$).
# The runs:
# `art.py`'s costs and weights; both weights × 1000 (the same balance, a 1000× larger loss); and the paper's
# content normalization $\tfrac12\Sigma$ with the same weights 5 and 100 (another balance). We compare the final
# images pixel by pixel with the first.

# %%
ADAM_SIZE, ADAM_STEPS = notebook.pick(32, 64), notebook.pick(5, 30)
variants = {"art.py": {}, "loss × 1000": dict(content_weight=5e3, style_weight=1e5),
            "paper's ½Σ": dict(content_normalization="paper")}
adam = {name: transfer.stylize("chelsea", "stained_glass", size=ADAM_SIZE, iterations=ADAM_STEPS, weights=W,
                               optimizer="adam", init="blend", seed=0, **settings)
        for name, settings in variants.items()}
change = {name: np.abs(r.image.astype(int) - adam["art.py"].image.astype(int)) for name, r in adam.items()}
for name in ["loss × 1000", "paper's ½Σ"]:
    print(f"{name:12} vs art.py: mean pixel change {change[name].mean():5.2f}, largest {change[name].max():3d} "
          "(0–255 scale)")
assert change["loss × 1000"].mean() < 0.25 and change["paper's ½Σ"].mean() > change["loss × 1000"].mean()
if not cfg.quick:
    assert change["paper's ½Σ"].mean() > 10 * max(change["loss × 1000"].mean(), 0.01)


# %% [markdown]
# In the committed run the 1000× larger loss changes the final image by 0.04 pixel values on average, but a few
# pixels by up to 22. Why, we have not investigated; a likely cause is Adam's $\epsilon$: it is a fixed
# $10^{-7}$, so next to $\sqrt{\hat v}$, which grows 1000×, its relative weight changes, most where gradients
# are small. The paper's normalization changes the image by 1.9 on average and up to 104 — about 45 times more.
# Adam follows the balance of the costs, hardly their scale.
#
# ## 5 · The Gram matrix forgets *where*
#
# $G^l_{ij}$ sums over positions $k$, and a sum does not care about the order of its terms. Cut the cat photo
# into tiles and shuffle them: the picture is plainly a different picture, yet most activation vectors are the
# same ones at new places — only near the tile borders do the filters see new neighbours.

# %% tags=["nbval-check-output"]
def shuffle_tiles(img, tile, seed=0):
    # cut (H, W, 3) into tile×tile squares (dropping the remainder) and put them back in a random order
    h, w = (img.shape[0] // tile) * tile, (img.shape[1] // tile) * tile
    t = img[:h, :w].reshape(h // tile, tile, w // tile, tile, 3).swapaxes(1, 2).reshape(-1, tile, tile, 3)
    t = t[np.random.default_rng(seed).permutation(len(t))]
    return t.reshape(h // tile, w // tile, tile, tile, 3).swapaxes(1, 2).reshape(h, w, 3)


cat = samples.load_sample("chelsea", GRAM_SIZE)
TILE = GRAM_SIZE // 4
cat = cat[: (cat.shape[0] // TILE) * TILE, : (cat.shape[1] // TILE) * TILE]
cat_shuffled = shuffle_tiles(cat, TILE)
assert cat_shuffled.shape == cat.shape and np.array_equal(np.sort(cat, axis=None), np.sort(cat_shuffled, axis=None))
notebook.show(viz.show_images([cat, cat_shuffled], ["chelsea", f"its {TILE}×{TILE} tiles, shuffled"], size=3.0))


# %%
def rel(x, y):
    x, y = np.asarray(x, np.float64), np.asarray(y, np.float64)
    return float(np.linalg.norm(x - y) / np.linalg.norm(x))


cat_pre, shuffled_pre = images.preprocess(cat, W), images.preprocess(cat_shuffled, W)
fa, fb = extract(cat_pre), extract(shuffled_pre)
table = {layer: (rel(losses.gram_matrix(fa[layer]), losses.gram_matrix(fb[layer])), rel(fa[layer], fb[layer]))
         for layer in STYLE_LAYERS}
print(f"input pixels: relative change {rel(cat_pre, shuffled_pre):.2f} mean-subtracted (as the network sees them), "
      f"{rel(cat, cat_shuffled):.2f} raw 0–255")
print(f"{'layer':8} {'Gram change':>12} {'activation change':>18}   (‖a − b‖ / ‖a‖)")
for layer, (g_change, a_change) in table.items():
    print(f"{layer:8} {g_change:12.3f} {a_change:18.3f}")
for layer in ["conv1_1", "conv2_1", "conv3_1"]:
    g_change, a_change = table[layer]
    assert g_change < 0.15 and g_change < a_change / 4, (layer, g_change, a_change)
if RANDOM and not cfg.quick:   # the trend the text below reads in the committed (random-weights, full-mode) run
    g_changes, a_changes = zip(*table.values())
    assert all(np.diff(g_changes) > 0) and all(np.diff(a_changes) < 0), table

# %% [markdown]
# In the committed run the Gram matrices of `conv1_1`…`conv3_1` move by 2–4 % while the activations move by
# 66–97 % of their size (the cell asserts less than 15 %, and four times less than the activations): the style
# cost sees almost the same cat, the content cost a different one. (The first line compares the input pixels by
# the same measure: 111 % for the mean-subtracted pixels the network sees, 36 % for the raw 0–255 pixels — the
# same difference, divided by a larger norm.)
# Deeper, in this run, the change in the Gram matrix grows (wider receptive fields straddle more tile borders)
# and the change in the activations shrinks (fewer, coarser positions) — so at `conv5_1` the two are closer;
# read the numbers, not a slogan. (With random weights in full mode the cell asserts both trends; with trained
# weights, run it and look.)
#
# ## 6 · Figure 1, style row: images that match only the Gram matrices
#
# Start from noise and change the pixels until the image's Gram matrices match those of `stained_glass` —
# content weight 0 — first in `conv1_1` alone, then `conv1_1` + `conv2_1`, and so on up to `conv5_1` (L-BFGS,
# the same noise for all five runs): the style row of Figure 1 in both papers. Each layer used gets $w_l = 1$,
# where the papers' style transfers use $w_l = 1/5$: equal weights either way, and a common factor only scales the
# loss, which `stylelib`'s L-BFGS divides by its starting value. `stylize` always takes a content image and a
# style image, with their layers; a weight of 0 removes that term from the loss, so the style runs pass the
# glass itself as a content image (layer `conv1_2`, weight 0) and the content runs below pass a style layer
# with weight 0.

# %%
style_runs = {}
for k in range(1, len(STYLE_LAYERS) + 1):
    layers = STYLE_LAYERS[:k]
    style_runs[layers[0] if k == 1 else f"{layers[0]}…{layers[-1]}"] = transfer.stylize(
        "stained_glass", "stained_glass", size=SIZE, iterations=STEPS, weights=W, seed=0,
        content_weight=0.0, style_weight=1.0, init="noise",
        style_layers={layer: 1.0 for layer in layers}, content_layers=["conv1_2"])

for name, r in style_runs.items():
    s = r.series("style")
    assert r.config.content_weight == 0.0 and s[-1] < s[0], name
    print(f"{name:16} style cost {s[0]:9.3g} -> {s[-1]:9.3g}  ({r.history[-1].step} steps, {r.stop_reason})")

# %% tags=["weights-picture", "nbval-check-output"]
notebook.show(viz.show_images([samples.load_sample("stained_glass", SIZE)] + [r.best_image for r in style_runs.values()],
                              ["style image"] + list(style_runs), ncols=6, size=2.0,
                              random_weights=RANDOM))

# %% [markdown]
# ## 7 · Figure 1, content row: images that match one layer's activations
#
# Start from the same kind of noise and match **only** the activations of one layer of the cat photo (style
# weight 0): `conv1_2`, `conv2_2`, … `conv5_2`, the layers of Figure 1's content row in the CVPR 2016 paper
# (the arXiv paper's Figure 1 uses `conv1_1` … `conv5_1` instead). The paper's point (with trained weights) is
# that low layers pin down the pixels, while `conv4_2` and `conv5_2` keep the arrangement but not the exact
# pixels — which is why the content is taken from a deep layer.

# %%
content_runs = {}
for layer in ["conv1_2", "conv2_2", "conv3_2", "conv4_2", "conv5_2"]:
    content_runs[layer] = transfer.stylize(
        "chelsea", "stained_glass", size=SIZE, iterations=STEPS, weights=W, seed=0,
        content_weight=1.0, style_weight=0.0, init="noise", content_layers=[layer], style_layers=["conv1_1"])

cat_small = samples.load_sample("chelsea", SIZE)
for layer, r in content_runs.items():
    c = r.series("content")
    assert c[-1] < c[0] and np.array_equal(r.series("total"), c), layer
    pixel_error = np.abs(r.best_image.astype(float) - cat_small).mean()
    print(f"{layer}: content cost {c[0]:8.3g} -> {c[-1]:9.2e} ({c[-1] / c[0]:.0e} of the start) after "
          f"{r.history[-1].step:2d} steps; mean pixel error {pixel_error:5.1f}")
first = content_runs["conv1_2"]
print("conv1_2 stopped because:", first.stop_reason.split(": ", 1)[-1])
if RANDOM and not cfg.quick:   # what the text below reads in the committed (random-weights, full-mode) run
    errors = [np.abs(r.best_image.astype(float) - cat_small).mean() for r in content_runs.values()]
    assert all(np.diff(errors) > 0), errors   # the mean pixel error grows with depth
    for r in list(content_runs.values()) + list(style_runs.values()):
        s = r.series("total")
        assert s[-1] < 1e-2 * s[0]   # every run: at least two orders of magnitude
if first.history[-1].step < STEPS:   # L-BFGS stopped early: only because the cost had (almost) vanished
    assert "CONVERGENCE" in first.stop_reason and first.series("content")[-1] < 1e-6 * first.series("content")[0]

# %% tags=["weights-picture", "nbval-check-output"]
notebook.show(viz.show_images([cat_small] + [r.best_image for r in content_runs.values()],
                              ["content image"] + list(content_runs), ncols=6, size=2.0, random_weights=RANDOM))

# %% [markdown]
# **What the two rows show here, with random weights.** The *mechanics* are all there: every run lowers its cost by
# more than two orders of magnitude (the style runs and `conv3_2` by about three, `conv4_2` and `conv5_2` by just
# over two, `conv1_2` and `conv2_2` by far more; the cell asserts at least two), and each picture is what its cost
# asks for. Style row: the five syntheses look alike — the glass's saturated colours in blobs a few pixels wide,
# with dark specks standing for the lead lines' black. Adding deeper layers changes little that the eye can see, and
# there are no cells and no lead lines: random filters carry colour and local contrast, not shapes. (With trained
# weights, the paper's Figure 1 shows larger and larger structures as layers are added.) Content row: the mean pixel
# error grows with depth (asserted). `conv1_2` and `conv2_2` give the cat back (mean pixel errors 0.3 and 1.9 of
# 255), `conv3_2` with some grain (12), `conv4_2` keeps the eyes, the outline and the light and dark areas in
# coloured noise (32), `conv5_2` only a faint trace (44). With trained weights the deep rows look different — the
# paper's `conv4_2` keeps the objects and loses their exact pixels; only a run with the real weights shows that.
#
# **Why `conv1_2` stops early** (23 of 40 steps in the committed run). Its content cost fell to $2\cdot10^{-9}$ of
# its start: the noise has become the photo, to within rounding. `stylelib`'s L-BFGS hands scipy the loss divided
# by its starting value, and scipy's L-BFGS-B stops when a step lowers that by less than `ftol` ≈ 2.2·10⁻⁹
# (below 1 the decrease test of §4 is absolute; "CONVERGENCE: RELATIVE REDUCTION OF F <= FACTR*EPSMCH") — which
# must happen once the whole remaining loss is that small. It is done, not stuck; the cell asserts that an early
# stop comes with a vanished cost.
#
# ## Exercises
#
# 1. **Write the style cost yourself.** From equations (3)–(5) only — no `stylelib.losses` — write a function
#    `my_style_cost(style_acts, gen_acts, weights)` (NumPy or TensorFlow) for activations shaped `(1, H, W, N)`:
#    Gram matrix, $E_l$ with $1/(4N_l^2M_l^2)$, weighted sum. Check it against
#    `losses.style_loss(A_acts, X, ART_WEIGHTS)` and against `losses.style_contributions` layer by layer.
# 2. **Gram matrices of different sizes.** Compute the `conv1_1` Gram matrix of `brick` at 128 px and of its
#    64×64 top-left crop. Show that $G$ differs by about the ratio of positions (4×) while $G/M$ (an average
#    over positions) nearly agrees. Then do the same with the whole brick *resized* to 64×64 instead of cropped:
#    does $G/M$ still agree? Give the number and say why.
# 3. **Balance the layers.** At `art.py`'s start image `x0`, choose layer weights $w_l$ such that every style
#    layer contributes the same $w_l E_l$, with $\sum_l w_l = 10$ like `art.py`'s. Check with
#    `losses.style_contributions`. Compared with `art.py`'s weights, which layers gain weight?
#
# Solutions: `solutions/05_solutions.ipynb`.

# %%
# Exercise 1 — your code here


# %%
# Exercise 2 — your code here


# %%
# Exercise 3 — your code here


# %% [markdown]
# ## Summary
#
# - Content cost (1): squared differences of one layer's activations, **position by position**; `art.py` divides
#   by $4NM$ instead of multiplying by ½.
# - Style cost (3)–(5): Gram matrices $G = F^\top F$ (TF layout, $F$ is $M \times N$; the paper writes $G = FF^\top$
#   with $F$ of shape $N \times M$) sum over positions, so they **forget where**; $E_l$ divides by
#   $4N_l^2M_l^2$; $L_{style} = \sum_l w_l E_l$. Written in TF1 (snapshots as constants) and TF2 (eager
#   tensors, `tf.function`), both equal to `stylelib.losses`.
# - `art.py`'s `BETA` (5) weighs the content and `ALPHA` (100) the style: the reverse of the paper's α and β.
# - Which layer dominates is a measurement, $w_l E_l$ (`losses.style_contributions`), not a reading of $w_l$.
# - The scale of the loss barely matters to Adam; the normalization changes the content/style balance.
# - From noise, the style cost alone gives a texture; the content cost alone gives back the photo from
#   low layers and less and less of its pixels from deep ones.
#
# **Links:** [the blog post](https://amit-agrawal.com/DNN-1-20171125.html) ·
# [`art.py`](https://github.com/log0/neural-style-painting/blob/master/art.py) ·
# [Gatys et al. 2015, arXiv:1508.06576](https://arxiv.org/abs/1508.06576) ·
# [Gatys et al., CVPR 2016](https://openaccess.thecvf.com/content_cvpr_2016/html/Gatys_Image_Style_Transfer_CVPR_2016_paper.html) ·
# [Simonyan & Zisserman, VGG](https://arxiv.org/abs/1409.1556) ·
# [TF: `tf.function`](https://www.tensorflow.org/guide/function) ·
# [TF: migrating TF1 code](https://www.tensorflow.org/guide/migrate) ·
# [scipy's L-BFGS-B](https://docs.scipy.org/doc/scipy/reference/optimize.minimize-lbfgsb.html)
#
# **Next:** `06_style_transfer.ipynb` — the optimization loop that minimizes these costs, in TF1 and TF2.
