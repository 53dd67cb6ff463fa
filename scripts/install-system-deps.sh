#!/usr/bin/env bash
# System packages JiangXuan needs, from Debian: fonts for the PDF documents (Noto CJK, Noto Serif
# Tibetan), HarfBuzz's subsetter (without it WeasyPrint silently takes ~11 s per PDF) and its
# hb-subset tool (cuts the CJK fonts once at set-up), Poppler and ZBar for the tests that read
# PDFs back and decode their QR codes, and Chromium for the browser tests (Playwright drives
# Debian's Chromium; its own browser download is not used). Installs only what is missing.
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v hb-subset >/dev/null 2>&1 || need+=(libharfbuzz-bin)
command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)
command -v zbarimg >/dev/null 2>&1 || need+=(zbar-tools)
ls /usr/lib/*/libharfbuzz-subset.so.0 >/dev/null 2>&1 || need+=(libharfbuzz-subset0)
[ -e /usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc ] || need+=(fonts-noto-cjk)
[ -e /usr/share/fonts/truetype/noto/NotoSerifTibetan-Regular.ttf ] || need+=(fonts-noto-core)
if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "installing system packages: ${need[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
