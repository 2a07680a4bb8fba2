/* xml.h -- a small, distrustful front end to expat for the configuration
 * files exsweep reads (applicationHost.config, web.config, agents.config).
 *
 * Why a wrapper: every caller gets the same hostile-input rules without
 * repeating them. A document with a DOCTYPE (and so any entity declaration,
 * internal or external) is refused, since IIS and Exchange never write one
 * and it is the door to entity expansion and external fetches; expat itself
 * never opens a file or the network, and since 2.4 it also stops billion-laughs
 * amplification. Depth, input size and the number of elements are capped by
 * the named limits below. Elements reach the caller as a start callback with
 * the element's depth, its 1-based line and its attributes; the parser keeps
 * no tree, so memory stays proportional to the deepest element.
 */
#ifndef EXS_XML_H
#define EXS_XML_H

#include <stddef.h>
#include <stdint.h>

#define EXS_XML_MAX_DEPTH 64                 /* element nesting */
#define EXS_XML_MAX_SIZE (32u << 20)         /* bytes of input */
#define EXS_XML_MAX_ELEMENTS (1u << 20)      /* start tags in one document */
#define EXS_XML_NAME_MAX 128                 /* element names kept on the stack */

/* One element start. stack[0..depth-1] are the names of the enclosing
 * elements (outermost first), each cut to EXS_XML_NAME_MAX - 1 bytes; attrs
 * is expat's NULL-terminated name, value, name, value... array (UTF-8). A
 * nonzero return stops the parse with that status. */
typedef int (*exs_xml_start_fn)(void *ctx, const char *name,
				const char **attrs, unsigned depth,
				const char (*stack)[EXS_XML_NAME_MAX],
				uint64_t line);

struct exs_xml_error {
	uint64_t line;           /* where it went wrong, 0 if unknown */
	char message[160];
};

/* Parses data. EXS_OK, EXS_INVAL (not well-formed, or refused: the message
 * says which and error->line where), EXS_LIMIT (a cap above), EXS_NOMEM, or
 * whatever the callback returned. */
int exs_xml_parse(const unsigned char *data, size_t len, exs_xml_start_fn start,
		  void *ctx, struct exs_xml_error *error);

/* The value of attribute name in attrs, or NULL. */
const char *exs_xml_attr(const char **attrs, const char *name);

/* The expat version exsweep runs with ("expat_2.5.0"). */
const char *exs_xml_library_version(void);

#endif
