#!/usr/bin/env bash
# The whole test suite, on a fresh machine: installs from Debian's packages what the tests need and the machine lacks
# (a JDK 17+, Maven, Node.js 18+ with npm for the OpenAI SDK and Standard Webhooks checks, Chromium and chromedriver
# for the web console's browser tests, redis-server and nginx for the scale-out tests), then runs `mvn verify` over every module. The README's test command; CI's
# .ci/run calls exactly this. Installing needs root (or sudo); nothing is installed when it is all present.
set -euo pipefail
cd "$(dirname "$0")"
SUDO=""
if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then
  SUDO=sudo
fi

if ! command -v java >/dev/null 2>&1 || ! java -version 2>&1 | grep -qE 'version "(1[7-9]|2[0-9])'; then
  echo "installing a JDK 17" >&2
  $SUDO apt-get update -qq && $SUDO apt-get install -y -qq openjdk-17-jdk-headless >/dev/null
fi
if ! command -v mvn >/dev/null 2>&1; then
  echo "installing Maven" >&2
  $SUDO apt-get update -qq && $SUDO apt-get install -y -qq maven >/dev/null
fi

# Node.js 18+ and npm, for the OpenAI SDK compatibility test (compat/openai-node):
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1 \
    || [ "$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)" -lt 18 ]; then
  echo "installing Node.js and npm" >&2
  $SUDO apt-get update -qq && $SUDO apt-get install -y -qq nodejs npm >/dev/null
fi

# Debian's Chromium and its chromedriver, for the web console's browser tests (broker/.../console/*BrowserTest;
# under CI=true they fail rather than skip when the browser is missing):
if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then
  echo "installing chromium and chromium-driver" >&2
  $SUDO apt-get update -qq && $SUDO apt-get install -y -qq chromium chromium-driver >/dev/null
fi

# Debian's redis-server and nginx, for the scale-out tests (a real Redis started by the tests on a free loopback
# port; nginx as the load balancer in front of two brokers); under CI=true they fail rather than skip when missing:
if ! command -v redis-server >/dev/null 2>&1 && [ ! -x /usr/bin/redis-server ]; then
  echo "installing redis-server" >&2
  $SUDO apt-get update -qq && $SUDO apt-get install -y -qq redis-server >/dev/null
fi
if ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ]; then
  echo "installing nginx" >&2
  $SUDO apt-get update -qq && $SUDO apt-get install -y -qq nginx-light >/dev/null
fi

# Every module's tests:
mvn -B -ntp verify
