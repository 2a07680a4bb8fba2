/* agents_config.h -- transport agents of Exchange's agents.config and
 * fetagents.config (TransportRoles\Shared), for the reader in iis_config.c.
 */
#ifndef EXS_AGENTS_CONFIG_H
#define EXS_AGENTS_CONFIG_H

#include <stdint.h>

#include "registration.h"

/* Whether an element is a transport agent registration. */
int exs_agents_config_is_agent(const char *name, const char **attrs);
/* Records one agent element (ctx is the reader's); a status. */
int exs_agents_config_agent(void *ctx, const char **attrs, uint64_t line);

/* The reader's entry allocator (iis_config.c): a zeroed registration of
 * kind at line, or NULL with *rc EXS_LIMIT (too many) or EXS_NOMEM. */
struct exs_registration *exs_reg_reader_new_entry(void *ctx, uint32_t kind,
						  uint64_t line, int *rc);

#endif
