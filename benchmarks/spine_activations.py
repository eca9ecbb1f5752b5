"""Benchmark: activation extraction throughput (tokens/s) with `forgetting_quant.activations.get_activations`.

Our default GPT shape (1.07M parameters) and a Pythia-70m-shaped GPT-NeoX built from a config (random weights; no download),
64 tokens per document after BOS, in memory and streamed to a disk cache. Times are printed, never asserted.
Usage: python benchmarks/spine_activations.py [--docs 1024] [--threads N]
"""
import os, time, argparse, tempfile
os.environ.setdefault('FQ_QUIET', '1')
import torch
from forgetting_quant.core import set_threads, markdown_table
from forgetting_quant.lm import GPT, GPTConfig
from forgetting_quant.activations import get_activations

p = argparse.ArgumentParser(); p.add_argument('--docs', type=int, default=1024); p.add_argument('--threads', type=int, default=os.cpu_count())
a = p.parse_args(); set_threads(a.threads)
print(f"{os.cpu_count()} cores, threads {a.threads}, load average {os.getloadavg()}")
rows = []
def bench(name, model, layer, vocab):
    ids = torch.randint(2, vocab, (a.docs, 65)); ids[:, 0] = 0
    get_activations(model, ids[:8], layer)   # warm-up
    for where in ('memory', 'disk'):
        with tempfile.TemporaryDirectory() as tmp:
            t0 = time.perf_counter()
            r = get_activations(model, ids, layer, batch_size=64, cache_dir=None if where == 'memory' else f'{tmp}/c', max_memory_mb=64)
            dt = time.perf_counter() - t0
        rows.append({'model': name, 'layer': layer, 'to': where, 'docs': a.docs, 'input_tokens_per_s': a.docs * 65 / dt, 'rows_per_s': a.docs * 64 / dt})
        print(rows[-1])
g = GPT(GPTConfig()).eval()
for layer in (1, 3): bench('fq GPT default (1.07M)', g, layer, 2048)
try:
    from transformers import GPTNeoXConfig, GPTNeoXForCausalLM
    neox = GPTNeoXForCausalLM(GPTNeoXConfig(vocab_size=50304, hidden_size=512, intermediate_size=2048, num_hidden_layers=6,
                                            num_attention_heads=8, max_position_embeddings=2048)).eval()
    bench('GPT-NeoX, Pythia-70m shape (random)', neox, 3, 50304)
except ImportError: print('transformers not installed: skipping the HF model')
print(markdown_table(rows)); print(f"load average after: {os.getloadavg()}")
