/* judge.c -- the parent's side of the sandboxed judges, and the judges
 * themselves (see judge.h).
 *
 * Divisions: the judges, the run's shared state, one worker's life (start,
 * request, stop), the per-thread judge.
 *
 * Everything a worker sends is hostile: frames are length-checked before
 * anything is allocated (EXS_WIRE_REPLY_MAX), verdicts are decoded by
 * judge_wire.c, and every exchange has a deadline, so a worker that stops
 * answering costs one file's time budget, never the run.
 */
#include "judge.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authenticode.h" /* inspect/: PE images and their signatures */
#include "buf.h"
#include "gate.h"        /* detect/gate: which judges the bytes need */
#include "registration.h" /* inspect/: configuration registrations */
#include "verdict.h"     /* detect/code: what the server code does */

static exs_judge_test_hook test_hook;

void exs_judge_set_test_hook(exs_judge_test_hook fn)
{
	test_hook = fn;
}

/* ---- The judges ------------------------------------------------------------ */

static void part_error(struct exs_verdict_part *p, const struct exs_error *err)
{
	p->status = err->status;
	snprintf(p->detail, sizeof(p->detail), "%s",
		 err->detail[0] ? err->detail : exs_strerror(err->status));
}

/* The dispatch: which rule sets run over the bytes, and whether the code
 * analysis does. The gate (detect/gate.h) spares a file without server-code
 * markers the built-in rules (which cannot match it: their global rule
 * wants a marker) and the analysis (which finds server code only where such
 * markers are); the admin's rules still run unless [yara] gate_extra_rules
 * says otherwise. What the sweep already knows clean (EXS_WANT_RULES_CLEAN,
 * EXS_WANT_CODE_CLEAN) does not run again either. */
struct judge_plan {
	unsigned sets;     /* EXS_RULESET() bits */
	int analyse;
};

static struct judge_plan plan_judges(const struct exs_engine *e,
				     const struct exs_judge_request *rq)
{
	struct judge_plan p = { EXS_RULESETS_ALL, 1 };
	int rules = !(rq->want & EXS_WANT_RULES_CLEAN);
	int server_ext = exs_gate_server_extension(rq->vars.extension);
	p.analyse = !(rq->want & EXS_WANT_CODE_CLEAN);
	/* Only a request for the rules or the heuristics (whose code analysis
	 * the gate also spares) reads the gate's answer: a signature or config
	 * request alone does not pay for the scan. */
	if ((rq->want & (EXS_WANT(EXS_VERDICT_YARA) |
			 EXS_WANT(EXS_VERDICT_HEURISTICS))) &&
	    (e->gate & EXS_ENGINE_GATE) &&
	    (rules || p.analyse || (e->gate & EXS_ENGINE_GATE_EXTRA)) &&
	    !server_ext &&
	    !(exs_gate_scan(rq->data, rq->len) & EXS_GATE_SCRIPT)) {
		rules = p.analyse = 0;
		if (e->gate & EXS_ENGINE_GATE_EXTRA)
			p.sets = 0;
	}
	if (!rules)
		p.sets &= ~EXS_RULESET(EXS_RULESET_BUILTIN);
	else if (server_ext)
		/* ExSweep_Server_Code opens for this extension whatever the
		 * bytes: the built-in rules without it (the VIEW set) give the
		 * same verdict without searching for its markers, most of the
		 * rules' time on a page full of <% and runat. */
		p.sets = (p.sets & ~EXS_RULESET(EXS_RULESET_BUILTIN)) |
			 EXS_RULESET(EXS_RULESET_VIEW);
	return p;
}

