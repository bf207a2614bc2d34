// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * gen_scenarios: labelled DNS response captures for `make eval`.
 *
 *   gen_scenarios [--geo-dir DIR] [--out DIR] [--seed N] [--hours H] [--scale F]
 *
 * For each scenario category it writes OUT/CATEGORY.pcap: the DNS responses
 * a resolver (192.0.2.53) sends to one client (198.51.100.7) over hours of
 * simulated time, Ethernet/IPv4/UDP; OUT/all.pcap, all of them merged in
 * time order as one resolver sends them; and OUT/labels.json mapping each
 * registered domain to {"label": "benign"|"malicious", "category": ...,
 * "file": "CATEGORY.pcap"}.
 *
 * Addresses come from real allocations: the @ip-location-db/asn ranges in
 * GEO_DIR/asn-ipv4.csv (scripts/fetch-geo.sh installs it) give the ranges of
 * each network, and GEO_DIR/country.mmdb tells where an address is, so a
 * "residential botnet" really is spread over consumer ISPs of many
 * countries and a "cloud load balancer" really stays inside one provider
 * and one region. docs/evaluation.md describes every scenario and the
 * assumptions behind it.
 *
 * The resolver is modelled, not just the authority: each query name has a
 * cache entry; a new answer set is fetched only when the entry expired, and
 * in between the cached set is re-sent with its TTL counting down (and its
 * order rotated, as resolvers do). Output is a function of the seed alone.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <pcap/pcap.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "engine/geo.h"
#include "pktbuild.h"
#include "engine/regdomain.h"
#include "test_rng.h"

#define RESOLVER_IP "192.0.2.53"
#define CLIENT_IP   "198.51.100.7"
#define EPOCH_START 1709251200.0 /* 2024-03-01 00:00:00 UTC */

#define TYPE_NS	   2
#define TYPE_CNAME 5

#define MAX_QNAMES  4
#define MAX_ANSWER  12
#define MAX_NS	    4
#define MAX_NS_SET  8
#define NAME_LEN    128
#define REG_LEN	    64 /* registered domains are short: no truncation */
#define MAX_BOTNETS 8

/* A guard against a runaway simulation filling the disk: the default
 * scenarios need at most about 15 MB per category file, and all.pcap, the
 * sum of them, about 85 MB. */
#define MAX_FILE_BYTES (1024 << 20)

/* ------------------------------------------------------------------ rng */
/* The generator itself is test_rng.h; these are the distributions only we use. */

static double rng_exp(struct rng *r, double mean)
{
	return -mean * log(1.0 - rng_unit(r));
}

/* Log-uniform in [lo, hi]: rates spread over orders of magnitude. */
static double rng_logu(struct rng *r, double lo, double hi)
{
	return lo * exp(rng_unit(r) * log(hi / lo));
}

/* ------------------------------------------------------------ networks */

struct asn_range {
	uint32_t first, last; /* host order, inclusive */
	uint32_t asn;
};

/* Every IPv4 range of the CSV, grouped by ASN (sorted by asn, then first);
 * cum[i] is the number of addresses in the ASN's ranges up to i, inclusive. */
struct asn_table {
	struct asn_range *r;
	uint64_t *cum;
	size_t n;
};

/* A network the scenarios draw from; its org name is read from the CSV. */
struct net {
	uint32_t asn;
	const char *cc;	    /* home country, used to build NTP zones */
	const char *region; /* continent: AF AS EU NA OC SA */
	size_t lo, hi;	    /* its ranges in the table; lo == hi: absent */
};

/* clang-format off */
#define NET(a, c, r) { .asn = (a), .cc = (c), .region = (r) }

/* Consumer ISPs: flux bots and home hosts live here. */
static struct net residential[] = {
	NET(7922, "US", "NA"), NET(7018, "US", "NA"), NET(701, "US", "NA"), NET(20115, "US", "NA"),
	NET(22773, "US", "NA"), NET(5650, "US", "NA"), NET(812, "CA", "NA"), NET(577, "CA", "NA"),
	NET(8151, "MX", "NA"), NET(3320, "DE", "EU"), NET(3209, "DE", "EU"), NET(6805, "DE", "EU"),
	NET(3215, "FR", "EU"), NET(12322, "FR", "EU"), NET(5410, "FR", "EU"), NET(3352, "ES", "EU"),
	NET(12479, "ES", "EU"), NET(3269, "IT", "EU"), NET(30722, "IT", "EU"), NET(2856, "GB", "EU"),
	NET(5089, "GB", "EU"), NET(5607, "GB", "EU"), NET(1136, "NL", "EU"), NET(33915, "NL", "EU"),
	NET(5432, "BE", "EU"), NET(8447, "AT", "EU"), NET(5617, "PL", "EU"), NET(12389, "RU", "EU"),
	NET(8359, "RU", "EU"), NET(3216, "RU", "EU"), NET(6849, "UA", "EU"), NET(8866, "BG", "EU"),
	NET(8708, "RO", "EU"), NET(5483, "HU", "EU"), NET(2119, "NO", "EU"), NET(3301, "SE", "EU"),
	NET(3292, "DK", "EU"), NET(5466, "IE", "EU"), NET(3243, "PT", "EU"), NET(6799, "GR", "EU"),
	NET(3303, "CH", "EU"), NET(9121, "TR", "AS"), NET(8452, "EG", "AF"), NET(37457, "ZA", "AF"),
	NET(36947, "DZ", "AF"), NET(6713, "MA", "AF"), NET(25019, "SA", "AS"), NET(5384, "AE", "AS"),
	NET(58224, "IR", "AS"), NET(4134, "CN", "AS"), NET(4837, "CN", "AS"), NET(9808, "CN", "AS"),
	NET(4766, "KR", "AS"), NET(9318, "KR", "AS"), NET(4713, "JP", "AS"), NET(2516, "JP", "AS"),
	NET(17676, "JP", "AS"), NET(3462, "TW", "AS"), NET(45899, "VN", "AS"), NET(7552, "VN", "AS"),
	NET(9829, "IN", "AS"), NET(45609, "IN", "AS"), NET(55836, "IN", "AS"), NET(24309, "IN", "AS"),
	NET(4788, "MY", "AS"), NET(9299, "PH", "AS"), NET(23969, "TH", "AS"), NET(17557, "PK", "AS"),
	NET(28573, "BR", "SA"), NET(18881, "BR", "SA"), NET(8167, "BR", "SA"), NET(7303, "AR", "SA"),
	NET(10620, "CO", "SA"), NET(6147, "PE", "SA"), NET(27651, "CL", "SA"), NET(1221, "AU", "OC"),
	NET(4804, "AU", "OC"), NET(7545, "AU", "OC"), NET(9500, "NZ", "OC"),
};

/* Hosting providers, research networks and a few ISPs: where static sites
 * and the volunteer servers of an NTP-like pool are. */
static struct net hosting[] = {
	NET(24940, "DE", "EU"), NET(51167, "DE", "EU"), NET(8560, "DE", "EU"), NET(197540, "DE", "EU"),
	NET(680, "DE", "EU"), NET(3320, "DE", "EU"), NET(16276, "FR", "EU"), NET(12876, "FR", "EU"),
	NET(2200, "FR", "EU"), NET(12322, "FR", "EU"), NET(60781, "NL", "EU"), NET(20857, "NL", "EU"),
	NET(49981, "NL", "EU"), NET(1103, "NL", "EU"), NET(786, "GB", "EU"), NET(44684, "GB", "EU"),
	NET(20712, "GB", "EU"), NET(2856, "GB", "EU"), NET(3303, "CH", "EU"), NET(3301, "SE", "EU"),
	NET(14061, "US", "NA"), NET(63949, "US", "NA"), NET(20473, "US", "NA"), NET(6939, "US", "NA"),
	NET(11537, "US", "NA"), NET(8100, "US", "NA"), NET(7922, "US", "NA"), NET(577, "CA", "NA"),
	NET(9370, "JP", "AS"), NET(7506, "JP", "AS"), NET(2497, "JP", "AS"), NET(2516, "JP", "AS"),
	NET(45102, "CN", "AS"), NET(132203, "CN", "AS"), NET(4766, "KR", "AS"), NET(3462, "TW", "AS"),
	NET(4637, "AU", "OC"), NET(7545, "AU", "OC"), NET(28573, "BR", "SA"),
};

static struct net cdn_nets[] = {
	NET(13335, "US", "NA"), /* Cloudflare */
	NET(20940, "NL", "EU"), /* Akamai International */
	NET(16625, "US", "NA"), /* Akamai Technologies */
	NET(54113, "US", "NA"), /* Fastly */
	NET(15133, "US", "NA"), /* Edgecast */
};

static struct net cloud_nets[] = {
	NET(16509, "US", "NA"), /* Amazon */
	NET(14618, "US", "NA"), /* Amazon AES (us-east-1) */
	NET(15169, "US", "NA"), /* Google */
	NET(396982, "US", "NA"), /* Google Cloud */
	NET(8075, "US", "NA"), /* Microsoft */
	NET(31898, "US", "NA"), /* Oracle */
};
/* clang-format on */

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static int range_cmp(const void *a, const void *b)
{
	const struct asn_range *x = a, *y = b;

	if (x->asn != y->asn)
		return x->asn < y->asn ? -1 : 1;
	return x->first < y->first ? -1 : x->first > y->first;
}

/* "first,last,asn,org..." -> range; 0 when the line is no IPv4 range. */
static int parse_range(char *line, struct asn_range *out)
{
	char *f[3];
	struct in_addr a, b;
	char *p = line;

	for (int i = 0; i < 3; i++) {
		f[i] = p;
		p = strchr(p, ',');
		if (!p)
			return 0;
		*p++ = '\0';
	}
	if (inet_pton(AF_INET, f[0], &a) != 1 || inet_pton(AF_INET, f[1], &b) != 1)
		return 0;
	out->first = ntohl(a.s_addr);
	out->last = ntohl(b.s_addr);
	out->asn = (uint32_t)strtoul(f[2], NULL, 10);
	return out->last >= out->first && out->asn != 0;
}

static int table_load(struct asn_table *t, const char *path)
{
	FILE *fp = fopen(path, "r");
	size_t cap = 1 << 19;
	char line[512];

	if (!fp) {
		fprintf(stderr, "gen_scenarios: %s: %s; run scripts/fetch-geo.sh first\n", path,
			strerror(errno));
		return -1;
	}
	t->n = 0;
	t->r = malloc(cap * sizeof(*t->r));
	while (t->r && fgets(line, sizeof(line), fp)) {
		if (t->n == cap)
			t->r = realloc(t->r, (cap *= 2) * sizeof(*t->r));
		if (t->r && parse_range(line, &t->r[t->n]))
			t->n++;
	}
	fclose(fp);
	if (!t->r || t->n == 0) {
		fprintf(stderr, "gen_scenarios: %s: no IPv4 ranges read\n", path);
		return -1;
	}
	qsort(t->r, t->n, sizeof(*t->r), range_cmp);
	t->cum = malloc(t->n * sizeof(*t->cum));
	if (!t->cum)
		return -1;
	for (size_t i = 0; i < t->n; i++) {
		uint64_t size = (uint64_t)t->r[i].last - t->r[i].first + 1;
		bool same = i > 0 && t->r[i - 1].asn == t->r[i].asn;

		t->cum[i] = (same ? t->cum[i - 1] : 0) + size;
	}
	return 0;
}

/* The ranges of asn: [*lo, *hi) in the table. */
static void table_find(const struct asn_table *t, uint32_t asn, size_t *lo, size_t *hi)
{
	size_t a = 0, b = t->n;

	while (a < b) {
		size_t m = a + (b - a) / 2;

		if (t->r[m].asn < asn)
			a = m + 1;
		else
			b = m;
	}
	*lo = a;
	while (b < t->n && t->r[b].asn == asn)
		b++;
	*hi = b < a ? a : b;
}

/* Keep the networks the data has; say which are missing. Returns how many. */
static size_t nets_resolve(const struct asn_table *t, struct net *nets, size_t n, const char *what)
{
	size_t kept = 0;

	for (size_t i = 0; i < n; i++) {
		table_find(t, nets[i].asn, &nets[i].lo, &nets[i].hi);
		if (nets[i].lo == nets[i].hi)
			fprintf(stderr,
				"gen_scenarios: note: %s AS%u not in the ASN data, skipped\n", what,
				nets[i].asn);
		else
			nets[kept++] = nets[i];
	}
	return kept;
}

