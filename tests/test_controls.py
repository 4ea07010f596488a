"""The controls of Gatys et al. 2017 (issue 12): each one's intended effect on values, its bad values refused in one
line, its command-line flags, its explorer controls, and the TF1 engine's refusal.

Tiny runs (48 px, a few steps, shallow layers, random weights). The measured values the tolerances were set
against are in the comments (2 cores, TensorFlow 2.21 CPU).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from PIL import Image

from stylelib import cli, controls
from stylelib.controls import chroma, load_mask, luminance, match_colours, prepare, style_side, strip
from stylelib.run import RunConfig
from stylelib.samples import load_input
from stylelib.transfer import StyleObjective, interpolate_styles, stylize

SHALLOW = dict(style_layers=("conv1_1", "conv2_1"), content_layers=("conv2_2",))  # a shallow net runs quickly
CFG = dict(size=48, iterations=2, optimizer="adam", **SHALLOW)
CONTENT, STYLE, OTHER = "sample:chelsea", "sample:brick", "sample:stained_glass"


def history(result):
    return [(h.step, h.content, h.style, h.tv, h.total) for h in result.history]


@pytest.fixture(scope="module")
def plain(random_weights):
    """The plain run every 'changes nothing' control is compared with."""
    return stylize(CONTENT, STYLE, weights=random_weights, **CFG)


@pytest.fixture(scope="module")
def W():
    return pytest.importorskip("ipywidgets")


@pytest.fixture(scope="module")
def content48():
    return load_input(CONTENT, 48)  # (32, 48, 3)


# ================================================================ colour


def test_luminance_only_keeps_the_contents_chroma(random_weights, content48):
    """Section 5.1: the result's chroma (I, Q of YIQ) is the content's; only the luminance Y is stylized."""
    steps = []
    r = stylize(CONTENT, OTHER, weights=random_weights, size=48, iterations=5, colour="luminance",
                callback=lambda info: steps.append(info.image()), **SHALLOW)
    result = r.best_image.astype(np.float32)
    d = np.abs(chroma(result) - chroma(content48))
    # tolerance: rounding to uint8 moves a pixel's I or Q by at most 0.5·(0.596 + 0.275 + 0.321) = 0.6;
    # measured: mean 0.16, max 0.59. (A plain run with this style changes the chroma by 13 on average.)
    assert d.mean() <= 0.3 and d.max() <= 1.0, (d.mean(), d.max())
    assert np.abs(luminance(result) - luminance(content48)).mean() >= 2.0  # the style acted (measured 6.7)
    # the pictures a callback sees (explorer preview, --save-every) are recoloured too
    d_step = np.abs(chroma(steps[-1].astype(np.float32)) - chroma(content48))
    assert d_step.max() <= 1.0 and len(steps) == len(r.history)


def test_colour_matching_gives_the_style_the_contents_colour_statistics(content48):
    """Section 5.2: the recoloured style has the content's per-channel mean and standard deviation (and covariance)."""
    style = load_input(OTHER, 64)
    matched = match_colours(style, content48)
    assert matched.shape == style.shape and matched.dtype == np.float32
    before = np.abs(style.mean((0, 1)) - content48.mean((0, 1))).max()
    mean_gap = np.abs(matched.mean((0, 1)) - content48.mean((0, 1))).max()
    std_gap = np.abs(matched.std((0, 1)) - content48.std((0, 1))).max()
    # tolerance 0.5 (0–255 scale); measured: mean 6e-5, std 7e-3 (before: the means differed by 37)
    assert before > 10 and mean_gap <= 0.5 and std_gap <= 0.5, (before, mean_gap, std_gap)
    cov = np.cov(matched.reshape(-1, 3), rowvar=False)
    assert np.allclose(cov, np.cov(content48.reshape(-1, 3), rowvar=False), rtol=0.02, atol=1.0)
    # stylize(colour='histogram') gives the network exactly this style image
    plan = prepare(RunConfig(colour="histogram"), content48, style)
    assert np.array_equal(plan.styles[0], matched) and np.array_equal(plan.content, content48)


# ================================================================ scale


