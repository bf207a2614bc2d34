/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The continent of an ISO 3166-1 alpha-2 country code. */
#ifndef FW_CONTINENT_H
#define FW_CONTINENT_H

/* "AF", "AN", "AS", "EU", "NA", "OC" or "SA"; NULL for an unknown code. */
const char *fw_continent_of(const char *cc);

#endif /* FW_CONTINENT_H */
