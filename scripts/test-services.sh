#!/usr/bin/env bash
# What `make test` needs besides Python packages, set up when missing (nothing by hand):
#  - PostgreSQL on 127.0.0.1:5432 (the operational-database tests run on it as well as SQLite);
#  - Debian's Chromium at /usr/bin/chromium (the browser tests drive it with Playwright);
#  - LibreOffice Calc and Writer, headless (tests open the meeting workbook and the Word
#    reports in it).
# Each step says what it does; a step that cannot be done fails loudly (tests never skip it).
set -euo pipefail

if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  echo "test-services: PostgreSQL is not answering on 127.0.0.1:5432; starting it"
  if command -v pg_ctlcluster >/dev/null; then
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start
  fi
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
  pg_isready -h 127.0.0.1 -p 5432
fi

if [ ! -x /usr/bin/chromium ]; then
  echo "test-services: installing Debian's chromium for the browser tests"
  if [ "$(id -u)" = 0 ]; then
    apt-get install -y -q chromium >/dev/null || { apt-get update -q >/dev/null && apt-get install -y -q chromium >/dev/null; }
  else
    sudo apt-get install -y -q chromium >/dev/null
  fi
fi

# Calc checks the workbooks, Writer the Word reports (converted to PDF and read back as text).
lo_missing=""
for pkg in libreoffice-calc-nogui libreoffice-writer-nogui; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || lo_missing="$lo_missing $pkg"
done
if [ -n "$lo_missing" ] || ! command -v soffice >/dev/null; then
  echo "test-services: installing LibreOffice (headless):${lo_missing:- libreoffice-calc-nogui libreoffice-writer-nogui}"
  lo_pkgs="libreoffice-calc-nogui libreoffice-writer-nogui"
  if [ "$(id -u)" = 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $lo_pkgs >/dev/null \
      || { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $lo_pkgs >/dev/null; }
  else
    sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $lo_pkgs >/dev/null
  fi
fi
