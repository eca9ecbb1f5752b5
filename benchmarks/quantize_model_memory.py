"""Peak memory and wall time of `quantize_model` on a ~100M-parameter transformer, before and after the streaming rewrite
(issue 16), and the per-layer GPTQ step against the reference GPTQ (IST-DASLab `GPTQ.fasterquant`) on Hessians of that model.

The model is `transformers.OPTForCausalLM` built from an `OPTConfig` with OPT-125M's sizes (hidden 768, ffn 3072, 12 layers,
12 heads, vocabulary 50272, 2048 positions), random weights (seeded), eval mode; nothing is downloaded. The calibration set is
--seqs sequences of --seq-len random token ids (seeded generator), as a list of dict batches {input_ids, attention_mask} of
--batch sequences each.

1. `quantize_model(model, batches, method='gptq', bits=4, layers=<the decoder blocks>)` (group_size -1, progress off) runs in a
   fresh subprocess per checkout, with PYTHONPATH choosing which version of the package it imports, so that
   `getrusage(RUSAGE_SELF).ru_maxrss` is that run's own peak. The child builds the model and the batches, reads its resident
   memory (the baseline), quantizes, and prints one JSON line: peak RSS, wall time, layers quantized, a checksum (sum of |W|
   over the quantized weights). Both versions are given the same `layers=` (the decoder blocks' linear layers): the LM head is
   tied to the token embedding, which the new version skips by default and the old one quantizes (overwriting the embedding).
   The old version keeps the inputs of every layer in memory at once (about 22 GB in float32 for OPT-125M at 128×512) and
   reruns the whole model for every layer, so it runs at a smaller size (--before-layers, --before-seqs); the new version is
   run at that size too (like for like: the ratios) and at the full size. At the common size the quantized weights of both
   are compared (max |ΔW| / max |W|, fraction of identical weights): they are close but not equal, the new version
   accumulating its Gram matrices in float64, batch by batch.
2. The per-layer step given H: H = 2/k·XᵀX of two layers of that model (layer 0 `self_attn.q_proj`, 768 inputs, and `fc2`,
   3072 inputs; X read with forward hooks on the first --ref-batches calibration batches), our `gptq_quantize(W, H=H, bits=4)`
   against the reference's `fasterquant` (best of --repeats, interleaved; wall and process CPU time), and whether the weights
   are bitwise identical. Needs --ref DIR (or GPTQ_REF) with the reference gptq.py and quant.py; skipped without it.

    python benchmarks/quantize_model_memory.py --before /path/to/previous/checkout --ref /work/ref/gptq
    python benchmarks/quantize_model_memory.py --layers 2 --seqs 8 --seq-len 128 --before-layers 2 --before-seqs 8 --before ...   # a quick try

A checkout of the previous version: `git worktree add /tmp/before f155bd7`. Prints numbers; asserts nothing about time.
"""
import argparse, json, os, subprocess, sys, tempfile, time
from pathlib import Path

os.environ.setdefault('OMP_WAIT_POLICY', 'PASSIVE')   # before torch loads: spinning OpenMP threads are slow on a busy machine

ROOT = Path(__file__).resolve().parents[1]
LAYERS_RE = r'^model\.decoder\.layers\.'


def opt_model(layers, seed=0):
    "OPT-125M's architecture with `layers` decoder blocks, random weights (seeded), eval mode."
    import torch, transformers
    cfg = transformers.OPTConfig(hidden_size=768, ffn_dim=3072, num_hidden_layers=layers, num_attention_heads=12, vocab_size=50272,
                                 max_position_embeddings=2048, word_embed_proj_dim=768, do_layer_norm_before=True)
    torch.manual_seed(seed)
    return transformers.OPTForCausalLM(cfg).eval()


def calib_batches(seqs, seq_len, batch, vocab=50272, seed=0):
    "seqs random token sequences (seeded) as dict batches {input_ids, attention_mask} of `batch` sequences."
    import torch
    ids = torch.randint(0, vocab, (seqs, seq_len), generator=torch.Generator().manual_seed(seed))
    return [dict(input_ids=x, attention_mask=torch.ones_like(x)) for x in ids.split(batch)]


def rss_kib():
    "Current resident set size (KiB)."
    with open('/proc/self/status') as f:
        return next(int(l.split()[1]) for l in f if l.startswith('VmRSS:'))


