#!/usr/bin/env bash
# Copy the UI's front-end libraries, exactly as the npm registry ships them, into a folder
# (default: hub/ui/static/vendor). The hub serves them from there, so it needs no CDN and no
# internet, and a machine with only Python and pip never runs npm. `npm ci` installs the
# versions and integrity hashes pinned in package-lock.json; CI re-runs this into temporary
# folders and diffs them against the committed files.
#
# A second folder (default: tests/ui/vendor) gets what only the tests load: axe-core, the
# accessibility checker the browser tests run on every page. The hub never serves it.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
folder() { mkdir -p "$1" && cd "$1" && pwd; }
target="$(folder "${1:-$here/../static/vendor}")"
tests="$(folder "${2:-$here/../../../tests/ui/vendor}")"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cp "$here/package.json" "$here/package-lock.json" "$work/"
(cd "$work" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null)

modules="$work/node_modules"
version() { node -p "require('$modules/$1/package.json').version"; }
cp "$modules/htmx.org/dist/htmx.min.js" "$target/htmx.min.js"
cp "$modules/htmx.org/LICENSE" "$target/htmx.LICENSE"
cp "$modules/cytoscape/dist/cytoscape.min.js" "$target/cytoscape.min.js"
cp "$modules/cytoscape/LICENSE" "$target/cytoscape.LICENSE"

# NL Design System: the community's example theme (design tokens as CSS custom properties
# under .voorbeeld-theme, EUPL-1.2 like the hub; the Rijkshuisstijl tokens are reserved to
# the Rijksoverheid, so they are not used), Utrecht's styles for plain HTML elements under
# .utrecht-html, the Utrecht components the page frame uses, and the candidate skip link the
# tokens theme. hub.css imports them.
nlds="$target/nlds"
mkdir -p "$nlds"
tokens="$modules/@nl-design-system-unstable/voorbeeld-design-tokens"
cp "$tokens/dist/theme.css" "$nlds/voorbeeld-design-tokens.css"
cp "$tokens/LICENSE.md" "$nlds/voorbeeld-design-tokens.LICENSE.md"
cp "$modules/@utrecht/component-library-css/dist/html.css" "$nlds/utrecht-html.css"
cp "$modules/@utrecht/component-library-css/LICENSE.md" "$nlds/utrecht.LICENSE.md"
for component in root page-header nav-bar nav-list page-footer button button-link alert; do
  cp "$modules/@utrecht/$component-css/dist/index.min.css" "$nlds/utrecht-$component.css"
done

skip_link="$modules/@nl-design-system-candidate/skip-link-css"
cp "$skip_link/dist/skip-link.css" "$nlds/nl-skip-link.css"
cp "$skip_link/LICENSE.md" "$nlds/nl-design-system-candidate.LICENSE.md"

cp "$modules/axe-core/axe.min.js" "$tests/axe.min.js"
cp "$modules/axe-core/LICENSE" "$tests/axe-core.LICENSE"

echo "vendored htmx.org $(version htmx.org), cytoscape $(version cytoscape)," \
  "@utrecht/component-library-css $(version @utrecht/component-library-css)," \
  "@nl-design-system-unstable/voorbeeld-design-tokens $(version @nl-design-system-unstable/voorbeeld-design-tokens)" \
  "into $target; axe-core $(version axe-core) into $tests"
