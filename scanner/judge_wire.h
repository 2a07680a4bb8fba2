/* judge_wire.h -- the messages between exsweep and its sandboxed scan worker.
 *
 * The worker (judge.h) is assumed compromised at all times: it parsed bytes
 * an attacker wrote. So every message it sends is decoded here as hostile
 * input: explicit little-endian fields, every length checked against what
 * is left, every count against a fixed cap, every string against the field
 * it lands in, every match offset and excerpt against the bytes the parent
 * itself read. Anything that does not fit is EXS_WORKER and the worker is
 * killed; nothing is truncated into shape.
 *
 * A message is a frame: u32 type, u32 payload length, payload. Types:
 *
 *   READY       worker -> parent  i32 status, str detail: the sandbox is up
 *                                 (or why it could not be set up)
 *   INIT        parent -> worker  u32 version, u32 flags (EXS_WIRE_INIT_*),
 *                                 u32 timeout_s,
 *                                 u8 separator, u32 max_request, bytes trust
 *                                 (the trust store's certificates, see
 *                                 inspect/authenticode.h), bytes rules
 *   INIT_DONE   worker -> parent  i32 status, str detail
 *   JUDGE       parent -> worker  u64 id, u32 want, str path, 5 x str vars,
 *                                 u32 where, then bytes data (INLINE) or
 *                                 u64 length (SHARED: the file's bytes are
 *                                 at the start of the shared buffer)
 *   VERDICT     worker -> parent  u64 id, u32 section count, sections
 *
 * A section is one judge's typed verdict: u32 kind (enum exs_verdict_kind),
 * i32 status, str detail, u32 hit count, hits; a CONFIG section then has
 * u32 registration count and per registration u32 kind, u32 flags, u64
 * line and str scope, name, path, image, type, extra. New judges (the code
 * analysis, the PE and config parsers) add a kind; the parent refuses kinds
 * it does not know and any kind it did not ask for.
 *
 * The SIGNATURE section (the Authenticode judge) carries no hits: after
 * its detail come u32 sig status, str signer, str digest, u32 timestamped,
 * u64 signed_at, u32 dotnet, str sig detail (struct exs_signature), each
 * checked: a known status, strings within their fields, flags 0 or 1.
 */
#ifndef EXS_JUDGE_WIRE_H
#define EXS_JUDGE_WIRE_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "finding.h"
#include "registration.h"
#include "signature.h"
#include "status.h"

#define EXS_WIRE_VERSION 2
#define EXS_WIRE_HEADER 8
/* The largest reply the parent accepts, and the most hits per section. */
#define EXS_WIRE_REPLY_MAX (8u << 20)
#define EXS_WIRE_HITS_MAX 1024
/* Requests carry the file plus this much for the path and variables. */
#define EXS_WIRE_REQUEST_EXTRA (256u << 10)

enum exs_wire_data { EXS_WIRE_DATA_INLINE = 0, EXS_WIRE_DATA_SHARED = 1 };

enum exs_wire_type {
	EXS_WIRE_READY = 1,
	EXS_WIRE_INIT = 2,
	EXS_WIRE_INIT_DONE = 3,
	EXS_WIRE_JUDGE = 4,
	EXS_WIRE_VERDICT = 5,
};

/* The judges a request can ask for; one section of the verdict each.
 * Append only. */
enum exs_verdict_kind {
	EXS_VERDICT_YARA = 1,        /* hits: webshell findings */
	EXS_VERDICT_HEURISTICS = 2,  /* hits: suspicious findings */
	EXS_VERDICT_CONFIG = 3,      /* no hits; registrations of an IIS or
					Exchange configuration file
					(inspect/registration.h) */
	EXS_VERDICT_SIGNATURE = 4,   /* no hits: the image's Authenticode
					signature (part.sig) */
	EXS_VERDICT_KIND_MAX = 4
};
#define EXS_WANT(kind) (1u << (kind))
/* Not kinds: bits of JUDGE's want saying what the sweep already knows of
 * these bytes under the same rules. RULES_CLEAN: the built-in rules (which
 * see only the bytes) match nothing. CODE_CLEAN: neither does the code
 * analysis (which also sees the name's extensions). Those judges then need
 * not run; the heuristics and the extra rules (which see the path) do. */
