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
# # 05 · Solutions: the content cost and the style cost
#
# Worked solutions to the exercises of `05_content_and_style_costs.ipynb`; try them there first. This notebook
# stands alone (its own setup cell) and checks every answer with an `assert`. About 10 minutes to read.
#
# *Run it like the course notebooks (`make lab`, then **Run ▸ Run All Cells**); without the trained VGG-19
# weights start JupyterLab with `STYLELIB_WEIGHTS=random make lab` — the outputs saved below were made that
# way. This notebook is paired with `05_solutions.py` (jupytext): edit either one — `notebooks/README.md` says
# how.*

# %%
from stylelib import notebook  # first: it quiets TensorFlow's C++ log lines before TensorFlow loads

import numpy as np

from stylelib import images, losses, recipe, run, samples
from stylelib.extractor import FeatureExtractor

cfg = notebook.setup(seed=0)
W = cfg.weights
COST_SIZE = notebook.pick(48, 128)
ART_WEIGHTS = dict(recipe.ART_STYLE_LAYERS)
STYLE_LAYERS = list(ART_WEIGHTS)

# the same images and activations as in notebook 05, section 2
photo = samples.load_sample("chelsea", COST_SIZE)
painting = images.resize_to(samples.load_sample("stained_glass", COST_SIZE), *photo.shape[:2])
photo_pre, painting_pre = images.preprocess(photo, W), images.preprocess(painting, W)
x0 = run.make_init("blend", photo_pre, seed=0, weights=W)   # art.py's start image
extract = FeatureExtractor(W, STYLE_LAYERS)
A_acts, X = extract(painting_pre), extract(x0)

# %% [markdown]
# ## Exercise 1 · The style cost from the formula
#
# Equation (3): flatten a layer's activations `(1, H, W, N)` to $F$ with one row per position, shape $(M, N)$;
# then $G = F^\top F$. Equation (4): $E_l = \sum (G - A)^2 / (4 N^2 M^2)$. Equation (5): $\sum_l w_l E_l$. In NumPy,
# in float64, so the check against `stylelib`'s float32 TensorFlow code is independent:

# %% tags=["nbval-check-output"]
def my_gram(acts):
    F = np.asarray(acts, np.float64).reshape(-1, acts.shape[-1])   # (M, N): positions × filters
    return F.T @ F                                                 # (N, N)


def my_E(style_acts, gen_acts):
    N = gen_acts.shape[-1]
    M = gen_acts.shape[1] * gen_acts.shape[2]
    return float(np.sum((my_gram(gen_acts) - my_gram(style_acts)) ** 2) / (4.0 * N**2 * M**2))


def my_style_cost(style_acts, gen_acts, weights):
    return sum(w * my_E(style_acts[layer], gen_acts[layer]) for layer, w in weights.items())


mine = my_style_cost(A_acts, X, ART_WEIGHTS)
theirs = float(losses.style_loss(A_acts, X, ART_WEIGHTS))
assert np.isclose(mine, theirs, rtol=1e-4), (mine, theirs)
for layer, term in losses.style_contributions(A_acts, X, ART_WEIGHTS).items():
    assert np.isclose(ART_WEIGHTS[layer] * my_E(A_acts[layer], X[layer]), float(term), rtol=1e-4), layer
print("my_style_cost == losses.style_loss, and each w_l·E_l == losses.style_contributions: checked")

# %% tags=["nbval-check-output"]
for layer in STYLE_LAYERS:
    n = X[layer].shape[-1]
    assert my_gram(X[layer]).shape == (n, n)
print("Gram matrices:", ", ".join(f"{layer} {X[layer].shape[-1]}×{X[layer].shape[-1]}" for layer in STYLE_LAYERS))

# %% [markdown]
# ## Exercise 2 · Gram matrices of a crop and of a resized image
#
# $G$ is a *sum* over positions, so a crop with a quarter of the positions has a Gram matrix about 4 times
# smaller; $G/M$, the *average* over positions, agrees — as long as the texture is seen at the same scale.

# %% tags=["nbval-check-output"]
def rel(x, y):
    x, y = np.asarray(x, np.float64), np.asarray(y, np.float64)
    return float(np.linalg.norm(x - y) / np.linalg.norm(x))


