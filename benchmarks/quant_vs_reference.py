"""Side-by-side: our `gptq_quantize` / `babai_quantize` against the reference GPTQ (IST-DASLab `gptq.py`, `GPTQ.fasterquant`).

The reference is NOT part of this repository. Fetch it yourself (https://github.com/IST-DASLab/gptq, files gptq.py and quant.py)
and point this script at the folder holding them:

    python benchmarks/quant_vs_reference.py --ref /work/ref/gptq            # or: GPTQ_REF=/work/ref/gptq python ...
    python benchmarks/quant_vs_reference.py --ref /work/ref/gptq --sizes 1024 2048 --group-size 128 --act-order

For each square layer n×n it builds H = 2/k·XᵀX from k random (correlated) samples, quantizes the same weight with the reference,
with our GPTQ and with our batched Babai, and prints: whether the quantized weights are bitwise identical to the reference's,
the fraction of Babai codes (and of whole rows) equal to GPTQ's, the layer error tr((W−Q) H (W−Q)ᵀ) of RTN / GPTQ / Babai, and wall-time ratios
(best of --repeats, runs interleaved) plus the same ratios in process CPU time (steadier when the machine is shared). It prints numbers; it asserts nothing about time.
"""
import argparse, contextlib, io, os, sys, time

import torch
import torch.nn as nn

from forgetting_quant.quant.gptq import gptq_quantize, babai_quantize, rtn_quantize, quant_error, hessian_from_inputs


def load_reference(path):
    "Import the reference `gptq` and `quant` modules from `path` (CPU: its `torch.cuda.synchronize()` call is made a no-op)."
    if not path or not os.path.exists(os.path.join(path, 'gptq.py')):
        sys.exit(f"reference GPTQ not found at {path!r}: pass --ref DIR (or set GPTQ_REF) with IST-DASLab's gptq.py and quant.py")
    sys.path.insert(0, path)
    if not torch.cuda.is_available(): torch.cuda.synchronize = lambda *a, **k: None
    with contextlib.redirect_stdout(io.StringIO()):
        import gptq as ref_gptq, quant as ref_quant
    return ref_gptq, ref_quant


def reference_quantize(ref, W, H, bits, group_size, sym, act_order, static_groups, blocksize, percdamp):
    ref_gptq, ref_quant = ref
    layer = nn.Linear(W.shape[1], W.shape[0], bias=False, device=W.device)
    layer.weight.data = W.clone()
    g = ref_gptq.GPTQ(layer); g.H = H.clone(); g.nsamples = 1
    g.quantizer = ref_quant.Quantizer(); g.quantizer.configure(bits, perchannel=True, sym=sym, mse=False)
    t0, c0 = time.perf_counter(), time.process_time()
    with contextlib.redirect_stdout(io.StringIO()):
        g.fasterquant(blocksize=blocksize, percdamp=percdamp, groupsize=group_size, actorder=act_order, static_groups=static_groups)
    if W.is_cuda: torch.cuda.synchronize()
    return layer.weight.data.clone(), (time.perf_counter() - t0, time.process_time() - c0)


def timed(fn, *args, **kwargs):
    "(result, (wall seconds, process CPU seconds)); CPU time is the steadier measure on a shared machine."
    t0, c0 = time.perf_counter(), time.process_time()
    out = fn(*args, **kwargs)
    if isinstance(out.weight, torch.Tensor) and out.weight.is_cuda: torch.cuda.synchronize()
    return out, (time.perf_counter() - t0, time.process_time() - c0)


CONFIGS = [dict(), dict(sym=True), dict(group_size=64), dict(group_size=32), dict(group_size=256, blocksize=128),
           dict(group_size=64, act_order=True), dict(group_size=64, act_order=True, static_groups=True), dict(act_order=True),
           dict(bits=3, group_size=32, act_order=True), dict(bits=2, sym=True, group_size=128, blocksize=64)]


