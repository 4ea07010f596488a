"""Matplotlib figures for the notebooks: image grids, feature maps, Gram matrices, loss curves.

Every function returns the ``matplotlib.figure.Figure`` it drew (and does not call ``plt.show()``), so a
notebook cell can show it, save it, or close it. Random-weights results carry a red label on the figure.
"""

from __future__ import annotations

from typing import Iterable, Mapping, Sequence

import numpy as np

from .vgg19 import RANDOM_LABEL  # the one wording of the label, kept with the other random-weights texts

__all__ = ["show_images", "feature_maps", "gram_image", "loss_curves", "RANDOM_LABEL", "mark_random"]


def _plt():
    import matplotlib.pyplot as plt

    return plt


def mark_random(fig, random_weights: bool) -> None:
    """Lay ``fig`` out and, when ``random_weights`` is true, write :data:`RANDOM_LABEL` in a strip kept free
    above the axes (so it never covers a title)."""
    if not random_weights:
        fig.tight_layout()
        return
    strip = 0.3 / fig.get_size_inches()[1]  # 0.3 inch, as a fraction of the figure height
    fig.tight_layout(rect=(0, 0, 1, 1 - strip))
    fig.text(0.5, 1 - strip / 2, RANDOM_LABEL, ha="center", va="center", color="red", fontsize=10, weight="bold")


def _as_display(img) -> np.ndarray:
    a = np.asarray(img)
    if a.ndim == 4:
        a = a[0]
    if a.dtype != np.uint8:
        a = np.clip(a, 0, 255).astype(np.uint8) if a.max() > 1.5 else np.clip(a, 0, 1)
    return a


def show_images(images: Sequence, titles: Sequence[str] | None = None, *, ncols: int | None = None,
                size: float = 3.0, random_weights: bool = False, suptitle: str | None = None):
    """A grid of RGB images (uint8 or float 0–255), one per axis, titles under them."""
    plt = _plt()
    n = len(images)
    ncols = ncols or min(n, 4)
    nrows = (n + ncols - 1) // ncols
    fig, axes = plt.subplots(nrows, ncols, figsize=(size * ncols, size * nrows + 0.4), squeeze=False)
    for i, ax in enumerate(axes.ravel()):
        ax.axis("off")
        if i < n:
            ax.imshow(_as_display(images[i]))
            if titles is not None:
                ax.set_title(titles[i], fontsize=9)
    if suptitle:
        fig.suptitle(suptitle, y=0.97)
    mark_random(fig, random_weights)
    return fig


def feature_maps(activations, n: int = 8, *, title: str = "", size: float = 1.6, random_weights: bool = False,
                 channels: Sequence[int] | None = None):
    """The first ``n`` channels (or ``channels``) of activations ``(1, H, W, C)`` as grey images."""
    plt = _plt()
    a = np.asarray(activations)
    if a.ndim == 4:
        a = a[0]
    chans = list(channels) if channels is not None else list(range(min(n, a.shape[-1])))
    fig, axes = plt.subplots(1, len(chans), figsize=(size * len(chans), size + 0.5), squeeze=False)
    for ax, c in zip(axes[0], chans, strict=True):
        ax.imshow(a[..., c], cmap="viridis")
        ax.set_title(f"ch {c}", fontsize=8)
        ax.axis("off")
    fig.suptitle(f"{title}  {a.shape[0]}×{a.shape[1]}×{a.shape[2]}".strip(), fontsize=10)
    mark_random(fig, random_weights)
    return fig


def gram_image(grams: Mapping[str, np.ndarray], *, size: float = 3.0, log: bool = True, random_weights: bool = False):
    """Gram matrices side by side (``{title: (N, N) array}``), on a log scale by default."""
    plt = _plt()
    fig, axes = plt.subplots(1, len(grams), figsize=(size * len(grams), size + 0.4), squeeze=False)
    for ax, (title, g) in zip(axes[0], grams.items(), strict=True):
        g = np.asarray(g, np.float64)
        ax.imshow(np.log1p(np.abs(g)) if log else g, cmap="magma")
        ax.set_title(f"{title}  {g.shape[0]}×{g.shape[1]}", fontsize=9)
        ax.axis("off")
    mark_random(fig, random_weights)
    return fig


