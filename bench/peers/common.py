"""Line protocol shared by the peer scripts of `cargo xtask peers` (written for this project).

Usage: ``python <script>.py CASE PEER``. The script prepares the peer (imports, symbolic derivation,
jit compilation and one warm-up run, all timed as *preparation*), prints one JSON line
``{"ready": true, "version": ..., "threads": ..., "prepare_seconds": ...}`` and then, for every
``run`` line on stdin, runs the case once and prints ``{"seconds": ..., "error": ..., ...}``
(``seconds`` is the wall time of the run alone). ``quit`` ends it. A missing package prints
``{"unavailable": "..."}``; any other failure ``{"failed": "..."}``.
"""
import json
import os
import sys
import time
import traceback


def emit(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def threads_note(kind):
    """How many threads the peer uses: XLA takes every core, numpy/scipy here one."""
    cores = os.cpu_count() or 1
    return f"{cores} (XLA)" if kind == "xla" else "1"


def serve(cases):
    if len(sys.argv) != 3:
        emit({"failed": f"usage: {sys.argv[0]} CASE PEER"})
        return
    case, peer = sys.argv[1], sys.argv[2]
    factory = cases.get(case, {}).get(peer)
    if factory is None:
        emit({"failed": f"no peer {peer!r} for case {case!r}"})
        return
    t0 = time.perf_counter()
    try:
        run, info = factory()
    except ImportError as e:
        emit({"unavailable": f"{type(e).__name__}: {e}"})
        return
    except Exception as e:  # noqa: BLE001 - reported to the harness, which prints it
        emit({"failed": f"{type(e).__name__}: {e}", "trace": traceback.format_exc()[-2000:]})
        return
    info = dict(info)
    info["ready"] = True
    info["prepare_seconds"] = time.perf_counter() - t0
    emit(info)
    for line in sys.stdin:
        cmd = line.strip()
        if cmd == "quit":
            break
        if cmd != "run":
            continue
        try:
            t = time.perf_counter()
            out = run()
            dt = time.perf_counter() - t
        except Exception as e:  # noqa: BLE001
            emit({"failed": f"{type(e).__name__}: {e}", "trace": traceback.format_exc()[-2000:]})
            return
        out = dict(out)
        out["seconds"] = dt
        emit(out)


def enable_x64():
    import jax

    jax.config.update("jax_enable_x64", True)
    return jax
