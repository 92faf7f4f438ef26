#!/usr/bin/env bash
# Makes sure a Pulumi CLI and a Node.js language host exist and prints the directory holding both.
#
#   PATH="$(scripts/ensure-pulumi.sh):$PATH"
#
# Stdout carries exactly one line, the absolute bin directory; all progress and errors go to stderr.
# Order of preference:
#   1. `pulumi` and `pulumi-language-nodejs` already on PATH (skipped when ENSURE_PULUMI_IGNORE_PATH is set);
#   2. the cache .cache/pulumi/<version>/bin, if its stamp matches the two Go modules' go.mod and go.sum:
#      no Go, no network;
#   3. otherwise both are built from Go modules: the CLI from tools/pulumi-cli, the language host from
#      tools/pulumi-language-nodejs (see docs/ENGINE.md). Needs Go and, unless the module cache already has them,
#      the Go module proxy. A cold build takes several minutes on 2 cores.
set -euo pipefail

log() { printf 'ensure-pulumi: %s\n' "$*" >&2; }
die() {
	log "error: $*"
	exit 1
}

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MOD="$ROOT/tools/pulumi-cli"
HOST_MOD="$ROOT/tools/pulumi-language-nodejs"
HOST_PKG="github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs"
PKG_MODULE="github.com/pulumi/pulumi/pkg/v3"
SDK_MODULE="github.com/pulumi/pulumi/sdk/v3"

# 1. Ambient binaries.
if [[ -z "${ENSURE_PULUMI_IGNORE_PATH:-}" ]]; then
	if cli="$(command -v pulumi 2>/dev/null)" && host="$(command -v pulumi-language-nodejs 2>/dev/null)"; then
		dir="$(cd "$(dirname "$cli")" && pwd)"
		if [[ "$(cd "$(dirname "$host")" && pwd)" != "$dir" ]]; then
			log "note: pulumi is in $dir but pulumi-language-nodejs is in $(dirname "$host") (found through PATH)"
		fi
		printf '%s\n' "$dir"
		exit 0
	fi
fi

# 2. The cache.
for m in "$MOD" "$HOST_MOD"; do
	[[ -f "$m/go.mod" && -f "$m/go.sum" ]] || die "missing $m/go.mod or go.sum"
done
version="$(awk -v m="$PKG_MODULE" '$1 == m { print $2 } $1 == "require" && $2 == m { print $3 }' "$MOD/go.mod" | head -n1)"
sdk_version="$(awk -v m="$SDK_MODULE" '$1 == m { print $2 } $1 == "require" && $2 == m { print $3 }' "$MOD/go.mod" | head -n1)"
[[ -n "$version" ]] || die "$MOD/go.mod does not require $PKG_MODULE"
[[ "$version" == "$sdk_version" ]] ||
	die "$MOD/go.mod pins $PKG_MODULE $version but $SDK_MODULE ${sdk_version:-<none>}; they must match"
host_version="$(awk -v m="$SDK_MODULE" '$1 == m { print $2 } $1 == "require" && $2 == m { print $3 }' "$HOST_MOD/go.mod" | head -n1)"
[[ -n "$host_version" ]] || die "$HOST_MOD/go.mod does not require $SDK_MODULE"

stamp_of_sources() {
	for f in "$MOD/go.mod" "$MOD/go.sum" "$HOST_MOD/go.mod" "$HOST_MOD/go.sum"; do
		printf '== %s\n' "${f#"$ROOT"/}"
		cat "$f"
	done | sha256sum | cut -d' ' -f1
}

cache="$ROOT/.cache/pulumi/${version#v}"
bin="$cache/bin"
stamp="$(stamp_of_sources)"
cache_ok() {
	[[ -x "$bin/pulumi" && -x "$bin/pulumi-language-nodejs" && -f "$cache/stamp" ]] &&
		[[ "$(cat "$cache/stamp")" == "$stamp" ]]
}
if cache_ok; then
	printf '%s\n' "$bin"
	exit 0
fi

# 3. Build. One builder at a time: others wait on the lock, then find the cache warm.
mkdir -p "$cache"
exec 9>"$cache/.lock"
if command -v flock >/dev/null 2>&1; then
	flock 9
fi
if cache_ok; then
	printf '%s\n' "$bin"
	exit 0
fi

command -v go >/dev/null 2>&1 ||
	die "go is not on PATH; Go >= $(awk '$1 == "go" { print $2 }' "$MOD/go.mod") is needed to build the Pulumi CLI"
if [[ -e "$bin" ]]; then
	log "cache $bin is stale or incomplete (tools/pulumi-cli or tools/pulumi-language-nodejs changed); rebuilding"
else
	log "Pulumi CLI $version is not in $bin; building it from Go modules (cold: several minutes on 2 cores)"
fi

export GOFLAGS="-mod=readonly -buildvcs=false"
version_flag="-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version"
tmp="$(mktemp -d "$cache/bin.tmp.XXXXXX")"
chmod 755 "$tmp"
trap 'rm -rf "$tmp"' EXIT

build() { # build <what> <module dir> <version> <package> <output>
	local what="$1" dir="$2" ver="$3" pkg="$4" out="$5" start=$SECONDS
	local ldflags="-s -w $version_flag=$ver"
	log "building $what $ver ($pkg) with $(go version | cut -d' ' -f3)..."
	if ! (cd "$dir" && go build -trimpath -ldflags "$ldflags" -o "$out" "$pkg") >&2; then
		die "building $what failed: (cd ${dir#"$ROOT"/} && go build -trimpath -ldflags \"$ldflags\" $pkg)" \
			"- see the go output above (a download error means the Go module proxy could not be reached)"
	fi
	log "built $what in $((SECONDS - start))s"
}

build "the Pulumi CLI" "$MOD" "$version" "$PKG_MODULE/cmd/pulumi" "$tmp/pulumi"
build "the Node.js language host" "$HOST_MOD" "$host_version" "$HOST_PKG" "$tmp/pulumi-language-nodejs"

got="$("$tmp/pulumi" version 2>/dev/null || true)"
[[ "$got" == "$version" ]] || die "the built pulumi reports version '${got}', expected '$version'"

rm -rf "$bin"
mv "$tmp" "$bin"
printf '%s\n' "$stamp" >"$cache/stamp"
trap - EXIT
log "ready: $bin"
printf '%s\n' "$bin"
