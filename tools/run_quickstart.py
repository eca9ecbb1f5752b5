"""Run the README's quick starts as written: every ```python block of its "## Quick start" section, each in a fresh
interpreter (the one running this script), in an empty temporary folder. CI step c runs it in the runtime-only venv.

Usage: python tools/run_quickstart.py [README.md]"""
import re, subprocess, sys, tempfile, time
from pathlib import Path

def quickstart_blocks(readme:str)->list[str]:
    "The ```python blocks of the '## Quick start' section (up to the next '## ' heading)."
    m = re.search(r'^## Quick start\s*$(.*?)(?=^## |\Z)', readme, re.M | re.S)
    if m is None: raise SystemExit("README has no '## Quick start' section")
    blocks = re.findall(r'^```python\n(.*?)^```', m.group(1), re.M | re.S)
    if not blocks: raise SystemExit("the '## Quick start' section has no ```python blocks")
    return blocks

def main(path:str='README.md')->int:
    blocks, failed = quickstart_blocks(Path(path).read_text(encoding='utf-8')), 0
    for i, code in enumerate(blocks, 1):
        first = code.strip().splitlines()[0]
        with tempfile.TemporaryDirectory() as d:
            t0 = time.perf_counter()
            r = subprocess.run([sys.executable, '-c', code], cwd=d, capture_output=True, text=True)
        status = 'ok' if r.returncode == 0 else f'FAILED (exit {r.returncode})'
        print(f"quick start {i}/{len(blocks)} ({first[:60]}): {status} in {time.perf_counter() - t0:.1f} s")
        if r.stdout.strip(): print('  ' + r.stdout.strip().replace('\n', '\n  '))
        if r.returncode:
            failed += 1; print(r.stderr[-3000:], file=sys.stderr)
    return 1 if failed else 0

if __name__ == '__main__': sys.exit(main(*sys.argv[1:]))
