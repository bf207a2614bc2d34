// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * fluxwall: one command, a table of verbs (cli_verbs.c), options parsed in
 * one place (cli_parse.c) from one table (cli_options.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


#include "cli/cli.h"
#include "dataplane/prog_load.h"

/*
 * Settings come from the defaults, then the config file, then the
 * environment (FLUXWALL_PIN_PATH, FLUXWALL_STATE_DIR), then the flags.
 */
static int load_settings(struct fw_opts *o, struct fw_conf *conf)
{
	const char *path = o->config ? o->config : FW_CONF_PATH;
	char err[1024];

	if (fw_conf_init(conf) || fw_conf_load_file(conf, path, o->config != NULL, err, sizeof(err)) ||
	    fw_conf_apply_env(conf, err, sizeof(err))) {
		fw_err("%s", err);
		return -1;
	}
	o->conf = conf;
	if (!o->pin_path)
		o->pin_path = conf->pin_path;
	if (!o->state_dir)
		o->state_dir = conf->state_dir;
	if (!(o->given & OPT_CAPACITY))
		o->capacity = (uint32_t)conf->capacity;
	if (!(o->given & OPT_MODE))
		o->mode = !strcmp(conf->mode, "native") ? FW_MODE_NATIVE :
			  !strcmp(conf->mode, "skb")	  ? FW_MODE_SKB :
							    FW_MODE_AUTO;
	return 0;
}

int main(int argc, char **argv)
{
	struct fw_opts o = {};
	struct fw_conf conf;
	int first, ret;

	fw_prog_quiet_logs();
	ret = fw_cli_parse(&o, argc, argv, &first);
	if (ret)
		return ret > 0 ? 0 : 1;
	if (load_settings(&o, &conf))
		return 1;
	ret = fw_run_verb(&o, argc - first, argv + first);
	fw_conf_free(&conf);
	return ret;
}
