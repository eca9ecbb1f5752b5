"""TopK SAE training on CPU: `forgetting_quant.sae.topk` against EleutherAI sparsify and SAELens, in one process.

Run (needs a venv with all three libraries, see benchmarks/README.md):
    /work/peers/venv/bin/python benchmarks/sae_vs_peers.py [--dims 64 128] [--threads 1 2] [--steps 200] [--seeds 0 1 2]

For every thread count and every d (n = expansion·d latents, K active, B rows per step) the three SAEs are trained from
their own initialisation on the SAME stream of batches (batch i is generated once and handed to the three steps in
turn, in an order that rotates every step so background load falls on all three alike). Each library's full training
step is timed: forward, loss, backward, optimiser and whatever decoder normalisation / bookkeeping its trainer does
every step. Tokens/s is B over the median step time after `--skip` warm-up steps. After the same number of tokens the
FVU of each SAE is measured on one held-out set. Ratios are ours / peer (tokens/s: > 1 means ours is faster;
FVU: < 1 means ours reconstructs better). With several `--seeds` (data, planted dictionary and every library's
initialisation change together) everything is run once per seed and the tables report medians over seeds; the held-out
FVU is also logged at `--log-steps` (default 0, 1, 25, 50, 100: step 0 is before any step, when no library has set
its b_pre/b_dec from data yet) and printed as an FVU-vs-tokens table with ours / best peer.

Data: unit-norm rows that are sparse non-negative combinations of `--active` atoms of a planted dictionary of
`--atoms` unit vectors plus a little Gaussian noise, so that (a) a K-sparse code can in principle reconstruct the
signal part exactly (active < K), making FVU a measure of how well the dictionary has been learned, and (b) the FVU
has a known floor (the noise fraction, printed) rather than being set by an arbitrary spectrum as for Gaussian data.

What is equal: data, batch order, d, n, K, B, Adam learning rate and warm-up schedule (linear from lr/W to lr over W
steps, then constant), betas (0.9, 0.999), float32, no AuxK / dead-latent loss. What stays each library's own (printed
at the end): initialisation, b_pre / b_dec initialisation, loss scaling, decoder normalisation, Adam eps, SAELens's
gradient clipping.
"""
import argparse, math, os, platform, statistics, sys, time
# With the default (spinning) OpenMP wait policy, a 2-thread run on a 2-core machine that is also running something else
# waits for a scheduler time slice at every parallel region: every library then runs ~10x slower than single-threaded
# (measured here). PASSIVE makes waiting threads sleep; it must be set before torch loads. Same for all three libraries.
os.environ.setdefault('OMP_WAIT_POLICY', 'PASSIVE')
import torch, torch.nn.functional as F
from forgetting_quant.core import set_threads, markdown_table
from forgetting_quant.sae.topk import TopKSAE, SAETrainer, fvu

# ---------------------------------------------------------------------------------------------------------------- data
class PlantedStream:
    "Batches of unit-norm rows: non-negative combinations of `active` of `atoms` planted unit atoms, plus noise."
    def __init__(self, d, atoms, active, noise, seed=0):
        g = torch.Generator().manual_seed(seed)
        self.atoms = F.normalize(torch.randn(atoms, d, generator=g), dim=1)
        self.d, self.n_atoms, self.active, self.noise, self.seed = d, atoms, active, noise, seed

    def batch(self, i, B, with_noise=False):
        g = torch.Generator().manual_seed(self.seed*1_000_003 + 1 + i)
        idx = torch.rand(B, self.n_atoms, generator=g).topk(self.active, dim=1).indices
        coef = 0.5 + torch.rand(B, self.active, generator=g)
        signal = F.embedding_bag(idx, self.atoms, per_sample_weights=coef, mode='sum')
        e = self.noise*torch.randn(B, self.d, generator=g)
        scale = (signal + e).norm(dim=1, keepdim=True)
        x = ((signal + e)/scale).contiguous()
        return (x, e/scale) if with_noise else x

