/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fileread.h - a whole small file in memory, bounded: readfile.c for the
 * files a runtime keeps, which must be regular and not a symlink.
 */
#ifndef FWAUDIT_FILEREAD_H
#define FWAUDIT_FILEREAD_H

#include <stddef.h>

/*
 * Read the regular file path (not following a symlink at its last
 * component) into a new NUL-terminated *buf (free() it) of *len bytes.
 * 0, -errno of open/read, -EFBIG over max bytes, -EINVAL not a regular
 * file, -ENOMEM.  Outputs written only on success.
 */
int file_read_all(const char *path, size_t max, char **buf, size_t *len);

#endif
