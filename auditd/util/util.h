/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * util.h - small macros every layer may use.
 */
#ifndef FWAUDIT_UTIL_H
#define FWAUDIT_UTIL_H

/* The number of elements of an array (not a pointer: GCC and clang warn
 * with -Wsizeof-pointer-div when a pointer is passed). */
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

#endif
