"""The ``stylelib`` command (also ``python -m stylelib``).

    stylelib stylize CONTENT STYLE -o OUT [options]   make a picture
    stylelib weights [--check | --download]           where the VGG-19 weights are, and how to get them
    stylelib samples [--kind content|style]           the bundled sample images

Everything that can be checked before the long run is checked first (the output name, the inputs, the
layer names, the weights), so a typo costs a second, not a run. Errors are one line on stderr,
``stylelib: error: <what, which file or value, and the way out>`` (weights errors add their list of
"Ways out"); exit code 2 for a bad command line, 1 for a problem at run time, 130 after Ctrl-C.
Nothing is overwritten without ``--overwrite``. ``STYLELIB_DEBUG=1`` shows tracebacks.

:func:`main` takes the argument list (``main(["samples"])``) and returns the exit code; TensorFlow is
imported only when a picture is actually made.
"""

from __future__ import annotations

import argparse
import math
import os
import re
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import Callable, Sequence

from . import recipe
from ._env import env_flag
from ._quiet import tf_startup_quiet
from .run import (COARSE_AUTO_MIN_SIDE, RECOMPUTE_AUTO_MIN_SIDE, NonFiniteLossError, RunConfig, check_coarse_to_fine,
                  check_recompute, check_tile_rows, checkpoint_text, coarse_sides)
from .vgg19 import default_source
from .vgg19 import LAYER_NAME_HELP, RANDOM_FILE_NOTE, random_banner


PROG = "stylelib"

__all__ = ["main", "build_parser", "CLIError", "parse_layers"]

DEFAULTS = RunConfig()
"""The defaults every ``stylize`` option shows and uses (:mod:`stylelib.recipe`'s numbers)."""


class CLIError(Exception):
    """A problem the user can fix; ``code`` is the exit status (2: command line, 1: run time)."""

    def __init__(self, message: str, code: int = 1):
        super().__init__(message)
        self.code = code


class _Parser(argparse.ArgumentParser):
    """argparse, but a bad command line gives one line (no usage block) and never calls sys.exit."""

    def error(self, message: str):  # type: ignore[override]
        raise CLIError(f"{message} (see `{self.prog} --help`)", 2)


class _Formatter(argparse.RawDescriptionHelpFormatter):
    def __init__(self, prog: str, **kwargs):
        kwargs.setdefault("max_help_position", 30)
        super().__init__(prog, **kwargs)


# --------------------------------------------------------------------------------------------------
# Argument types (they raise ArgumentTypeError; argparse turns that into a usage error, exit 2)
# --------------------------------------------------------------------------------------------------


def _int_at_least(minimum: int, what: str) -> Callable[[str], int]:
    def convert(text: str) -> int:
        try:
            value = int(text.strip())
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number; {what}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"{value} is too small; {what}")
        return value

    convert.__name__ = "integer"
    return convert


def _non_negative_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not math.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError(f"{text!r}: give a finite number >= 0")
    return value


def _positive_float(text: str) -> float:
    value = _non_negative_float(text)
    if value == 0:
        raise argparse.ArgumentTypeError(f"{text!r}: give a number > 0")
    return value


def _coarse_to_fine(text: str):
    try:
        return check_coarse_to_fine(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r}: give auto, off, or a fraction of the size in (0, 1) such as 0.5") from None


