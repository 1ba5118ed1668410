#!/bin/sh
# Vendor YASGUI (npm @zazuko/yasgui) into imet_kg/publish/static/yasgui/, so the query page works
# offline, in the wheel and on the static site, with no CDN.
#
#   scripts/vendor_yasgui.sh [VERSION]      (default: the version in static/yasgui/VERSION)
#
# Needs npm and the npm registry; run it by hand to upgrade, then commit the folder. Writes:
#   yasgui.min.js, yasgui.min.css   the UMD bundle (window.Yasgui) and its styles, as published
#   LICENSE.txt                     YASGUI's licence (MIT, the text of the upstream repository)
#   THIRD-PARTY-LICENSES.txt        the licences of the packages the bundle includes
#   VERSION                         the version vendored
# The two .txt files are published beside the bundle (server and static site), which names them.
# The bundle makes no request of its own beyond the configured endpoint once the page turns off
# its remote completers (query.js does: LOV for classes and properties; prefix.cc is off by
# default) -- tests/publish/test_query_page.py checks that no remote address is loaded.
set -eu

here=$(cd "$(dirname "$0")/.." && pwd)
target="$here/imet_kg/publish/static/yasgui"
version=${1:-$(cat "$target/VERSION" 2>/dev/null || echo latest)}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cd "$work"
npm init -y >/dev/null
npm install --no-audit --no-fund --ignore-scripts "@zazuko/yasgui@$version" >/dev/null
package="$work/node_modules/@zazuko/yasgui"
installed=$(node -p "require('$package/package.json').version")

mkdir -p "$target"
cp "$package/build/yasgui.min.js" "$package/build/yasgui.min.css" "$target/"
# Source maps only point at files we do not ship; drop the reference so browsers do not ask.
sed -i 's|//# sourceMappingURL=.*$||' "$target/yasgui.min.js"
sed -i 's|/\*# sourceMappingURL=.*\*/||' "$target/yasgui.min.css"
# Copies of the bundle carry its notice: a banner naming the licence files beside it.
banner="/*! YASGUI (@zazuko/yasgui $installed), MIT licence; the licences of YASGUI and of the packages it bundles: LICENSE.txt and THIRD-PARTY-LICENSES.txt beside this file. */"
for file in "$target/yasgui.min.js" "$target/yasgui.min.css"; do
    { echo "$banner"; cat "$file"; } >"$file.new" && mv "$file.new" "$file"
done
echo "$installed" >"$target/VERSION"

cat >"$target/LICENSE.txt" <<'EOF'
YASGUI (@zazuko/yasgui, https://github.com/zazuko/Yasgui, from TriplyDB/Yasgui)

The MIT License (MIT)

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in
all copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN
THE SOFTWARE.
EOF

# Every installed package is a dependency of the bundle; keep each one's licence file.
{
    echo "Licences of the packages bundled in yasgui.min.js (@zazuko/yasgui $installed)."
    for dir in $(npm ls --all --parseable --omit=dev | grep /node_modules/ | sort -u); do
        manifest="$dir/package.json"
        name=$(node -p "require('$manifest').name || ''")
        [ -n "$name" ] || continue
        spdx=$(node -p "const p=require('$manifest'); p.license || (p.licenses||[]).map(l=>l.type).join(' OR ') || 'see package'")
        echo
        echo "================================================================================"
        echo "$name ($spdx)"
        for file in "$dir"/LICEN[CS]E* "$dir"/licen[cs]e* "$dir"/COPYING*; do
            [ -f "$file" ] && { echo; cat "$file"; }
        done
    done
} >"$target/THIRD-PARTY-LICENSES.txt"

echo "vendored @zazuko/yasgui $installed into $target"
