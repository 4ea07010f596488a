"""scipy's L-BFGS-B without the copies ``scipy.optimize.minimize`` makes of a large problem (issue 11, memory).

The TF2 engine's L-BFGS (:class:`stylelib.transfer._LbfgsLoop`) optimizes every pixel of the image: at 1024 px,
two million variables, each float64 vector of them 17 MB. ``minimize(method='L-BFGS-B', bounds=Bounds(...))``
holds, besides the solver's own arrays, a Python list of one ``(lower, upper)`` tuple of floats per variable
(built from the ``Bounds`` and turned back into arrays, with a Python loop over every variable) and its
``ScalarFunction``'s copies of the point and the gradient. :func:`lbfgs_b` calls the same solver routine
directly. This module imports no TensorFlow.

    from stylelib.lbfgsb import lbfgs_b
    message = lbfgs_b(fg, x0, lower, upper, history=10, maxiter=100)

The routine is scipy's private ``scipy.optimize._lbfgsb.setulb``, whose signature this module knows for scipy 1.15
and later (where it became C). With another scipy — older, or a release that changes it — :func:`lbfgs_b` falls back
to ``scipy.optimize.minimize`` (the same iterates, with its copies): :data:`DIRECT` says which path runs.
"""

from __future__ import annotations

import hashlib

import numpy as np

__all__ = ["lbfgs_b", "DIRECT"]


def _direct_routine_known() -> bool:
    try:
        import scipy
        from scipy.optimize import _lbfgsb  # noqa: F401
        from scipy.optimize._lbfgsb_py import status_messages, task_messages  # noqa: F401
    except ImportError:
        return False
    major, minor = (int(p) for p in scipy.__version__.split(".")[:2])
    return (major, minor) >= (1, 15)


DIRECT: bool = _direct_routine_known()
"""True when :func:`lbfgs_b` calls scipy's routine directly (scipy >= 1.15 with the known private module);
False: it runs ``scipy.optimize.minimize`` instead."""


def _with_minimize(fg, x0, lower, upper, history, maxiter, maxfun, callback, ftol, gtol, maxls) -> str:
    """The fallback: the same problem through ``scipy.optimize.minimize(method='L-BFGS-B')``."""
    from scipy.optimize import Bounds, minimize

    last = {}

    def fun(x):
        g = np.empty_like(x)
        f = fg(x, g)
        last["x"] = x.copy()
        return f, g

    def on_iteration(x):  # the direct path's promise: fg was called last at the point the callback gets
        if not np.array_equal(last.get("x"), x):
            fun(x)
        callback(x)

    res = minimize(fun, np.clip(x0, lower, upper), jac=True, method="L-BFGS-B", bounds=Bounds(lower, upper),
                   callback=None if callback is None else on_iteration,
                   options={"maxiter": maxiter, "maxfun": maxfun, "maxcor": history, "ftol": ftol, "gtol": gtol,
                            "maxls": maxls})
    return str(res.message)