#define EXS_WANT_RULES_CLEAN (1u << 31)
#define EXS_WANT_CODE_CLEAN (1u << 30)
_Static_assert(EXS_VERDICT_KIND_MAX < 30, "verdict kinds reach the want flags");

/* INIT's flags: rules follow; the engine's gate bits (judge.h). */
#define EXS_WIRE_INIT_RULES 1u
#define EXS_WIRE_INIT_GATE_SHIFT 1

struct exs_verdict_part {
	int present;
	int status;                       /* EXS_OK or why this judge failed */
	char detail[EXS_ERROR_DETAIL_MAX];
	struct exs_hit *hits;             /* owned */
	size_t count;
	/* EXS_VERDICT_CONFIG: at most EXS_REG_MAX, every string NUL-terminated
	 * inside its field and free of control characters (owned) */
	struct exs_registration *regs;
	size_t reg_count;
	struct exs_signature sig;         /* EXS_VERDICT_SIGNATURE only */
};

struct exs_verdict {
	uint64_t id;
	struct exs_verdict_part part[EXS_VERDICT_KIND_MAX + 1];
};

void exs_verdict_free(struct exs_verdict *v);

/* The per-file values a request carries besides the bytes. */
struct exs_judge_vars {
	const char *filename, *filepath, *extension, *filetype, *owner;
};

/* ---- Frames ----------------------------------------------------------- */

/* Appends a frame header; the payload follows, and exs_wire_end patches
 * its length in. */
void exs_wire_begin(struct exs_buf *b, uint32_t type);
int exs_wire_end(struct exs_buf *b);
/* The same for a frame whose last extra bytes are sent separately (the
 * file's bytes, straight from the caller's buffer). */
int exs_wire_end_extra(struct exs_buf *b, size_t extra);
/* Type and payload length of a header; EXS_WORKER when the length is over
 * max or the type is not expected. */
int exs_wire_header(const unsigned char hdr[EXS_WIRE_HEADER], uint32_t expect,
		    uint32_t max, uint32_t *len);

void exs_wire_u8(struct exs_buf *b, unsigned v);
void exs_wire_u32(struct exs_buf *b, uint32_t v);
void exs_wire_u64(struct exs_buf *b, uint64_t v);
void exs_wire_bytes(struct exs_buf *b, const void *p, size_t n); /* u32 len */
void exs_wire_str(struct exs_buf *b, const char *s);
void exs_wire_hits(struct exs_buf *b, const struct exs_hit *h, size_t n);

/* A bounds-checked cursor over a received payload. Any read past the end,
 * or a string longer than its cap or holding a NUL, sets failed; reads
 * after that return zeros, so a decoder checks once at the end. */
struct exs_wire_reader {
	const unsigned char *p, *end;
	int failed;
};

void exs_wire_reader_init(struct exs_wire_reader *r, const void *p, size_t n);
unsigned exs_wire_get_u8(struct exs_wire_reader *r);
uint32_t exs_wire_get_u32(struct exs_wire_reader *r);
uint64_t exs_wire_get_u64(struct exs_wire_reader *r);
/* A length-prefixed byte run of at most max bytes, left in place. */
const unsigned char *exs_wire_get_bytes(struct exs_wire_reader *r, size_t max,
					size_t *n);
/* A string into dst (cap bytes, NUL-terminated); longer is a failure. */
void exs_wire_get_str(struct exs_wire_reader *r, char *dst, size_t cap);

/* ---- Messages ----------------------------------------------------------- */

/* READY and INIT_DONE: a status and its detail. */
void exs_wire_put_status(struct exs_buf *b, uint32_t type, int status,
			 const char *detail);
int exs_wire_get_status(const void *payload, size_t len, int *status,
			char *detail, size_t cap);

/* Decodes a VERDICT payload. want is the set of kinds asked for; data and
 * data_len are the bytes the parent sent, which every offset and excerpt
 * must fit and match. On success the caller owns *out (exs_verdict_free);
 * on failure *out is empty and err says what was wrong (EXS_WORKER). */
int exs_wire_decode_verdict(const void *payload, size_t len, uint64_t id,
			    unsigned want, const unsigned char *data,
			    size_t data_len, struct exs_verdict *out,
			    struct exs_error *err);
/* Encodes a VERDICT frame (the worker's side). */
int exs_wire_encode_verdict(struct exs_buf *b, const struct exs_verdict *v);

#endif
