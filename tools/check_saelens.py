"""Independent check of forgetting_quant's SAELens and sparsify SAE folders, with SAELens's and sparsify's own code.

Run it with an interpreter that has sae-lens and eai-sparsify (and torch, safetensors) but NOT forgetting_quant. The environment
(checked with sae-lens 6.54.12, eai-sparsify 1.3.3, torch 2.13.0+cpu; the torch pin keeps pip from pulling CUDA wheels):

    python3.11 -m venv /tmp/saeenv && /tmp/saeenv/bin/pip install torch==2.13.0
    echo torch==2.13.0 > /tmp/sae_constraints.txt && /tmp/saeenv/bin/pip install -c /tmp/sae_constraints.txt sae-lens eai-sparsify

Then, e.g. (nbs/sae/05_formats.ipynb runs it this way when /tmp/saeenv exists):

    /tmp/saeenv/bin/python tools/check_saelens.py read  OUT_DIR EXPECTED.safetensors   # a folder `TopKSAE.save_pretrained` wrote
    /tmp/saeenv/bin/python tools/check_saelens.py write OUT_DIR KIND                    # a native folder for `TopKSAE.from_pretrained`

Several commands may follow each other on one command line (`read A A.safetensors write B saelens ...`); the exit code is the worst.

read: loads OUT_DIR with `sae_lens.SAE.load_from_disk` (a folder with sae_weights.safetensors) or `sparsify.SparseCoder.load_from_disk`
(a folder with sae.safetensors). EXPECTED.safetensors (written by our side) holds `x` (B, d_in: the input the library is given), `code`
(B, d_sae: the dense code our SAE gives for it) and `x_hat` (B, d_in: the reconstruction the library should return). The library encodes
`x`, decodes its own code, and both are compared with 1e-5 (max abs difference); then the library saves the SAE again with its own writer
(`save_model` / `save_to_disk`) as OUT_DIR.resaved, for our side to read back (the round trip ours -> library -> ours). Exit 0 when both agree, 1 when not, 2 when the folder
cannot be read.

write: builds a TopK SAE with the library's own classes and random weights (KIND: 'saelens' = TopKSAE with normalize_activations='none'
and rescale_acts_by_decoder_norm=True, SAELens's training default; 'saelens_norm' = constant_norm_rescale; 'sparsify' = SparseCoder),
saves it with the library's own save method into OUT_DIR, and writes OUT_DIR/../<name>.EXPECTED.safetensors with `x`, the library's dense
`code` and its `x_hat`, for our side to compare against `TopKSAE.from_pretrained(OUT_DIR)`.
Each line printed is `name: encode max|diff| ..., decode max|diff| ...`."""
import json, sys
from pathlib import Path
import torch
from safetensors.torch import load_file, save_file

TOL = 1e-5


def lib_versions() -> str:
    import importlib.metadata as md
    return ', '.join(f"{p} {md.version(p)}" for p in ('sae-lens', 'eai-sparsify', 'torch'))


