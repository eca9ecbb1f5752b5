"""`lll_grid` against GPTQ on all-MiniLM-L6-v2, and against `lll_grid` before its speed-up (issue 16), in one run.

`quantize_model` on the whole model with the calibration setup of the `minilm` experiment (`_minilm_cell`: 64 calibration
sentences in batches of 16, full config), once per method: 'gptq', 'lll_grid', and 'lll_grid' with `lll_grid_quantize` as it was
at git revision `--before` (loaded from `git show`, so the old code runs in this process on the same inputs). Prints, per
method, the wall time of `quantize_model`, the time spent in the layer quantizer alone (`gptq_quantize` / `lll_grid_quantize`, so
without the calibration forward passes), where `lll_grid`'s time goes, and the ratios; checks that the old and new `lll_grid` give
the same codes on every layer (the layers' inputs depend on the earlier layers' codes, so equal codes mean equal problems) and the
same quantized model. Asserts nothing about speed.

    .venv/bin/python benchmarks/lll_grid_speed.py                 # ~5 min on 2 busy cores, most of it the old lll_grid
    .venv/bin/python benchmarks/lll_grid_speed.py --no-before     # GPTQ and the current lll_grid only
"""
import argparse, os, sys

p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
p.add_argument('--bits', type=int, default=4)
p.add_argument('--threads', type=int, default=1, help='torch and BLAS threads (set before they load)')
p.add_argument('--before', default='3697b5e', help='git revision whose lll_grid_quantize is the "before" (default: the one before the speed-up)')
p.add_argument('--no-before', action='store_true', help='skip the old lll_grid (the slow part)')
p.add_argument('--layers', default=None, help="regex of the layers to quantize (default: all), e.g. 'encoder\\.layer\\.0\\.'")
args = p.parse_args()
for v in ('OMP_NUM_THREADS', 'MKL_NUM_THREADS', 'OPENBLAS_NUM_THREADS'): os.environ[v] = str(args.threads)

import copy, importlib.util, subprocess, time
from pathlib import Path
import torch
torch.set_num_threads(args.threads)
import forgetting_quant.quant.model as qm
import forgetting_quant.quant.finite_grid as fg
import forgetting_quant.quant.gptq as gq
from forgetting_quant.reproduce.quant import load_minilm, text_set, _minilm_config

def load_before(rev):
    "The module forgetting_quant/quant/finite_grid.py at git revision `rev`, imported inside the package (its relative imports work)."
    root = Path(__file__).resolve().parents[1]
    src = subprocess.run(['git', 'show', f'{rev}:forgetting_quant/quant/finite_grid.py'], cwd=root, capture_output=True, text=True, check=True).stdout
    spec = importlib.util.spec_from_loader('forgetting_quant.quant._finite_grid_before', loader=None)
    mod = importlib.util.module_from_spec(spec); mod.__package__ = 'forgetting_quant.quant'
    exec(compile(src, f'{rev}:finite_grid.py', 'exec'), mod.__dict__)
    return mod

class Timed:
    "Wrap module functions: total seconds per name while active; `calls`: (weight shape, codes, seconds) of each call of `record`."
    def __init__(self, mod, names, record=None):
        self.mod, self.names, self.record, self.t, self.calls, self.orig = mod, names, record, {}, [], {}
    def __enter__(self):
        for n in self.names:
            f = self.orig[n] = getattr(self.mod, n)
            def g(*a, _f=f, _n=n, **k):
                t0 = time.perf_counter(); r = _f(*a, **k); dt = time.perf_counter() - t0; self.t[_n] = self.t.get(_n, 0.0) + dt
                if _n == self.record: self.calls.append((tuple(a[0].shape), r.codes, dt))
                return r
            setattr(self.mod, n, g)
        return self
    def __exit__(self, *e):
        for n, f in self.orig.items(): setattr(self.mod, n, f)

