// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz_main.c - replay a harness's corpus without libFuzzer:
 *
 *	fuzz_NAME FILE|DIR...
 *
 * runs LLVMFuzzerTestOneInput() once on each file (each file of each
 * directory), prints how many, and exits 0; a crash or a sanitizer report
 * is the failure, as under libFuzzer.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

/* larger inputs are not run (libFuzzer's -max_len does the same) */
#define FUZZ_MAIN_MAX	(16u << 20)

static int run_file(const char *path, unsigned long *n)
{
	struct stat st;
	uint8_t *buf;
	size_t len;
	FILE *f;

	f = fopen(path, "re");
	if (!f || fstat(fileno(f), &st) < 0 || st.st_size > FUZZ_MAIN_MAX) {
		fprintf(stderr, "%s: cannot read\n", path);
		if (f)
			fclose(f);
		return -1;
	}
	len = (size_t)st.st_size;
	buf = malloc(len ? len : 1);
	if (!buf || (len && fread(buf, len, 1, f) != 1)) {
		fprintf(stderr, "%s: cannot read\n", path);
		free(buf);
		fclose(f);
		return -1;
	}
	fclose(f);
	LLVMFuzzerTestOneInput(buf, len);
	free(buf);
	(*n)++;
	return 0;
}

static int run_dir(const char *path, unsigned long *n)
{
	struct dirent **names;
	char sub[4096];
	struct stat st;
	int i, count, ret = 0;

	count = scandir(path, &names, NULL, alphasort);
	if (count < 0) {
		fprintf(stderr, "%s: cannot read\n", path);
		return -1;
	}
	for (i = 0; i < count; i++) {
		snprintf(sub, sizeof(sub), "%s/%s", path, names[i]->d_name);
		if (names[i]->d_name[0] != '.' && stat(sub, &st) == 0 &&
		    S_ISREG(st.st_mode) && run_file(sub, n) < 0)
			ret = -1;
		free(names[i]);
	}
	free(names);
	return ret;
}

/* The harnesses' custom mutators call libFuzzer's; a replay never mutates. */
size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max_size);
size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max_size)
{
	(void)data;
	(void)max_size;
	return size;
}

int main(int argc, char **argv)
{
	unsigned long n = 0;
	struct stat st;
	int i, ret = 0;

	for (i = 1; i < argc; i++) {
		if (stat(argv[i], &st) < 0) {
			fprintf(stderr, "%s: no such file\n", argv[i]);
			ret = 1;
		} else if (S_ISDIR(st.st_mode) ? run_dir(argv[i], &n) < 0 :
			   run_file(argv[i], &n) < 0) {
			ret = 1;
		}
	}
	printf("%lu inputs replayed\n", n);
	return ret;
}
