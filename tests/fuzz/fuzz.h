/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz.h - what every harness in tests/fuzz/ shares.
 *
 * Each fuzz_NAME.c defines LLVMFuzzerTestOneInput() (and may define
 * LLVMFuzzerCustomMutator()).  Built with clang -fsanitize=fuzzer it is a
 * libFuzzer target; built with fuzz_main.c by any compiler it replays the
 * files and directories named on its command line (its corpus), so that
 * every harness also runs where there is no libFuzzer (run-fuzz.sh).
 */
#ifndef FWAUDIT_FUZZ_H
#define FWAUDIT_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * Write data to a file of this process's own under /dev/shm (or $TMPDIR)
 * named name, and return its path (static storage, valid until the next
 * call with the same name), or NULL.  The file is removed at exit.
 */
const char *fuzz_file(const char *name, const void *data, size_t size);

/* The private directory fuzz_file() writes in (created on first use). */
const char *fuzz_dir(void);

#endif
