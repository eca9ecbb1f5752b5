"""Batched vs one-at-a-time training of the Sec. 4 forgetting simulation (seed 000).

Trains the same (seed x cos x alpha) configurations twice: `forgetting_sweep` (all networks of a chunk as one set of stacked
arrays) and `forgetting_sweep_loop` (the paper's way: a Python loop over configurations, 2-D NumPy products per network).
Both use identical data, initialisations and minibatch indices, so their results agree to float rounding (checked) and only the time
differs. The batched sweep runs twice: with one worker (same resources as the loop) and with --workers workers (default: all
cores; forked processes over seed blocks for large sweeps on Linux, else threads over chunks), each with --threads BLAS threads.
Prints wall times and the ratios; never asserts a time.

    python benchmarks/forgetting_batched_vs_loop.py [--seeds 2] [--alphas 11] [--hidden 64] [--threads 1] [--workers N] [--dtype float32]
"""
import argparse, os, time
import numpy as np
from forgetting_quant.forgetting.mlp import NetSetup, forgetting_sweep, forgetting_sweep_loop, FIG2_COS

p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
p.add_argument('--seeds', type=int, default=4); p.add_argument('--alphas', type=int, default=11)
p.add_argument('--hidden', type=int, nargs='+', default=[64]); p.add_argument('--threads', type=int, default=1)
p.add_argument('--workers', type=int, default=os.cpu_count()); p.add_argument('--dtype', default='float32'); p.add_argument('--chunk', type=int, default=None)
a = p.parse_args()
setup = NetSetup(hidden=tuple(a.hidden), dtype=a.dtype)
seeds, cos, alphas = range(a.seeds), FIG2_COS, np.linspace(0, 1, a.alphas)
n = a.seeds * len(cos) * a.alphas
print(f"{n} configurations ({a.seeds} seeds x {len(cos)} cos x {a.alphas} alphas), hidden={setup.hidden}, {setup.n_params} params, "
      f"{setup.steps_pre} pre + {setup.steps_ft} fine-tuning steps, batch {setup.batch}, {a.dtype}, {a.threads} BLAS thread(s)")
tiny, tiny_setup = (range(1), cos[:2], alphas[:2]), NetSetup(hidden=tuple(a.hidden), dtype=a.dtype, steps_pre=5, steps_ft=5)
forgetting_sweep(*tiny, setup=tiny_setup, progress=False, workers=1); forgetting_sweep_loop(*tiny, setup=tiny_setup)    # warm-up: imports, allocator, BLAS
def batched(workers):
    t0 = time.perf_counter()
    r = forgetting_sweep(seeds, cos, alphas, setup=setup, chunk=a.chunk, progress=False, n_threads=a.threads, workers=workers)
    return r, time.perf_counter() - t0
rb, tb = batched(1)
rw, tw = batched(a.workers) if a.workers > 1 else (rb, tb)
t0 = time.perf_counter(); rl = forgetting_sweep_loop(seeds, cos, alphas, setup=setup, n_threads=a.threads)
tl = time.perf_counter() - t0
dev = max(float(np.abs(r[k] - rl[k]).max()) for r in (rb, rw) for k in ('forgetting_raw', 'adaptation', 'ft_loss', 'drift'))
print(f"loop (one at a time)         : {tl:8.2f} s   ({tl / n * 1e3:.2f} ms per configuration)")
print(f"batched, 1 worker            : {tb:8.2f} s   ({tb / n * 1e3:.2f} ms per configuration)   speed-up {tl / tb:6.2f}x")
if a.workers > 1:
    print(f"batched, {a.workers} workers           : {tw:8.2f} s   ({tw / n * 1e3:.2f} ms per configuration)   speed-up {tl / tw:6.2f}x")
print(f"max |batched - loop| over forgetting, adaptation, FT loss, drift: {dev:.2e}")
