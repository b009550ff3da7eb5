#!/usr/bin/env bash
# Makes sure the OS packages the tests and the embedded default need are present:
# redis-server always; chromium for the browser tests; a JDK and FreeMarker for the theme tests;
# Java 17+ and Maven for the real Keycloak (its distribution comes from Maven Central); promtool
# (Debian's prometheus package) for the alert rule tests.
# As root on Debian/Ubuntu it installs what is missing with apt-get; otherwise it says what to install.
#   --redis-only   what `npm start` needs (no browser, no JDK)
#   --keycloak     what `npm run keycloak` needs: redis-server, Java 17+ and Maven
set -euo pipefail

mode=all
[ "${1:-}" = "--redis-only" ] && mode=redis
[ "${1:-}" = "--keycloak" ] && mode=keycloak

# Java's major version, or 0 when there is no java on PATH.
java_major() {
  command -v java >/dev/null 2>&1 || { echo 0; return; }
  java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n1
}

# Only promtool is wanted from the prometheus package: stop and disable the server it installs as a
# service (under systemd it starts at once; elsewhere policy-rc.d or the init script may start it).
keep_prometheus_stopped() {
  if [ -d /run/systemd/system ]; then
    systemctl disable --now prometheus >/dev/null 2>&1 || true
  elif [ -x /etc/init.d/prometheus ]; then
    /etc/init.d/prometheus stop >/dev/null 2>&1 || true
    update-rc.d prometheus disable >/dev/null 2>&1 || true
  fi
}

need=()
command -v redis-server >/dev/null 2>&1 || [ -x /usr/bin/redis-server ] || need+=(redis-server)
if [ "$mode" = all ] && [ "${SMS_MFA_SKIP_BROWSER:-}" != "1" ] && { [ -d tests/browser ] || [ -d keycloak-theme/test/browser ]; }; then
  [ -x /usr/bin/chromium ] || need+=(chromium)
fi
if [ "$mode" = all ] && [ -d keycloak-theme/test ]; then
  command -v javac >/dev/null 2>&1 || need+=(default-jdk-headless)
  [ -f /usr/share/java/freemarker.jar ] || need+=(libfreemarker-java)
fi
if [ "$mode" = all ] && [ -d tests/observability ]; then
  command -v promtool >/dev/null 2>&1 || need+=(prometheus)
fi
if [ "$mode" != redis ]; then
  major=$(java_major)
  if [ "${major:-0}" -lt 17 ] && [[ ! " ${need[*]-} " =~ " default-jdk-headless " ]]; then need+=(default-jdk-headless); fi
  command -v mvn >/dev/null 2>&1 || need+=(maven)
fi

[ ${#need[@]} -eq 0 ] && exit 0

if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing OS packages: ${need[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  [[ " ${need[*]} " =~ " prometheus " ]] && keep_prometheus_stopped
  exit 0
fi

echo "missing OS packages: ${need[*]}; install them with: sudo apt-get install ${need[*]} (Debian/Ubuntu; Keycloak needs Java 17, 21 or 25)" >&2
[ "$mode" = redis ] && echo "or, for Redis only, set REDIS_URL to a running Redis 6.2+." >&2
exit 1
