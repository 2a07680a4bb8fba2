/* agents_config.c -- transport agents (see agents_config.h).
 *
 * Exchange lists its transport agents in TransportRoles\Shared\agents.config
 * (the Transport service) and fetagents.config (Front End Transport) as
 *
 *   <agent name="Transport Rule Agent" baseType="...RoutingAgentFactory"
 *          classFactory="...TransportRuleAgentFactory"
 *          assemblyPath="C:\Program Files\...\TransportRoles\agents\...dll"
 *          enabled="true" />
 *
 * inside <mexRuntime><agentList> (or <mtaAgents>). An agent runs inside the
 * transport process with every message passing through it, which is what
 * LightNeuron used. Any element named agent that carries an assemblyPath is
 * taken, wherever it stands: a hostile file does not get to hide one by
 * nesting it elsewhere.
 */
#include <string.h>

#include "agents_config.h"
#include "status.h"
#include "xml.h"

int exs_agents_config_is_agent(const char *name, const char **attrs)
{
	return strcmp(name, "agent") == 0 &&
	       exs_xml_attr(attrs, "assemblyPath") != NULL;
}

int exs_agents_config_agent(void *ctx, const char **attrs, uint64_t line)
{
	int rc;
	struct exs_registration *r =
		exs_reg_reader_new_entry(ctx, EXS_REG_TRANSPORT_AGENT, line, &rc);
	if (!r)
		return rc;
	exs_reg_set(r, r->name, sizeof(r->name), exs_xml_attr(attrs, "name"));
	exs_reg_set(r, r->image, sizeof(r->image),
		    exs_xml_attr(attrs, "assemblyPath"));
	exs_reg_set(r, r->type, sizeof(r->type),
		    exs_xml_attr(attrs, "classFactory"));
	const char *base = exs_xml_attr(attrs, "baseType");
	const char *enabled = exs_xml_attr(attrs, "enabled");
	char extra[EXS_REG_LONG];
	size_t n = 0;
	extra[0] = '\0';
	if (base) {
		size_t b = strlen(base);
		if (b > sizeof(extra) - 32) {
			b = sizeof(extra) - 32;
			r->flags |= EXS_REG_TRUNCATED;
		}
		memcpy(extra, "baseType=", 9);
		memcpy(extra + 9, base, b);
		n = 9 + b;
		extra[n] = '\0';
	}
	if (enabled) {
		size_t e = strlen(enabled);
		if (e > 16) {
			e = 16;
			r->flags |= EXS_REG_TRUNCATED;
		}
		if (n)
			extra[n++] = ' ';
		memcpy(extra + n, "enabled=", 8);
		memcpy(extra + n + 8, enabled, e);
		extra[n + 8 + e] = '\0';
	}
	exs_reg_set(r, r->extra, sizeof(r->extra), extra);
	return EXS_OK;
}
