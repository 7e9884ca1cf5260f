#!/usr/bin/env bash
# The contract's checks, run by .ci/run and runnable alone: buf lint on protos/, then buf breaking
# against protos/ as it was before its newest change (against HEAD while protos/ has uncommitted
# changes). A shallow clone lacks the history that comparison needs: it is fetched from origin,
# and the check fails when it cannot be. Only a repository whose protos/ has no earlier version in
# its whole history is not compared, and that is said plainly.
set -euo pipefail
cd "$(dirname "$0")/.."

# buf comes from npm, installed into .ci/.buf
BUF_VERSION=1.75.0
buf=.ci/.buf/node_modules/.bin/buf
if [ "$("$buf" --version 2>/dev/null || true)" != "$BUF_VERSION" ]; then
  echo "installing buf $BUF_VERSION into .ci/.buf"
  npm install --no-save --no-audit --no-fund --prefix .ci/.buf "@bufbuild/buf@$BUF_VERSION" </dev/null
fi
"$buf" --version >/dev/null || { echo "buf $BUF_VERSION does not run on this machine" >&2; exit 1; }

fail() {
  echo "buf breaking: FAILED: $*" >&2
  exit 1
}

echo "buf lint"
"$buf" lint

if [ "$(git rev-parse --is-shallow-repository)" = true ]; then
  echo "buf breaking: this is a shallow clone; fetching its full history from origin"
  git fetch --quiet --unshallow origin </dev/null \
    || fail "this is a shallow clone and 'git fetch --unshallow origin' failed, so protos/ cannot be compared
with its earlier version. Clone with full history (for example fetch-depth: 0), or let origin be reached."
fi

if [ -n "$(git status --porcelain -- protos)" ]; then
  against=$(git rev-parse HEAD)
else
  changed=$(git log -1 --format=%H -- protos)
  [ -n "$changed" ] || fail "no commit holds protos/"
  against=$(git rev-parse -q --verify "$changed^" || true)
fi

if [ -z "$against" ] || [ -z "$(git ls-tree "$against" protos)" ]; then
  echo "buf breaking: NOT RUN: protos/ has no earlier version anywhere in this repository's history" \
    "(it first appears in $(git log --diff-filter=A --format=%h -- protos | tail -n 1)), so there is nothing to compare with"
  exit 0
fi

echo "buf breaking: protos/ against $against"
# buf clones the repository (a worktree's objects live in the common git directory) deep enough
# to reach that commit
git_dir=$(git rev-parse --path-format=absolute --git-common-dir)
"$buf" breaking protos --against "$git_dir#ref=$against,depth=$(git rev-list --count HEAD),subdir=protos"
echo "buf breaking: no breaking change"