def _recompute(text: str):
    value = {"on": True, "true": True, "off": False, "false": False}.get(text.lower(), text)
    try:
        return check_recompute(int(value) if isinstance(value, str) and value.isdigit() else value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: give auto, on, off or a number of VGG blocks 0-5") from None


def _tile_rows(text: str):
    value = {"off": 0, "none": 0}.get(text.lower(), text)
    try:
        return check_tile_rows(int(value) if isinstance(value, str) and value.isdigit() else value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: give auto, off or a number of image rows") from None


def _ratio(text: str) -> float:
    value = _non_negative_float(text)
    if value > 1:
        raise argparse.ArgumentTypeError(f"{text!r}: give a number between 0 and 1")
    return value


def _device(text: str) -> str:
    t = text.strip().lower()
    if re.fullmatch(r"auto|cpu(:0)?|gpu(:\d+)?", t):
        return t
    raise argparse.ArgumentTypeError(f"{text!r}: use auto, cpu, gpu or gpu:N (N = 0, 1, ...)")


def _style_scale(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number; give e.g. 0.5 (half-size patterns)") from None
    try:
        return recipe.check_style_scale(value)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


def _blend(text: str) -> tuple[float, ...]:
    try:
        values = [float(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: write one weight per style image, e.g. 0.7,0.3") from None
    try:
        return recipe.check_blend(values)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


def _mask_styles(text: str) -> dict:
    from .controls import parse_mask_styles

    try:
        return parse_mask_styles(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


def parse_layers(text: str) -> dict[str, float]:
    """``"conv1_1:0.5,conv2_1"`` -> ``{"conv1_1": 0.5, "conv2_1": 1.0}`` (weight 1 when not given).

    Raises ``argparse.ArgumentTypeError`` naming an unknown layer (with the closest known name) or a bad
    weight.
    """
    from .vgg19 import canonical_layer

    layers: dict[str, float] = {}
    for item in text.split(","):
        item = item.strip()
        if not item:
            continue
        name, sep, weight_text = item.partition(":")
        name = name.strip()
        try:
            canonical_layer(name)
        except ValueError as e:
            raise argparse.ArgumentTypeError(str(e)) from None
        weight = 1.0
        if sep:
            try:
                weight = float(weight_text)
            except ValueError:
                weight = math.nan
            if not math.isfinite(weight) or weight < 0:
                raise argparse.ArgumentTypeError(
                    f"layer weight {weight_text!r} in {item!r} is not a number >= 0 (write NAME:WEIGHT, "
                    "e.g. conv1_1:0.5)"
                )
        if name in layers:
            raise argparse.ArgumentTypeError(f"layer {name!r} is given twice in {text!r}")
        layers[name] = weight
    if not layers:
        raise argparse.ArgumentTypeError(f"{text!r} names no layer; give e.g. conv4_2")
    return layers


parse_layers.__name__ = "layer list"


# --------------------------------------------------------------------------------------------------
# The parser
# --------------------------------------------------------------------------------------------------

MAIN_DESCRIPTION = """\
Neural style transfer (Gatys et al.) with VGG-19 in TensorFlow.

  stylelib stylize sample:chelsea sample:brick -o cat.png     restyle a photo
  stylelib weights                                            find / get the VGG-19 weights
  stylelib samples                                            list the bundled sample images

Without the ImageNet VGG-19 weights everything still runs with --weights random, but the
results are texture noise rather than style transfer (the command says so loudly).
Set STYLELIB_DEBUG=1 to see Python tracebacks."""

STYLIZE_DESCRIPTION = """\
Make a picture with the content of CONTENT painted in the style of STYLE, and save the
image with the lowest loss seen (not merely the last one) to OUT.

CONTENT and STYLE are image files or sample names (`sample:chelsea` or just `chelsea`;
`stylelib samples` lists them). The content is resized so its longest side is --size
pixels; the style to --style-size (default: the same).

Before the run starts, stylelib checks that OUT can be written (an existing file is kept
unless --overwrite), that both inputs load and that the weights load.
Ctrl-C stops early and still saves the best image so far (exit code 130)."""

STYLIZE_EPILOG = """\
examples:
  stylelib stylize photo.jpg painting.jpg -o out.png
  stylelib stylize sample:chelsea sample:brick -o /tmp/cat.png --size 128 --iterations 20 --weights random
  stylelib stylize photo.jpg starry.jpg -o big.png --size 512 --optimizer adam --learning-rate 5 \\
      --style-layers conv1_1:0.5,conv2_1,conv3_1:1.5,conv4_1:3,conv5_1:4 --save-every 50
  stylelib stylize photo.jpg starry.jpg -o keep.png --colour luminance     # keep the photo's colours
  stylelib stylize photo.jpg starry.jpg -o fine.png --style-scale 0.5      # half-size brush strokes
  stylelib stylize photo.jpg starry.jpg -o mix.png --add-style brick.png --style-blend 0.7,0.3
  stylelib stylize photo.jpg starry.jpg -o sky.png --mask sky.png --mask-styles white=0,black=none

layers: {layers}.
Defaults (as in art.py): content {content}; style {style}.""".format(
    layers=LAYER_NAME_HELP,
    content=",".join(f"{k}:{v:g}" for k, v in recipe.ART_CONTENT_LAYERS.items()),
    style=",".join(f"{k}:{v:g}" for k, v in recipe.ART_STYLE_LAYERS.items()))

WEIGHTS_DESCRIPTION = """\
Say where stylelib looks for the ImageNet VGG-19 weights, whether they are there and
load (the Keras file's MD5 is checked), and how to get them.

  --check     exit 0 only if trained weights load here (never downloads; random
              weights do not count), else exit 1 with the reason - for scripts
  --download  fetch Keras' file into its cache and verify it (needs internet)

The source is --source, else $STYLELIB_WEIGHTS, else `keras` (Keras' cache file)."""


def build_parser() -> argparse.ArgumentParser:
    from . import __version__
    from .vgg19 import default_source

    default_weights = default_source()

    parser = _Parser(prog=PROG, description=MAIN_DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", title="commands")

    # ---- stylize
    p = sub.add_parser("stylize", help="restyle CONTENT with STYLE and save the picture to OUT",
                       description=STYLIZE_DESCRIPTION, epilog=STYLIZE_EPILOG, formatter_class=_Formatter)
    p.add_argument("content", metavar="CONTENT", nargs="?", default=None,
                   help="content image: a file or a sample name (taken from the checkpoint with --resume)")
    p.add_argument("style", metavar="STYLE", nargs="?", default=None,
                   help="style image: a file or a sample name (taken from the checkpoint with --resume)")
    p.add_argument("-o", "--output", metavar="OUT", required=True,
                   help="where to save the result (.png, .jpg, .bmp, .tif, .ppm, .webp)")
    p.add_argument("--overwrite", action="store_true", help="replace OUT (and step images) if they exist")
    p.add_argument("--resume", metavar="CHECKPOINT", default=None,
                   help="continue a run from a PNG it wrote (its OUT or a --save-every step image): its picture is "
                        "the start, its settings and remaining steps are used; options you give that differ "
                        "from their defaults override them")

    g = p.add_argument_group("size and run length")
    g.add_argument("--size", type=_int_at_least(16, "the size is the longest side in pixels, at least 16"),
                   default=DEFAULTS.size, metavar="PX",
                   help="longest side of the result in pixels (default: %(default)s)")
    g.add_argument("--style-size", type=_int_at_least(16, "the style size is a longest side in pixels, at least 16"),
                   default=DEFAULTS.style_size, metavar="PX",
                   help="longest side of the style image (default: --size)")
    g.add_argument("--iterations", type=_int_at_least(1, "give a positive number of steps"),
                   default=DEFAULTS.iterations, metavar="N",
                   help="optimizer steps: L-BFGS iterations or Adam updates (default: %(default)s); with --resume, "
                        "how many more (default: the steps the run had left)")

    g = p.add_argument_group("optimization")
    g.add_argument("--optimizer", choices=tuple(recipe.OPTIMIZERS), default=DEFAULTS.optimizer,
                   help="L-BFGS needs fewer steps; Adam's steps are cheaper (default: %(default)s)")
    g.add_argument("--learning-rate", type=_positive_float, default=DEFAULTS.learning_rate, metavar="LR",
                   help="Adam's step size, in pixel values (default: %(default)s; L-BFGS ignores it)")
    g.add_argument("--init", choices=tuple(recipe.INITS), default=DEFAULTS.init,
                   help="the start: " + "; ".join(f"{k}: {v}" for k, v in recipe.INITS.items())
                        + " (default: %(default)s)")
    g.add_argument("--noise-ratio", type=_ratio, default=DEFAULTS.noise_ratio, metavar="R",
                   help="share of noise in --init blend (default: %(default)s)")
    g.add_argument("--seed", type=_int_at_least(0, "the seed is a whole number >= 0"), default=DEFAULTS.seed,
                   help="seed for the start image's noise (default: %(default)s)")

    g = p.add_argument_group("loss")
    g.add_argument("--content-weight", type=_non_negative_float, default=DEFAULTS.content_weight, metavar="W",
                   help="weight of the content loss, the paper's alpha (default: %(default)s)")
    g.add_argument("--style-weight", type=_non_negative_float, default=DEFAULTS.style_weight, metavar="W",
                   help="weight of the style loss, the paper's beta (default: %(default)s)")
    g.add_argument("--tv-weight", type=_non_negative_float, default=DEFAULTS.tv_weight, metavar="W",
                   help="weight of the total-variation (smoothness) loss (default: %(default)s)")
    g.add_argument("--content-layers", type=parse_layers, default=None, metavar="LAYERS",
                   help="comma-separated layers, each optionally NAME:WEIGHT (default: "
                        + ",".join(DEFAULTS.content_layers) + ")")
    g.add_argument("--style-layers", type=parse_layers, default=None, metavar="LAYERS",
                   help="comma-separated layers, each optionally NAME:WEIGHT, e.g. conv1_1:0.5,conv2_1 "
                        "(default: conv1_1..conv5_1 weighted as in art.py, see below)")
    g.add_argument("--content-normalization", choices=tuple(recipe.CONTENT_NORMALIZATIONS),
                   default=DEFAULTS.content_normalization,
                   help="content loss scaled as in " + "; or as in ".join(recipe.CONTENT_NORMALIZATIONS.values())
                        + " (default: %(default)s)")
    g.add_argument("--pooling", choices=tuple(recipe.POOLINGS), default=DEFAULTS.pooling,
                   help="pooling between blocks: " + "; ".join(f"{k}: {v}" for k, v in recipe.POOLINGS.items())
                        + " (default: %(default)s)")

    g = p.add_argument_group("controls (Gatys et al. 2017, Controlling Perceptual Factors in Neural Style Transfer)")
    g.add_argument("--colour", "--color", dest="colour", choices=tuple(recipe.COLOUR_CONTROLS),
                   default=DEFAULTS.colour,
                   help="the result's colours: " + "; ".join(f"{k}: {v}" for k, v in recipe.COLOUR_CONTROLS.items())
                        + " (default: %(default)s)")
    g.add_argument("--style-scale", type=_style_scale, default=DEFAULTS.style_scale, metavar="S",
                   help="the style image's size relative to --style-size (else --size): 0.5 makes its patterns "
                        "half as large in the result, 2 twice as large (default: %(default)s)")
    g.add_argument("--add-style", action="append", default=[], metavar="STYLE",
                   help="one more style image (repeatable): style 1, 2, ... (STYLE is style 0); blended with "
                        "--style-blend, or placed by --mask-styles")
    g.add_argument("--style-blend", type=_blend, default=DEFAULTS.style_blend, metavar="W,W",
                   help="blend weights, one per style image, e.g. 0.7,0.3: the style target is the weighted mean "
                        "of their Gram matrices (default: equal)")
    g.add_argument("--mask", default=None, metavar="MASK",
                   help="a label image (PNG) of the content's aspect ratio: which style goes where (guided Gram "
                        "matrices); black = no style, the other colour = STYLE, unless --mask-styles says otherwise")
    g.add_argument("--mask-styles", type=_mask_styles, default=None, metavar="LABEL=STYLE,...",
                   help="the style of each mask label: a style index or none (keeps the content), e.g. "
                        "white=0,black=none or #ff0000=1,#0000ff=0,#000000=none (labels: #rrggbb, a grey level "
                        "0-255, black, white, red, green, blue)")

    g = p.add_argument_group("network and device")
    g.add_argument("--weights", default=None, metavar="SOURCE",
                   help="VGG-19 weights: keras (Keras' cached ImageNet file), a path to the .h5 or "
                        "MatConvNet .mat file, or random (untrained: texture noise only). "
                        f"Default: $STYLELIB_WEIGHTS, else keras (here: {default_weights})")
    g.add_argument("--device", type=_device, default=DEFAULTS.device,
                   help="auto (a GPU if TensorFlow sees one), cpu, gpu or gpu:N (default: %(default)s)")
    g.add_argument("--mixed-precision", action="store_true",
                   help="compute the network in float16 (worth it on recent GPUs only)")
    # performance (issue 11)
    g = p.add_argument_group("performance")
    g.add_argument("--coarse-to-fine", type=_coarse_to_fine, default=DEFAULTS.coarse_to_fine, metavar="F",
                   help="optimize at a fraction F of the size first, then finish at full size: auto (F = 0.5 from "
                        f"{COARSE_AUTO_MIN_SIDE} px on), off, or a fraction such as 0.5 (default: %(default)s)")
    g.add_argument("--coarse-iterations", type=_int_at_least(1, "give a positive number of steps"), default=None,
                   metavar="N", help="steps of each coarse stage (default: half of --iterations)")
    g.add_argument("--bfloat16", action="store_true",
                   help="compute the network in bfloat16 (Adam only; fast on CPUs with AVX-512 BF16/AMX)")
    g.add_argument("--recompute", type=_recompute, default=DEFAULTS.recompute, metavar="K",
                   help="gradient checkpointing: recompute VGG's first K blocks in the backward pass instead of "
                        "keeping their activations (same result, less memory, slower): auto (blocks 1-2, in row tiles, "
                        f"from {RECOMPUTE_AUTO_MIN_SIDE} px on), on, off or K (3: room for a long lbfgs run) "
                        "(default: %(default)s)")
    g.add_argument("--tile-rows", type=_tile_rows, default=DEFAULTS.tile_rows, metavar="R",
                   help="run the recomputed blocks on horizontal tiles of about R image rows (same result to float "
                        "rounding, less memory): auto (about 131072 pixels a tile, wherever blocks are recomputed), "
                        "off or R (default: %(default)s)")
    g.add_argument("--lbfgs-history", type=_int_at_least(1, "give a positive number of correction pairs"),
                   default=DEFAULTS.lbfgs_history, metavar="M",
                   help="correction pairs L-BFGS keeps (two float64 copies of the image each; changes the steps; "
                        "default: %(default)s)")

    g = p.add_argument_group("output while running")
    g.add_argument("--save-every", type=_int_at_least(1, "give a positive number of steps"), default=None,
                   metavar="N", help="also save the image every N steps, next to OUT: out.png -> out_step0050.png, ...")
    g.add_argument("--quiet", "-q", action="store_true",
                   help="no progress bar or set-up lines; the summary line and warnings still print")

    # ---- weights
    p = sub.add_parser("weights", help="where the VGG-19 weights are and how to get them",
                       description=WEIGHTS_DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--source", default=None, metavar="SOURCE",
                   help="keras, a path to a .h5/.mat file, or random (default: $STYLELIB_WEIGHTS, else keras)")
    m = p.add_mutually_exclusive_group()
    m.add_argument("--check", action="store_true", help="exit 0 only if trained weights load (no download)")
    m.add_argument("--download", action="store_true", help="download Keras' ImageNet file into its cache")

    # ---- samples
    p = sub.add_parser("samples", help="list the bundled sample images (usable as CONTENT / STYLE)",
                       description="List the sample images that ship with scikit-image and work offline: "
                                   "name, kind, size, description, source and licence.")
    p.add_argument("--kind", choices=("content", "style"), default=None, help="only this kind")
    return parser


# --------------------------------------------------------------------------------------------------
# Entry point
# --------------------------------------------------------------------------------------------------


def _err(message: str) -> None:
    print(f"{PROG}: error: {message}", file=sys.stderr, flush=True)


def _info(message: str) -> None:
    print(f"{PROG}: {message}", file=sys.stderr, flush=True)


def _debug() -> bool:
    return env_flag("STYLELIB_DEBUG")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line ``argv`` (default: ``sys.argv[1:]``) and return the exit code."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # before TensorFlow is imported
    parser = build_parser()
    try:
        try:
            args = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
        except SystemExit as e:  # --help and --version
            return int(e.code or 0) if not isinstance(e.code, str) else 2
        if args.command is None:
            parser.print_help()
            return 2
        handler = {"stylize": cmd_stylize, "weights": cmd_weights, "samples": cmd_samples}[args.command]
        with warnings.catch_warnings():
            # the CLI prints its own banner for random weights, not Python's warning line
            from .vgg19 import RandomWeightsWarning

            warnings.simplefilter("ignore", RandomWeightsWarning)
            return handler(args)
    except CLIError as e:
        _err(str(e))
        return e.code
    except BrokenPipeError:  # `stylelib samples | head`: the reader left; say nothing more
        try:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        except (OSError, ValueError):
            pass
        return 141
    except KeyboardInterrupt:
        if _debug():
            raise
        _err("interrupted (Ctrl-C) before a result was saved")
        return 130
    except Exception as e:
        if _debug():
            raise
        return _report_exception(e)


def _report_exception(e: BaseException) -> int:
    from .images import ImageError
    from .memory import OutOfMemoryError
    from .vgg19 import WeightsError

    if isinstance(e, KeyError) and e.args and type(e).__str__ is KeyError.__str__:
        message = str(e.args[0])  # KeyError's str() adds quotes
    else:
        message = str(e) or type(e).__name__
    if not isinstance(e, WeightsError):  # only the weights errors come with a list of ways out
        message = " ".join(line.strip() for line in message.splitlines() if line.strip())
    if isinstance(e, (WeightsError, ImageError, ValueError, FileExistsError, KeyError, OutOfMemoryError)):
        _err(message)
    elif isinstance(e, OSError):
        where = f" ({e.filename})" if getattr(e, "filename", None) and str(e.filename) not in message else ""
        _err(f"{message}{where}. Check the path and its permissions, or the free disk space.")
    else:
        _err(f"unexpected {type(e).__name__}: {message} (set STYLELIB_DEBUG=1 for the traceback)")
    return 1


# --------------------------------------------------------------------------------------------------
# stylize
# --------------------------------------------------------------------------------------------------

def _step_path(out: Path, step: int) -> Path:
    """Where ``--save-every`` puts the image of ``step``: ``out_step0050.png`` next to ``out.png``."""
    return out.with_name(f"{out.stem}_step{step:04d}.png")


def _check_output(out: Path, overwrite: bool) -> None:
    """Fail now (not after the run) if ``out`` cannot or must not be written."""
    from .images import SAVE_FORMATS, next_free_path

    if out.is_dir():
        raise CLIError(f"{out} is a directory; give a file name such as {out / 'stylized.png'}")
    if out.suffix.lower() not in SAVE_FORMATS:
        raise CLIError(
            f"{out}: cannot tell the image format from the suffix {out.suffix or '(none)'!r}; "
            f"end the name with one of {', '.join(sorted(SAVE_FORMATS))}", 2)
    if out.exists() and not overwrite:
        raise CLIError(
            f"{out} already exists and was left untouched; pass --overwrite to replace it, or choose "
            f"another name such as {next_free_path(out)}")
    # the nearest existing ancestor must be a writable directory, or the directory cannot be created
    ancestor = out.parent if str(out.parent) else Path(".")
    while not ancestor.exists() and ancestor != ancestor.parent:
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        raise CLIError(f"cannot create the directory {out.parent} for {out.name}: {ancestor} is a file, not a "
                       "directory; choose another -o path")
    if not os.access(ancestor, os.W_OK | os.X_OK):
        raise CLIError(f"cannot write to {ancestor} (permission denied), so {out} cannot be saved; choose "
                       "another -o path")


def _check_step_outputs(out: Path, every: int | None, iterations: int, overwrite: bool) -> list[Path]:
    if not every:
        return []
    paths = [_step_path(out, s) for s in range(every, iterations + 1, every)]
    if not overwrite:
        taken = [p for p in paths if p.exists()]
        if taken:
            what = (f"{taken[0]} already exists" if len(taken) == 1 else
                    f"{len(taken)} step images already exist ({taken[0]}, ...)")
            raise CLIError(f"{what} and would be replaced by --save-every; nothing was touched. Pass "
                           "--overwrite to replace them, or choose another -o name")
    return paths


def _read_input(spec: str, role: str):
    """(image (H, W, 3) float32 at its own size, label) for a file path or a sample name; errors name the
    argument. ``images.at_longest`` resizes it once the memory check has passed."""
    from .samples import describe_input, load_input

    return load_input(spec, what=f"{role} image"), describe_input(spec)


def _load_weights(source: str | None, seed: int):
    from .vgg19 import default_source, describe_source, keras_cache_path, load_weights

    src = default_source() if source is None else source.strip()
    if src == "keras" and not keras_cache_path().exists():
        _info(f"weights: {describe_source(src)}")
        with tf_startup_quiet():  # the download goes through keras, which imports TensorFlow
            return load_weights(src, seed=seed)
    return load_weights(src, seed=seed)


def _fmt_loss(v: float) -> str:
    return f"{v:.4g}" if math.isfinite(v) else str(v)


def run_config(args: argparse.Namespace) -> RunConfig:
    """The :class:`~stylelib.run.RunConfig` of a parsed ``stylize`` command line (its options are named as the
    config's fields)."""
    import dataclasses

    return RunConfig(**{f.name: getattr(args, f.name) for f in dataclasses.fields(RunConfig)})


def _resumed(args: argparse.Namespace):
    """(checkpoint, config, content spec, style spec, weights source) for ``--resume``: the checkpoint's settings,
    with the options given on the command line (those that differ from their defaults) on top."""
    import dataclasses

    from .run import load_checkpoint

    ck = load_checkpoint(args.resume)  # ImageError / ValueError: one line, naming the file
    given = {f.name: getattr(args, f.name) for f in dataclasses.fields(RunConfig)
             if getattr(args, f.name) is not None and getattr(args, f.name) != getattr(DEFAULTS, f.name)}
    if "iterations" not in given:
        if ck.step >= ck.config.iterations:
            raise CLIError(f"{ck.path} is a finished run (step {ck.step} of {ck.config.iterations}); give "
                           "--iterations N to run N more steps from it", 2)
        given["iterations"] = ck.remaining
    try:
        config = ck.config.replace(**given)
    except ValueError as e:
        raise CLIError(str(e), 2) from None
    content, style = args.content or ck.content, args.style or ck.style
    if content is None or style is None:
        raise CLIError(f"{ck.path} was made from in-memory images; give CONTENT and STYLE with --resume", 2)
    # the controls' images: the checkpoint's unless given again (a masked run must not resume unmasked)
    if not args.add_style:
        args.add_style = list(ck.inputs.get("extra_styles") or [])
    if args.mask is None:
        args.mask = ck.inputs.get("mask")
    if args.mask_styles is None and ck.inputs.get("mask_styles") is not None:
        args.mask_styles = {tuple(label): style for label, style in ck.inputs["mask_styles"]}
    return ck, config, content, style, args.weights or ck.weights or None


def _check_memory(config: RunConfig, content_hw, style_hw) -> None:
    """Refuse a run that cannot fit in memory now, before the weights or TensorFlow load; a close call is a
    warning line. (The engine checks again; its warning is not repeated.)"""
    from . import memory

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", memory.MemoryWarning)
        memory.check_memory(config, content_hw, style_hw)  # MemoryEstimateError: one line, exit 1
    for w in caught:
        _info(f"warning: {w.message}")
    warnings.simplefilter("ignore", memory.MemoryWarning)


def _spec_for_resume(spec: str) -> str:
    """An input as a later --resume finds it again: an existing file as an absolute path, else the sample name."""
    path = Path(spec).expanduser()
    return str(path.resolve()) if path.exists() else spec


def cmd_stylize(args: argparse.Namespace) -> int:
    from .images import ImageError

    out = Path(args.output).expanduser()
    # 1. everything that can fail cheaply, before TensorFlow is even imported
    ck, offset = None, 0
    if args.resume:
        ck, config, content_spec, style_spec, weights_source = _resumed(args)
        offset = ck.step
    else:
        if args.content is None or args.style is None:
            raise CLIError("give CONTENT and STYLE (or --resume CHECKPOINT)", 2)
        try:
            config = run_config(args)
        except ValueError as e:  # options that do not work together
            raise CLIError(str(e), 2) from None
        content_spec, style_spec, weights_source = args.content, args.style, args.weights
    _check_output(out, args.overwrite)
    step_paths = _check_step_outputs(out, args.save_every, config.iterations, args.overwrite)
    # the images at their own sizes first: the memory check sees the sizes they are resized to before any
    # resizing allocates them (a --size of 100000 is refused in one line, not swapped to death)
    content, content_label = _read_input(content_spec, "content")
    from . import controls

    try:  # issue 12: the style's scaled size, more styles, the mask: checked now, before TensorFlow
        from .images import at_longest, shape_at_longest

        content_hw = shape_at_longest(content, config.size)
        side = controls.style_side(config, content_hw)
        style, style_label = _read_input(style_spec, "style")
        extra = [_read_input(spec, f"extra style {i + 1}")[0] for i, spec in enumerate(args.add_style)]
        style_hws = [shape_at_longest(im, side) for im in (style, *extra)]
        _check_memory(config, content_hw, max(style_hws, key=lambda hw: hw[0] * hw[1]))
        content, style = at_longest(content, config.size), at_longest(style, side)
        extra = [at_longest(im, side) for im in extra]
        inputs = dict(extra_styles=extra, mask=args.mask, mask_styles=args.mask_styles)
        plan = controls.prepare(config, content, style, **inputs)
    except ValueError as e:
        from .memory import MemoryEstimateError

        if isinstance(e, (ImageError, MemoryEstimateError)):  # their own exit codes (1)
            raise
        raise CLIError(str(e), 2) from None
    weights = _load_weights(weights_source, config.seed)
    if ck is not None and not args.quiet:
        _info(f"resuming {ck.path} (step {ck.step}): {config.iterations} more steps")
    if weights.is_random:
        print(random_banner("run", source=weights.source), file=sys.stderr, flush=True)
    with tf_startup_quiet():
        from . import images, transfer

        try:
            device = transfer.pick_device(config.device)  # 'gpu' on a machine without one fails here
        except ValueError as e:  # the library's message speaks Python (device='cpu'); say it as options
            raise CLIError(f"{e}".replace("device='cpu' or 'auto'", "--device cpu or --device auto")
                           .replace("pip install stylelib[gpu]", 'pip install -e ".[gpu]"'), 2) from None
    missing = [d for d in (out.parent, *out.parent.parents) if not d.exists()]
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise CLIError(f"cannot create the directory {out.parent} for {out.name}: {e.strerror or e}; "
                       "choose another -o path") from None
    if missing and not args.quiet:  # a typo in -o must not make a folder tree unseen
        _info(f"created the directory {missing[-1]}" + (f" (and {out.parent})" if len(missing) > 1 else ""))

    # 2. the run
    h, w = content.shape[:2]
    if not args.quiet:
        _info(f"{content_label} ({w}x{h}) in the style of {style_label} ({style.shape[1]}x{style.shape[0]}); "
              f"{config.optimizer}, {config.iterations} steps on {device.split('device:')[-1]}; "
              f"weights {weights.source}" + (f"; controls: {plan.describe()}" if not plan.plain else ""))
        stages = coarse_sides(config, max(h, w)) if ck is None else []
        if stages:
            n = config.coarse_iterations or max(1, config.iterations // 2)
            sizes = ", then ".join("x".join(map(str, reversed(images.longest_side_shape(h, w, s)))) for s in stages)
            _info(f"coarse-to-fine: first {n} steps at {sizes} (--coarse-to-fine off to skip), then the "
                  f"{config.iterations} steps at {w}x{h}")

    saved_inputs = {
        "extra_styles": [_spec_for_resume(spec) for spec in args.add_style],
        "mask": None if args.mask is None else _spec_for_resume(str(args.mask)),
        "mask_styles": None if args.mask_styles is None else
        [[list(label), style] for label, style in args.mask_styles.items()],
    }
    step_set = set(step_paths)
    saved_steps: list[Path] = []
    whole_run = config.replace(iterations=offset + config.iterations)  # what a checkpoint records

    # random weights are said in the file itself too (PNG text, JPEG comment), not only on the terminal
    said = {"Description": RANDOM_FILE_NOTE} if weights.is_random else {}

    def settings(step: int) -> dict[str, str]:
        return {**said, **checkpoint_text(whole_run, step=offset + step, content=_spec_for_resume(content_spec),
                                          style=_spec_for_resume(style_spec),
                                          weights=weights_source or default_source(), inputs=saved_inputs)}

    def on_step(info) -> None:
        if not args.save_every or info.step % args.save_every:
            return
        p = _step_path(out, info.step)
        if p not in step_set:
            return
        try:
            images.save_image(info.image(), p, overwrite=args.overwrite, text=settings(info.step))
            saved_steps.append(p)
        except (OSError, ValueError) as e:  # a full disk must not cost the run
            _info(f"warning: could not save step image {p}: {e}")

    # the images are already loaded at their sizes; the config keeps the sizes for the record
    started = time.perf_counter()  # the whole call: the coarse stages too (the run's own clock starts after them)
    try:
        result = transfer.stylize(content, style, config, weights=weights, start=None if ck is None else ck.image,
                                  callback=on_step if args.save_every else None, progress=not args.quiet, **inputs)
    except NonFiniteLossError as e:
        if e.result is None or not e.result.history:
            raise CLIError(f"{e}; nothing was written") from None
        written = images.save_image(e.result.best_image, out, overwrite=args.overwrite, text=said or None)
        raise CLIError(f"{e}; saved the best image before it (step {e.result.best_step}) to {written}") from None
    history = result.history
    if not history:  # only Ctrl-C can stop a run before its start image is measured (step 0)
        _err("interrupted before the start image was measured; nothing was written.")
        return 130

    # 3. save (the best image); if the path was taken meanwhile, save next to it rather than lose the run
    code = 0
    try:
        written = images.save_image(result.best_image, out, overwrite=args.overwrite,
                                    text=settings(result.best_step))
    except (OSError, images.ImageError) as e:
        rescue = images.next_free_path(out if isinstance(e, FileExistsError)
                                       else Path(tempfile.gettempdir()) / f"stylelib-rescue-{out.stem}.png")
        written = images.save_image(result.best_image, rescue, text=settings(result.best_step))
        _err(f"could not write {out} ({e}); the result was saved to {rescue} instead")
        code = 1

    n = history[-1].step  # optimizer steps taken (step 0 is the start image)
    first = history[min(1, len(history) - 1)].seconds  # up to step 1: tracing and compiling included
    per_step = (history[-1].seconds - first) / (n - 1) if n > 1 else first
    timing = (f"{per_step:.3f} s/step after {first:.2f} s for the start and the first step (compiling)" if n > 1
              else "compiling included")
    if result.interrupted:
        _info(f"interrupted (Ctrl-C) at step {n} of {config.iterations}; saved the best image so far. To go on: "
              f"stylelib stylize --resume {written} -o {images.next_free_path(written)}")
        code = 130
    elif n < config.iterations:  # a normal return, never "interrupted"
        _info(f"{result.stop_reason} (scipy stops early when the loss no longer falls, when its line search "
              "fails, or after "
              f"{3 * config.iterations} loss evaluations); --optimizer adam always runs every step")
    if saved_steps:
        _info(f"{len(saved_steps)} step images: {saved_steps[0].name} ... {saved_steps[-1].name}")
    print(f"{PROG}: wrote {written} ({result.best_image.shape[1]}x{result.best_image.shape[0]}, the best of "
          f"{n}/{config.iterations} steps: step {result.best_step}) | loss final "
          f"{_fmt_loss(history[-1].total)}, best {_fmt_loss(result.best_loss)} | {timing}, "
          f"{time.perf_counter() - started:.1f} s in all", flush=True)
    if result.random_weights:
        print(random_banner("saved", path=str(written)), file=sys.stderr, flush=True)
    return code


# --------------------------------------------------------------------------------------------------
# weights
# --------------------------------------------------------------------------------------------------


def cmd_weights(args: argparse.Namespace) -> int:
    from . import vgg19

    env = os.environ.get("STYLELIB_WEIGHTS", "").strip()
    src = args.source if args.source is not None else vgg19.default_source()
    src = src.strip() or "keras"

    if args.download:
        if args.source is not None and src != "keras":
            raise CLIError(f"--download fetches Keras' ImageNet file only, not {src!r}; drop --source "
                           "(or write --source keras)", 2)
        path = vgg19.keras_cache_path()
        if path.exists():
            _info(f"{path} is already there; checking it")
        else:
            _info(f"downloading {vgg19.KERAS_WEIGHTS_URL} (about 80 MB) to {path}")
        with tf_startup_quiet():
            w = vgg19.load_weights("keras")  # downloads when missing; WeightsError says what went wrong
        print(f"{PROG}: OK: {w.source} loads and its MD5 matches; stylelib uses it by default.")
        return 0

    if args.check:
        ok, status = vgg19.weights_status(src)
        if ok:
            print(f"{PROG}: {status}")
            return 0
        _err(f"no usable trained VGG-19 weights: source {src!r} is {status}; "
             "run `stylelib weights` to see how to get them")
        return 1

    if args.source is not None:
        origin = "(--source)"
    elif env:
        origin = "(from STYLELIB_WEIGHTS)"
    else:
        origin = "(the default; set STYLELIB_WEIGHTS or pass --weights to change it)"
    print(vgg19.weights_report(src, origin))
    return 0


# --------------------------------------------------------------------------------------------------
# samples
# --------------------------------------------------------------------------------------------------


def cmd_samples(args: argparse.Namespace) -> int:
    import textwrap

    from .samples import SAMPLES, list_samples

    titles = {"content": "Content photos (use as CONTENT)", "style": "Style textures (use as STYLE)"}
    lines: list[str] = []
    for kind in ("content", "style"):
        if args.kind not in (None, kind):
            continue
        lines.append(f"{titles[kind]}:")
        for name in list_samples(kind):
            s = SAMPLES[name]
            size = f"{s.size[1]}x{s.size[0]}"
            lines.append(f"  {name:<13} {size:>9}  {s.description}")
            for text in (f"source: {s.source}", f"licence: {s.licence}"):
                lines += textwrap.wrap(text, width=96, initial_indent=" " * 27, subsequent_indent=" " * 29)
        lines.append("")
    lines.append("None needs a download: the photos and textures ship inside scikit-image, and stained_glass")
    lines.append("is painted by stylelib. Use them by name, e.g.")
    lines.append("  stylelib stylize sample:chelsea sample:brick -o cat.png")
    print("\n".join(lines))
    return 0
