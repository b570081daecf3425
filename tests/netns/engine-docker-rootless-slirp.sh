#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# engine-docker-rootless-slirp.sh - engine-docker-rootless.sh with
# rootlesskit's slirp4netns port driver
# (DOCKERD_ROOTLESS_ROOTLESSKIT_PORT_DRIVER=slirp4netns): slirp4netns holds
# the host ports, on IPv4 only; see that script for what is checked.
RD_DRIVER=slirp4netns FWA_NAME=engine-docker-rootless-slirp \
	exec bash "$(dirname "$0")/engine-docker-rootless.sh" "$@"
