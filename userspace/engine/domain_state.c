// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Bounded per-domain flux state over a sliding window; see domain_state.h. */
#include <malloc.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "engine/hash_mix.h"
#include "engine/continent.h"
#include "engine/domain_state.h"
#include "engine/name_table.h"
#include "engine/recent_keys.h"

#define NBUCKETS       4  /* counter buckets per window */
#define FP_RING	       8  /* answer-set fingerprints remembered */
#define NS_TRACK       8  /* NS names, and NS addresses, remembered */
#define QN_TRACK       8  /* query names under a key, remembered */
#define HLL_REGS       64 /* sketch registers: 1.04/sqrt(64) = 13% error */
#define RECENT_PER_KEY 16 /* evicted keys remembered, per key of the table */
#define SECOND_CHANCES 8  /* frequent keys passed over per demotion */
#define EARTH_KM       6371.0

/* Event counters, one value per quarter-window bucket. */
enum dom_counter {
	C_SETS,	       /* new distinct answer sets */
	C_LATER_SETS,  /* ... of them arriving when IPs were already known */
	C_LATER_NEW,   /* IPs new to the window that those later sets brought */
	C_NS_NAME_NEW, /* NS names that joined a known NS set */
	C_NS_ADDR_NEW, /* NS addresses that joined a known set */
	C_NEW_ASN,     /* later sets that brought an ASN new to the window */
	C_NS_HOST_MAX, /* most address churn of one of the key's NS hosts (a maximum) */
	C_OBS,	       /* responses */
	C_ANSWER_MAX,  /* largest answer (a maximum, not a sum) */
	C_COUNT,
};

#define IP_HAS_LOC (1 << 0)

/* 40 bytes; IPv4 is stored v4-mapped so one compare serves both families. */
struct ip_rec {
	uint8_t addr[16];
	uint32_t first; /* seconds since the table's base time */
	uint32_t last;
	uint32_t asn;
	int16_t lat_cdeg; /* hundredths of a degree */
	int16_t lon_cdeg;
	char cc[2];
	uint16_t ttl; /* saturated: TTLs past 18 h tell nothing more */
	uint8_t flags;
	uint8_t n_sets;
};

struct hll {
	uint32_t epoch; /* half-window index of gen[cur] */
	float counted;	/* estimate already counted as new IPs */
	uint8_t cur;
	uint8_t reg[2][HLL_REGS];
};

struct ns_track {
	uint32_t name_hash[NS_TRACK];
	uint32_t name_last[NS_TRACK];
	uint32_t addr_hash[NS_TRACK];
	uint32_t addr_last[NS_TRACK];
	uint8_t n_names;
	uint8_t n_addrs;
};

/* Distinct query names accounted under a registered domain's key. */
struct qn_track {
	uint32_t hash[QN_TRACK];
	uint32_t last[QN_TRACK];
	uint8_t n;
};

struct dom {
	struct fw_ntab_node node;
	struct dom *lru_prev; /* towards more recently seen */
	struct dom *lru_next;
	struct ip_rec *ips;
	struct hll *hll;
	struct ns_track *ns;
	struct qn_track *qn;
	uint32_t last_qn; /* hash of the query name last tracked, and when */
	uint32_t qn_seen;
	uint32_t first_seen;
	uint32_t last_seen;
	uint32_t bucket_epoch; /* bucket index of the newest counter bucket */
	uint16_t cnt[C_COUNT][NBUCKETS];
	uint32_t fp[FP_RING];
	uint32_t fp_last[FP_RING];
	uint8_t n_ips;
	uint8_t cap_ips;
	uint8_t n_fps;
	uint8_t tag;	  /* the caller's byte: fw_domstate_tag() */
	uint8_t seg;	  /* SEG_PROBATION or SEG_MAIN */
	uint8_t hits;	  /* seconds it was seen in, saturating; halved per second chance */
	uint32_t network; /* the caller's word: fw_domstate_network() */
	char name[];
};

/*
 * Keys seen once wait in probation; a key seen again in a later second,
 * or back after an eviction, moves to the main segment, which holds at
 * most four fifths of the table. Eviction takes probation's least recent
 * key first, so a flood of one-off names (random subdomains) only evicts
 * itself, and the keys that keep answering stay.
 */
enum { SEG_PROBATION, SEG_MAIN };

struct lru {
	struct dom *head; /* most recently seen */
	struct dom *tail;
	size_t n;
};

struct fw_domstate {
	struct fw_domstate_params p;
	struct fw_ntab tab;
	struct lru seg[2];
	struct fw_recent *evicted; /* hashes of recently evicted keys */
	uint64_t base_s;	   /* time of the first observation; record times are relative */
	bool have_base;
	uint64_t evictions;
	size_t mem;		/* allocator bytes of every record and array */
	struct dom *last_found; /* find_dom()'s last answer */
	unsigned geo_features;
};

/* ---- time ---------------------------------------------------------- */

static uint32_t rel_time(struct fw_domstate *t, uint64_t ts_ns)
{
	uint64_t s = ts_ns / 1000000000ull;

	if (!t->have_base) {
		t->base_s = s;
		t->have_base = true;
	}
	if (s < t->base_s)
		return 0; /* out-of-order sample from before the first one */
	if (s - t->base_s > UINT32_MAX)
		return UINT32_MAX;
	return (uint32_t)(s - t->base_s);
}

static uint32_t rel_time_const(const struct fw_domstate *t, uint64_t ts_ns)
{
	uint64_t s = ts_ns / 1000000000ull;

	if (!t->have_base || s < t->base_s)
		return 0;
	return s - t->base_s > UINT32_MAX ? UINT32_MAX : (uint32_t)(s - t->base_s);
}

static bool live(const struct fw_domstate *t, uint32_t last, uint32_t now)
{
	return now < last || now - last < t->p.window_s;
}