void exs_engine_judge(struct exs_engine *e, const struct exs_judge_request *rq,
		      struct exs_verdict *v)
{
	struct exs_verdict_part *yara = &v->part[EXS_VERDICT_YARA];
	struct exs_verdict_part *heur = &v->part[EXS_VERDICT_HEURISTICS];
	struct judge_plan plan = plan_judges(e, rq);
	if (rq->want & EXS_WANT(EXS_VERDICT_YARA)) {
		yara->present = 1;
		struct exs_scan_vars vars = {
			.filename = rq->vars.filename,
			.filepath = rq->vars.filepath,
			.extension = rq->vars.extension,
			.filetype = rq->vars.filetype,
			.owner = rq->vars.owner,
		};
		struct exs_error err;
		exs_error_clear(&err);
		if (!e->scanner)
			exs_fail(&err, EXS_INTERNAL, 0, "yara", NULL);
		else if (plan.sets)
			exs_scanner_scan_sets(e->scanner, plan.sets, rq->data,
					      rq->len, &vars, &yara->hits,
					      &yara->count, &err);
		if (err.status)
			part_error(yara, &err);
	}
	if (rq->want & EXS_WANT(EXS_VERDICT_HEURISTICS)) {
		heur->present = 1;
		if (e->heuristics &&
		    exs_heuristics_check(e->heuristics, rq->path, rq->path_len,
					 rq->data, rq->len, &heur->hits,
					 &heur->count) != EXS_OK) {
			heur->status = EXS_NOMEM;
			snprintf(heur->detail, sizeof(heur->detail),
				 "out of memory in the heuristics");
		}
		/* What the server code does with request input: webshell-grade
		 * findings join the YARA part (always asked for beside the
		 * heuristics), the rest the heuristics'. With the scanner, the
		 * rules also see the de-obfuscated code. */
		struct exs_verdict_part *strong = yara->present ? yara : heur;
		if (!heur->status && plan.analyse &&
		    exs_code_check(rq->path, rq->path_len, rq->data, rq->len,
				   e->scanner, &strong->hits, &strong->count,
				   &heur->hits, &heur->count)) {
			heur->status = EXS_NOMEM;
			snprintf(heur->detail, sizeof(heur->detail),
				 "out of memory in the code analysis");
		}
	}
	if (rq->want & EXS_WANT(EXS_VERDICT_CONFIG)) {
		/* The registrations of an IIS or Exchange configuration file
		 * (inspect/registration.h): parsed here, inside the worker. */
		struct exs_verdict_part *conf = &v->part[EXS_VERDICT_CONFIG];
		uint64_t line = 0;
		char why[160];
		conf->present = 1;
		int rc = exs_config_registrations(rq->data, rq->len, &conf->regs,
						  &conf->reg_count, &line, why,
						  sizeof(why));
		if (rc) {
			conf->status = rc;
			if (line)
				snprintf(conf->detail, sizeof(conf->detail),
					 "line %llu: %s",
					 (unsigned long long)line, why);
			else
				snprintf(conf->detail, sizeof(conf->detail),
					 "%s", why);
		}
	}
	if (rq->want & EXS_WANT(EXS_VERDICT_SIGNATURE)) {
		struct exs_verdict_part *sig = &v->part[EXS_VERDICT_SIGNATURE];
		sig->present = 1;
		exs_authenticode_check(rq->data, rq->len, e->trust, &sig->sig);
	}
	if (test_hook && (heur->present || yara->present))
		test_hook(rq->data, rq->len, heur->present ? heur : yara);
}

/* ---- The run's shared state -------------------------------------------------- */

struct exs_judges {
	struct exs_judge_config cfg;
	struct exs_trust *trust;       /* in-process only */
	struct exs_buf rules_blob;     /* serialised rules, sandboxed only */
	uint32_t max_request;          /* largest JUDGE payload we send */
};

int exs_judges_create(const struct exs_judge_config *cfg,
		      struct exs_judges **out, struct exs_error *err)
{
	struct exs_judges *js = calloc(1, sizeof(*js));
	if (!js)
		return exs_fail(err, EXS_NOMEM, 0, "malloc", NULL);
	js->cfg = *cfg;
	exs_buf_init(&js->rules_blob, EXS_RULES_BLOB_MAX);
	uint64_t max = cfg->max_size + EXS_WIRE_REQUEST_EXTRA;
	js->max_request = max > UINT32_MAX - EXS_WIRE_HEADER
				  ? UINT32_MAX - EXS_WIRE_HEADER : (uint32_t)max;
	if (!cfg->sandbox) {
		char why[128];
		if (exs_trust_from_blob(cfg->trust_blob, cfg->trust_len,
					&js->trust, why, sizeof(why))) {
			exs_judges_free(js);
			return exs_failf(err, EXS_CONFIG, 0, "trust", NULL,
					 "the trust store: %s", why);
		}
	}
	if (cfg->sandbox) {
		const struct exs_platform *plat = cfg->plat;
		if (!plat->worker_start) {
			free(js);
			return exs_failf(err, EXS_SANDBOX, 0, "sandbox", NULL,
					 "this platform has no sandbox for the "
					 "scan worker");
		}
		int rc = cfg->rules ? exs_rules_save(cfg->rules, &js->rules_blob,
						     err) : EXS_OK;
		if (rc) {
			exs_judges_free(js);
			return rc;
		}
	}
	*out = js;
	return EXS_OK;
}

