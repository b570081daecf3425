// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz_ipvs.c - the IPVS reader (ipvs.c, through nldump.c) on replay
 * recordings: service dumps and per-service real-server dumps, raw, as
 * ipvs_replay() reads them.  Seed: tests/fixtures/ipvs/services.bin
 * (written by tests/unit/test_ipvs with IPVS_SEED_OUT).
 */
#include "fuzz.h"
#include "host.h"
#include "ipvs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct host *h = host_new();

	if (h)
		ipvs_replay_buf(h, data, size);
	host_free(h);
	return 0;
}