c = _minilm_config(False)
tok, model = load_minilm()
texts = text_set(c['texts'], seed=0)
cal = [s for s in text_set(4 * c['calib'], seed=7) if s not in set(texts)][:c['calib']]
batches = [dict(tok(cal[i:i + 16], padding=True, return_tensors='pt')) for i in range(0, len(cal), 16)]
print(f"all-MiniLM-L6-v2, {len(cal)} calibration sentences in {len(batches)} batches, {args.bits} bits, {torch.get_num_threads()} thread(s), "
      f"layers={args.layers or 'all'}; load average {os.getloadavg()[0]:.2f}", flush=True)

phases = ['babai_quantize', 'greedy_order', '_block_lll', 'coordinate_descent']
runs = [('gptq', 'gptq', gq, ['gptq_quantize']), ('lll_grid', 'lll_grid', fg, ['lll_grid_quantize'] + phases)]
if not args.no_before:
    before = load_before(args.before)
    runs.append((f'lll_grid before ({args.before})', 'lll_grid', before, ['lll_grid_quantize'] + phases))
res = {}
for label, meth, mod, names in runs:
    m = copy.deepcopy(model)
    with Timed(mod, names, record=names[0]) as tm:
        setattr(qm, names[0], getattr(mod, names[0]))         # quantize_model calls the name in its own module: the timed one
        t0 = time.perf_counter(); rep = qm.quantize_model(m, batches, method=meth, bits=args.bits, layers=args.layers, progress=False)
        wall = time.perf_counter() - t0
    qm.gptq_quantize = gq.gptq_quantize; qm.lll_grid_quantize = fg.lll_grid_quantize
    quant = tm.t.get(names[0], 0.0)
    res[label] = dict(wall=wall, quant=quant, phases={k: tm.t.get(k, 0.0) for k in phases}, calls=tm.calls, state=m.state_dict(), layers=len(rep))
    print(f"{label}: quantize_model {wall:.1f} s, layer quantizer {quant:.1f} s ({len(rep)} layers); load average {os.getloadavg()[0]:.2f}", flush=True)

g = res['gptq']
print(f"\n| method | quantize_model s | / gptq | layer quantizer s | / gptq | babai_quantize | greedy_order | _block_lll | coordinate_descent | rest |")
print("|---|---|---|---|---|---|---|---|---|---|")
for label, r in res.items():
    ph = r['phases']; rest = r['quant'] - sum(ph.values()) if label != 'gptq' else None
    cols = ' | '.join(f"{ph[k]:.1f}" for k in phases) if label != 'gptq' else ' | '.join('' for _ in phases)
    print(f"| {label} | {r['wall']:.1f} | {r['wall'] / g['wall']:.2f} | {r['quant']:.1f} | {r['quant'] / g['quant']:.1f} | {cols} | {'' if rest is None else f'{rest:.1f}'} |")
print(f"\nper layer shape (out × in): seconds per call of the layer quantizer, and / gptq")
labels = list(res); shapes = sorted({c[0] for c in g['calls']}, key=lambda sh: (sh[0] * sh[1], sh))
print('| shape | layers | ' + ' | '.join(labels) + ' | ' + ' | '.join(f'{l} / gptq' for l in labels[1:]) + ' |')
print('|---|---|' + '---|' * (2 * len(labels) - 1))
for sh in shapes:
    per = {l: [c[2] for c in res[l]['calls'] if c[0] == sh] for l in labels}
    mean = {l: sum(v) / len(v) for l, v in per.items()}
    print(f"| {sh[0]}×{sh[1]} | {len(per['gptq'])} | " + ' | '.join(f'{mean[l]:.3f}' for l in labels) + ' | ' + ' | '.join(f'{mean[l] / mean["gptq"]:.1f}' for l in labels[1:]) + ' |')
if len(res) == 3:
    new, old = res['lll_grid'], res[runs[2][0]]
    same = len(new['calls']) == len(old['calls']) and all(a[0] == b[0] and torch.equal(a[1], b[1]) for a, b in zip(new['calls'], old['calls']))
    same_model = all(torch.equal(new['state'][k], old['state'][k]) for k in new['state'])
    print(f"\nspeed-up of lll_grid: quantize_model {old['wall'] / new['wall']:.1f}x, layer quantizer {old['quant'] / new['quant']:.1f}x")
    print(f"identical codes on all {len(new['calls'])} layers: {same}; identical quantized model: {same_model}")
