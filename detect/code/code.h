/* code.h -- reading the server code of a file: what request input reaches.
 *
 * A pure function from a file's bytes and name to a short list of findings:
 * no OS calls, no globals, no clock. The file is decoded (UTF-8, UTF-16
 * LE/BE with or without BOM), its server code extracted the way IIS runs it
 * (extract.c), tokenised per language family (lex.c: C#/JScript, VB.NET/
 * VBScript), normalised (normalise.c: literals folded, char codes, escapes,
 * reversals and base64/hex decoded, decoded code lexed again) and followed
 * from sources of request input to dangerous sinks (flow.c).
 *
 * Every stage is bounded (EXS_CODE_* limits below): a hostile file costs at
 * most a fixed amount of memory and work, and never more than one pass over
 * its bytes per stage plus a bounded number of flow passes.
 */
#ifndef EXS_CODE_H
#define EXS_CODE_H

#include <stddef.h>
#include <stdint.h>

#define EXS_CODE_TOKENS_MAX   (1u << 19)  /* tokens per file */
#define EXS_CODE_ARENA_MAX    (24u << 20) /* token text per file */
#define EXS_CODE_DECODE_DEPTH 3           /* decoded code inside decoded code */
#define EXS_CODE_DECODED_MAX  (2u << 20)  /* decoded bytes re-lexed per file */
#define EXS_CODE_WORK_MAX     (64u << 20) /* flow steps per file */
#define EXS_CODE_FINDINGS_MAX 8

enum exs_code_severity { EXS_CODE_SUSPICIOUS = 1, EXS_CODE_WEBSHELL = 2 };

struct exs_code_finding {
	enum exs_code_severity severity;
	char rule[48];           /* "code.request_to_process" */
	char explanation[256];   /* "Request.Form["c"] (line 4) -> Process.Start (line 9)" */
	char normalised[64];     /* the sink statement, de-obfuscated, when it was */
	uint32_t source_line, sink_line;   /* 1-based, in the original file */
	uint64_t source_offset, sink_offset; /* bytes, in the original file */
	int deobfuscated;
};

/* The normalised view of a file whose code needed de-obfuscation: the
 * tokens rendered as text, one rendered line per original line touched;
 * lines[k] and offsets[k] give rendered line k's line and byte offset in
 * the original file. NULL when nothing was de-obfuscated. */
struct exs_code_view {
	char *text;
	size_t len;
	uint32_t *lines;
	uint64_t *offsets;
	size_t line_count;
};

#define EXS_CODE_VIEW_MAX (4u << 20) /* bytes of normalised text */

struct exs_code_result {
	struct exs_code_finding findings[EXS_CODE_FINDINGS_MAX];
	unsigned count;
	unsigned segments;       /* server code segments found */
	int truncated;           /* a limit cut the analysis short */
	struct exs_code_view view; /* filled only when asked for */
};

/* Analyses data (len bytes) of the file called name (name_len bytes; only its
 * extension is used). Fills *out. Returns 0, or -1 when memory ran out (then
 * *out holds what was found before). */
int exs_code_analyse(const unsigned char *data, size_t len, const char *name,
		     size_t name_len, struct exs_code_result *out);

/* The same, and when de-obfuscation was needed also out->view (owned:
 * release with exs_code_result_free). */
int exs_code_analyse_view(const unsigned char *data, size_t len, const char *name,
			  size_t name_len, struct exs_code_result *out);
void exs_code_result_free(struct exs_code_result *out);

#endif