static uint32_t bucket_len(const struct fw_domstate *t)
{
	return t->p.window_s / NBUCKETS;
}

/* ---- memory accounting ---------------------------------------------- */

static void *acct_alloc(struct fw_domstate *t, size_t n)
{
	void *p = calloc(1, n);

	if (p)
		t->mem += malloc_usable_size(p);
	return p;
}

static void acct_free(struct fw_domstate *t, void *p)
{
	if (!p)
		return;
	t->mem -= malloc_usable_size(p);
	free(p);
}

static void *acct_realloc(struct fw_domstate *t, void *old, size_t n)
{
	size_t before = old ? malloc_usable_size(old) : 0;
	void *p = realloc(old, n);

	if (!p)
		return NULL;
	t->mem = t->mem - before + malloc_usable_size(p);
	return p;
}

/* ---- the table and its LRU list ------------------------------------- */

static const char *dom_name(const struct fw_ntab_node *n)
{
	return ((const struct dom *)n)->name;
}

void fw_domstate_params_default(struct fw_domstate_params *p)
{
	p->max_domains = FW_DS_DEFAULT_MAX_DOMAINS;
	p->window_s = FW_DS_DEFAULT_WINDOW_S;
	p->exact_ips = FW_DS_DEFAULT_EXACT_IPS;
}

struct fw_domstate *fw_domstate_new(const struct fw_domstate_params *p, char *err, size_t errlen)
{
	struct fw_domstate *t;

	if (p->max_domains < 1) {
		snprintf(err, errlen, "max tracked domains must be at least 1");
		return NULL;
	}
	if (p->window_s < NBUCKETS) {
		snprintf(err, errlen, "flux window %u s is too short; use at least %d s",
			 p->window_s, NBUCKETS);
		return NULL;
	}
	if (p->exact_ips < 4 || p->exact_ips > FW_DS_MAX_EXACT_IPS) {
		snprintf(err, errlen, "exact IPs per domain %u is out of range; use 4 to %d",
			 p->exact_ips, FW_DS_MAX_EXACT_IPS);
		return NULL;
	}
	t = calloc(1, sizeof(*t));
	if (t)
		t->evicted = fw_recent_new((size_t)p->max_domains * RECENT_PER_KEY);
	if (!t || !t->evicted || fw_ntab_init(&t->tab, p->max_domains, dom_name) < 0) {
		if (t)
			fw_recent_free(t->evicted);
		free(t);
		snprintf(err, errlen, "out of memory for %u tracked domains; lower the maximum",
			 p->max_domains);
		return NULL;
	}
	t->p = *p;
	return t;
}

static void lru_unlink(struct fw_domstate *t, struct dom *d)
{
	struct lru *l = &t->seg[d->seg];

	if (d->lru_prev)
		d->lru_prev->lru_next = d->lru_next;
	else
		l->head = d->lru_next;
	if (d->lru_next)
		d->lru_next->lru_prev = d->lru_prev;
	else
		l->tail = d->lru_prev;
	d->lru_prev = d->lru_next = NULL;
	l->n--;
}

static void lru_push_head(struct fw_domstate *t, struct dom *d, uint8_t seg)
{
	struct lru *l = &t->seg[seg];

	d->seg = seg;
	d->lru_prev = NULL;
	d->lru_next = l->head;
	if (l->head)
		l->head->lru_prev = d;
	l->head = d;
	if (!l->tail)
		l->tail = d;
	l->n++;
}

static size_t main_cap(const struct fw_domstate *t)
{
	size_t probation = t->p.max_domains / 5;

	return t->p.max_domains - (probation ? probation : 1);
}

/*
 * Keep the main segment within its share: its least recent key goes back
 * to probation, unless it was seen often, which buys it a second chance
 * (and halves its count), a few times per call.
 */
static void balance(struct fw_domstate *t)
{
	unsigned chances = 0;

	while (t->seg[SEG_MAIN].n > main_cap(t)) {
		struct dom *m = t->seg[SEG_MAIN].tail;

		lru_unlink(t, m);
		if (m->hits >= 3 && chances++ < SECOND_CHANCES) {
			m->hits /= 2;
			lru_push_head(t, m, SEG_MAIN);
		} else {
			lru_push_head(t, m, SEG_PROBATION);
		}
	}
}

static void dom_destroy(struct fw_domstate *t, struct dom *d)
{
	if (t->last_found == d)
		t->last_found = NULL;
	fw_ntab_remove(&t->tab, &d->node);
	lru_unlink(t, d);
	acct_free(t, d->ips);
	acct_free(t, d->hll);
	acct_free(t, d->ns);
	acct_free(t, d->qn);
	acct_free(t, d);
}

void fw_domstate_free(struct fw_domstate *t)
{
	if (!t)
		return;
	while (t->seg[SEG_PROBATION].head)
		dom_destroy(t, t->seg[SEG_PROBATION].head);
	while (t->seg[SEG_MAIN].head)
		dom_destroy(t, t->seg[SEG_MAIN].head);
	fw_recent_free(t->evicted);
	fw_ntab_free(&t->tab);
	free(t);
}

/*
 * The detector asks for the key it just observed (its tag, its network):
 * the last key found is kept to answer that without hashing it again.
 */
static struct dom *find_dom(const struct fw_domstate *t, const char *key)
{
	struct fw_domstate *w = (struct fw_domstate *)t; /* the cache only */
	struct dom *d;

	if (t->last_found && !strcmp(t->last_found->name, key))
		return t->last_found;
	d = (struct dom *)fw_ntab_find(&t->tab, key, fw_ntab_hash(&t->tab, key));
	if (d)
		w->last_found = d;
	return d;
}

