/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * readfile.h - the whole content of a file or pipe in one buffer: the one
 * reader behind the policy, the daemon's configuration, spool entries,
 * netlink recordings and saved audits.
 */
#ifndef FWAUDIT_READFILE_H
#define FWAUDIT_READFILE_H

#include <stddef.h>

/* Read fd from its offset to the end (read() returns 0; EINTR retried),
 * at most max bytes, into a new buffer with a NUL after the content (free()
 * it; the content itself may hold NULs).  A regular file is read into one
 * allocation of its size; a pipe, or a file whose size lies (/proc), into
 * a doubling one.  0 with *bufp and *lenp set; -EFBIG when there are more
 * than max bytes, -ENOMEM, or read()'s -errno, and nothing written. */
int readfile_fd(int fd, size_t max, char **bufp, size_t *lenp);

/* readfile_fd() on path opened O_RDONLY | O_CLOEXEC | O_NOCTTY; also
 * open()'s -errno. */
int readfile_path(const char *path, size_t max, char **bufp, size_t *lenp);

#endif
