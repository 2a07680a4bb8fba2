/* gate.h -- the cheap pre-pass that decides which judges a file's bytes get.
 *
 * Most of an Exchange server's web roots is images, fonts, style sheets and
 * client-side JavaScript, in which no server code can run: ASP and ASP.NET
 * execute only what stands in a <% %> block, a <script runat="server">
 * element or a directive, compiled server code (App_Code, code-behind)
 * names System.Web, and a web.config can only make .config files run by
 * naming them. exs_gate_scan looks for those markers at memchr speed, case-
 * insensitively, in the bytes as single-byte text (ASCII, UTF-8, legacy code
 * pages), as UTF-16 (LE and BE) and UTF-32 (LE and BE), and for UTF-7's
 * shifted '<'. The built-in rules' global rule ExSweep_Server_Code
 * (yara-rules/server_code.yar) asks for a subset of the same markers, so a
 * file the gate passes over is one on which no built-in rule can match:
 * skipping it changes no verdict (tests/fuzz/fuzz_gate.c checks exactly
 * that against the compiled rules).
 *
 * It also tells a PE image (MZ, and "PE\0\0" where e_lfanew points) apart,
 * for the judges that only PE images need.
 *
 * Pure C over bytes (SSE2 intrinsics where the compiler targets them): no
 * allocation, no OS calls, linear in the length.
 */
#ifndef EXS_GATE_H
#define EXS_GATE_H

#include <stddef.h>

#define EXS_GATE_SCRIPT 1u  /* server-code markers: script rules, analysis */
#define EXS_GATE_PE 2u      /* a PE image */

/* A file with no NUL byte in its first EXS_GATE_TEXT_HEAD bytes is text, in
 * which "<%" alone is a marker (ExSweep_Server_Code's 4 KiB loop). */
#define EXS_GATE_TEXT_HEAD 4096u

/* The EXS_GATE_* flags that hold for the n bytes at p (p may be NULL when
 * n is 0). */
unsigned exs_gate_scan(const unsigned char *p, size_t n);

/* 1 when the n bytes at p are a PE image as inspect/pe.c's reader first
 * tells one (EXS_PE_NOT_PE otherwise): at least 64 bytes, "MZ", and
 * "PE\0\0" where e_lfanew points, inside the bytes. Four bytes compared
 * at a bounded offset, so the privileged side may ask it: a file that is
 * no image need not travel to the worker for the Authenticode judge. */
int exs_gate_is_pe(const unsigned char *p, size_t n);

/* The same answer from the byte-at-a-time search alone, without the SIMD
 * filter: what platforms without SSE2 run, and what the tests and the fuzz
 * harness hold exs_gate_scan to. */
unsigned exs_gate_scan_scalar(const unsigned char *p, size_t n);

/* 1 when a file with this extension (".asp", any case, as YARA's
 * `extension` variable spells it) is judged whatever its bytes: a file that
 * ASP or ASP.NET can run as raw code without any marker of its own, because
 * another page names it (`<script runat="server" src="x.inc">`,
 * `<!-- #include -->`, a directive's CodeFile/Src, App_Code) or because the
 * server maps the extension to a script engine (.asp, .aspx, .cer, ...).
 * ExSweep_Server_Code opens for the same list. */
int exs_gate_server_extension(const char *extension);

/* The extensions exs_gate_server_extension knows, NULL-terminated, without
 * their dot (the tests compare them with server_code.yar's). */
extern const char *const exs_gate_server_extensions[];

/* The markers exs_gate_scan looks for, for the README and the tests: a
 * NULL-terminated list of short descriptions. */
extern const char *const exs_gate_markers[];

#endif
