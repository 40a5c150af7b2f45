#!/usr/bin/env bash
# Scan throughput against ripgrep on the same file with the same signature patterns, both on
# one core, plus peak memory. Usage: benches/scan_vs_ripgrep.sh [SIZE_MB] (default 1024).
# Needs ripgrep and GNU time (apt-get install ripgrep time). Writes into ${BENCH_DIR:-/tmp/bts-bench}.
set -euo pipefail
cd "$(dirname "$0")/.."
size_mb=${1:-1024}
dir=${BENCH_DIR:-/tmp/bts-bench}
mkdir -p "$dir"
cargo build --release --quiet
bin=target/release/bts-doctor
"$bin" kb patterns > "$dir/patterns.txt"
echo "patterns: $(wc -l < "$dir/patterns.txt") signatures exported by 'bts-doctor kb patterns'"

for enc in utf-8 utf-16le; do
  log="$dir/msi-$size_mb-$enc.log"
  [ -f "$log" ] || python3 benches/gen_msi_log.py "$log" "$size_mb" "$enc"
  bytes=$(stat -c %s "$log")
  cat "$log" > /dev/null  # warm the page cache for both tools
  measure() {  # prints "seconds peak_kb"
    /usr/bin/time -f "%e %M" -o "$dir/time.txt" taskset -c 0 "$@" > /dev/null 2> "$dir/stderr.txt" || true
    tail -n 1 "$dir/time.txt"
  }
  read -r bts_s bts_kb < <(measure "$bin" scan --jobs 1 --json "$log")
  if [ "$enc" = utf-8 ]; then
    read -r rg_s rg_kb < <(measure rg -c -i -f "$dir/patterns.txt" "$log")
  else
    read -r rg_s rg_kb < <(measure rg -c -i -E utf-16le -f "$dir/patterns.txt" "$log")
  fi
  awk -v b="$bytes" -v bs="$bts_s" -v bk="$bts_kb" -v rs="$rg_s" -v rk="$rg_kb" -v e="$enc" 'BEGIN {
    mb = b / 1048576
    printf "%s, %.0f MB: bts-doctor scan %.2f s (%.0f MB/s, peak %.1f MB) | rg -c -i -f %.2f s (%.0f MB/s, peak %.1f MB) | ratio %.2f of ripgrep\n",
      e, mb, bs, mb / bs, bk / 1024, rs, mb / rs, rk / 1024, rs / bs
  }'
done
