#!/usr/bin/env bash
# Creates tests/interop/.venv with python-smpplib as pinned (with hashes) in requirements.txt.
# .ci/run calls it; the interop test calls it too when the venv is missing.
set -euo pipefail
cd "$(dirname "$0")"
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/pip install --quiet --disable-pip-version-check --require-hashes --only-binary :all: -r requirements.txt
.venv/bin/python -c 'import smpplib, importlib.metadata as m; print("smpplib", m.version("smpplib"))'