# ------------------------------------------------------------------------------------------------------------ runners
class Ours:
    name = 'ours (forgetting_quant)'
    def __init__(self, d, n, k, B, lr, warmup, seed, sparse=True, **train_kw):
        self.sae = TopKSAE(d, k=k, n_latents=n, sparse=sparse, seed=seed)
        self.tr = SAETrainer(self.sae, lr=lr, warmup_steps=warmup, batch_size=B, **train_kw)   # our defaults otherwise (Adam eps 6.25e-10)
    def step(self, x): self.tr.train_step(x)                     # the trainer's own step: the code path `fit` runs
    @torch.no_grad()
    def reconstruct(self, x): return self.sae(x)[0]

class OursUnscaled(Ours):
    "Ours with `scale_encoder_init=False`: W_enc = W_dec^T with unit rows, unscaled (the start before the least-squares encoder scale)."
    name = 'ours, unscaled init'
    def __init__(self, *args, **kw): super().__init__(*args, scale_encoder_init=False, **kw)

class Sparsify:
    """EleutherAI sparsify `SparseCoder` driven exactly as `sparsify.Trainer.fit` does for loss_fn='fvu', optimizer='adam',
    one device, no grad accumulation: its trainer only reads activations through forward hooks on a transformers model,
    so the step is replicated here line by line, calling the library's own methods (see `step`)."""
    name, peer = 'sparsify', True
    def __init__(self, d, n, k, B, lr, warmup, seed):
        from sparsify import SparseCoder, SparseCoderConfig
        torch.manual_seed(seed)                                   # sparsify.Trainer seeds this way before building each SAE
        self.sae = SparseCoder(d, SparseCoderConfig(activation='topk', num_latents=n, k=k, normalize_decoder=True),
                               'cpu', dtype=torch.float32)
        self.opt = torch.optim.Adam([dict(params=self.sae.parameters(), lr=lr)])          # what its 'adam' branch builds
        # its trainer uses transformers' get_linear_schedule_with_warmup (warm-up, then linear decay to 0 at the end of
        # the dataset); we use the same warm-up-then-constant schedule for all three libraries instead
        w = warmup
        self.sched = torch.optim.lr_scheduler.LambdaLR(self.opt, lambda s: min(1.0, (s + 1)/w) if w > 0 else 1.0)
        self.global_step = 0
        self.num_tokens_since_fired = torch.zeros(n, dtype=torch.long)
    def step(self, x):
        sae = self.sae
        if self.global_step == 0: sae.b_dec.data = x.mean(0).to(sae.dtype)     # trainer: b_dec <- batch mean on step 0
        sae.set_decoder_norm_to_unit_norm()                                      # trainer: before every forward
        did_fire = torch.zeros(sae.num_latents, dtype=torch.bool)
        total_variance = (x - x.mean(0)).pow(2).sum()
        out = sae(x=x, y=x, dead_mask=None, total_variance=total_variance)
        did_fire[out.latent_indices.flatten()] = True
        float(out.fvu.detach())                                                  # trainer: avg_fvu bookkeeping
        loss = out.fvu + 0.0*out.auxk_loss + out.multi_topk_fvu/8               # auxk_alpha=0, multi_topk=False
        loss.div(1).backward()
        sae.remove_gradient_parallel_to_decoder_directions()
        self.opt.step(); self.opt.zero_grad()
        self.sched.step()
        with torch.no_grad():
            self.num_tokens_since_fired += x.shape[0]; self.num_tokens_since_fired[did_fire] = 0
        self.global_step += 1
    @torch.no_grad()
    def reconstruct(self, x):
        self.sae.set_decoder_norm_to_unit_norm()   # the trainer renormalises before every use; the saved SAE is normalised
        return self.sae(x).sae_out