/* Probation's least recent key, else main's; remembered as evicted. */
static void evict_one(struct fw_domstate *t)
{
	struct dom *v = t->seg[SEG_PROBATION].tail;

	if (!v)
		v = t->seg[SEG_MAIN].tail;
	if (!v)
		return;
	fw_recent_add(t->evicted, v->node.hash);
	dom_destroy(t, v);
	t->evictions++;
}

static struct dom *create_dom(struct fw_domstate *t, const char *key, size_t len, uint32_t now)
{
	uint64_t hash = fw_ntab_hash(&t->tab, key);
	struct dom *d;
	bool back;

	if (t->tab.count >= t->p.max_domains)
		evict_one(t);
	d = acct_alloc(t, sizeof(*d) + len + 1);
	if (!d)
		return NULL;
	memcpy(d->name, key, len + 1);
	d->first_seen = now;
	d->bucket_epoch = now / bucket_len(t);
	fw_ntab_insert(&t->tab, &d->node, hash);
	back = fw_recent_has(t->evicted, hash);
	lru_push_head(t, d, back ? SEG_MAIN : SEG_PROBATION);
	if (back)
		balance(t);
	return d;
}

/* A key seen again: the head of its segment, or of main when seen in a later second. */
static void touch_dom(struct fw_domstate *t, struct dom *d, uint32_t now)
{
	bool later = now > d->last_seen;

	if (later && d->hits < UINT8_MAX)
		d->hits++;
	lru_unlink(t, d);
	if (d->seg == SEG_PROBATION && now > d->first_seen) {
		lru_push_head(t, d, SEG_MAIN);
		balance(t);
	} else {
		lru_push_head(t, d, d->seg);
	}
}

/* ---- windowed counters ---------------------------------------------- */

/* Clear the buckets that fell out of the window before counting into now's. */
static void advance_buckets(struct fw_domstate *t, struct dom *d, uint32_t now)
{
	uint32_t epoch = now / bucket_len(t), e;
	int c;

	if (epoch <= d->bucket_epoch)
		return;
	for (e = d->bucket_epoch + 1; e <= epoch && e - d->bucket_epoch <= NBUCKETS; e++)
		for (c = 0; c < C_COUNT; c++)
			d->cnt[c][e % NBUCKETS] = 0;
	d->bucket_epoch = epoch;
}

static void count_add(struct dom *d, enum dom_counter c, uint32_t v)
{
	uint16_t *slot = &d->cnt[c][d->bucket_epoch % NBUCKETS];
	uint32_t sum = *slot + v;

	*slot = sum > UINT16_MAX ? UINT16_MAX : (uint16_t)sum;
}

static void count_max(struct dom *d, enum dom_counter c, uint32_t v)
{
	uint16_t *slot = &d->cnt[c][d->bucket_epoch % NBUCKETS];

	if (v > *slot)
		*slot = v > UINT16_MAX ? UINT16_MAX : (uint16_t)v;
}

/* Sum (or max) of the buckets still inside the window ending at now. */
static uint32_t count_read(const struct fw_domstate *t, const struct dom *d, enum dom_counter c,
			   uint32_t now)
{
	uint32_t epoch = now / bucket_len(t), v = 0, e;

	for (e = 0; e < NBUCKETS; e++) {
		uint32_t be = d->bucket_epoch >= e ? d->bucket_epoch - e : UINT32_MAX;
		uint16_t x;

		if (be == UINT32_MAX || be > epoch || epoch - be >= NBUCKETS)
			continue;
		x = d->cnt[c][be % NBUCKETS];
		if (c == C_ANSWER_MAX || c == C_NS_HOST_MAX)
			v = x > v ? x : v;
		else
			v += x;
	}
	return v;
}

/* ---- hashing -------------------------------------------------------- */

static uint64_t addr_hash(const uint8_t addr[16])
{
	return fw_addr_hash(addr, 0x9e3779b97f4a7c15ull);
}

static uint32_t text_hash32(const char *s)
{
	uint32_t h = 2166136261u;

	while (*s) {
		h ^= (unsigned char)*s++;
		h *= 16777619u;
	}
	return h ? h : 1;
}

static bool is_mapped_v4(const uint8_t a[16])
{
	static const uint8_t prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

	return memcmp(a, prefix, sizeof(prefix)) == 0;
}

static void from_mapped(const uint8_t a[16], struct fw_ip *ip)
{
	memset(ip, 0, sizeof(*ip));
	if (is_mapped_v4(a)) {
		ip->family = AF_INET;
		memcpy(ip->addr, a + 12, 4);
	} else {
		ip->family = AF_INET6;
		memcpy(ip->addr, a, 16);
	}
}

/* ---- cardinality sketch --------------------------------------------- */

/* Move the generations along so gen[cur] is now's half window. */
static void hll_advance(const struct fw_domstate *t, struct hll *h, uint32_t now)
{
	uint32_t epoch = now / (t->p.window_s / 2);

	if (epoch <= h->epoch)
		return;
	if (epoch == h->epoch + 1) {
		h->cur ^= 1;
	} else {
		memset(h->reg[h->cur ^ 1], 0, HLL_REGS);
	}
	memset(h->reg[h->cur], 0, HLL_REGS);
	h->epoch = epoch;
}

static void hll_add(struct hll *h, const uint8_t addr[16])
{
	uint64_t x = addr_hash(addr);
	uint64_t w = x >> 6;
	uint8_t rank = w ? (uint8_t)(__builtin_clzll(w) - 6 + 1) : 59;
	uint8_t *r = &h->reg[h->cur][x & (HLL_REGS - 1)];

	if (rank > *r)
		*r = rank;
}

