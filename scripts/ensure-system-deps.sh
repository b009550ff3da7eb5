#!/usr/bin/env bash
# Makes sure the OS packages the tests and the embedded default need are present:
# redis-server always; chromium for the browser tests; a JDK and FreeMarker for the theme tests.
# As root on Debian/Ubuntu it installs what is missing with apt-get; otherwise it says what to install.
set -euo pipefail

# `--redis-only`: what `npm start` needs (no browser, no JDK).
redis_only=0
[ "${1:-}" = "--redis-only" ] && redis_only=1

need=()
command -v redis-server >/dev/null 2>&1 || [ -x /usr/bin/redis-server ] || need+=(redis-server)
if [ "$redis_only" = 1 ]; then :
elif [ "${SMS_MFA_SKIP_BROWSER:-}" != "1" ] && { [ -d tests/browser ] || [ -d keycloak-theme/test/browser ]; }; then
  [ -x /usr/bin/chromium ] || need+=(chromium)
fi
if [ "$redis_only" = 0 ] && [ -d keycloak-theme/test ]; then
  command -v javac >/dev/null 2>&1 || need+=(default-jdk-headless)
  [ -f /usr/share/java/freemarker.jar ] || need+=(libfreemarker-java)
fi

[ ${#need[@]} -eq 0 ] && exit 0

if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing OS packages: ${need[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  exit 0
fi

echo "missing OS packages: ${need[*]}" >&2
echo "install them with: sudo apt-get install ${need[*]}   (Debian/Ubuntu)" >&2
echo "or, for Redis only, set REDIS_URL to a running Redis 6.2+." >&2
exit 1
