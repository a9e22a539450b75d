#!/bin/bash
# The fuzz targets' inputs replayed without libFuzzer: the seed corpora, the
# unit tests' golden inputs and every input a fuzzer once crashed on
# (tests/fuzz/regress/). Each must run through its target's checks without a
# crash, a failed invariant, or (in the SANITIZE=1 build) a sanitizer report.
set -u
: "${VSERLINK_BUILD:?}" "${VSERLINK_TOP:?}"
cd "$VSERLINK_TOP"
for target in domain pairs; do
	files=(tests/fuzz/corpus/$target/* tests/fuzz/regress/$target/* tests/golden/$target/*)
	files=($(for f in "${files[@]}"; do [ -f "$f" ] && [ "${f%.expected}" = "$f" ] && echo "$f"; done))
	out=$("$VSERLINK_BUILD/tests/fuzz/replay_$target" "${files[@]}")
	rc=$?
	sed "s/^\(ok\|not ok\) [0-9]* - /\1 - $target: /" <<<"$out"
	[ $rc -eq 0 ] || echo "not ok - replay_$target exited $rc after the last file above (a crash or a failed check)"
done
