// SPDX-License-Identifier: GPL-2.0-or-later
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "array.h"
#include "readfile.h"
#include "spool.h"

#define TMP_PREFIX	".tmp-"
#define STATE_NAME	"state"
#define LOCK_NAME	"lock"
#define CORRUPT_PREFIX	"corrupt-"
/* "<16 hex>-<32 hex>.json" */
#define NAME_LEN	(16 + 1 + EVENT_ID_LEN + 5)

struct slot {
	uint64_t seq;
	unsigned int attempts;
	uint64_t next_usec;
	char name[NAME_LEN + 1];
};

struct spool {
	int dirfd;
	int lockfd;
	size_t max;
	enum spool_overflow policy;
	struct slot *slots;		/* ascending seq */
	size_t n, cap;
	uint64_t next_seq;
	uint64_t dropped, failed;
};

static bool is_hex(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (!((s[i] >= '0' && s[i] <= '9') ||
		      (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	}
	return true;
}

/* Is name an entry's file name?  Stores its sequence number. */
static bool entry_name(const char *name, uint64_t *seq)
{
	if (strlen(name) != NAME_LEN || !is_hex(name, 16) || name[16] != '-' ||
	    !is_hex(name + 17, EVENT_ID_LEN) ||
	    strcmp(name + 17 + EVENT_ID_LEN, ".json") != 0)
		return false;
	*seq = strtoull(name, NULL, 16);
	return true;
}

/* Write data under name: temporary file, fsync, rename, directory fsync. */
static int write_atomic(int dirfd, const char *name, const char *data,
			size_t len)
{
	char tmp[NAME_LEN + sizeof(TMP_PREFIX) + 16];
	size_t off = 0;
	ssize_t w;
	int fd, ret;

	if (snprintf(tmp, sizeof(tmp), TMP_PREFIX "%s", name) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC |
		    O_NOFOLLOW, 0600);
	if (fd < 0)
		return -errno;
	while (off < len) {
		w = write(fd, data + off, len - off);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			ret = -errno;
			goto out;
		}
		off += (size_t)w;
	}
	if (fsync(fd) < 0) {
		ret = -errno;
		goto out;
	}
	if (close(fd) < 0) {
		fd = -1;
		ret = -errno;
		goto out;
	}
	fd = -1;
	if (renameat(dirfd, tmp, dirfd, name) < 0) {
		ret = -errno;
		goto out;
	}
	if (fsync(dirfd) < 0)
		return -errno;
	return 0;
out:
	if (fd >= 0)
		close(fd);
	unlinkat(dirfd, tmp, 0);
	return ret;
}

static int write_json(int dirfd, const char *name, const json_t *j)
{
	char *text;
	int ret;

	text = json_dumps(j, JSON_COMPACT);
	if (!text)
		return -ENOMEM;
	ret = write_atomic(dirfd, name, text, strlen(text));
	free(text);
	return ret;
}

static int read_json(int dirfd, const char *name, json_t **out)
{
	struct stat st;
	json_t *j;
	char *buf = NULL;
	size_t off = 0;
	int fd, ret;

	fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		ret = -errno;
		goto out;
	}
	ret = -EINVAL;
	if (!S_ISREG(st.st_mode) || st.st_size <= 0 ||
	    st.st_size > SPOOL_FILE_MAX)
		goto out;
	ret = readfile_fd(fd, SPOOL_FILE_MAX, &buf, &off);
	if (ret == -EFBIG)	/* grew since fstat() */
		ret = -EINVAL;
	if (ret < 0)
		goto out;
	j = json_loadb(buf, off, JSON_REJECT_DUPLICATES, NULL);
	if (!j) {
		ret = -EINVAL;
		goto out;
	}
	*out = j;
	ret = 0;
out:
	free(buf);
	close(fd);
	return ret;
}

static int state_save(struct spool *s)
{
	json_t *j;
	int ret;

	j = json_pack("{s:I,s:I}", "dropped", (json_int_t)s->dropped,
		      "failed", (json_int_t)s->failed);
	if (!j)
		return -ENOMEM;
	ret = write_json(s->dirfd, STATE_NAME, j);
	json_decref(j);
	return ret;
}

