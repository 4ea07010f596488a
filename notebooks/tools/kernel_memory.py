"""How much memory a notebook's kernel holds: run notebooks in FULL mode, each in a fresh kernel, and read the
kernel process's resident set size.

    PYTHONPATH=$PWD .venv/bin/python notebooks/tools/kernel_memory.py            # every notebook, one table
    PYTHONPATH=$PWD .venv/bin/python notebooks/tools/kernel_memory.py notebooks/01_vgg19_at_any_size.ipynb --cells

Each notebook runs the way ``tools/refresh.py`` runs it (:func:`refresh.notebook_client`: ``STYLELIB_QUICK=0``,
``STYLELIB_WEIGHTS`` ``random`` unless set), with the cells of its ``.py`` source (what the next refresh would
run), but nothing is written: the executed notebook stays in memory. After every code cell, while the kernel is
alive, this tool reads ``VmRSS`` (resident now) and ``VmHWM`` (the peak so far) from the kernel process's
``/proc/PID/status`` — from outside, so the measurement adds nothing to the kernel. It prints one row per
notebook: the RSS after the last cell, the peak, and the wall time (kernel start included).

``--cells`` also prints, per notebook, the RSS after each code cell and what the cell added, which is how to find
the cells that keep memory. ``--probe`` runs two more cells after the notebook (``gc.collect()``, then glibc's
``malloc_trim(0)``) and prints the RSS after each: what the kernel holds that is garbage in reference cycles, and
what is free memory glibc has not yet returned to the system. ``--then CODE`` (repeatable) runs CODE as one more
cell after the notebook (and the probes), to try a change without editing the notebook: e.g.
``--then 'sess.close()'``. ``--markdown`` prints the table as Markdown.

Linux only (``/proc``). Prints the machine's load average (``os.getloadavg``) with the table: the wall times
depend on it, the memory hardly does.
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

import jupytext
import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent))
import refresh  # noqa: E402  (this folder is not a package: the refresh tool sits next to this file)

MB = 1024 * 1024

# Run after the notebook with --probe (the kernel's memory after each is read like any cell's).
PROBE_CELLS = {
    "after gc.collect()": "import gc\ngc.collect();",
    # glibc keeps freed memory in its heaps (arenas) until told otherwise; malloc_trim(0) returns what it can
    "after malloc_trim(0)": "import ctypes\nctypes.CDLL('libc.so.6').malloc_trim(0);",
}


def read_status(pid: int) -> dict[str, int]:
    """``VmRSS``, ``VmHWM`` and ``RssAnon`` of a process in bytes, from ``/proc/PID/status`` (Linux).

    ``RssAnon`` is the resident memory that belongs to the process alone (its heap, TensorFlow's buffers): ``VmRSS``
    minus the pages of files it maps (shared libraries, ``RssFile``) and shared memory. The mapped library pages
    depend on the page cache — a freshly installed TensorFlow reads 100 MB more — so ``RssAnon`` is the part a
    notebook changes (notebooks/README.md, "Reading these numbers")."""
    values = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "VmHWM", "RssAnon"):
                values[key] = int(rest.split()[0]) * 1024  # the file gives kB
    return values


def kernel_pid(client) -> int:
    """The process id of the kernel a running :class:`nbclient.NotebookClient` started."""
    return client.km.provisioner.process.pid


@dataclass
class CellMemory:
    index: int
    label: str  # the cell's first line
    rss: int
    peak: int
    anon: int  # RssAnon: resident memory of the process's own (not file-backed) pages


@dataclass
class Measurement:
    name: str
    seconds: float = 0.0
    cells: list[CellMemory] = field(default_factory=list)
    probes: dict[str, int] = field(default_factory=dict)
    n_cells: int = 0  # the notebook's own cells (probe cells come after)

    @property
    def end(self) -> CellMemory:
        """The kernel after the notebook's last cell."""
        return [c for c in self.cells if c.index < self.n_cells][-1]


def source_notebook(path: Path):
    """The notebook to run: the cells of the ``.py`` source (what the next refresh runs), or the ``.ipynb`` when
    there is no ``.py``."""
    path = Path(path).resolve()
    py = refresh.paired_py(path)
    return jupytext.read(py) if py.exists() else nbformat.read(path, as_version=4)


def measure(path: Path, *, probe: bool = False, then: tuple[str, ...] = (), timeout: int = 1800) -> Measurement:
    """Run one notebook in FULL mode in a fresh kernel and record the kernel's memory after every code cell;
    with ``probe``, run :data:`PROBE_CELLS` after it, then the cells ``then``."""
    path = Path(path).resolve()
    nb = source_notebook(path)
    result = Measurement(path.name, n_cells=len(nb.cells))
    labels = {}
    extra = (PROBE_CELLS if probe else {}) | {f"then: {code[:50]}": code for code in then}
    for label, code in extra.items():
        labels[len(nb.cells)] = label
        nb.cells.append(nbformat.v4.new_code_cell(code))

    def after_cell(cell, cell_index, **_):
        status = read_status(kernel_pid(client))
        label = labels.get(cell_index) or (cell.source.strip().splitlines() or [""])[0][:60]
        result.cells.append(CellMemory(cell_index, label, status["VmRSS"], status["VmHWM"], status["RssAnon"]))
        if cell_index in labels and cell_index < result.n_cells + (len(PROBE_CELLS) if probe else 0):
            result.probes[labels[cell_index]] = status["VmRSS"]

    client = refresh.notebook_client(nb, path.parent, timeout, on_cell_executed=after_cell)
    result.seconds = refresh.execute(client)
    return result


def print_cells(m: Measurement) -> None:
    print(f"\n{m.name}: RSS after each code cell (MB), what it added, the peak so far")
    previous = None
    for c in m.cells:
        added = "" if previous is None else f"{(c.rss - previous) / MB:+7.0f}"
        print(f"  [{c.index:3d}] {c.rss / MB:6.0f} {added:>7} {c.peak / MB:6.0f}  {c.label}")
        previous = c.rss


def print_table(rows: list[Measurement], markdown: bool) -> None:
    probes = list(PROBE_CELLS) if any(m.probes for m in rows) else []
    head = ["notebook", "RSS at end (MB)", "peak (MB)", "wall (s)", "RssAnon at end (MB)"] + \
        [f"RSS {p} (MB)" for p in probes]
    table = [[m.name, f"{m.end.rss / MB:.0f}", f"{m.end.peak / MB:.0f}", f"{m.seconds:.0f}", f"{m.end.anon / MB:.0f}"]
             + [f"{m.probes[p] / MB:.0f}" if p in m.probes else "" for p in probes] for m in rows]
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"\nkernel memory, FULL mode, weights={os.environ.get('STYLELIB_WEIGHTS', 'random')}; "
          f"load average at the end: {load}")
    if markdown:
        print("| " + " | ".join(head) + " |")
        print("|" + "---|" * len(head))
        for r in table:
            print("| " + " | ".join(r) + " |")
        return
    widths = [max(len(h), *(len(r[i]) for r in table)) for i, h in enumerate(head)]
    print("  ".join(h.ljust(w) for h, w in zip(head, widths)))
    for r in table:
        print("  ".join(v.ljust(w) if i == 0 else v.rjust(w) for i, (v, w) in enumerate(zip(r, widths))))


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: every notebook (what `make notebooks` runs)")
    parser.add_argument("--cells", action="store_true", help="print the RSS after each code cell")
    parser.add_argument("--probe", action="store_true", help="then gc.collect() and malloc_trim(0), RSS after each")
    parser.add_argument("--then", action="append", default=[], metavar="CODE",
                        help="one more cell to run after the notebook (repeatable)")
    parser.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    args = parser.parse_args(argv)
    rows = []
    for path in args.notebooks or refresh.all_notebooks():
        m = measure(path, probe=args.probe, then=tuple(args.then))
        rows.append(m)
        print(f"{m.name}: RSS at end {m.end.rss / MB:.0f} MB (anonymous {m.end.anon / MB:.0f}), peak {m.end.peak / MB:.0f} MB, "
              f"{m.seconds:.0f} s",
              flush=True)
        if args.cells:
            print_cells(m)
    print_table(rows, args.markdown)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
