// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ebt_kshim.c - an LD_PRELOAD stand-in for the kernel's ebtables-legacy
 * sockopts, for tests/netns/bridge-ebtleg.sh on kernels built without
 * CONFIG_BRIDGE_NF_EBTABLES_LEGACY (this machine's 6.18: the ebt matches
 * are there for ebtables-nft, the legacy tables are not, and every
 * EBT_SO_* answers ENOPROTOOPT).
 *
 * It keeps each table's blob in a file under $EBT_SHIM_DIR (one per
 * network namespace with $EBT_SHIM_PER_NETNS: see shim_path()) as
 * EBT_SO_SET_ENTRIES gave it, and answers EBT_SO_GET_INFO /
 * EBT_SO_GET_ENTRIES with it, checking the sizes and counts as
 * net/bridge/netfilter/ebtables.c does (copy_everything_to_user(),
 * do_replace()); a table never set is the kernel's initial one (the
 * built-in chains, empty, policy ACCEPT).  The real ebtables-legacy then
 * lays out the blobs, and fwaudit reads them with its own getsockopt calls.
 * It does not check what the kernel's translate_table() checks: the blobs
 * are ebtables-legacy's own.  Every other sockopt goes to libc.
 *
 * Built by the test: cc -shared -fPIC -o ebt_kshim.so ebt_kshim.c -ldl
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <linux/netfilter_bridge.h>
#include <linux/netfilter_bridge/ebtables.h>

struct shim_table {
	unsigned int valid_hooks, nentries, size;
	unsigned char *entries;
};

/* The initial tables: one empty chain per hook, policy ACCEPT. */
static int shim_initial(const char *name, struct shim_table *t)
{
	static const struct {
		const char *table;
		unsigned int hooks;
		const char *chains[3];
	} init[] = {
		{ "filter", 1u << NF_BR_LOCAL_IN | 1u << NF_BR_FORWARD |
			    1u << NF_BR_LOCAL_OUT,
		  { "INPUT", "FORWARD", "OUTPUT" } },
		{ "nat", 1u << NF_BR_PRE_ROUTING | 1u << NF_BR_LOCAL_OUT |
			 1u << NF_BR_POST_ROUTING,
		  { "PREROUTING", "OUTPUT", "POSTROUTING" } },
		{ "broute", 1u << NF_BR_BROUTING, { "BROUTING", NULL, NULL } },
	};
	struct ebt_entries c;
	size_t i, k, n;

	for (i = 0; i < sizeof(init) / sizeof(init[0]); i++) {
		if (strcmp(name, init[i].table))
			continue;
		for (n = 0; n < 3 && init[i].chains[n]; n++)
			;
		t->valid_hooks = init[i].hooks;
		t->nentries = 0;
		t->size = (unsigned int)(n * sizeof(c));
		t->entries = calloc(n, sizeof(c));
		if (!t->entries)
			return -ENOMEM;
		for (k = 0; k < n; k++) {
			memset(&c, 0, sizeof(c));
			snprintf(c.name, sizeof(c.name), "%s",
				 init[i].chains[k]);
			c.policy = EBT_ACCEPT;
			memcpy(t->entries + k * sizeof(c), &c, sizeof(c));
		}
		return 0;
	}
	return -ENOENT;
}

/* With EBT_SHIM_PER_NETNS set, each network namespace has tables of its
 * own, as in the kernel ("filter.<netns inode>.blob"): fwaudit fix's
 * proof loads its copy into a private namespace. */
static int shim_path(const char *name, char *buf, size_t len)
{
	const char *dir = getenv("EBT_SHIM_DIR");
	struct stat st;

	if (!dir || strchr(name, '/'))
		return -ENOENT;
	if (getenv("EBT_SHIM_PER_NETNS") && stat("/proc/self/ns/net", &st) == 0)
		snprintf(buf, len, "%s/%s.%lu.blob", dir, name,
			 (unsigned long)st.st_ino);
	else
		snprintf(buf, len, "%s/%s.blob", dir, name);
	return 0;
}

static int shim_load(const char *name, bool init_only, struct shim_table *t)
{
	char path[4096];
	FILE *f;
	int ret;

	ret = shim_initial(name, t);	/* the name must be a real table */
	if (ret < 0 || init_only)
		return ret;
	if (shim_path(name, path, sizeof(path)) < 0)
		return 0;
	f = fopen(path, "re");
	if (!f)
		return 0;
	free(t->entries);
	t->entries = NULL;
	if (fread(t, sizeof(unsigned int), 3, f) != 3 || t->size > (64u << 20))
		goto bad;
	t->entries = malloc(t->size ? t->size : 1);
	if (!t->entries || fread(t->entries, 1, t->size, f) != t->size)
		goto bad;
	fclose(f);
	return 0;
bad:
	fclose(f);
	free(t->entries);
	t->entries = NULL;
	return -EIO;
}

