/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cni.h - names for backends on CNI networks, from the files the runtimes
 * leave behind (no API, no socket): nerdctl's per-container metadata and
 * libcni's result cache (Kubernetes pods through containerd or CRI-O).
 */
#ifndef FWAUDIT_CNI_H
#define FWAUDIT_CNI_H

#include <stddef.h>

#include "docker.h"

/* At most this many files of one kind are read. */
#define CNI_FILES_MAX	4096

/*
 * Parse nerdctl's <DATAROOT>/<ADDRHASH>/etchosts/<NS>/<ID>/meta.json
 * (pkg/dnsutil/hostsstore: {"Namespace", "ID", "Networks": {NAME: a CNI
 * result with "ips": [{"address": "10.4.0.2/24"}]}, "Name"}): each address
 * names the container (its Name, else the first 12 characters of its ID),
 * added to *m as runtime nerdctl.  0, -EBADMSG, -ENOMEM, -E2BIG.
 */
int cni_parse_nerdctl(const char *json, size_t len, struct docker_map *m);

/*
 * Parse one file of libcni's cache, /var/lib/cni/results/NET-ID-IF
 * ({"kind": "cniCacheV1", "containerId", "cniArgs": [[K, V]...],
 * "result": {"ips": [...]}}): a pod's addresses named "NAMESPACE/POD"
 * from its K8S_POD_NAMESPACE and K8S_POD_NAME arguments (else the first 12
 * characters of the ID), added as runtime cni.  0, -EBADMSG, -ENOMEM,
 * -E2BIG.
 */
int cni_parse_cache(const char *json, size_t len, struct docker_map *m);

/*
 * Parse the OCI runtime spec of one of containerd's running tasks,
 * /run/containerd/io.containerd.runtime.v2.task/<NS>/<ID>/config.json:
 * nerdctl copies its containerd labels into the spec's "annotations"
 * (nerdctl pkg/cmd/container/create.go,
 * propagateContainerdLabelsToOCIAnnotations), so "nerdctl/name" names the
 * container, "nerdctl/ports" (a JSON string of go-cni PortMappings:
 * [{"HostPort", "ContainerPort", "Protocol", "HostIP"}]) its published
 * ports and "nerdctl/ip-address", "nerdctl/ip6-address" (set with --ip,
 * --ip6) its addresses, all as runtime nerdctl.  The image is not in the
 * spec (containerd's metadata only): "".  A spec without "nerdctl/name"
 * (a Kubernetes container: libcni's cache names its pod) is -EBADMSG.
 * 0, -EBADMSG, -ENOMEM, -E2BIG.
 */
int cni_parse_task(const char *json, size_t len, struct docker_map *m);

/*
 * Read all three from the host under root ("" for /): <root>/var/lib/nerdctl,
 * <root>/run/containerd/io.containerd.runtime.v2.task and
 * <root>/var/lib/cni/results.  Absent directories cost an opendir();
 * unreadable or malformed files are skipped.  0, or -ENOMEM / -E2BIG.
 */
int cni_read(const char *root, struct docker_map *m);

#endif
