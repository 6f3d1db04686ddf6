# Sourced by .ci/run (bash). The service needs Node 24 (package.json engines). When the machine's node is older,
# this puts a pinned Node 24 build first on PATH: the npm registry's node-linux-<arch> package, which holds only
# the node binary, fetched once into .ci/node (ignored by git) and reused while its version matches. npm stays
# the machine's own (npm 11 supports Node 24), run on the new node.
# Try it alone: bash -c '. .ci/use-node-24.sh && node -v'

NODE_24_VERSION=24.22.3
# From `npm view node-linux-<arch>@24.22.3 dist.integrity`, so a changed tarball is refused.
NODE_24_INTEGRITY_X64='sha512-KHsob+Fv9YerATvYujMbiyJqnRCvLtrcr/eTNqRqiOSGp97EOiRP1yP47+knGgQ/xnc3XY8xzkW587dlZzNqRA=='
NODE_24_INTEGRITY_ARM64='sha512-IZx0J52/1NDwAsY2iyWR9nlPIYuYviTWetjj8+ElvYQh2+XRhLfCfkbFEF/2O5vGI2hcUbyPNHV+nz342FbJXw=='

use_node_24() {
  local root dir major arch integrity tmp tarball actual
  root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  dir="$root/.ci/node"
  major="$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)"
  if [ "$major" -ge 24 ]; then return 0; fi

  if [ "$("$dir/bin/node" --version 2>/dev/null)" != "v$NODE_24_VERSION" ]; then
    case "$(uname -s)-$(uname -m)" in
      Linux-x86_64) arch=x64 integrity="$NODE_24_INTEGRITY_X64" ;;
      Linux-aarch64) arch=arm64 integrity="$NODE_24_INTEGRITY_ARM64" ;;
      *) echo "node $(node --version 2>/dev/null || echo missing) is older than 24 and no pinned build fits $(uname -sm); install Node 24 (nvm install)"; return 1 ;;
    esac
    echo "fetching node v$NODE_24_VERSION ($arch) from the npm registry into .ci/node"
    tmp="$(mktemp -d "$root/.ci/node.download.XXXXXX")" || return 1
    tarball="$tmp/node-linux-$arch-$NODE_24_VERSION.tgz"
    if ! (cd "$tmp" && npm pack --silent "node-linux-$arch@$NODE_24_VERSION" >/dev/null); then
      echo "npm pack node-linux-$arch@$NODE_24_VERSION failed"; rm -rf "$tmp"; return 1
    fi
    actual="sha512-$(node -e 'const c = require("crypto"), fs = require("fs");
      process.stdout.write(c.createHash("sha512").update(fs.readFileSync(process.argv[1])).digest("base64"))' "$tarball")"
    if [ "$actual" != "$integrity" ]; then
      echo "node-linux-$arch-$NODE_24_VERSION.tgz has integrity $actual, expected $integrity"; rm -rf "$tmp"; return 1
    fi
    tar -xzf "$tarball" -C "$tmp" || { rm -rf "$tmp"; return 1; }
    # Replaced only once complete, so an interrupted download is fetched again next time.
    rm -rf "$dir" && mv "$tmp/package" "$dir" && rm -rf "$tmp" || return 1
  fi
  link_machine_npm "$dir/bin" || return 1
  export PATH="$dir/bin:$PATH"
  hash -r
}

# npm and npx in .ci/node/bin run the machine's npm CLI on the pinned node, so npm ci and every script run on
# Node 24 even where the machine's npm starts a node of its own instead of `#!/usr/bin/env node`.
link_machine_npm() {
  local bin="$1" npm_path cli name
  npm_path="$(command -v npm)" || { echo "npm is missing"; return 1; }
  cli="$(readlink -f "$npm_path")"
  case "$cli" in
    */npm-cli.js) ;;
    *) cli="$(dirname "$cli")/../lib/node_modules/npm/bin/npm-cli.js" ;;
  esac
  [ -f "$cli" ] || { echo "cannot find npm-cli.js next to $npm_path"; return 1; }
  for name in npm npx; do
    printf '#!/bin/sh\nexec "%s" "%s" "$@"\n' "$bin/node" "$(dirname "$cli")/$name-cli.js" >"$bin/$name"
    chmod +x "$bin/$name"
  done
}

use_node_24
