"""Batched vs one-at-a-time training of the Sec. 4 forgetting simulation (seed 000).

Trains the same (seed x cos x alpha) configurations twice: `forgetting_sweep` (all networks of a chunk as one set of stacked
arrays) and `forgetting_sweep_loop` (the paper's way: a Python loop over configurations, 2-D NumPy products per network).
Both use identical data, initialisations and minibatch indices, so their results must agree (checked) and only the time differs.
Prints wall times and the ratio; never asserts a time.

    python benchmarks/forgetting_batched_vs_loop.py [--seeds 2] [--alphas 11] [--hidden 64] [--threads 1] [--dtype float32]
"""
import argparse, time
import numpy as np
from forgetting_quant.forgetting.mlp import NetSetup, forgetting_sweep, forgetting_sweep_loop, FIG2_COS

p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
p.add_argument('--seeds', type=int, default=2); p.add_argument('--alphas', type=int, default=11)
p.add_argument('--hidden', type=int, nargs='+', default=[64]); p.add_argument('--threads', type=int, default=1)
p.add_argument('--dtype', default='float32'); p.add_argument('--chunk', type=int, default=256)
a = p.parse_args()
setup = NetSetup(hidden=tuple(a.hidden), dtype=a.dtype)
seeds, cos, alphas = range(a.seeds), FIG2_COS, np.linspace(0, 1, a.alphas)
n = a.seeds * len(cos) * a.alphas
print(f"{n} configurations ({a.seeds} seeds x {len(cos)} cos x {a.alphas} alphas), hidden={setup.hidden}, {setup.n_params} params, "
      f"{setup.steps_pre} pre + {setup.steps_ft} fine-tuning steps, batch {setup.batch}, {a.dtype}, {a.threads} BLAS thread(s)")
t0 = time.perf_counter(); rb = forgetting_sweep(seeds, cos, alphas, setup, chunk=a.chunk, show_progress=False, threads=a.threads)
tb = time.perf_counter() - t0
t0 = time.perf_counter(); rl = forgetting_sweep_loop(seeds, cos, alphas, setup, threads=a.threads)
tl = time.perf_counter() - t0
dev = max(float(np.abs(rb[k] - rl[k]).max()) for k in ('forgetting_raw', 'adaptation', 'ft_loss', 'drift'))
print(f"batched (stacked arrays): {tb:8.2f} s   ({tb / n * 1e3:.2f} ms per configuration)")
print(f"loop (one at a time)    : {tl:8.2f} s   ({tl / n * 1e3:.2f} ms per configuration)")
print(f"speed-up loop/batched   : {tl / tb:8.2f}x")
print(f"max |batched - loop| over forgetting, adaptation, FT loss, drift: {dev:.2e}")
