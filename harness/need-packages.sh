#!/usr/bin/env bash
# need-packages.sh PKG...: make sure the Debian packages named are installed.
# As root, missing ones are installed with apt-get; otherwise the exact
# apt-get line is printed and the script exits 1.
set -u
missing=()
for p in "$@"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if ! command -v apt-get >/dev/null 2>&1; then
  echo "hakmem: missing packages: ${missing[*]} (and no apt-get here: install them by hand)" >&2
  exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "hakmem: missing Debian packages. Run as root:" >&2
  echo "  apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "hakmem: installing missing packages: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
if ! apt-get install -y -qq "${missing[@]}" >/dev/null 2>&1; then
  apt-get update -qq >/dev/null 2>&1
  apt-get install -y -qq "${missing[@]}" >&2 || { echo "hakmem: apt-get install failed: ${missing[*]}" >&2; exit 1; }
fi
exit 0