def test_style_scale_resizes_the_style_image_and_1_is_todays_run(random_weights, plain, content48, monkeypatch):
    hw = content48.shape[:2]
    assert style_side(RunConfig(size=48), hw) == 48 and style_side(RunConfig(size=48, style_scale=0.5), hw) == 24
    assert style_side(RunConfig(size=48, style_scale=2), hw) == 96
    assert style_side(RunConfig(size=64, style_size=100, style_scale=0.25), hw) == 25
    assert style_side(RunConfig(size=None, style_scale=0.5), (300, 451)) == 226  # the content's own longest side
    half = load_input(STYLE, style_side(RunConfig(size=48, style_scale=0.5), hw))
    assert half.shape == (24, 24, 3)  # brick is square
    # style_scale=1 is the run without it, bit for bit; the style image it used was 48 x 48
    seen = []
    real = controls.prepare
    monkeypatch.setattr(controls, "prepare", lambda *a, **k: seen.append(real(*a, **k)) or seen[-1])
    r = stylize(CONTENT, STYLE, weights=random_weights, style_scale=1.0, **CFG)
    assert history(r) == history(plain) and np.array_equal(r.best_image, plain.best_image)
    assert seen[0].styles[0].shape == (48, 48, 3)


# ================================================================ space: masks


def test_a_masked_out_region_stays_close_to_the_content(random_weights, content48):
    """Section 4.1: the right half (label 0 -> no style) stays within 1 grey level of the content beyond a
    4-px band at the boundary (receptive fields reach across it), while the styled left half moves."""
    h, w = content48.shape[:2]
    mask = np.zeros((h, w), np.uint8)
    mask[:, : w // 2] = 1
    r = stylize(CONTENT, OTHER, weights=random_weights, size=48, iterations=5, mask=mask, **SHALLOW)
    diff = np.abs(r.best_image.astype(np.float32) - content48).mean(axis=-1)
    kept, styled = diff[:, w // 2 + 4:].mean(), diff[:, : w // 2 - 4].mean()
    # tolerance: kept <= 1.0 (0–255 scale), styled >= 10; measured: kept 0.25 (uint8 rounding), styled 31
    assert kept <= 1.0 and styled >= 10.0, (kept, styled)


def test_coarse_stages_run_the_controls_at_their_size(random_weights, content48):
    """Coarse-to-fine with a mask: the coarse stage (24 px) gets the mask's labels at its size and keeps the masked-
    out half near the content too, so the full-size run starts from a picture styled only where the mask says."""
    from stylelib import images, transfer
    from stylelib.run import pixel_bounds

    h, w = content48.shape[:2]
    mask = np.zeros((h, w), np.uint8)
    mask[:, : w // 2] = 1
    cfg = RunConfig(coarse_to_fine=0.5, coarse_iterations=5, **{**CFG, "iterations": 1})
    plan = prepare(cfg, content48, load_input(OTHER, 48), mask=mask)
    stage = plan.resized(16, 24)
    assert stage.content.shape == (16, 24, 3) and stage.styles[0].shape == (24, 24, 3)  # the style: same factor
    assert stage.regions.styles == plan.regions.styles and stage.weights == plan.weights
    np.testing.assert_array_equal(stage.regions.kept, np.arange(24)[None, :].repeat(16, 0) >= 12)
    lo, hi = pixel_bounds(random_weights)
    # what the content itself becomes through the stage: 16×24, then upsampled as the coarse result is
    blurred = images.deprocess(transfer._upsample(images.preprocess(stage.content, random_weights), h, w, lo, hi),
                               random_weights).astype(np.float32)

    def moved(p):  # mean change (0–255) of the kept (right) and styled (left) halves, 6 px from the boundary
        x0 = transfer._coarse_to_fine_start(p, random_weights, cfg, transfer._AdamLoop, None, lo, hi)
        diff = np.abs(images.deprocess(x0, random_weights).astype(np.float32) - blurred).mean(axis=-1)
        return diff[:, w // 2 + 6:].mean(), diff[:, : w // 2 - 6].mean()

    kept, styled = moved(plan)
    kept_without_mask, _ = moved(prepare(cfg, content48, load_input(OTHER, 48)))
    # measured: kept 1.8, styled 6.8; without the mask the right half moves 7.1
    assert kept <= 0.4 * kept_without_mask and styled >= 2.5 * kept, (kept, styled, kept_without_mask)
    r = stylize(CONTENT, OTHER, weights=random_weights, mask=mask, **{**CFG, "iterations": 1},
                coarse_to_fine=0.5, coarse_iterations=5)
    assert r.history[0].content > 0  # the full-size run started from the coarse picture, not the content


def test_one_region_covering_everything_is_the_plain_style_loss(random_weights, content_pre, style_pre):
    """The guided Gram matrix with a guidance channel of ones is the Gram matrix: the same style loss."""
    plain = StyleObjective(content_pre, style_pre, random_weights, style_layers={"conv1_1": 1.0, "conv2_1": 1.0},
                           content_layers={"conv2_2": 1.0})
    regions = load_mask(np.full(content_pre.shape[1:3], 255, np.uint8), None, content_pre.shape[1:3])
    guided = StyleObjective(content_pre, style_pre, random_weights, style_layers={"conv1_1": 1.0, "conv2_1": 1.0},
                            content_layers={"conv2_2": 1.0}, regions=regions)
    x = np.asarray(style_pre) * 0.5
    a, b = plain(x), guided(x)
    assert math.isclose(float(a["style"]), float(b["style"]), rel_tol=1e-5)
    assert float(a["content"]) == float(b["content"])


def test_mask_labels_and_the_size_rule():
    # black/white: black keeps the content, white gets style 0; a mask twice the size is resized, labels intact
    big = np.zeros((64, 96), np.uint8)
    big[:, 48:] = 255
    m = load_mask(big, None, (32, 48))
    assert m.styles == {(0, 0, 0): None, (255, 255, 255): 0} and m.labels.shape == (32, 48, 3)
    assert set(np.unique(m.labels)) == {0, 255} and m.kept[:, :24].all() and not m.kept[:, 24:].any()
    # label arrays with a mapping; several labels to one style make one region
    labels = np.array([[0, 1, 2, 3]] * 2, np.uint8)
    m = load_mask(labels, {0: None, 1: 0, 2: 1, 3: 1}, (2, 4), n_styles=2)
    assert [k for k, _ in m.regions] == [0, 1] and m.regions[1][1].tolist() == [[0, 0, 1, 1]] * 2
    # an RGB PNG with colour names and hex labels, as the CLI writes them
    rgb = np.zeros((2, 2, 3), np.uint8)
    rgb[0, 0] = (255, 0, 0)
    m = load_mask(rgb, controls.parse_mask_styles("red=0,#000000=none"), (2, 2))
    assert m.kept.sum() == 3
    assert controls.preset_mask("left half", 2, 4).tolist() == [[1, 1, 0, 0]] * 2


# ================================================================ several styles


def test_blend_weight_0_for_the_second_style_is_the_single_style_run(random_weights, plain, content_pre, style_pre):
    r = stylize(CONTENT, STYLE, weights=random_weights, extra_styles=[OTHER], style_blend=(1, 0), **CFG)
    assert history(r) == history(plain) and np.array_equal(r.best_image, plain.best_image)  # exactly
    # the targets: (1, 0) is the first style's Gram matrices bit for bit; (1, 1) their mean
    layers = dict(style_layers={"conv1_1": 1.0}, content_layers={"conv2_2": 1.0})
    other = np.ascontiguousarray(np.asarray(style_pre)[:, ::-1])
    one = StyleObjective(content_pre, style_pre, random_weights, **layers).style_targets["conv1_1"].numpy()
    two = StyleObjective(content_pre, other, random_weights, **layers).style_targets["conv1_1"].numpy()
    for blend, want in (((1.0, 0.0), one), ((0.0, 1.0), two), ((0.5, 0.5), (one + two) / 2)):
        got = StyleObjective(content_pre, style_pre, random_weights, extra_styles_pre=[other],
                             style_blend=blend, **layers).style_targets["conv1_1"].numpy()
        assert np.array_equal(got, want) if 1.0 in blend else np.allclose(got, want, rtol=1e-6), blend


def test_interpolate_styles_renders_a_strip(monkeypatch, content48):
    """One run per t with style_blend (1 - t, t) (t = 0 is style_a alone: the test above shows that this is the
    single-style run exactly); the runs themselves are spied on here, not made."""
    from stylelib import transfer

    calls = []

    def spy(content, style, config=None, **kwargs):
        calls.append((style, kwargs))
        return type("Result", (), {"best_image": content48.astype(np.uint8)})()

    monkeypatch.setattr(transfer, "stylize", spy)
    results = interpolate_styles(CONTENT, STYLE, OTHER, ts=(0.0, 0.25, 1.0), size=48)
    assert [k["style_blend"] for _, k in calls] == [(1.0, 0.0), (0.75, 0.25), (0.0, 1.0)]
    assert all(style == STYLE and k["extra_styles"] == [OTHER] and k["size"] == 48 for style, k in calls)
    picture = strip([r.best_image for r in results])
    assert picture.shape == (32, 3 * 48 + 2 * 4, 3) and picture.dtype == np.uint8
    for bad in (dict(ts=(0.0, 1.5)), dict(ts=()), dict(style_blend=(1, 1)), dict(extra_styles=[OTHER])):
        with pytest.raises(ValueError, match="interpolate_styles"):
            interpolate_styles(CONTENT, STYLE, OTHER, **bad)
    assert len(calls) == 3


# ================================================================ bad values: one line each

C = np.zeros((32, 48, 3), np.float32)


def _mask(h=32, w=48, labels=(0, 255)):
    m = np.full((h, w), labels[0], np.uint8)
    for i, lab in enumerate(labels[1:], 1):
        m[:, i * w // len(labels):] = lab
    return m


BAD = [
    (lambda: RunConfig(style_blend=(1, -0.5)), "style_blend\\[1\\] is -0.5"),
    (lambda: RunConfig(style_blend=(0, 0)), "sums to 0"),
    (lambda: RunConfig(style_blend=()), "is empty"),
    (lambda: RunConfig(style_blend="0.5"), "sequence of weights"),
    (lambda: RunConfig(style_scale=0), "style_scale must be .* got 0"),
    (lambda: RunConfig(style_scale=-1.0), "got -1.0"),
    (lambda: RunConfig(style_scale=math.nan), "got nan"),
    (lambda: RunConfig(style_scale=9), "at most 8"),
    (lambda: RunConfig(colour="sepia"), "colour must be one of .*'sepia'"),
    (lambda: style_side(RunConfig(size=16, style_scale=0.5), (16, 16)), "style_scale=0.5 makes the style image 8 px"),
    (lambda: prepare(RunConfig(style_blend=(1, 1, 1)), C, C, extra_styles=[C]), "3 weights but there are 2"),
    (lambda: load_mask(_mask(32, 32), None, (32, 48)), "the mask is 32×32 px but the content 48×32"),
    (lambda: load_mask(_mask(labels=(0, 1, 2)), None, (32, 48)), "the mask has 3 labels"),
    (lambda: load_mask(_mask(labels=(0, 1, 2)), {0: None, 1: 0}, (32, 48)), "mask label 2 .* has no style"),
    (lambda: load_mask(_mask(), {0: None, 255: 0, "#ff0000": 0}, (32, 48)), "#ff0000, which the mask does not"),
    (lambda: load_mask(_mask(), {0: None, 255: 1}, (32, 48)), "style 1, but there is 1 style image"),
    (lambda: load_mask(_mask(), {0: None, 255: None}, (32, 48)), "gives no label a style"),
    (lambda: load_mask(_mask(), {0: None, 255: -1}, (32, 48)), "the style -1"),
    (lambda: prepare(RunConfig(style_blend=(1, 1)), C, C, extra_styles=[C], mask=_mask()), "drop style_blend"),
    (lambda: prepare(RunConfig(), C, C, mask_styles={0: 0}), "mask_styles without a mask"),
    (lambda: controls.parse_mask_styles("white"), "write LABEL=STYLE"),
    (lambda: controls.parse_mask_styles("#zzzzzz=0"), "'#zzzzzz' is not a label"),
    (lambda: controls.parse_mask_styles({300: 0}), "300 is not a label"),
]


@pytest.mark.parametrize("make, match", BAD, ids=[m for _, m in BAD])
def test_bad_values_are_refused_in_one_line(make, match):
    with pytest.raises(ValueError, match=match) as e:
        make()
    assert "\n" not in str(e.value)


def test_the_tf1_engine_refuses_the_controls_in_one_line(random_weights):
    from stylelib.session import run_art

    for settings, named in ((dict(colour="luminance"), "colour='luminance'"), (dict(style_scale=0.5), "style_scale"),
                            (dict(style_blend=(1.0,)), "style_blend"), (dict(coarse_to_fine=0.5), "coarse_to_fine"),
                            (dict(coarse_iterations=3), "coarse_iterations"), (dict(recompute=True), "recompute")):
        with pytest.raises(ValueError, match=f"run_art .*{named}.*use stylelib.transfer.stylize") as e:
            run_art(CONTENT, STYLE, size=32, iterations=1, weights=random_weights, **settings)
        assert "\n" not in str(e.value)
    for keyword in ("mask", "extra_styles", "mask_styles"):
        with pytest.raises(TypeError, match=f"'{keyword}' .* keyword of stylelib.transfer.stylize"):
            run_art(CONTENT, STYLE, size=32, iterations=1, weights=random_weights, **{keyword: None})


# ================================================================ the command line


def test_cli_flags_make_the_config(tmp_path):
    args = cli.build_parser().parse_args(["stylize", "a.png", "b.png", "-o", "c.png", "--colour", "luminance",
                                          "--style-scale", "0.5", "--add-style", "d.png", "--add-style", "e.png",
                                          "--style-blend", "2,1,1", "--mask", "m.png", "--mask-styles",
                                          "white=0,black=none"])
    config = cli.run_config(args)
    assert (config.colour, config.style_scale, config.style_blend) == ("luminance", 0.5, (2.0, 1.0, 1.0))
    assert args.add_style == ["d.png", "e.png"] and args.mask == "m.png"
    assert args.mask_styles == {(255, 255, 255): 0, (0, 0, 0): None}
    assert cli.run_config(cli.build_parser().parse_args(["stylize", "a", "b", "-o", "c.png", "--color", "histogram"]
                                                        )).colour == "histogram"
    # a checkpoint (the PNG's settings) keeps the controls, so --resume goes on with them
    import json

    from stylelib.run import CHECKPOINT_KEY, checkpoint_text

    saved = json.loads(checkpoint_text(config, step=1, content="a", style="b", weights="random")[CHECKPOINT_KEY])
    assert RunConfig(**saved["config"]) == config


def test_cli_runs_with_a_mask_and_keeps_the_colours(capsys, tmp_path):
    mask = tmp_path / "mask.png"
    m = np.zeros((20, 30), np.uint8)
    m[:, :15] = 255
    Image.fromarray(m).save(mask)  # 20 x 30: the content's aspect ratio (32 x 48), another size
    out = tmp_path / "out.png"
    code = cli.main(["stylize", CONTENT, OTHER, "-o", str(out), "--size", "48", "--iterations", "3", "--weights",
                     "random", "--colour", "luminance", "--mask", str(mask), "--mask-styles", "white=0,black=none",
                     "--style-layers", "conv1_1,conv2_1", "--content-layers", "conv2_2"])
    err = capsys.readouterr().err
    assert code == 0, err
    assert "controls: colour luminance, mask: 1 styled region(s) over 50% of the picture" in err
    picture = np.asarray(Image.open(out), np.float32)
    assert np.abs(chroma(picture) - chroma(load_input(CONTENT, 48))).max() <= 1.0
    # the output is a checkpoint that remembers the mask and its styles: --resume goes on masked, not plain
    from stylelib.run import load_checkpoint

    ck = load_checkpoint(out)
    assert ck.inputs["mask"] == str(mask.resolve()) and ck.inputs["extra_styles"] == []
    assert sorted(map(tuple, (label for label, _ in ck.inputs["mask_styles"]))) == [(0, 0, 0), (255, 255, 255)]
    code = cli.main(["stylize", "--resume", str(out), "-o", str(tmp_path / "more.png"), "--iterations", "1"])
    err = capsys.readouterr().err
    assert code == 0, err
    assert "mask: 1 styled region(s) over 50% of the picture" in err


@pytest.mark.parametrize("argv, named", [
    (["--style-blend", "1,-1"], "style_blend[1] is -1.0"),
    (["--style-scale", "0"], "style_scale must be"),
    (["--colour", "sepia"], "invalid choice: 'sepia'"),
    (["--add-style", "sample:coffee", "--style-blend", "1,1,1"], "3 weights but there are 2"),
    (["--mask-styles", "white"], "write LABEL=STYLE"),
    (["--mask", "sample:brick"], "the mask is 512×512 px but the content 48×32"),
])
def test_cli_refuses_bad_controls_in_one_line(capsys, tmp_path, argv, named):
    code = cli.main(["stylize", CONTENT, STYLE, "-o", str(tmp_path / "o.png"), "--size", "48", "--weights",
                     "random", *argv])
    err = capsys.readouterr().err.strip()
    assert code == 2 and named in err and len(err.splitlines()) == 1, err
    assert not (tmp_path / "o.png").exists()


# ================================================================ the explorer


def test_the_explorer_passes_its_controls_to_stylize(random_weights):
    from stylelib.widgets import ExplorerController

    calls = []

    def spy(content, style, config, **kwargs):
        calls.append((config, kwargs))
        raise RuntimeError("spied")

    c = ExplorerController("chelsea", "brick", weights=random_weights, size=48, steps=2, stylize_fn=spy, **SHALLOW)
    assert c.inputs() == {} and c.config() == c.config().replace(colour="style", style_scale=1.0, style_blend=None)
    c.set(colour="luminance", style_scale=0.5, style2="coffee", blend=0.25)
    c.run(blocking=True)
    config, kwargs = calls[-1]
    assert (config.colour, config.style_scale, config.style_blend) == ("luminance", 0.5, (0.75, 0.25))
    assert kwargs["extra_styles"] == ["coffee"] and "mask" not in kwargs
    c.set(style2="none", mask="left half")
    c.run(blocking=True)
    config, kwargs = calls[-1]
    assert config.style_blend is None and kwargs["mask"].shape == (32, 48) and kwargs["mask"][:, :24].all()
    c.set(style2="coffee")  # a mask and a second style: refused before the run, in the status
    assert c.run(blocking=True) is None and len(calls) == 2
    assert c.status.kind == "error" and "a mask and a second style" in c.status.text
    with pytest.raises(ValueError):
        c.set(style_scale=0)
    with pytest.raises(ValueError):
        c.set(blend=1.5)
    with pytest.raises(ValueError):
        c.set(mask="everywhere")
    c.set(style2="none")
    assert c.config().coarse_to_fine == "auto"  # the engine's default
    c.set(coarse_to_fine="half size first")
    c.run(blocking=True)
    assert calls[-1][0].coarse_to_fine == 0.5
    c.set(coarse_to_fine="off")
    assert c.config().coarse_to_fine is None
    with pytest.raises(ValueError):
        c.set(coarse_to_fine="fast")


def test_the_blend_counts_for_staleness_only_with_a_second_style(random_weights):
    from stylelib.widgets import ExplorerController

    c = ExplorerController("chelsea", "brick", weights=random_weights, size=48, steps=2, **SHALLOW)
    before = c._key()
    c.set(blend=0.9)
    assert c._key() == before  # one style: the blend is not used
    c.set(style2="coffee")
    after = c._key()
    c.set(blend=0.1)
    assert c._key() != after


def test_the_explorer_rows_have_room(W, random_weights):
    from stylelib.widgets import LEFT_WIDTH, StyleExplorer

    ex = StyleExplorer("chelsea", "brick", weights=random_weights, size=32, steps=3)
    width = float(ex.size.style.description_width.rstrip("px"))
    for widget in (ex.colour, ex.style_scale, ex.style2, ex.blend, ex.mask):
        assert widget in ex.left.children and widget.style.description_width == ex.size.style.description_width
        assert len(widget.description) * 7.5 <= width, widget.description
        assert float(widget.layout.width.rstrip("px")) <= LEFT_WIDTH - 4
    assert ex.blend.disabled and ex.style2.options[0] == "none"


@pytest.mark.parametrize("photo_hw", [(300, 451), (1080, 1920), (1920, 1080)])
def test_a_mask_of_the_photos_own_size_fits_every_small_size(photo_hw):
    """The content's short side is rounded when it is resized; a mask of the photo's own size still fits."""
    from stylelib.images import longest_side_shape

    m = np.zeros(photo_hw, np.uint8)
    m[:, : photo_hw[1] // 2] = 255
    for size in range(16, 97):
        region = load_mask(m, None, longest_side_shape(*photo_hw, size))
        assert region is not None
    with pytest.raises(ValueError, match="aspect ratio"):  # another aspect ratio is still refused
        load_mask(np.zeros((300, 300), np.uint8), None, (43, 64))
