#!/usr/bin/env bash
# Installs the interop peers that are not npm packages into .peers/ (git-ignored):
#  - the Go peers (grpc-go's xDS interop client and server, etcd, kube-apiserver), built from the
#    Go module proxy by go-peers.sh at the versions in versions.sh, cached outside the clone;
#  - a Python venv with gRPC C-core (grpcio) pinned in scripts/peers/requirements.txt.
# Idempotent: a cached binary is copied, a venv that already has every pinned version is left alone.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
started=$SECONDS
bash "$repo_root/scripts/peers/go-peers.sh"
trap 'echo "peers: provisioned in $((SECONDS - started)) s"' EXIT

requirements="$repo_root/scripts/peers/requirements.txt"
venv="$repo_root/.peers/venv"
python_bin="${PYTHON:-python3}"

# "name==version" lines of the requirements file, comments and blanks dropped.
mapfile -t pins < <(sed -e 's/#.*//' -e 's/[[:space:]]//g' "$requirements" | grep -v '^$')

pins_satisfied() {
  [[ -x "$venv/bin/python" ]] || return 1
  "$venv/bin/python" - "${pins[@]}" <<'PY'
import sys
from importlib.metadata import version, PackageNotFoundError
for pin in sys.argv[1:]:
    name, wanted = pin.split("==", 1)
    try:
        have = version(name)
    except PackageNotFoundError:
        sys.exit(1)
    if have != wanted:
        sys.exit(1)
PY
}

if pins_satisfied; then
  echo "peers: $venv already has ${pins[*]}; nothing to do"
  exit 0
fi

if [[ ! -x "$venv/bin/python" ]]; then
  echo "peers: creating venv $venv with $("$python_bin" --version 2>&1)"
  "$python_bin" -m venv "$venv"
fi

echo "peers: installing ${pins[*]} into $venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$requirements"

if ! pins_satisfied; then
  echo "peers: after install, $venv still lacks one of ${pins[*]}" >&2
  exit 1
fi
echo "peers: installed ${pins[*]} into $venv"
