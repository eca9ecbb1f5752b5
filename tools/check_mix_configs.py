"""Check the mixing config lines of `forgetting.hf_alpha_c.mixing_config_lines` against each tool's own config reader.

The tools themselves (LLaMA-Factory, axolotl, TRL) all pull torch, so they are not installed; instead their config classes are loaded from
their sources (git mirrors, `git show HEAD:<path>`) and fed our YAML the way each tool does:
- LLaMA-Factory: `DataArguments` (src/llamafactory/hparams/data_args.py, self-contained) through `transformers.HfArgumentParser.parse_dict`,
  as LLaMA-Factory parses a YAML config; its `__post_init__` splits `dataset` and `interleave_probs` and checks their lengths.
- TRL: `DatasetConfig` / `DatasetMixtureConfig` (trl/scripts/utils.py, the two dataclasses extracted), built as `TrlParser` does for `datasets:`.
- axolotl: the pydantic model `SFTDataset` (src/axolotl/utils/schemas/datasets.py with its real enums.py; the legacy-message helper stubbed); `extra='forbid'` is not set
  there, so the check also asserts that every key we write is a declared field (a misspelt `weight` would be ignored silently).
- datasets: the real `datasets.interleave_datasets` when `datasets` is importable (a separate venv: `pip install datasets pyyaml`), run on
  two small in-memory datasets; the realised share of pre-training examples is compared with alpha.
Parts whose dependencies are missing in the running interpreter are reported as skipped.

Usage: python tools/check_mix_configs.py --lf GITDIR --trl GITDIR --axolotl GITDIR [--alpha 0.3]
"""
import argparse, ast, subprocess, sys, types
from dataclasses import dataclass, field
from pathlib import Path

def git_show(gitdir, path): return subprocess.run(['git', '--git-dir', str(gitdir), 'show', f'HEAD:{path}'], capture_output=True, text=True, check=True).stdout

def _datasets_line(alpha):   # for an interpreter without torch (the `datasets` venv); the main-venv run checks it equals the package's line
    a, f = round(alpha, 4), round(1 - alpha, 4)
    return f"interleave_datasets([pre, ft], probabilities=[{a}, {f}], seed=0, stopping_strategy='all_exhausted')"

def lines_for(alpha):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    try: from forgetting_quant.forgetting.hf_alpha_c import mixing_config_lines
    except ImportError: return {'datasets': _datasets_line(alpha)}
    L = mixing_config_lines(alpha, n_pre=600, n_ft=300)
    assert L['datasets'] == _datasets_line(alpha), (L['datasets'], _datasets_line(alpha))
    return L

def check_llamafactory(gitdir, text, alpha):
    from transformers import HfArgumentParser
    import yaml
    ns = {'__name__': 'lf_data_args'}; exec(git_show(gitdir, 'src/llamafactory/hparams/data_args.py'), ns)
    DA = ns['DataArguments']
    (da,) = HfArgumentParser(DA).parse_dict(dict(yaml.safe_load(text), dataset_dir='.'), allow_extra_keys=False)
    assert da.dataset == ['pretrain', 'finetune'] and da.mix_strategy == 'interleave_over', da
    assert abs(da.interleave_probs[0] - alpha) < 1e-4 and abs(sum(da.interleave_probs) - 1) < 1e-9, da.interleave_probs
    return f"DataArguments parsed: dataset={da.dataset}, mix_strategy={da.mix_strategy}, interleave_probs={da.interleave_probs}"