static size_t n_residential, n_hosting, n_cdn, n_cloud;

/* A host address in net, uniform over its address space. Network and
 * broadcast-looking addresses (.0, .255) are avoided: servers and home
 * routers rarely have them. */
static uint32_t net_draw(const struct asn_table *t, const struct net *n, struct rng *r)
{
	uint64_t total = t->cum[n->hi - 1];

	for (;;) {
		uint64_t x = rng_below(r, total);
		size_t a = n->lo, b = n->hi - 1;

		while (a < b) {
			size_t m = a + (b - a) / 2;

			if (t->cum[m] <= x)
				a = m + 1;
			else
				b = m;
		}
		uint64_t before = a > n->lo ? t->cum[a - 1] : 0;
		uint32_t ip = t->r[a].first + (uint32_t)(x - before);

		if ((ip & 0xff) != 0 && (ip & 0xff) != 0xff)
			return ip;
	}
}

/* ----------------------------------------------------------------- geo */

static struct fw_geo *geo;

/* Country of ip from country.mmdb, "" when unknown or without the file. */
static const char *ip_country(uint32_t ip, char cc[3])
{
	struct fw_geo_info info;
	struct fw_ip a = {.family = AF_INET};
	uint32_t be = htonl(ip);

	memcpy(a.addr, &be, 4);
	cc[0] = '\0';
	if (geo && fw_geo_lookup(geo, &a, &info) == 0)
		memcpy(cc, info.country, 3);
	return cc;
}

/*
 * An address of net located in country cc: providers such as Amazon or OVH
 * announce ranges on every continent under one ASN, and a load balancer or a
 * CDN cluster serving one client sits in one region. Gives up after a few
 * tries (the country database may place ranges elsewhere) and returns the
 * last draw.
 */
static uint32_t net_draw_in(const struct asn_table *t, const struct net *n, const char *cc,
			    struct rng *r)
{
	char got[3];
	uint32_t ip = 0;

	for (int i = 0; i < 64; i++) {
		ip = net_draw(t, n, r);
		if (!cc || !*cc || !geo || strcmp(ip_country(ip, got), cc) == 0)
			break;
	}
	return ip;
}

/* ------------------------------------------------------------- answers */

struct answer {
	int n;
	uint32_t ip[MAX_ANSWER];
	uint32_t ttl;
	char cname[NAME_LEN]; /* "" when the answer is plain A records */
	int n_ns;
	char ns[MAX_NS][NAME_LEN];
	uint32_t glue[MAX_NS]; /* 0: no glue for that name */
	uint32_t ns_ttl;
};

/* The resolver's cache entry for one name. */
struct cache {
	struct answer a;
	double fetched;
	bool valid;
	int rot;
};

static bool answer_has(const struct answer *a, uint32_t ip)
{
	for (int i = 0; i < a->n; i++)
		if (a->ip[i] == ip)
			return true;
	return false;
}

/* ------------------------------------------------------------- domains */

enum category {
	C_STATIC,
	C_RR,
	C_CDN,
	C_CLOUD,
	C_NTP,
	C_DDNS,
	C_FLUX,
	C_DFLUX,
	C_SLOW,
	C_CACHED,
	C_FLUXNET,
	C_SPAM,
	C_SPAM_STATIC,
	C_TTL0,
	C_CDNCUST,
	C_SHARED,
	C_DNSHOST,
	C_ANYCAST,
	C_CDNTTL0,
	C_MAX,
};

/* A set of bots: residential addresses, each online for a while. */
struct botnet {
	int n;
	uint32_t *ip;
	uint32_t *asn;	  /* of each bot's ISP */
	double *on, *off; /* simulated seconds */
};

struct domain {
	enum category cat;
	char reg[REG_LEN]; /* registered domain: the label key */
	int nq;
	char qname[MAX_QNAMES][NAME_LEN];
	double qmean[MAX_QNAMES]; /* mean seconds between queries */
	struct rng rng;
	double start;
	uint32_t ttl;

	/* Servers, nodes or edge hosts the authority answers from. */
	int npool;
	uint32_t *pool;
	int k_lo, k_hi;	  /* addresses per answer */
	int active;	  /* cloud: nodes in service; slow flux: the set */
	double change_at; /* dynamic DNS: next address change */
	double change_mean;
	const struct net *net;
	char cc[3];
	int cluster; /* CDN: the cluster last mapped to */
	int clusters;
	int cluster_size;
	char edge[NAME_LEN]; /* CDN: CNAME target, "" for none */
	struct botnet *bots;

	/* Names answered through a CNAME to alias, whose records the
	 * resolver caches once, in target, for every name leading there. */
	char alias[NAME_LEN];
	uint32_t alias_ttl; /* of the CNAME record */
	struct cache *target;
	bool own_target;  /* target is the domain's, freed with it */
	bool random_host; /* every lookup is of a new random host name */

	/* The operator it shares with other domains (a flux network, a CDN,
	 * a hosting server), NULL for none; gi: its place among them. */
	struct group *grp;
	int gi;

	int max_queries, queries; /* lookups at most (0: no limit), so far */
	double gap_lo, gap_hi;	  /* gaps between lookups uniform in these */

	/* Networks it draws fresh addresses from: the first n_home on its
	 * home continent; and the last few drawn from. */
	const struct net **isp;
	int n_isp, n_home;
	const struct net *recent[4];
	int n_recent;

	/* Authority section: NS names, with glue that is fixed (benign) or
	 * drawn from the bots each time (double flux). */
	int n_nsset;
	char nsset[MAX_NS_SET][NAME_LEN];
	uint32_t nsglue[MAX_NS_SET];
	int ns_per_answer;

	struct answer last;
};

/* Registered domains drawn so far: each must be distinct. */
struct seen {
	char (*name)[NAME_LEN];
	size_t n, cap;
};

/*
 * Several registered domains served by one operator: a flux network's bots
 * and name servers, a CDN's edge pool, a shared hosting server, a DNS
 * host. auth is that operator as one authority (its pool, cluster, bots,
 * NS set, TTL and random stream), so a group draws from a stream of its
 * own and its domains from theirs.
 */
#define MAX_EDGES 3

struct group {
	struct domain auth;
	int first, n;		/* its domains: [first, first + n) of the category */
	char nsdomain[REG_LEN]; /* a flux network's own domain for its NS hosts */
	bool ns_flux;		/* NS glue drawn from the bots on every fetch */
	bool ns_member;		/* nsdomain is looked up too, as the group's first */
	double start, span;	/* spam: the campaign, seconds */
	struct botnet bots;	/* the network's own bots, if it has its own */
	int n_edges;
	char edge[MAX_EDGES][NAME_LEN]; /* CDN: edge names customers CNAME to */
	struct cache edge_cache[MAX_EDGES];
};

/* Streams of the groups: apart from every domain's (cat << 32 | ...). */
#define GROUP_STREAM (1ULL << 62)

struct category_desc {
	const char *name;
	bool malicious;
	int count;	   /* at scale 1 */
	double q_lo, q_hi; /* mean query interval per name, seconds */
	double start_frac; /* domains start in [0, start_frac * hours) */
	void (*init)(struct domain *d);
	void (*fetch)(struct domain *d, double now, struct answer *a);
	/* Domains in groups of grp_lo to grp_hi, made by init_group. */
	int grp_lo, grp_hi;
	void (*init_group)(struct group *g, int idx, struct seen *seen);
};

/* Registered domains must be distinct: each is one labelled sample. */
static bool seen_add(struct seen *s, const char *name)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->name[i], name) == 0)
			return false;
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 1024;
		s->name = realloc(s->name, s->cap * sizeof(*s->name));
		if (!s->name) {
			fprintf(stderr, "gen_scenarios: out of memory\n");
			exit(1);
		}
	}
	snprintf(s->name[s->n++], NAME_LEN, "%s", name);
	return true;
}

static struct asn_table table;
static struct botnet botnets[MAX_BOTNETS];
static int n_botnets;
static struct botnet slow_botnets[2];
static double sim_seconds;

static const char *const words[] = {
    "alpine", "amber",	"atlas",   "birch",  "blue",  "cedar",	 "coral", "delta",  "ember",
    "falcon", "fern",	"granite", "harbor", "iris",  "juniper", "kelp",  "lark",   "linden",
    "maple",  "meadow", "nova",	   "oak",    "onyx",  "orbit",	 "pine",  "quartz", "raven",
    "river",  "sage",	"slate",   "summit", "tidal", "umber",	 "vale",  "willow", "zephyr",
};

static const char *const nouns_static[] = {"bakery", "studio", "books", "garden",
					   "travel", "clinic", "law",	"photo"};
static const char *const nouns_rr[] = {"shop", "store", "news", "forum", "mail", "portal"};
static const char *const nouns_cdn[] = {"media", "video", "games", "stream", "images"};
static const char *const nouns_cloud[] = {"api", "app", "saas", "pay", "auth"};
static const char *const nouns_shop[] = {"outlet", "market", "boutique", "deals", "wear", "goods"};
static const char *const nouns_site[] = {"blog",  "club", "school", "cafe",
					 "salon", "farm", "hotel"};
static const char *const nouns_firm[] = {"consulting", "design", "events", "labs", "repair"};
static const char *const nouns_docs[] = {"docs", "wiki", "status", "dev", "help"};
static const char *const nouns_live[] = {"live", "tv", "cast", "radio", "clips"};

static const char *const benign_tlds[] = {"com", "com", "com",	  "org", "net", "de",	  "co.uk",
					  "fr",	 "nl",	"com.au", "io",	 "jp",	"com.br", "it"};
static const char *const flux_tlds[] = {"top",	"xyz",	"ru", "su", "info", "biz", "online",
					"site", "club", "pw", "cc", "ws",   "cn",  "com"};
static const char *const ddns_suffixes[] = {"duckdns.org", "ddns.net", "dynu.net", "dyndns.org",
					    "no-ip.org"};
/* Shared edge zones a CDN points its customers' names at; like the real
 * ones, each is one registered domain for all customers. */
static const char *const edge_zones[] = {"edgekey-like.net", "cdn-edge-like.net",
					 "fastly-like.net"};

#define PICK(r, arr) ((arr)[rng_below((r), ARRAY_SIZE(arr))])

static const struct net *pick_net(struct rng *r, const struct net *nets, size_t n)
{
	return &nets[rng_below(r, n)];
}

/* Distinct addresses: a few hundred per domain at most, so a linear check
 * is cheap. */
static bool pool_has(const uint32_t *pool, int n, uint32_t ip)
{
	for (int i = 0; i < n; i++)
		if (pool[i] == ip)
			return true;
	return false;
}

static void pool_alloc(struct domain *d, int n)
{
	d->pool = calloc((size_t)n, sizeof(*d->pool));
	if (!d->pool) {
		fprintf(stderr, "gen_scenarios: out of memory\n");
		exit(1);
	}
	d->npool = n;
}

/* k distinct addresses out of pool. */
static void answer_from(struct rng *r, const uint32_t *pool, int npool, int k, struct answer *a)
{
	a->n = 0;
	if (k > npool)
		k = npool;
	while (a->n < k) {
		uint32_t ip = pool[rng_below(r, (uint64_t)npool)];

		if (!answer_has(a, ip))
			a->ip[a->n++] = ip;
	}
}

/* k distinct addresses out of the domain's pool. */
static void answer_from_pool(struct domain *d, int k, struct answer *a)
{
	answer_from(&d->rng, d->pool, d->npool, k, a);
}

/*
 * n NS names ns1..nsN.zone, all in every answer, with stable addresses in
 * net: the same provider has the same servers, so each address is seeded
 * by (salt, base + K) only.
 */
static void ns_fixed(struct domain *d, const char *zone, int n, const struct net *net,
		     uint64_t salt, uint64_t base)
{
	d->n_nsset = n;
	d->ns_per_answer = n;
	for (int i = 0; i < n; i++) {
		struct rng hr;

		snprintf(d->nsset[i], NAME_LEN, "ns%d.%s", i + 1, zone);
		rng_seed(&hr, salt, base + (uint64_t)i);
		d->nsglue[i] = net_draw(&table, net, &hr);
	}
}