class SAELens:
    "SAELens `TopKTrainingSAE` trained by its own `SAETrainer.step` (what `SAETrainer.fit` calls every step)."
    peer = True
    def __init__(self, d, n, k, B, lr, warmup, seed, sparse_acts=False):
        from sae_lens.saes.topk_sae import TopKTrainingSAE, TopKTrainingSAEConfig
        from sae_lens.config import SAETrainerConfig
        from sae_lens.training.sae_trainer import SAETrainer as LensTrainer
        self.name = 'SAELens' + (' (sparse COO acts, no rescale)' if sparse_acts else '')
        torch.manual_seed(seed)
        # defaults kept: decoder_init_norm=0.1, apply_b_dec_to_input=True, rescale_acts_by_decoder_norm=True -- except with
        # use_sparse_activations, whose backward fails on CPU with the rescale ("aten::view ... SparseCPU"), so it is off there
        cfg = TopKTrainingSAEConfig(d_in=d, d_sae=n, k=k, dtype='float32', device='cpu', aux_loss_coefficient=0.0,
                                    use_sparse_activations=sparse_acts, rescale_acts_by_decoder_norm=not sparse_acts)
        self.sae = TopKTrainingSAE(cfg)
        tcfg = SAETrainerConfig(total_training_samples=10**12, train_batch_size_samples=B, lr=lr, lr_end=lr/10, lr_warm_up_steps=warmup,
                                lr_scheduler_name='constant', adam_beta1=0.9, adam_beta2=0.999, device='cpu',
                                autocast=False, dead_feature_window=10**9, feature_sampling_window=10**9)
        self.tr = LensTrainer(tcfg, self.sae, data_provider=iter(()))
    def step(self, x):
        self.tr.step(x); self.tr.n_training_steps += 1           # SAETrainer.fit: step(), then n_training_steps += 1
    @torch.no_grad()
    def reconstruct(self, x): return self.sae(x)

EXTRA_RUNNERS = []   # more runner classes (same constructor and methods), e.g. an older version of ours imported by a wrapper script

# -------------------------------------------------------------------------------------------------------------- bench
@torch.no_grad()
def heldout_fvu(runner, X, chunk=4096):
    xh = torch.cat([runner.reconstruct(X[s:s+chunk]) for s in range(0, X.shape[0], chunk)])
    return float(fvu(X, xh))

def load():
    try: return os.getloadavg()[0]
    except OSError: return float('nan')

