#!/usr/bin/env bash
# Makes sure the Python virtualenv of tools/python/requirements.txt exists and prints its directory.
#
#   venv="$(scripts/ensure-python.sh)"; "$venv/bin/python" -c 'import pulumi'
#
# Stdout carries exactly one line, the absolute virtualenv directory; progress and errors go to
# stderr. The venv is .cache/python/<hash>/venv, keyed by the requirements file and the Python
# version, so a warm run costs a hash and a stat; a cold one installs from PyPI (about a minute).
# PYTHON selects the interpreter (default: python3 on PATH).
set -euo pipefail

log() { printf 'ensure-python: %s\n' "$*" >&2; }
die() {
	log "error: $*"
	exit 1
}

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
REQUIREMENTS="$ROOT/tools/python/requirements.txt"
python="${PYTHON:-python3}"
command -v "$python" >/dev/null 2>&1 || die "$python is not on PATH; Python 3.9 or later is needed"
[[ -f "$REQUIREMENTS" ]] || die "missing $REQUIREMENTS"

key="$({
	"$python" --version 2>&1
	cat "$REQUIREMENTS"
} | sha256sum | cut -c1-16)"
cache="$ROOT/.cache/python/$key"
venv="$cache/venv"
if [[ -f "$cache/ready" && -x "$venv/bin/python" ]]; then
	printf '%s\n' "$venv"
	exit 0
fi

mkdir -p "$cache"
exec 9>"$cache/.lock"
if command -v flock >/dev/null 2>&1; then
	flock 9
fi
if [[ -f "$cache/ready" && -x "$venv/bin/python" ]]; then
	printf '%s\n' "$venv"
	exit 0
fi

start=$SECONDS
log "creating $venv from ${REQUIREMENTS#"$ROOT"/} with $("$python" --version 2>&1)"
rm -rf "$venv"
"$python" -m venv "$venv" >&2
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-input \
	-r "$REQUIREMENTS" >&2 || die "pip install -r ${REQUIREMENTS#"$ROOT"/} failed (see above)"
touch "$cache/ready"
log "ready in $((SECONDS - start))s: $venv"
printf '%s\n' "$venv"