/* NS names at a DNS host, with their (stable) addresses: what a resolver
 * puts in the authority and additional sections for most zones. */
static void ns_hosted(struct domain *d)
{
	int host = (int)rng_range(&d->rng, 1, 40);
	const struct net *n = pick_net(&d->rng, hosting, n_hosting);
	char zone[REG_LEN];

	snprintf(zone, sizeof(zone), "dnshost-like-%d.net", host);
	ns_fixed(d, zone, 2, n, 0x6e73, (uint64_t)host * 2);
}

static void add_ns(struct domain *d, struct answer *a, const uint32_t *glue)
{
	int start = d->n_nsset ? (int)rng_below(&d->rng, (uint64_t)d->n_nsset) : 0;

	a->n_ns = 0;
	a->ns_ttl = a->ttl;
	for (int i = 0; i < d->ns_per_answer && i < d->n_nsset && i < MAX_NS; i++) {
		int j = d->n_nsset == d->ns_per_answer ? i : (start + i) % d->n_nsset;

		snprintf(a->ns[i], NAME_LEN, "%s", d->nsset[j]);
		a->glue[i] = glue ? glue[i] : d->nsglue[j];
		a->n_ns++;
	}
}

static void name_benign(struct domain *d, const char *const *nouns, size_t nn, int idx)
{
	snprintf(d->reg, REG_LEN, "%s-%s-%d.%s", PICK(&d->rng, words),
		 nouns[rng_below(&d->rng, nn)], idx, PICK(&d->rng, benign_tlds));
}

static void qnames_www(struct domain *d, double q_lo, double q_hi)
{
	d->nq = 1 + (int)rng_below(&d->rng, 2);
	snprintf(d->qname[0], NAME_LEN, "www.%s", d->reg);
	snprintf(d->qname[1], NAME_LEN, "%s", d->reg);
	for (int i = 0; i < d->nq; i++)
		d->qmean[i] = rng_logu(&d->rng, q_lo, q_hi);
}

/* ---- benign: a static site ---- */

static void init_static(struct domain *d)
{
	static const uint32_t ttls[] = {300, 3600, 3600, 14400, 86400};
	const struct net *n = pick_net(&d->rng, hosting, n_hosting);

	pool_alloc(d, 1 + (int)rng_below(&d->rng, 2));
	for (int i = 0; i < d->npool; i++)
		d->pool[i] = net_draw(&table, n, &d->rng);
	d->ttl = PICK(&d->rng, ttls);
	if (rng_below(&d->rng, 2))
		ns_hosted(d);
}

static void fetch_all(struct domain *d, double now, struct answer *a)
{
	answer_from_pool(d, d->npool, a);
	a->ttl = d->ttl;
	add_ns(d, a, NULL);
}

/* ---- benign: round robin inside one /24 ---- */

static void init_rr(struct domain *d)
{
	static const uint32_t ttls[] = {60, 300, 600, 3600};
	const struct net *n = pick_net(&d->rng, hosting, n_hosting);
	uint32_t base = net_draw(&table, n, &d->rng) & 0xffffff00u;
	int k = (int)rng_range(&d->rng, 4, 8);

	pool_alloc(d, k);
	for (int i = 0; i < k;) {
		uint32_t ip = base | rng_range(&d->rng, 1, 254);

		if (!pool_has(d->pool, i, ip))
			d->pool[i++] = ip;
	}
	d->ttl = PICK(&d->rng, ttls);
	if (rng_below(&d->rng, 2))
		ns_hosted(d);
}

/* ---- benign: CDN ---- */

/*
 * Edge clusters near the client: a few /24s in one country, each with a few
 * dozen edge hosts, from one to three CDN networks. The CDN maps the client
 * to a cluster and usually keeps it there, answering a couple of hosts of
 * that cluster; now and then (load, maintenance) it maps it elsewhere.
 */
static void cdn_clusters(struct domain *d, int nets, int first_net)
{
	char cc[3];

	pool_alloc(d, d->clusters * d->cluster_size);
	d->cc[0] = '\0';
	for (int c = 0; c < d->clusters; c++) {
		/* Clusters go round the domain's networks: 1-3 ASNs in all. */
		const struct net *n = &cdn_nets[(size_t)(first_net + c % nets) % n_cdn];
		uint32_t base = net_draw_in(&table, n, d->cc, &d->rng) & 0xffffff00u;

		if (!d->cc[0])
			snprintf(d->cc, sizeof(d->cc), "%s", ip_country(base | 1, cc));
		for (int i = 0; i < d->cluster_size;) {
			uint32_t ip = base | rng_range(&d->rng, 1, 254);

			if (!pool_has(d->pool + c * d->cluster_size, i, ip))
				d->pool[c * d->cluster_size + i++] = ip;
		}
	}
}

static void init_cdn(struct domain *d)
{
	static const uint32_t ttls[] = {20, 30, 60, 120, 300};
	int nets = (int)rng_range(&d->rng, 1, 3);
	int first_net = (int)rng_below(&d->rng, n_cdn);

	d->clusters = (int)rng_range(&d->rng, 2, 6);
	d->cluster_size = (int)rng_range(&d->rng, 8, 32);
	cdn_clusters(d, nets, first_net);
	d->k_lo = 2;
	d->k_hi = 4;
	d->ttl = PICK(&d->rng, ttls);
	if (rng_below(&d->rng, 2))
		snprintf(d->edge, NAME_LEN, "e%u.a.%s", rng_range(&d->rng, 1000, 99999),
			 PICK(&d->rng, edge_zones));
}

/* k hosts of the cluster cdn maps the client to; remapped on 20% of the
 * fetches. */
static void cdn_answer(struct domain *cdn, struct rng *r, int k, struct answer *a)
{
	if (rng_unit(r) < 0.2)
		cdn->cluster = (int)rng_below(r, (uint64_t)cdn->clusters);
	answer_from(r, cdn->pool + cdn->cluster * cdn->cluster_size, cdn->cluster_size, k, a);
}

static void fetch_cdn(struct domain *d, double now, struct answer *a)
{
	int k = (int)rng_range(&d->rng, (uint32_t)d->k_lo, (uint32_t)d->k_hi);

	cdn_answer(d, &d->rng, k, a);
	a->ttl = d->ttl;
	snprintf(a->cname, NAME_LEN, "%s", d->edge);
}

/* ---- benign: cloud load balancer ---- */

/*
 * A managed load balancer: 8-20 nodes in one provider region (one ASN, one
 * country, addresses from many of its /16s). Nodes are replaced as the
 * balancer scales, about one every 20 minutes; DNS answers 2-4 of the
 * nodes in service, TTL 60.
 */
static void init_cloud(struct domain *d)
{
	char cc[3];

	d->net = pick_net(&d->rng, cloud_nets, n_cloud);
	d->active = (int)rng_range(&d->rng, 8, 20);
	pool_alloc(d, d->active);
	d->pool[0] = net_draw(&table, d->net, &d->rng);
	snprintf(d->cc, sizeof(d->cc), "%s", ip_country(d->pool[0], cc));
	for (int i = 1; i < d->active; i++)
		d->pool[i] = net_draw_in(&table, d->net, d->cc, &d->rng);
	d->ttl = 60;
	d->change_mean = 1200;
	d->change_at = d->start + rng_exp(&d->rng, d->change_mean);
}

static void fetch_cloud(struct domain *d, double now, struct answer *a)
{
	while (now >= d->change_at) {
		int i = (int)rng_below(&d->rng, (uint64_t)d->active);

		d->pool[i] = net_draw_in(&table, d->net, d->cc, &d->rng);
		d->change_at += rng_exp(&d->rng, d->change_mean);
	}
	answer_from_pool(d, (int)rng_range(&d->rng, 2, 4), a);
	a->ttl = d->ttl;
}

/* ---- benign: NTP-like pool ---- */

enum { ZONE_COUNTRY, ZONE_CONTINENT, ZONE_GLOBAL };

static bool in_zone(const struct net *n, int zone, const char *key)
{
	if (zone == ZONE_COUNTRY)
		return strcmp(n->cc, key) == 0;
	if (zone == ZONE_CONTINENT)
		return strcmp(n->region, key) == 0;
	return true;
}

/*
 * Volunteer time servers: a stable pool of a few hundred long-lived hosts,
 * mostly at hosting providers and universities, some at home. GeoDNS
 * answers from the client's country zone, or its continent, or (the
 * hardest case) the global pool; each answer is 4 servers drawn from that
 * zone, TTL 150. Servers stay in the pool for months, so over hours the
 * same addresses keep coming back.
 */
/* Countries per continent zone, as two-letter codes separated by blanks. */
static const char zone_eu[] = "AD AL AT BA BE BG BY CH CY CZ DE DK EE ES FI FR GB GR HR HU IE IS "
			      "IT LI LT LU LV MC MD ME MK MT NL NO PL PT RO RS RU SE SI SK UA";
static const char zone_na[] = "US CA MX GT HN SV NI CR PA CU DO JM PR BS TT";
static const char zone_as[] = "CN JP KR TW HK SG MY TH VN PH ID IN PK BD LK NP MN KZ UZ AE SA IL "
			      "TR IR IQ QA KW BH OM JO LB";

static const char *continent_list(const char *key)
{
	return strcmp(key, "EU") == 0 ? zone_eu : strcmp(key, "NA") == 0 ? zone_na : zone_as;
}

static bool cc_in_list(const char *cc, const char *list)
{
	for (const char *p = list; p[0] && p[1]; p += 3)
		if (p[0] == cc[0] && p[1] == cc[1])
			return true;
	return false;
}

static bool cc_in_zone(const char *cc, int zone, const char *key)
{
	if (zone == ZONE_GLOBAL)
		return true;
	if (!cc[0])
		return false;
	if (zone == ZONE_COUNTRY)
		return strcmp(cc, key) == 0;
	return cc_in_list(cc, continent_list(key));
}

/*
 * One volunteer server of the zone. Half run at the big hosting providers
 * (the curated list); the other half anywhere: a random announced range of
 * the whole table (so many small networks: universities, small hosters,
 * home connections), kept when the country database puts it in the zone.
 */
static uint32_t ntp_server(struct domain *d, int zone, const char *key, const struct net **zn,
			   size_t nz)
{
	char cc[3];

	if (rng_below(&d->rng, 2) == 0) {
		const struct net *n = zn[rng_below(&d->rng, nz)];

		return zone == ZONE_COUNTRY ? net_draw_in(&table, n, n->cc, &d->rng)
					    : net_draw(&table, n, &d->rng);
	}
	for (int tries = 0; tries < 10000; tries++) {
		const struct asn_range *r = &table.r[rng_below(&d->rng, table.n)];
		uint32_t ip =
		    r->first + (uint32_t)rng_below(&d->rng, (uint64_t)r->last - r->first + 1);

		if ((ip & 0xff) == 0 || (ip & 0xff) == 0xff)
			continue;
		if (!geo || cc_in_zone(ip_country(ip, cc), zone, key))
			return ip;
	}
	return net_draw(&table, zn[0], &d->rng);
}

static void ntp_names(struct domain *d, int zone, const char *key)
{
	/* NTP daemons ask for all four pool names, so their rates are alike. */
	double q = d->qmean[0];
	const char *label = zone == ZONE_COUNTRY     ? (strcmp(key, "GB") == 0 ? "uk" : key)
			    : strcmp(key, "EU") == 0 ? "europe"
			    : strcmp(key, "NA") == 0 ? "north-america"
						     : "asia";

	d->nq = 4;
	for (int i = 0; i < 4; i++) {
		d->qmean[i] = q * (0.5 + rng_unit(&d->rng));
		if (zone == ZONE_GLOBAL)
			snprintf(d->qname[i], NAME_LEN, "%d.pool.%s", i, d->reg);
		else
			snprintf(d->qname[i], NAME_LEN, "%d.%s.pool.%s", i, label, d->reg);
		/* Lower case: names are canonical in the captures too. */
		for (char *p = d->qname[i]; *p; p++)
			if (*p >= 'A' && *p <= 'Z')
				*p = (char)(*p - 'A' + 'a');
	}
}

