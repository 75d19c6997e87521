#!/usr/bin/env bash
# How the committed files in this folder were made (run by hand, not by the tests):
#   Debian's pandoc converts four corpus Markdown postmortems to .docx, .rst, .adoc and standalone HTML,
#   and Debian's chromium prints that HTML to PDF. The tests compare each converted file's
#   extraction with its Markdown original's.
# Usage: bash tests/formats/make.sh [../shared/corpus/docs]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
docs="${1:-$here/../../../shared/corpus/docs}"
names=(posthog-2024-02-28-feature-flags-decide-down 2i2c-2025-07-11-cloudbank-health-check-fail
       dfds-2021-08-26-traefik-v2-ingress-outage chia-network-2021-05-26-website-outage)
for name in "${names[@]}"; do
  pandoc -f gfm -t docx -o "$here/$name.docx" "$docs/$name.md"
  pandoc -f gfm -t rst -s -o "$here/$name.rst" "$docs/$name.md"        # Debian's pandoc 2.17
  pandoc -f gfm -t asciidoc -s -o "$here/$name.adoc" "$docs/$name.md"
  pandoc -f gfm -t html5 -s --metadata pagetitle="$name" -o "/tmp/$name.html" "$docs/$name.md"
  for try in 1 2 3; do chromium --headless --no-sandbox --disable-gpu --no-pdf-header-footer \
    --print-to-pdf="$here/$name.pdf" "file:///tmp/$name.html" 2>/dev/null && break; done
done

# Bad and edited files, in bad/ (python-docx, msoffcrypto-tool and pypdf are needed here only, not by pmkb or its tests):
cat > /tmp/edited.md <<'MD'
# Edited postmortem

Kept sentence about the outage at 10:00 UTC. [inserted words]{.insertion author="Rev" date="2024-01-01T00:00:00Z"}
[deleted words]{.deletion author="Rev" date="2024-01-01T00:00:00Z"} and more kept text.
[REVIEWER COMMENT]{.comment-start id="0" author="Rev" date="2024-01-01T00:00:00Z"}Commented span[]{.comment-end id="0"} stays.
MD
mkdir -p "$here/bad"
pandoc -f markdown -t docx -o "$here/bad/edited.docx" /tmp/edited.md
python3 - "$here/bad/edited.docx" <<'PY'
import sys, docx
document = docx.Document(sys.argv[1])
document.sections[0].header.paragraphs[0].text = "HEADER TEXT"
document.sections[0].footer.paragraphs[0].text = "FOOTER TEXT"
document.save(sys.argv[1])
PY
msoffcrypto-tool -e -p secret "$here/posthog-2024-02-28-feature-flags-decide-down.docx" "$here/bad/protected.docx"
head -c 6000 "$here/posthog-2024-02-28-feature-flags-decide-down.docx" > "$here/bad/truncated.docx"
printf '<!doctype html><html><body><div style="width:400px;height:300px;background:#333"></div></body></html>' > /tmp/scan.html
for try in 1 2 3; do chromium --headless --no-sandbox --disable-gpu --no-pdf-header-footer \
  --print-to-pdf="$here/bad/scan.pdf" "file:///tmp/scan.html" 2>/dev/null && break; done
python3 - "$here/posthog-2024-02-28-feature-flags-decide-down.pdf" "$here/bad/protected.pdf" <<'PY'
import sys, pypdf  # pypdf is needed here only
writer = pypdf.PdfWriter(clone_from=sys.argv[1])
writer.encrypt(user_password="secret", owner_password="secret", algorithm="AES-128")
writer.write(sys.argv[2])
PY
# Nested lists, task items and a bold lead-in, from nested.md (written for this test):
pandoc -f gfm -t docx -o "$here/nested.docx" "$here/nested.md"
