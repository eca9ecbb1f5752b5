#!/usr/bin/env bash
# One-step set-up on a fresh machine (needs only python3 >= 3.10 with venv and pip):
# creates .venv (if missing) and installs this package in editable mode with the dev and hf extras.
# Both README commands start with it; .ci/run runs the README's test command verbatim.
#   FQ_TORCH   torch requirement installed first (default torch==2.13.0, the CPU wheel our machines carry;
#              any torch>=2.2 works, e.g. FQ_TORCH='torch>=2.2' elsewhere)
#   FQ_VENV    virtual environment folder (default .venv)
#   PYTHON     interpreter used to create it (default python3)
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${FQ_VENV:-.venv}
PY=${PYTHON:-python3}
"$PY" -c 'import sys; sys.exit(sys.version_info < (3, 10))' || { echo "forgetting_quant needs Python >= 3.10 ($PY is $("$PY" -V 2>&1))" >&2; exit 1; }
[ -x "$VENV/bin/python" ] || "$PY" -m venv "$VENV"
pip=("$VENV/bin/python" -m pip install --disable-pip-version-check -q)
echo "setup: installing ${FQ_TORCH:-torch==2.13.0} into $VENV" >&2
"${pip[@]}" "${FQ_TORCH:-torch==2.13.0}"
echo "setup: installing forgetting_quant[dev,hf,bench,ja] (editable) into $VENV" >&2
"${pip[@]}" -e ".[dev,hf,bench,ja]"
"$VENV/bin/python" -c 'import forgetting_quant, nbdev, torch; print(f"setup: forgetting_quant {forgetting_quant.__version__}, torch {torch.__version__}, nbdev {nbdev.__version__}")' >&2
