"""Benchmark: how much a busy machine slows the main job, with and without the thread settings `fq` now makes.

Two workloads, each timed in a fresh process (thread settings are read when torch's OpenMP runtime loads):
  lm     training steps/s of the default LM (`lm.DEFAULT_MODEL`, batch 16 x 128 tokens, AdamW), torch's default thread count
  sweep  configurations/s of a forgetting sweep (`forgetting.mlp.forgetting_sweep`, 8 seeds x 8 cosines x 14 alphas, default workers)
each alone, beside a busy single-threaded Python loop, and beside a 2-thread torch process doing matrix products (another
user's job; it keeps torch's defaults). Two settings of the timed process:
  before  the environment as it was (OpenMP's default wait policy: idle threads spin)
  after   what the `fq` entry point sets before torch loads: OMP_WAIT_POLICY=PASSIVE (idle threads sleep)
  (--policies also takes spin10k / spin100k: GNU OpenMP spins that many times before sleeping)
Prints the median rate over --reps runs of each cell and the slowdown alone/beside as a ratio of medians. Times are printed, never
asserted. Usage: python benchmarks/contention.py [--reps 5] [--workloads lm sweep] (about 6 minutes with the defaults on 2 cores)
"""
import os, sys, json, time, argparse, statistics, subprocess, platform

HERE = os.path.abspath(__file__)


def child(workload: str) -> dict:
    "Runs in a fresh process: time the workload and print its rate as JSON."
    os.environ.setdefault('FQ_QUIET', '1')
    import numpy as np, torch
    if workload == 'lm':
        from forgetting_quant.lm import GPT, DEFAULT_MODEL, TrainConfig, get_batch
        torch.manual_seed(0)
        model = GPT(DEFAULT_MODEL); tc = TrainConfig()
        opt = torch.optim.AdamW(model.parameters(), lr=tc.lr)
        tokens = np.random.default_rng(0).integers(2, DEFAULT_MODEL.vocab_size, 200_000).astype(np.uint16)
        def step(i):
            x, y = get_batch(tokens, i, tc, context=DEFAULT_MODEL.context)
            _, loss = model(x, y); opt.zero_grad(set_to_none=True); loss.backward(); opt.step()
        for i in range(3): step(i)                      # warm-up: allocator, thread pool
        n, t0 = 0, time.perf_counter()
        while n < 10 or time.perf_counter() - t0 < 3.0: step(3 + n); n += 1
        return dict(rate=n / (time.perf_counter() - t0), unit='steps/s', threads=torch.get_num_threads())
    if workload == 'sweep':
        from forgetting_quant.forgetting.mlp import forgetting_sweep, NetSetup
        setup, seeds = NetSetup(), list(range(1, 9))                      # the paper's settings (500 + 300 SGD steps)
        cos, alphas = np.linspace(0.9, 0.1, 8), np.linspace(0, 1, 14)
        forgetting_sweep([0], cos[:1], alphas[:2], setup=setup, progress=False)      # warm-up
        t0 = time.perf_counter(); forgetting_sweep(seeds, cos, alphas, setup=setup, progress=False)
        return dict(rate=len(seeds) * len(cos) * len(alphas) / (time.perf_counter() - t0), unit='configs/s', threads=torch.get_num_threads())
    raise ValueError(workload)


def competitor(kind: str):
    "Runs in a fresh process until killed: another user's CPU-bound job."
    if kind == 'loop':
        x = 0
        while True: x += 1
    import torch
    torch.set_num_threads(2)
    a = torch.randn(384, 384)
    while True: a = torch.tanh(a @ a * 1e-2)


POLICIES = {'before': {}, 'after': {'OMP_WAIT_POLICY': 'PASSIVE'},            # after: what `fq` sets (forgetting_quant._entry)
            'spin10k': {'GOMP_SPINCOUNT': '10000'}, 'spin100k': {'GOMP_SPINCOUNT': '100000'}}   # alternatives: spin briefly, then sleep


def measure(workload, policy, load, timeout=300):
    env = {k: v for k, v in os.environ.items() if k not in ('OMP_WAIT_POLICY', 'GOMP_SPINCOUNT')}
    env.update(POLICIES[policy])
    comp = None
    if load != 'alone':
        cenv = dict(os.environ); cenv.pop('OMP_WAIT_POLICY', None)
        comp = subprocess.Popen([sys.executable, HERE, '--competitor', load], env=cenv)
        time.sleep(1.5)                                   # let it reach its steady state
    try:
        out = subprocess.run([sys.executable, HERE, '--child', workload], env=env, capture_output=True, text=True, timeout=timeout, check=True)
        return json.loads(out.stdout.strip().splitlines()[-1])
    finally:
        if comp is not None: comp.kill(); comp.wait()


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--reps', type=int, default=5); p.add_argument('--workloads', nargs='+', default=['lm', 'sweep'])
    p.add_argument('--policies', nargs='+', default=['before', 'after'], choices=list(POLICIES))
    p.add_argument('--child'); p.add_argument('--competitor')
    a = p.parse_args()
    if a.child: print(json.dumps(child(a.child))); return
    if a.competitor: competitor(a.competitor); return
    import torch
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores (this process may use {len(os.sched_getaffinity(0))}), "
          f"torch {torch.__version__}, load average before {os.getloadavg()}")
    loads = ('alone', 'loop', 'torch2')
    res = {}
    for r in range(a.reps):                                # repetitions outermost: slow drifts of the machine hit every cell alike
        for w in a.workloads:
            for policy in a.policies:
                for load in loads:
                    m = measure(w, policy, load)
                    res.setdefault((w, policy, load), []).append(m['rate']); unit = m['unit']
                    print(f"  rep {r + 1}/{a.reps} {w:5s} {policy:6s} {load:6s} {m['rate']:8.3f} {m['unit']} (threads {m['threads']})", flush=True)
    print("\n| workload | setting | alone | beside busy loop | beside 2-thread torch | slowdown (loop) | slowdown (torch) |")
    print("|---|---|---|---|---|---|---|")
    for w in a.workloads:
        for policy in a.policies:
            med = {l: statistics.median(res[(w, policy, l)]) for l in loads}
            print(f"| {w} | {policy} | {med['alone']:.3g} | {med['loop']:.3g} | {med['torch2']:.3g} | "
                  f"{med['alone'] / med['loop']:.2f}x | {med['alone'] / med['torch2']:.2f}x |")
    print(f"(medians of {a.reps} runs; rates in steps/s for lm, configurations/s for sweep; load average after {os.getloadavg()})")


if __name__ == '__main__':
    main()
