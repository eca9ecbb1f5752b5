"""Sparse autoencoders: `topk` (the TopK SAE and its training), `features`, `pipeline`; `formats` (imported here so that every `TopKSAE` has `save_pretrained`/`from_pretrained`)."""
from . import formats  # hand-written: attaches TopKSAE.save_pretrained / TopKSAE.from_pretrained (SAELens, sparsify folders)