void exs_judges_free(struct exs_judges *js)
{
	if (!js)
		return;
	exs_buf_free(&js->rules_blob);
	exs_trust_free(js->trust);
	free(js);
}

/* ---- One worker's life ----------------------------------------------------- */

struct exs_judge {
	struct exs_judges *js;
	struct exs_engine engine;      /* in-process */
	struct exs_worker *w;          /* sandboxed; NULL when not running */
	struct exs_shared *shm;        /* bytes to judge, read-only to w */
	unsigned char *shm_addr;
	size_t shm_size;
	struct exs_buf msg;            /* the frame being sent */
	unsigned char *reply;          /* the frame being received */
	size_t reply_cap;
	uint64_t next_id;
};

static int64_t deadline_after(const struct exs_platform *plat, unsigned s)
{
	return plat->clock_monotonic_ns() + (int64_t)s * 1000000000;
}

/* Stops the worker and describes how it ended into err (EXS_WORKER), after
 * the reason the parent had (what). */
static int worker_fail(struct exs_judge *j, struct exs_error *err,
		       const char *what)
{
	char why[128] = "";
	if (j->w)
		j->js->cfg.plat->worker_stop(j->w, why, sizeof(why));
	j->w = NULL;
	return exs_failf(err, EXS_WORKER, err->os_code, "sandbox", NULL,
			 "%s; the worker %s and is restarted for the next file",
			 what, why[0] ? why : "was stopped");
}

/* Receives one frame of the expected type, at most max bytes of payload,
 * into j->reply. */
static int recv_frame(struct exs_judge *j, uint32_t type, uint32_t max,
		      int64_t deadline, uint32_t *len, struct exs_error *err)
{
	const struct exs_platform *plat = j->js->cfg.plat;
	unsigned char hdr[EXS_WIRE_HEADER];
	int rc = plat->worker_recv(j->w, hdr, sizeof(hdr), deadline, err);
	if (rc)
		return rc;
	if (exs_wire_header(hdr, type, max, len))
		return exs_failf(err, EXS_WORKER, 0, "sandbox", NULL,
				 "unexpected or oversized message");
	if (*len > j->reply_cap) {
		unsigned char *grown = realloc(j->reply, *len);
		if (!grown)
			return exs_fail(err, EXS_NOMEM, 0, "malloc", NULL);
		j->reply = grown;
		j->reply_cap = *len;
	}
	return *len ? plat->worker_recv(j->w, j->reply, *len, deadline, err)
		    : EXS_OK;
}

static int recv_status(struct exs_judge *j, uint32_t type, int64_t deadline,
		       int *status, char *detail, size_t cap,
		       struct exs_error *err)
{
	uint32_t len;
	int rc = recv_frame(j, type, 4096, deadline, &len, err);
	if (!rc && exs_wire_get_status(j->reply, len, status, detail, cap))
		rc = exs_failf(err, EXS_WORKER, 0, "sandbox", NULL,
			       "malformed status message");
	return rc;
}

/* Starting a worker is two halves: the process is started (spawn), then
 * it says it is in its sandbox and gets the rules (handshake). Judges
 * created together spawn all their workers before the first handshake,
 * so that the processes start up (exec, the dynamic loader, the sandbox)
 * side by side on the cores. */
static int worker_spawn(struct exs_judge *j, struct exs_error *err)
{
	struct exs_judges *js = j->js;
	return js->cfg.plat->worker_start(js->cfg.user, js->cfg.memory, j->shm,
					  &j->w, err);
}

