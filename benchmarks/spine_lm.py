"""Benchmark: the default bilingual LM on this machine.

Trains `forgetting_quant.reproduce.lm.train_default_lm` (1.07M parameters, 1000 steps x 16 x 128 tokens) into OUT (default
/tmp/fq_spine_lm), printing wall time, training tokens/s and the held-out loss per language at every checkpoint.
Rerunning with the same OUT resumes (and does nothing if the run is finished; pass --fresh to start over).
Times are printed, never asserted. Usage: python benchmarks/spine_lm.py [OUT] [--threads N] [--fresh]
"""
import os, sys, time, shutil, argparse, json, platform
os.environ.setdefault('FQ_QUIET', '1')
import torch
from forgetting_quant.core import set_threads, markdown_table
from forgetting_quant.lm import default_lm_data, DEFAULT_MODEL, GPT
from forgetting_quant.reproduce.lm import train_default_lm

p = argparse.ArgumentParser(); p.add_argument('out', nargs='?', default='/tmp/fq_spine_lm')
p.add_argument('--threads', type=int, default=os.cpu_count()); p.add_argument('--fresh', action='store_true')
a = p.parse_args()
set_threads(a.threads)
if a.fresh: shutil.rmtree(a.out, ignore_errors=True)
print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, torch {torch.__version__}, threads {a.threads}, "
      f"load average {os.getloadavg()}")
t0 = time.perf_counter(); tok, tokens, held = default_lm_data(); t_data = time.perf_counter() - t0
print(f"data: {len(tokens):,} training tokens, held-out {({k: len(v) for k, v in held.items()})}, tokenizer {tok.get_vocab_size()} "
      f"(generation + BPE training + encoding {t_data:.1f} s)")
print(f"model: {GPT(DEFAULT_MODEL).num_params():,} parameters, {DEFAULT_MODEL}")
t0 = time.perf_counter(); res = train_default_lm(a.out); wall = time.perf_counter() - t0
print(f"train_default_lm: {wall:.1f} s wall in total (data + {res['steps_run']} steps + evaluations + checkpoints)")
if res['train_tokens_per_s']: print(f"training throughput: {res['train_tokens_per_s']:,.0f} tokens/s over the steps run")
print(markdown_table([{k: e[k] for k in ('step', 'tokens', 'loss_en', 'ppl_en', 'loss_ja', 'ppl_ja')} for e in res['evals']]))
print(f"load average after: {os.getloadavg()}")