def lbfgs_b(fg, x0: np.ndarray, lower: np.ndarray, upper: np.ndarray, *, history: int = 10, maxiter: int = 15000,
            maxfun: int = 15000, callback=None, ftol: float = 2.2204460492503131e-09, gtol: float = 0.0,
            maxls: int = 20, overwrite_x0: bool = False) -> str:
    """scipy's L-BFGS-B (``scipy.optimize.minimize(method='L-BFGS-B')``, the same iterates bit for bit) without
    the copies its wrapper makes of the variables — issue 11, memory.

    ``minimize`` turns a ``Bounds`` of ``n`` variables into a Python list of ``n`` tuples of floats and back (about
    20 float64 vectors' worth of memory for a moment, and seconds of Python at 1024 px), and its ``ScalarFunction``
    keeps further copies of the point and the gradient. This calls scipy's own solver routine (``setulb``, the
    same code ``minimize`` runs) directly, with the arrays it needs and nothing else: the point, the gradient,
    the two bounds and its work arrays (``2·history + 5`` vectors); the last point evaluated is remembered by a
    digest of its bytes, not a copy (an evaluation is skipped only at a point of exactly those bytes). Bounds
    that are float64 and contiguous are used as they are (not copied), and with ``overwrite_x0`` so is the start.

    Parameters
    ----------
    fg : callable
        ``fg(x, g) -> f``: the function's value at ``x`` (float64 ``(n,)``); it writes the gradient into ``g``.
    x0, lower, upper : ndarray
        The start and the box bounds, ``(n,)`` (float64; other dtypes are converted); ``x0`` is clipped into the
        box. The bounds are only read.
    history : int
        Correction pairs kept (``maxcor``, scipy's default 10).
    maxiter, maxfun : int
        At most this many iterations; stop after an iteration once more than ``maxfun`` evaluations were made.
    callback : callable, optional
        ``callback(x)`` after each iteration, ``x`` the new point (the solver's own array: do not keep or change
        it); ``fg`` was called last at ``x`` (if the solver had not evaluated it last, it is evaluated again).
    ftol, gtol, maxls
        As ``minimize``'s L-BFGS-B options (``gtol`` is scipy's ``pgtol``).
    overwrite_x0 : bool
        As scipy.linalg's ``overwrite_a``: True lets the solver use ``x0`` (if float64 and contiguous) as its point,
        which it then changes — one image-sized vector less for a caller that does not need the start again
        (the TF2 engine, issue 11). Default False: ``x0`` is left alone.

    Returns
    -------
    str
        scipy's message (``'CONVERGENCE: RELATIVE REDUCTION OF F <= FACTR*EPSMCH'``, ``'STOP: TOTAL NO. OF
        ITERATIONS REACHED LIMIT'`` …).
    """
    if not DIRECT:
        return _with_minimize(fg, x0, lower, upper, history, maxiter, maxfun, callback, ftol, gtol, maxls)
    from scipy.optimize import _lbfgsb
    from scipy.optimize._lbfgsb_py import status_messages, task_messages

    n = x0.size
    m = int(history)
    low_bnd = np.ascontiguousarray(lower, dtype=np.float64)  # setulb only reads the bounds: no copy needed
    upper_bnd = np.ascontiguousarray(upper, dtype=np.float64)
    x = (np.asarray if overwrite_x0 else np.array)(x0, dtype=np.float64, order="C")
    np.clip(x, low_bnd, upper_bnd, out=x)
    nbd = np.full(n, 2, np.int32)  # both bounds, everywhere (the pixel range is finite)
    f = np.array(0.0, dtype=np.float64)
    g = np.zeros(n, np.float64)
    wa = np.zeros(2 * m * n + 5 * n + 11 * m * m + 8 * m, np.float64)
    iwa = np.zeros(3 * n, np.int32)
    task = np.zeros(2, np.int32)
    ln_task = np.zeros(2, np.int32)
    lsave = np.zeros(4, np.int32)
    isave = np.zeros(44, np.int32)
    dsave = np.zeros(29, np.float64)
    factr = ftol / np.finfo(float).eps
    state = {"nfev": 0, "last": None}

    def evaluate(point):
        # scipy's ScalarFunction does not evaluate the same point twice either (it keeps a copy of the point). The
        # last point is remembered by its SHA-256 digest instead: one image-sized vector less (17 MB at 1024 px,
        # 67 MB at 2048; issue 11, memory), for hashing the point at each request — an evaluation, or the check at
        # an iteration's end — (13 ms at 1024 px here, against about 5 s for an evaluation). `x` is the solver's
        # C-contiguous float64 array, which hashlib reads in place. Equal bytes, equal point: the same value and
        # gradient. Where scipy's np.array_equal differs — 0.0 against −0.0 (evaluated again here), NaN (skipped
        # here) — neither gives the callback another point's values. `fg` only reads the point.
        nonlocal f
        digest = hashlib.sha256(point).digest()
        if digest == state["last"]:
            return
        f = fg(point, g)
        state["nfev"] += 1
        state["last"] = digest

    evaluate(x)  # the start, as minimize's ScalarFunction evaluates it before the first call
    iterations = 0
    while True:
        _lbfgsb.setulb(m, x, low_bnd, upper_bnd, nbd, f, g, factr, gtol, wa, iwa, task, lsave, isave, dsave, maxls,
                       ln_task)
        if task[0] == 3:  # FG: the solver wants f and g at x
            evaluate(x)
        elif task[0] == 1:  # NEW_X: an iteration is done
            iterations += 1
            if callback is not None:
                evaluate(x)  # (nothing to do: the solver ends an iteration at the point it evaluated last)
                callback(x)
            if iterations >= maxiter:
                task[0], task[1] = 5, 504
            elif state["nfev"] > maxfun:
                task[0], task[1] = 5, 502
        else:
            break
    return status_messages[task[0]] + ": " + task_messages[task[1]]
