/* cmd_rules.c -- `exsweep rules`: compile the built-in and extra rules and
 * list them. Unlike check and scan, a broken extra rule file is an error
 * here (exit 17, "FILE:LINE: message"): this is the command an admin runs
 * to validate a rules folder before a scheduled run depends on it.
 */
#include <string.h>

#include "cli.h"

static int print_rule(void *ctx, const char *ns, const char *name,
		      const char *tags, const char *description)
{
	struct exs_cli *cli = ctx;
	exs_cli_print(cli, EXS_STDOUT, "%s:%s%s%s%s%s\n", ns, name,
		      tags[0] ? " [" : "", tags, tags[0] ? "]" : "",
		      "");
	if (description[0] && cli->verbose)
		exs_cli_print(cli, EXS_STDOUT, "    %s\n", description);
	return 0;
}

int exs_cmd_rules(struct exs_cli *cli)
{
	struct exs_error err;
	struct exs_strlist messages = { 0 };
	struct exs_rules *rules = NULL;
	exs_error_clear(&err);
	int rc = exs_cli_load_config(cli, &err);
	if (!rc)
		rc = exs_cli_load_rules(cli, 1, &messages, &rules, &err);
	/* Every message, errors of the failing file included. */
	for (size_t i = 0; i < messages.count; i++)
		exs_cli_print_text(cli, EXS_STDERR, "", messages.items[i]);
	int code;
	if (rc) {
		code = messages.count ? exs_cli_exit_for(rc) : exs_cli_fail(cli, &err);
	} else {
		if (!cli->quiet)
			exs_rules_each(rules, print_rule, cli);
		exs_cli_print(cli, EXS_STDERR,
			      "%u rules from %u built-in and %u extra files\n",
			      exs_rules_count(rules), exs_rules_builtin_files(rules),
			      exs_rules_extra_files(rules));
		code = EXS_EXIT_CLEAN;
	}
	exs_rules_free(rules);
	exs_strlist_free(&messages);
	return code;
}
