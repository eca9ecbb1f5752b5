"""Independent check of a GPTQ folder (`qweight`/`qzeros`/`scales`/`g_idx`) written by forgetting_quant's `save_quantized`.

Run it with an interpreter that has GPTQModel (and torch, safetensors, transformers, optimum) but NOT forgetting_quant, e.g.:

    /tmp/gptqenv/bin/python tools/check_gptq.py OUT_DIR EXPECTED.safetensors [OUT_DIR2 EXPECTED2.safetensors ...]

OUT_DIR holds model.safetensors and quantize_config.json (and config.json for Hugging Face models).
EXPECTED.safetensors is written by our side and holds, per packed layer, `<layer>.codes` (our m×n unsigned codes), `<layer>.zeros`
(our m×G integer zero points) and `<layer>.weight` (m×n fp16: fp16(s)·(q − z) rounded once to fp16); for a Hugging Face folder also
`input_ids` and `logits` (fp32 logits of our in-memory model with exactly the checkpoint's weights: fp16 scales and biases).

The folder is read only with GPTQModel's own code:
- per layer: a `TorchLinear` (GPTQModel's pure-torch GPTQ kernel) is built from quantize_config.json and given the layer's tensors;
  a v1 ('gptq') checkpoint goes through GPTQModel's `convert_gptq_v1_to_v2_format_module` (qzeros + 1, as its loader does);
  then GPTQModel's generic unpack (`PackableQuantLinear.dequantize_weight`) rebuilds the weight; the codes and zero points it
  unpacks on the way (the arguments of its `_dequantize_from_codes`) are compared bit-exactly with ours, and the weight must be
  bitwise our fp16(s)·(q − z);
- whole model (Hugging Face folders): transformers' `AutoModelForCausalLM.from_pretrained(OUT_DIR, device_map='cpu',
  quantization_config=GPTQConfig(bits=..., backend='torch'))`, which hands the folder's `quantization_config` to optimum and GPTQModel
  (they convert v1 zero points and build GPTQModel's pure-torch kernel, `TorchLinear`, the same on every CPU), must give our logits on
  `input_ids` within 2⁻¹¹·(packed layers + 2) of the largest |logit| (a first-order estimate, not a bound: GPTQModel's kernels round
  each dequantized weight to fp16 before the matmul; ours keeps fp16(s)·(q − z) in fp32). The backend is named because the automatic
  choice depends on the CPU: with AVX-512 it picked `TorchFusedLinear` for 4-bit folders without groups, whose CPU path
  (gptqmodel 7.7.0, nn_modules/qlinear/torch_fused.py, `transform_cpu`) replaces the zero points by zeros, so asymmetric grids come
  out wrong (logits off by ~100 %) whoever wrote the folder;
- whole model (Hugging Face folders): also GPTQModel's own loader, `GPTQModel.load(..., device='cpu', backend=BACKEND.TORCH)`,
  in fp16 (its quant-linear layers take fp16 or bf16 only; the float layers are rounded to fp16), cast to float32 afterwards,
  within the same tolerance. GPTQModel needs a tokenizer in the folder: it is given a copy of the folder (links to our files) with a
  stub word-level tokenizer over the model's vocabulary. Its loader refuses asymmetric v1 ('gptq', sym=False) folders not written by
  GPTQModel ≥ 0.9 (models/loader.py: old AutoGPTQ v1 writers could overflow zero − 1); those are not offered to it.
  A reader that raises while loading a whole model is reported (`reader failed: ...`): a Hugging Face folder fails when no
  whole-model reader loads it, or when one that loads it gives logits outside the tolerance.
GPTQModel's layers `torch.compile` themselves; the script sets TORCHDYNAMO_DISABLE=1, so they run the same code eagerly (the
compiled kernels, cached for one CPU capability, abort the process when run under ATEN_CPU_CAPABILITY=avx2 on an AVX-512 machine).
Several folders can be checked in one run (one import of the libraries). Prints a `== OUT_DIR` header, one line per layer, one for
the model and a `packed layers` summary per folder; exits 1 if anything differs (2 if a folder cannot be read), 0 otherwise."""
import json, sys, os
from pathlib import Path
os.environ.setdefault('TORCHDYNAMO_DISABLE', '1')   # GPTQModel's layers run eagerly: its torch.compile'd kernels crash when ATEN_CPU_CAPABILITY differs from the cache's
import torch
from safetensors.torch import load_file

