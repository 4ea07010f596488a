"""Images in and out: file -> RGB float array, resize, preprocess for given weights, deprocess, save.

Convention: an *image* is an ``(H, W, 3)`` float32 array of RGB values in 0–255.
A *preprocessed* batch is ``(1, H, W, 3)`` float32 in the channel order of the weights, mean subtracted.

Reading (:func:`load_image`) accepts anything Pillow can open and always returns the convention above:
transparency is composited on white, grayscale / palette / CMYK / 16-bit files become RGB, the EXIF
orientation a camera wrote is applied, and an animation gives its first frame. Every way a read can go
wrong (missing file, a directory, not an image, a truncated download) raises :class:`ImageError`, which
names the file and what to do about it.

Writing (:func:`save_image`) never destroys anything silently: it refuses to replace an existing file
unless asked to (``overwrite=True``), and it writes to a temporary file in the same directory first and
then renames it into place, so an interrupted save leaves either the old file or the new one — never
half an image.
"""

from __future__ import annotations

import numbers
import os
import secrets
import struct
import warnings
from pathlib import Path
from typing import Union

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError, features

from .vgg19 import VGG19Weights

__all__ = [
    "ImageError",
    "SAVE_FORMATS",
    "load_image",
    "check_size",
    "read_text",
    "array_to_image",
    "resize_longest",
    "at_longest",
    "shape_at_longest",
    "longest_side_shape",
    "resize_to",
    "to_uint8",
    "save_image",
    "next_free_path",
    "preprocess",
    "deprocess",
]

PathLike = Union[str, "os.PathLike[str]"]

_LANCZOS = getattr(Image, "Resampling", Image).LANCZOS  # Pillow < 9.1 has no Image.Resampling

WHITE = 255.0
"""The background that transparent pixels are composited on (0–255 scale)."""


class ImageError(ValueError):
    """An image file could not be read or written; the message names the file and the way out."""


# --------------------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------------------


def load_image(path: PathLike, max_size: int | None = None) -> np.ndarray:
    """Read an image file as an RGB image ``(H, W, 3)`` float32 with values in 0–255.

    Parameters
    ----------
    path
        Any file Pillow can read (PNG, JPEG, GIF, WebP, TIFF, BMP, ...). ``~`` is expanded.
    max_size
        If given, the image is resized so that its longest side is exactly ``max_size`` pixels, keeping
        the aspect ratio (see :func:`resize_longest`; larger images shrink, smaller ones are enlarged).
        ``None`` keeps the file's own size.

    What is done to the pixels
    --------------------------
    - EXIF orientation (phone photos taken upright but stored sideways) is applied first, so the array
      looks like the picture in a viewer.
    - Animated GIF / WebP / multi-page TIFF: the first frame only.
    - Transparency (RGBA, LA, PA, palette or grayscale with a transparent colour) is composited on
      white: a fully transparent pixel becomes (255, 255, 255).
    - Grayscale and black-and-white: the gray value is copied into R, G and B.
    - Palette images: looked up in their palette. CMYK / YCbCr: converted by Pillow.
    - 16-bit grayscale (Pillow modes ``I;16*`` and ``I``): 0–65535 is *scaled* to 0–255, so 65535 is
      white (Pillow's own conversion would clip everything above 255 to white).
    - 32-bit float (mode ``F``): values in 0–1 are scaled to 0–255, otherwise clipped to 0–255.

    Raises
    ------
    ImageError
        The file is missing, is a directory, cannot be read, is not an image Pillow knows, or is
        truncated / corrupt. The message names the file.
    ValueError
        ``max_size`` is not a positive integer.
    """
    if max_size is not None:
        check_size(max_size, "max_size")
    p = Path(os.fspath(path)).expanduser()
    _check_readable(p)
    try:
        with Image.open(p) as img:
            img.seek(0)  # first frame of an animation / first page of a multi-page file
            img.load()
            img = _apply_exif_orientation(img, p)
            rgb = _pil_to_rgb(img, p)
    except ImageError:
        raise
    except UnidentifiedImageError:
        raise ImageError(
            f"{p}: Pillow does not recognise this file as an image (wrong file, an HTML error page "
            "saved under an image name, or an unsupported format). Open it in an image viewer, or "
            "re-save it as PNG or JPEG."
        ) from None
    except Image.DecompressionBombError as exc:
        raise ImageError(
            f"{p}: the image is too large to read safely ({exc}). Shrink it with an image editor, or "
            "raise PIL.Image.MAX_IMAGE_PIXELS if you trust the file."
        ) from None
    except PermissionError:
        raise ImageError(f"{p}: permission denied. Check the file's permissions or copy it elsewhere.") from None
    except (OSError, SyntaxError, EOFError, ValueError, IndexError, struct.error) as exc:
        raise ImageError(
            f"{p}: the image data is truncated or corrupt ({type(exc).__name__}: {exc}). The download "
            "or copy was probably interrupted; fetch the file again or re-save it in an image editor."
        ) from None
    return at_longest(rgb, max_size)


