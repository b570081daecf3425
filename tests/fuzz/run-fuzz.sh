#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# run-fuzz.sh - one fuzz harness, as make check runs it (LOG_COMPILER of
# the tests/fuzz/NAME.fuzz tests):
#
#	tests/fuzz/run-fuzz.sh tests/fuzz/NAME.fuzz
#
# 1. Replays the harness's corpus (tests/fuzz/corpus/NAME, and the seed
#    directories NAME.fuzz lists) with tests/fuzz/fuzz_NAME, the harness
#    linked with fuzz_main.c by this build's compiler and flags: this runs
#    everywhere, sanitizers included when the build has them.
# 2. When clang has libFuzzer: builds the harness with clang
#    -fsanitize=fuzzer,address,undefined and fuzzes for FUZZ_TIME seconds
#    (default 15), then prints the executions and the coverage reached.
# Exit 0 when nothing crashed, hung or leaked; 1 otherwise (the reproducer
# and fuzz.log are left in the work directory it names).
#
#	FUZZ_TIME=0		replay only
#	FUZZ_UPDATE_CORPUS=1	merge what the run found into the tree's corpus
#	FUZZ_WORKDIR=DIR	keep the work directory
set -u

desc=$1
name=$(basename "$desc" .fuzz)
# absolute: the seed directories below are taken relative to it, and a
# relative one run by hand (top_srcdir=..) used to drop the corpus silently
srcdir=$(cd "${top_srcdir:-$(dirname "$0")/../..}" && pwd)
builddir=${top_builddir:-.}
secs=${FUZZ_TIME:-15}

# What NAME.fuzz says: seeds (more seed directories, relative to the
# source tree), max_len.
seeds=
max_len=65536
. "$srcdir/tests/fuzz/$name.fuzz"

corpus="$srcdir/tests/fuzz/corpus/$name"
dirs=
for d in "$corpus" $seeds; do
	case $d in
	/*) ;;
	*) d="$srcdir/$d" ;;
	esac
	[ -d "$d" ] && dirs="$dirs $d"
done

replay="$builddir/tests/fuzz/fuzz_$name"
if [ ! -x "$replay" ]; then
	echo "FAIL: $replay is not built (make check builds it)" >&2
	exit 1
fi
# shellcheck disable=SC2086
"$replay" $dirs || { echo "FAIL: replaying the corpus of $name" >&2; exit 1; }

[ "$secs" -gt 0 ] 2>/dev/null || exit 0
cc=
for c in clang-14 clang clang-15 clang-16 clang-17 clang-18; do
	if command -v "$c" >/dev/null 2>&1; then
		cc=$c
		break
	fi
done
work=${FUZZ_WORKDIR:-$(mktemp -d "${TMPDIR:-/tmp}/fuzz-$name.XXXXXX")}
mkdir -p "$work"
cleanup() { [ -n "${FUZZ_WORKDIR:-}" ] || rm -rf "$work"; }
if [ -z "$cc" ]; then
	echo "no clang: corpus replayed, not fuzzed"
	cleanup
	exit 0
fi
printf 'int LLVMFuzzerTestOneInput(const char *d, long n) { return 0; }\n' \
	>"$work/probe.c"
if ! "$cc" -fsanitize=fuzzer "$work/probe.c" -o "$work/probe" 2>/dev/null; then
	echo "$cc has no libFuzzer: corpus replayed, not fuzzed"
	cleanup
	exit 0
fi

# The sources are compiled once per build tree into tests/fuzz/clang/
# (shared by the harnesses; a source newer than its object, or any header
# newer than it, is compiled again: an object built against an older
# struct layout would read garbage), under a lock: make check -j may run
# several harnesses at once.
incs=
for d in "$srcdir"/auditd/*/; do incs="$incs -I$d"; done
flags="-g -O1 -std=gnu11 -D_GNU_SOURCE $incs -I$srcdir/tests/fuzz
	-DFWAUDIT_RULESDIR=\"$srcdir/rules\" -DFWAUDIT_SYSCONFDIR=\"/nonexistent\"
	-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all
	$(pkg-config --cflags libmnl libnftnl jansson libcurl 2>/dev/null)"
libs=$(pkg-config --libs libmnl libnftnl libip4tc libip6tc libsystemd jansson \
	libcurl 2>/dev/null)
objdir="$builddir/tests/fuzz/clang"
mkdir -p "$objdir"
# Every module of the library (all of auditd/ but the programs' command
# lines and fwauditd's main), as an archive: the linker takes what a
# harness needs, as make does with libfwaudit.a, and no harness keeps a
# list of its own.
(
	flock 9
	changed=
	mods=
	# the newest header: a changed struct recompiles every module
	newest_h=$(ls -t "$srcdir"/auditd/*/*.h "$srcdir"/tests/fuzz/*.h \
		2>/dev/null | head -n 1)
	for src in "$srcdir"/auditd/*/*.c "$srcdir/tests/fuzz/fuzz_util.c"; do
		case $src in
		*/auditd/cli/*|*/auditd/daemon/fwauditd.c) continue ;;
		esac
		o="$objdir/$(basename "$src" .c).o"
		mods="$mods $o"
		if [ ! -e "$o" ] || [ "$src" -nt "$o" ] ||
		   { [ -n "$newest_h" ] && [ "$newest_h" -nt "$o" ]; }; then
			# shellcheck disable=SC2086
			"$cc" $flags -c "$src" -o "$o" || exit 1
			changed=1
		fi
	done
	if [ -n "$changed" ] || [ ! -e "$objdir/libfuzzmods.a" ]; then
		rm -f "$objdir/libfuzzmods.a"
		# shellcheck disable=SC2086
		ar rcs "$objdir/libfuzzmods.a" $mods || exit 1
	fi
) 9>"$objdir/.lock" || { echo "FAIL: building $name with $cc" >&2; exit 1; }
objs="$objdir/libfuzzmods.a"
# shellcheck disable=SC2086
"$cc" $flags -fsanitize=fuzzer "$srcdir/tests/fuzz/fuzz_$name.c" $objs \
	$libs -o "$work/fuzz_$name" ||
	{ echo "FAIL: linking fuzz_$name" >&2; exit 1; }

# A copy of the corpus: what the run finds stays out of the tree unless
# asked for.
mkdir -p "$work/corpus"
for d in $dirs; do
	cp "$d"/* "$work/corpus/" 2>/dev/null
done
cd "$work" || exit 1
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} \
UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
./"fuzz_$name" -max_total_time="$secs" -max_len="$max_len" -timeout=10 \
	-rss_limit_mb=2048 -print_final_stats=1 -close_fd_mask=1 \
	corpus >fuzz.log 2>&1
rc=$?
execs=$(sed -n 's/^stat::number_of_executed_units: *//p' fuzz.log)
cov=$(grep -o 'cov: [0-9]* ft: [0-9]*' fuzz.log | tail -n 1)
echo "fuzz_$name: $secs s, ${execs:-?} executions, ${cov:-no coverage line}," \
	"corpus $(ls corpus | wc -l) inputs"
if [ "$rc" -ne 0 ]; then
	tail -n 40 fuzz.log
	echo "FAIL: fuzz_$name found a problem; see $work" >&2
	exit 1
fi
if [ -n "${FUZZ_UPDATE_CORPUS:-}" ]; then
	mkdir -p "$corpus"
	./"fuzz_$name" -merge=1 -max_len="$max_len" "$corpus" corpus \
		>merge.log 2>&1 || { tail -n 20 merge.log; exit 1; }
fi
cd / && cleanup
exit 0
