/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rsfile.h - audit ruleset files without touching the host: the calling
 * process moves into a private network namespace of its own (inside a
 * private user namespace when unprivileged), the real tools load the files
 * there, and the ordinary readers read them back.
 */
#ifndef FWAUDIT_RSFILE_H
#define FWAUDIT_RSFILE_H

#include <stddef.h>

enum rsfile_kind {
	RSFILE_AUTO,
	RSFILE_IPTABLES,	/* iptables-save output */
	RSFILE_IP6TABLES,	/* ip6tables-save output */
	RSFILE_NFT,		/* nft list ruleset / nft -f input */
	RSFILE_LEGACY4,		/* iptables-legacy-save output */
	RSFILE_LEGACY6,		/* ip6tables-legacy-save output */
	RSFILE_IPSET,		/* ipset restore input ("ips:" prefix) */
	RSFILE_EBTABLES,	/* ebtables-save output, into nft bridge
				 * tables (ebtables-nft-restore) */
	RSFILE_EBTLEGACY,	/* ebtables-legacy-save output, into the
				 * kernel's legacy ebtables tables */
};

/* The kind of a file from its contents (a path may carry a prefix
 * "ip4:", "ip6:", "nft:" or "ebt:" to say it; "lg4:", "lg6:" and "ebl:"
 * load it into legacy x_tables or legacy ebtables, which contents cannot
 * tell; "ips:" into ipset).  ebtables-save text is told from
 * iptables-save text by its chain lines without counters and no COMMIT. */
enum rsfile_kind rsfile_detect(const char *path, const char **name);

/*
 * Move this process into a new network namespace (and, without the
 * privilege for that, into a new user namespace first: it works
 * unprivileged) and load every file there with iptables-nft-restore,
 * ip6tables-nft-restore, nft -f, ebtables-nft-restore (or
 * ip[6]tables-legacy-restore, ebtables-legacy-restore).  Call it before opening any netlink
 * socket.  Returns 0; or a negative errno with a message in err (the
 * loader's own message for a file that does not load, naming the file).
 */
int rsfile_load(char *const *files, size_t n, char *err, size_t errlen);

#endif
