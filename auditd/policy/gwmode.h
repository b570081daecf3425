/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * gwmode.h - name the Docker network option that explains an exposure: a
 * row forwarded into a bridge network whose gateway mode is not nat, or
 * that trusts host interfaces, gets a note saying what the mode lets in.
 */
#ifndef FWAUDIT_GWMODE_H
#define FWAUDIT_GWMODE_H

#include "dknet.h"
#include "report.h"

/* Add to rep a note for each network of nets (and family) that a row of
 * rep is forwarded into (its backend, or a direct row's address, in the
 * network's subnets): "network NAME: gateway mode ipv4 nat-unprotected:
 * every container port is reachable, published or not", "network NAME:
 * trusted host interfaces eth9: ...".  0 or -ENOMEM. */
int gwmode_notes(const struct dknet_list *nets, struct report *rep);

#endif