static double hll_estimate(const struct fw_domstate *t, const struct hll *h, uint32_t now)
{
	uint32_t epoch = now / (t->p.window_s / 2);
	double sum = 0.0, m = HLL_REGS, e;
	int zeros = 0, i;

	if (epoch > h->epoch + 1)
		return 0.0;
	for (i = 0; i < HLL_REGS; i++) {
		uint8_t cur = epoch == h->epoch ? h->reg[h->cur][i] : 0;
		uint8_t prev = h->reg[epoch == h->epoch ? h->cur ^ 1 : h->cur][i];
		uint8_t r = cur > prev ? cur : prev;

		sum += ldexp(1.0, -r);
		zeros += r == 0;
	}
	e = 0.709 * m * m / sum;
	if (e <= 2.5 * m && zeros)
		e = m * log(m / zeros); /* linear counting for small sets */
	return e;
}

/* ---- the exact IP set ------------------------------------------------ */

static void expire_ips(const struct fw_domstate *t, struct dom *d, uint32_t now)
{
	uint8_t i = 0;

	while (i < d->n_ips) {
		if (live(t, d->ips[i].last, now)) {
			i++;
			continue;
		}
		d->ips[i] = d->ips[--d->n_ips];
	}
}

static struct ip_rec *find_ip(struct dom *d, const uint8_t addr[16])
{
	uint8_t i;

	for (i = 0; i < d->n_ips; i++)
		if (memcmp(d->ips[i].addr, addr, 16) == 0)
			return &d->ips[i];
	return NULL;
}

/*
 * Start the sketch with every IP held so far plus the one being added,
 * all of them already counted exactly; from here on new IPs are counted
 * by how much the estimate grows.
 */
static int start_sketch(struct fw_domstate *t, struct dom *d, const uint8_t addr[16], uint32_t now)
{
	uint8_t i;

	d->hll = acct_alloc(t, sizeof(*d->hll));
	if (!d->hll)
		return -1;
	d->hll->epoch = now / (t->p.window_s / 2);
	for (i = 0; i < d->n_ips; i++)
		hll_add(d->hll, d->ips[i].addr);
	hll_add(d->hll, addr);
	d->hll->counted = (float)hll_estimate(t, d->hll, now);
	return 0;
}

/*
 * New IPs the sketch saw since the last call: the growth of its estimate,
 * in whole IPs (the fraction carries over). A drop (old generation gone)
 * just resets the baseline.
 */
static uint32_t sketch_new_ips(const struct fw_domstate *t, struct hll *h, uint32_t now)
{
	double est = hll_estimate(t, h, now), grown = est - h->counted;
	uint32_t n;

	if (grown <= 0.0) {
		h->counted = (float)est;
		return 0;
	}
	n = (uint32_t)grown;
	h->counted += (float)n;
	return n;
}

/* A free slot in the IP array: grow it, or reuse the least recently seen. */
static struct ip_rec *ip_slot(struct fw_domstate *t, struct dom *d, const uint8_t addr[16],
			      uint32_t now)
{
	uint8_t i, oldest = 0;

	if (d->n_ips < d->cap_ips)
		return &d->ips[d->n_ips++];
	if (d->cap_ips < t->p.exact_ips) {
		uint32_t cap = d->cap_ips ? d->cap_ips * 2u : 4u;
		struct ip_rec *n;

		if (cap > t->p.exact_ips)
			cap = t->p.exact_ips;
		n = acct_realloc(t, d->ips, cap * sizeof(*n));
		if (!n)
			return NULL;
		d->ips = n;
		d->cap_ips = (uint8_t)cap;
		return &d->ips[d->n_ips++];
	}
	/* Full: from now on the sketch counts what the exact set forgets. */
	if (!d->hll && start_sketch(t, d, addr, now) < 0)
		return NULL;
	for (i = 1; i < d->n_ips; i++)
		if (d->ips[i].last < d->ips[oldest].last)
			oldest = i;
	return &d->ips[oldest];
}

static int16_t to_cdeg(double deg)
{
	return (int16_t)lround(deg * 100.0);
}

static void fill_geo(struct ip_rec *r, const struct fw_ip *ip, struct fw_geo *geo)
{
	struct fw_geo_info gi;

	fw_geo_lookup(geo, ip, &gi);
	r->asn = gi.asn;
	r->cc[0] = gi.country[0];
	r->cc[1] = gi.country[0] ? gi.country[1] : 0;
	if (gi.has_location) {
		r->flags |= IP_HAS_LOC;
		r->lat_cdeg = to_cdeg(gi.latitude);
		r->lon_cdeg = to_cdeg(gi.longitude);
	}
}

static uint16_t clamp_ttl(uint32_t ttl)
{
	return ttl > UINT16_MAX ? UINT16_MAX : (uint16_t)ttl;
}

/* Whether r's ASN is known and no other address held has it. */
static bool asn_is_new(const struct dom *d, const struct ip_rec *r)
{
	uint8_t i;

	if (!r->asn)
		return false;
	for (i = 0; i < d->n_ips; i++)
		if (&d->ips[i] != r && d->ips[i].asn == r->asn)
			return false;
	return true;
}

/*
 * Account one answer address. Returns 1 when it is surely new to the
 * window (no sketch yet, so the exact set holds the whole window), 0 when
 * it is known or the sketch will count it, -1 out of memory. *new_asn is
 * set when the address brought an ASN the window did not hold.
 */
static int add_ip(struct fw_domstate *t, struct dom *d, const struct fw_obs_addr *a, bool new_set,
		  uint32_t now, struct fw_geo *geo, bool *new_asn)
{
	bool had_sketch = d->hll != NULL;
	struct ip_rec *r;
	uint8_t addr[16];

	fw_ip_mapped(&a->ip, addr);
	r = find_ip(d, addr);
	if (r) {
		r->last = now;
		/* a resolver's cache only counts TTLs down: the largest is the zone's */
		if (clamp_ttl(a->ttl) > r->ttl)
			r->ttl = clamp_ttl(a->ttl);
		if (new_set && r->n_sets < UINT8_MAX)
			r->n_sets++;
		if (d->hll)
			hll_add(d->hll, addr);
		return 0;
	}
	if (had_sketch)
		hll_add(d->hll, addr);
	r = ip_slot(t, d, addr, now);
	if (!r)
		return -1;
	memset(r, 0, sizeof(*r));
	memcpy(r->addr, addr, 16);
	r->first = r->last = now;
	r->ttl = clamp_ttl(a->ttl);
	r->n_sets = 1;
	fill_geo(r, &a->ip, geo);
	if (asn_is_new(d, r))
		*new_asn = true;
	return had_sketch ? 0 : 1;
}