def _apply_exif_orientation(img: Image.Image, p: Path) -> Image.Image:
    """Rotate/flip as the EXIF Orientation tag says; broken EXIF metadata only costs a warning."""
    try:
        return ImageOps.exif_transpose(img)
    except Exception as exc:  # malformed EXIF must not make a readable picture unreadable
        warnings.warn(
            f"{p}: could not apply the EXIF orientation ({type(exc).__name__}: {exc}); using the pixels "
            "as stored. If the picture looks rotated, rotate it in an image editor and save it again.",
            stacklevel=3,
        )
        return img


def _has_transparency(img: Image.Image) -> bool:
    flag = getattr(img, "has_transparency_data", None)  # Pillow >= 10.1
    if flag is not None:
        return bool(flag)
    return img.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in img.info


def _check_readable(p: Path) -> None:
    if not p.exists():
        where = "" if p.is_absolute() else f" (relative to the current directory {Path.cwd()})"
        raise ImageError(f"{p}: no such file{where}. Check the spelling and the directory.")
    if p.is_dir():
        raise ImageError(f"{p}: is a directory, not an image file. Pass the path of a file inside it.")


def _pil_to_rgb(img: Image.Image, p: Path) -> np.ndarray:
    """A loaded Pillow image of any mode -> ``(H, W, 3)`` float32 RGB in 0–255 (on a white background)."""
    mode = img.mode
    if mode.startswith("I;16") or mode == "I":
        return _sixteen_bit_to_rgb(img)
    if mode == "F":
        a = np.asarray(img, dtype=np.float32)
        finite = a[np.isfinite(a)]
        if finite.size and finite.min() >= 0.0 and finite.max() <= 1.0:
            a = a * 255.0
        a = np.clip(np.nan_to_num(a, nan=0.0), 0.0, 255.0)
        return _gray_to_rgb(a)
    if mode == "RGB":
        return np.asarray(img, dtype=np.float32).copy()
    if _has_transparency(img):
        rgba = np.asarray(img.convert("RGBA"), dtype=np.float32)
        return _composite_on_white(rgba[..., :3], rgba[..., 3])
    try:
        return np.asarray(img.convert("RGB"), dtype=np.float32).copy()
    except (ValueError, OSError) as exc:
        raise ImageError(
            f"{p}: Pillow cannot convert its mode {mode!r} to RGB ({exc}). Re-save the file as an "
            "8-bit RGB PNG or JPEG."
        ) from None


def _sixteen_bit_to_rgb(img: Image.Image) -> np.ndarray:
    raw = np.asarray(img)
    a = raw.astype(np.float64)
    if a.size and (a.min() < 0 or a.max() > 65535):  # a genuine 32-bit integer image: use its range
        lo, hi = float(a.min()), float(a.max())
        a = (a - lo) * (255.0 / (hi - lo)) if hi > lo else np.zeros_like(a)
    else:
        a = a * (255.0 / 65535.0)
    gray = a.astype(np.float32)
    trns = img.info.get("transparency")
    if isinstance(trns, numbers.Integral):  # a 16-bit PNG's tRNS chunk: one fully transparent value
        gray = np.where(raw == trns, np.float32(WHITE), gray)
    return _gray_to_rgb(gray)


def _gray_to_rgb(gray: np.ndarray) -> np.ndarray:
    return np.repeat(np.asarray(gray, np.float32)[..., None], 3, axis=-1)