def loss_curves(runs: Mapping[str, object], *, x: str = "step", keys: Sequence[str] = ("total",),
                logy: bool = True, random_weights: bool = False, title: str = ""):
    """Loss against ``x`` (``'step'`` or ``'seconds'``) for several runs: ``{label: StyleResult}``."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(6.5, 3.8))
    for label, result in runs.items():
        xs = result.series(x)
        for key in keys:
            ax.plot(xs, result.series(key), label=f"{label} · {key}" if len(keys) > 1 else label)
    ax.set_xlabel("wall time (s)" if x == "seconds" else x)
    ax.set_ylabel("loss")
    if logy:
        ax.set_yscale("log")
    ax.legend(fontsize=8)
    if title:
        ax.set_title(title)
    mark_random(fig, random_weights)
    return fig


# --------------------------------------------------------------------------- draw_graph (notebook 02)


def _graph_node_op(node):
    """The graph op that produces a dict entry: a variable's own op (``VarHandleOp``/``VariableV2``)
    or a tensor's producing op."""
    handle = getattr(node, "handle", None)  # resource variables
    if handle is not None and getattr(handle, "op", None) is not None:
        return handle.op
    return node.op


def _fmt_shape(shape) -> str:
    dims = getattr(shape, "as_list", lambda: list(shape))() if shape is not None else None
    if dims is None:
        return "?"
    return "×".join("?" if d is None else str(d) for d in dims)


def graph_structure(model: Mapping[str, object]) -> dict:
    """Read the structure of a dict of TF1 graph nodes (as :func:`stylelib.graph.build_graph` returns)
    from the real graph: for every key, the dict nodes it reads from (``edges``), the op types between
    them (``ops``) and the ``Const`` inputs it uses (``consts``: name, shape, bytes).

    Walks each node's op inputs backwards and stops at other dict nodes and at ``Const`` ops;
    ``ReadVariableOp`` is looked through, so the variable itself is found.
    """
    keys = list(model)
    ops = {k: _graph_node_op(model[k]) for k in keys}
    key_of = {op.name: k for k, op in ops.items()}
    graph = next(iter(ops.values())).graph
    order = {op.name: i for i, op in enumerate(graph.get_operations())}
    info = {}
    for k in keys:
        op = ops[k]
        parents, consts, seen, inner = [], [], set(), {op.name: op.type}
        stack = [] if op.type in ("VarHandleOp", "VariableV2", "Variable") else list(op.inputs)
        while stack:
            p = stack.pop().op
            if p.name in seen:
                continue
            seen.add(p.name)
            if p.name in key_of and key_of[p.name] != k:
                if key_of[p.name] not in parents:
                    parents.append(key_of[p.name])
            elif p.type == "Const":
                t = p.outputs[0]
                n = int(np.prod(t.shape.as_list())) if t.shape.is_fully_defined() else 0
                consts.append((p.name, t.shape, n * t.dtype.size))
            else:
                if p.type != "ReadVariableOp":
                    inner[p.name] = p.type
                stack.extend(p.inputs)
        inner_types = [inner[n] for n in sorted(inner, key=lambda n: order.get(n, 0))]
        shape = model[k].shape
        info[k] = {"op": op, "type": op.type, "edges": parents, "ops": inner_types,
                   "consts": sorted(consts, key=lambda c: order.get(c[0], 0)), "shape": shape}
    return info


