// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * audit.c - one audit: snapshot, walk, rows, judgement.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit.h"
#include "cthelper.h"
#include "gwmode.h"
#include "runtimes.h"

static uint64_t now_usec(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* A runtime that is there but did not answer is named in the notes. */
static int runtime_notes(struct audit_result *r)
{
	struct strbuf b = STRBUF_INIT;
	char *all, *line, *nl;
	int ret = 0;

	if (!runtimes_notes(&r->docker, &b)) {
		strbuf_release(&b);
		return 0;
	}
	all = strbuf_take(&b);
	if (!all)
		return -ENOMEM;
	for (line = all; !ret && (nl = strchr(line, '\n')); line = nl + 1) {
		*nl = '\0';
		ret = report_add_note(r->report, "%s", line);
	}
	free(all);
	return ret;
}

/* The Docker networks' gateway modes behind forwarded rows (Docker >= 28
 * options), as notes; a Docker that does not answer says nothing here. */
static int gateway_notes(struct audit_result *r)
{
	struct dknet_list nets;
	size_t i;
	int ret;

	/* only a forwarded row can go into a network: no question else */
	for (i = 0; i < r->report->nrows; i++)
		if (r->report->rows[i].path == ENGINE_FORWARDED)
			break;
	if (i == r->report->nrows)
		return 0;
	ret = dknet_read(docker_socket_path(), &nets);
	if (!ret)
		ret = gwmode_notes(&nets, r->report);
	dknet_release(&nets);
	return ret == -ENOMEM ? ret : 0;
}

int audit_run(const struct audit_opts *o, struct audit_result **out,
	      enum snapshot_stage *stage)
{
	struct engine_input in = { 0 };
	struct audit_result *r;
	uint64_t t0 = now_usec(CLOCK_MONOTONIC);
	int ret;

	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->started_usec = now_usec(CLOCK_REALTIME);
	if (o->given) {
		r->snap = *o->given;
		memset(o->given, 0, sizeof(*o->given));
		/* an audit of a snapshot file is an audit of that moment */
		if (r->snap.taken_usec)
			r->started_usec = r->snap.taken_usec;
	} else {
		ret = snapshot_read(&r->snap, true, stage);
		if (ret < 0) {
			free(r);
			return ret;
		}
	}
	in.rs = r->snap.rs;
	in.host = r->snap.host;
	in.ifaces = o->ifaces;
	in.nifaces = o->nifaces;
	if (!o->nifaces && o->policy)
		in.ifaces = policy_interfaces(o->policy, &in.nifaces);
	in.keep_resume = o->keep_resume;
	if (o->prev && o->prev->engine && o->prev->snap.rs) {
		in.prev = o->prev->engine;
		in.prev_rs = o->prev->snap.rs;
	}
	ret = engine_run(&in, &r->engine);
	if (ret < 0)
		goto fail;
	ret = failopen_inspect(r->snap.rs, &r->findings);
	if (ret < 0)
		goto fail;
	ret = cthelper_inspect(&in, r->engine, r->findings);
	if (ret < 0)
		goto fail;
	if (r->snap.have_docker) {
		/* a snapshot from a file: the names Docker gave then */
		r->docker = r->snap.docker;
		r->docker_error = r->snap.docker_error;
		memset(&r->snap.docker, 0, sizeof(r->snap.docker));
	} else if (o->docker && r->snap.host) {
		ret = runtimes_read(r->snap.host, &r->docker);
		if (ret < 0)
			goto fail;
		r->docker_error = r->docker.error[DOCKER_RT_DOCKER];
	}
	ret = report_build(r->engine, r->snap.rs, r->snap.host, &r->docker,
			   &r->report);
	if (!ret)
		ret = runtime_notes(r);
	/* a live audit (not a snapshot file's, which has its Docker names):
	 * what goes past netfilter into containers' own namespaces, after
	 * the host's rows */
	if (!ret && o->docker && r->snap.host && !r->snap.have_docker)
		ret = nsaudit_run(r->snap.host, in.ifaces, in.nifaces,
				  &r->docker, r->report, o->rec, &r->ns);
	/* a snapshot file's (o->docker is false: nothing is asked now):
	 * those namespaces as they were then */
	else if (!ret && r->snap.host && r->snap.have_docker)
		ret = nsaudit_replay(&r->snap, in.ifaces, in.nifaces,
				     &r->docker, r->report, &r->ns);
	if (!ret && o->docker && r->snap.host && !r->snap.have_docker &&
	    !r->docker_error)
		ret = gateway_notes(r);
	if (ret < 0)
		goto fail;
	ret = srcview_new(o->policy, &r->zones);
	if (ret < 0)
		goto fail;
	if (o->policy) {
		ret = policy_judge(o->policy, r->report->rows,
				   r->report->nrows, &r->verdicts);
		if (ret < 0)
			goto fail;
	}
	r->duration_usec = now_usec(CLOCK_MONOTONIC) - t0;
	*out = r;
	return 0;
fail:
	if (stage)
		*stage = SNAPSHOT_ANALYSIS;
	audit_result_free(r);
	return ret;
}

void audit_result_free(struct audit_result *r)
{
	if (!r)
		return;
	/* the verdicts and the report borrow from what follows them */
	policy_result_free(r->verdicts);
	failopen_result_free(r->findings);
	srcview_free(r->zones);
	report_free(r->report);
	nsaudit_free(r->ns);
	docker_release(&r->docker);
	engine_result_free(r->engine);
	snapshot_release(&r->snap);
	free(r);
}

int audit_exit_status(const struct audit_result *r)
{
	if (!r->verdicts)
		return 0;
	switch (r->verdicts->worst) {
	case POLICY_SEV_CRITICAL:
		return 2;
	case POLICY_SEV_WARNING:
		return 1;
	default:
		return 0;
	}
}
