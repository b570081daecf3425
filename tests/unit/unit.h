/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * unit.h - the smallest test harness that tells what failed and where.
 *
 *	CHECK(cond)		a failed check prints file:line and the condition
 *	CHECK_EQ(a, b)		integers, printing both values
 *	CHECK_STR(a, b)		strings (NULL-safe)
 *	return unit_done();	exit status for automake: 0 pass, 1 fail
 */
#ifndef FWAUDIT_UNIT_H
#define FWAUDIT_UNIT_H

#include <stdio.h>
#include <string.h>

static unsigned int unit_checks, unit_failures;

#define CHECK(cond) do {						\
	unit_checks++;							\
	if (!(cond)) {							\
		unit_failures++;					\
		fprintf(stderr, "%s:%d: check failed: %s\n",		\
			__FILE__, __LINE__, #cond);			\
	}								\
} while (0)

#define CHECK_EQ(a, b) do {						\
	long long _a = (long long)(a), _b = (long long)(b);		\
	unit_checks++;							\
	if (_a != _b) {							\
		unit_failures++;					\
		fprintf(stderr, "%s:%d: %s == %lld, expected %s == %lld\n", \
			__FILE__, __LINE__, #a, _a, #b, _b);		\
	}								\
} while (0)

#define CHECK_STR(a, b) do {						\
	const char *_a = (a), *_b = (b);				\
	unit_checks++;							\
	if (!_a || !_b || strcmp(_a, _b) != 0) {			\
		unit_failures++;					\
		fprintf(stderr, "%s:%d: %s is \"%s\", expected \"%s\"\n", \
			__FILE__, __LINE__, #a, _a ? _a : "(null)",	\
			_b ? _b : "(null)");				\
	}								\
} while (0)

static inline int unit_done(void)
{
	printf("%u checks, %u failed\n", unit_checks, unit_failures);
	return unit_failures ? 1 : 0;
}

#endif
