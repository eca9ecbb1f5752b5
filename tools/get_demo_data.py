#!/usr/bin/env python3
"""Fetch the authors' published SAE demo features for the three checkpoints this package evaluates on, and write them in the
layout `forgetting_quant.reproduce.sae.load_demo` reads:

    OUT/llmjp-sae-demo/ckpt10.json, ckpt10000.json, ckpt988240.json      each {feature id: {'token_act', 'language', 'granularity'}}

The source is the public repository llm-jp/llm-jp-sae at the paper-time commit d9eb8c6, folder docs/data/<step>/ (one JSON file per
feature). Only the three folders 10, 10000 and 988240 are fetched (a blob-less clone with a sparse checkout): the repository's other
checkpoints are a held-out test of the granularity classifier and must not be read. Needs git and network access; then

    export FQ_SHARED_DATA=OUT

and `nbdev_test` runs the notebooks that need the demo data. `--from-clone DIR` converts an existing checkout (or any folder with
docs/data/<step>/*.json) without the network. Standard library only, so it runs before the package is installed.
"""
from __future__ import annotations
import argparse, json, os, subprocess, sys, tempfile
from pathlib import Path

REPO = 'https://github.com/llm-jp/llm-jp-sae.git'
COMMIT = 'd9eb8c6'
CHECKPOINTS = (10, 10000, 988240)        # forgetting_quant.reproduce.sae.DEMO_CHECKPOINTS
REQUIRED = ('token_act', 'granularity')  # 'language' is kept when present


def fetch(dest: Path, repo: str = REPO, commit: str = COMMIT) -> Path:
    "Blob-less clone of `repo` into `dest` with only docs/data/<step>/ of the three checkpoints checked out at `commit`."
    run = lambda *a: subprocess.run(['git', *a], check=True)
    print(f'get_demo_data: cloning {repo} (no blobs) into {dest}', file=sys.stderr)
    run('clone', '--quiet', '--filter=blob:none', '--no-checkout', repo, str(dest))
    run('-C', str(dest), 'sparse-checkout', 'set', '--no-cone', *[f'/docs/data/{c}/' for c in CHECKPOINTS])
    print(f'get_demo_data: checking out docs/data/{{{",".join(map(str, CHECKPOINTS))}}} at {commit}', file=sys.stderr)
    run('-C', str(dest), 'checkout', '--quiet', commit)
    return dest


def convert(clone: Path, out: Path) -> dict[int, int]:
    "Merge docs/data/<step>/<id>.json of `clone` into out/llmjp-sae-demo/ckpt<step>.json; returns {step: number of features}."
    target = out/'llmjp-sae-demo'
    counts, merged = {}, {}
    for c in CHECKPOINTS:                                    # read and check everything before writing anything
        src = clone/'docs'/'data'/str(c)
        files = sorted(src.glob('*.json'), key=lambda p: (not p.stem.isdigit(), int(p.stem) if p.stem.isdigit() else 0, p.stem))
        if not files: raise FileNotFoundError(f'no feature files in {src}')
        feats = {}
        for p in files:
            try: obj = json.loads(p.read_text(encoding='utf-8'))
            except ValueError as e: raise ValueError(f'{p} is not valid JSON: {e}') from None
            miss = [k for k in REQUIRED if not isinstance(obj, dict) or k not in obj]
            if miss: raise ValueError(f'{p} has no {miss} (expected a feature object with keys {REQUIRED} and optionally language)')
            feats[p.stem] = obj
        merged[c] = feats; counts[c] = len(feats)
    target.mkdir(parents=True, exist_ok=True)
    for c, feats in merged.items():
        tmp = target/f'.ckpt{c}.json.tmp'
        tmp.write_text(json.dumps(feats, ensure_ascii=False), encoding='utf-8')
        os.replace(tmp, target/f'ckpt{c}.json')                 # atomic: a reader never sees half a file
    return counts


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('out', help='folder to write llmjp-sae-demo/ into (then set FQ_SHARED_DATA to it)')
    p.add_argument('--from-clone', metavar='DIR', help='convert this folder instead of fetching: a checkout of the authors\' repository, or any folder holding docs/data/<step>/<id>.json for the three steps')
    p.add_argument('--repo', default=REPO, help=f'repository to clone (default {REPO})')
    p.add_argument('--commit', default=COMMIT, help=f'commit to check out (default {COMMIT}, the paper-time version)')
    a = p.parse_args(argv)
    try:
        if a.from_clone: counts = convert(Path(a.from_clone), Path(a.out))
        else:
            with tempfile.TemporaryDirectory() as tmp: counts = convert(fetch(Path(tmp)/'llm-jp-sae', a.repo, a.commit), Path(a.out))
    except (OSError, ValueError, subprocess.CalledProcessError) as e:
        print(f'get_demo_data: error: {e}', file=sys.stderr); return 1
    print(f'get_demo_data: wrote {sum(counts.values())} features ({counts}) to {Path(a.out).resolve()}/llmjp-sae-demo; '
          f'now export FQ_SHARED_DATA={Path(a.out).resolve()}', file=sys.stderr)
    return 0


if __name__ == '__main__':
    sys.exit(main())
