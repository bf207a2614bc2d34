// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Countries by continent, as the GeoNames country table assigns them
 * (Russia counts as Europe; Turkey and the Caucasus as Asia). Used to tell a
 * resolver's regional pool from answers scattered over the world.
 */
#include <string.h>

#include "engine/continent.h"

static const struct {
	const char *continent;
	const char *countries; /* two-letter codes, blank separated */
} table[] = {
	{ "AF", "AO BF BI BJ BW CD CF CG CI CM CV DJ DZ EG EH ER ET GA GH GM GN GQ GW KE KM LR "
		"LS LY MA MG ML MR MU MW MZ NA NE NG RE RW SC SD SH SL SN SO SS ST SZ TD TG TN TZ "
		"UG YT ZA ZM ZW" },
	{ "AN", "AQ BV GS HM TF" },
	{ "AS", "AE AF AM AZ BD BH BN BT CC CN CX GE HK ID IL IN IO IQ IR JO JP KG KH KP KR KW "
		"KZ LA LB LK MM MN MO MV MY NP OM PH PK PS QA SA SG SY TH TJ TL TM TR TW UZ VN YE" },
	{ "EU", "AD AL AT AX BA BE BG BY CH CY CZ DE DK EE ES FI FO FR GB GG GI GR HR HU IE IM "
		"IS IT JE LI LT LU LV MC MD ME MK MT NL NO PL PT RO RS RU SE SI SJ SK SM UA VA "
		"XK" },
	{ "NA", "AG AI AW BB BL BM BQ BS BZ CA CR CU CW DM DO GD GL GP GT HN HT JM KN KY LC MF "
		"MQ MS MX NI PA PM PR SV SX TC TT US VC VG VI" },
	{ "OC", "AS AU CK FJ FM GU KI MH MP NC NF NR NU NZ PF PG PN PW SB TK TO TV UM VU WF WS" },
	{ "SA", "AR BO BR CL CO EC FK GF GY PE PY SR UY VE" },
};

/* Index of each code's continent in table[], plus one; built on first use. */
static unsigned char by_code[26][26];

static void build_index(void)
{
	size_t i;

	for (i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		const char *p;

		for (p = table[i].countries; p[0] && p[1]; p += p[2] ? 3 : 2)
			by_code[p[0] - 'A'][p[1] - 'A'] = (unsigned char)(i + 1);
	}
}

const char *fw_continent_of(const char *cc)
{
	static int built;
	unsigned char c;

	if (!cc || cc[0] < 'A' || cc[0] > 'Z' || cc[1] < 'A' || cc[1] > 'Z')
		return NULL;
	if (!built) {
		build_index();
		built = 1;
	}
	c = by_code[cc[0] - 'A'][cc[1] - 'A'];
	return c ? table[c - 1].continent : NULL;
}