/*
 * Volunteer time servers: a stable pool of a few hundred long-lived hosts
 * in many networks. GeoDNS answers from the client's country zone, or its
 * continent, or (the hardest case) the global pool; each answer is 4
 * servers drawn from that zone, TTL 150. Servers stay in the pool for
 * months, so over hours the same addresses keep coming back.
 */
static void init_ntp(struct domain *d)
{
	static const char *const countries[] = {"DE", "US", "FR", "NL", "GB", "JP"};
	static const char *const continents[] = {"EU", "NA", "AS"};
	uint32_t roll = rng_range(&d->rng, 1, 10);
	int zone = roll <= 4 ? ZONE_COUNTRY : roll <= 8 ? ZONE_CONTINENT : ZONE_GLOBAL;
	const char *key = zone == ZONE_COUNTRY	   ? PICK(&d->rng, countries)
			  : zone == ZONE_CONTINENT ? PICK(&d->rng, continents)
						   : "";
	const struct net *zn[ARRAY_SIZE(hosting)];
	int names_zone = zone;
	size_t nz = 0;

	/*
	 * The global names are answered by the pool's GeoDNS from the zone of
	 * the client's continent (the client of these captures is in Europe),
	 * as pool.ntp.org does; only the names stay global.
	 */
	if (zone == ZONE_GLOBAL) {
		zone = ZONE_CONTINENT;
		key = "EU";
	}
	for (size_t i = 0; i < n_hosting; i++)
		if (in_zone(&hosting[i], zone, key))
			zn[nz++] = &hosting[i];
	if (nz == 0) {
		zn[nz++] = &hosting[0];
		key = hosting[0].cc;
	}
	pool_alloc(d, (int)rng_range(&d->rng, zone == ZONE_COUNTRY ? 60 : 200,
				     zone == ZONE_COUNTRY ? 300 : 800));
	for (int i = 0; i < d->npool;) {
		uint32_t ip = ntp_server(d, zone, key, zn, nz);

		if (!pool_has(d->pool, i, ip))
			d->pool[i++] = ip;
	}
	d->ttl = 150;
	snprintf(d->cc, sizeof(d->cc), "%s", key);
	ntp_names(d, names_zone, key);
}

static void fetch_ntp(struct domain *d, double now, struct answer *a)
{
	answer_from_pool(d, 4, a);
	a->ttl = d->ttl;
}

/* ---- benign: dynamic DNS for a home host ---- */

/*
 * One home router's address, TTL 60. ISPs renumber customers every few
 * hours to a day (forced reconnects, DHCP lease changes); the new address
 * is in the same ISP.
 */
static void init_ddns(struct domain *d)
{
	d->net = pick_net(&d->rng, residential, n_residential);
	pool_alloc(d, 1);
	d->pool[0] = net_draw(&table, d->net, &d->rng);
	d->ttl = 60;
	d->change_mean = rng_range(&d->rng, 2, 12) * 3600.0;
	d->change_at = d->start + rng_exp(&d->rng, d->change_mean);
}

static void fetch_ddns(struct domain *d, double now, struct answer *a)
{
	while (now >= d->change_at) {
		d->pool[0] = net_draw(&table, d->net, &d->rng);
		d->change_at += rng_exp(&d->rng, d->change_mean);
	}
	a->n = 1;
	a->ip[0] = d->pool[0];
	a->ttl = d->ttl;
}

/* ---- malicious: botnets ---- */

/*
 * A botnet: compromised home machines in 15-60 consumer ISPs of many
 * countries. A bot is reachable only part of the time (machines are
 * switched off, renumbered, cleaned), so the flux agent answers with bots
 * that are online now.
 */
/*
 * nbots bots in the nisp networks isp, each online from a random time for
 * an exponentially distributed while (mean mean_online seconds), or always
 * when mean_online is 0.
 */
static void botnet_fill(struct botnet *b, struct rng *r, const struct net *const *isp, int nisp,
			int nbots, double mean_online)
{
	b->n = nbots;
	b->ip = calloc((size_t)nbots, sizeof(*b->ip));
	b->asn = calloc((size_t)nbots, sizeof(*b->asn));
	b->on = calloc((size_t)nbots, sizeof(*b->on));
	b->off = calloc((size_t)nbots, sizeof(*b->off));
	if (!b->ip || !b->asn || !b->on || !b->off) {
		fprintf(stderr, "gen_scenarios: out of memory\n");
		exit(1);
	}
	for (int i = 0; i < nbots; i++) {
		const struct net *n = isp[rng_below(r, (uint64_t)nisp)];

		b->ip[i] = net_draw(&table, n, r);
		b->asn[i] = n->asn;
		if (mean_online > 0) {
			b->on[i] = (rng_unit(r) * 1.5 - 0.5) * sim_seconds;
			b->off[i] = b->on[i] + rng_exp(r, mean_online);
		} else {
			b->on[i] = -INFINITY;
			b->off[i] = INFINITY;
		}
	}
}

static void botnet_make(struct botnet *b, struct rng *r, int nbots, double mean_online)
{
	int nisp = (int)rng_range(r, 15, n_residential < 60 ? (uint32_t)n_residential : 60);
	const struct net *isp[ARRAY_SIZE(residential)];

	for (int i = 0; i < nisp; i++)
		isp[i] = pick_net(r, residential, n_residential);
	botnet_fill(b, r, isp, nisp, nbots, mean_online);
}

static void botnet_free(struct botnet *b)
{
	free(b->ip);
	free(b->asn);
	free(b->on);
	free(b->off);
	memset(b, 0, sizeof(*b));
}

static bool asn_in(const uint32_t *asns, int n, uint32_t asn)
{
	for (int i = 0; i < n; i++)
		if (asns[i] == asn)
			return true;
	return false;
}

/* The index of a bot online at now, not yet in a and in none of the n_avoid
 * networks avoid; -1 when 256 tries find none. */
static int bot_find(const struct botnet *b, struct rng *r, double now, const struct answer *a,
		    const uint32_t *avoid, int n_avoid)
{
	for (int tries = 0; tries < 256; tries++) {
		int i = (int)rng_below(r, (uint64_t)b->n);

		if (b->on[i] <= now && now < b->off[i] && !answer_has(a, b->ip[i]) &&
		    !asn_in(avoid, n_avoid, b->asn[i]))
			return i;
	}
	return -1;
}

/* A bot online at now, not yet in a; falls back to any bot. */
static uint32_t bot_pick(const struct botnet *b, struct rng *r, double now, const struct answer *a)
{
	int i = bot_find(b, r, now, a, NULL, 0);

	if (i >= 0)
		return b->ip[i];
	for (;;) {
		uint32_t ip = b->ip[rng_below(r, (uint64_t)b->n)];

		if (!answer_has(a, ip))
			return ip;
	}
}

static void flux_names(struct domain *d, double q_lo, double q_hi)
{
	static const char alnum[] = "abcdefghijklmnopqrstuvwxyz0123456789";
	int len = (int)rng_range(&d->rng, 6, 10);
	char label[16];

	for (int i = 0; i < len; i++)
		label[i] = i == 0 ? alnum[rng_below(&d->rng, 26)] : alnum[rng_below(&d->rng, 36)];
	label[len] = '\0';
	snprintf(d->reg, REG_LEN, "%s.%s", label, PICK(&d->rng, flux_tlds));
	qnames_www(d, q_lo, q_hi);
}

/* TTLs seen in flux networks: from none at all up to five minutes. */
static uint32_t flux_ttl(struct rng *r)
{
	static const uint32_t ttls[] = {0, 30, 60, 120, 150, 180, 300};

	return rng_below(r, 4) == 0 ? rng_range(r, 0, 300) : PICK(r, ttls);
}

static void init_flux(struct domain *d)
{
	d->bots = &botnets[rng_below(&d->rng, (uint64_t)n_botnets)];
	d->k_lo = 5;
	d->k_hi = 10;
	d->ttl = flux_ttl(&d->rng);
}

/* Every fetch is a fresh draw of online bots: the answer rotates whenever
 * the TTL lets the resolver ask again. */
static void fetch_flux(struct domain *d, double now, struct answer *a)
{
	int k = (int)rng_range(&d->rng, (uint32_t)d->k_lo, (uint32_t)d->k_hi);

	a->n = 0;
	while (a->n < k)
		a->ip[a->n++] = bot_pick(d->bots, &d->rng, now, a);
	a->ttl = d->ttl;
}

/*
 * Double flux: the zone's name servers are bots too. The NS set names some
 * of 4-8 names (in the zone itself, or in a second attacker domain), and
 * their glue addresses are redrawn from the bots with every answer.
 */
static void init_dflux(struct domain *d)
{
	char other[REG_LEN];
	struct domain tmp;

	init_flux(d);
	rng_seed(&tmp.rng, rng_next(&d->rng), 0xd2);
	flux_names(&tmp, 1, 2);
	snprintf(other, REG_LEN, "%s", tmp.reg);
	d->n_nsset = (int)rng_range(&d->rng, 4, MAX_NS_SET);
	for (int i = 0; i < d->n_nsset; i++)
		snprintf(d->nsset[i], NAME_LEN, "ns%d.%s", i + 1,
			 rng_below(&d->rng, 3) ? d->reg : other);
	d->ns_per_answer = (int)rng_range(&d->rng, 2, MAX_NS);
}

/* NS records of d's set, their glue freshly drawn from the bots b. */
static void add_ns_bots(struct domain *d, const struct botnet *b, double now, struct answer *a)
{
	uint32_t glue[MAX_NS];
	struct answer seen = {0};

	for (int i = 0; i < MAX_NS; i++) {
		glue[i] = bot_pick(b, &d->rng, now, &seen);
		seen.ip[seen.n++] = glue[i];
	}
	add_ns(d, a, glue);
}

static void fetch_dflux(struct domain *d, double now, struct answer *a)
{
	fetch_flux(d, now, a);
	add_ns_bots(d, d->bots, now, a);
}

/*
 * Slow flux, built to evade: few records (3-5), an hour of TTL, and only
 * one or two of them replaced per hour, by bots that stay online long.
 */
static void init_slow(struct domain *d)
{
	struct answer none = {0};

	d->bots = &slow_botnets[rng_below(&d->rng, ARRAY_SIZE(slow_botnets))];
	d->active = (int)rng_range(&d->rng, 3, 5);
	pool_alloc(d, d->active);
	for (int i = 0; i < d->active; i++) {
		d->pool[i] = bot_pick(d->bots, &d->rng, d->start, &none);
		none.ip[none.n++] = d->pool[i];
	}
	d->ttl = 3600;
	d->change_at = d->start;
}

static void fetch_slow(struct domain *d, double now, struct answer *a)
{
	/* Replace 1-2 records per elapsed hour, except on the first fetch. */
	if (now > d->change_at) {
		for (double h = d->change_at + 3600; h <= now; h += 3600) {
			int r = (int)rng_range(&d->rng, 1, 2);
			struct answer cur = {.n = d->active};

			memcpy(cur.ip, d->pool, (size_t)d->active * sizeof(*d->pool));
			for (int i = 0; i < r; i++) {
				int j = (int)rng_below(&d->rng, (uint64_t)d->active);

				d->pool[j] = cur.ip[j] = bot_pick(d->bots, &d->rng, now, &cur);
			}
			d->change_at = h;
		}
	}
	a->n = d->active;
	memcpy(a->ip, d->pool, (size_t)d->active * sizeof(*d->pool));
	a->ttl = d->ttl;
}

/* ---- shared operators: flux networks, CDNs, hosting servers ---- */

/* The domains of an operator share its NS names and their glue. */
static void ns_from_group(struct domain *d)
{
	const struct domain *op = &d->grp->auth;

	d->n_nsset = op->n_nsset;
	d->ns_per_answer = op->ns_per_answer;
	memcpy(d->nsset, op->nsset, sizeof(d->nsset));
	memcpy(d->nsglue, op->nsglue, sizeof(d->nsglue));
}

/* The operator's NS records: glue from the network's bots, or fixed. */
static void add_group_ns(struct domain *d, double now, struct answer *a)
{
	if (d->grp->ns_flux)
		add_ns_bots(d, d->grp->auth.bots, now, a);
	else
		add_ns(d, a, NULL);
}

