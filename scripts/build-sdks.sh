#!/usr/bin/env bash
# Generates the access-analyzer package's SDKs (Node.js, Python, Go, .NET) from provider/schema.json
# with the CLI's own `pulumi package gen-sdk`, and prints the directory holding them:
#
#   sdk="$(scripts/build-sdks.sh)"   # $sdk/nodejs, $sdk/python, $sdk/go, $sdk/dotnet
#
# Stdout carries exactly one line; progress and errors go to stderr. The output is cached in
# .cache/sdk/<hash> (git-ignored), keyed by the schema, this script and the generator host, so a
# warm run costs a hash. gen-sdk asks each language's host to generate (GeneratePackage); the hosts
# that can are not buildable here, so the generator hosts of scripts/ensure-language-hosts.sh
# (Pulumi's own generators from pkg/v3: v3.274.1, the CLI's, and v3.206.0 for .NET) stand in for
# them, on PATH for gen-sdk only (docs/ENGINE.md).
# The Go SDK gets a go.mod (module from the schema's importBasePath, requiring sdk/v3 at the
# generator's version) and its go.sum, for which a cold run needs the Go module proxy.
set -euo pipefail

log() { printf 'build-sdks: %s\n' "$*" >&2; }
die() {
	log "error: $*"
	exit 1
}

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SCHEMA="$ROOT/provider/schema.json"
LANGUAGES=(nodejs python go dotnet)
[[ -f "$SCHEMA" ]] || die "missing $SCHEMA (npm run provider-schema writes it)"

cli="$("$ROOT/scripts/ensure-pulumi.sh")"
hosts="$("$ROOT/scripts/ensure-language-hosts.sh")"
codegen_version="$(awk '$1 == "github.com/pulumi/pulumi/sdk/v3" { print $2 }' \
	"$ROOT/tools/pulumi-codegen/go.mod" | head -n1)"
[[ -n "$codegen_version" ]] || die "tools/pulumi-codegen/go.mod does not require github.com/pulumi/pulumi/sdk/v3"

key="$({
	cat "$SCHEMA" "${BASH_SOURCE[0]}" "$ROOT/.cache/language-hosts/stamp"
	"$cli/pulumi" version
} | sha256sum | cut -c1-16)"
out="$ROOT/.cache/sdk/$key"
if [[ -f "$out/ready" ]]; then
	printf '%s\n' "$out"
	exit 0
fi

mkdir -p "$ROOT/.cache/sdk"
exec 9>"$ROOT/.cache/sdk/.lock"
if command -v flock >/dev/null 2>&1; then
	flock 9
fi
if [[ -f "$out/ready" ]]; then
	printf '%s\n' "$out"
	exit 0
fi

start=$SECONDS
tmp="$(mktemp -d "$ROOT/.cache/sdk/tmp.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
for language in "${LANGUAGES[@]}"; do
	# The generator host first on PATH: gen-sdk takes a language host from PATH before the one
	# next to `pulumi` (and says so in a warning, which is expected here).
	if ! PATH="$hosts/codegen:$cli:$PATH" PULUMI_HOME="$tmp/home" PULUMI_SKIP_UPDATE_CHECK=true \
		PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true \
		"$cli/pulumi" package gen-sdk "$SCHEMA" --language "$language" --out "$tmp" >&2 2>"$tmp/$language.log"; then
		cat "$tmp/$language.log" >&2
		die "pulumi package gen-sdk --language $language failed"
	fi
	grep -v "^warning: using pulumi-language-$language from \$PATH" "$tmp/$language.log" >&2 || true
done

# The Go module: its path is the importBasePath's parent (<module>/accessanalyzer).
import_base="$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).language.go.importBasePath)' "$SCHEMA")"
cat >"$tmp/go/go.mod" <<EOF
module ${import_base%/*}

go 1.24

require github.com/pulumi/pulumi/sdk/v3 $codegen_version
EOF
(cd "$tmp/go" && GOFLAGS="-mod=mod -buildvcs=false" go mod tidy) >&2 ||
	die "go mod tidy in the Go SDK failed (a download error means the Go module proxy could not be reached)"

rm -rf "$tmp/home" "$tmp"/*.log "$out"
touch "$tmp/ready"
mv "$tmp" "$out"
trap - EXIT
log "generated ${LANGUAGES[*]} in $((SECONDS - start))s: $out"
printf '%s\n' "$out"