def child(spec):
    "One quantize_model run in this process; prints one JSON line."
    import resource, torch
    torch.set_num_threads(spec['threads'])
    import forgetting_quant
    from forgetting_quant.quant.model import quantize_model
    model = opt_model(spec['layers'], spec['seed'])
    batches = calib_batches(spec['seqs'], spec['seq_len'], spec['batch'], seed=spec['seed'])
    base, peak0 = rss_kib(), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    before = {n: p.detach().clone() for n, p in model.named_parameters() if n.endswith('weight')} if spec.get('save') else None
    prof = None
    if spec.get('profile'):
        import cProfile; prof = cProfile.Profile(); prof.enable()
    t0, c0 = time.perf_counter(), time.process_time()
    rows = quantize_model(model, batches, method='gptq', bits=4, layers=LAYERS_RE, progress=False)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    if prof is not None:
        import io, pstats
        prof.disable(); s = io.StringIO()
        pstats.Stats(prof, stream=s).sort_stats('tottime').print_stats(spec['profile']); print(s.getvalue(), file=sys.stderr)
        s = io.StringIO(); pstats.Stats(prof, stream=s).sort_stats('cumulative').print_stats(spec['profile']); print(s.getvalue(), file=sys.stderr)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    done = [r for r in rows if r.get('status', 'quantized') == 'quantized']
    names = [r['layer'] for r in done]
    mods = dict(model.named_modules())
    W = {n: mods[n].weight.detach().float() for n in names}
    if spec.get('save'):
        changed = [n[:-len('.weight')] for n, p in model.named_parameters() if n.endswith('weight') and not torch.equal(p, before[n])]
        torch.save(dict(weights=W, changed=changed), spec['save'])
    print(json.dumps(dict(file=forgetting_quant.__file__, threads=torch.get_num_threads(), base_mib=base / 1024, peak_before_mib=peak0 / 1024,
                          peak_mib=peak / 1024, wall=wall, cpu=cpu, quantized=len(names), rel_error=[r['rel_error'] for r in done],
                          checksum=sum(float(w.double().abs().sum()) for w in W.values()))), flush=True)