static void state_load(struct spool *s)
{
	json_t *j, *v;

	/* A missing state file is a new spool; an unreadable one cannot come
	 * from write_atomic(), so starting the counters again is enough. */
	if (read_json(s->dirfd, STATE_NAME, &j) < 0)
		return;
	v = json_object_get(j, "dropped");
	if (json_is_integer(v) && json_integer_value(v) >= 0)
		s->dropped = (uint64_t)json_integer_value(v);
	v = json_object_get(j, "failed");
	if (json_is_integer(v) && json_integer_value(v) >= 0)
		s->failed = (uint64_t)json_integer_value(v);
	json_decref(j);
}

static int slot_append(struct spool *s, const struct slot *sl)
{
	int ret;

	ret = array_grow(&s->slots, &s->cap, s->n, sizeof(*s->slots),
			 SIZE_MAX, 64);
	if (ret < 0)
		return ret;
	s->slots[s->n++] = *sl;
	return 0;
}

static void slot_remove(struct spool *s, size_t i)
{
	memmove(&s->slots[i], &s->slots[i + 1],
		(s->n - i - 1) * sizeof(s->slots[0]));
	s->n--;
}

static struct slot *slot_find(struct spool *s, uint64_t seq, size_t *idx)
{
	size_t lo = 0, hi = s->n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (s->slots[mid].seq < seq)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == s->n || s->slots[lo].seq != seq)
		return NULL;
	*idx = lo;
	return &s->slots[lo];
}

/* Drop entry i from disk and memory, counting it as lost. */
static void slot_drop(struct spool *s, size_t i)
{
	unlinkat(s->dirfd, s->slots[i].name, 0);
	slot_remove(s, i);
	s->dropped++;
}

static int entry_json(const struct spool_entry *e, json_t **out)
{
	json_t *j, *ev;
	int ret;

	ret = event_to_json(e->event, &ev);
	if (ret < 0)
		return ret;
	j = json_pack("{s:i,s:I,s:i,s:I,s:o}", "version", 1,
		      "seq", (json_int_t)e->seq, "attempts", (int)e->attempts,
		      "next_attempt_usec", (json_int_t)e->next_usec,
		      "event", ev);
	if (!j)
		return -ENOMEM;
	*out = j;
	return 0;
}

/* Parse an entry file; the event id must match the file name. */
static int entry_load(struct spool *s, const struct slot *sl,
		      struct spool_entry **out)
{
	struct spool_entry *e = NULL;
	json_t *j, *a, *t;
	int ret;

	ret = read_json(s->dirfd, sl->name, &j);
	if (ret < 0)
		return ret;
	a = json_object_get(j, "attempts");
	t = json_object_get(j, "next_attempt_usec");
	ret = -EINVAL;
	if (!json_is_integer(a) || json_integer_value(a) < 0 ||
	    json_integer_value(a) > INT32_MAX || !json_is_integer(t) ||
	    json_integer_value(t) < 0)
		goto out;
	e = calloc(1, sizeof(*e));
	if (!e) {
		ret = -ENOMEM;
		goto out;
	}
	ret = event_from_json(json_object_get(j, "event"), &e->event);
	if (ret < 0)
		goto out;
	if (memcmp(e->event->id, sl->name + 17, EVENT_ID_LEN) != 0) {
		ret = -EINVAL;
		goto out;
	}
	e->seq = sl->seq;
	e->attempts = (unsigned int)json_integer_value(a);
	e->next_usec = (uint64_t)json_integer_value(t);
	*out = e;
	e = NULL;
	ret = 0;
out:
	spool_entry_free(e);
	json_decref(j);
	return ret;
}