/*
 * A flux network's own name servers: n names nsK.<nsdomain>, nsdomain a
 * registered domain of the network's, distinct from every other, and the
 * glue drawn from the bots on every fetch (double flux).
 */
static void group_flux_ns(struct group *g, struct seen *seen, int n)
{
	struct domain tmp;

	for (int attempt = 0; attempt < 100; attempt++) {
		rng_seed(&tmp.rng, rng_next(&g->auth.rng), 0x6e5);
		flux_names(&tmp, 1, 2);
		if (seen_add(seen, tmp.reg))
			break;
	}
	snprintf(g->nsdomain, REG_LEN, "%s", tmp.reg);
	g->auth.n_nsset = n;
	g->auth.ns_per_answer = n;
	for (int i = 0; i < n; i++)
		snprintf(g->auth.nsset[i], NAME_LEN, "ns%d.%s", i + 1, g->nsdomain);
	g->ns_flux = true;
}

/* n distinct addresses in one /24 of the operator's network. */
static void group_pool(struct domain *op, int n)
{
	uint32_t base = net_draw(&table, op->net, &op->rng) & 0xffffff00u;

	pool_alloc(op, n);
	for (int i = 0; i < n;) {
		uint32_t ip = base | rng_range(&op->rng, 1, 254);

		if (!pool_has(op->pool, i, ip))
			op->pool[i++] = ip;
	}
}

/* The resolver's entry for a name only this domain leads to. */
static void target_alloc(struct domain *d)
{
	d->target = calloc(1, sizeof(*d->target));
	if (!d->target) {
		fprintf(stderr, "gen_scenarios: out of memory\n");
		exit(1);
	}
	d->own_target = true;
}

/* ---- malicious: one answer set from the resolver's cache ---- */

/*
 * A residential botnet's flux domain looked up under random host names
 * (rsqh.example.cn CNAME example.cn): the resolver fetches the apex once
 * per TTL and answers every new name from its cache, so however many
 * names a client asks for it sees one answer set, or two. The network's
 * name servers are bots under a domain of its own.
 */
static void group_cached(struct group *g, int idx, struct seen *seen)
{
	static const uint32_t ttls[] = {60, 90, 120, 150, 180};
	struct rng *r = &g->auth.rng;

	g->auth.bots = &botnets[rng_below(r, (uint64_t)n_botnets)];
	g->auth.ttl = PICK(r, ttls);
	group_flux_ns(g, seen, (int)rng_range(r, 2, MAX_NS));
}

static void init_cached(struct domain *d)
{
	int lookups = (int)lround(rng_logu(&d->rng, 4, 88));

	d->bots = d->grp->auth.bots;
	d->ttl = d->grp->auth.ttl;
	ns_from_group(d);
	d->nq = 1;
	d->random_host = true;
	snprintf(d->alias, NAME_LEN, "%s", d->reg);
	d->alias_ttl = d->ttl;
	target_alloc(d);
	d->max_queries = lookups;
	/* A burst: all lookups within 0.2-1.2 TTLs, mostly within one. */
	d->qmean[0] = d->ttl * (0.2 + rng_unit(&d->rng)) / lookups;
}

/* k online bots, the first `spread` of them in networks of their own
 * (as far as the bots' networks go), and the network's NS. */
static void answer_spread(struct domain *d, double now, int k, int spread, struct answer *a)
{
	uint32_t asn[MAX_ANSWER];

	a->n = 0;
	while (a->n < k) {
		int i = bot_find(d->bots, &d->rng, now, a, asn, a->n < spread ? a->n : 0);

		a->ip[a->n] = i >= 0 ? d->bots->ip[i] : bot_pick(d->bots, &d->rng, now, a);
		asn[a->n++] = i >= 0 ? d->bots->asn[i] : 0;
	}
	a->ttl = d->ttl;
	add_group_ns(d, now, a);
}

/* 8 bots in 7-8 networks. */
static void fetch_cached(struct domain *d, double now, struct answer *a)
{
	answer_spread(d, now, 8, (int)rng_range(&d->rng, 7, 8), a);
}

/* ---- malicious: many domains, one flux network ---- */

/*
 * A flux network behind many registered domains: its own bots, of which
 * 20-40 are online at a time (bots online 2 h on average), answer for all
 * its domains at once, and all of them are delegated to the network's 2-4
 * NS hosts, whose glue are bots again. Each domain is looked up only a few
 * times; the network's domains turn up one after another over the run.
 */
static void group_fluxnet(struct group *g, int idx, struct seen *seen)
{
	const double mean_online = 2 * 3600.0;
	struct rng *r = &g->auth.rng;
	int online = (int)rng_range(r, 20, 40);

	/* A bot is online at a given time with probability about
	 * mean_online / (1.5 * sim_seconds): see botnet_fill. */
	botnet_make(&g->bots, r, (int)fmax(online, online * 1.5 * sim_seconds / mean_online),
		    mean_online);
	g->auth.bots = &g->bots;
	g->auth.ttl = flux_ttl(r);
	group_flux_ns(g, seen, (int)rng_range(r, 2, MAX_NS));
	g->ns_member = rng_below(r, 2) == 0;
}

static void init_fluxnet(struct domain *d)
{
	d->bots = d->grp->auth.bots;
	d->k_lo = 5;
	d->k_hi = 10;
	d->ttl = d->grp->auth.ttl;
	ns_from_group(d);
	d->max_queries = (int)rng_range(&d->rng, 1, 6);
}

/* A network's domain: a fresh draw of its online bots, and its NS. */
static void fetch_netflux(struct domain *d, double now, struct answer *a)
{
	fetch_flux(d, now, a);
	add_group_ns(d, now, a);
}

/* ---- malicious: spam domains looked up once ---- */

/*
 * A spam campaign's domains, each looked up once (a mail filter resolves
 * the links of one message): a small pool of 25-40 bots in 5-10 consumer
 * ISPs answers 10 of them for every domain, so each bot shows up for many
 * domains. The campaign lasts half an hour to two hours. Half the networks
 * run their own NS on bots, the others use a DNS host. Some of the
 * campaign's domains are no flux at all: one address at a hoster.
 */
static void group_spam(struct group *g, int idx, struct seen *seen)
{
	struct rng *r = &g->auth.rng;
	const struct net *isp[10];
	int nisp = (int)rng_range(r, 5, 10);

	for (int i = 0; i < nisp;) {
		const struct net *n = pick_net(r, residential, n_residential);
		bool dup = false;

		for (int j = 0; j < i; j++)
			dup = dup || isp[j] == n;
		if (!dup)
			isp[i++] = n;
	}
	botnet_fill(&g->bots, r, isp, nisp, (int)rng_range(r, 25, 40), 0);
	g->auth.bots = &g->bots;
	g->auth.ttl = flux_ttl(r);
	if (rng_below(r, 2))
		group_flux_ns(g, seen, (int)rng_range(r, 2, MAX_NS));
	else
		ns_hosted(&g->auth);
	g->span = fmin(rng_range(r, 1800, 7200), 0.5 * sim_seconds);
	g->start = rng_unit(r) * 0.9 * (sim_seconds - g->span);
	/* The campaign's static hosts, for spam-once-static. */
	g->auth.net = pick_net(r, hosting, n_hosting);
	group_pool(&g->auth, (int)rng_range(r, 1, 3));
}

/* 10 bots in as many of the pool's 5-10 networks as 5-10 draws give. */
static void fetch_spam(struct domain *d, double now, struct answer *a)
{
	answer_spread(d, now, 10, (int)rng_range(&d->rng, 5, 10), a);
}

static void init_spam(struct domain *d)
{
	const struct group *g = d->grp;

	d->bots = g->auth.bots;
	d->ttl = g->auth.ttl;
	ns_from_group(d);
	d->max_queries = 1;
	d->start = g->start + rng_unit(&d->rng) * g->span;
}

/* A campaign's domain that is no flux: one address at a hoster, hosted
 * NS; d->grp is the campaign (spam-once's group), or NULL for none. */
static void init_spam_static(struct domain *d)
{
	static const uint32_t ttls[] = {300, 600, 3600};
	const struct group *g = d->grp;

	pool_alloc(d, 1);
	if (g) {
		d->pool[0] = g->auth.pool[rng_below(&d->rng, (uint64_t)g->auth.npool)];
		d->start = g->start + rng_unit(&d->rng) * g->span;
	} else {
		d->pool[0] = net_draw(&table, pick_net(&d->rng, hosting, n_hosting), &d->rng);
	}
	d->ttl = PICK(&d->rng, ttls);
	ns_hosted(d);
	d->max_queries = 1;
}

/* ---- malicious: one address per answer, TTL 0 ---- */

static const char *const regions[] = {"AF", "AS", "EU", "NA", "OC", "SA"};

/*
 * A flux agent that hands out one proxy at a time with TTL 0: every lookup
 * (every 2-10 minutes) is a new home address, in an ISP none of the last
 * four answers came from; three quarters on the network's home continent,
 * the rest on one or two others.
 */
static void init_ttl0(struct domain *d)
{
	static const char *const homes[] = {"EU", "EU", "AS", "AS", "NA"};
	const char *home = PICK(&d->rng, homes), *away[2];
	int n_away = (int)rng_range(&d->rng, 1, 2);

	for (int i = 0; i < n_away;) {
		const char *c = PICK(&d->rng, regions);

		if (strcmp(c, home) && (i == 0 || strcmp(c, away[0])))
			away[i++] = c;
	}
	d->isp = calloc(n_residential, sizeof(*d->isp));
	if (!d->isp) {
		fprintf(stderr, "gen_scenarios: out of memory\n");
		exit(1);
	}
	for (size_t i = 0; i < n_residential; i++)
		if (!strcmp(residential[i].region, home))
			d->isp[d->n_isp++] = &residential[i];
	d->n_home = d->n_isp;
	for (size_t i = 0; i < n_residential; i++)
		for (int j = 0; j < n_away; j++)
			if (!strcmp(residential[i].region, away[j]))
				d->isp[d->n_isp++] = &residential[i];
	if (!d->n_home) { /* the ASN data lacks that continent's ISPs: any */
		for (d->n_isp = 0; d->n_isp < (int)n_residential; d->n_isp++)
			d->isp[d->n_isp] = &residential[d->n_isp];
		d->n_home = d->n_isp;
	}
	d->ttl = 0;
	d->nq = 1;
	d->gap_lo = 120;
	d->gap_hi = 600;
}

static bool isp_recent(const struct domain *d, const struct net *n)
{
	for (size_t i = 0; i < ARRAY_SIZE(d->recent); i++)
		if (d->recent[i] == n)
			return true;
	return false;
}

static void fetch_ttl0(struct domain *d, double now, struct answer *a)
{
	const struct net *n;

	for (int tries = 0;; tries++) {
		bool home = rng_unit(&d->rng) < 0.75 || d->n_isp == d->n_home;
		int lo = home ? 0 : d->n_home, k = home ? d->n_home : d->n_isp - d->n_home;

		n = d->isp[lo + (int)rng_below(&d->rng, (uint64_t)k)];
		if (tries > 64 || !isp_recent(d, n))
			break;
	}
	d->recent[d->n_recent++ % ARRAY_SIZE(d->recent)] = n;
	a->n = 1;
	a->ip[0] = net_draw(&table, n, &d->rng);
	a->ttl = 0;
}

/* ---- benign: a CDN's customers ---- */

/*
 * One CDN serving many customers' sites from the same edge hosts: 2-4
 * clusters in 1-2 of its networks, in the client's country. Half the
 * customers answer 2-4 edge hosts themselves; the others CNAME www to one
 * of the CDN's 1-3 shared edge names, whose records the resolver caches
 * once for all of them (a short TTL, the CNAME a long one).
 */
