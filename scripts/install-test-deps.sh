#!/usr/bin/env bash
# Installs the real programs the integration tests and benchmarks run, from Debian's packages.
# A no-op when they are all present. Needs root (CI runs as root).
set -euo pipefail

declare -A PACKAGE_OF=(
  [prometheus]=prometheus
  [promtool]=prometheus
  [prometheus-alertmanager]=prometheus-alertmanager
  [amtool]=prometheus-alertmanager
  [prometheus-node-exporter]=prometheus-node-exporter
  [chromium]=chromium
  [nvim]=neovim   # headless Neovim drives an LSP session through the proxy (tests/integration/lsp/neovim.test.ts)
  [docker-compose]=docker-compose   # only `docker-compose config` (tests/integration/stack); no engine needed
  [systemd-analyze]=systemd         # only `systemd-analyze verify` of deploy/systemd (no running systemd needed)
)

missing=()
for binary in "${!PACKAGE_OF[@]}"; do
  command -v "$binary" >/dev/null 2>&1 || missing+=("${PACKAGE_OF[$binary]}")
done
# The email channel's tests run a real SMTP server: aiosmtpd, a module of the system Python (not a binary).
/usr/bin/python3 -c 'import aiosmtpd' >/dev/null 2>&1 || missing+=(python3-aiosmtpd)
# PostgreSQL's initdb and pg_ctl are not on PATH: Debian keeps them in /usr/lib/postgresql/<version>/bin
# (tests/support/postgres.ts starts throw-away clusters with them for the bridge's shared store).
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || missing+=(postgresql)
[ ${#missing[@]} -eq 0 ] && exit 0

packages=$(printf '%s\n' "${missing[@]}" | sort -u | tr '\n' ' ')
if [ "$(id -u)" -ne 0 ]; then
  echo "install-test-deps: need root to install: $packages" >&2
  exit 1
fi
echo "install-test-deps: installing $packages" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $packages >/dev/null
# The packages start system services; the tests start their own instances on ephemeral ports.
for service in prometheus prometheus-alertmanager prometheus-node-exporter postgresql; do
  systemctl stop "$service" >/dev/null 2>&1 || true
done
