"""The TF1 Session engine and the TF2 engine report the same loss for the same start and weights.

    .venv/bin/python benchmarks/tf1_vs_tf2_loss.py

For three sizes: art.py's blend start, losses from ArtSession.loss_values (TF1 graph, numpy snapshots as
constants) and from StyleObjective (TF2, targets as tensors); prints the relative difference of each term.
"""

import os
import warnings

os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
warnings.simplefilter("ignore")

import tensorflow as tf  # noqa: E402  (after the log level is set)

from stylelib import images, samples, vgg19  # noqa: E402
from stylelib.run import make_init  # noqa: E402
from stylelib.session import ArtSession  # noqa: E402
from stylelib.transfer import StyleObjective  # noqa: E402

w = vgg19.load_weights("random")
for size in (64, 128, 256):
    c = samples.load_sample("chelsea", max_size=size)
    s = images.resize_to(samples.load_sample("brick"), *c.shape[:2])
    with ArtSession(c, s, w) as art:
        x0 = make_init("blend", art.content_pre, seed=0, weights=w)
        v1 = art.loss_values(x0)
    v2 = {k: float(v) for k, v in StyleObjective(art.content_pre, art.style_pre, w)(tf.constant(x0)).items()}
    rel = {k: f"{abs(v1[k] - v2[k]) / abs(v1[k]):.2e}" for k in v1}
    print(c.shape[:2], rel, "total", f"{v1['total']:.6e}", f"{v2['total']:.6e}")
