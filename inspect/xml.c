/* xml.c -- the expat wrapper (see xml.h): refusal of DOCTYPE and entities,
 * the depth, size and element caps, and line numbers for every element.
 */
#include "xml.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <expat.h>

#include "status.h"

struct xml_state {
	XML_Parser parser;
	exs_xml_start_fn start;
	void *ctx;
	unsigned depth;
	uint64_t elements;
	int status;                       /* why the parse was stopped */
	char why[160];
	uint64_t line;
	char stack[EXS_XML_MAX_DEPTH][EXS_XML_NAME_MAX];
};

static void stop(struct xml_state *st, int status, const char *why)
{
	if (st->status)
		return;
	st->status = status;
	st->line = (uint64_t)XML_GetCurrentLineNumber(st->parser);
	snprintf(st->why, sizeof(st->why), "%s", why);
	XML_StopParser(st->parser, XML_FALSE);
}

static void XMLCALL on_start(void *data, const XML_Char *name,
			     const XML_Char **attrs)
{
	struct xml_state *st = data;
	if (st->status)
		return;
	if (st->depth >= EXS_XML_MAX_DEPTH) {
		stop(st, EXS_LIMIT, "elements nested deeper than exsweep reads");
		return;
	}
	if (++st->elements > EXS_XML_MAX_ELEMENTS) {
		stop(st, EXS_LIMIT, "more elements than exsweep reads");
		return;
	}
	uint64_t line = (uint64_t)XML_GetCurrentLineNumber(st->parser);
	int rc = st->start(st->ctx, name, attrs, st->depth,
			   (const char (*)[EXS_XML_NAME_MAX])st->stack, line);
	if (rc) {
		stop(st, rc, rc == EXS_NOMEM ? "out of memory"
					     : "refused by the reader");
		return;
	}
	snprintf(st->stack[st->depth], EXS_XML_NAME_MAX, "%s", name);
	st->depth++;
}

static void XMLCALL on_end(void *data, const XML_Char *name)
{
	struct xml_state *st = data;
	(void)name;
	if (st->depth)
		st->depth--;
}

static void XMLCALL on_doctype(void *data, const XML_Char *name,
			       const XML_Char *sysid, const XML_Char *pubid,
			       int has_internal_subset)
{
	(void)name;
	(void)sysid;
	(void)pubid;
	(void)has_internal_subset;
	stop(data, EXS_INVAL, "a DOCTYPE declaration (refused: IIS and "
			      "Exchange never write one)");
}

static void XMLCALL on_entity(void *data, const XML_Char *name, int is_param,
			      const XML_Char *value, int value_length,
			      const XML_Char *base, const XML_Char *sysid,
			      const XML_Char *pubid, const XML_Char *notation)
{
	(void)name;
	(void)is_param;
	(void)value;
	(void)value_length;
	(void)base;
	(void)sysid;
	(void)pubid;
	(void)notation;
	stop(data, EXS_INVAL, "an entity declaration (refused)");
}

int exs_xml_parse(const unsigned char *data, size_t len, exs_xml_start_fn start,
		  void *ctx, struct exs_xml_error *error)
{
	memset(error, 0, sizeof(*error));
	if (len > EXS_XML_MAX_SIZE) {
		snprintf(error->message, sizeof(error->message),
			 "larger than %u bytes", EXS_XML_MAX_SIZE);
		return EXS_LIMIT;
	}
	static struct xml_state zero;
	struct xml_state *st = malloc(sizeof(*st));
	if (!st) {
		snprintf(error->message, sizeof(error->message), "out of memory");
		return EXS_NOMEM;
	}
	*st = zero;
	st->parser = XML_ParserCreate(NULL);
	if (!st->parser) {
		free(st);
		snprintf(error->message, sizeof(error->message), "out of memory");
		return EXS_NOMEM;
	}
	st->start = start;
	st->ctx = ctx;
	XML_SetUserData(st->parser, st);
	XML_SetElementHandler(st->parser, on_start, on_end);
	XML_SetStartDoctypeDeclHandler(st->parser, on_doctype);
	XML_SetEntityDeclHandler(st->parser, on_entity);
	XML_SetParamEntityParsing(st->parser, XML_PARAM_ENTITY_PARSING_NEVER);
	int rc = EXS_OK;
	/* XML_Parse takes an int length: feed large inputs in pieces. */
	size_t at = 0;
	do {
		size_t n = len - at < (1u << 24) ? len - at : (1u << 24);
		int last = at + n == len;
		if (XML_Parse(st->parser, (const char *)data + at, (int)n,
			      last) != XML_STATUS_OK) {
			if (st->status) {
				rc = st->status;
				error->line = st->line;
				snprintf(error->message, sizeof(error->message),
					 "%s", st->why);
			} else {
				rc = XML_GetErrorCode(st->parser) ==
						     XML_ERROR_NO_MEMORY
					     ? EXS_NOMEM
					     : EXS_INVAL;
				error->line = (uint64_t)XML_GetCurrentLineNumber(
					st->parser);
				snprintf(error->message, sizeof(error->message),
					 "not well-formed XML: %s",
					 XML_ErrorString(
						 XML_GetErrorCode(st->parser)));
			}
			break;
		}
		at += n;
	} while (at < len);
	XML_ParserFree(st->parser);
	free(st);
	return rc;
}

const char *exs_xml_attr(const char **attrs, const char *name)
{
	for (size_t i = 0; attrs && attrs[i]; i += 2)
		if (strcmp(attrs[i], name) == 0)
			return attrs[i + 1];
	return NULL;
}

const char *exs_xml_library_version(void)
{
	return XML_ExpatVersion();
}