static int slot_cmp(const void *a, const void *b)
{
	const struct slot *x = a, *y = b;

	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int scan(struct spool *s)
{
	struct spool_entry *e;
	struct dirent *de;
	struct slot sl;
	DIR *d;
	int fd, ret = 0;

	fd = dup(s->dirfd);
	if (fd < 0)
		return -errno;
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return -errno;
	}
	for (;;) {
		errno = 0;
		de = readdir(d);
		if (!de) {
			ret = errno ? -errno : 0;
			break;
		}
		if (strncmp(de->d_name, TMP_PREFIX, strlen(TMP_PREFIX)) == 0) {
			unlinkat(s->dirfd, de->d_name, 0);
			continue;
		}
		memset(&sl, 0, sizeof(sl));
		if (!entry_name(de->d_name, &sl.seq))
			continue;
		memcpy(sl.name, de->d_name, NAME_LEN + 1);
		if (sl.seq == 0 || sl.seq > SPOOL_SEQ_MAX) {
			/* The next entry would take seq + 1: wrapped, it
			 * would go before every other one.  Nothing we
			 * wrote: set aside, not deleted. */
			char aside[sizeof(CORRUPT_PREFIX) + NAME_LEN];

			snprintf(aside, sizeof(aside), CORRUPT_PREFIX "%s",
				 sl.name);
			if (renameat(s->dirfd, sl.name, s->dirfd, aside) < 0)
				unlinkat(s->dirfd, sl.name, 0);
			s->dropped++;
			continue;
		}
		ret = entry_load(s, &sl, &e);
		if (ret == -ENOMEM)
			break;
		if (ret < 0) {
			unlinkat(s->dirfd, sl.name, 0);
			s->dropped++;
			ret = 0;
			continue;
		}
		sl.attempts = e->attempts;
		sl.next_usec = e->next_usec;
		spool_entry_free(e);
		ret = slot_append(s, &sl);
		if (ret < 0)
			break;
	}
	closedir(d);
	if (ret < 0)
		return ret;
	if (s->n)
		qsort(s->slots, s->n, sizeof(s->slots[0]), slot_cmp);
	return 0;
}

int spool_open(const char *dir, size_t max_entries,
	       enum spool_overflow policy, struct spool **out)
{
	struct spool *s;
	uint64_t dropped;
	int ret;

	if (!dir || !max_entries || max_entries > SPOOL_MAX_ENTRIES ||
	    (policy != SPOOL_DROP_OLDEST && policy != SPOOL_DROP_NEWEST))
		return -EINVAL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->dirfd = s->lockfd = -1;
	s->max = max_entries;
	s->policy = policy;
	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		ret = -errno;
		goto out;
	}
	s->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (s->dirfd < 0) {
		ret = -errno;
		goto out;
	}
	s->lockfd = openat(s->dirfd, LOCK_NAME, O_RDWR | O_CREAT | O_CLOEXEC |
			   O_NOFOLLOW, 0600);
	if (s->lockfd < 0) {
		ret = -errno;
		goto out;
	}
	if (flock(s->lockfd, LOCK_EX | LOCK_NB) < 0) {
		ret = errno == EWOULDBLOCK ? -EBUSY : -errno;
		goto out;
	}
	state_load(s);
	dropped = s->dropped;
	ret = scan(s);
	if (ret < 0)
		goto out;
	while (s->n > s->max)
		slot_drop(s, s->policy == SPOOL_DROP_OLDEST ? 0 : s->n - 1);
	if (s->dropped != dropped) {
		ret = state_save(s);
		if (ret < 0)
			goto out;
	}
	/* the removed temporary files and entries */
	fsync(s->dirfd);
	s->next_seq = s->n ? s->slots[s->n - 1].seq + 1 : 1;
	*out = s;
	s = NULL;
	ret = 0;
out:
	spool_close(s);
	return ret;
}

void spool_close(struct spool *s)
{
	if (!s)
		return;
	if (s->lockfd >= 0)
		close(s->lockfd);
	if (s->dirfd >= 0)
		close(s->dirfd);
	free(s->slots);
	free(s);
}

