#!/bin/bash
# build.sh - set up a Debian 12 machine, build fwaudit, and either audit this
# host or run the whole test suite.  Run as root from the top of the tree:
#
#   ./build.sh audit    install what is needed, build, audit this host
#   ./build.sh check    install what is needed, build (plain and with
#                       ASan+UBSan), run every test, check the release
#                       tarball (make distcheck), print "N passed, N failed"
set -euo pipefail

top=$(cd "$(dirname "$0")" && pwd)
cd "$top"

# Build and runtime libraries, and the real tools the tests drive.
BUILD_PKGS="build-essential autoconf automake libtool pkg-config
	libmnl-dev libnftnl-dev libip4tc-dev libip6tc-dev libsystemd-dev
	libjansson-dev libcurl4-openssl-dev"
RUN_PKGS="nftables iptables iproute2"
TEST_PKGS="python3 socat ncat busybox-static docker.io time procps util-linux
	prometheus-alertmanager prometheus ufw clang libclang-rt-14-dev systemd groff-base
	debhelper lintian mmdebstrap prometheus-node-exporter icinga2-bin
	nagios4-core openssh-server openssh-client podman lxd
	uidmap slirp4netns containerd passwd ebtables ipset rootlesskit passt netavark"

install_pkgs() {
	local missing=() p
	for p in "$@"; do
		dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null |
			grep -qx installed || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	if [ "$(id -u)" -ne 0 ]; then
		echo "build.sh: missing packages: ${missing[*]} (run as root to install them)" >&2
		exit 1
	fi
	# packages such as docker.io and prometheus would start their services
	# on install: tests start what they need themselves, by hand
	local norc=
	if [ ! -e /usr/sbin/policy-rc.d ]; then
		printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
		chmod 755 /usr/sbin/policy-rc.d
		norc=1
	fi
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		"${missing[@]}" >/dev/null
	[ -z "$norc" ] || rm -f /usr/sbin/policy-rc.d
}

configure_in() {
	local dir=$1; shift
	mkdir -p "$dir"
	(cd "$dir" && "$top/configure" --enable-werror "$@" >/dev/null)
}

build() {
	[ -x configure ] && [ configure -nt configure.ac ] && [ Makefile.in -nt Makefile.am ] ||
		./autogen.sh >/dev/null 2>&1
	configure_in build "$@"
	make -C build -j"$(nproc)" >/dev/null
}

# automake's per-test result files of one build directory (not those of a
# failed distcheck's unpacked tarball, fwaudit-*/).
trs_files() {
	find "$1" -path "$1/fwaudit-*" -prune -o -name '*.trs' -print0
}

# Count automake's per-test results of one build directory.
count() {
	local dir=$1 what=$2
	trs_files "$dir" | xargs -0 -r cat |
		grep -c "^:test-result: $what" || true
}

run_checks() {
	local rc=0 dir pass=0 fail=0 skip=0
	# every probe-lib scenario also audits a snapshot of itself and
	# requires the same JSON (doc/snapshot.md): about 30 ms a check
	FWA_SNAPSHOT_CHECK=1 make -C build check -j1 || rc=1
	configure_in build-asan --enable-sanitizers
	make -C build-asan -j"$(nproc)" >/dev/null
	# the packaging tests (dpkg-buildpackage, mmdebstrap, docker build)
	# build their own binaries from the tree: they ran above, and skip
	# here, saying so (tests/netns/debian-lib.sh)
	# the fuzzing itself (clang -fsanitize=fuzzer,address,undefined,
	# built apart from either tree) ran above: this pass replays each
	# harness's corpus under its own ASan+UBSan build (about 5 minutes
	# saved)
	FUZZ_TIME=0 \
	FWAUDIT_ONCE_TESTS=no \
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		make -C build-asan check -j1 || rc=1
	for dir in build build-asan; do
		pass=$((pass + $(count $dir PASS) + $(count $dir XFAIL)))
		fail=$((fail + $(count $dir FAIL) + $(count $dir XPASS) + $(count $dir ERROR)))
		skip=$((skip + $(count $dir SKIP)))
	done
	for dir in build build-asan; do
		# show why something failed, right where CI prints it
		trs_files "$dir" | while IFS= read -r -d '' t; do
			grep -qE '^:test-result: (FAIL|ERROR|XPASS)' "$t" || continue
			echo "==== ${t%.trs}.log"
			tail -n 40 "${t%.trs}.log"
		done
	done
	# The release tarball holds all the tests need, and builds and passes
	# its unit tests on its own: make distcheck, which Makefile.am limits
	# to the unit tests (about half a minute; the namespace tests ran
	# above).  One result in the counts.
	if make -C build -j"$(nproc)" distcheck \
		DISTCHECK_CONFIGURE_FLAGS=--enable-werror >build/distcheck.log 2>&1; then
		pass=$((pass + 1))
		echo "make distcheck: passed"
	else
		fail=$((fail + 1))
		rc=1
		echo "==== make distcheck failed (build/distcheck.log)"
		tail -n 40 build/distcheck.log
	fi
	echo "$pass passed, $fail failed, $skip skipped"
	return $rc
}

case "${1:-}" in
audit)
	install_pkgs $BUILD_PKGS $RUN_PKGS
	build
	# installs fwaudit, the shipped policies and the man pages under
	# /usr/local, then audits this host with the default policy
	make -C build install >/dev/null
	exec /usr/local/sbin/fwaudit audit
	;;
check)
	install_pkgs $BUILD_PKGS $RUN_PKGS $TEST_PKGS
	build
	run_checks
	;;
*)
	echo "usage: $0 audit|check" >&2
	exit 2
	;;
esac