def draw_graph(model: Mapping[str, object], *, title: str | None = None, show_consts: bool = True,
               box_width: float = 2.2, row_height: float = 1.4):
    """Draw a dict of TF1 graph nodes (``{'input': Variable, 'conv1_1': Tensor, ...}``) as boxes in rows.

    Everything shown is read from the real graph (:func:`graph_structure`): the arrows are the data
    dependencies between dict nodes, each box lists the op types it is made of and its static shape, and
    the ``Const`` tensors each node reads (the weights) are written under it. Variables are drawn in gold
    with a thick red edge; a footer counts the graph's ops by type and the bytes held in constants.
    Rows: the input, then one row per VGG block (from the digit in the key), then anything else.
    """
    import re
    from collections import Counter

    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

    plt = _plt()
    info = graph_structure(model)
    keys = list(model)

    def row_of(k: str) -> int:
        if info[k]["type"] in ("VarHandleOp", "VariableV2", "Variable"):
            return 0
        m = re.search(r"(\d+)", k)
        return int(m.group(1)) if m else 99

    rows: dict[int, list[str]] = {}
    for k in keys:
        rows.setdefault(row_of(k), []).append(k)
    row_ids = sorted(rows)
    pos = {}
    for r_index, r in enumerate(row_ids):
        for c, k in enumerate(rows[r]):
            pos[k] = (c * (box_width + 0.45), -r_index * row_height)
    ncols = max(len(v) for v in rows.values())
    fig_w = ncols * (box_width + 0.45) + 0.4
    fig_h = len(row_ids) * row_height + 1.3
    fig, ax = plt.subplots(figsize=(fig_w, fig_h))
    bw, bh = box_width, 0.62

    for k in keys:
        x, y = pos[k]
        t = info[k]["type"]
        is_var = t in ("VarHandleOp", "VariableV2", "Variable")
        if is_var:
            face, edge, lw = "#ffd54f", "#c62828", 2.5
        elif "Conv2D" in info[k]["ops"]:
            face, edge, lw = "#bbdefb", "#1565c0", 1.0
        elif any(o in ("AvgPool", "MaxPool") for o in info[k]["ops"]):
            face, edge, lw = "#c8e6c9", "#2e7d32", 1.0
        else:
            face, edge, lw = "#eeeeee", "#616161", 1.0
        ax.add_patch(FancyBboxPatch((x - bw / 2, y - bh / 2), bw, bh, boxstyle="round,pad=0.02,rounding_size=0.08",
                                    facecolor=face, edgecolor=edge, linewidth=lw))
        kind = "tf.Variable (trainable)" if is_var else "+".join(info[k]["ops"])
        ax.text(x, y + 0.16, k, ha="center", va="center", fontsize=10, weight="bold")
        ax.text(x, y - 0.02, kind, ha="center", va="center", fontsize=7.5)
        ax.text(x, y - 0.19, _fmt_shape(info[k]["shape"]), ha="center", va="center", fontsize=7.5, color="#333333")
        if show_consts and info[k]["consts"]:
            parts = [_fmt_shape(s) for _, s, _ in info[k]["consts"]]
            ax.text(x, y - bh / 2 - 0.06, "Const " + ", ".join(parts), ha="center", va="top", fontsize=7,
                    color="#6a1b9a")
    for k in keys:
        for p in info[k]["edges"]:
            (x0, y0), (x1, y1) = pos[p], pos[k]
            if abs(y0 - y1) < 1e-9:
                a, b = (x0 + bw / 2, y0), (x1 - bw / 2, y1)
            else:  # down from the source, across between the rows, down into the target
                start = y0 - bh / 2 - (0.25 if show_consts and info[p]["consts"] else 0.0)
                y_mid = y1 + bh / 2 + 0.16
                ax.plot([x0, x0, x1], [start, y_mid, y_mid], color="#424242", linewidth=1.0)
                a, b = (x1, y_mid), (x1, y1 + bh / 2)
            ax.add_patch(FancyArrowPatch(a, b, arrowstyle="-|>", mutation_scale=10, color="#424242", linewidth=1.0,
                                         shrinkA=0, shrinkB=0))

    graph = info[keys[0]]["op"].graph
    counts = Counter(op.type for op in graph.get_operations())
    const_bytes = 0
    for op in graph.get_operations():
        if op.type == "Const" and op.outputs[0].shape.is_fully_defined():
            const_bytes += int(np.prod(op.outputs[0].shape.as_list())) * op.outputs[0].dtype.size
    footer = (f"graph: {len(graph.get_operations())} ops — "
              + ", ".join(f"{n} {t}" for t, n in counts.most_common())
              + f"; constants hold {const_bytes / 1e6:.1f} MB")
    xs = [p[0] for p in pos.values()]
    ys = [p[1] for p in pos.values()]
    ax.set_xlim(min(xs) - bw / 2 - 0.2, max(xs) + bw / 2 + 0.2)
    ax.set_ylim(min(ys) - bh / 2 - 0.55, max(ys) + bh / 2 + 0.15)
    ax.axis("off")
    fig.text(0.5, 0.01, footer, ha="center", va="bottom", fontsize=8, wrap=True)
    if title:
        ax.set_title(title, fontsize=11)
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    return fig


