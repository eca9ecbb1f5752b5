"""Benchmark: generating and tokenizing the bilingual corpus at scale (>= 20M tokens by default).

Streams documents from `forgetting_quant.data.iter_documents`, trains the 2048-token BPE on the first 20,000, encodes the
whole stream with `encode_texts`, and prints documents/s, characters/s and tokens/s. Times are printed, never asserted.
Usage: python benchmarks/spine_data.py [--tokens 20000000]
"""
import os, time, argparse
import numpy as np
from forgetting_quant.data import iter_documents, train_tokenizer, encode_texts, CONCEPTS, CATEGORIES

p = argparse.ArgumentParser(); p.add_argument('--tokens', type=int, default=20_000_000); a = p.parse_args()
print(f"{os.cpu_count()} cores, load average {os.getloadavg()}; inventory: {len(CONCEPTS)} concepts, {len(CATEGORIES)} categories")
t0 = time.perf_counter(); n = sum(1 for _ in iter_documents(20_000)); dt = time.perf_counter() - t0
print(f"generation only: {n / dt:,.0f} documents/s")
t0 = time.perf_counter(); tok = train_tokenizer((d.text for d in iter_documents(20_000)), vocab_size=2048)
print(f"BPE (2048) trained on 20,000 documents in {time.perf_counter() - t0:.1f} s")
n_docs = int(a.tokens / 46.7 * 1.02) + 1   # ~46.7 tokens per document with this tokenizer
t0 = time.perf_counter(); chars = 0
def texts():
    global chars
    for d in iter_documents(n_docs, seed=1):
        chars += len(d.text); yield d.text
stream = encode_texts(tok, texts()); dt = time.perf_counter() - t0
print(f"{n_docs:,} documents, {chars:,} characters -> {len(stream):,} tokens ({stream.nbytes / 2**20:.0f} MiB as {stream.dtype}) in {dt:.1f} s: "
      f"{len(stream) / dt:,.0f} tokens/s, {chars / dt:,.0f} chars/s (generation + tokenization)")
print(f"load average after: {os.getloadavg()}")