/* EXS_SANDBOX when the worker cannot enter its sandbox or load the rules. */
static int worker_handshake(struct exs_judge *j, struct exs_error *err)
{
	struct exs_judges *js = j->js;
	const struct exs_platform *plat = js->cfg.plat;
	int rc;
	int64_t deadline = deadline_after(plat, EXS_JUDGE_START_S);
	int status = EXS_OK;
	char detail[EXS_ERROR_DETAIL_MAX];
	rc = recv_status(j, EXS_WIRE_READY, deadline, &status, detail,
			 sizeof(detail), err);
	if (!rc && status) {
		char why[128] = "";
		plat->worker_stop(j->w, why, sizeof(why));
		j->w = NULL;
		return exs_failf(err, EXS_SANDBOX, 0, "sandbox", NULL,
				 "the scan worker cannot enter its sandbox: %s",
				 detail);
	}
	if (!rc) {
		exs_wire_begin(&j->msg, EXS_WIRE_INIT);
		exs_wire_u32(&j->msg, EXS_WIRE_VERSION);
		exs_wire_u32(&j->msg, (js->cfg.rules ? EXS_WIRE_INIT_RULES : 0) |
				      js->cfg.gate << EXS_WIRE_INIT_GATE_SHIFT);
		exs_wire_u32(&j->msg, js->cfg.yara_timeout);
		exs_wire_u8(&j->msg, (unsigned char)plat->path_separator);
		exs_wire_u32(&j->msg, js->max_request);
		exs_wire_bytes(&j->msg, js->cfg.trust_blob, js->cfg.trust_len);
		/* The rules follow the message straight from their buffer:
		 * an admin's rule set can be far larger than a request. */
		exs_wire_u32(&j->msg, (uint32_t)js->rules_blob.len);
		rc = exs_wire_end_extra(&j->msg, js->rules_blob.len);
		if (rc)
			rc = exs_fail(err, rc, 0, "sandbox", NULL);
	}
	if (!rc)
		rc = plat->worker_send(j->w, j->msg.data, j->msg.len, deadline,
				       err);
	if (!rc && js->rules_blob.len)
		rc = plat->worker_send(j->w, js->rules_blob.data,
				       js->rules_blob.len, deadline, err);
	if (!rc)
		rc = recv_status(j, EXS_WIRE_INIT_DONE, deadline, &status,
				 detail, sizeof(detail), err);
	if (!rc && status)
		rc = exs_failf(err, EXS_SANDBOX, 0, "sandbox", NULL,
			       "the scan worker cannot load the rules: %s",
			       detail);
	if (rc && j->w) {
		char why[128] = "";
		plat->worker_stop(j->w, why, sizeof(why));
		j->w = NULL;
		if (rc != EXS_SANDBOX) {
			char what[EXS_ERROR_DETAIL_MAX];
			snprintf(what, sizeof(what), "%s",
				 err->detail[0] ? err->detail : exs_strerror(rc));
			rc = exs_failf(err, EXS_SANDBOX, err->os_code, "sandbox",
				       NULL, "the scan worker did not start "
				       "(%s; it %s)", what,
				       why[0] ? why : "was stopped");
		}
	}
	return rc;
}

/* Starts a worker and hands it the rules. EXS_SANDBOX when the sandbox
 * cannot be set up. */
static int worker_begin(struct exs_judge *j, struct exs_error *err)
{
	int rc = worker_spawn(j, err);
	return rc ? rc : worker_handshake(j, err);
}