brick = samples.load_sample("brick", 128)
conv1 = FeatureExtractor(W, ["conv1_1"])
versions = {"128×128": brick, "64×64 crop": brick[:64, :64], "64×64 resized": images.resize_to(brick, 64, 64)}
gram, avg = {}, {}
for name, img in versions.items():
    act = conv1(images.preprocess(img, W))["conv1_1"]
    gram[name] = losses.gram_matrix(act).numpy()
    avg[name] = gram[name] / (act.shape[1] * act.shape[2])          # G / M

raw_ratio = float(np.linalg.norm(gram["128×128"]) / np.linalg.norm(gram["64×64 crop"]))
crop_diff, resized_diff = rel(avg["128×128"], avg["64×64 crop"]), rel(avg["128×128"], avg["64×64 resized"])
assert 3.0 < raw_ratio < 5.0 and crop_diff < 0.2 and resized_diff > 2 * crop_diff
print("‖G‖ ratio ≈ 4 (the ratio of positions); G/M of the crop agrees better than G/M of the resized brick: checked")

# %%
print(f"‖G(128)‖ / ‖G(crop)‖ = {raw_ratio:.2f}")
print(f"G/M, 128 px vs crop:    relative difference {crop_diff:.3f}")
print(f"G/M, 128 px vs resized: relative difference {resized_diff:.3f}  ({resized_diff / crop_diff:.1f}× the crop's)")

# %% [markdown]
# **Why the resized brick differs.** Resizing to half the size halves the scale of the texture: every brick,
# every mortar line and every grain of the stone is half as wide, while the `conv1_1` filters still look at 3×3
# pixels. The average co-occurrences $G/M$ change: in the committed run by 36 %, against 10 % for the crop. That
# is consistent with the change of scale (per position the filters see another mix of edges and flat stone),
# but this experiment does not isolate it: resizing also smooths the image (interpolation). A crop keeps the scale and only drops positions, and its averages stay close.
# This is why `StyleObjective` may rescale a style image's Gram matrices by $M_x/M_a$ when the sizes differ —
# that fixes the count of positions — but cannot fix a change of scale: the
# style image's size itself changes which "style" is matched.
#
# ## Exercise 3 · Weights that make every layer contribute the same
#
# Each layer contributes $w_l E_l$. For equal contributions take $w_l \propto 1/E_l$, scaled so that
# $\sum_l w_l = 10$ (the sum of `art.py`'s weights):

# %% tags=["nbval-check-output"]
E0 = {layer: float(losses.style_layer_loss(A_acts[layer], X[layer])) for layer in STYLE_LAYERS}
inverse = {layer: 1.0 / e for layer, e in E0.items()}
balanced = {layer: 10.0 * v / sum(inverse.values()) for layer, v in inverse.items()}
parts = [float(v) for v in losses.style_contributions(A_acts, X, balanced).values()]
assert np.isclose(sum(balanced.values()), 10.0) and np.allclose(parts, parts[0], rtol=1e-4)
gains = [layer for layer in STYLE_LAYERS if balanced[layer] > ART_WEIGHTS[layer]]
assert gains and len(gains) < len(STYLE_LAYERS)   # weights summing to 10 both: some layers gain, some lose
print("with w_l ∝ 1/E_l every layer contributes the same w_l·E_l: checked")

# %% tags=["nbval-check-output"]
print(f"Σ w_l: art.py {sum(ART_WEIGHTS.values()):.1f}, balanced {sum(balanced.values()):.1f}")

# %%
print(f"{'layer':8} {'E_l':>10} {'art.py w_l':>11} {'balanced w_l':>13}")
for layer in STYLE_LAYERS:
    print(f"{layer:8} {E0[layer]:10.3g} {ART_WEIGHTS[layer]:11.2f} {balanced[layer]:13.2f}")
print("layers that gain weight:", ", ".join(gains))

# %% [markdown]
# The balanced weights are large where $E_l$ is small. In the committed run (random weights) the layers that gain
# are those printed above; with the trained VGG-19 the $E_l$ are different, so the answer can be too — which is
# the point of measuring $w_l E_l$ instead of reading $w_l$. Note also that $E_l$ changes as the image changes
# during the optimization: weights balanced at the start are not balanced at the end.
#
# Back to `05_content_and_style_costs.ipynb`; **next:** `06_style_transfer.ipynb`.
