/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * auditload.h - a saved `fwaudit audit --format json` (version 1) read
 * back into report rows, so that `fwaudit diff` can judge and compare it
 * like an audit it ran itself.
 *
 * The file is outside input: it is validated whole before anything is
 * kept - "version" must be 1, "exposures" an array, and each exposure must
 * have the members of the JSON contract with values of the right type and
 * range (family, protocol, ports, address, sources as prefixes of the
 * family, interfaces, path, backend, listener, state, certainty,
 * unknown).  Members it does not know are ignored (the contract only ever
 * adds members); the saved "policy" verdicts are ignored as well: the
 * comparison judges both sides by one policy.
 *
 * Error idiom as in ruleset.h; nothing here prints.
 */
#ifndef FWAUDIT_AUDITLOAD_H
#define FWAUDIT_AUDITLOAD_H

#include <stdbool.h>
#include <stddef.h>

#include "report.h"

#define AUDITLOAD_MAX_BYTES	(256u << 20)	/* bytes of one file */
#define AUDITLOAD_MAX_ROWS	1000000		/* exposures of one file */
#define AUDITLOAD_MAX_LIST	100000		/* items of one list */

struct auditload {
	size_t nrows;
	struct report_row *rows;	/* owned, as report_build() makes them */
	struct host_listener *listeners;	/* rows[i].listener points
						 * here; owned */
};

/*
 * Parse the document in buf[0..len) (name is used in messages only).
 * Returns 0 and a new *out (free with auditload_free()), or a negative
 * errno and a message in err ("NAME:LINE:COLUMN: what" for a JSON syntax
 * error, "NAME: exposures[3].ports: what" for a bad value): -EBADMSG for
 * malformed JSON, -EINVAL for a document that is not a version 1 audit,
 * -E2BIG beyond the bounds above, -ENOMEM.
 */
int auditload_parse(const char *buf, size_t len, const char *name,
		    struct auditload **out, char *err, size_t errlen);
/* The same for the file at path; also the errno of open() / read(). */
int auditload_read(const char *path, struct auditload **out, char *err,
		   size_t errlen);
void auditload_free(struct auditload *a);

/* Does buf look like JSON (its first byte that is not white space is
 * '{')?  How `fwaudit diff` tells a saved audit from a ruleset file. */
bool auditload_is_json(const char *buf, size_t len);

#endif