static int sandboxed_run(struct exs_judge *j, const struct exs_judge_request *rq,
			 struct exs_verdict *v, struct exs_error *err)
{
	struct exs_judges *js = j->js;
	const struct exs_platform *plat = js->cfg.plat;
	if (!j->w) {
		int rc = worker_begin(j, err);
		if (rc) {
			char what[EXS_ERROR_DETAIL_MAX];
			snprintf(what, sizeof(what), "%s", err->detail);
			return exs_failf(err, EXS_WORKER, 0, "sandbox", NULL,
					 "not judged: cannot restart the scan "
					 "worker (%s)", what);
		}
	}
	uint64_t id = ++j->next_id;
	struct exs_buf *m = &j->msg;
	exs_wire_begin(m, EXS_WIRE_JUDGE);
	exs_wire_u64(m, id);
	exs_wire_u32(m, rq->want);
	exs_wire_bytes(m, rq->path, rq->path_len);
	exs_wire_str(m, rq->vars.filename);
	exs_wire_str(m, rq->vars.filepath);
	exs_wire_str(m, rq->vars.extension);
	exs_wire_str(m, rq->vars.filetype);
	exs_wire_str(m, rq->vars.owner);
	/* The bytes go through the shared buffer when there is one (a copy in
	 * memory), else through the channel behind the message. */
	size_t inline_len = rq->len;
	if (j->shm && rq->len <= j->shm_size) {
		if (rq->len)
			memcpy(j->shm_addr, rq->data, rq->len);
		exs_wire_u32(m, EXS_WIRE_DATA_SHARED);
		exs_wire_u64(m, rq->len);
		inline_len = 0;
	} else {
		exs_wire_u32(m, EXS_WIRE_DATA_INLINE);
		exs_wire_u32(m, (uint32_t)rq->len);
	}
	if (rq->len > js->max_request || m->len > EXS_WIRE_REQUEST_EXTRA ||
	    exs_wire_end_extra(m, inline_len))
		return exs_failf(err, EXS_LIMIT, 0, "sandbox", NULL,
				 "file or path too large for the scan worker");
	int64_t deadline = deadline_after(plat, js->cfg.yara_timeout +
					  EXS_JUDGE_MARGIN_S);
	int rc = plat->worker_send(j->w, m->data, m->len, deadline, err);
	if (!rc && inline_len)
		rc = plat->worker_send(j->w, rq->data, inline_len, deadline, err);
	uint32_t len = 0;
	if (!rc)
		rc = recv_frame(j, EXS_WIRE_VERDICT, EXS_WIRE_REPLY_MAX, deadline,
				&len, err);
	if (!rc)
		rc = exs_wire_decode_verdict(j->reply, len, id, rq->want,
					     rq->data, rq->len, v, err);
	if (rc == EXS_TIMEOUT) {
		char what[64];
		snprintf(what, sizeof(what), "not judged within %u s",
			 js->cfg.yara_timeout + EXS_JUDGE_MARGIN_S);
		return worker_fail(j, err, what);
	}
	if (rc) {
		/* Out of memory too: the channel may be mid-message now. */
		char what[EXS_ERROR_DETAIL_MAX];
		snprintf(what, sizeof(what), "not judged: %s",
			 err->detail[0] ? err->detail : exs_strerror(rc));
		return worker_fail(j, err, what);
	}
	return EXS_OK;
}

/* ---- The per-thread judge --------------------------------------------------- */

/* A judge whose worker (sandboxed) is spawned but not yet handshaken. */
static int judge_new(struct exs_judges *js, struct exs_judge **out,
		     struct exs_error *err)
{
	struct exs_judge *j = calloc(1, sizeof(*j));
	if (!j)
		return exs_fail(err, EXS_NOMEM, 0, "malloc", NULL);
	j->js = js;
	exs_buf_init(&j->msg, EXS_WIRE_REQUEST_EXTRA + (1u << 20));
	int rc = EXS_OK;
	if (js->cfg.sandbox) {
		const struct exs_platform *plat = js->cfg.plat;
		void *addr = NULL;
		struct exs_error ignored;
		/* Without shared memory the bytes travel the channel. */
		if (plat->shared_create && js->cfg.max_size &&
		    plat->shared_create((size_t)js->cfg.max_size, &j->shm, &addr,
					&ignored) == EXS_OK) {
			j->shm_addr = addr;
			j->shm_size = (size_t)js->cfg.max_size;
		}
		rc = worker_spawn(j, err);
	} else {
		j->engine.heuristics = js->cfg.heuristics;
		j->engine.gate = js->cfg.gate;
		j->engine.trust = js->trust;
		if (js->cfg.rules)
			rc = exs_scanner_create(js->cfg.rules, js->cfg.yara_timeout,
						&j->engine.scanner, err);
	}
	if (rc) {
		exs_judge_free(j);
		return rc;
	}
	*out = j;
	return EXS_OK;
}