static void group_cdn(struct group *g, int idx, struct seen *seen)
{
	static const uint32_t ttls[] = {20, 30, 60};
	struct domain *cdn = &g->auth;
	int nets = 2 - idx % 2; /* the first CDN in two networks, the next in one, ... */
	int first_net = (int)rng_below(&cdn->rng, n_cdn);
	const char *zone;

	cdn->clusters = (int)rng_range(&cdn->rng, 2, 4);
	cdn->cluster_size = (int)rng_range(&cdn->rng, 8, 32);
	cdn_clusters(cdn, nets, first_net);
	cdn->ttl = PICK(&cdn->rng, ttls);
	g->n_edges = (int)rng_range(&cdn->rng, 1, MAX_EDGES);
	zone = PICK(&cdn->rng, edge_zones);
	for (int e = 0; e < g->n_edges; e++)
		snprintf(g->edge[e], NAME_LEN, "c%d-%d.a.%s", idx + 1, e + 1, zone);
}

static void init_cdncust(struct domain *d)
{
	static const uint32_t ttls[] = {20, 30, 60, 120, 300};
	static const uint32_t cname_ttls[] = {300, 3600};
	struct group *g = d->grp;

	d->ttl = PICK(&d->rng, ttls);
	if (rng_below(&d->rng, 2)) {
		int e = (int)rng_below(&d->rng, (uint64_t)g->n_edges);

		snprintf(d->alias, NAME_LEN, "%s", g->edge[e]);
		d->alias_ttl = PICK(&d->rng, cname_ttls);
		d->target = &g->edge_cache[e];
		d->nq = 1; /* www: an apex cannot be a CNAME */
	}
}

static void fetch_cdncust(struct domain *d, double now, struct answer *a)
{
	struct domain *cdn = &d->grp->auth;

	cdn_answer(cdn, &d->rng, (int)rng_range(&d->rng, 2, 4), a);
	a->ttl = d->target ? cdn->ttl : d->ttl;
}

/* ---- benign: shared hosting and anycast ---- */

/* Sites on one shared hosting server: 1-2 addresses in one /24 of a
 * hoster, half of the servers with the hoster's NS. */
static void group_shared(struct group *g, int idx, struct seen *seen)
{
	struct domain *h = &g->auth;

	h->net = pick_net(&h->rng, hosting, n_hosting);
	group_pool(h, (int)rng_range(&h->rng, 1, 2));
	if (rng_below(&h->rng, 2))
		ns_hosted(h);
}

/* Sites behind one anycast service (a CDN's or a cloud's front end): the
 * same 1-2 addresses for all, wherever the client is. */
static void group_anycast(struct group *g, int idx, struct seen *seen)
{
	struct domain *h = &g->auth;

	h->net = rng_below(&h->rng, 3) ? pick_net(&h->rng, cdn_nets, n_cdn)
				       : pick_net(&h->rng, cloud_nets, n_cloud);
	group_pool(h, (int)rng_range(&h->rng, 1, 2));
}

static void init_shared(struct domain *d)
{
	static const uint32_t ttls[] = {300, 600, 1800, 3600};

	d->ttl = PICK(&d->rng, ttls);
	ns_from_group(d);
}

/* Every address of the operator's pool, in random order. */
static void fetch_group_all(struct domain *d, double now, struct answer *a)
{
	const struct domain *op = &d->grp->auth;

	answer_from(&d->rng, op->pool, op->npool, op->npool, a);
	a->ttl = d->ttl;
	add_ns(d, a, NULL);
}

/* ---- benign: one DNS host for many domains ---- */

/* A DNS hosting provider: 2-4 NS names with fixed addresses, the same for
 * every domain it serves. */
static void group_dnshost(struct group *g, int idx, struct seen *seen)
{
	struct domain *p = &g->auth;
	const struct net *n = rng_below(&p->rng, 2) ? pick_net(&p->rng, hosting, n_hosting)
						    : pick_net(&p->rng, cloud_nets, n_cloud);
	char zone[REG_LEN];

	snprintf(zone, sizeof(zone), "dnsprovider-like-%d.net", idx + 1);
	ns_fixed(p, zone, (int)rng_range(&p->rng, 2, MAX_NS), n, 0x6e74,
		 (uint64_t)idx * MAX_NS_SET);
}

/* The domain's own 1-2 servers at some hoster or cloud. */
static void init_dnshost(struct domain *d)
{
	static const uint32_t ttls[] = {300, 600, 1800, 3600};
	const struct net *n = rng_below(&d->rng, 3) ? pick_net(&d->rng, hosting, n_hosting)
						    : pick_net(&d->rng, cloud_nets, n_cloud);

	pool_alloc(d, (int)rng_range(&d->rng, 1, 2));
	for (int i = 0; i < d->npool; i++)
		d->pool[i] = net_draw(&table, n, &d->rng);
	d->ttl = PICK(&d->rng, ttls);
	ns_from_group(d);
}

/* ---- benign: a CDN answering one address, TTL 0-20 ---- */

/* One edge host per answer, from 1-3 clusters (4-16 hosts each) in 1-2
 * CDN networks of one country: the address changes with nearly every
 * fetch. */
static void init_cdnttl0(struct domain *d)
{
	int nets = (int)rng_range(&d->rng, 1, 2);
	int first_net = (int)rng_below(&d->rng, n_cdn);

	d->clusters = (int)rng_range(&d->rng, 1, 3);
	d->cluster_size = (int)rng_range(&d->rng, 4, 16);
	cdn_clusters(d, nets, first_net);
	d->k_lo = 1;
	d->k_hi = 1;
	d->ttl = rng_range(&d->rng, 0, 20);
}

static const struct category_desc categories[C_MAX] = {
    [C_STATIC] = {"static", false, 50, 30, 600, 0.25, init_static, fetch_all},
    [C_RR] = {"roundrobin", false, 50, 20, 300, 0.25, init_rr, fetch_all},
    [C_CDN] = {"cdn", false, 50, 10, 90, 0.25, init_cdn, fetch_cdn},
    [C_CLOUD] = {"cloud", false, 50, 10, 120, 0.25, init_cloud, fetch_cloud},
    [C_NTP] = {"ntppool", false, 50, 15, 180, 0.25, init_ntp, fetch_ntp},
    [C_DDNS] = {"ddns", false, 50, 60, 900, 0.25, init_ddns, fetch_ddns},
    [C_FLUX] = {"single-flux", true, 100, 20, 300, 0.5, init_flux, fetch_flux},
    [C_DFLUX] = {"double-flux", true, 100, 20, 300, 0.5, init_dflux, fetch_dflux},
    [C_SLOW] = {"slow-flux", true, 20, 60, 600, 0.25, init_slow, fetch_slow},
    [C_CACHED] = {"cached-flux", true, 30, 60, 60, 0.9, init_cached, fetch_cached, 5, 12,
		  group_cached},
    [C_FLUXNET] = {"flux-network", true, 100, 60, 1200, 0.9, init_fluxnet, fetch_netflux, 15, 40,
		   group_fluxnet},
    [C_SPAM] = {"spam-once", true, 70, 60, 60, 0.9, init_spam, fetch_spam, 30, 40, group_spam},
    [C_SPAM_STATIC] = {"spam-once-static", true, 18, 60, 60, 0.9, init_spam_static, fetch_all},
    [C_TTL0] = {"ttl0-single", true, 20, 360, 360, 0.5, init_ttl0, fetch_ttl0},
    [C_CDNCUST] = {"cdn-customers", false, 60, 20, 600, 0.25, init_cdncust, fetch_cdncust, 20, 40,
		   group_cdn},
    [C_SHARED] = {"shared-host", false, 60, 60, 1800, 0.25, init_shared, fetch_group_all, 20, 40,
		  group_shared},
    [C_DNSHOST] = {"dns-hosting", false, 60, 60, 1800, 0.25, init_dnshost, fetch_all, 20, 40,
		   group_dnshost},
    [C_ANYCAST] = {"anycast", false, 30, 30, 900, 0.25, init_shared, fetch_group_all, 10, 20,
		   group_anycast},
    [C_CDNTTL0] = {"cdn-ttl0", false, 20, 10, 120, 0.25, init_cdnttl0, fetch_cdn},
};

/* The first domain of a flux network that is its NS domain as well. */
static bool is_ns_member(const struct domain *d)
{
	return d->cat == C_FLUXNET && d->grp && d->grp->ns_member && d->gi == 0;
}

/* Name the domain (registered domain and query names) for its category. */
static void domain_names(struct domain *d, int idx)
{
	const struct category_desc *c = &categories[d->cat];

	switch (d->cat) {
	case C_STATIC:
		name_benign(d, nouns_static, ARRAY_SIZE(nouns_static), idx);
		break;
	case C_RR:
		name_benign(d, nouns_rr, ARRAY_SIZE(nouns_rr), idx);
		break;
	case C_CDN:
		name_benign(d, nouns_cdn, ARRAY_SIZE(nouns_cdn), idx);
		break;
	case C_CLOUD:
		name_benign(d, nouns_cloud, ARRAY_SIZE(nouns_cloud), idx);
		break;
	case C_NTP:
		snprintf(d->reg, REG_LEN, "ntp-like-%d.org", idx);
		break;
	case C_CDNCUST:
		name_benign(d, nouns_shop, ARRAY_SIZE(nouns_shop), idx);
		break;
	case C_SHARED:
		name_benign(d, nouns_site, ARRAY_SIZE(nouns_site), idx);
		break;
	case C_DNSHOST:
		name_benign(d, nouns_firm, ARRAY_SIZE(nouns_firm), idx);
		break;
	case C_ANYCAST:
		name_benign(d, nouns_docs, ARRAY_SIZE(nouns_docs), idx);
		break;
	case C_CDNTTL0:
		name_benign(d, nouns_live, ARRAY_SIZE(nouns_live), idx);
		break;
	case C_FLUXNET:
		if (is_ns_member(d)) {
			snprintf(d->reg, REG_LEN, "%s", d->grp->nsdomain);
			qnames_www(d, c->q_lo, c->q_hi);
			return;
		}
		flux_names(d, c->q_lo, c->q_hi);
		return;
	case C_DDNS:
		snprintf(d->reg, REG_LEN, "%s-home-%d.%s", PICK(&d->rng, words), idx,
			 PICK(&d->rng, ddns_suffixes));
		d->nq = 1;
		snprintf(d->qname[0], NAME_LEN, "%s", d->reg);
		d->qmean[0] = rng_logu(&d->rng, c->q_lo, c->q_hi);
		return;
	default:
		flux_names(d, c->q_lo, c->q_hi);
		return;
	}
	qnames_www(d, c->q_lo, c->q_hi);
	if (d->cat == C_CDN) {
		d->nq = 2;
		snprintf(d->qname[1], NAME_LEN, "static.%s", d->reg);
		d->qmean[1] = rng_logu(&d->rng, c->q_lo, c->q_hi);
	}
}

/* --------------------------------------------------------- DNS frames */

static void rr_head(struct pb_dns *m, uint16_t owner, uint16_t type, uint32_t ttl)
{
	pb_dns_ptr(m, owner);
	pb_dns_u16(m, type);
	pb_dns_u16(m, PB_CLASS_IN);
	pb_dns_u32(m, ttl);
}

/* Write name, compressed against an earlier copy of suffix at suffix_off
 * when name ends in it. Returns the offset of the name. */
static size_t put_name(struct pb_dns *m, const char *name, const char *suffix, size_t suffix_off)
{
	size_t start = m->len, nl = strlen(name), sl = strlen(suffix);

	if (sl && nl > sl && strcmp(name + nl - sl, suffix) == 0 && name[nl - sl - 1] == '.') {
		char head[NAME_LEN];

		snprintf(head, sizeof(head), "%.*s", (int)(nl - sl - 1), name);
		/* pb_dns_name ends with the root label; drop it for the pointer. */
		pb_dns_name(m, head);
		m->len--;
		pb_dns_ptr(m, (uint16_t)suffix_off);
	} else {
		pb_dns_name(m, name);
	}
	return start;
}

/* A record with a name as its data (NS, CNAME); returns the data offset. */
static size_t rr_name(struct pb_dns *m, uint16_t owner, uint16_t type, uint32_t ttl,
		      const char *name, const char *suffix, size_t suffix_off)
{
	size_t len_off, data_off;

	rr_head(m, owner, type, ttl);
	len_off = m->len;
	pb_dns_u16(m, 0);
	data_off = put_name(m, name, suffix, suffix_off);
	if (!m->overflow) {
		uint16_t rdlen = (uint16_t)(m->len - data_off);

		m->buf[len_off] = (uint8_t)(rdlen >> 8);
		m->buf[len_off + 1] = (uint8_t)rdlen;
	}
	return data_off;
}

