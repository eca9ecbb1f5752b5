"""TopK SAE training speed on CPU: the sparse path of `forgetting_quant.sae.topk` against the dense reference path.

Run: `.venv/bin/python benchmarks/sae_topk_speed.py [--threads 1] [--repeats 5]`. Prints ms per training step
(forward, FVU, backward, Adam, decoder renormalisation), tokens/s and the dense/sparse ratio for several d (n = 16 d, K = 32).
"""
import argparse, torch
from forgetting_quant.core import set_threads, markdown_table
from forgetting_quant.sae.topk import time_train_step

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--threads', type=int, default=1); ap.add_argument('--repeats', type=int, default=5)
    ap.add_argument('--batch', type=int, default=4096); ap.add_argument('--dims', type=int, nargs='+', default=[64, 128, 256, 512])
    a = ap.parse_args()
    set_threads(a.threads)
    rows = []
    for d in a.dims:
        dense = time_train_step(d, a.batch, sparse=False, repeats=a.repeats, n_threads=a.threads)
        sp = time_train_step(d, a.batch, sparse=True, repeats=a.repeats, n_threads=a.threads)
        rows.append({'d': d, 'n': 16*d, 'K': 32, 'batch': a.batch, 'threads': a.threads,
                     'dense ms/step': round(1e3*dense['s_per_step'], 1), 'sparse ms/step': round(1e3*sp['s_per_step'], 1),
                     'dense tok/s': int(dense['tokens_per_s']), 'sparse tok/s': int(sp['tokens_per_s']),
                     'ratio dense/sparse': round(dense['s_per_step']/sp['s_per_step'], 2),
                     'FVU dense': round(dense['fvu'], 4), 'FVU sparse': round(sp['fvu'], 4)})
        print(markdown_table(rows[-1:]), flush=True)
    print(markdown_table(rows))

if __name__ == '__main__': main()
