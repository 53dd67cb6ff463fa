#!/usr/bin/env bash
# Make sure a Redis server answers on 127.0.0.1:6379 for the tests that need one (the public
# results cache, RQ batch printing, the sign-in count shared across processes). Under CI=true those
# tests fail rather than skip without it. Installs Debian's redis-server if missing and starts it
# without persistence (the tests flush their own database numbers, 8-15).
set -euo pipefail
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
ready() { redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null | grep -q PONG; }
if ready; then
  exit 0
fi
if ! command -v redis-server >/dev/null 2>&1; then
  echo "installing Redis"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends redis-server >/dev/null
fi
ready || $SUDO redis-server --bind 127.0.0.1 --port 6379 --daemonize yes --save "" --appendonly no >/dev/null
for _ in $(seq 1 30); do ready && exit 0; sleep 0.5; done
echo "Redis is not reachable on 127.0.0.1:6379" >&2
exit 1
