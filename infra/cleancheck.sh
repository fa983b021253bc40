#!/usr/bin/env bash
# After a test run (infra/test.sh does this when CI=true): the checkout is as
# clean as before (`git status --porcelain` empty: tests and the build write
# only ignored paths and temp dirs), and no folder over 10 MB appeared in the
# temp dir. Reads the temp dir's entries from before the run on stdin, one a
# line (`ls -A "${TMPDIR:-/tmp}"`); prints what is wrong and exits 1.
set -euo pipefail
temp="${TMPDIR:-/tmp}"
limit_mb="${VIRTUBAR_TEMP_LIMIT_MB:-10}"
declare -A before=()
while IFS= read -r name; do [ -n "$name" ] && before["$name"]=1; done
failed=0
dirty="$(git status --porcelain)"
if [ -n "$dirty" ]; then
  echo "the test run changed the checkout (git status --porcelain):" >&2
  echo "$dirty" >&2
  failed=1
fi
while IFS= read -r -d '' path; do
  name="$(basename "$path")"
  [ -n "${before[$name]:-}" ] && continue
  size_mb="$(du -sm "$path" 2>/dev/null | cut -f1)"
  if [ "${size_mb:-0}" -gt "$limit_mb" ]; then
    echo "the test run left ${path} (${size_mb} MB) in the temp dir" >&2
    failed=1
  fi
done < <(find "$temp" -mindepth 1 -maxdepth 1 -type d -print0)
exit "$failed"