def check_configs(ref, m=96, n=256, k=512, seed=0):
    "Bitwise comparison with the reference on a small layer (with a dead input) under many settings."
    g = torch.Generator().manual_seed(seed)
    X = torch.randn(k, n, generator=g) @ (torch.randn(n, n, generator=g) / n ** 0.5 + torch.eye(n)); X[:, 5] = 0
    W = torch.randn(m, n, generator=g)
    H = hessian_from_inputs(X)
    print(f"settings check on a {m}×{n} layer with a dead input, H from {k} samples:")
    for c in CONFIGS:
        kw = dict(bits=4, group_size=-1, sym=False, act_order=False, static_groups=False, blocksize=128, percdamp=0.01) | c
        Wr, _ = reference_quantize(ref, W, H, kw['bits'], kw['group_size'], kw['sym'], kw['act_order'], kw['static_groups'], kw['blocksize'], kw['percdamp'])
        r = gptq_quantize(W, H=H, **kw); b = babai_quantize(W, H=H, **kw)
        print(f"  {str(c):58s} ours == reference bitwise: {torch.equal(Wr, r.weight)}   babai codes == gptq codes: {torch.equal(r.codes, b.codes)}")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--ref', default=os.environ.get('GPTQ_REF'), help='folder with the reference gptq.py and quant.py (or env GPTQ_REF)')
    p.add_argument('--sizes', type=int, nargs='+', default=[1024, 2048, 4096])
    p.add_argument('--samples', type=int, default=8192)
    p.add_argument('--bits', type=int, default=4)
    p.add_argument('--group-size', type=int, default=-1)
    p.add_argument('--sym', action='store_true')
    p.add_argument('--act-order', action='store_true')
    p.add_argument('--static-groups', action='store_true')
    p.add_argument('--blocksize', type=int, default=128)
    p.add_argument('--percdamp', type=float, default=0.01)
    p.add_argument('--repeats', type=int, default=3)
    p.add_argument('--threads', type=int, default=None, help='torch threads (default: leave as is)')
    p.add_argument('--device', default='cpu')
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--check-configs', action='store_true', help='first compare bitwise on a small layer under 10 settings')
    a = p.parse_args()
    if a.threads: torch.set_num_threads(a.threads)
    ref = load_reference(a.ref)
    if a.check_configs: check_configs(ref)
    dev = torch.device(a.device)
    print(f"torch {torch.__version__}, device {dev}, threads {torch.get_num_threads()}, bits {a.bits}, group {a.group_size}, "
          f"sym {a.sym}, act_order {a.act_order}, static_groups {a.static_groups}, samples {a.samples}, repeats {a.repeats}")
    hdr = ('n', 'identical', 'maxdiff', 'babai=gptq', 'rows_eq', 'err_rtn', 'err_gptq', 'err_babai', 'gptq/rtn', 't_ref', 't_ours', 't_babai', 'ours/ref', 'babai/ours', 'cpu:o/r', 'cpu:b/o')
    print(' '.join(f'{h:>10}' for h in hdr))
    kw = dict(bits=a.bits, group_size=a.group_size, sym=a.sym, act_order=a.act_order, static_groups=a.static_groups,
              blocksize=a.blocksize, percdamp=a.percdamp)
    for n in a.sizes:
        g = torch.Generator().manual_seed(a.seed + n)
        mix = torch.eye(n) + torch.randn(n, n, generator=g) / n ** 0.5        # correlated inputs, as real activations are
        X = (torch.randn(a.samples, n, generator=g) @ mix).to(dev)
        W = (torch.randn(n, n, generator=g) / n ** 0.5).to(dev)
        H = hessian_from_inputs(X); del X
        t_ref, t_ours, t_bab = [], [], []
        for _ in range(a.repeats):
            Wr, t = reference_quantize(ref, W, H, a.bits, a.group_size, a.sym, a.act_order, a.static_groups, a.blocksize, a.percdamp); t_ref.append(t)
            r, t = timed(gptq_quantize, W, H=H, compute_layer_error=False, **kw); t_ours.append(t)
            b, t = timed(babai_quantize, W, H=H, compute_layer_error=False, **kw); t_bab.append(t)
        identical = torch.equal(Wr, r.weight)
        maxdiff = (Wr - r.weight).abs().max().item()
        same_codes = (b.codes == r.codes).double().mean().item()
        same_rows = (b.codes == r.codes).all(1).double().mean().item()   # a flipped code changes the rest of its row
        Q_rtn = rtn_quantize(W, bits=a.bits, group_size=a.group_size, sym=a.sym)
        e_rtn, e_g, e_b = (quant_error(W, Q, H=H) for Q in (Q_rtn, r.weight, b.weight))
        tr_, to_, tb_ = (min(t[0] for t in ts) for ts in (t_ref, t_ours, t_bab))      # best wall time
        cr_, co_, cb_ = (min(t[1] for t in ts) for ts in (t_ref, t_ours, t_bab))      # best process CPU time
        vals = (n, str(identical), f'{maxdiff:.1e}', f'{same_codes:.6f}', f'{same_rows:.4f}', f'{e_rtn:.4g}', f'{e_g:.4g}', f'{e_b:.4g}', f'{e_g / e_rtn:.3f}',
                f'{tr_:.2f}', f'{to_:.2f}', f'{tb_:.2f}', f'{to_ / tr_:.2f}', f'{tb_ / to_:.2f}', f'{co_ / cr_:.2f}', f'{cb_ / co_:.2f}')
        print(' '.join(f'{v:>10}' for v in vals), flush=True)


if __name__ == '__main__':
    main()
