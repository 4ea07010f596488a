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
# # 05 · What the content and style costs keep
#
# Style transfer optimizes one image against two costs. The **content cost** compares the activations of a
# layer position by position; the **style cost** compares *Gram matrices*, which keep which features occur
# together and throw away *where*. This notebook takes both apart.
#
# **What you will learn**
#
# - what an entry `G[i, j]` of a Gram matrix measures, and how to compute one by hand;
# - that the Gram matrix forgets positions — checked exactly for permuted activations, and approximately for
#   an image whose tiles were shuffled;
# - what each style layer captures: images rebuilt from noise so that *only* their Gram matrices match a
#   texture, with more and more layers (`conv1_1`, then `conv1_1 + conv2_1`, … up to `conv5_1`);
# - what each content layer keeps: images rebuilt from noise so that *only* one layer's activations match a
#   photo (`conv1_2` … `conv5_2`) — the two rows of Figure 1 in Gatys et al.;
# - how the layer weights `w_l` and the content/style ratio `α/β` shape a result.
#
# Everything here uses `stylelib`: `losses.gram_matrix`, `extractor.FeatureExtractor` and
# `transfer.stylize`. The pictures are small so that the notebook runs on a laptop CPU.
#
# *To run it: in a terminal, in the repository's root folder, type `make lab` (the first time, it creates
# `.venv` and installs what is needed: Python ≥ 3.10 and access to PyPI), then **Run ▸ Run All Cells**.
# `stylelib weights` says whether this machine has the trained VGG-19 weights; without them, start with
# `STYLELIB_WEIGHTS=random make lab`. The outputs saved below were made with random weights.
# This notebook is paired with `05_content_and_style_costs.py` (jupytext): edit either one — `notebooks/README.md` says how.*

# %% [markdown]
# ## Setup
#
# `from stylelib import notebook` comes first: it quiets TensorFlow's C++ log before TensorFlow is imported.
# `notebook.setup` seeds everything, loads the VGG-19 weights and says which ones. In *quick* mode
# (`STYLELIB_QUICK=1`, what the tests use) images are 32 px and optimizations run 5 steps; otherwise 128 px and
# a few dozen steps.

# %%
from stylelib import notebook

import matplotlib.pyplot as plt
import numpy as np

from stylelib import images, losses, recipe, samples, transfer, viz
from stylelib.extractor import FeatureExtractor

cfg = notebook.setup(seed=0)
W = cfg.weights
RANDOM = cfg.random_weights

GRAM_SIZE = notebook.pick(64, 128)   # the Gram-matrix experiments (cheap: no optimization)
SIZE = notebook.pick(32, 128)        # reconstructions
STEPS = notebook.pick(5, 40)         # L-BFGS steps per reconstruction
GRID_SIZE = notebook.pick(32, 96)    # the weights × ratios grid
GRID_STEPS = notebook.pick(5, 30)
STYLE_LAYERS = ["conv1_1", "conv2_1", "conv3_1", "conv4_1", "conv5_1"]
CONTENT_LAYERS = ["conv1_2", "conv2_2", "conv3_2", "conv4_2", "conv5_2"]


def show(fig):
    # the red random-weights label sits at the very top: leave room for it, show the figure once, free it
    if fig.texts:
        fig.tight_layout(rect=(0, 0, 1, 1 - 0.3 / fig.get_figheight()))
    plt.show()
    plt.close(fig)


print("sizes:", GRAM_SIZE, SIZE, GRID_SIZE, "| steps:", STEPS, GRID_STEPS)

# %% [markdown]
# ## 1 · The Gram matrix, by hand
#
# Take one layer's activations for one image, shape `(1, H, W, N)`: `N` filters, each a map of `M = H·W`
# positions. Flatten them into a matrix `F` of shape `(M, N)` — one row per position, one column per filter.
# The Gram matrix is `G = Fᵀ F`, shape `(N, N)`:
#
# - `G[i, j] = Σ_positions F[p, i] · F[p, j]` — large when filters `i` and `j` are *both* active at the same
#   places. It is a co-occurrence score of two features over the whole picture.
# - `G[i, i]` is the total energy of filter `i`: how much of feature `i` there is, anywhere.
# - Divided by `M` it becomes an average over positions (a non-centred covariance). That is the form to use
#   when you compare images of different sizes.
#
# We compute it for a texture (`brick`) and a photo (`chelsea`).

