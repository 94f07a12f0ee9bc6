#!/usr/bin/env bash
# Makes sure a Node >= 22.13 is first on PATH for this project. When the system's Node is older, installs
# Node 24 LTS from the npm registry (the `node` package ships a real binary) into the git-ignored .tools/.
# Does nothing when a suitable Node is already there. Callers put .tools/node_modules/.bin first on PATH.
set -euo pipefail

NODE_VERSION=24.21.0
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
tools="$root/.tools"
export PATH="$tools/node_modules/.bin:$PATH"

suitable() {
  node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 22 || (a === 22 && b >= 13) ? 0 : 1)' 2>/dev/null
}

if suitable; then
  exit 0
fi

echo "Node $(node --version 2>/dev/null || echo '(none)') is older than 22.13: installing Node $NODE_VERSION into .tools/ ..."
mkdir -p "$tools"
npm install --prefix "$tools" --no-save --no-package-lock --no-audit --no-fund --loglevel=error "node@$NODE_VERSION"

hash -r
if ! suitable; then
  echo "error: Node $NODE_VERSION did not install into $tools (node on PATH: $(command -v node || echo none))" >&2
  exit 1
fi
echo "Using Node $(node --version) from .tools/"