__all__ += ["graph_structure", "draw_graph"]


# --------------------------------------------------------------------------- the three "networks" (notebook 03)


def three_networks(layer_shapes: Mapping[str, Sequence[int]], content_snapshots: Mapping[str, Sequence[int]],
                   style_snapshots: Mapping[str, Sequence[int]], *, input_shape: Sequence[int] | None = None,
                   n_ops: int | None = None, title: str | None = None,
                   executed: Mapping[str, Iterable[str]] | None = None, runs: Mapping[str, int] | None = None):
    """art.py's "three networks", drawn as what they are: one graph evaluated three times.

    Parameters
    ----------
    layer_shapes : mapping of str to (H, W, C)
        The network's layers in order — read them from the graph
        (e.g. ``{k: t.shape[1:] for k, t in model.items() if k != 'input'}``).
    content_snapshots, style_snapshots : mapping of str to shape
        ``{layer: shape}`` of the numpy arrays ``sess.run`` returned for the content and the style image.
    input_shape : sequence of int, optional
        The input variable's shape, shown in the title.
    n_ops : int, optional
        The graph's op count, shown in the title.
    title : str, optional
        Replaces the default title.
    executed : mapping of str to iterable of str, optional
        Per row (``'content'``, ``'live'``, ``'style'``), the layers that evaluation executed — read from a run
        trace (:func:`stylelib.graph.executed_ops` and :func:`stylelib.graph.ops_of_layers`). The layers of a
        given row that are not listed are drawn greyed out (white, dotted edge: "not run"), and the row says
        how many layers ran. Rows left out of the mapping are drawn as without it.
    runs : mapping of str to int, optional
        Per row, how many ``sess.run`` calls it stands for (art.py: 1 content run, 5 style runs). A row with more
        than one says "N runs, K of L layers in all" instead of "ran K of L layers".

    Returns
    -------
    matplotlib.figure.Figure
        Rows: content evaluation (top), the live evaluation on the input variable (middle, the only one the
        optimizer moves), style evaluation (bottom). Box height grows with the channel count. Every layer box
        is a ``Rectangle`` whose gid is ``'row:layer:state'``, state one of ``snapshot`` (values copied out),
        ``run`` (executed, not kept), ``live`` (executed, wired to the variable) and ``not-run``.

    Raises
    ------
    ValueError
        A snapshot or executed layer that is not among ``layer_shapes``, an unknown row name, or a run count < 1.
    """
    plt = _plt()
    from matplotlib.patches import FancyArrowPatch, Rectangle

    names = list(layer_shapes)
    unknown = [l for l in (*content_snapshots, *style_snapshots) if l not in layer_shapes]
    if unknown:
        raise ValueError(f"snapshot layers {unknown} are not among the network's layers {names}")
    ran: dict[str, set[str]] = {}
    for row, layers in (executed or {}).items():
        if row not in ("content", "live", "style"):
            raise ValueError(f"executed has a row {row!r}; the rows are 'content', 'live' and 'style'")
        ran[row] = set(layers)
        bad = sorted(ran[row] - set(names))
        if bad:
            raise ValueError(f"executed[{row!r}] names layers {bad} that are not among the network's layers {names}")
    for row, count in (runs or {}).items():
        if row not in ("content", "live", "style") or int(count) < 1:
            raise ValueError(f"runs[{row!r}] = {count!r}: the rows are 'content', 'live' and 'style', counts >= 1")
    n = len(names)
    # sized for a notebook column (~10 in at 100 dpi) so the labels stay readable without zooming
    fig, ax = plt.subplots(figsize=(min(10.5, max(7.0, 0.4 * n + 2.5)), 5.6))
    ys = {"content": 2.0, "live": 1.0, "style": 0.0}
    colours = {"content": "#d62728", "live": "#1f77b4", "style": "#2ca02c"}
    x0 = 1.0
    labelled: set[str] = set()

    def box_height(shape) -> float:
        c = float(shape[-1])
        return 0.18 + 0.32 * np.log2(max(c, 1.0)) / 9.0

    for row, y in ys.items():
        snaps = {"content": content_snapshots, "style": style_snapshots}.get(row, {})
        # the input box
        ax.add_patch(Rectangle((0.0, y - 0.2), 0.8, 0.4, facecolor="white",
                               edgecolor=colours[row], lw=1.5))
        label = {"content": "content\nimage", "live": "input\ntf.Variable", "style": "style\nimage"}[row]
        ax.text(0.4, y, label, ha="center", va="center", fontsize=6.5)
        ax.plot([0.8, x0], [y, y], color="0.5", lw=0.8)
        for i, name in enumerate(names):
            x = x0 + i * 0.62
            h = box_height(layer_shapes[name])
            used = name in snaps
            not_run = row in ran and name not in ran[row]
            style = dict(lw=0.8, linestyle="-")
            if not_run:
                face, edge, alpha, state, text = "white", "0.7", 1.0, "not-run", "0.65"
                style["linestyle"] = ":"
            elif row == "live":
                face, edge, alpha, state, text = colours["live"], colours["live"], 0.85, "live", "white"
            elif used:
                face, edge, alpha, state, text = colours[row], colours[row], 0.9, "snapshot", "white"
            else:
                face, edge, alpha, state, text = "0.85", "0.6", 1.0, "run", "0.25"
            ax.add_patch(Rectangle((x, y - h / 2), 0.5, h, facecolor=face, edgecolor=edge, alpha=alpha,
                                   gid=f"{row}:{name}:{state}", **style))
            ax.text(x + 0.25, y, name, rotation=90, ha="center", va="center", fontsize=7.5, color=text)
            if i + 1 < n:
                ax.plot([x + 0.5, x + 0.62], [y, y], color="0.8" if not_run else "0.5", lw=0.8)
            if used:
                shp = "×".join(str(int(d)) for d in list(snaps[name])[-3:])
                dy = 0.4 if row == "content" else -0.4
                ax.text(x + 0.25, y + dy, f"numpy\n{shp}", ha="center", va="center", fontsize=7,
                        color=colours[row])
                # the copied values meet the live tensor of the same layer in a loss
                start = (x + 0.25, y - h / 2) if row == "content" else (x + 0.25, y + h / 2)
                end_y = ys["live"] + (0.32 if row == "content" else -0.32)
                ax.add_patch(FancyArrowPatch(start, (x + 0.25, end_y), arrowstyle="-|>", mutation_scale=8,
                                             color=colours[row], lw=1.0, linestyle="--"))
                if row not in labelled:
                    labelled.add(row)
                    what = "content loss" if row == "content" else "style loss (Gram)"
                    ax.text(x + 0.32, (start[1] + end_y) / 2, what, fontsize=8, color=colours[row],
                            va="center")
    right = x0 + n * 0.62
    notes = {
        "content": "sess.run with the content image:\nvalues copied out (snapshot),\nbecome Const nodes in the loss",
        "live": ("the same nodes, run live on the\ninput variable at every Adam step:\n"
                 "recomputed from the variable the optimizer moves"),
        "style": "sess.run with the style image:\nsnapshots; their Gram matrices\nare the style targets",
    }
    for row, y in ys.items():
        count = int((runs or {}).get(row, 1))
        extra = ""
        if row in ran:
            extra = (f"\n{count} runs, {len(ran[row])} of {n} layers in all" if count > 1
                     else f"\nran {len(ran[row])} of {n} layers")
        ax.text(right + 0.1, y, notes[row] + extra, fontsize=8, va="center", color=colours[row])
    footer = ("Each row is one evaluation of the same graph nodes (conv4_2 exists once in the graph). "
              "Dashed arrows: values copied out by sess.run and fed back as constants; only the middle row is "
              "wired to the input variable, so gradients reach only it.")
    if ran:
        footer += (" Grey boxes (snapshot rows): layers that ran but whose values were only passed on, not copied out;"
                   " the live row is coloured wherever it ran. White boxes with a dotted edge: layers that"
                   " evaluation did not execute (read from its run trace).")
    ax.text(0.0, -0.7, footer, fontsize=8, color="0.3", va="top", wrap=True)
    ops = f", {n_ops} ops" if n_ops is not None else ""
    inp = f" for a {'×'.join(str(int(d)) for d in input_shape)} input" if input_shape is not None else ""
    ax.set_title(title or f"ONE network ({n} layers{ops}){inp}, evaluated THREE times — not three networks",
                 fontsize=10)
    ax.set_xlim(-0.1, right + 3.4)
    ax.set_ylim(-1.15, 2.75)
    ax.axis("off")
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------- ops and time per layer (notebook 04)


