"""Import every public module of the installed forgetting_quant (used by .ci/run in a runtime-only venv).
Fails if a module needs something the runtime requirements do not provide, or if the dev tools leaked in."""
import importlib, pkgutil, sys, importlib.util
import forgetting_quant
mods = ['forgetting_quant'] + [m.name for m in pkgutil.walk_packages(forgetting_quant.__path__, 'forgetting_quant.')
                               if not m.name.rsplit('.', 1)[-1].startswith('_')]
for name in mods: importlib.import_module(name)
assert 'site-packages' in forgetting_quant.__file__, f"imported the source tree, not the wheel: {forgetting_quant.__file__}"
leaked = [p for p in ('nbdev', 'execnb', 'transformers') if importlib.util.find_spec(p)]
assert not leaked, f"runtime-only install pulled in optional packages: {leaked}"
print(f"imported {len(mods)} modules from {forgetting_quant.__file__.rsplit('/', 1)[0]}: {', '.join(mods)}")
# the front door: every name forgetting_quant exports resolves, and help() shows its arguments
missing = [n for n in forgetting_quant.__all__ if not hasattr(forgetting_quant, n)]
assert not missing, f"forgetting_quant.__all__ names that do not resolve: {missing}"
assert 'Arguments:' in (forgetting_quant.quantize_model.__doc__ or ''), "help(forgetting_quant.quantize_model) lists no arguments"
print(f"front door: {len(forgetting_quant.__all__)} names")
