// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fileread.c - a whole small file in memory, bounded.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileread.h"

int file_read_all(const char *path, size_t max, char **buf, size_t *len)
{
	struct stat st;
	size_t n = 0;
	ssize_t r;
	char *b = NULL;
	int fd, ret = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		ret = -errno;
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		ret = -EINVAL;
		goto out;
	}
	if ((unsigned long long)st.st_size > max) {
		ret = -EFBIG;
		goto out;
	}
	/* one byte more than the file says: a file that grows is cut, not
	 * overrun */
	b = malloc((size_t)st.st_size + 1);
	if (!b) {
		ret = -ENOMEM;
		goto out;
	}
	while (n < (size_t)st.st_size) {
		r = read(fd, b + n, (size_t)st.st_size - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			ret = -errno;
			goto out;
		}
		if (!r)
			break;
		n += (size_t)r;
	}
	b[n] = '\0';
	*buf = b;
	*len = n;
	b = NULL;
out:
	free(b);
	close(fd);
	return ret;
}