/* ---- answer sets ----------------------------------------------------- */

/* True when fp is a set not seen in the window; remembers it either way. */
static bool remember_set(const struct fw_domstate *t, struct dom *d, uint32_t fp, uint32_t now)
{
	uint8_t i, victim = 0;

	for (i = 0; i < d->n_fps; i++) {
		if (d->fp[i] == fp && live(t, d->fp_last[i], now)) {
			d->fp_last[i] = now;
			return false;
		}
	}
	if (d->n_fps < FP_RING) {
		victim = d->n_fps++;
	} else {
		for (i = 1; i < FP_RING; i++)
			if (d->fp_last[i] < d->fp_last[victim])
				victim = i;
	}
	d->fp[victim] = fp;
	d->fp_last[victim] = now;
	return true;
}

static bool seen_earlier_in(const struct fw_obs *obs, uint8_t idx)
{
	uint8_t j;

	for (j = 0; j < idx; j++)
		if (fw_ip_equal(&obs->addrs[j].ip, &obs->addrs[idx].ip))
			return true;
	return false;
}

static int observe_answer(struct fw_domstate *t, struct dom *d, const struct fw_obs *obs,
			  uint32_t now, struct fw_geo *geo)
{
	bool had_ips = d->n_ips > 0, new_set, new_asn = false;
	uint32_t new_ips = 0, n_addrs = 0;
	int flags = 0, rc;
	uint8_t i;

	new_set = remember_set(t, d, (uint32_t)(fw_obs_address_fp(obs) >> 32) | 1, now);
	for (i = 0; i < obs->n_addrs && i < FW_OBS_MAX_ADDRS; i++) {
		const struct fw_obs_addr *a = &obs->addrs[i];

		if ((a->ip.family != AF_INET && a->ip.family != AF_INET6) ||
		    seen_earlier_in(obs, i))
			continue;
		rc = add_ip(t, d, a, new_set, now, geo, &new_asn);
		if (rc < 0)
			return -1;
		new_ips += (uint32_t)rc;
		n_addrs++;
	}
	if (d->hll)
		new_ips += sketch_new_ips(t, d->hll, now);
	/* the sketch's error must not make one answer bring more than it holds */
	if (new_ips > n_addrs)
		new_ips = n_addrs;
	count_max(d, C_ANSWER_MAX, n_addrs);
	if (new_set) {
		flags |= FW_DS_NEW_ANSWER_SET;
		count_add(d, C_SETS, 1);
		if (had_ips) {
			count_add(d, C_LATER_SETS, 1);
			count_add(d, C_LATER_NEW, new_ips);
			count_add(d, C_NEW_ASN, new_asn);
		}
	}
	if (new_ips)
		flags |= FW_DS_NEW_IPS;
	return flags;
}

/* ---- NS names and addresses (double flux) ---------------------------- */

/*
 * Remember h in a small set with last-seen times. Returns true when h is
 * new and known_set says the set held live members before this response:
 * a change of NS, not the first sighting of the domain's NS set.
 */
static bool track_ns(const struct fw_domstate *t, uint32_t *hash, uint32_t *last, uint8_t *n,
		     uint32_t h, bool known_set, uint32_t now)
{
	uint8_t i, victim = 0;

	for (i = 0; i < *n; i++) {
		if (live(t, last[i], now) && hash[i] == h) {
			last[i] = now;
			return false;
		}
	}
	if (*n < NS_TRACK) {
		victim = (*n)++;
	} else {
		for (i = 1; i < NS_TRACK; i++)
			if (last[i] < last[victim])
				victim = i;
	}
	hash[victim] = h;
	last[victim] = now;
	return known_set;
}

static uint32_t live_count(const struct fw_domstate *t, const uint32_t *last, uint8_t n,
			   uint32_t now)
{
	uint32_t c = 0;
	uint8_t i;

	for (i = 0; i < n; i++)
		c += live(t, last[i], now);
	return c;
}

int fw_domstate_ns_key(const char *host, char *buf, size_t len)
{
	return snprintf(buf, len, ".%s", host) < (int)len && strlen(buf) <= FW_DS_KEY_MAX ? 0 : -1;
}

/*
 * The most address churn among the response's NS hosts, each tracked under
 * its NS key (the detector feeds their glue there): a host whose
 * addresses keep changing is double flux for every domain it serves, even
 * one whose own NS set never changes.
 */
static uint32_t ns_host_churn(const struct fw_domstate *t, const struct dom *d,
			      const struct fw_obs *obs, uint32_t now)
{
	char key[FW_DS_KEY_MAX + 2];
	uint32_t most = 0, c;
	uint8_t i;

	for (i = 0; i < obs->n_ns && i < FW_OBS_MAX_NS; i++) {
		const struct dom *h;

		if (fw_domstate_ns_key(obs->ns[i].name, key, sizeof(key)))
			continue;
		h = find_dom(t, key);
		if (!h || h == d)
			continue;
		c = count_read(t, h, C_LATER_NEW, now);
		most = c > most ? c : most;
	}
	return most;
}

