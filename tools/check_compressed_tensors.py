"""Independent check of a compressed-tensors `pack-quantized` folder written by forgetting_quant's `save_compressed_tensors`.

Run it with an interpreter that has compressed-tensors (and safetensors, torch) but NOT forgetting_quant, e.g.:

    /tmp/ctenv/bin/python tools/check_compressed_tensors.py OUT_DIR EXPECTED.safetensors

OUT_DIR holds model.safetensors plus config.json (its `quantization_config`) or quantization_config.json.
EXPECTED.safetensors is written by our side and holds, per packed layer, `<layer>.weight` (the dequantized weight we expect, in the
scale dtype), `<layer>.codes` (our unsigned m×n codes) and `<layer>.zeros` (our m×G zero points).
The folder is read only with compressed-tensors' own code: `QuantizationConfig.model_validate` parses the config, the
pack-quantized compressor's `decompress` rebuilds each weight, `unpack_from_int32` gives the signed stored codes and zero points.
Prints one line per layer and exits 1 if any layer differs (or 2 if the folder cannot be read), 0 otherwise."""
import json, sys
from pathlib import Path
import torch
from safetensors.torch import load_file
from compressed_tensors.config import CompressionFormat
from compressed_tensors.quantization import QuantizationConfig
from compressed_tensors.compressors.pack_quantized import PackedQuantizationCompressor
from compressed_tensors.compressors.pack_quantized.helpers import unpack_from_int32


def read_config(d: Path) -> dict:
    if (d / 'quantization_config.json').is_file(): return json.loads((d / 'quantization_config.json').read_text())
    return json.loads((d / 'config.json').read_text())['quantization_config']


def main(out_dir: str, expected: str) -> int:
    d = Path(out_dir)
    try:
        qc = QuantizationConfig.model_validate(read_config(d))
        tensors, exp = load_file(str(d / 'model.safetensors')), load_file(expected)
    except Exception as e:
        print(f"cannot read {d}: {type(e).__name__}: {e}"); return 2
    if qc.format != CompressionFormat.pack_quantized.value or len(qc.config_groups) != 1:
        print(f"unexpected config: format={qc.format!r}, {len(qc.config_groups)} config groups"); return 1
    scheme = next(iter(qc.config_groups.values())); w = scheme.weights; b = w.num_bits; off = 1 << (b - 1)
    print(f"config: {qc.quant_method} / {qc.format}, num_bits={b}, symmetric={w.symmetric}, strategy={w.strategy}, "
          f"group_size={w.group_size}, actorder={w.actorder}, ignore={qc.ignore}")
    layers = sorted(k[:-len('.weight_packed')] for k in tensors if k.endswith('.weight_packed'))
    bad = 0
    for n in layers:
        sd = {k: tensors[f'{n}.{k}'] for k in ('weight_packed', 'weight_scale', 'weight_shape', 'weight_zero_point') if f'{n}.{k}' in tensors}
        shape = torch.Size(sd['weight_shape'].tolist())
        codes = unpack_from_int32(sd['weight_packed'], b, shape)                    # signed int8: code − 2^(b−1)
        ok_codes = torch.equal(codes.to(torch.int32), exp[f'{n}.codes'].to(torch.int32) - off)
        if 'weight_zero_point' in sd:
            zp = unpack_from_int32(sd['weight_zero_point'], b, (shape[0], sd['weight_scale'].shape[-1]), packed_dim=0)
            ok_zero = torch.equal(zp.to(torch.int32), exp[f'{n}.zeros'].to(torch.int32) - off)
        else:
            ok_zero = bool((exp[f'{n}.zeros'] == off).all())                        # symmetric: the reader's zero is 0 on signed values
        W = PackedQuantizationCompressor.decompress(sd, scheme)['weight']
        E = exp[f'{n}.weight']
        ok_w = W.dtype == E.dtype and torch.equal(W, E)
        diff = float((W.double() - E.double()).abs().max()) if W.shape == E.shape else float('nan')
        print(f"{n}: shape {tuple(shape)} codes {'identical' if ok_codes else 'DIFFER'}, zero points {'identical' if ok_zero else 'DIFFER'}, "
              f"weight {'identical' if ok_w else 'DIFFERS'} ({W.dtype}, max |diff| {diff:g})")
        bad += not (ok_codes and ok_zero and ok_w)
    missing = sorted(k[:-len('.weight')] for k in exp if k.endswith('.weight') and k[:-len('.weight')] not in layers)
    if missing: print(f"expected layers missing from the folder: {missing}"); bad += len(missing)
    print(f"{len(layers)} packed layers, {bad} differ"); return 1 if bad or not layers else 0


if __name__ == '__main__':
    if len(sys.argv) != 3: print(__doc__); sys.exit(2)
    sys.exit(main(sys.argv[1], sys.argv[2]))