# %%
texture = samples.load_sample("brick", GRAM_SIZE)
photo = samples.load_sample("chelsea", GRAM_SIZE)
extract = FeatureExtractor(W, STYLE_LAYERS + ["conv4_2"])

acts_tex = extract(images.preprocess(texture, W))
acts_photo = extract(images.preprocess(photo, W))
a = acts_tex["conv1_1"].numpy()
F = a.reshape(-1, a.shape[-1])          # (M, N): positions × filters
G_hand = F.T @ F                         # (N, N)
G = losses.gram_matrix(a).numpy()

print("texture", texture.shape, "-> conv1_1 activations", a.shape)
print("F (positions × filters):", F.shape, "  G:", G.shape, G.dtype)
assert F.shape == (a.shape[1] * a.shape[2], 64) and G.shape == (64, 64)
assert np.allclose(G, G_hand, rtol=1e-4, atol=1e-5 * np.abs(G).max())
assert np.allclose(G, G.T)                                  # symmetric
assert np.allclose(np.diag(G), (F ** 2).sum(axis=0), rtol=1e-4)  # diagonal: energy of each filter
i, j = 3, 7
assert np.isclose(G[i, j], np.sum(F[:, i] * F[:, j]), rtol=1e-4)
print("G == Fᵀ F, symmetric, diagonal = energy per filter: checked")

# %% [markdown]
# Each layer gives one Gram matrix per image; their size is set by the number of filters, never by the image
# size. Below, the Gram matrices of `conv1_1` (64×64) and `conv3_1` (256×256) for the texture and the photo, on a
# log colour scale.

# %%
for layer in ["conv1_1", "conv2_1", "conv3_1", "conv4_1", "conv5_1"]:
    n = acts_tex[layer].shape[-1]
    print(f"{layer}: activations {tuple(acts_tex[layer].shape)} -> Gram {n}×{n}")
    assert losses.gram_matrix(acts_photo[layer]).shape == (n, n)   # photo has another shape, same Gram size

# %% tags=["weights-picture", "nbval-check-output"]
grams = {
    "brick · conv1_1": losses.gram_matrix(acts_tex["conv1_1"]).numpy(),
    "chelsea · conv1_1": losses.gram_matrix(acts_photo["conv1_1"]).numpy(),
    "brick · conv3_1": losses.gram_matrix(acts_tex["conv3_1"]).numpy(),
    "chelsea · conv3_1": losses.gram_matrix(acts_photo["conv3_1"]).numpy(),
}
show(viz.gram_image(grams, size=2.6, random_weights=RANDOM))

# %% [markdown]
# ## 2 · The Gram matrix forgets positions
#
# A sum over positions does not care in which order the positions come. So if we **permute the rows of `F`**
# (move every activation vector to another place), `G` stays the same — exactly, up to the rounding of
# a sum taken in another order. The content cost, which compares position by position, sees a large change.

# %% tags=["nbval-check-output"]
rng = np.random.default_rng(0)
a = acts_tex["conv2_1"].numpy()
F = a.reshape(-1, a.shape[-1])
perm = rng.permutation(F.shape[0])
F_shuffled = F[perm]                                     # same vectors, other positions
a_shuffled = F_shuffled.reshape(a.shape)

G, G_shuffled = losses.gram_matrix(a).numpy(), losses.gram_matrix(a_shuffled).numpy()
gram_change = np.abs(G - G_shuffled).max() / np.abs(G).max()
content_change = float(losses.content_loss(a, a_shuffled)) / float(losses.content_loss(a, np.zeros_like(a)))
print("largest Gram change (relative):", "< 1e-5" if gram_change < 1e-5 else gram_change)
print("style cost, original vs permuted:", round(float(losses.style_layer_loss(a, a_shuffled)), 6))
print("content cost of the permuted activations > 10% of the content cost of all zeros:", content_change > 0.1)
assert gram_change < 1e-5 and content_change > 0.1


# %% [markdown]
# The same holds, approximately, for the **image**: cut it into tiles and shuffle them. Inside a tile nothing
# changed, so most activation vectors are the same ones at new places; only near the tile borders do the
# filters see new neighbour pairs. The deeper the layer, the wider its receptive field, the more positions
# touch a border — so the Gram matrix drifts a little more with depth, while the activations themselves are
# scrambled everywhere.

