/* judge_worker.c -- the scan worker process: `exsweep --sandbox-worker ARG`.
 *
 * The platform's sandbox_enter takes every right away first (posix/ and
 * win32/ say how); only then is a byte read from the parent. The worker
 * answers READY, loads the rules the parent compiled (it could not open a
 * rule file if it wanted to), answers INIT_DONE and then judges one file per
 * JUDGE request until the parent closes the channel. The parent is trusted
 * here, but the requests are still decoded with bounds, so that a bug in
 * the parent is an error and not a wild read.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authenticode.h"
#include "judge.h"

#define INIT_MAX (256u << 20)

struct worker_state {
	const struct exs_platform *plat;
	struct exs_buf out;
	unsigned char *in;
	size_t in_cap;
};

static int send_frame(struct worker_state *ws)
{
	return ws->plat->channel_write(ws->out.data, ws->out.len);
}

static int send_status(struct worker_state *ws, uint32_t type,
		       const struct exs_error *err)
{
	/* The detail alone: the parent names the operation itself. */
	const char *detail = !err->status ? ""
			     : err->detail[0] ? err->detail
					      : exs_strerror(err->status);
	exs_wire_put_status(&ws->out, type, err->status, detail);
	if (exs_wire_end(&ws->out))
		return EXS_INTERNAL;
	return send_frame(ws);
}

/* Reads one frame of the given type into ws->in. EXS_NOENT: the parent
 * closed the channel. */
static int recv_frame(struct worker_state *ws, uint32_t type, uint32_t max,
		      uint32_t *len)
{
	unsigned char hdr[EXS_WIRE_HEADER];
	int rc = ws->plat->channel_read(hdr, sizeof(hdr));
	if (rc)
		return rc;
	if (exs_wire_header(hdr, type, max, len))
		return EXS_INVAL;
	if (*len > ws->in_cap) {
		free(ws->in);
		ws->in_cap = 0;
		if (!(ws->in = malloc(*len)))
			return EXS_NOMEM;
		ws->in_cap = *len;
	}
	return *len ? ws->plat->channel_read(ws->in, *len) : EXS_OK;
}

struct request_strings {
	const unsigned char *shared;   /* the parent's buffer, read-only */
	size_t shared_size;
	char filename[1024], filepath[EXS_ERROR_WHERE_MAX * 4], extension[64],
		filetype[32], owner[EXS_OWNER_MAX];
};

static int decode_request(const unsigned char *p, size_t n,
			  struct exs_judge_request *rq, uint64_t *id,
			  struct request_strings *s)
{
	struct exs_wire_reader r;
	exs_wire_reader_init(&r, p, n);
	memset(rq, 0, sizeof(*rq));
	*id = exs_wire_get_u64(&r);
	rq->want = exs_wire_get_u32(&r);
	rq->path = (const char *)exs_wire_get_bytes(&r, EXS_WIRE_REQUEST_EXTRA,
						    &rq->path_len);
	exs_wire_get_str(&r, s->filename, sizeof(s->filename));
	exs_wire_get_str(&r, s->filepath, sizeof(s->filepath));
	exs_wire_get_str(&r, s->extension, sizeof(s->extension));
	exs_wire_get_str(&r, s->filetype, sizeof(s->filetype));
	exs_wire_get_str(&r, s->owner, sizeof(s->owner));
	uint32_t where = exs_wire_get_u32(&r);
	if (where == EXS_WIRE_DATA_SHARED) {
		uint64_t len = exs_wire_get_u64(&r);
		if (!s->shared || len > s->shared_size)
			return EXS_INVAL;
		rq->data = s->shared;
		rq->len = (size_t)len;
	} else {
		rq->data = exs_wire_get_bytes(&r, n, &rq->len);
	}
	if (r.failed || r.p != r.end || !rq->path || !rq->data)
		return EXS_INVAL;
	rq->vars = (struct exs_judge_vars){ s->filename, s->filepath,
					    s->extension, s->filetype, s->owner };
	return EXS_OK;
}

