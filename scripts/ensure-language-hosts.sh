#!/usr/bin/env bash
# Makes sure the YAML and Python language hosts exist, and the SDK generator host that
# `pulumi package gen-sdk` needs, then prints the directory holding the two language hosts.
#
#   PATH="$(scripts/ensure-pulumi.sh):$(scripts/ensure-language-hosts.sh):$PATH"
#
# Stdout carries exactly one line, the absolute bin directory; progress and errors go to stderr.
#   <bin>/pulumi-language-yaml           pulumi-yaml v1.25.0's host (tools/pulumi-language-yaml)
#   <bin>/pulumi-language-python         Pulumi's Python host at v3.68.0 (tools/pulumi-language-python)
#   <bin>/pulumi-language-python-exec    the script that host runs programs with (same version)
#   <bin>/codegen/pulumi-language-{nodejs,python,go,dotnet}
#                                        our GeneratePackage-only hosts (tools/pulumi-codegen,
#                                        tools/pulumi-codegen-dotnet), for gen-sdk only
#                                        (scripts/build-sdks.sh): never on PATH when running programs
# Like scripts/ensure-pulumi.sh: the cache .cache/language-hosts/bin is used when its stamp matches
# the modules' go.mod, go.sum and Go sources (no Go, no network); otherwise all are built with Go
# from the Go module proxy (see docs/ENGINE.md for the times).
set -euo pipefail

log() { printf 'ensure-language-hosts: %s\n' "$*" >&2; }
die() {
	log "error: $*"
	exit 1
}

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
YAML_MOD="$ROOT/tools/pulumi-language-yaml"
PYTHON_MOD="$ROOT/tools/pulumi-language-python"
CODEGEN_MOD="$ROOT/tools/pulumi-codegen"
DOTNET_CODEGEN_MOD="$ROOT/tools/pulumi-codegen-dotnet"
CODEGEN_HOST="$ROOT/tools/codegen-host"
SDK_MODULE="github.com/pulumi/pulumi/sdk/v3"
YAML_MODULE="github.com/pulumi/pulumi-yaml"

version_of() { # version_of <module> <go.mod>
	awk -v m="$1" '$1 == m { print $2 } $1 == "require" && $2 == m { print $3 }' "$2" | head -n1
}

for m in "$YAML_MOD" "$PYTHON_MOD" "$CODEGEN_MOD" "$DOTNET_CODEGEN_MOD" "$CODEGEN_HOST"; do
	[[ -f "$m/go.mod" && -f "$m/go.sum" ]] || die "missing $m/go.mod or go.sum"
done
yaml_version="$(version_of "$YAML_MODULE" "$YAML_MOD/go.mod")"
python_version="$(version_of "$SDK_MODULE" "$PYTHON_MOD/go.mod")"
[[ -n "$yaml_version" ]] || die "$YAML_MOD/go.mod does not require $YAML_MODULE"
[[ -n "$python_version" ]] || die "$PYTHON_MOD/go.mod does not require $SDK_MODULE"

stamp="$(for f in "$YAML_MOD"/go.{mod,sum} "$PYTHON_MOD"/go.{mod,sum} "$CODEGEN_MOD"/{go.mod,go.sum,main.go} \
	"$DOTNET_CODEGEN_MOD"/{go.mod,go.sum,main.go} "$CODEGEN_HOST"/{go.mod,go.sum,host.go}; do
	printf '== %s\n' "${f#"$ROOT"/}"
	cat "$f"
done | sha256sum | cut -d' ' -f1)"
cache="$ROOT/.cache/language-hosts"
bin="$cache/bin"
cache_ok() {
	[[ -x "$bin/pulumi-language-yaml" && -x "$bin/pulumi-language-python" &&
		-f "$bin/pulumi-language-python-exec" && -x "$bin/codegen/pulumi-language-go" &&
		-x "$bin/codegen/pulumi-language-dotnet" &&
		-f "$cache/stamp" && "$(cat "$cache/stamp")" == "$stamp" ]]
}
if cache_ok; then
	printf '%s\n' "$bin"
	exit 0
fi

# One builder at a time: others wait on the lock, then find the cache warm.
mkdir -p "$cache"
exec 9>"$cache/.lock"
if command -v flock >/dev/null 2>&1; then
	flock 9
fi
if cache_ok; then
	printf '%s\n' "$bin"
	exit 0
fi

command -v go >/dev/null 2>&1 || die "go is not on PATH; it is needed to build the language hosts"
log "building the YAML and Python language hosts and the SDK generator host (cold: minutes on 2 cores)"
export GOFLAGS="-mod=readonly -buildvcs=false"
tmp="$(mktemp -d "$cache/bin.tmp.XXXXXX")"
chmod 755 "$tmp"
trap 'rm -rf "$tmp"' EXIT

build() { # build <what> <module dir> <package> <output> <ldflags>
	local what="$1" dir="$2" pkg="$3" out="$4" ldflags="$5" start=$SECONDS
	log "building $what ($pkg) with $(go version | cut -d' ' -f3)..."
	if ! (cd "$dir" && go build -trimpath -ldflags "$ldflags" -o "$out" "$pkg") >&2; then
		die "building $what failed: (cd ${dir#"$ROOT"/} && go build -trimpath -ldflags \"$ldflags\" $pkg)" \
			"- see the go output above (a download error means the Go module proxy could not be reached)"
	fi
	log "built $what in $((SECONDS - start))s"
}

build "the YAML language host $yaml_version" "$YAML_MOD" "$YAML_MODULE/cmd/pulumi-language-yaml" \
	"$tmp/pulumi-language-yaml" "-s -w -X $YAML_MODULE/pkg/version.Version=$yaml_version"
build "the Python language host $python_version" "$PYTHON_MOD" \
	"$SDK_MODULE/python/cmd/pulumi-language-python" "$tmp/pulumi-language-python" \
	"-s -w -X $SDK_MODULE/go/common/version.Version=$python_version"
mkdir "$tmp/codegen"
build "the SDK generator host" "$CODEGEN_MOD" "." "$tmp/codegen/pulumi-codegen" "-s -w"
build "the .NET SDK generator host" "$DOTNET_CODEGEN_MOD" "." "$tmp/codegen/pulumi-codegen-dotnet" "-s -w"

# The Python host runs programs through this script, which it looks for next to itself.
exec_script="$(cd "$PYTHON_MOD" && go list -m -f '{{.Dir}}' "$SDK_MODULE")/python/cmd/pulumi-language-python-exec"
[[ -f "$exec_script" ]] || die "$exec_script is missing from the module cache"
install -m 755 "$exec_script" "$tmp/pulumi-language-python-exec"

for language in nodejs python go; do
	ln -s pulumi-codegen "$tmp/codegen/pulumi-language-$language"
done
ln -s pulumi-codegen-dotnet "$tmp/codegen/pulumi-language-dotnet"

rm -rf "$bin"
mv "$tmp" "$bin"
printf '%s\n' "$stamp" >"$cache/stamp"
trap - EXIT
log "ready: $bin"
printf '%s\n' "$bin"
