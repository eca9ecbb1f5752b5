"""Fail if a shown notebook code cell mixes imports with other code.

nbdev executes such cells while processing notebooks for the docs (to make `show_doc` work), outside the notebook's flow:
they then fail for lack of earlier variables, or run heavy work during a docs build. Put imports in the `#| hide` import cell.
A self-contained example that must keep its imports (the README's quick starts, which run as written) says so with `#| standalone`.
Usage: python tools/check_notebooks.py [NBS_DIR]"""
import ast, json, sys
from pathlib import Path

def mixed_cells(nb_path:Path):
    nb = json.loads(nb_path.read_text(encoding='utf-8'))
    for i, c in enumerate(nb['cells']):
        if c['cell_type'] != 'code': continue
        src = ''.join(c['source']) if isinstance(c['source'], list) else c['source']
        dirs = [l.strip() for l in src.splitlines() if l.strip().startswith('#|')]
        if any(d in ('#| hide', '#| standalone') or 'export' in d or 'exec_doc' in d for d in dirs): continue
        try: tree = ast.parse('\n'.join(l for l in src.splitlines() if not l.lstrip().startswith(('%', '!'))))
        except SyntaxError: continue
        nodes = list(ast.walk(tree))
        if any(isinstance(n, (ast.Import, ast.ImportFrom)) for n in nodes) and any(isinstance(n, (ast.Expr, ast.Assign)) for n in nodes):
            yield i, src.splitlines()[0][:70]

root = Path(sys.argv[1] if len(sys.argv) > 1 else 'nbs')
bad = [(p, i, s) for p in sorted(root.rglob('*.ipynb')) if '.ipynb_checkpoints' not in p.parts for i, s in mixed_cells(p)]
for p, i, s in bad: print(f"{p}: cell {i} mixes imports with code (move the imports to the '#| hide' import cell): {s}")
n = len(list(root.rglob('*.ipynb')))
print(f"check_notebooks: {n - len({p for p, _, _ in bad})} clean, {len({p for p, _, _ in bad})} with mixed import cells")
sys.exit(1 if bad else 0)
