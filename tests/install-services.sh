#!/bin/sh
# Installs the services the test-suite starts itself (a real redis-server on 127.0.0.1).
# Idempotent: does nothing when redis-server is already on PATH.
set -e
if command -v redis-server >/dev/null 2>&1; then
    exit 0
fi
SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get install -y --no-install-recommends redis-server >/dev/null 2>&1 || {
    $SUDO apt-get update >/dev/null
    $SUDO apt-get install -y --no-install-recommends redis-server >/dev/null
}
# The Debian package starts a system service on port 6379; the tests use their own server.
command -v redis-server >/dev/null
