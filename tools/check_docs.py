"""Check the built docs site in a real browser (headless Debian chromium driven by Playwright).

For the index and every other page: the sidebar lists every page, KaTeX typeset the math (where the page has any), no math
error is shown, every figure decoded (naturalWidth > 0). The index must have the sidebar, typeset math and a figure.
Saves a screenshot of the index. Usage: python tools/check_docs.py [SITE_DIR] [--screenshot PNG]"""
import sys, argparse, shutil
from pathlib import Path
from playwright.sync_api import sync_playwright

p = argparse.ArgumentParser()
p.add_argument('site', nargs='?', default='docs')
p.add_argument('--screenshot', default=None, help='PNG path (default SITE/_check/index.png)')
p.add_argument('--browser', default=shutil.which('chromium') or '/usr/bin/chromium')
a = p.parse_args()
site = Path(a.site).resolve()
pages = sorted(site.rglob('*.html'))
assert (site/'index.html').exists(), f"{site}/index.html missing"
assert len(pages) >= 2, f"expected index.html plus one page per notebook, found {len(pages)}"
shot = Path(a.screenshot or site/'_check'/'index.png'); shot.parent.mkdir(parents=True, exist_ok=True)

FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
         '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage']
STATE = '''() => ({
  links: document.querySelectorAll('nav.sidebar li a').length,
  katex: document.querySelectorAll('main .katex').length,
  katexErrors: document.querySelectorAll('main .katex-error').length,
  rawDollars: [...document.querySelectorAll('main .md p, main .md li, main .md td')].filter(e => {
    const c = e.cloneNode(true); c.querySelectorAll('code, .katex').forEach(x => x.remove());
    return /\\$[^$\\s][^$]*\\$/.test(c.textContent); }).length,
  imgs: [...document.querySelectorAll('main img')].map(i => i.complete && i.naturalWidth > 0),
  title: document.querySelector('h1.title') && document.querySelector('h1.title').textContent,
  typeset: document.body.dataset.mathTypeset,
})'''
failures, n_math, n_img = [], 0, 0
with sync_playwright() as pw:
    browser = pw.chromium.launch(executable_path=a.browser, headless=True, args=FLAGS)
    page = browser.new_page(viewport={'width': 1280, 'height': 900})
    errors = []
    page.on('pageerror', lambda e: errors.append(str(e)))
    for f in [site/'index.html'] + [q for q in pages if q != site/'index.html']:
        errors.clear()
        page.goto(f.as_uri(), wait_until='load')
        page.wait_for_function('document.body.dataset.mathTypeset !== undefined', timeout=15000)
        s = page.evaluate(STATE)
        rel = f.relative_to(site).as_posix()
        n_math += s['katex'] > 0; n_img += any(s['imgs'])
        if s['links'] != len(pages): failures.append(f"{rel}: sidebar has {s['links']} links, site has {len(pages)} pages")
        if s['katexErrors']: failures.append(f"{rel}: {s['katexErrors']} KaTeX errors")
        if s['rawDollars']: failures.append(f"{rel}: {s['rawDollars']} paragraphs still show $...$ (math not typeset)")
        if not all(s['imgs']): failures.append(f"{rel}: {s['imgs'].count(False)} images failed to render")
        if errors: failures.append(f"{rel}: JavaScript errors {errors}")
        if rel == 'index.html':
            if not s['katex']: failures.append("index.html: no typeset math")
            if not any(s['imgs']): failures.append("index.html: no rendered figure")
            page.screenshot(path=str(shot), full_page=False)
        print(f"  {rel:<40} sidebar {s['links']:>3}  math {s['katex']:>4}  figures {sum(s['imgs']):>3}")
    browser.close()
print(f"checked {len(pages)} pages: {n_math} with typeset math, {n_img} with figures; screenshot {shot}")
if failures:
    print('\n'.join(['FAILED:'] + failures)); sys.exit(1)