static int shim_get(int cmd, void *optval, socklen_t *optlen)
{
	struct ebt_replace r;
	struct shim_table t = { 0 };
	size_t want;
	int ret;

	if (*optlen < sizeof(r))
		return -EINVAL;
	memcpy(&r, optval, sizeof(r));
	r.name[sizeof(r.name) - 1] = '\0';
	ret = shim_load(r.name, cmd >= EBT_SO_GET_INIT_INFO, &t);
	if (ret < 0)
		return ret;
	if (cmd == EBT_SO_GET_INFO || cmd == EBT_SO_GET_INIT_INFO) {
		ret = -EINVAL;
		if (*optlen != sizeof(r))
			goto out;
		r.nentries = t.nentries;
		r.entries_size = t.size;
		r.valid_hooks = t.valid_hooks;
		memcpy(optval, &r, sizeof(r));
		ret = 0;
		goto out;
	}
	want = sizeof(r) + t.size +
	       (r.num_counters ? t.nentries * sizeof(struct ebt_counter) : 0);
	ret = -EINVAL;
	if (*optlen != want || r.nentries != t.nentries ||
	    r.entries_size != t.size ||
	    (r.num_counters && r.num_counters != t.nentries))
		goto out;
	if (r.num_counters)
		memset(r.counters, 0,
		       r.num_counters * sizeof(struct ebt_counter));
	memcpy(r.entries, t.entries, t.size);
	ret = 0;
out:
	free(t.entries);
	return ret;
}

static int shim_set(int cmd, const void *optval, socklen_t optlen)
{
	struct shim_table t = { 0 };
	struct ebt_replace r;
	char path[4096], tmp[4200];
	FILE *f;
	int ret;

	if (cmd == EBT_SO_SET_COUNTERS)
		return 0;
	if (optlen < sizeof(r))
		return -EINVAL;
	memcpy(&r, optval, sizeof(r));
	r.name[sizeof(r.name) - 1] = '\0';
	if (optlen != sizeof(r) + r.entries_size)
		return -EINVAL;
	ret = shim_load(r.name, false, &t);
	if (ret < 0)
		return ret;
	/* the old counters go back to the caller */
	if (r.num_counters != t.nentries) {
		free(t.entries);
		return -EINVAL;
	}
	if (r.num_counters)
		memset(r.counters, 0,
		       r.num_counters * sizeof(struct ebt_counter));
	free(t.entries);
	if (shim_path(r.name, path, sizeof(path)) < 0)
		return -EPERM;
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "we");
	if (!f)
		return -errno;
	t.valid_hooks = r.valid_hooks;
	t.nentries = r.nentries;
	t.size = r.entries_size;
	if (fwrite(&t, sizeof(unsigned int), 3, f) != 3 ||
	    fwrite(r.entries, 1, r.entries_size, f) != r.entries_size) {
		fclose(f);
		return -EIO;
	}
	if (fclose(f) != 0 || rename(tmp, path) != 0)
		return -EIO;
	return 0;
}

static bool shim_ours(int level, int optname)
{
	return level == IPPROTO_IP && optname >= EBT_BASE_CTL &&
	       optname < EBT_SO_GET_MAX;
}

int getsockopt(int fd, int level, int optname, void *optval,
	       socklen_t *optlen)
{
	static int (*real)(int, int, int, void *, socklen_t *);
	int ret;

	if (shim_ours(level, optname)) {
		ret = shim_get(optname, optval, optlen);
		if (ret < 0) {
			errno = -ret;
			return -1;
		}
		return 0;
	}
	if (!real)
		real = (int (*)(int, int, int, void *, socklen_t *))
		       dlsym(RTLD_NEXT, "getsockopt");
	return real(fd, level, optname, optval, optlen);
}

int setsockopt(int fd, int level, int optname, const void *optval,
	       socklen_t optlen)
{
	static int (*real)(int, int, int, const void *, socklen_t);
	int ret;

	if (shim_ours(level, optname) && optname < EBT_SO_SET_MAX) {
		ret = shim_set(optname, optval, optlen);
		if (ret < 0) {
			errno = -ret;
			return -1;
		}
		return 0;
	}
	if (!real)
		real = (int (*)(int, int, int, const void *, socklen_t))
		       dlsym(RTLD_NEXT, "setsockopt");
	return real(fd, level, optname, optval, optlen);
}