os.environ.setdefault('GPTQMODEL_LOG_LEVEL', 'ERROR')
from gptqmodel.nn_modules.qlinear import PackableQuantLinear
from gptqmodel.nn_modules.qlinear.torch import TorchLinear
from gptqmodel.utils.model import convert_gptq_v1_to_v2_format_module

def logit_tol(n_packed: int) -> float:
    "Relative to the largest |logit|: 2⁻¹¹ per packed layer plus two for the float layers (a first-order estimate, as in 80_export)."
    return 2 ** -11 * (n_packed + 2)


def library_grid(t: dict, qc: dict):
    "GPTQModel's reading of one layer: (codes n×m, zero points G×m, weight n×m fp16) from its own unpack."
    n, m = t['g_idx'].shape[0], t['scales'].shape[1]
    q = TorchLinear(bits=qc['bits'], group_size=qc['group_size'], sym=qc['sym'], desc_act=qc['desc_act'], in_features=n, out_features=m,
                    bias='bias' in t, pack_dtype=torch.int32, register_buffers=True)
    with torch.no_grad():
        for k in ('qweight', 'qzeros', 'scales', 'g_idx') + (('bias',) if 'bias' in t else ()):
            getattr(q, k).copy_(t[k])
    if qc.get('checkpoint_format', 'gptq') == 'gptq': convert_gptq_v1_to_v2_format_module(q, bits=qc['bits'], pack_dtype=torch.int32)
    seen = {}
    inner = q._dequantize_from_codes
    def grab(weight, zeros, num_itr=1):
        seen['codes'], seen['zeros'] = weight.clone(), zeros.clone(); return inner(weight, zeros, num_itr=num_itr)
    q._dequantize_from_codes = grab
    W = PackableQuantLinear.dequantize_weight(q.eval())
    return seen['codes'], seen['zeros'], W


def guarded(what, f, d, exp, tol):
    "True/False: the reader's logits are within tol or not; None: the reader raised while loading or running the model."
    try: return f(d, exp, tol)
    except Exception as e:
        print(f"model via {what}: reader failed: {type(e).__name__}: {str(e).splitlines()[0][:200] if str(e) else ''}"); return None


def check_model(d: Path, exp: dict, tol: float) -> bool:
    from transformers import AutoModelForCausalLM, GPTQConfig
    bits = json.loads((d / 'config.json').read_text())['quantization_config']['bits']
    m = AutoModelForCausalLM.from_pretrained(str(d), device_map='cpu', quantization_config=GPTQConfig(bits=bits, backend='torch')).eval()
    kinds = sorted({type(x).__name__ for x in m.modules() if hasattr(x, 'qweight')})
    with torch.no_grad(): y = m(exp['input_ids'].long()).logits.float()
    E = exp['logits'].float()
    rel = float((y - E).abs().max() / E.abs().max()) if y.shape == E.shape else float('inf')
    ok = rel <= tol
    print(f"model via transformers.from_pretrained ({type(m).__name__}, kernels {kinds}, dtype {m.dtype}): logits max |diff| / max |logit| = {rel:.3g} "
          f"({'within' if ok else 'OUTSIDE'} {tol:.3g})")
    return ok


