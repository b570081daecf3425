# SPDX-License-Identifier: GPL-2.0-or-later
# tests/netns/debian-lib.sh - helpers of the packaging tests (package.sh,
# image.sh): the once-per-run guard and fresh Debian 12 trees made by
# mmdebstrap from this machine's own Debian mirror.  Source after lib.sh.
#
#	deb_once		skip, saying so, when FWAUDIT_ONCE_TESTS=no:
#		build.sh sets it for the ASan build's make check, because
#		these tests build their own binaries (dpkg-buildpackage, docker
#		build) and would only repeat the plain build's run
#	deb_mirrors VAR		the apt sources of this machine (files that
#		mmdebstrap reads as they are) into the array VAR
#	deb_umount_under DIR	at cleanup: lazily unmount whatever is still
#		mounted below DIR (an mmdebstrap that was interrupted)
#	deb_strap DIR|FILE.tar ARGS...	mmdebstrap bookworm (minbase), bounded
#		to 10 minutes, its log in $T/mmdebstrap.log

deb_once() {
	fwa_once "the test builds its own binaries from the tree, so a second run would test the same thing"
}

deb_mirrors() {
	local f _m=()

	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list \
		/etc/apt/sources.list.d/*.sources; do
		[ -s "$f" ] && grep -Eq '^[[:space:]]*(deb |Types:.*deb)' "$f" &&
			_m+=("$f")
	done
	[ ${#_m[@]} -gt 0 ] || fwa_die "no apt sources in /etc/apt: nowhere to fetch Debian packages from"
	eval "$1=(\"\${_m[@]}\")"
}

deb_umount_under() {
	local m

	findmnt -rn -o TARGET 2>/dev/null | grep -F "$1/" | sort -r |
		while IFS= read -r m; do umount -l "$m" 2>/dev/null || true; done
}

deb_strap() {
	local out=$1 mirrors

	shift
	deb_mirrors mirrors
	fwa_at_cleanup "deb_umount_under '$T'"
	if ! timeout 600 mmdebstrap --quiet --variant=minbase "$@" bookworm \
		"$out" "${mirrors[@]}" > "$T/mmdebstrap.log" 2>&1; then
		tail -20 "$T/mmdebstrap.log"
		fwa_die "mmdebstrap failed (log above)"
	fi
}