def sparsify_dense(sae, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    "sparsify's encode (relu, then top k) as a dense (B, d_sae) code, and its decode of that code."
    out = sae.encode(x)
    code = torch.zeros(x.shape[0], sae.num_latents, dtype=out.top_acts.dtype).scatter(1, out.top_indices, out.top_acts)
    return code, sae.decode(out.top_acts, out.top_indices)


def saelens_dense(sae, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    "SAELens's encode (top k, then relu) and its decode (which undoes constant_norm_rescale with the norm of the last encoded x)."
    code = sae.encode(x)
    return code, sae.decode(code)


def read(out_dir: str, expected: str) -> int:
    d = Path(out_dir)
    try:
        exp = load_file(expected)
        if (d / 'sae_weights.safetensors').is_file():
            from sae_lens import SAE
            sae = SAE.load_from_disk(str(d)); kind = 'SAELens ' + type(sae).__name__
            cfg = sae.cfg
            desc = (f"architecture={cfg.architecture()}, d_in={cfg.d_in}, d_sae={cfg.d_sae}, k={cfg.k}, dtype={cfg.dtype}, "
                    f"normalize_activations={cfg.normalize_activations}, hook_name={cfg.metadata.hook_name}")
            run = saelens_dense
        else:
            from sparsify import SparseCoder
            sae = SparseCoder.load_from_disk(d); kind = 'sparsify SparseCoder'
            desc = f"d_in={sae.d_in}, num_latents={sae.num_latents}, k={sae.cfg.k}, activation={sae.cfg.activation}, dtype={sae.dtype}"
            run = sparsify_dense
    except Exception as e:
        print(f"cannot read {d}: {type(e).__name__}: {e}"); return 2
    with torch.no_grad():
        code, x_hat = run(sae, exp['x'].to(sae.dtype))
    de = float((code.double() - exp['code'].double()).abs().max())
    dd = float((x_hat.double() - exp['x_hat'].double()).abs().max())
    ok = de <= TOL and dd <= TOL
    resaved = d.parent / f'{d.name}.resaved'   # the library's own writer, for the round trip ours -> library -> ours
    sae.save_model(resaved) if hasattr(sae, 'save_model') else sae.save_to_disk(resaved)
    print(f"{d.name}: loaded as {kind} ({desc}); {exp['x'].shape[0]} rows: encode max|diff| {de:.3g} (max|code| {float(exp['code'].abs().max()):.3g}), "
          f"decode max|diff| {dd:.3g} (max|x_hat| {float(exp['x_hat'].abs().max()):.3g}) "
          f"-> {'OK' if ok else 'DIFFER'} (tol {TOL:g}; {lib_versions()}); saved again with the library's own writer as {resaved.name}")
    return 0 if ok else 1


def write(out_dir: str, kind: str) -> int:
    d = Path(out_dir); g = torch.Generator().manual_seed(0)
    d_in, d_sae, k, B = 48, 192, 8, 64
    r = lambda *s: torch.randn(*s, generator=g)
    x = r(B, d_in) + 0.1   # entries of order 1, so 1e-5 is about 100 float32 roundings
    if kind in ('saelens', 'saelens_norm'):
        from sae_lens import TopKSAE, TopKSAEConfig
        norm = 'constant_norm_rescale' if kind == 'saelens_norm' else 'none'
        cfg = TopKSAEConfig(d_in=d_in, d_sae=d_sae, k=k, normalize_activations=norm, rescale_acts_by_decoder_norm=(kind == 'saelens'))
        cfg.metadata.hook_name = 'blocks.1.hook_resid_post'; cfg.metadata.model_name = 'check-model'
        sae = TopKSAE(cfg)
        with torch.no_grad():
            sae.W_enc.copy_(r(d_in, d_sae)/d_in**0.5); sae.W_dec.copy_(r(d_sae, d_in)/d_in**0.5*(0.5 + torch.rand(d_sae, 1, generator=g)))   # row norms 0.5-1.5
            sae.b_enc.copy_(0.1*r(d_sae)); sae.b_dec.copy_(0.3*r(d_in))
        sae.save_model(d)
        with torch.no_grad(): code, x_hat = saelens_dense(sae, x)
    elif kind == 'sparsify':
        from sparsify import SparseCoder, SparseCoderConfig
        sae = SparseCoder(d_in, SparseCoderConfig(num_latents=d_sae, k=k))
        with torch.no_grad():
            sae.encoder.weight.copy_(r(d_sae, d_in)/d_in**0.5); sae.encoder.bias.copy_(0.1*r(d_sae))
            sae.W_dec.copy_(r(d_sae, d_in)/d_in**0.5); sae.b_dec.copy_(0.3*r(d_in))
        sae.save_to_disk(d)
        with torch.no_grad(): code, x_hat = sparsify_dense(sae, x)
    else:
        print(f"KIND must be saelens, saelens_norm or sparsify, got {kind!r}"); return 2
    save_file({'x': x.contiguous(), 'code': code.contiguous(), 'x_hat': x_hat.contiguous()}, str(d.parent / f'{d.name}.EXPECTED.safetensors'))
    files = sorted(p.name for p in d.iterdir())
    print(f"{d.name}: wrote a native {kind} TopK SAE (d_in={d_in}, d_sae={d_sae}, k={k}) with {files}, and {d.name}.EXPECTED.safetensors "
          f"({B} rows; {lib_versions()})")
    print(f"{d.name}/cfg.json: {json.dumps(json.loads((d / 'cfg.json').read_text()), sort_keys=True)}")
    return 0


def main(args: list[str]) -> int:
    "Run `read DIR EXPECTED` and `write DIR KIND` commands in turn (one interpreter start for all); the worst exit code."
    rc, i = 0, 0
    if not args: print(__doc__); return 2
    while i < len(args):
        if args[i] in ('read', 'write') and i + 2 < len(args):
            rc = max(rc, (read if args[i] == 'read' else write)(args[i + 1], args[i + 2])); i += 3
        else:
            print(f"expected 'read DIR EXPECTED' or 'write DIR KIND', got {args[i:]}"); return 2
    return rc


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