def commit(path):
    try:
        c = subprocess.run(['git', '-C', str(path), 'rev-parse', '--short', 'HEAD'], capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(['git', '-C', str(path), 'status', '--porcelain', '--untracked-files=no'], capture_output=True, text=True).stdout.strip()
        return c + ('+dirty' if dirty else '')
    except Exception: return '?'


def run_child(checkout, spec, timeout):
    env = dict(os.environ, PYTHONPATH=str(checkout), OMP_WAIT_POLICY=os.environ['OMP_WAIT_POLICY'])
    p = subprocess.run([sys.executable, __file__, '--child', json.dumps(spec)], env=env, capture_output=True, text=True, timeout=timeout)
    if spec.get('profile'): print(p.stderr)
    line = next((l for l in reversed(p.stdout.splitlines()) if l.startswith('{')), None)
    if p.returncode != 0 or line is None:
        why = 'killed (out of memory?)' if p.returncode in (-9, 137) else f'exit {p.returncode}'
        print(f"  run failed ({why}): {p.stderr.strip()[-2000:]}", flush=True)
        return None
    r = json.loads(line)
    want = Path(checkout).resolve()
    if Path(r['file']).resolve().parents[1] != want: print(f"  WARNING: the child imported {r['file']}, not the package of {want}")
    return r


def layer_inputs(model, batches, names):
    "{name: X (rows × in_features)} of the given linear layers on `batches`, each forward stopped after the last of them."
    import torch
    mods, got = dict(model.named_modules()), {n: [] for n in names}
    class Stop(Exception): pass
    def hook(n):
        def f(m, args):
            got[n].append(args[0].reshape(-1, args[0].shape[-1]).detach().clone())
            if n == names[-1]: raise Stop
        return f
    hs = [mods[n].register_forward_pre_hook(hook(n)) for n in names]
    try:
        with torch.no_grad():
            for b in batches:
                try: model(**b)
                except Stop: pass
    finally:
        for h in hs: h.remove()
    return {n: torch.cat(v) for n, v in got.items()}


def per_layer(a):
    "Part 2: our gptq_quantize against the reference fasterquant on Hessians of two real layers."
    import torch
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from quant_vs_reference import load_reference, reference_quantize, timed
    from forgetting_quant.quant.gptq import gptq_quantize, hessian_from_inputs
    ref = load_reference(a.ref)
    model = opt_model(a.layers, a.seed)
    batches = calib_batches(a.seqs, a.seq_len, a.batch, seed=a.seed)[:a.ref_batches]
    names = ['model.decoder.layers.0.self_attn.q_proj', 'model.decoder.layers.0.fc2']
    X = layer_inputs(model, batches, names)
    mods = dict(model.named_modules())
    print(f"\n== per-layer GPTQ step given H: ours (gptq_quantize) vs reference (fasterquant), bits 4, group -1, best of {a.repeats} interleaved, "
          f"threads {torch.get_num_threads()}, H = 2/k·XᵀX from {a.ref_batches} calibration batches")
    print(f"{'layer':42s} {'W':>10s} {'rows k':>7s} {'identical':>9s} {'max|ΔW|':>8s} {'t_ref s':>8s} {'t_ours s':>8s} {'ours/ref':>8s} {'cpu:o/r':>8s}")
    for n in names:
        W, H = mods[n].weight.detach().float().clone(), hessian_from_inputs(X[n])
        tr, to = [], []
        for _ in range(a.repeats):
            Wr, t = reference_quantize(ref, W, H, 4, -1, False, False, False, 128, 0.01); tr.append(t)
            r, t = timed(gptq_quantize, W, H=H, bits=4, compute_layer_error=False); to.append(t)
        same, diff = torch.equal(Wr, r.weight), (Wr - r.weight).abs().max().item()
        (wr, cr), (wo, co) = (min(t[0] for t in tr), min(t[1] for t in tr)), (min(t[0] for t in to), min(t[1] for t in to))
        print(f"{n:42s} {'x'.join(map(str, W.shape)):>10s} {X[n].shape[0]:>7d} {str(same):>9s} {diff:>8.1e} {wr:>8.3f} {wo:>8.3f} {wo / wr:>8.2f} {co / cr:>8.2f}", flush=True)
    del model, X


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--child', help=argparse.SUPPRESS)
    p.add_argument('--layers', type=int, default=12, help='decoder blocks of the model (OPT-125M: 12)')
    p.add_argument('--seqs', type=int, default=128, help='calibration sequences')
    p.add_argument('--seq-len', type=int, default=512)
    p.add_argument('--batch', type=int, default=8, help='sequences per calibration batch')
    p.add_argument('--before', help='checkout of the previous version (its repository root); without it only the new version runs')
    p.add_argument('--after', default=str(ROOT), help='checkout of the new version (default: this repository)')
    p.add_argument('--before-layers', type=int, default=3, help='blocks for the like-for-like run of both versions')
    p.add_argument('--before-seqs', type=int, default=32, help='calibration sequences for the like-for-like run (same --seq-len)')
    p.add_argument('--no-full', action='store_true', help='skip the new version at the full size')
    p.add_argument('--ref', default=os.environ.get('GPTQ_REF'), help='folder with the reference gptq.py and quant.py (or env GPTQ_REF)')
    p.add_argument('--ref-batches', type=int, default=4, help='calibration batches read for the per-layer Hessians')
    p.add_argument('--repeats', type=int, default=3)
    p.add_argument('--threads', type=int, default=2, help='torch threads, here and in the children')
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--profile', type=int, default=0, help='cProfile the new version at the common size, printing this many entries')
    p.add_argument('--timeout', type=float, default=3600, help='seconds allowed to each child')
    a = p.parse_args()
    if a.child: return child(json.loads(a.child))
    import torch, transformers
    torch.set_num_threads(a.threads)
    import forgetting_quant
    print(f"torch {torch.__version__}, transformers {transformers.__version__}, threads {torch.get_num_threads()}, "
          f"OMP_WAIT_POLICY={os.environ['OMP_WAIT_POLICY']}, cores {os.cpu_count()}; package (parent) {forgetting_quant.__file__}")
    print(f"model: OPT-125M sizes, {a.layers} blocks; calibration {a.seqs}×{a.seq_len} tokens in batches of {a.batch}; "
          f"quantize_model(method='gptq', bits=4, group_size=-1, layers={LAYERS_RE!r})")
    if a.ref and os.path.exists(os.path.join(a.ref, 'gptq.py')): per_layer(a)
    else: print(f"\n(per-layer comparison with the reference GPTQ skipped: no reference at {a.ref!r}; pass --ref DIR or set GPTQ_REF)")

    small = dict(layers=a.before_layers, seqs=a.before_seqs, seq_len=a.seq_len, batch=a.batch, seed=a.seed, threads=a.threads)
    full = dict(small, layers=a.layers, seqs=a.seqs)
    tmp = tempfile.mkdtemp(prefix='qmm_')
    runs = []
    if a.before: runs.append(('before', a.before, dict(small, save=os.path.join(tmp, 'before.pt'))))
    runs.append(('after', a.after, dict(small, save=os.path.join(tmp, 'after.pt') if a.before else None, profile=a.profile)))
    if not a.no_full and full != small: runs.append(('after', a.after, full))
    print(f"\n== quantize_model: one subprocess per run, threads {a.threads}; peak = ru_maxrss − RSS after building the model and batches")
    hdr = f"{'version':8s} {'commit':12s} {'blocks':>6s} {'tokens':>11s} {'base MiB':>9s} {'peak−base MiB':>13s} {'wall s':>8s} {'cpu s':>8s} {'layers':>6s} {'checksum':>14s}"
    print(hdr, flush=True)
    res = []
    for label, path, spec in runs:
        r = run_child(path, spec, a.timeout)
        res.append((label, spec, r))
        if r is None: continue
        tok = f"{spec['seqs']}×{spec['seq_len']}"
        print(f"{label:8s} {commit(path):12s} {spec['layers']:>6d} {tok:>11s} {r['base_mib']:>9.0f} {r['peak_mib'] - r['base_mib']:>13.0f} "
              f"{r['wall']:>8.1f} {r['cpu']:>8.1f} {r['quantized']:>6d} {r['checksum']:>14.6e}", flush=True)
    if a.before:
        (_, _, rb), (_, _, ra) = res[0], res[1]
        print(f"\nlike for like ({a.before_layers} blocks, {a.before_seqs}×{a.seq_len} tokens; the previous version does not fit in "
              f"memory at the full size): before / after")
        if rb and ra:
            print(f"  peak memory above baseline: {(rb['peak_mib'] - rb['base_mib']) / max(ra['peak_mib'] - ra['base_mib'], 1):.1f}x   "
                  f"wall time: {rb['wall'] / ra['wall']:.2f}x   CPU time: {rb['cpu'] / ra['cpu']:.2f}x")
            import torch
            B, A = torch.load(os.path.join(tmp, 'before.pt')), torch.load(os.path.join(tmp, 'after.pt'))
            common = [n for n in B['weights'] if n in A['weights']]
            d = max(float((B['weights'][n] - A['weights'][n]).abs().max()) for n in common)
            m = max(float(B['weights'][n].abs().max()) for n in common)
            same = sum(int((B['weights'][n] == A['weights'][n]).sum()) for n in common) / sum(B['weights'][n].numel() for n in common)
            rows_eq = sum(int((B['weights'][n] == A['weights'][n]).all(1).sum()) for n in common) / sum(B['weights'][n].shape[0] for n in common)
            print(f"  quantized weights, {len(common)} layers: max|ΔW| / max|W| = {d / m:.2e}, identical weights {same:.4%}, identical rows {rows_eq:.2%}; "
                  f"weights changed outside the quantized layers: before {[n for n in B['changed'] if n not in B['weights']]}, "
                  f"after {[n for n in A['changed'] if n not in A['weights']]}")
            eb, ea = rb['rel_error'], ra['rel_error']
            print(f"  relative layer error ‖XWᵀ−X̂Qᵀ‖²/‖XWᵀ‖² (each version's own report): first layer {eb[0]:.4e} vs {ea[0]:.4e}, "
                  f"mean over layers {sum(eb) / len(eb):.4e} vs {sum(ea) / len(ea):.4e}, last layer {eb[-1]:.4e} vs {ea[-1]:.4e} (before vs after)")
    for f in Path(tmp).glob('*.pt'): f.unlink()
    os.rmdir(tmp)


if __name__ == '__main__':
    main()