int spool_put(struct spool *s, const struct event *ev)
{
	struct spool_entry e = { .event = (struct event *)ev };
	struct slot sl;
	json_t *j;
	int ret;

	if (s->n >= s->max && s->policy == SPOOL_DROP_NEWEST) {
		s->dropped++;
		ret = state_save(s);
		return ret < 0 ? ret : 1;
	}
	if (s->next_seq > SPOOL_SEQ_MAX)
		return -EOVERFLOW;
	memset(&sl, 0, sizeof(sl));
	sl.seq = e.seq = s->next_seq;
	snprintf(sl.name, sizeof(sl.name), "%016" PRIx64 "-%s.json", sl.seq,
		 ev->id);
	ret = entry_json(&e, &j);
	if (ret < 0)
		return ret;
	ret = write_json(s->dirfd, sl.name, j);
	json_decref(j);
	if (ret < 0)
		return ret;
	ret = slot_append(s, &sl);
	if (ret < 0) {
		unlinkat(s->dirfd, sl.name, 0);
		return ret;
	}
	s->next_seq++;
	/* The new entry is durable before the oldest goes: a crash in between
	 * leaves one entry too many, which spool_open() trims. */
	if (s->n > s->max) {
		slot_drop(s, 0);
		ret = state_save(s);
		return ret < 0 ? ret : 1;
	}
	return 0;
}

int spool_next_due(struct spool *s, uint64_t now, struct spool_entry **out)
{
	struct spool_entry *e;
	bool lost = false;
	int ret;

	for (;;) {
		if (!s->n) {
			ret = -ENOENT;
			break;
		}
		if (s->slots[0].next_usec > now) {
			ret = -EAGAIN;
			break;
		}
		ret = entry_load(s, &s->slots[0], &e);
		if (ret == 0) {
			*out = e;
			break;
		}
		if (ret == -ENOMEM)
			break;
		/* only a disk fault or a hand edit gets here */
		slot_drop(s, 0);
		lost = true;
	}
	if (lost)
		state_save(s);
	return ret;
}

int spool_next_time(const struct spool *s, uint64_t *usec)
{
	if (!s->n)
		return -ENOENT;
	*usec = s->slots[0].next_usec;
	return 0;
}

static int remove_entry(struct spool *s, const struct spool_entry *e)
{
	struct slot *sl;
	size_t i;

	sl = slot_find(s, e->seq, &i);
	if (!sl)
		return -ENOENT;
	/* No directory fsync: if the unlink is lost in a crash the event is
	 * delivered once more, which at-least-once allows. */
	if (unlinkat(s->dirfd, sl->name, 0) < 0 && errno != ENOENT)
		return -errno;
	slot_remove(s, i);
	return 0;
}

int spool_mark_delivered(struct spool *s, const struct spool_entry *e)
{
	return remove_entry(s, e);
}

int spool_mark_failed(struct spool *s, const struct spool_entry *e)
{
	int ret;

	ret = remove_entry(s, e);
	if (ret < 0)
		return ret;
	s->failed++;
	return state_save(s);
}

int spool_mark_retry(struct spool *s, struct spool_entry *e,
		     uint64_t next_usec)
{
	struct spool_entry n = *e;
	struct slot *sl;
	json_t *j;
	size_t i;
	int ret;

	sl = slot_find(s, e->seq, &i);
	if (!sl)
		return -ENOENT;
	if (n.attempts < INT32_MAX)
		n.attempts++;
	n.next_usec = next_usec;
	ret = entry_json(&n, &j);
	if (ret < 0)
		return ret;
	ret = write_json(s->dirfd, sl->name, j);
	json_decref(j);
	if (ret < 0)
		return ret;
	sl->attempts = n.attempts;
	sl->next_usec = n.next_usec;
	e->attempts = n.attempts;
	e->next_usec = n.next_usec;
	return 0;
}

void spool_entry_free(struct spool_entry *e)
{
	if (!e)
		return;
	event_free(e->event);
	free(e);
}

size_t spool_count(const struct spool *s)
{
	return s->n;
}

uint64_t spool_dropped(const struct spool *s)
{
	return s->dropped;
}

uint64_t spool_failed(const struct spool *s)
{
	return s->failed;
}