def check_trl(gitdir, text, alpha):
    import yaml
    src = git_show(gitdir, 'trl/scripts/utils.py'); tree = ast.parse(src)
    code = '\n'.join('@dataclass\n' + ast.get_source_segment(src, n) for n in tree.body if isinstance(n, ast.ClassDef) and n.name in ('DatasetConfig', 'DatasetMixtureConfig'))
    ns = {'dataclass': dataclass, 'field': field, '__name__': 'trl_utils'}; exec(code, ns)
    y = yaml.safe_load(text)
    mix = ns['DatasetMixtureConfig'](datasets=[ns['DatasetConfig'](**d) for d in y['datasets']])   # TypeError on any unknown key
    fr = [d.fraction for d in mix.datasets]
    assert abs(fr[0] / sum(fr) - alpha) < 1e-4, fr
    return f"DatasetMixtureConfig built: fractions {fr} (normalised share of rows {fr[0] / sum(fr):.4f})"

def check_axolotl(gitdir, text, alpha):
    import yaml, enum
    enums = {}; exec(git_show(gitdir, 'src/axolotl/utils/schemas/enums.py'), enums)    # the real enums (they import torch)
    for name, attrs in (('axolotl', {}), ('axolotl.utils', {}), ('axolotl.utils.schemas', {}), ('axolotl.utils.schemas.enums', enums),
                        ('axolotl.utils.schemas.utils', {'handle_legacy_message_fields_logic': lambda d: d})):   # a logger-only helper, stubbed
        m = types.ModuleType(name); m.__dict__.update(attrs); sys.modules.setdefault(name, m)
    ns = {'__name__': 'axolotl_datasets'}; exec(git_show(gitdir, 'src/axolotl/utils/schemas/datasets.py'), ns)
    SFT = ns['SFTDataset']; y = yaml.safe_load(text); rows = []
    for d in y['datasets']:
        unknown = set(d) - set(SFT.model_fields)
        assert not unknown, f"not SFTDataset fields (axolotl would ignore them): {unknown}"
        ds = SFT(**d); rows.append(int(ds.split[len('train[:'):-1]))
    assert 'weight' not in SFT.model_fields, "axolotl now has a per-dataset weight: use it"
    assert abs(rows[0] / sum(rows) - alpha) < 0.01, rows
    return f"SFTDataset validated both entries; rows {rows} (share {rows[0] / sum(rows):.4f}); no per-dataset weight field exists"

def check_datasets(text, alpha):
    import datasets
    n = 4000
    pre = datasets.Dataset.from_dict({'text': ['p'] * n}); ft = datasets.Dataset.from_dict({'text': ['f'] * n})
    call = text.strip()
    assert call.startswith('interleave_datasets([pre, ft], probabilities=[')
    mixed = eval(call, {'interleave_datasets': datasets.interleave_datasets, 'pre': pre, 'ft': ft})
    share = sum(t == 'p' for t in mixed['text'][:2000]) / 2000
    assert abs(share - alpha) < 0.05, share
    return f"datasets {datasets.__version__}: interleave_datasets ran; share of pre-training examples in the first 2000 = {share:.3f}"

if __name__ == '__main__':
    p = argparse.ArgumentParser(); p.add_argument('--lf'); p.add_argument('--trl'); p.add_argument('--axolotl'); p.add_argument('--alpha', type=float, default=0.3)
    a = p.parse_args(); L = lines_for(a.alpha); failed = False
    for name, fn in (('llamafactory', lambda: check_llamafactory(a.lf, L['llamafactory'], a.alpha)), ('trl', lambda: check_trl(a.trl, L['trl'], a.alpha)),
                     ('axolotl', lambda: check_axolotl(a.axolotl, L['axolotl'], a.alpha)), ('datasets', lambda: check_datasets(L['datasets'], a.alpha))):
        if name not in L: print(f"{name}: skipped (forgetting_quant not importable here)"); continue
        try: print(f"{name}: OK: {fn()}")
        except ImportError as e: print(f"{name}: skipped ({e})")
        except subprocess.CalledProcessError as e: print(f"{name}: skipped (no source: {e.stderr.strip()[:100]})")
        except Exception as e: failed = True; print(f"{name}: FAILED: {type(e).__name__}: {e}")
    sys.exit(1 if failed else 0)
