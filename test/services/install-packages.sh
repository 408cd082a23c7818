#!/usr/bin/env bash
# Installs the Debian packages the tests need, as root; prints the exact command otherwise.
# Safe to re-run: only missing packages are installed.
set -euo pipefail

# Browser tests; the sshd and Slurm test hosts; debootstrap for the HTCondor chroot.
PACKAGES=(chromium openssh-server openssh-client slurm-wlm munge debootstrap)

missing=()
for pkg in "${PACKAGES[@]}"; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "system packages present: ${PACKAGES[*]}"
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "missing Debian packages: ${missing[*]}" >&2
  echo "install them with: sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq "${missing[@]}" >/dev/null
echo "installed: ${missing[*]}"