def ops_per_layer_plot(layers: Sequence[str], op_counts: Sequence[int], rel_times: Sequence[float] | None = None,
                       *, title: str = "Running the network up to each layer",
                       line_label: str = "time relative to the full network"):
    """Bars: how many ops ``sess.run(model[layer])`` executed, per layer; line (right axis, optional):
    a quantity relative to the whole network (1.0 = full network) — by default the run's time; pass
    ``line_label`` for another one (e.g. the share of the network's multiply-adds)."""
    plt = _plt()
    layers = list(layers)
    if len(op_counts) != len(layers) or (rel_times is not None and len(rel_times) != len(layers)):
        raise ValueError("layers, op_counts and rel_times must have the same length")
    fig, ax = plt.subplots(figsize=(max(6.0, 0.42 * len(layers) + 2.5), 3.9))
    xs = np.arange(len(layers))
    ax.bar(xs, op_counts, color="#1f77b4", alpha=0.75, label="ops executed")
    ax.set_ylabel("ops executed", color="#1f77b4")
    ax.set_xticks(xs)
    ax.set_xticklabels(layers, rotation=60, ha="right", fontsize=8)
    ax.set_xlabel("fetched layer")
    if rel_times is not None:
        ax2 = ax.twinx()
        ax2.plot(xs, rel_times, "o-", color="#d62728", label=line_label)
        ax2.set_ylabel(line_label, color="#d62728")
        ax2.set_ylim(0, max(1.1, float(np.nanmax(rel_times)) * 1.1))
        ax2.axhline(1.0, color="#d62728", lw=0.6, ls=":")
    ax.set_title(title, fontsize=10)
    fig.tight_layout()
    return fig


__all__ += ["three_networks", "ops_per_layer_plot"]