static int observe_ns(struct fw_domstate *t, struct dom *d, const struct fw_obs *obs, uint32_t now)
{
	uint32_t names = 0, addrs = 0;
	bool known_names, known_addrs;
	uint8_t i, addr[16];

	if (!obs->n_ns && !obs->n_glue)
		return 0;
	if (!d->ns) {
		d->ns = acct_alloc(t, sizeof(*d->ns));
		if (!d->ns)
			return -1;
	}
	known_names = live_count(t, d->ns->name_last, d->ns->n_names, now) > 0;
	known_addrs = live_count(t, d->ns->addr_last, d->ns->n_addrs, now) > 0;
	for (i = 0; i < obs->n_ns && i < FW_OBS_MAX_NS; i++)
		names += track_ns(t, d->ns->name_hash, d->ns->name_last, &d->ns->n_names,
				  text_hash32(obs->ns[i].name), known_names, now);
	for (i = 0; i < obs->n_glue && i < FW_OBS_MAX_GLUE; i++) {
		fw_ip_mapped(&obs->glue[i], addr);
		addrs += track_ns(t, d->ns->addr_hash, d->ns->addr_last, &d->ns->n_addrs,
				  (uint32_t)addr_hash(addr) | 1, known_addrs, now);
	}
	count_add(d, C_NS_NAME_NEW, names);
	count_add(d, C_NS_ADDR_NEW, addrs);
	count_max(d, C_NS_HOST_MAX, ns_host_churn(t, d, obs, now));
	return 0;
}

/*
 * Remember the query name under a key that is not that name itself. Most
 * responses repeat the last name: that costs a hash, not a visit to the
 * name set, which lives in a block of its own.
 */
static int observe_qname(struct fw_domstate *t, struct dom *d, const struct fw_obs *obs,
			 uint32_t now)
{
	uint32_t h;

	if (!d->qn && !strcmp(obs->qname, d->name))
		return 0;
	h = text_hash32(obs->qname);
	if (d->qn && h == d->last_qn && now - d->qn_seen < bucket_len(t))
		return 0;
	d->last_qn = h;
	d->qn_seen = now;
	if (!d->qn) {
		d->qn = acct_alloc(t, sizeof(*d->qn));
		if (!d->qn)
			return -1;
	}
	track_ns(t, d->qn->hash, d->qn->last, &d->qn->n, h, false, now);
	return 0;
}

/* ---- observe --------------------------------------------------------- */

int fw_domstate_observe(struct fw_domstate *t, const char *key, const struct fw_obs *obs,
			struct fw_geo *geo)
{
	size_t len = key ? strnlen(key, FW_DS_KEY_MAX + 1) : 0;
	uint32_t now;
	struct dom *d;
	int flags = 0, rc;

	if (!len || len > FW_DS_KEY_MAX)
		return -1;
	now = rel_time(t, obs->ts_ns);
	t->geo_features |= fw_geo_features(geo);
	d = find_dom(t, key);
	if (!d) {
		d = create_dom(t, key, len, now);
		if (!d)
			return -1;
		flags |= FW_DS_NEW_DOMAIN;
	} else {
		touch_dom(t, d, now);
	}
	if (now > d->last_seen)
		d->last_seen = now;
	advance_buckets(t, d, now);
	expire_ips(t, d, now);
	if (d->hll)
		hll_advance(t, d->hll, now);
	count_add(d, C_OBS, 1);
	if (obs->n_addrs) {
		rc = observe_answer(t, d, obs, now, geo);
		if (rc < 0)
			return -1;
		flags |= rc;
	}
	if (observe_ns(t, d, obs, now) < 0 || observe_qname(t, d, obs, now) < 0)
		return -1;
	return flags;
}

uint8_t *fw_domstate_tag(struct fw_domstate *t, const char *key)
{
	struct dom *d = find_dom(t, key);

	return d ? &d->tag : NULL;
}

uint32_t *fw_domstate_network(struct fw_domstate *t, const char *key)
{
	struct dom *d = find_dom(t, key);

	return d ? &d->network : NULL;
}

int fw_domstate_forget(struct fw_domstate *t, const char *key)
{
	struct dom *d = find_dom(t, key);

	if (!d)
		return -1;
	dom_destroy(t, d);
	return 0;
}

/* ---- features -------------------------------------------------------- */

/* Live IP records, copied so reads never change the table. */
static uint32_t live_ips(const struct fw_domstate *t, const struct dom *d, uint32_t now,
			 struct ip_rec *out)
{
	uint32_t n = 0;
	uint8_t i;

	for (i = 0; i < d->n_ips; i++)
		if (live(t, d->ips[i].last, now))
			out[n++] = d->ips[i];
	return n;
}

/* /24 for IPv4, /48 for IPv6 (wide: /16 and /32), as one comparable key. */
static uint64_t prefix_key(const struct ip_rec *r, bool wide)
{
	const uint8_t *a = r->addr;

	if (is_mapped_v4(a))
		return (1ull << 63) | ((uint64_t)a[12] << 16) | ((uint64_t)a[13] << 8) |
		       (wide ? 0 : a[14]);
	return ((uint64_t)a[0] << 40) | ((uint64_t)a[1] << 32) | ((uint64_t)a[2] << 24) |
	       ((uint64_t)a[3] << 16) | (wide ? 0 : ((uint64_t)a[4] << 8) | a[5]);
}

/*
 * The arrays sorted per feature read hold at most FW_DS_MAX_EXACT_IPS
 * values: insertion sort beats qsort's calls through a comparator there,
 * and feature reads are on the scorer's hot path.
 */
static void sort_u64(uint64_t *v, uint32_t n)
{
	uint32_t i, j;

	for (i = 1; i < n; i++) {
		uint64_t x = v[i];

		for (j = i; j > 0 && v[j - 1] > x; j--)
			v[j] = v[j - 1];
		v[j] = x;
	}
}

/*
 * Distinct keys in a sorted array; with entropy non-NULL also the Shannon
 * entropy of the keys' shares, divided by log2(n): 1 when every key is
 * different, 0 when all are the same.
 */