static int serve(struct worker_state *ws, struct exs_engine *engine,
		 uint32_t max_request)
{
	struct request_strings *strings = calloc(1, sizeof(*strings));
	if (!strings)
		return EXS_NOMEM;
	const void *shared;
	if (ws->plat->channel_shared &&
	    ws->plat->channel_shared(&shared, &strings->shared_size) == EXS_OK)
		strings->shared = shared;
	int rc;
	for (;;) {
		uint32_t len;
		rc = recv_frame(ws, EXS_WIRE_JUDGE, max_request, &len);
		if (rc)
			break;
		struct exs_judge_request rq;
		uint64_t id;
		if ((rc = decode_request(ws->in, len, &rq, &id, strings)))
			break;
		struct exs_verdict v;
		memset(&v, 0, sizeof(v));
		v.id = id;
		exs_engine_judge(engine, &rq, &v);
		rc = exs_wire_encode_verdict(&ws->out, &v);
		exs_verdict_free(&v);
		if (!rc)
			rc = send_frame(ws);
		if (rc)
			break;
	}
	free(strings);
	return rc == EXS_NOENT ? EXS_OK : rc;
}

int exs_judge_worker_main(const struct exs_platform *plat, const char *arg)
{
	struct worker_state ws = { .plat = plat };
	exs_buf_init(&ws.out, EXS_WIRE_REPLY_MAX + EXS_WIRE_HEADER);
	struct exs_error err;
	exs_error_clear(&err);
	struct exs_rules *rules = NULL;
	struct exs_heuristics *heuristics = NULL;
	struct exs_trust *trust = NULL;
	struct exs_engine engine = { NULL, NULL, 0, NULL };

	int rc = exs_rules_library_init(&err);
	if (!rc)
		rc = plat->sandbox_enter
			     ? plat->sandbox_enter(arg, &err)
			     : exs_fail(&err, EXS_UNSUPPORTED, 0, "sandbox", NULL);
	/* Without a channel (sandbox_enter failed early) this fails too. */
	if (send_status(&ws, EXS_WIRE_READY, &err) || rc)
		goto out;

	uint32_t len = 0, max_request = 0;
	rc = recv_frame(&ws, EXS_WIRE_INIT, INIT_MAX, &len);
	if (rc)
		goto out;
	struct exs_wire_reader r;
	exs_wire_reader_init(&r, ws.in, len);
	uint32_t version = exs_wire_get_u32(&r);
	uint32_t flags = exs_wire_get_u32(&r);
	uint32_t timeout = exs_wire_get_u32(&r);
	char sep = (char)exs_wire_get_u8(&r);
	max_request = exs_wire_get_u32(&r);
	size_t trust_len;
	const unsigned char *trust_blob = exs_wire_get_bytes(&r, len, &trust_len);
	size_t blob_len;
	const unsigned char *blob = exs_wire_get_bytes(&r, len, &blob_len);
	if (r.failed || r.p != r.end || version != EXS_WIRE_VERSION)
		rc = exs_fail(&err, EXS_INVAL, 0, "sandbox", "init message");
	engine.gate = (flags >> EXS_WIRE_INIT_GATE_SHIFT) &
		      (EXS_ENGINE_GATE | EXS_ENGINE_GATE_EXTRA);
	if (!rc && (flags & EXS_WIRE_INIT_RULES))
		rc = exs_rules_from_blob(blob, blob_len, &rules, &err);
	if (!rc && rules)
		rc = exs_scanner_create(rules, timeout, &engine.scanner, &err);
	if (!rc)
		rc = exs_heuristics_load(sep, &heuristics, &err);
	char why[128];
	if (!rc && exs_trust_from_blob(trust_blob, trust_len, &trust, why,
				       sizeof(why)))
		rc = exs_failf(&err, EXS_CONFIG, 0, "trust", NULL,
			       "the trust store: %s", why);
	engine.heuristics = heuristics;
	engine.trust = trust;
	/* The rules blob is not needed any more. */
	free(ws.in);
	ws.in = NULL;
	ws.in_cap = 0;
	if (send_status(&ws, EXS_WIRE_INIT_DONE, &err) || rc)
		goto out;
	rc = serve(&ws, &engine, max_request);
out:
	exs_scanner_free(engine.scanner);
	exs_rules_free(rules);
	exs_heuristics_free(heuristics);
	exs_trust_free(trust);
	exs_buf_free(&ws.out);
	free(ws.in);
	exs_rules_library_finish();
	return rc ? 1 : 0;
}