# %% tags=["nbval-check-output"]
def shuffle_tiles(img, tile, seed=0):
    # cut (H, W, 3) into tile×tile squares (cropping the rest) and put them back in a random order
    h, w = (img.shape[0] // tile) * tile, (img.shape[1] // tile) * tile
    t = img[:h, :w].reshape(h // tile, tile, w // tile, tile, 3).swapaxes(1, 2).reshape(-1, tile, tile, 3)
    t = t[np.random.default_rng(seed).permutation(len(t))]
    return t.reshape(h // tile, w // tile, tile, tile, 3).swapaxes(1, 2).reshape(h, w, 3)


TILE = GRAM_SIZE // 4
crop = texture[: (texture.shape[0] // TILE) * TILE, : (texture.shape[1] // TILE) * TILE]
shuffled = shuffle_tiles(texture, TILE)
assert shuffled.shape == crop.shape and np.allclose(np.sort(shuffled, axis=None), np.sort(crop, axis=None))
show(viz.show_images([crop, shuffled], ["brick", f"its {TILE}×{TILE} tiles, shuffled"], size=2.6))

# %% tags=["nbval-check-output"]
acts_a = extract(images.preprocess(crop, W))
acts_b = extract(images.preprocess(shuffled, W))


def rel(x, y):
    x, y = np.asarray(x, np.float64), np.asarray(y, np.float64)
    return float(np.linalg.norm(x - y) / np.linalg.norm(x))


tile_table = {layer: (rel(losses.gram_matrix(acts_a[layer]), losses.gram_matrix(acts_b[layer])),
                      rel(acts_a[layer], acts_b[layer])) for layer in STYLE_LAYERS}
for layer in ["conv1_1", "conv2_1", "conv3_1"]:
    g, f = tile_table[layer]
    assert g < 0.1 and g < f / 3, (layer, g, f)   # Gram barely moves; activations move a lot
print("conv1_1..conv3_1: the Gram matrix changes by < 10 %, and 3× less than the activations: checked")

# %% tags=["nbval-ignore-output"]
print(f"{'layer':8} {'Gram change':>12} {'activation change':>18}   (relative, ‖a−b‖/‖a‖)")
for layer, (g, f) in tile_table.items():
    print(f"{layer:8} {g:12.3f} {f:18.3f}")

# %% [markdown]
# ## 3 · What each style layer captures
#
# Gatys et al. show what a set of Gram matrices "knows" by **synthesis**: start from white noise and change
# the pixels until the image's Gram matrices match those of the style image — and nothing else (content
# weight 0). Using `conv1_1` alone matches only very local statistics (colours, tiny edges); adding
# `conv2_1`, `conv3_1`, … matches co-occurrences over larger and larger neighbourhoods, so the synthesized
# texture grows larger structures. That is what the trained weights give; the committed notebook was run with
# random weights, so its pictures below carry the red "RANDOM WEIGHTS" label. Even untrained filters
# synthesize a brick-like texture from Gram matrices (random convolutions capture local statistics too); what
# they lack is the trained network's larger, learned structures.
#
# All five runs start from the **same** noise image (`init='noise'`, same seed) and use equal layer weights.

# %% tags=["nbval-check-output"]
style_runs = {}
for k in range(1, len(STYLE_LAYERS) + 1):
    layers = STYLE_LAYERS[:k]
    style_runs[" + ".join(layers) if k < 3 else f"conv1_1 … {layers[-1]}"] = transfer.stylize(
        "brick", "brick", size=SIZE, iterations=STEPS, weights=W, seed=0,
        content_weight=0.0, style_weight=1.0, init="noise",
        style_layers={layer: 1.0 for layer in layers}, content_layers=["conv1_2"])

for name, r in style_runs.items():
    style = r.series("style")
    assert r.config.content_weight == 0.0 and r.config.init == "noise"
    assert style[-1] < style[0], name                          # the style cost went down
    assert r.best_loss == min(r.series("total")) and r.best_image.shape == r.image.shape
print(len(style_runs), "style reconstructions: style cost decreased in each")
print("layers used:", [list(r.config.style_layers) for r in style_runs.values()][-1])

# %% tags=["nbval-ignore-output"]
for name, r in style_runs.items():
    s = r.series("style")
    print(f"{name:26} style cost {s[0]:10.4g} -> {s[-1]:10.4g}  ({r.history[-1].step} steps, {r.history[-1].seconds:.1f} s)")

# %% tags=["weights-picture", "nbval-check-output"]
style_img = samples.load_sample("brick", SIZE)
show(viz.show_images([style_img] + [r.best_image for r in style_runs.values()],
                     ["style image"] + list(style_runs), ncols=6, size=2.0, random_weights=RANDOM))

# %% [markdown]
# ## 4 · What each content layer keeps
#
# The other row of Figure 1: start from noise again and match **one layer's activations** of the photo
# (style weight 0). Low layers (`conv1_2`, `conv2_2`) pin down nearly every pixel, so the reconstruction looks
# like the photo. High layers (`conv4_2`, `conv5_2`) keep *what is where* — the arrangement of objects — but
# many pixel patterns give the same deep activations, so fine detail and exact colours are lost. That is why
# style transfer takes its content from a high layer such as `conv4_2`: it leaves the style cost room to
# repaint the details. (Again, that is what the trained weights give; the committed pictures, under the red
# "RANDOM WEIGHTS" label, were made with random ones.)

# %% tags=["nbval-check-output"]
content_runs = {}
for layer in CONTENT_LAYERS:
    content_runs[layer] = transfer.stylize(
        "chelsea", "brick", size=SIZE, iterations=STEPS, weights=W, seed=0,
        content_weight=1.0, style_weight=0.0, init="noise",
        content_layers=[layer], style_layers=["conv1_1"])

for layer, r in content_runs.items():
    c = r.series("content")
    assert r.config.style_weight == 0.0 and list(r.config.content_layers) == [layer]
    assert c[-1] < c[0], layer                                 # the content cost went down
    assert np.array_equal(r.series("total"), c)                # total = 1 × content + 0 × style
print(len(content_runs), "content reconstructions: content cost decreased in each")

# %% tags=["nbval-ignore-output"]
for layer, r in content_runs.items():
    c = r.series("content")
    print(f"{layer}: content cost {c[0]:10.4g} -> {c[-1]:10.4g}  ({r.history[-1].step} steps)")

# %% tags=["weights-picture", "nbval-check-output"]
photo_small = samples.load_sample("chelsea", SIZE)
show(viz.show_images([photo_small] + [r.best_image for r in content_runs.values()],
                     ["content image"] + list(content_runs), ncols=6, size=2.0, random_weights=RANDOM))

# %% [markdown]
# **Note on L-BFGS.** Every step it accepts lowers the loss (its line search demands a sufficient decrease),
# so the loss histories above never go up — unlike Adam's, as notebook 06 shows.

# %% tags=["nbval-check-output"]
for r in [*style_runs.values(), *content_runs.values()]:
    total = r.series("total")
    assert np.all(np.diff(total) <= 1e-6 * np.abs(total[:-1])), r.config
print("all", len(style_runs) + len(content_runs), "L-BFGS histories are non-increasing")

# %% [markdown]
# ## 5 · Layer weights and the content/style ratio
#
# The full cost is `α · L_content + β · Σ_l w_l E_l`:
#
# - the **layer weights** `w_l` say which scales of the style matter. art.py's `0.5, 1, 1.5, 3, 4` favours the
#   deep layers (large structures); reversing them favours fine grain and colour;
# - the **ratio `α/β`** trades recognisability of the photo against strength of the style. Only the ratio
#   matters for *where* the optimum lies; its useful value depends on the normalizations, the image size and
#   the weights, so it is found by looking at results, not derived.
#
# Below: three ratios × two weightings, all starting from the photo (`init='content'`).

# %% tags=["nbval-check-output"]
WEIGHTINGS = {
    "deep-heavy (art.py)": dict(recipe.ART_STYLE_LAYERS),
    "shallow-heavy (reversed)": dict(zip(STYLE_LAYERS, reversed(list(recipe.ART_STYLE_LAYERS.values())))),
}
CONTENT_WEIGHT = 5.0
STYLE_WEIGHTS = [0.01, 1.0, 100.0]            # α/β = 500, 5, 0.05 (the last is art.py's 5/100)
grid = {}
for wname, layer_weights in WEIGHTINGS.items():
    for beta in STYLE_WEIGHTS:
        grid[wname, beta] = transfer.stylize(
            "chelsea", "brick", size=GRID_SIZE, iterations=GRID_STEPS, weights=W, seed=0,
            content_weight=CONTENT_WEIGHT, style_weight=beta, style_layers=layer_weights, init="content")

print("shallow-heavy weights:", WEIGHTINGS["shallow-heavy (reversed)"])
for wname in WEIGHTINGS:
    low, high = grid[wname, STYLE_WEIGHTS[0]], grid[wname, STYLE_WEIGHTS[-1]]
    # more weight on style: the result ends further from the photo and closer to the style
    assert high.history[-1].content > low.history[-1].content, wname
    assert high.history[-1].style < low.history[-1].style, wname
print("raising β: final content cost up, final style cost down — checked for both weightings")

# %% tags=["weights-picture", "nbval-check-output"]
show(viz.show_images([r.best_image for r in grid.values()],
                     [f"{w.split(' ')[0]}, α/β={CONTENT_WEIGHT / b:g}" for (w, b) in grid],
                     ncols=len(STYLE_WEIGHTS), size=2.4, random_weights=RANDOM))

# %% [markdown]
# **What to look for (with the trained weights).** Left to right the cat dissolves into brick; top row
# (deep-heavy) the bricks come as larger blocks, bottom row (shallow-heavy) as a fine, grainy overlay.
# With `STYLELIB_WEIGHTS=random` — how the committed notebook was run — the grid is drawn under the red
# "RANDOM WEIGHTS" label: untrained filters still give a grey brick-like texture and a visible difference
# between the two weightings, but not what the trained weights give.
#
# ## Exercises
#
# 1. **Size-independent Gram matrices.** Compute the `conv1_1` Gram matrix of `brick` at 128 px and of its
#    64×64 top-left crop (same scale, a quarter of the positions). Show that `G` itself differs by about the
#    factor of positions (≈ 4×), while `G / M` is nearly the same. (That is the reason `StyleObjective`
#    rescales a style image of another size by `M_x / M_a`. Why would a *resized* brick not pass this test?)
# 2. **A style distance.** Using `losses.style_layer_loss` at `conv2_1`, check that the shuffled brick from
#    section 2 is much closer in style to the brick than the `grass` texture is.
# 3. **The two content normalizations.** For `conv3_1` activations of the photo and of the texture (same
#    size), show that `content_loss(..., 'paper') / content_loss(..., 'art') == 2·N·M`.
#
# ## Solutions

# %% tags=["nbval-check-output"]
# Exercise 1
big = samples.load_sample("brick", 128)
conv1 = FeatureExtractor(W, ["conv1_1"])
g = {}
for name, img in {"128×128": big, "64×64 crop": big[:64, :64]}.items():
    act = conv1(images.preprocess(img, W))["conv1_1"]
    g[name] = (losses.gram_matrix(act).numpy(), act.shape[1] * act.shape[2])
(g_big, m_big), (g_crop, m_crop) = g.values()
ratio_raw = float(np.linalg.norm(g_big) / np.linalg.norm(g_crop))
print("positions:", m_big, m_crop, "| raw Gram norm ratio ≈", round(ratio_raw), "| positions ratio:", m_big // m_crop)
assert 3.0 < ratio_raw < 5.0
assert rel(g_big / m_big, g_crop / m_crop) < 0.2         # per-position averages agree
print("G / M agrees between the two sizes within 20 %")

# %% tags=["nbval-check-output"]
# Exercise 2
grass = samples.load_sample("grass", GRAM_SIZE)[: crop.shape[0], : crop.shape[1]]
acts_grass = extract(images.preprocess(grass, W))
d_shuffled = float(losses.style_layer_loss(acts_a["conv2_1"], acts_b["conv2_1"]))
d_grass = float(losses.style_layer_loss(acts_a["conv2_1"], acts_grass["conv2_1"]))
print("style distance to the brick: shuffled brick < grass:", d_shuffled < d_grass)
assert d_shuffled < d_grass

# %%
# Exercise 3
p = acts_photo["conv3_1"]
x = extract(images.preprocess(images.resize_to(texture, photo.shape[0], photo.shape[1]), W))["conv3_1"]
n, m = p.shape[-1], p.shape[1] * p.shape[2]
ratio = float(losses.content_loss(p, x, "paper")) / float(losses.content_loss(p, x, "art"))
print("N =", n, " M =", m, " paper/art =", round(ratio), " 2NM =", 2 * n * m)
assert np.isclose(ratio, 2 * n * m, rtol=1e-4)
