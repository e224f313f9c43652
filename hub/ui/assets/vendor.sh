#!/usr/bin/env bash
# Copy the UI's front-end libraries, exactly as the npm registry ships them, into a folder
# (default: hub/ui/static/vendor). The hub serves them from there, so it needs no CDN and no
# internet, and a machine with only Python and pip never runs npm. `npm ci` installs the
# versions and integrity hashes pinned in package-lock.json; CI re-runs this into a temporary
# folder and diffs it against the committed files.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
target="$(mkdir -p "${1:-$here/../static/vendor}" && cd "${1:-$here/../static/vendor}" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cp "$here/package.json" "$here/package-lock.json" "$work/"
(cd "$work" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null)

modules="$work/node_modules"
cp "$modules/htmx.org/dist/htmx.min.js" "$target/htmx.min.js"
cp "$modules/htmx.org/LICENSE" "$target/htmx.LICENSE"
cp "$modules/cytoscape/dist/cytoscape.min.js" "$target/cytoscape.min.js"
cp "$modules/cytoscape/LICENSE" "$target/cytoscape.LICENSE"
echo "vendored htmx.org $(node -p "require('$modules/htmx.org/package.json').version")," \
  "cytoscape $(node -p "require('$modules/cytoscape/package.json').version") into $target"