static uint32_t distinct_sorted(const uint64_t *k, uint32_t n, double *entropy)
{
	uint32_t distinct = 0, i = 0, j;
	double h = 0.0;

	while (i < n) {
		for (j = i; j < n && k[j] == k[i]; j++)
			;
		distinct++;
		h -= (double)(j - i) / n * log2((double)(j - i) / n);
		i = j;
	}
	if (entropy)
		*entropy = n > 1 ? h / log2((double)n) : 0.0;
	return distinct;
}

static void prefix_features(const struct ip_rec *ips, uint32_t n, struct fw_features *f)
{
	uint64_t keys[FW_DS_MAX_EXACT_IPS];
	uint32_t i;

	for (i = 0; i < n; i++)
		keys[i] = prefix_key(&ips[i], false);
	sort_u64(keys, n);
	f->n_prefixes = distinct_sorted(keys, n, &f->prefix_entropy);
	for (i = 0; i < n; i++)
		keys[i] = prefix_key(&ips[i], true);
	sort_u64(keys, n);
	f->n_wide_prefixes = distinct_sorted(keys, n, NULL);
}

/*
 * Distinct continents of the located addresses, and how many equally
 * common continents they are worth (inverse Simpson): a regional pool with
 * a few mislocated strays stays near 1, a botnet scattered over the world
 * goes towards the number of continents.
 */
static uint32_t continents_of(const struct ip_rec *ips, uint32_t n, double *effective)
{
	const char *name[8];
	uint32_t count[8], kinds = 0, located = 0, i, j;
	double sum_sq = 0.0;

	for (i = 0; i < n; i++) {
		char cc[3] = {(char)ips[i].cc[0], (char)ips[i].cc[1], 0};
		const char *c = fw_continent_of(cc);

		if (!c)
			continue;
		located++;
		for (j = 0; j < kinds && strcmp(name[j], c); j++)
			;
		if (j == kinds && kinds < 8) {
			name[kinds] = c;
			count[kinds++] = 0;
		}
		if (j < kinds)
			count[j]++;
	}
	for (j = 0; j < kinds; j++)
		sum_sq += (double)count[j] * count[j];
	*effective = located ? (double)located * located / sum_sq : 0.0;
	return kinds;
}

/*
 * How many equally common values the sorted list is worth: the inverse
 * Simpson index. Ten IPs in ten countries give 10; seven in one country and
 * one each in three others give 2.
 */
static double effective_count(const uint64_t *sorted, uint32_t n)
{
	double sum_sq = 0.0;
	uint32_t i, run;

	if (!n)
		return 0.0;
	for (i = 0; i < n; i += run) {
		for (run = 1; i + run < n && sorted[i + run] == sorted[i]; run++)
			;
		sum_sq += (double)run * run;
	}
	return (double)n * n / sum_sq;
}

static void network_features(const struct ip_rec *ips, uint32_t n, struct fw_features *f)
{
	uint64_t asns[FW_DS_MAX_EXACT_IPS], ccs[FW_DS_MAX_EXACT_IPS];
	uint32_t na = 0, nc = 0, i;

	for (i = 0; i < n; i++) {
		if (ips[i].asn)
			asns[na++] = ips[i].asn;
		if (ips[i].cc[0])
			ccs[nc++] = (uint64_t)(unsigned char)ips[i].cc[0] << 8 |
				    (unsigned char)ips[i].cc[1];
	}
	sort_u64(asns, na);
	sort_u64(ccs, nc);
	f->n_asns = distinct_sorted(asns, na, NULL);
	f->n_countries = distinct_sorted(ccs, nc, NULL);
	f->eff_countries = effective_count(ccs, nc);
	f->n_continents = continents_of(ips, n, &f->eff_continents);
}

/* Largest great-circle distance: smallest dot product of unit vectors. */
static void spread_feature(const struct ip_rec *ips, uint32_t n, struct fw_features *f)
{
	double v[FW_DS_MAX_EXACT_IPS][3], min_dot = 1.0;
	uint32_t m = 0, i, j;

	for (i = 0; i < n; i++) {
		double lat, lon;

		if (!(ips[i].flags & IP_HAS_LOC))
			continue;
		lat = ips[i].lat_cdeg / 100.0 * M_PI / 180.0;
		lon = ips[i].lon_cdeg / 100.0 * M_PI / 180.0;
		v[m][0] = cos(lat) * cos(lon);
		v[m][1] = cos(lat) * sin(lon);
		v[m][2] = sin(lat);
		m++;
	}
	for (i = 0; i < m; i++) {
		for (j = i + 1; j < m; j++) {
			double dot = v[i][0] * v[j][0] + v[i][1] * v[j][1] + v[i][2] * v[j][2];

			if (dot < min_dot)
				min_dot = dot;
		}
	}
	if (min_dot < -1.0)
		min_dot = -1.0;
	f->n_located = m;
	f->geo_spread_km = m > 1 ? EARTH_KM * acos(min_dot) : 0.0;
}

static void ttl_features(const struct ip_rec *ips, uint32_t n, struct fw_features *f)
{
	uint64_t ttl[FW_DS_MAX_EXACT_IPS];
	uint32_t low = 0, i;

	if (!n)
		return;
	for (i = 0; i < n; i++) {
		ttl[i] = ips[i].ttl;
		low += ttl[i] < FW_DS_LOW_TTL;
	}
	sort_u64(ttl, n);
	f->ttl_min = (uint32_t)ttl[0];
	f->ttl_median = (uint32_t)ttl[(n - 1) / 2];
	f->ttl_high = (uint32_t)ttl[(n * 9) / 10 < n ? (n * 9) / 10 : n - 1];
	f->ttl_low_share = (double)low / n;
}

