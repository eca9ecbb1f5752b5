"""forgetting_quant: what happens to what a model knows when its weights change.

Fine-tuning with replayed pre-training data (the critical mixing fraction alpha_c), training itself (sparse-autoencoder
features across checkpoints) and compression (GPTQ, which is Babai's nearest-plane algorithm on a lattice).

The names below are the public API, importable from here; each lives in a submodule (``forgetting_quant.quant.model``,
...), imported only when first used. ``help(forgetting_quant.NAME)`` lists the arguments. The paper reproductions
behind ``fq reproduce`` are in ``forgetting_quant.reproduce``.
"""
__version__ = "0.0.1"

# hand-written (nbdev keeps this file and only updates the version line); its test is in nbs/index.ipynb
_API = {
    # the spine: seeds, devices, threads; the bilingual GPT; activations of any model
    'core': ('seed_everything', 'get_device', 'set_threads'),
    'lm': ('GPT', 'GPTConfig', 'TrainConfig', 'train_lm', 'load_run', 'load_checkpoint', 'evaluate'),
    'activations': ('get_activations', 'capture', 'load_hf_model', 'load_causal_lm', 'iter_model_checkpoints', 'ActivationCache'),
    'distributed': ('open_executor', 'dask_executor'),
    # forgetting: mixing pre-training data into fine-tuning, the critical fraction, curvature
    'forgetting.mixing': ('critical_fraction', 'alpha_c_closed_form', 'static_grid', 'forgetting_at', 'finetune_mixed',
                          'MixedBatches', 'AdaptiveMixer', 'dataset_loss', 'model_hvp'),
    'forgetting.adaptive': ('MixerConfig',),
    'forgetting.curvature': ('hutchinson_trace', 'hutchpp_trace', 'lanczos_extremes', 'torch_hvp'),
    'forgetting.hf_alpha_c': ('hf_alpha_c', 'estimate_cost', 'mixing_config_lines'),
    'forgetting.hf_callback': ('AdaptiveMixerCallback', 'MixingTrainer', 'MixedBatchSampler'),
    # SAEs: TopK SAEs and their training, feature language and granularity, the per-checkpoint pipeline
    'sae.topk': ('TopKSAE', 'SAETrainer', 'SAETrainConfig', 'sae_metrics'),
    'sae.features': ('classify_granularity', 'language_of_feature'),
    'sae.pipeline': ('run_pipeline', 'PipelineConfig'),
    'sae.evaluation': ('evaluate_sae', 'splice_sae', 'CoreEvalResult', 'core_metrics_row'),
    # quantization: GPTQ = Babai, RTN, LLL on the finite grid, whole models
    'quant.gptq': ('gptq_quantize', 'babai_quantize', 'rtn_quantize', 'quant_error', 'QuantResult'),
    'quant.finite_grid': ('lll_grid_quantize',),
    'quant.model': ('quantize_model',),
    'quant.export': ('save_quantized', 'load_quantized', 'save_compressed_tensors', 'load_compressed_tensors'),
    'quant.pipeline': ('quantize_checkpoint', 'perplexity'),
}
_WHERE = {name: mod for mod, names in _API.items() for name in names}
__all__ = ['__version__', *_WHERE]

def __getattr__(name:str):
    "Import the submodule that defines `name` on first use (PEP 562), so `import forgetting_quant` stays light."
    if name not in _WHERE: raise AttributeError(f"module 'forgetting_quant' has no attribute {name!r}")
    import importlib
    from .core import with_arguments
    obj = with_arguments(getattr(importlib.import_module(f'{__name__}.{_WHERE[name]}'), name))
    globals()[name] = obj
    return obj

def __dir__(): return sorted(set(globals()) | set(_WHERE))
