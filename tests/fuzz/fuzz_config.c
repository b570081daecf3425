// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz_config.c - fwauditd's configuration file (daemon_config.c): the
 * input is the file.  Seeds: contrib/fwauditd.conf.example and
 * corpus/config/.
 */
#include <stdbool.h>

#include "daemon_config.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fuzz_file("fwauditd.conf", data, size);
	struct daemon_config_error err;
	struct daemon_config c;

	if (path && daemon_config_load(path, false, &c, &err) == 0)
		daemon_config_release(&c);
	return 0;
}
