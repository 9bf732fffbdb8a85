#!/usr/bin/env bash
# The package a user installs, tested. Packs the library (or takes a tarball, e.g. dist/js/*.tgz from
# `npx projen build`), checks the files every user needs are in it, installs it into a fresh CDK app
# in a temporary directory outside the repository (its own package.json; aws-cdk-lib and constructs
# come from the npm registry, nothing from this repository's node_modules) and synthesizes
# test/package/app.js there. Fails on any missing file or failed synthesis.
#
#   test/package/run.sh [path/to/cdk-private-mwaa.tgz]
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/cdk-private-mwaa-package.XXXXXX")"
trap 'rm -rf "$work"' EXIT
case "$work/" in "$repo"/*) echo "package test: the app must live outside the repository, got: $work" >&2; exit 1 ;; esac

if [ $# -gt 1 ]; then
  echo "package test: expected one tarball, got: $*" >&2
  exit 1
elif [ $# -eq 1 ]; then
  [ -f "$1" ] || { echo "package test: no such tarball: $1" >&2; exit 1; }
  tarball="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
else
  (cd "$repo" && npm pack --silent --pack-destination "$work" > /dev/null)
  tarball="$(ls "$work"/*.tgz)"
fi
echo "package test: $tarball"

# 1. The files: the entry point and its types, the jsii assembly (the other languages are generated
# from it), and the bundled code of every `src/**/*.lambda.ts` under assets/ (projen's bundle task
# writes src/<dir>/<name>.lambda.ts to assets/<dir>/<name>.lambda/index.js).
expected=(package/package.json package/README.md package/LICENSE package/.jsii package/lib/index.js package/lib/index.d.ts)
while IFS= read -r entry; do
  rel="${entry#src/}"
  expected+=("package/assets/${rel%.ts}/index.js")
done < <(cd "$repo" && find src -name '*.lambda.ts' | sort)
listing="$(tar -tzf "$tarball")"
missing=0
for file in "${expected[@]}"; do
  if ! grep -qxF "$file" <<< "$listing"; then
    echo "package test: missing from the package: ${file#package/}" >&2
    missing=1
  fi
done
[ "$missing" -eq 0 ] || exit 1
echo "package test: ${#expected[@]} required files present"

# 2. A fresh app: its own package.json, the tarball and the peer dependencies at the versions this
# library builds and tests against (read from the repository's package.json, set by .projenrc.ts).
versions="$(cd "$repo" && node -p "const d = require('./package.json').devDependencies; d['aws-cdk-lib'] + ' ' + d['constructs']")"
read -r cdk_version constructs_version <<< "$versions"
cp "$repo/test/package/app.js" "$work/app.js"
cat > "$work/package.json" <<JSON
{
  "name": "cdk-private-mwaa-package-test",
  "private": true,
  "dependencies": {
    "aws-cdk-lib": "$cdk_version",
    "constructs": "$constructs_version",
    "cdk-private-mwaa": "file:$tarball"
  }
}
JSON
(cd "$work" && npm install --no-audit --no-fund --prefer-offline --loglevel=error > /dev/null)
installed="$(cd "$work" && node -p "require('cdk-private-mwaa/package.json').version + ' with aws-cdk-lib ' + require('aws-cdk-lib/package.json').version")"
echo "package test: installed cdk-private-mwaa $installed"

# 3. Synthesize it (from its own directory, so module resolution cannot reach this repository).
(cd "$work" && env -u NODE_PATH node app.js)
