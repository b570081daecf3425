// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * readfile.c - the whole content of a file or pipe in one buffer.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/stat.h>

#include "readfile.h"

/* first allocation when the size is not known beforehand */
#define READFILE_CHUNK	65536

int readfile_fd(int fd, size_t max, char **bufp, size_t *lenp)
{
	size_t len = 0, cap = READFILE_CHUNK, ncap;
	struct stat st;
	char *buf, *t;
	ssize_t n;
	int ret;

	/* room for max + 1 bytes (to see that there are more than max) and
	 * the NUL */
	if (max > SIZE_MAX - 2)
		max = SIZE_MAX - 2;
	/* a regular file in one read and one allocation; the read to the
	 * end still decides, as the file may change meanwhile */
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size >= 0 &&
	    (uint64_t)st.st_size <= max)
		cap = (size_t)st.st_size + 1;
	if (cap > max + 1)
		cap = max + 1;
	buf = malloc(cap + 1);
	if (!buf)
		return -ENOMEM;
	for (;;) {
		if (len == cap) {
			if (len > max) {
				ret = -EFBIG;
				goto fail;
			}
			ncap = cap > (max + 1) / 2 ? max + 1 : cap * 2;
			t = realloc(buf, ncap + 1);
			if (!t) {
				ret = -ENOMEM;
				goto fail;
			}
			buf = t;
			cap = ncap;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			ret = -errno;
			goto fail;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	*bufp = buf;
	*lenp = len;
	return 0;
fail:
	free(buf);
	return ret;
}

int readfile_path(const char *path, size_t max, char **bufp, size_t *lenp)
{
	int fd, ret;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	ret = readfile_fd(fd, max, bufp, lenp);
	close(fd);
	return ret;
}