def _composite_on_white(rgb: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    """``rgb (H, W, 3)`` and ``alpha (H, W)``, both 0–255 -> ``rgb`` over a white background."""
    a = (np.asarray(alpha, np.float32) / 255.0)[..., None]
    return (np.asarray(rgb, np.float32) * a + np.float32(WHITE) * (1.0 - a)).astype(np.float32)


FLOAT_OVERSHOOT = 0.05
"""How far a float array in the 0–1 convention may stray outside [0, 1] (interpolation overshoot) and still be
read as 0–1, clipped, with a warning."""


def array_to_image(array: np.ndarray) -> np.ndarray:
    """Bring an in-memory array to the image convention ``(H, W, 3)`` float32 RGB in 0–255.

    Parameters
    ----------
    array : ndarray
        ``(H, W)`` grayscale, ``(H, W, 1)``, ``(H, W, 3)`` RGB or ``(H, W, 4)`` RGBA (composited on white).

    Returns
    -------
    ndarray
        ``(H, W, 3)`` float32 in 0–255.

    Notes
    -----
    The value range follows from the dtype and, for floats, from the values — one rule for all channels,
    alpha included:

    * ``bool``: True is 255. ``uint8`` and other integers: 0–255 as they are. ``uint16``: 0–65535, scaled.
    * float whose values all lie in [0, 1]: the 0–1 convention of matplotlib (``plt.imread`` of a PNG) and
      scikit-image (``img_as_float``), scaled by 255.
    * float within [−0.05, 1.05] but outside [0, 1]: taken as 0–1 with interpolation overshoot, clipped, with a
      one-line warning.
    * any other float: 0–255 (overshoot of up to 1 is clipped).

    Raises
    ------
    ValueError
        A shape other than the above, NaN or infinite values, or values outside the range of the
        convention (one line naming the range found and the way out).

    Examples
    --------
    >>> array_to_image(np.array([[0.0, 0.5, 1.0]]))[0, :, 0].tolist()  # 0–1 floats
    [0.0, 127.5, 255.0]
    >>> array_to_image(np.array([[0.0, 128.0, 255.0]]))[0, :, 0].tolist()  # 0–255 floats
    [0.0, 128.0, 255.0]
    """
    a = np.asarray(array)
    if not (a.ndim == 2 or (a.ndim == 3 and a.shape[-1] in (1, 3, 4))):
        raise ValueError(
            f"array_to_image expects (H, W), (H, W, 1), (H, W, 3) or (H, W, 4), got shape {np.shape(array)}"
        )
    if a.shape[0] < 1 or a.shape[1] < 1:
        raise ValueError(f"the image array has no pixels (shape {a.shape}); give an image at least 1×1")
    if a.dtype == bool:
        a = a.astype(np.float32) * 255.0
    elif a.dtype == np.uint16:
        a = a.astype(np.float32) * (255.0 / 65535.0)
    elif np.issubdtype(a.dtype, np.integer):
        if a.size and (a.min() < 0 or a.max() > 255):
            raise ValueError(f"an integer image array must hold 0–255, this one holds {a.min()}..{a.max()}; "
                             "scale it (or pass uint16 for 0–65535)")
        a = a.astype(np.float32)
    elif np.issubdtype(a.dtype, np.floating):
        a = _float_to_0_255(a)
    else:
        raise ValueError(f"an image array must be bool, integer or float, not {a.dtype}")
    if a.ndim == 2:
        return _gray_to_rgb(a)
    if a.shape[-1] == 1:
        return _gray_to_rgb(a[..., 0])
    if a.shape[-1] == 3:
        return a
    return _composite_on_white(a[..., :3], a[..., 3])


def _float_to_0_255(a: np.ndarray) -> np.ndarray:
    # the range is judged on the values as given (float64 stays float64 here): a cast first would turn -0.05 into
    # -0.0500000007 (outside the band) and a finite 1e39 into inf (the wrong message)
    finite = np.isfinite(a)
    if not finite.all():
        raise ValueError(f"the image array holds {int((~finite).sum())} NaN or infinite values; replace them "
                         "(e.g. np.nan_to_num) before using it as an image")
    lo, hi = float(a.min()), float(a.max())
    if lo >= 0.0 and hi <= 1.0:
        return a.astype(np.float32) * np.float32(255.0)
    if lo >= -FLOAT_OVERSHOOT and hi <= 1.0 + FLOAT_OVERSHOOT:
        warnings.warn(f"a float image array with values {lo:.3g}..{hi:.3g} was read as 0–1 and clipped to [0, 1]; "
                      "multiply it by 255 first if it was meant as 0–255", UserWarning, stacklevel=3)
        return np.clip(a, 0.0, 1.0).astype(np.float32) * np.float32(255.0)
    if lo >= -1.0 and hi <= 256.0:
        return np.clip(a, 0.0, 255.0).astype(np.float32)
    raise ValueError(f"a float image array must hold 0–1 or 0–255 values, this one holds {lo:.4g}..{hi:.4g}; "
                     "rescale it (e.g. np.clip(x, 0, 255)) before using it as an image")


# --------------------------------------------------------------------------------------------------
# Resizing
# --------------------------------------------------------------------------------------------------


def check_size(value: object, name: str) -> int:
    """``value`` as an int if it is a positive integer number of pixels, else ``ValueError`` naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or int(value) < 1:
        raise ValueError(f"{name} must be a positive integer number of pixels, got {value!r}")
    return int(value)


def _as_hwc(image: np.ndarray, who: str) -> np.ndarray:
    a = np.asarray(image)
    if a.ndim == 2:
        a = a[..., None]
    if a.ndim != 3 or a.shape[0] < 1 or a.shape[1] < 1:
        raise ValueError(f"{who} expects an image (H, W, C) or (H, W), got shape {np.shape(image)}")
    return a


def resize_to(image: np.ndarray, height: int, width: int) -> np.ndarray:
    """Resample ``image`` ``(H, W, C)`` (or ``(H, W)``) to ``(height, width, C)`` float32.

    Uses Pillow's Lanczos filter on each channel in 32-bit float, so no precision is lost to uint8 and
    shrinking is properly anti-aliased. Lanczos can overshoot at sharp edges; the result is clipped to
    the input's own value range, so 0–255 input stays in 0–255.
    """
    height = check_size(height, "height")
    width = check_size(width, "width")
    a = _as_hwc(image, "resize_to").astype(np.float32)
    squeeze = np.ndim(image) == 2
    if a.shape[:2] == (height, width):
        out = a.copy()
    else:
        channels = [
            np.asarray(
                Image.fromarray(np.ascontiguousarray(a[..., c])).resize(
                    (width, height), _LANCZOS
                ),
                dtype=np.float32,
            )
            for c in range(a.shape[-1])
        ]
        out = np.stack(channels, axis=-1)
        if a.size:
            out = np.clip(out, a.min(), a.max())
    return out[..., 0] if squeeze else out


def longest_side_shape(height: int, width: int, size: int) -> tuple[int, int]:
    """``(new_height, new_width)`` with the longest side ``size`` and the aspect ratio kept (each ≥ 1)."""
    size = check_size(size, "size")
    scale = size / max(height, width)
    if height >= width:
        return size, max(1, round(width * scale))
    return max(1, round(height * scale)), size


def shape_at_longest(image: np.ndarray, size: int | None) -> tuple[int, int]:
    """``(height, width)`` that ``image`` ``(H, W, C)`` gets with its longest side ``size`` px (``None``: its own
    shape) — what :func:`at_longest` gives, known before anything is allocated (for a memory check)."""
    h, w = image.shape[:2]
    return (h, w) if size is None else longest_side_shape(h, w, size)


def at_longest(image: np.ndarray, size: int | None) -> np.ndarray:
    """``image`` with its longest side ``size`` px (:func:`resize_longest`), unchanged when it has that size
    already or ``size`` is ``None`` — as :func:`load_image` with ``max_size`` resizes."""
    return image if size is None or max(image.shape[:2]) == size else resize_longest(image, size)


def resize_longest(image: np.ndarray, size: int) -> np.ndarray:
    """Resize ``image`` ``(H, W, C)`` so that its longest side is ``size`` pixels; float32 out.

    The aspect ratio is kept (the short side is rounded, and never below 1 pixel). Both shrinking and
    enlarging happen; see :func:`resize_to` for the filter. ``size`` must be a positive integer,
    otherwise ``ValueError`` names the bad value.
    """
    size = check_size(size, "size")
    a = _as_hwc(image, "resize_longest")
    h, w = longest_side_shape(a.shape[0], a.shape[1], size)
    return resize_to(image, h, w)


# --------------------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------------------

SAVE_FORMATS: dict[str, str] = {
    ".png": "PNG",
    ".jpg": "JPEG",
    ".jpeg": "JPEG",
    ".bmp": "BMP",
    ".tif": "TIFF",
    ".tiff": "TIFF",
    ".ppm": "PPM",
}
"""File suffix -> Pillow format that :func:`save_image` writes (WebP too when Pillow was built with it)."""
if features.check("webp"):
    SAVE_FORMATS[".webp"] = "WEBP"

_SAVE_OPTIONS: dict[str, dict] = {
    "JPEG": {"quality": 95, "subsampling": 0},
    "WEBP": {"quality": 95},
    "PNG": {"compress_level": 6},
}


def to_uint8(image: np.ndarray) -> np.ndarray:
    """Round and clip an image (any shape, values 0–255) to ``uint8``; ``uint8`` input is returned as is.

    Raises ``ValueError`` if the image contains NaN or infinity (e.g. a diverged optimization), instead
    of silently turning those pixels into arbitrary values.
    """
    a = np.asarray(image)
    if a.dtype == np.uint8:
        return a
    if a.dtype == bool:
        return a.astype(np.uint8) * 255
    a = a.astype(np.float32)
    if not np.all(np.isfinite(a)):
        bad = int(np.size(a) - np.count_nonzero(np.isfinite(a)))
        raise ValueError(f"to_uint8: the image has {bad} NaN/inf values; cannot convert it to pixels")
    return np.clip(np.rint(a), 0, 255).astype(np.uint8)


def save_image(image: np.ndarray, path: PathLike, *, overwrite: bool = False,
               text: dict[str, str] | None = None) -> Path:
    """Write an RGB image to ``path`` and return the path.

    Parameters
    ----------
    image
        ``(H, W, 3)`` float in 0–255 (rounded and clipped, see :func:`to_uint8`) or ``uint8``.
    path
        Where to write; the format follows the suffix (see :data:`SAVE_FORMATS`). Missing parent
        directories are created. ``~`` is expanded.
    overwrite
        ``False`` (default): an existing file is never replaced — ``FileExistsError`` is raised and the
        file is left untouched. ``True``: replace it.
    text
        Key/value strings stored in a PNG's text chunks (read back by :func:`read_text`), or as ``key: value``
        lines in a JPEG's comment (at most 65,000 bytes); other formats have no such place and ignore them.
        stylelib keeps a run's settings there, to resume it (from a PNG), and says so when the weights were
        random.

    The image is written to a temporary file in the same directory, flushed to disk, then moved into
    place atomically (``os.replace``, or a hard link that fails if the name was taken meanwhile when
    ``overwrite=False``). A crash or full disk mid-write therefore leaves the old file (if any) intact
    and no half-written image under ``path``.

    Raises
    ------
    FileExistsError
        ``path`` exists and ``overwrite`` is False.
    ImageError
        Unknown suffix (the message lists the supported ones), or ``path`` is a directory.
    ValueError
        ``image`` is not ``(H, W, 3)``, or contains NaN/inf.
    """
    p = Path(os.fspath(path)).expanduser()
    fmt = SAVE_FORMATS.get(p.suffix.lower())
    if fmt is None:
        supported = ", ".join(sorted(SAVE_FORMATS))
        raise ImageError(
            f"{p}: cannot tell which image format to write from the suffix {p.suffix or '(none)'!r}. "
            f"Use one of: {supported}."
        )
    a = np.asarray(image)
    if a.ndim != 3 or a.shape[-1] != 3 or a.shape[0] < 1 or a.shape[1] < 1:
        raise ValueError(f"save_image expects an RGB image (H, W, 3), got shape {a.shape} (for {p})")
    pixels = to_uint8(a)
    if p.is_dir():
        raise ImageError(f"{p}: is a directory. Give a file name such as {p / 'stylized.png'}.")
    if p.exists() and not overwrite:
        raise FileExistsError(_exists_message(p))

    p.parent.mkdir(parents=True, exist_ok=True)
    tmp = _create_temp(p)
    try:
        with open(tmp, "wb") as fh:
            options = dict(_SAVE_OPTIONS.get(fmt, {}))
            if text and fmt == "PNG":
                from PIL.PngImagePlugin import PngInfo

                info = PngInfo()
                for key, value in text.items():
                    info.add_itxt(key, value)  # iTXt: UTF-8, so unicode file names survive
                options["pnginfo"] = info
            elif text and fmt == "JPEG":  # JPEG has one free-text place, its comment (COM) segment
                options["comment"] = "\n".join(f"{key}: {value}" for key, value in text.items()).encode()[:65000]
            Image.fromarray(np.ascontiguousarray(pixels)).save(fh, format=fmt, **options)
            fh.flush()
            os.fsync(fh.fileno())
        if overwrite:
            os.replace(tmp, p)
        else:
            _move_no_clobber(tmp, p)
    finally:
        if tmp.exists():
            tmp.unlink()
    _fsync_dir(p.parent)
    return p


def read_text(path: PathLike) -> dict[str, str]:
    """The text chunks of a PNG file (what :func:`save_image` wrote with ``text=``); ``{}`` for other formats.

    Raises :class:`ImageError` naming the file when it cannot be read as an image.
    """
    p = Path(os.fspath(path)).expanduser()
    _check_readable(p)
    try:
        with Image.open(p) as img:
            return {str(k): str(v) for k, v in getattr(img, "text", {}).items()}
    except (UnidentifiedImageError, OSError) as e:
        raise ImageError(f"{p}: cannot read it as an image ({e})") from None


def _exists_message(p: Path) -> str:
    return (
        f"{p} already exists and was left untouched. Pass overwrite=True (--overwrite on the command "
        f"line) to replace it, or choose another name, e.g. {next_free_path(p)}."
    )


def _create_temp(p: Path) -> Path:
    """Create an empty, exclusively-owned temporary file next to ``p`` (normal umask permissions)."""
    for _ in range(100):
        tmp = p.with_name(f".{p.name}.{secrets.token_hex(4)}.tmp")
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:
            continue
        os.close(fd)
        return tmp
    raise ImageError(f"{p}: could not create a temporary file in {p.parent}")  # pragma: no cover


def _move_no_clobber(tmp: Path, p: Path) -> None:
    """Move ``tmp`` to ``p`` but fail with FileExistsError if ``p`` appeared since we checked."""
    try:
        os.link(tmp, p)  # atomic and refuses an existing target
    except FileExistsError:
        raise FileExistsError(_exists_message(p)) from None
    except OSError:  # filesystem without hard links: check, then rename (tiny race window)
        if p.exists():
            raise FileExistsError(_exists_message(p)) from None
        os.replace(tmp, p)
        return
    tmp.unlink()


def _fsync_dir(d: Path) -> None:
    """Make the rename durable on POSIX; harmless no-op where directories cannot be opened."""
    try:
        fd = os.open(d, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def next_free_path(path: PathLike) -> Path:
    """The first of ``path``, ``stem-1.suffix``, ``stem-2.suffix``, ... that does not exist yet.

    ``"out.png"`` -> ``"out.png"`` if free, else ``"out-1.png"``, ``"out-2.png"``, ... Checking and
    writing are separate steps, so pair it with :func:`save_image` (which still refuses to overwrite).
    """
    p = Path(os.fspath(path)).expanduser()
    if not p.exists():
        return p
    n = 1
    while True:
        candidate = p.with_name(f"{p.stem}-{n}{p.suffix}")
        if not candidate.exists():
            return candidate
        n += 1


# --------------------------------------------------------------------------------------------------
# Network input
# --------------------------------------------------------------------------------------------------


def preprocess(image: np.ndarray, weights: VGG19Weights) -> np.ndarray:
    """RGB 0–255 image ``(H, W, 3)`` or batch ``(N, H, W, 3)`` -> network input ``(N, H, W, 3)`` float32.

    Reorders channels to ``weights.channel_order`` and subtracts ``weights.mean`` (given in that order).
    """
    x = np.asarray(image, dtype=np.float32)
    if x.ndim == 3:
        x = x[None]
    if x.ndim != 4 or x.shape[-1] != 3:
        raise ValueError(f"preprocess expects (H, W, 3) or (N, H, W, 3) RGB, got shape {np.shape(image)}")
    if weights.channel_order == "BGR":
        x = x[..., ::-1]
    return (x - np.asarray(weights.mean, np.float32)).astype(np.float32)


def deprocess(x, weights: VGG19Weights) -> np.ndarray:
    """Inverse of :func:`preprocess`: network input ``(1, H, W, 3)`` or ``(H, W, 3)`` -> RGB uint8 ``(H, W, 3)``.

    Raises ``ValueError`` for NaN or infinite values (a diverged run) rather than casting them to black.
    """
    x = np.asarray(x, dtype=np.float32)
    if x.ndim == 4:
        if x.shape[0] != 1:
            raise ValueError(f"deprocess expects one image, got a batch of {x.shape[0]}")
        x = x[0]
    x = x + np.asarray(weights.mean, np.float32)
    if weights.channel_order == "BGR":
        x = x[..., ::-1]
    return to_uint8(x)  # refuses NaN/inf pixels rather than casting them to black
