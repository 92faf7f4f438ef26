#!/usr/bin/env bash
# Checks the generated SDKs (scripts/build-sdks.sh) the way each language's users would first meet
# them; CI runs it (scripts/ci.sh), after the Pulumi CLI is built.
#   Go:      go build and go vet against github.com/pulumi/pulumi/sdk/v3 (the go.mod build-sdks writes)
#   Python:  imports in the tools/python/requirements.txt virtualenv, and mypy type-checks it
#   Node.js: tsc type-checks it against this repository's @pulumi/pulumi
#   .NET:    dotnet build, when a .NET SDK is installed; none is here (docs/ENGINE.md says why)
# Prints one line per language; exits non-zero when a check fails.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
sdk="$("$ROOT/scripts/build-sdks.sh")"
venv="$("$ROOT/scripts/ensure-python.sh")"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
failed=0

check() { # check <language> <command...>: runs it in a copy of the SDK, output kept on failure
	local language="$1" start=$SECONDS
	shift
	cp -R "$sdk/$language" "$work/$language"
	if (cd "$work/$language" && "$@") >"$work/$language.log" 2>&1; then
		echo "sdk $language: ok ($((SECONDS - start))s)"
	else
		echo "sdk $language: FAILED: $*" >&2
		cat "$work/$language.log" >&2
		failed=1
	fi
}

check go sh -c 'GOFLAGS="-mod=readonly -buildvcs=false" go build ./... && go vet ./...'

# Built into a wheel and installed (as a user would, its dependencies from the venv), then imported
# and type-checked there. One exemption: the generator's own helper `_utilities.lift_output_func`
# returns a lambda where its annotation promises the wrapped function (mypy: return-value), the
# same in every Pulumi Python SDK; every other error fails the check.
package="$(cd "$sdk/python" && dirname "$(ls ./*/__init__.py | head -n1)")"
package="${package#./}"
printf '[mypy]\n[mypy-%s._utilities]\ndisable_error_code = return-value\n' "$package" >"$work/mypy.ini"
check python sh -c "'$venv/bin/python' -m pip install --quiet --no-deps --no-build-isolation \
	--disable-pip-version-check --target '$work/site' . &&
	cd '$work/site' && '$venv/bin/python' -c 'import $package as p; p.AllRegionsAccessAnalyzer; p.AccessAnalyzerDelegatedAdministrator' &&
	'$venv/bin/python' -m mypy --config-file '$work/mypy.ini' --no-incremental --pretty -p $package"

ln -s "$ROOT/node_modules" "$work/node_modules"
check nodejs "$ROOT/node_modules/.bin/tsc" -p tsconfig.json --noEmit

if command -v dotnet >/dev/null 2>&1; then
	check dotnet dotnet build --nologo
else
	echo "sdk dotnet: not built: no .NET SDK on this machine (generated in $sdk/dotnet; see docs/ENGINE.md)"
fi
exit "$failed"
