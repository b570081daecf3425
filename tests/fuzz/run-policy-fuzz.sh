#!/bin/sh
# run-policy-fuzz.sh - build the policy parser's libFuzzer harness and run
# it for a bounded time.  Exit 0 when nothing crashed, 1 on a crash (the
# reproducer is left in the work directory), 77 when clang or libFuzzer is
# missing.
#
#	tests/fuzz/run-policy-fuzz.sh [SECONDS]	(default 60, env FUZZ_TIME)
set -u

srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
secs=${1:-${FUZZ_TIME:-60}}
work=${FUZZ_WORKDIR:-$(mktemp -d /tmp/policy-fuzz.XXXXXX)}

cc=
for c in clang-14 clang clang-15 clang-16 clang-17 clang-18; do
	if command -v "$c" >/dev/null 2>&1; then
		cc=$c
		break
	fi
done
if [ -z "$cc" ]; then
	echo "SKIP: no clang" >&2
	exit 77
fi
printf 'int LLVMFuzzerTestOneInput(const char *d, long n) { return 0; }\n' \
	>"$work/probe.c"
if ! "$cc" -fsanitize=fuzzer "$work/probe.c" -o "$work/probe" 2>/dev/null; then
	echo "SKIP: $cc has no libFuzzer" >&2
	exit 77
fi

jansson=$(pkg-config --cflags jansson 2>/dev/null || true)
# shellcheck disable=SC2086
"$cc" -g -O1 -std=gnu11 -D_GNU_SOURCE -I"$srcdir/auditd" $jansson \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	"$srcdir/tests/fuzz/fuzz_policy.c" "$srcdir/auditd/policy.c" \
	-o "$work/fuzz_policy" || exit 1

mkdir -p "$work/corpus"
cp "$srcdir"/tests/fuzz/policy-corpus/* "$srcdir"/rules/*.rules \
	"$work/corpus/" 2>/dev/null
cd "$work" || exit 1
./fuzz_policy -max_total_time="$secs" -max_len=4096 -timeout=10 \
	-rss_limit_mb=2048 -print_final_stats=1 corpus >fuzz.log 2>&1
rc=$?
tail -n 15 fuzz.log
if [ "$rc" -ne 0 ]; then
	echo "FAIL: the fuzzer found a crash; see $work" >&2
	exit 1
fi
[ -n "${FUZZ_WORKDIR:-}" ] || rm -rf "$work"
exit 0
