"""Local vs Dask: what a 2-worker `distributed.LocalCluster` costs and gains on the quick forgetting sweep and `fq reproduce forgetting --quick`.

1. The quick forgetting sweep (Table 2's: 3 seeds x 5 cos x 11 alpha, default net): `forgetting_sweep` on the default local path
   (no executor: threads or forked seed blocks, `--workers` workers) against the same call with `executor=` a 2-worker LocalCluster
   (one seed per cell, `seed_cells`); both give bit-identical arrays (checked). Also `--seeds-big` seeds (Table 2's full size).
2. Dask's per-cell overhead on the running cluster: round trip of a task that does nothing (submitted one at a time, and 200 at once),
   and, for real cells (one seed of the quick sweep), the round trip minus the time the worker spent in the cell.
3. `fq reproduce forgetting --quick` in fresh processes and fresh results folders: `--jobs 2` (the default local path), `--dask-local 2`,
   and with `--baseline DIR` the same `--jobs 2` command from another checkout (e.g. main before the executor seam) for the
   before/after ratio of the default path.
Prints wall times (median of --reps), ratios and the 1-minute load average; never asserts a time.

    python benchmarks/dask_overhead.py [--reps 3] [--fq-reps 1] [--baseline /path/to/main/checkout] [--skip-fq]
"""
import argparse, os, sys, time, json, shutil, subprocess, tempfile, statistics
from pathlib import Path
import numpy as np

from forgetting_quant.core import set_threads
set_threads(1)
from forgetting_quant.forgetting.mlp import forgetting_sweep, seed_cells, NetSetup, FIG2_COS, CELL_MIN_WORK, _sweep_cell
from forgetting_quant.distributed import dask_executor
load = lambda: f"load {os.getloadavg()[0]:.2f}"
med = lambda xs: statistics.median(xs)
KEYS = ('forgetting_raw', 'adaptation', 'ft_loss', 'drift', 'pre_loss0')

def timed(fn, reps):
    ts, r = [], None
    for _ in range(reps):
        t0 = time.perf_counter(); r = fn(); ts.append(time.perf_counter() - t0)
    return med(ts), r

def cell_timed(*args):
    "A real cell, timed inside the worker."
    t0 = time.perf_counter(); r = _sweep_cell(*args); return time.perf_counter() - t0, r

def nothing(i): return i

