// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * snapshot.c - read every source into one snapshot.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "ebtleg.h"
#include "ipset.h"
#include "legacy.h"
#include "nft.h"
#include "nft_cache.h"
#include "snapshot.h"

int snapshot_read(struct snapshot *snap, bool host, enum snapshot_stage *stage)
{
	return snapshot_read_with(snap, host, NULL, NULL, stage);
}

int snapshot_read_with(struct snapshot *snap, bool host,
		       struct nft_cache *cache, struct legacy_cache *lcache,
		       enum snapshot_stage *stage)
{
	struct snapshot s = { .rs = NULL };
	enum snapshot_stage at = SNAPSHOT_NFT;
	int ret;

	s.rs = ruleset_new();
	if (!s.rs)
		return -ENOMEM;
	ret = cache ? nft_cache_read(cache, s.rs) : nft_dump_ruleset(s.rs);
	if (ret < 0)
		goto fail;
	at = SNAPSHOT_LEGACY;
	ret = lcache ? legacy_cache_read(lcache, s.rs) :
		       legacy_dump_ruleset(s.rs);
	if (ret < 0)
		goto fail;
	/* ebtables-legacy: absent from most kernels, then nothing */
	ret = ebtleg_dump_ruleset(s.rs);
	if (ret < 0)
		goto fail;
	/* the ipsets the x_tables "set" matches name, after the rules
	 * (a -j SET rule makes its set undecided) */
	ret = ipset_dump_ruleset(s.rs);
	if (ret < 0)
		goto fail;
	if (host) {
		at = SNAPSHOT_HOST;
		ret = host_read(&s.host);
		if (ret < 0)
			goto fail;
	}
	*snap = s;
	return 0;
fail:
	if (stage)
		*stage = at;
	snapshot_release(&s);
	return ret;
}

void snapshot_release(struct snapshot *snap)
{
	size_t i;

	if (!snap)
		return;
	for (i = 0; i < SNAPSHOT_TEXT_N; i++)
		free(snap->text[i]);
	ruleset_free(snap->rs);
	host_free(snap->host);
	docker_release(&snap->docker);
	for (i = 0; i < snap->nnetns; i++) {
		free(snap->netns[i].name);
		free(snap->netns[i].image);
		free(snap->netns[i].why);
		free(snap->netns[i].project);
		snapshot_release(&snap->netns[i].snap);
	}
	free(snap->netns);
	memset(snap, 0, sizeof(*snap));
}

const char *snapshot_stage_name(enum snapshot_stage stage)
{
	switch (stage) {
	case SNAPSHOT_NFT:	return "the nftables ruleset";
	case SNAPSHOT_LEGACY:	return "the legacy iptables ruleset";
	case SNAPSHOT_HOST:	return "the host's interfaces, routes and sockets";
	default:		return "the analysis";
	}
}