def check_gptqmodel_load(d: Path, exp: dict, tol: float) -> bool:
    import tempfile
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast
    from gptqmodel import GPTQModel, BACKEND
    with tempfile.TemporaryDirectory() as t:
        t = Path(t)
        for f in d.iterdir(): os.symlink(f.resolve(), t / f.name)
        V = json.loads((d / 'config.json').read_text())['vocab_size']
        tok = Tokenizer(models.WordLevel({f't{i}': i for i in range(V)}, unk_token='t0')); tok.pre_tokenizer = pre_tokenizers.Whitespace()
        PreTrainedTokenizerFast(tokenizer_object=tok, unk_token='t0', pad_token='t0').save_pretrained(str(t))
        g = GPTQModel.load(str(t), device='cpu', backend=BACKEND.TORCH, dtype=torch.float16)
        m = g.model.float().eval()
        kinds = sorted({type(x).__name__ for x in m.modules() if hasattr(x, 'qweight')})
        with torch.no_grad(): y = m(exp['input_ids'].long()).logits.float()
    E = exp['logits'].float()
    rel = float((y - E).abs().max() / E.abs().max()) if y.shape == E.shape else float('inf')
    ok = rel <= tol
    print(f"model via GPTQModel.load ({type(m).__name__}, kernels {kinds}, float32): logits max |diff| / max |logit| = {rel:.3g} "
          f"({'within' if ok else 'OUTSIDE'} {tol:.3g})")
    return ok


def main(out_dir: str, expected: str) -> int:
    d = Path(out_dir)
    try:
        qc = json.loads((d / 'quantize_config.json').read_text())
        tensors, exp = load_file(str(d / 'model.safetensors')), load_file(expected)
    except Exception as e:
        print(f"cannot read {d}: {type(e).__name__}: {e}"); return 2
    print(f"== {d}")
    print(f"config: bits={qc['bits']}, group_size={qc['group_size']}, desc_act={qc['desc_act']}, sym={qc['sym']}, checkpoint_format={qc.get('checkpoint_format')}")
    layers = sorted(k[:-len('.qweight')] for k in tensors if k.endswith('.qweight'))
    bad = 0
    for n in layers:
        t = {k: tensors[f'{n}.{k}'] for k in ('qweight', 'qzeros', 'scales', 'g_idx', 'bias') if f'{n}.{k}' in tensors}
        codes, zeros, W = library_grid(t, qc)
        ok_c = torch.equal(codes.to(torch.int32), exp[f'{n}.codes'].T.to(torch.int32))
        ok_z = torch.equal(zeros.to(torch.int32), exp[f'{n}.zeros'].T.to(torch.int32))
        E = exp[f'{n}.weight'].T
        ok_w = W.dtype == E.dtype and torch.equal(W, E)
        diff = float((W.double() - E.double()).abs().max()) if W.shape == E.shape else float('nan')
        print(f"{n}: in×out {tuple(W.shape)} codes {'identical' if ok_c else 'DIFFER'}, zero points {'identical' if ok_z else 'DIFFER'}, "
              f"weight {'identical' if ok_w else 'DIFFERS'} ({W.dtype}, max |diff| {diff:g})")
        bad += not (ok_c and ok_z and ok_w)
    missing = sorted(k[:-len('.codes')] for k in exp if k.endswith('.codes') and k[:-len('.codes')] not in layers)
    if missing: print(f"expected layers missing from the folder: {missing}"); bad += len(missing)
    if 'logits' in exp:
        tol = logit_tol(len(layers))
        res = [guarded('transformers.from_pretrained', check_model, d, exp, tol)]
        if qc.get('checkpoint_format', 'gptq') == 'gptq' and not qc['sym']:
            print("model via GPTQModel.load: not offered (it refuses asymmetric v1 folders not written by GPTQModel)"); res.append(None)
        else: res.append(guarded('GPTQModel.load', check_gptqmodel_load, d, exp, tol))
        if False in res or res == [None, None]: bad += 1
        print(f"whole model: {sum(r is True for r in res)} of 2 readers loaded it and agree")
    print(f"{len(layers)} packed layers, {bad} failed"); return 1 if bad or not layers else 0


if __name__ == '__main__':
    args = sys.argv[1:]
    if not args or len(args) % 2: print(__doc__); sys.exit(2)
    sys.exit(max(main(a, b) for a, b in zip(args[::2], args[1::2])))