static void put_a(struct pb_dns *m, uint16_t owner, uint32_t ttl, uint32_t ip)
{
	char text[INET_ADDRSTRLEN];
	struct in_addr in = {.s_addr = htonl(ip)};

	inet_ntop(AF_INET, &in, text, sizeof(text));
	pb_dns_rr_a(m, owner, ttl, text);
}

/*
 * The response a recursive resolver sends: QR RD RA, the question, the
 * answer (CNAME first, then the A records, rotated by rot as resolvers
 * rotate RRsets), NS records of the zone in the authority section with
 * their addresses in the additional section, and an OPT record.
 */
static void build_response(struct pb_dns *m, uint16_t id, const char *qname, const char *reg,
			   const struct answer *a, uint32_t ttl, uint32_t ns_ttl,
			   uint32_t cname_ttl, int rot)
{
	size_t reg_off = PB_QUESTION_OFF + (strlen(qname) - strlen(reg));
	size_t owner = PB_QUESTION_OFF;
	size_t ns_off[MAX_NS];
	int an = a->n, ar = 1;

	pb_dns_init(m, id, PB_DNS_QR | PB_DNS_RD | PB_DNS_RA, 1, 0, 0, 0);
	pb_dns_question(m, qname, PB_TYPE_A, PB_CLASS_IN);
	if (a->cname[0]) {
		owner = rr_name(m, PB_QUESTION_OFF, TYPE_CNAME, cname_ttl, a->cname, "", 0);
		an++;
	}
	for (int i = 0; i < a->n; i++)
		put_a(m, (uint16_t)owner, ttl, a->ip[(i + rot) % a->n]);
	for (int i = 0; i < a->n_ns; i++)
		ns_off[i] = rr_name(m, (uint16_t)reg_off, TYPE_NS, ns_ttl, a->ns[i], reg, reg_off);
	for (int i = 0; i < a->n_ns; i++) {
		if (!a->glue[i])
			continue;
		put_a(m, (uint16_t)ns_off[i], ns_ttl, a->glue[i]);
		ar++;
	}
	pb_dns_opt(m, 1232);
	pb_dns_set_counts(m, 1, (uint16_t)an, (uint16_t)a->n_ns, (uint16_t)ar);
}

/* ------------------------------------------------------ the simulation */

struct event {
	double t;
	uint32_t d, q;
};

struct heap {
	struct event *e;
	size_t n;
};

static void heap_push(struct heap *h, struct event ev)
{
	size_t i = h->n++;

	while (i > 0) {
		size_t p = (i - 1) / 2;

		if (h->e[p].t <= ev.t)
			break;
		h->e[i] = h->e[p];
		i = p;
	}
	h->e[i] = ev;
}

static struct event heap_pop(struct heap *h)
{
	struct event top = h->e[0], last = h->e[--h->n];
	size_t i = 0;

	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= h->n)
			break;
		if (c + 1 < h->n && h->e[c + 1].t < h->e[c].t)
			c++;
		if (last.t <= h->e[c].t)
			break;
		h->e[i] = h->e[c];
		i = c;
	}
	if (h->n)
		h->e[i] = last;
	return top;
}

struct run {
	pcap_dumper_t *out;
	struct rng rng; /* IDs and ports */
	uint64_t packets, bytes, fetches;
	uint8_t frame[PB_MAX_FRAME];
};

static uint32_t ttl_left(uint32_t ttl, double age)
{
	return age >= ttl ? 0 : ttl - (uint32_t)age;
}

/* One response: the query name, the answer (its CNAME, if any, leads to
 * the name that owns the addresses) and the TTLs the cache has left. */
struct reply {
	const char *qname, *reg;
	const struct answer *a;
	uint32_t ttl, ns_ttl, cname_ttl;
	int rot;
};

static int emit(struct run *run, const struct reply *r, double now)
{
	static struct pb_dns m;
	struct pb_spec spec = {
	    .src = RESOLVER_IP,
	    .dst = CLIENT_IP,
	    .sport = 53,
	    .dport = (uint16_t)rng_range(&run->rng, 1024, 65535),
	};
	struct pcap_pkthdr h;
	double ts = EPOCH_START + now;
	size_t len;

	build_response(&m, (uint16_t)rng_next(&run->rng), r->qname, r->reg, r->a, r->ttl, r->ns_ttl,
		       r->cname_ttl, r->rot);
	len = pb_build_dns(&spec, &m, run->frame, sizeof(run->frame));
	if (!len) {
		fprintf(stderr, "gen_scenarios: response for %s does not fit\n", r->qname);
		return -1;
	}
	h.ts.tv_sec = (time_t)ts;
	h.ts.tv_usec = (suseconds_t)((ts - (double)h.ts.tv_sec) * 1e6);
	h.caplen = h.len = (bpf_u_int32)len;
	pcap_dump((u_char *)run->out, &h, run->frame);
	run->packets++;
	run->bytes += len + 16;
	if (run->bytes > MAX_FILE_BYTES) {
		fprintf(stderr, "gen_scenarios: more than %d MB in one file; giving up\n",
			MAX_FILE_BYTES >> 20);
		return -1;
	}
	return 0;
}

/* A host name nobody asked for before: 4-8 letters under the domain. */
static void random_host(struct domain *d, char *out, size_t len)
{
	char label[9];
	int n = (int)rng_range(&d->rng, 4, 8);

	for (int i = 0; i < n; i++)
		label[i] = (char)('a' + rng_below(&d->rng, 26));
	label[n] = '\0';
	snprintf(out, len, "%s.%s", label, d->reg);
}

/*
 * One client query at now: from the cache while the TTL lasts, else a
 * fresh answer from the domain's authority. c is the query name's entry.
 * A name that is a CNAME to d->alias has its addresses in the alias's
 * entry, d->target, shared by every name that leads there; c then keeps
 * only the CNAME record's age (a new random host name is always fetched).
 */
static int query(struct run *run, struct domain *d, int q, struct cache *c, double now)
{
	struct cache *data = d->target ? d->target : c;
	struct reply r = {.qname = d->qname[q], .reg = d->reg};
	char host[NAME_LEN];
	struct answer a;

	if (d->random_host) {
		random_host(d, host, sizeof(host));
		r.qname = host;
	}
	if (!data->valid || now - data->fetched >= data->a.ttl) {
		memset(&data->a, 0, sizeof(data->a));
		categories[d->cat].fetch(d, now, &data->a);
		data->fetched = now;
		data->valid = true;
		data->rot = 0;
		run->fetches++;
	}
	r.a = &data->a;
	r.ttl = ttl_left(data->a.ttl, now - data->fetched);
	r.ns_ttl = ttl_left(data->a.ns_ttl, now - data->fetched);
	r.cname_ttl = r.ttl;
	r.rot = data->rot++;
	if (d->target) {
		if (d->random_host || !c->valid || now - c->fetched >= d->alias_ttl) {
			c->fetched = now;
			c->valid = true;
		}
		a = data->a;
		snprintf(a.cname, NAME_LEN, "%s", d->alias);
		r.a = &a;
		r.cname_ttl = ttl_left(d->alias_ttl, now - c->fetched);
	}
	return emit(run, &r, now);
}

static int simulate(struct domain *doms, int n, const char *path, uint64_t seed)
{
	struct heap h = {.e = calloc((size_t)n * MAX_QNAMES, sizeof(struct event))};
	struct cache *cache = calloc((size_t)n * MAX_QNAMES, sizeof(*cache));
	pcap_t *p = pcap_open_dead(DLT_EN10MB, 65535);
	struct run *run = calloc(1, sizeof(*run));
	int rc = 0;

	if (!h.e || !cache || !p || !run) {
		fprintf(stderr, "gen_scenarios: out of memory\n");
		return -1;
	}
	run->out = pcap_dump_open(p, path);
	if (!run->out) {
		fprintf(stderr, "gen_scenarios: %s: %s\n", path, pcap_geterr(p));
		return -1;
	}
	rng_seed(&run->rng, seed, 0xfeed);
	for (int i = 0; i < n; i++)
		for (int q = 0; q < doms[i].nq; q++) {
			if (!(doms[i].qmean[q] > 0)) {
				fprintf(stderr, "gen_scenarios: bug: %s has no query rate\n",
					doms[i].qname[q]);
				return -1;
			}
			heap_push(&h, (struct event){doms[i].start + rng_exp(&doms[i].rng, 2.0),
						     (uint32_t)i, (uint32_t)q});
		}
	while (h.n && rc == 0) {
		struct event ev = heap_pop(&h);
		struct domain *d = &doms[ev.d];

		if (ev.t >= sim_seconds || (d->max_queries && d->queries >= d->max_queries))
			continue;
		rc = query(run, d, (int)ev.q, &cache[ev.d * MAX_QNAMES + ev.q], ev.t);
		d->queries++;
		if (d->gap_hi > 0)
			ev.t += d->gap_lo + rng_unit(&d->rng) * (d->gap_hi - d->gap_lo);
		else
			ev.t += rng_exp(&d->rng, d->qmean[ev.q]);
		heap_push(&h, ev);
	}
	pcap_dump_close(run->out);
	pcap_close(p);
	fprintf(stderr,
		"gen_scenarios: %-24s %4d domains %7llu responses %6llu answer "
		"fetches %6.1f MB\n",
		strrchr(path, '/') ? strrchr(path, '/') + 1 : path, n,
		(unsigned long long)run->packets, (unsigned long long)run->fetches,
		(double)run->bytes / 1e6);
	free(h.e);
	free(cache);
	free(run);
	return rc;
}

/* ---------------------------------------------------------- top level */

/* Check the name against the Public Suffix List: the label key must be the
 * registered domain fluxwall computes for every query name. */
static int check_regdomain(const struct fw_regdom *psl, const struct domain *d)
{
	char reg[NAME_LEN];

	for (int q = 0; q < d->nq; q++) {
		if (fw_regdom_get(psl, d->qname[q], reg, sizeof(reg)) < 0 ||
		    strcmp(reg, d->reg) != 0) {
			fprintf(stderr, "gen_scenarios: %s: registered domain is not %s\n",
				d->qname[q], d->reg);
			return -1;
		}
	}
	return 0;
}

/* The groups of each category, kept to the end: spam-once-static's
 * domains belong to spam-once's campaigns. */
static struct group_list {
	struct group *g;
	int n;
} groups[C_MAX];

/*
 * Split a category's n domains into groups of grp_lo to grp_hi (the last
 * one takes what is left), each made by the category's init_group from a
 * stream of its own.
 */
static void groups_make(enum category cat, int n, uint64_t seed, struct seen *seen)
{
	const struct category_desc *c = &categories[cat];
	struct group_list *l = &groups[cat];
	struct rng r;

	if (!c->init_group || n <= 0)
		return;
	l->g = calloc((size_t)n, sizeof(*l->g));
	if (!l->g) {
		fprintf(stderr, "gen_scenarios: out of memory\n");
		exit(1);
	}
	rng_seed(&r, seed, GROUP_STREAM | (uint64_t)cat << 32 | 0xffffffffu);
	for (int first = 0; first < n; l->n++) {
		struct group *g = &l->g[l->n];
		int size = (int)rng_range(&r, (uint32_t)c->grp_lo, (uint32_t)c->grp_hi);

		if (n - first - size < c->grp_lo)
			size = n - first;
		g->first = first;
		g->n = size;
		g->auth.cat = cat;
		rng_seed(&g->auth.rng, seed, GROUP_STREAM | (uint64_t)cat << 32 | (uint64_t)l->n);
		c->init_group(g, l->n, seen);
		first += size;
	}
}

/* Domain idx's group, and its place in it; NULL when it has none. */
static struct group *group_of(enum category cat, int idx, int *gi)
{
	const struct group_list *l = &groups[cat == C_SPAM_STATIC ? C_SPAM : cat];

	*gi = 0;
	if (!l->n)
		return NULL;
	if (cat == C_SPAM_STATIC) /* spread over the campaigns */
		return &l->g[idx % l->n];
	for (int i = 0; i < l->n; i++)
		if (idx < l->g[i].first + l->g[i].n) {
			*gi = idx - l->g[i].first;
			return &l->g[i];
		}
	return NULL;
}

