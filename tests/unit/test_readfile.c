// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_readfile.c - readfile_fd() / readfile_path(), the one whole-file
 * reader: regular files of every size up to the bound and one byte past it,
 * NULs in the content, the offset of an fd, a pipe written in pieces
 * (st_size 0), /proc (st_size lies), errors.  No privileges.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

#include "readfile.h"
#include "unit.h"
#include "util.h"

static char dir[] = "/tmp/test_readfile.XXXXXX";

/* a file of len bytes (pattern i * 7 + 1, so NULs appear) at dir/name */
static char *make_file(const char *name, size_t len, char **content)
{
	static char path[256];
	char *c = malloc(len ? len : 1);
	size_t i;
	int fd;

	for (i = 0; i < len; i++)
		c[i] = (char)(i * 7 + 1);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	CHECK(fd >= 0);
	CHECK_EQ(write(fd, c, len), (ssize_t)len);
	close(fd);
	*content = c;
	return path;
}

static void test_regular(void)
{
	static const size_t sizes[] = { 0, 1, 7, 4095, 65535, 65536, 65537,
					300001 };
	char *c, *buf, *path;
	size_t i, len;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		path = make_file("f", sizes[i], &c);
		buf = NULL;
		len = 12345;
		CHECK_EQ(readfile_path(path, sizes[i], &buf, &len), 0);
		CHECK_EQ(len, sizes[i]);
		CHECK(buf && memcmp(buf, c, len) == 0 && buf[len] == '\0');
		free(buf);
		/* one byte under the size: refused, nothing written */
		if (sizes[i]) {
			buf = (char *)"untouched";
			len = 12345;
			CHECK_EQ(readfile_path(path, sizes[i] - 1, &buf, &len),
				 -EFBIG);
			CHECK_STR(buf, "untouched");
			CHECK_EQ(len, 12345);
		}
		/* a generous bound */
		buf = NULL;
		CHECK_EQ(readfile_path(path, 1u << 20, &buf, &len), 0);
		CHECK_EQ(len, sizes[i]);
		CHECK(buf && memcmp(buf, c, len) == 0 && buf[len] == '\0');
		free(buf);
		free(c);
	}
}

/* from the fd's offset, not from the start */
static void test_offset(void)
{
	char *c, *buf = NULL, *path;
	size_t len = 0;
	int fd;

	path = make_file("off", 1000, &c);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	CHECK(fd >= 0);
	CHECK_EQ(lseek(fd, 10, SEEK_SET), 10);
	CHECK_EQ(readfile_fd(fd, 990, &buf, &len), 0);
	CHECK_EQ(len, 990);
	CHECK(buf && memcmp(buf, c + 10, 990) == 0);
	free(buf);
	close(fd);
	free(c);
}

/* a pipe written in uneven pieces by a child: st_size says nothing */
static int pipe_read(size_t total, size_t max, char **buf, size_t *len)
{
	int pfd[2], status, ret;
	size_t off, n;
	char chunk[7001];
	pid_t pid;

	CHECK_EQ(pipe2(pfd, O_CLOEXEC), 0);
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		close(pfd[0]);
		signal(SIGPIPE, SIG_DFL);
		for (off = 0; off < total; off += n) {
			n = total - off < sizeof(chunk) ? total - off :
			    sizeof(chunk) - off % 13;
			for (size_t i = 0; i < n; i++)
				chunk[i] = (char)((off + i) * 7 + 1);
			if (write(pfd[1], chunk, n) != (ssize_t)n)
				_exit(1);
		}
		_exit(0);
	}
	close(pfd[1]);
	ret = readfile_fd(pfd[0], max, buf, len);
	close(pfd[0]);
	CHECK_EQ(waitpid(pid, &status, 0), pid);
	return ret;
}

static void test_pipe(void)
{
	char *buf = NULL;
	size_t len = 0, i;
	bool same = true;

	CHECK_EQ(pipe_read(1000003, 1000003, &buf, &len), 0);
	CHECK_EQ(len, 1000003);
	for (i = 0; buf && i < len; i++)
		same = same && buf[i] == (char)(i * 7 + 1);
	CHECK(same);
	CHECK(buf && buf[len] == '\0');
	free(buf);
	buf = NULL;
	CHECK_EQ(pipe_read(0, 10, &buf, &len), 0);
	CHECK_EQ(len, 0);
	CHECK(buf && buf[0] == '\0');
	free(buf);
	buf = NULL;
	/* more than the bound: refused without reading it all */
	CHECK_EQ(pipe_read(200000, 150000, &buf, &len), -EFBIG);
	CHECK(buf == NULL);
}

static void test_proc_and_errors(void)
{
	char *buf = NULL;
	size_t len = 0;

	/* st_size 0, content anyway */
	CHECK_EQ(readfile_path("/proc/self/status", 1u << 20, &buf, &len), 0);
	CHECK(len > 0 && buf && strstr(buf, "Name:") && buf[len] == '\0');
	free(buf);
	buf = NULL;
	CHECK_EQ(readfile_path("/nonexistent/readfile", 10, &buf, &len),
		 -ENOENT);
	CHECK_EQ(readfile_path(dir, 10, &buf, &len), -EISDIR);
	CHECK(buf == NULL);
}

int main(void)
{
	char path[256];

	signal(SIGPIPE, SIG_IGN);
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 99;
	}
	test_regular();
	test_offset();
	test_pipe();
	test_proc_and_errors();
	snprintf(path, sizeof(path), "%s/f", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/off", dir);
	unlink(path);
	rmdir(dir);
	return unit_done();
}