def run_config(d, a, threads, peers, steps, measure_fvu=True, seed=None):
    n, B = a.expansion*d, a.batch
    seed = a.seeds[0] if seed is None else seed
    a = argparse.Namespace(**{**vars(a), 'seed': seed})
    stream = PlantedStream(d, a.atoms_per_d*d, a.active, a.noise, seed=a.seed)
    Xte = torch.cat([stream.batch(10**6 + j, B) for j in range(a.heldout//B)])
    runners = [Ours(d, n, a.k, B, a.lr, a.warmup, a.seed)]
    if 'sparsify' in peers: runners.append(Sparsify(d, n, a.k, B, a.lr, a.warmup, a.seed))
    if 'saelens' in peers: runners.append(SAELens(d, n, a.k, B, a.lr, a.warmup, a.seed))
    if 'saelens-sparse' in peers: runners.append(SAELens(d, n, a.k, B, a.lr, a.warmup, a.seed, sparse_acts=True))
    if a.with_unscaled: runners.append(OursUnscaled(d, n, a.k, B, a.lr, a.warmup, a.seed))
    runners += [make(d, n, a.k, B, a.lr, a.warmup, a.seed) for make in EXTRA_RUNNERS]
    fvu0 = {r.name: heldout_fvu(r, Xte) if measure_fvu else float('nan') for r in runners}
    times = {r.name: [] for r in runners}
    load0 = load(); t_start = time.perf_counter()
    marks = sorted({s_ for s_ in a.log_steps if 0 < s_ < steps}) if measure_fvu else []
    curve = [(0, fvu0)] if measure_fvu else []
    for i in range(steps):
        x = stream.batch(i, B)
        m = len(runners)
        for j in range(m):                                            # rotate the order every step
            r = runners[(i + j) % m]
            t0 = time.perf_counter(); r.step(x); times[r.name].append(time.perf_counter() - t0)
        if i + 1 in marks: curve.append((i + 1, {r.name: heldout_fvu(r, Xte) for r in runners}))   # outside the timed steps
    wall = time.perf_counter() - t_start; load1 = load()
    rows = []
    for r in runners:
        ts = times[r.name][a.skip:]
        med = statistics.median(ts)
        rows.append(dict(seed=seed, d=d, n=n, K=a.k, batch=B, threads=threads, library=r.name, peer=getattr(r, 'peer', False), steps=steps, tokens=steps*B,
                         ms_per_step=1e3*med, ms_iqr=1e3*(statistics.quantiles(ts, n=4)[2] - statistics.quantiles(ts, n=4)[0]),
                         tokens_per_s=B/med, fvu_init=fvu0[r.name], fvu_heldout=heldout_fvu(r, Xte) if measure_fvu else float('nan'),
                         load_before=load0, load_after=load1, wall_s=wall))
    if measure_fvu: curve.append((steps, {r['library']: r['fvu_heldout'] for r in rows}))
    ours = rows[0]
    for r in rows:
        r['speed ours/this'] = ours['tokens_per_s']/r['tokens_per_s']
        r['FVU ours/this'] = ours['fvu_heldout']/r['fvu_heldout']
    return rows, stream, Xte, curve

def noise_floor(stream, B, heldout):
    "Share of the held-out variance that is the (row-normalised) noise: the FVU of reconstructing the clean signal exactly."
    parts = [stream.batch(10**6 + j, B, with_noise=True) for j in range(heldout//B)]
    X = torch.cat([p[0] for p in parts]); E = torch.cat([p[1] for p in parts])
    return float(E.pow(2).sum()/(X - X.mean(0)).pow(2).sum())

def median_rows(rows):
    "One row per (d, threads, library): medians over seeds of the step time, tokens/s and FVUs; ratios recomputed from the medians."
    out = []
    keys = list(dict.fromkeys((r['d'], r['threads'], r['library']) for r in rows))
    for key in keys:
        rs = [r for r in rows if (r['d'], r['threads'], r['library']) == key]
        m = dict(rs[0]); m['seeds'] = len(rs)
        for f in ('ms_per_step', 'ms_iqr', 'tokens_per_s', 'fvu_init', 'fvu_heldout', 'load_before', 'load_after', 'wall_s'):
            m[f] = statistics.median(r[f] for r in rs)
        out.append(m)
    for m in out:
        ours = next(q for q in out if (q['d'], q['threads']) == (m['d'], m['threads']))
        m['speed ours/this'] = ours['tokens_per_s']/m['tokens_per_s']; m['FVU ours/this'] = ours['fvu_heldout']/m['fvu_heldout']
    return out

def curve_table(curves, B):
    """FVU-vs-tokens: per d and logged step, the median over seeds of each library's held-out FVU, and ours / best peer.
    `curves[d]` is a list over seeds of (curve, peer names), curve a list of (step, {library: FVU}); ours is the first library."""
    out = []
    for d, per_seed in curves.items():
        (c0, peers) = per_seed[0]
        libs = list(c0[0][1])
        for j, (s_, _) in enumerate(c0):
            med = {l: statistics.median(c[j][1][l] for c, _ in per_seed) for l in libs}
            best = min(med[l] for l in peers) if peers else float('nan')
            out.append({'d': d, 'step': s_, 'tokens': f"{s_*B:,}", **{l: f"{med[l]:.4f}" for l in libs},
                        'ours / best peer': f"{med[libs[0]]/best:.3f}" if peers else '',
                        'ours ≤ best peer': ('yes' if med[libs[0]] <= best else 'NO') if peers else ''})
    return markdown_table(out)

def fmt(rows):
    out = []
    for r in rows:
        out.append({**({'seed': r['seed']} if 'seeds' not in r else {'seeds': r['seeds']}), 'd': r['d'], 'n': r['n'], 'K': r['K'], 'B': r['batch'], 'thr': r['threads'], 'library': r['library'],
                    'ms/step': f"{r['ms_per_step']:.1f}", 'IQR ms': f"{r['ms_iqr']:.1f}", 'tok/s': f"{r['tokens_per_s']:,.0f}",
                    'speed ours/this': f"{r['speed ours/this']:.2f}", 'tokens': r['tokens'],
                    'FVU held-out': f"{r['fvu_heldout']:.4f}", 'FVU ours/this': f"{r['FVU ours/this']:.3f}",
                    'load 1m (before→after)': f"{r['load_before']:.2f}→{r['load_after']:.2f}"})
    return markdown_table(out)

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--dims', type=int, nargs='+', default=[64, 128], help='input dimensions d')
    ap.add_argument('--expansion', type=int, default=16, help='n = expansion·d latents')
    ap.add_argument('--k', type=int, default=32, help='active latents K')
    ap.add_argument('--batch', type=int, default=4096, help='rows (tokens) per step')
    ap.add_argument('--threads', type=int, nargs='+', default=[1, 2], help='torch/BLAS thread counts to run at')
    ap.add_argument('--steps', type=int, default=200, help='training steps (tokens = steps·batch) at the first thread count, equal for all')
    ap.add_argument('--timing-steps', type=int, default=25, help='steps at the other thread counts (timing only, no FVU)')
    ap.add_argument('--skip', type=int, default=5, help='first steps left out of the timing median')
    ap.add_argument('--lr', type=float, default=1e-3, help='Adam learning rate for all three')
    ap.add_argument('--warmup', type=int, default=0, help='linear warm-up steps for all three (0: none)')
    ap.add_argument('--atoms-per-d', type=int, default=4, help='planted dictionary size / d')
    ap.add_argument('--active', type=int, default=8, help='planted atoms per row (< K)')
    ap.add_argument('--noise', type=float, default=0.02, help='Gaussian noise std per coordinate before row normalisation')
    ap.add_argument('--heldout', type=int, default=16384, help='held-out rows for the FVU')
    ap.add_argument('--peers', nargs='+', default=['sparsify', 'saelens'],
                    choices=['sparsify', 'saelens', 'saelens-sparse'])
    ap.add_argument('--seeds', type=int, nargs='+', default=[0], help='seeds (data and initialisations); tables show medians over them')
    ap.add_argument('--log-steps', type=int, nargs='+', default=[0, 1, 25, 50, 100], help='steps after which the held-out FVU is logged (and at the end)')
    ap.add_argument('--with-unscaled', action='store_true', help="also train ours from the unscaled start (scale_encoder_init=False), not a peer")
    a = ap.parse_args()
    import importlib.metadata as md
    def version(p):
        try: return md.version(p)
        except md.PackageNotFoundError: return 'not installed (imported from ' + os.path.dirname(os.path.dirname(sys.modules['forgetting_quant'].__file__)) + ')'
    vers = {p: version(p) for p in ['torch', 'eai-sparsify', 'sae-lens', 'forgetting_quant']}
    print(f"python {platform.python_version()} | " + ' | '.join(f'{k} {v}' for k, v in vers.items()))
    print(f"cpu: {platform.processor() or platform.machine()}, os.cpu_count()={os.cpu_count()}, load avg {os.getloadavg()}, "
          f"OMP_WAIT_POLICY={os.environ.get('OMP_WAIT_POLICY')}")
    print(f"lr={a.lr} warmup={a.warmup} steps={a.steps}, timing-only steps={a.timing_steps} (timing median skips {a.skip}) data: planted atoms={a.atoms_per_d}·d "
          f"active={a.active} noise={a.noise}, unit-norm rows; held-out {a.heldout} rows; seeds {a.seeds}", flush=True)
    rows, curves = [], {}
    for t, th in enumerate(a.threads):
        set_threads(th)
        steps = a.steps if t == 0 else a.timing_steps      # FVU is a property of the arithmetic, not of the thread count
        print(f"\n## torch.get_num_threads() = {torch.get_num_threads()}: {steps} steps" + ('' if t == 0 else ', timing only'), flush=True)
        for d in a.dims:
          for seed in a.seeds:
            r, stream, Xte, curve = run_config(d, a, th, a.peers, steps, measure_fvu=t == 0, seed=seed)
            if t == 0:
                print(f"d={d} seed={seed}: noise share of held-out variance ≈ {noise_floor(stream, a.batch, a.heldout):.4f}")
                for s_, f in curve: print(f"  after {s_} steps ({s_*a.batch:,} tokens): " + ', '.join(f"{k} {v:.4f}" for k, v in f.items()))
                curves.setdefault(d, []).append((curve, [x['library'] for x in r if x['peer']]))
            print(fmt(r), flush=True); rows += r
    print('\n## all runs\n' + fmt(rows))
    if curves: print(f'\n## held-out FVU vs tokens (median over seeds {a.seeds})\n' + curve_table(curves, a.batch))
    rows = median_rows(rows)
    if len(a.seeds) > 1: print(f'\n## medians over seeds {a.seeds}\n' + fmt(rows))
    print('\n## fastest peer per (d, threads)')
    best = []
    for th in a.threads:
        for d in a.dims:
            rs = [r for r in rows if r['d'] == d and r['threads'] == th]
            ours, peers = rs[0], [r for r in rs if r['peer']]
            if not peers: continue
            fp = max(peers, key=lambda r: r['tokens_per_s'])
            if math.isnan(ours['fvu_heldout']):           # timing-only thread count: FVU from the first thread count's run
                ref = [r for r in rows if r['d'] == d and r['threads'] == a.threads[0]]
                fvu_of = {q['library']: q['fvu_heldout'] for q in ref}
                ours = {**ours, 'fvu_heldout': fvu_of[ours['library']]}; peers = [{**p, 'fvu_heldout': fvu_of[p['library']]} for p in peers]
                fp = {**fp, 'fvu_heldout': fvu_of[fp['library']]}
            best.append({'d': d, 'threads': th, 'fastest peer': fp['library'], 'ours tok/s': f"{ours['tokens_per_s']:,.0f}",
                         'peer tok/s': f"{fp['tokens_per_s']:,.0f}", 'speed ours/peer': f"{ours['tokens_per_s']/fp['tokens_per_s']:.2f}",
                         'FVU ours': f"{ours['fvu_heldout']:.4f}", 'FVU peer': f"{fp['fvu_heldout']:.4f}",
                         'best peer FVU': f"{min(p['fvu_heldout'] for p in peers):.4f}",
                         'target (≥1.5× fastest, FVU ≤ every peer)': 'met' if ours['tokens_per_s'] >= 1.5*fp['tokens_per_s']
                            and ours['fvu_heldout'] <= min(p['fvu_heldout'] for p in peers) else 'NOT met'})
    print(markdown_table(best))
    print("""
Differences kept (each library's own choices):
- ours: W_dec rows random unit vectors, W_enc = W_dec at init, b_enc = 0; on the first batch b_pre <- its geometric
  median and W_enc <- c*·W_enc, c* the least-squares scale of that batch's reconstruction (W_enc = c*·W_dec^T);
  loss FVU (batch variance); ReLU on the K selected; Adam eps 6.25e-10; decoder rows renormalised to unit norm after
  every step; sparse forward/backward (embedding_bag + CSR products).
- sparsify: nn.Linear (Kaiming-uniform) encoder, W_dec = W_enc then unit rows, b_enc = 0; b_dec <- batch mean on step 0;
  loss FVU; ReLU before TopK; Adam eps 1e-8; decoder renormalised before every forward and the gradient component
  parallel to each decoder row removed before the Adam step; fused encoder with index_add backward, embedding_bag decode.
- SAELens: W_dec Kaiming-uniform then rows scaled to norm 0.1, W_enc = W_dec^T, b_enc = b_dec = 0; loss = MSE summed
  over d, mean over batch; rescale_acts_by_decoder_norm=True (no decoder normalisation: pre-acts multiplied by the row
  norms, acts divided by them in decode); dense (B, n) code (or a COO sparse code with use_sparse_activations);
  gradient norm clipped at 1.0; Adam eps 1e-8; dead-feature bookkeeping on the dense code every step.""")

if __name__ == '__main__': main()