static void groups_free(void)
{
	for (int c = 0; c < C_MAX; c++) {
		for (int i = 0; i < groups[c].n; i++) {
			free(groups[c].g[i].auth.pool);
			botnet_free(&groups[c].g[i].bots);
		}
		free(groups[c].g);
		groups[c] = (struct group_list){0};
	}
}

static int make_domain(struct domain *d, enum category cat, int idx, uint64_t seed, double hours,
		       struct seen *seen, const struct fw_regdom *psl)
{
	const struct category_desc *c = &categories[cat];

	for (int attempt = 0;; attempt++) {
		memset(d, 0, sizeof(*d));
		d->cat = cat;
		d->grp = group_of(cat, idx, &d->gi);
		rng_seed(&d->rng, seed,
			 ((uint64_t)cat << 32) | ((uint64_t)idx << 8) | (uint64_t)attempt);
		domain_names(d, idx);
		/* A network's NS domain was taken when the network was made. */
		if (is_ns_member(d) || seen_add(seen, d->reg))
			break;
		if (attempt > 100)
			return -1;
	}
	d->start = rng_unit(&d->rng) * c->start_frac * hours * 3600.0;
	c->init(d);
	return psl ? check_regdomain(psl, d) : 0;
}

static void label_json(FILE *fp, const struct domain *d, const char *file, bool *first)
{
	const struct category_desc *c = &categories[d->cat];
	const char *edge = d->cat == C_CDN ? d->edge : d->cat == C_CDNCUST ? d->alias : "";

	fprintf(fp, "%s\n  \"%s\": {\"label\": \"%s\", \"category\": \"%s\", \"file\": \"%s\"",
		*first ? "" : ",", d->reg, c->malicious ? "malicious" : "benign", c->name, file);
	if (edge[0]) {
		const char *zone = strstr(edge, ".a.") + 3;

		fprintf(fp, ", \"cname_zone\": \"%s\"", zone);
	}
	fprintf(fp, "}");
	*first = false;
}

/* The shared CDN edge zones appear in captures as CNAME targets; label
 * them too, so an evaluation can tell what it sees. */
static void label_edges(FILE *fp, bool *first)
{
	for (size_t i = 0; i < ARRAY_SIZE(edge_zones); i++) {
		fprintf(fp,
			",\n  \"%s\": {\"label\": \"benign\", \"category\": \"cdn-edge\", "
			"\"file\": \"cdn.pcap\"}",
			edge_zones[i]);
	}
}

static void free_domains(struct domain *doms, int n)
{
	for (int i = 0; i < n; i++) {
		free(doms[i].pool);
		free(doms[i].isp);
		if (doms[i].own_target)
			free(doms[i].target);
	}
	free(doms);
}

static void make_botnets(uint64_t seed)
{
	struct rng r;

	rng_seed(&r, seed, 0xb07);
	n_botnets = 6;
	/* Proxies of a fast-flux network are online for hours at a time. */
	for (int i = 0; i < n_botnets; i++)
		botnet_make(&botnets[i], &r, (int)rng_range(&r, 500, 5000), 4 * 3600.0);
	/* Slow flux picks its most stable bots. */
	for (size_t i = 0; i < ARRAY_SIZE(slow_botnets); i++)
		botnet_make(&slow_botnets[i], &r, (int)rng_range(&r, 200, 1000), 48 * 3600.0);
}

struct opts {
	const char *geo_dir;
	const char *out;
	uint64_t seed;
	double hours;
	double scale;
};

/*
 * OUT/all.pcap: every category's responses merged in time order, as one
 * resolver sends them to one client. No two categories share a query name
 * or a cache entry, so this is the traffic a single resolver with all of
 * them in its cache would have sent. Ties keep the category order.
 */
static int merge_all(const char *out, int domains)
{
	pcap_t *in[C_MAX];
	struct pcap_pkthdr *h[C_MAX];
	const u_char *data[C_MAX];
	char path[4096], err[PCAP_ERRBUF_SIZE];
	pcap_t *p = pcap_open_dead(DLT_EN10MB, 65535);
	pcap_dumper_t *dump;
	uint64_t packets = 0, bytes = 0;
	int rc = 0;

	snprintf(path, sizeof(path), "%s/all.pcap", out);
	dump = p ? pcap_dump_open(p, path) : NULL;
	if (!dump) {
		fprintf(stderr, "gen_scenarios: %s: %s\n", path, p ? pcap_geterr(p) : "no memory");
		return -1;
	}
	for (int c = 0; c < C_MAX; c++) {
		snprintf(path, sizeof(path), "%s/%s.pcap", out, categories[c].name);
		in[c] = pcap_open_offline(path, err);
		if (!in[c]) {
			fprintf(stderr, "gen_scenarios: %s\n", err);
			rc = -1;
		} else if (pcap_next_ex(in[c], &h[c], &data[c]) != 1) {
			pcap_close(in[c]);
			in[c] = NULL;
		}
	}
	while (rc == 0) {
		int next = -1;

		for (int c = 0; c < C_MAX; c++)
			if (in[c] && (next < 0 || h[c]->ts.tv_sec < h[next]->ts.tv_sec ||
				      (h[c]->ts.tv_sec == h[next]->ts.tv_sec &&
				       h[c]->ts.tv_usec < h[next]->ts.tv_usec)))
				next = c;
		if (next < 0)
			break;
		pcap_dump((u_char *)dump, h[next], data[next]);
		packets++;
		bytes += h[next]->caplen + 16;
		if (bytes > MAX_FILE_BYTES) {
			fprintf(stderr, "gen_scenarios: more than %d MB in all.pcap; giving up\n",
				MAX_FILE_BYTES >> 20);
			rc = -1;
		}
		if (pcap_next_ex(in[next], &h[next], &data[next]) != 1) {
			pcap_close(in[next]);
			in[next] = NULL;
		}
	}
	for (int c = 0; c < C_MAX; c++)
		if (in[c])
			pcap_close(in[c]);
	pcap_dump_close(dump);
	pcap_close(p);
	fprintf(stderr, "gen_scenarios: %-24s %4d domains %7llu responses %21s %6.1f MB\n",
		"all.pcap", domains, (unsigned long long)packets, "", (double)bytes / 1e6);
	return rc;
}

static int generate(const struct opts *o, const struct fw_regdom *psl)
{
	char path[4096], file[64];
	struct seen seen = {0};
	bool first = true;
	FILE *labels;
	int rc = 0, domains = 0;

	snprintf(path, sizeof(path), "%s/labels.json", o->out);
	labels = fopen(path, "w");
	if (!labels) {
		fprintf(stderr, "gen_scenarios: %s: %s\n", path, strerror(errno));
		return -1;
	}
	fprintf(labels, "{");
	for (int cat = 0; cat < C_MAX && rc == 0; cat++) {
		const struct category_desc *c = &categories[cat];
		int n = (int)lround(c->count * o->scale);
		struct domain *doms = calloc((size_t)(n ? n : 1), sizeof(*doms));

		if (!doms)
			return -1;
		snprintf(file, sizeof(file), "%s.pcap", c->name);
		groups_make((enum category)cat, n, o->seed, &seen);
		for (int i = 0; i < n && rc == 0; i++) {
			rc = make_domain(&doms[i], (enum category)cat, i, o->seed, o->hours, &seen,
					 psl);
			if (rc == 0)
				label_json(labels, &doms[i], file, &first);
			domains++;
		}
		snprintf(path, sizeof(path), "%s/%s", o->out, file);
		if (rc == 0)
			rc = simulate(doms, n, path, o->seed ^ (uint64_t)cat);
		free_domains(doms, n);
	}
	label_edges(labels, &first);
	fprintf(labels, "\n}\n");
	if (fclose(labels) != 0)
		rc = -1;
	free(seen.name);
	groups_free();
	return rc ? rc : merge_all(o->out, domains);
}

static void usage(FILE *fp)
{
	fprintf(fp, "usage: gen_scenarios [--geo-dir DIR] [--out DIR] [--seed N] [--hours H] "
		    "[--scale F]\n"
		    "  --geo-dir DIR  asn-ipv4.csv and country.mmdb (default "
		    "/var/lib/fluxwall/geo)\n"
		    "  --out DIR      where the pcaps (one per category, and all.pcap) and\n"
		    "                 labels.json go (default build/eval)\n"
		    "  --seed N       seed; the output is a function of it (default 1)\n"
		    "  --hours H      simulated hours (default 6)\n"
		    "  --scale F      multiply the number of domains per category (default 1)\n");
}

static int parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
	    {"geo-dir", required_argument, NULL, 'g'},
	    {"out", required_argument, NULL, 'o'},
	    {"seed", required_argument, NULL, 's'},
	    {"hours", required_argument, NULL, 'H'},
	    {"scale", required_argument, NULL, 'x'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	int c;

	*o = (struct opts){"/var/lib/fluxwall/geo", "build/eval", 1, 6.0, 1.0};
	while ((c = getopt_long(argc, argv, "g:o:s:H:x:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'g':
			o->geo_dir = optarg;
			break;
		case 'o':
			o->out = optarg;
			break;
		case 's':
			o->seed = strtoull(optarg, NULL, 0);
			break;
		case 'H':
			o->hours = atof(optarg);
			break;
		case 'x':
			o->scale = atof(optarg);
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return -1;
		}
	}
	if (optind != argc || o->hours < 1 || o->hours > 72 || o->scale <= 0 || o->scale > 20) {
		usage(stderr);
		return -1;
	}
	return 0;
}

static int load_data(const struct opts *o)
{
	char path[4096], err[512];

	snprintf(path, sizeof(path), "%s/asn-ipv4.csv", o->geo_dir);
	if (table_load(&table, path) < 0)
		return -1;
	n_residential = nets_resolve(&table, residential, ARRAY_SIZE(residential), "residential");
	n_hosting = nets_resolve(&table, hosting, ARRAY_SIZE(hosting), "hosting");
	n_cdn = nets_resolve(&table, cdn_nets, ARRAY_SIZE(cdn_nets), "CDN");
	n_cloud = nets_resolve(&table, cloud_nets, ARRAY_SIZE(cloud_nets), "cloud");
	if (n_residential < 20 || n_hosting < 10 || !n_cdn || !n_cloud) {
		fprintf(stderr,
			"gen_scenarios: %s lacks too many of the networks the scenarios "
			"need; is it the @ip-location-db/asn IPv4 CSV?\n",
			path);
		return -1;
	}
	snprintf(path, sizeof(path), "%s/country.mmdb", o->geo_dir);
	geo = fw_geo_new();
	if (!geo || fw_geo_load(geo, FW_GEO_DB_COUNTRY, path, err, sizeof(err)) < 0) {
		fprintf(stderr, "gen_scenarios: %s\n", geo ? err : "out of memory");
		return -1;
	}
	if (!(fw_geo_features(geo) & FW_GEO_HAS_COUNTRY))
		fprintf(stderr, "gen_scenarios: note: no %s; regions are not enforced\n", path);
	return 0;
}

int main(int argc, char **argv)
{
	struct fw_regdom *psl;
	struct opts o;
	char err[512];
	int rc;

	if (parse_opts(argc, argv, &o) < 0)
		return 2;
	if (mkdir(o.out, 0755) < 0 && errno != EEXIST) {
		fprintf(stderr, "gen_scenarios: %s: %s\n", o.out, strerror(errno));
		return 1;
	}
	if (load_data(&o) < 0)
		return 1;
	psl = fw_regdom_open(NULL, err, sizeof(err));
	if (!psl)
		fprintf(stderr, "gen_scenarios: note: %s; registered domains not checked\n", err);
	sim_seconds = o.hours * 3600.0;
	make_botnets(o.seed);
	rc = generate(&o, psl);
	for (int i = 0; i < n_botnets; i++)
		botnet_free(&botnets[i]);
	for (size_t i = 0; i < ARRAY_SIZE(slow_botnets); i++)
		botnet_free(&slow_botnets[i]);
	fw_geo_close(geo);
	if (psl)
		fw_regdom_close(psl);
	return rc ? 1 : 0;
}