int exs_judge_create_n(struct exs_judges *js, struct exs_judge **out,
		       unsigned n, struct exs_error *err)
{
	int rc = EXS_OK;
	for (unsigned i = 0; i < n; i++)
		out[i] = NULL;
	for (unsigned i = 0; !rc && i < n; i++)
		rc = judge_new(js, &out[i], err);
	for (unsigned i = 0; !rc && js->cfg.sandbox && i < n; i++)
		rc = worker_handshake(out[i], err);
	if (rc) {
		for (unsigned i = 0; i < n; i++) {
			exs_judge_free(out[i]);
			out[i] = NULL;
		}
	}
	return rc;
}

int exs_judge_create(struct exs_judges *js, struct exs_judge **out,
		     struct exs_error *err)
{
	return exs_judge_create_n(js, out, 1, err);
}

/* Whether the privileged side can give rq's verdict itself, and then
 * gives it into *v. A request for the rules and the heuristics alone, on
 * bytes the gate finds no server-code marker in, under a name
 * ExSweep_Server_Code does not open for, with no admin rules that run on
 * every file ([yara] gate_extra_rules = no with extra rules), is one the
 * worker would answer with no rule run, no code analysed and the location
 * heuristic alone (the content heuristics look for a directive or a
 * <script runat>, both gate markers): that heuristic reads the path only,
 * and it is run here. The bytes are only searched for the markers
 * (exs_gate_scan: one bounded pass, no allocation, no state, no parse;
 * fuzzed), the same search the worker would run first; so 9 files in 10
 * of an Exchange web root cost the worker neither a copy nor a round
 * trip. The tests' hook judges every file in the worker, so never here. */
static int answer_here(struct exs_judge *j, const struct exs_judge_request *rq,
		       struct exs_verdict *v)
{
	const struct exs_judge_config *cfg = &j->js->cfg;
	const unsigned content = EXS_WANT(EXS_VERDICT_YARA) |
				 EXS_WANT(EXS_VERDICT_HEURISTICS);
	unsigned kinds = rq->want & ~(EXS_WANT_RULES_CLEAN | EXS_WANT_CODE_CLEAN);
	if (test_hook || !(kinds & content) || (kinds & ~content) ||
	    !(cfg->gate & EXS_ENGINE_GATE))
		return 0;
	if ((kinds & EXS_WANT(EXS_VERDICT_YARA)) &&
	    (!cfg->rules || (exs_rules_extra_files(cfg->rules) &&
			     !(cfg->gate & EXS_ENGINE_GATE_EXTRA))))
		return 0;
	if ((kinds & EXS_WANT(EXS_VERDICT_HEURISTICS)) && !cfg->heuristics)
		return 0;
	if (exs_gate_server_extension(rq->vars.extension) ||
	    (exs_gate_scan(rq->data, rq->len) & EXS_GATE_SCRIPT))
		return 0;
	if (kinds & EXS_WANT(EXS_VERDICT_YARA))
		v->part[EXS_VERDICT_YARA].present = 1;
	if (kinds & EXS_WANT(EXS_VERDICT_HEURISTICS)) {
		struct exs_verdict_part *heur = &v->part[EXS_VERDICT_HEURISTICS];
		heur->present = 1;
		if (exs_heuristics_check(cfg->heuristics, rq->path, rq->path_len,
					 NULL, 0, &heur->hits,
					 &heur->count) != EXS_OK) {
			heur->status = EXS_NOMEM;
			snprintf(heur->detail, sizeof(heur->detail),
				 "out of memory in the heuristics");
		}
	}
	return 1;
}

int exs_judge_run(struct exs_judge *j, const struct exs_judge_request *rq,
		  struct exs_verdict *v, struct exs_error *err)
{
	memset(v, 0, sizeof(*v));
	if (!j->js->cfg.sandbox) {
		exs_engine_judge(&j->engine, rq, v);
		return EXS_OK;
	}
	if (answer_here(j, rq, v))
		return EXS_OK;
	return sandboxed_run(j, rq, v, err);
}

void exs_judge_free(struct exs_judge *j)
{
	if (!j)
		return;
	if (j->w)
		j->js->cfg.plat->worker_stop(j->w, NULL, 0);
	if (j->shm)
		j->js->cfg.plat->shared_free(j->shm);
	exs_scanner_free(j->engine.scanner);
	exs_buf_free(&j->msg);
	free(j->reply);
	free(j);
}
