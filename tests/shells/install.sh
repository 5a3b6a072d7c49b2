#!/usr/bin/env bash
# Installs the shells whose completion the tests drive besides bash (fish and zsh), for
# .ci/run: tests/integration/completion.rs skips a shell that is missing unless
# FILKA_REQUIRE_SHELLS names it, and CI names both. Uses Debian's apt-get (as root, or
# through sudo); on another system install fish and zsh with its package manager.
set -euo pipefail
missing=()
for shell in fish zsh; do
  command -v "$shell" >/dev/null 2>&1 || missing+=("$shell")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "tests/shells/install.sh: ${missing[*]} missing and no apt-get here: install them with your package manager" >&2
  exit 1
fi
sudo=()
[ "$(id -u)" -eq 0 ] || sudo=(sudo)
echo "installing ${missing[*]} (apt-get)"
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null ||
  { "${sudo[@]}" apt-get update -qq && "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; }
