#!/bin/sh
# Every measurement of bench/RESULTS.md, in order of importance; output: bench/out/campaign.md.
# About 30 minutes on 2 cores (the 10M data is generated and loaded once, then reused);
# BUILD=1 adds the build-speed runs (10k, 1M: 3 rounds; 10M: 1 round; ~15 minutes more).
set -e
cd "$(dirname "$0")"
PY=${PY:-/work/venv/bin/python}
OUT=out/campaign.md
R=${ROUNDS:-3}
S=${SECONDS_PER_ROUND:-6}
mkdir -p out
{
  echo "# campaign $(date -u +%FT%TZ)"
  # wrk (Debian) loads the HTTP targets of the light and point mixes: the Python client saturates.
  $PY run.py --quads 1000000 --mix light --concurrency 4 16 --rounds $R --seconds $S --targets oxigraph kg kg-warm kg-gunicorn kg-gunicorn-warm inproc --wrk
  $PY run.py --quads 1000000 --mix point --concurrency 4 16 --rounds $R --seconds $S --targets oxigraph kg kg-warm inproc --wrk
  $PY run.py --quads 1000000 --mix heavy --concurrency 4 16 --rounds $R --seconds 15 --targets oxigraph kg inproc
  # slow clients, many connections, memory (h2load from Debian nghttp2-client, wrk)
  $PY robust.py --quads 1000000 --targets kg kg-gunicorn oxigraph
  echo "### 100k-row SELECT, 1M quads"; echo
  $PY run.py --quads 1000000 --stream --rounds $R --targets oxigraph kg
  $PY run.py --quads 10000 --mix light --concurrency 4 16 --rounds $R --seconds $S --targets oxigraph kg kg-warm inproc rdflib-endpoint
  $PY run.py --quads 10000 --mix point --concurrency 4 16 --rounds $R --seconds $S --targets oxigraph kg kg-warm inproc rdflib-endpoint
  $PY run.py --quads 10000 --mix heavy --concurrency 4 16 --rounds $R --seconds $S --targets oxigraph kg inproc rdflib-endpoint
  $PY run.py --quads 10000000 --mix light --concurrency 4 --rounds 2 --seconds $S --targets oxigraph kg inproc
  if [ -n "$BUILD" ]; then
    echo; echo "### build speed"; echo
    $PY build.py --quads 10000 1000000 --rounds $R
    $PY build.py --quads 10000000 --rounds 1
  fi
} 2>&1 | tee -a $OUT
