// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fileread.c - a whole small file in memory, bounded.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileread.h"
#include "readfile.h"

int file_read_all(const char *path, size_t max, char **buf, size_t *len)
{
	struct stat st;
	int fd, ret;

	/* not through a symlink, and never blocking on a FIFO put there */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0)
		ret = -errno;
	else if (!S_ISREG(st.st_mode))
		ret = -EINVAL;
	else
		ret = readfile_fd(fd, max, buf, len);
	close(fd);
	return ret;
}
