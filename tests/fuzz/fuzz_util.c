// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz_util.c - scratch files for the harnesses (see fuzz.h).
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"

static char dir[64];

static void fuzz_cleanup(void)
{
	char path[512];
	struct dirent *de;
	DIR *d = opendir(dir);

	if (!d)
		return;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		unlink(path);
	}
	closedir(d);
	rmdir(dir);
}

const char *fuzz_dir(void)
{
	if (dir[0])
		return dir;
	snprintf(dir, sizeof(dir), "%s", "/dev/shm/fwaudit-fuzz.XXXXXX");
	if (access("/dev/shm", W_OK) < 0)
		snprintf(dir, sizeof(dir), "%s", "/tmp/fwaudit-fuzz.XXXXXX");
	if (!mkdtemp(dir))
		abort();
	atexit(fuzz_cleanup);
	return dir;
}

const char *fuzz_file(const char *name, const void *data, size_t size)
{
	static char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", fuzz_dir(), name);
	f = fopen(path, "we");
	if (!f)
		return NULL;
	if (size && fwrite(data, size, 1, f) != 1) {
		fclose(f);
		return NULL;
	}
	if (fclose(f) != 0)
		return NULL;
	return path;
}
