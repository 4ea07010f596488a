"""One large coarse-to-fine run: wall and CPU seconds, the coarse stages' share, peak RSS (issue 12: "a 1600 px result
is practical on a laptop CPU").

    STYLELIB_WEIGHTS=random .venv/bin/python -m benchmarks.large_run 1600 20 40 lbfgs

Arguments: size (px), full-size iterations, coarse iterations per stage, optimizer. ``stylize("sample:chelsea",
"sample:stained_glass", size=..., iterations=..., coarse_iterations=...)`` with the default ``coarse_to_fine='auto'``
(1600 px: stages of 400 and 800 px). The first callback marks the end of the coarse stages (only the full-size stage
reports to callbacks). Prints one JSON line; peak RSS is this process's ``VmHWM``.
"""

import json
import os
import sys
import time
import warnings


def status(key):
    for line in open("/proc/self/status"):
        if line.startswith(key + ":"):
            return int(line.split()[1]) * 1024
    return 0


def main(size: int, its: int, cits: int, opt: str = "lbfgs") -> dict:
    warnings.simplefilter("ignore")
    from stylelib import transfer
    from stylelib.vgg19 import load_weights

    w = load_weights("random")
    t0, c0 = time.perf_counter(), time.process_time()
    first = {}

    def cb(info):
        if not first:
            first.update(wall=time.perf_counter() - t0, cpu=time.process_time() - c0, hwm=status("VmHWM"))

    r = transfer.stylize("sample:chelsea", "sample:stained_glass", size=size, iterations=its, coarse_iterations=cits,
                         optimizer=opt, weights=w, callback=cb)
    out = {"size": size, "shape": list(r.shape), "optimizer": opt, "iterations": its, "coarse_iterations": cits,
           "wall": time.perf_counter() - t0, "cpu": time.process_time() - c0,
           "coarse_done_wall": first.get("wall"), "coarse_done_cpu": first.get("cpu"),
           "hwm_after_coarse_MB": first.get("hwm", 0) / 1e6, "peak_MB": status("VmHWM") / 1e6,
           "start_loss": r.history[0].total, "best_loss": r.best_loss, "steps": len(r.history) - 1,
           "stop": r.stop_reason, "load": os.getloadavg()}
    print(json.dumps(out))
    return out


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), *(sys.argv[4:5] or ["lbfgs"]))