def main():
    global a
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--reps', type=int, default=3); p.add_argument('--fq-reps', type=int, default=1)
    p.add_argument('--workers', type=int, default=2); p.add_argument('--seeds-big', type=int, default=20)
    p.add_argument('--baseline', default=None, help="a checkout of the package before the change: its `fq reproduce forgetting --quick --jobs 2` is timed too")
    p.add_argument('--skip-fq', action='store_true')
    a = p.parse_args()

    alphas = np.round(np.linspace(0, 1, 11), 4); setup = NetSetup()
    print(f"{os.cpu_count()} cores, {load()}; quick sweep: 3 seeds x {len(FIG2_COS)} cos x {len(alphas)} alpha, hidden {setup.hidden}; "
          f"CELL_MIN_WORK {CELL_MIN_WORK:g} -> {len(seed_cells(range(3), len(FIG2_COS) * len(alphas), setup=setup))} cells for 3 seeds")
    forgetting_sweep([0], FIG2_COS[:2], alphas[:2], setup=NetSetup(steps_pre=5, steps_ft=5), progress=False, workers=1)   # warm-up
    rows = []
    t0 = time.perf_counter()
    with dask_executor(n_workers=2) as ex:
        t_start = time.perf_counter() - t0
        client = ex._client
        ex.submit(nothing, 0).result()
        list(ex.map(_sweep_cell, [[0], [1]], [FIG2_COS] * 2, [alphas[:2]] * 2, [NetSetup(steps_pre=5, steps_ft=5)] * 2, [None] * 2, [False] * 2, [1] * 2))  # warm the workers (imports)
        print(f"\nLocalCluster(2 workers, 1 thread each) up in {t_start:.2f} s ({load()})")
        # 1. the sweep
        for S in (3, a.seeds_big):
            tl, rl = timed(lambda: forgetting_sweep(range(S), FIG2_COS, alphas, progress=False, workers=a.workers), a.reps)
            t1, r1 = timed(lambda: forgetting_sweep(range(S), FIG2_COS, alphas, progress=False, workers=1), a.reps)
            td, rd = timed(lambda: forgetting_sweep(range(S), FIG2_COS, alphas, progress=False, executor=ex), a.reps)
            assert all(np.array_equal(rl[k], rd[k]) and np.array_equal(r1[k], rd[k]) for k in KEYS), "cluster and local results differ"
            rows.append((f'sweep, {S} seeds', t1, tl, td))
            print(f"sweep {S} seeds x 55 configs: local 1 worker {t1:.3f} s, local {a.workers} workers {tl:.3f} s, Dask 2 workers {td:.3f} s "
                  f"({len(seed_cells(range(S), 55, setup=setup))} cells); Dask / local-{a.workers} {td / tl:.2f}, Dask / local-1 {td / t1:.2f}; identical ({load()})")
        # 2. per-cell overhead
        n = 200
        t0 = time.perf_counter()
        for i in range(50): ex.submit(nothing, i).result()
        rt1 = (time.perf_counter() - t0) / 50
        t0 = time.perf_counter(); fs = [ex.submit(nothing, i) for i in range(n)]; [f.result() for f in fs]; rtn = (time.perf_counter() - t0) / n
        over, work = [], []
        for s in range(6):
            t0 = time.perf_counter(); w, _ = ex.submit(cell_timed, [s], FIG2_COS, alphas, setup, None, False, 1).result(); rt = time.perf_counter() - t0
            over.append(rt - w); work.append(w)
        print(f"\nper-task overhead: empty task one at a time {1e3 * rt1:.1f} ms round trip, 200 at once {1e3 * rtn:.2f} ms each; "
              f"a real cell (1 seed of the quick sweep, {med(work):.3f} s of work in the worker): {1e3 * med(over):.1f} ms overhead "
              f"= {100 * med(over) / med(work):.1f} % of its work (medians of 6; {load()})")
        print(f"cell size: one seed of the quick sweep is {55 * setup.steps_ft * setup.n_params:.3g} network-steps x params "
              f"(>= CELL_MIN_WORK {CELL_MIN_WORK:g}); at that size the overhead bound {1e3 * med(over):.1f} ms / {med(work) * CELL_MIN_WORK / (55 * setup.steps_ft * setup.n_params):.3f} s "
              f"= {100 * med(over) / (med(work) * CELL_MIN_WORK / (55 * setup.steps_ft * setup.n_params)):.1f} %")

    # 3. fq reproduce forgetting --quick
    def fq(root, args):
        env = dict(os.environ, PYTHONPATH=str(root), FQ_QUIET='1')
        code = "import sys\nfrom forgetting_quant._entry import fq_main\nsys.exit(fq_main())"
        ts = []
        for _ in range(a.fq_reps):
            out = tempfile.mkdtemp(prefix='fq_bench_')
            t0 = time.perf_counter()
            r = subprocess.run([sys.executable, '-c', code, 'reproduce', 'forgetting', '--quick', '--out', out, *args], env=env, capture_output=True, text=True)
            ts.append(time.perf_counter() - t0)
            if r.returncode: print(r.stdout[-2000:], r.stderr[-3000:]); raise SystemExit(f"fq failed under {root}")
            tab = {}
            for f in sorted(Path(out, 'forgetting').glob('*.json')):
                rec = json.loads(f.read_text()); tab[f.stem] = [{k: v for k, v in r.items() if not k.endswith('_s')} for r in rec['rows']]   # without timing columns
            shutil.rmtree(out)
        return med(ts), tab
    if not a.skip_fq:
        here = Path(__file__).resolve().parents[1]
        print(f"\nfq reproduce forgetting --quick (fresh process and results folder each, {a.fq_reps} rep(s); {load()})")
        tj, tab_j = fq(here, ['--jobs', '2'])
        print(f"  --jobs 2 (local processes): {tj:.1f} s ({load()})")
        td, tab_d = fq(here, ['--dask-local', '2'])
        print(f"  --dask-local 2: {td:.1f} s, Dask / local {td / tj:.2f} (cluster start-up included; {load()})")
        same = sorted(k for k in tab_j if tab_j[k] == tab_d.get(k)); diff = sorted(k for k in tab_j if tab_j[k] != tab_d.get(k))
        print(f"  tables equal local vs Dask (timing columns *_s left out): {same}" + (f"; DIFFERENT: {diff}" if diff else ''))
        if a.baseline:
            tb, tab_b = fq(Path(a.baseline).resolve(), ['--jobs', '2'])
            print(f"  baseline {a.baseline} --jobs 2: {tb:.1f} s; this checkout / baseline {tj / tb:.2f} ({load()})")
            print(f"  tables equal to the baseline's: {sorted(k for k in tab_b if tab_b[k] == tab_j.get(k))}; "
                  f"different: {sorted(k for k in tab_b if tab_b[k] != tab_j.get(k))}")

if __name__ == '__main__': main()