static void rotation_features(const struct fw_domstate *t, const struct dom *d,
			      const struct ip_rec *ips, uint32_t n, uint32_t now,
			      struct fw_features *f)
{
	uint32_t later = count_read(t, d, C_LATER_SETS, now), persistent = 0, i;

	f->n_answer_sets = count_read(t, d, C_SETS, now);
	f->max_answer_size = count_read(t, d, C_ANSWER_MAX, now);
	f->rotation = later ? (double)count_read(t, d, C_LATER_NEW, now) / later : 0.0;
	f->asn_novelty = later ? (double)count_read(t, d, C_NEW_ASN, now) / later : 0.0;
	for (i = 0; i < n; i++)
		persistent += ips[i].n_sets >= 2;
	f->ip_persistence = n ? (double)persistent / n : 0.0;
}

static void ns_features(const struct fw_domstate *t, const struct dom *d, uint32_t now,
			struct fw_features *f)
{
	f->ns_name_churn = count_read(t, d, C_NS_NAME_NEW, now);
	f->ns_addr_churn = count_read(t, d, C_NS_ADDR_NEW, now);
	f->ns_host_churn = count_read(t, d, C_NS_HOST_MAX, now);
	f->n_qnames = d->qn ? live_count(t, d->qn->last, d->qn->n, now) : 1;
	if (!d->ns)
		return;
	f->n_ns_names = live_count(t, d->ns->name_last, d->ns->n_names, now);
	f->n_ns_addrs = live_count(t, d->ns->addr_last, d->ns->n_addrs, now);
}

int fw_domstate_features(const struct fw_domstate *t, const char *key, uint64_t now_ns,
			 struct fw_features *f)
{
	const struct dom *d = find_dom(t, key);
	struct ip_rec ips[FW_DS_MAX_EXACT_IPS];
	uint32_t now, n;

	memset(f, 0, sizeof(*f));
	if (!d)
		return -1;
	now = rel_time_const(t, now_ns);
	n = live_ips(t, d, now, ips);
	f->window_s = t->p.window_s;
	f->first_seen_s = t->base_s + d->first_seen;
	f->last_seen_s = t->base_s + d->last_seen;
	f->observations = count_read(t, d, C_OBS, now);
	f->n_ips_exact = n;
	f->n_ips = n;
	if (d->hll) {
		double est = hll_estimate(t, d->hll, now);

		if (est > n) {
			f->n_ips = (uint32_t)lround(est);
			f->ips_estimated = true;
		}
	}
	prefix_features(ips, n, f);
	network_features(ips, n, f);
	spread_feature(ips, n, f);
	ttl_features(ips, n, f);
	rotation_features(t, d, ips, n, now, f);
	ns_features(t, d, now, f);
	f->geo_features = t->geo_features;
	return 0;
}

/* ---- evidence -------------------------------------------------------- */

static int cmp_latest_first(const void *a, const void *b)
{
	const struct ip_rec *x = a, *y = b;

	if (x->last != y->last)
		return x->last > y->last ? -1 : 1;
	return memcmp(x->addr, y->addr, 16);
}

static void group_add(struct fw_ev_group *g, uint32_t *n, uint32_t asn, const char *cc,
		      const struct fw_ev_ip *ip)
{
	uint32_t i;

	for (i = 0; i < *n; i++)
		if (g[i].asn == asn && strcmp(g[i].country, cc) == 0)
			break;
	if (i == *n) {
		memset(&g[i], 0, sizeof(g[i]));
		g[i].asn = asn;
		memcpy(g[i].country, cc, strnlen(cc, sizeof(g[i].country) - 1));
		g[i].first_seen_s = ip->first_seen_s;
		(*n)++;
	}
	if (ip->first_seen_s < g[i].first_seen_s)
		g[i].first_seen_s = ip->first_seen_s;
	if (ip->last_seen_s > g[i].last_seen_s)
		g[i].last_seen_s = ip->last_seen_s;
	g[i].n_ips++;
}

int fw_domstate_evidence(const struct fw_domstate *t, const char *key, uint64_t now_ns,
			 struct fw_evidence *ev)
{
	const struct dom *d = find_dom(t, key);
	struct ip_rec ips[FW_DS_MAX_EXACT_IPS];
	uint32_t n, i;

	memset(ev, 0, sizeof(*ev));
	if (!d)
		return -1;
	n = live_ips(t, d, rel_time_const(t, now_ns), ips);
	qsort(ips, n, sizeof(ips[0]), cmp_latest_first);
	for (i = 0; i < n; i++) {
		struct fw_ev_ip *e = &ev->ips[ev->n_ips++];

		from_mapped(ips[i].addr, &e->ip);
		e->first_seen_s = t->base_s + ips[i].first;
		e->last_seen_s = t->base_s + ips[i].last;
		e->asn = ips[i].asn;
		e->country[0] = ips[i].cc[0];
		e->country[1] = ips[i].cc[1];
		e->ttl = ips[i].ttl;
		e->n_sets = ips[i].n_sets;
		e->has_location = ips[i].flags & IP_HAS_LOC;
		e->latitude = ips[i].lat_cdeg / 100.0;
		e->longitude = ips[i].lon_cdeg / 100.0;
		if (e->asn)
			group_add(ev->asns, &ev->n_asns, e->asn, "", e);
		if (e->country[0])
			group_add(ev->countries, &ev->n_countries, 0, e->country, e);
	}
	return 0;
}

/* ---- table-wide ------------------------------------------------------ */

size_t fw_domstate_count(const struct fw_domstate *t)
{
	return t->tab.count;
}

uint64_t fw_domstate_evictions(const struct fw_domstate *t)
{
	return t->evictions;
}

size_t fw_domstate_mem_bytes(const struct fw_domstate *t)
{
	return sizeof(*t) + fw_ntab_bytes(&t->tab) + t->mem + fw_recent_bytes(t->evicted);
}
