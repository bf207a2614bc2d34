// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The flux-network index: addresses to the networks of domains; see flux_network.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>

#include "engine/flux_network.h"
#include "engine/hash_mix.h"

#define NET_SLOT_BITS 20
#define NET_SLOT_MASK ((1u << NET_SLOT_BITS) - 1)
#define NET_SAMPLE    8 /* networks looked at to find the oldest to evict */
#define EXPIRE_STEP   4 /* expired addresses dropped per join */
#define NET_MIN_SHARED 2 /* known addresses a response needs to join a network */
#define NONE	      0u
#define REL_BEHIND    (1ull << 31) /* seconds a relative time reaches before the first */

/* 32 bytes. Links and hash slots hold an entry's index plus one. */
struct addr_ent {
	uint8_t addr[16];
	uint32_t last;
	uint32_t net;
	uint32_t prev; /* towards more recently seen */
	uint32_t next;
};

struct netrec {
	uint32_t first, last, flux_until;
	float score;
	uint32_t n_addrs;
	uint16_t gen;
	uint16_t n_domains;
	uint8_t used;
	uint8_t ring; /* next member slot to reuse, 1..FW_NET_MEMBERS-1 */
	uint32_t free_next;
	char *members[FW_NET_MEMBERS]; /* [0] is the founder */
};

struct fw_netidx {
	struct fw_netidx_params p;
	struct addr_ent *ent;
	uint32_t n_ent;	   /* entries ever used */
	uint32_t free_ent; /* free list through next */
	uint32_t count;	   /* entries in the table */
	uint32_t *slot;	   /* open addressing, linear probing */
	uint32_t mask;
	uint32_t lru_head; /* most recently seen */
	uint32_t lru_tail;
	struct netrec *net;
	uint32_t n_net;	   /* network slots ever used */
	uint32_t free_net; /* free list through free_next, slot + 1 */
	uint32_t hand;	   /* where eviction sampling starts */
	uint64_t seed;
	uint64_t base_s;
	bool have_base;
	uint64_t evictions;
	size_t name_bytes;
};

void fw_netidx_params_default(struct fw_netidx_params *p)
{
	p->max_addrs = FW_NET_DEFAULT_MAX_ADDRS;
	p->max_networks = FW_NET_DEFAULT_MAX_NETWORKS;
	p->window_s = 3600;
}

static uint32_t pow2_above(uint32_t n)
{
	uint32_t v = 16;

	while (v < n)
		v <<= 1;
	return v;
}

struct fw_netidx *fw_netidx_new(const struct fw_netidx_params *p, char *err, size_t errlen)
{
	struct fw_netidx *x;

	if (p->max_addrs < 16 || p->max_addrs > (1u << 28) || p->max_networks < 4 ||
	    p->max_networks > NET_SLOT_MASK - 1 || p->window_s < 1) {
		snprintf(err, errlen,
			 "flux network index: %u addresses and %u networks are out of range; use "
			 "16 to %u addresses and 4 to %u networks",
			 p->max_addrs, p->max_networks, 1u << 28, NET_SLOT_MASK - 1);
		return NULL;
	}
	x = calloc(1, sizeof(*x));
	if (!x)
		goto oom;
	x->p = *p;
	x->mask = pow2_above(p->max_addrs * 2u) - 1;
	/* calloc: pages are only touched as the index fills */
	x->ent = calloc(p->max_addrs, sizeof(*x->ent));
	x->slot = calloc((size_t)x->mask + 1, sizeof(*x->slot));
	x->net = calloc(p->max_networks, sizeof(*x->net));
	if (!x->ent || !x->slot || !x->net)
		goto oom;
	if (getrandom(&x->seed, sizeof(x->seed), 0) != sizeof(x->seed))
		x->seed = (uint64_t)(uintptr_t)x ^ 0x2545f4914f6cdd1dull;
	return x;
oom:
	fw_netidx_free(x);
	snprintf(err, errlen, "out of memory for the flux network index (%u addresses)",
		 p->max_addrs);
	return NULL;
}

static void net_clear(struct fw_netidx *x, struct netrec *n)
{
	int i;

	for (i = 0; i < FW_NET_MEMBERS; i++) {
		if (n->members[i])
			x->name_bytes -= strlen(n->members[i]) + 1;
		free(n->members[i]);
		n->members[i] = NULL;
	}
}

void fw_netidx_free(struct fw_netidx *x)
{
	uint32_t i;

	if (!x)
		return;
	for (i = 0; x->net && i < x->n_net; i++)
		net_clear(x, &x->net[i]);
	free(x->ent);
	free(x->slot);
	free(x->net);
	free(x);
}

/* ---- time ------------------------------------------------------------ */

static uint32_t rel(struct fw_netidx *x, uint64_t s)
{
	if (!x->have_base) {
		/* Room behind the first time seen too: a file read at start holds older ones. */
		x->base_s = s > REL_BEHIND ? s - REL_BEHIND : 0; /* 0 stays free to mean "never" */
		x->have_base = true;
	}
	if (s <= x->base_s)
		return 1;
	return s - x->base_s > UINT32_MAX ? UINT32_MAX : (uint32_t)(s - x->base_s);
}

static uint32_t rel_const(const struct fw_netidx *x, uint64_t s)
{
	if (!x->have_base || s <= x->base_s)
		return 1;
	return s - x->base_s > UINT32_MAX ? UINT32_MAX : (uint32_t)(s - x->base_s);
}

static uint64_t abs_s(const struct fw_netidx *x, uint32_t r)
{
	return r ? x->base_s + r : 0;
}

static bool live(const struct fw_netidx *x, uint32_t last, uint32_t now)
{
	return now < last || now - last < x->p.window_s;
}

/* ---- networks -------------------------------------------------------- */

static uint32_t net_id(const struct fw_netidx *x, uint32_t slot)
{
	return ((uint32_t)x->net[slot].gen << NET_SLOT_BITS) | (slot + 1);
}

static struct netrec *net_get(const struct fw_netidx *x, uint32_t id)
{
	uint32_t slot = (id & NET_SLOT_MASK) - 1;
	struct netrec *n;

	if (!id || slot >= x->n_net)
		return NULL;
	n = &x->net[slot];
	if (!n->used || ((uint32_t)n->gen << NET_SLOT_BITS) != (id & ~NET_SLOT_MASK))
		return NULL;
	return n;
}

static void net_release(struct fw_netidx *x, struct netrec *n)
{
	net_clear(x, n);
	n->used = 0;
	n->gen = (n->gen + 1) & ((1u << (32 - NET_SLOT_BITS)) - 1);
	n->free_next = x->free_net;
	x->free_net = (uint32_t)(n - x->net) + 1;
}

/* The least recently seen of a few networks, sparing those marked flux. */
static struct netrec *net_victim(struct fw_netidx *x, uint32_t now)
{
	struct netrec *best = NULL;
	uint32_t i;

	for (i = 0; i < NET_SAMPLE; i++) {
		struct netrec *n = &x->net[(x->hand + i) % x->n_net];
		bool flux = n->flux_until > now;

		if (!best || (!flux && best->flux_until > now) ||
		    (flux == (best->flux_until > now) && n->last < best->last))
			best = n;
	}
	x->hand = (x->hand + NET_SAMPLE) % x->n_net;
	return best;
}

static struct netrec *net_new(struct fw_netidx *x, const char *founder, uint32_t now)
{
	struct netrec *n;
	uint16_t gen;

	if (x->free_net) {
		n = &x->net[x->free_net - 1];
		x->free_net = n->free_next;
	} else if (x->n_net < x->p.max_networks) {
		n = &x->net[x->n_net++];
	} else {
		n = net_victim(x, now);
		net_release(x, n);
		x->free_net = n->free_next; /* take it straight back */
	}
	gen = n->gen;
	memset(n, 0, sizeof(*n));
	n->gen = gen;
	n->used = 1;
	n->ring = 1;
	n->first = n->last = now;
	n->members[0] = strdup(founder);
	if (!n->members[0]) {
		net_release(x, n);
		return NULL;
	}
	x->name_bytes += strlen(founder) + 1;
	n->n_domains = 1;
	return n;
}

static bool net_has_member(const struct netrec *n, const char *domain)
{
	int i;

	for (i = 0; i < FW_NET_MEMBERS; i++)
		if (n->members[i] && !strcmp(n->members[i], domain))
			return true;
	return false;
}

/* Remember a new member; the founder stays, the others take turns. */
static int net_add_member(struct fw_netidx *x, struct netrec *n, const char *domain)
{
	char *copy = strdup(domain);
	char **slot = &n->members[n->ring];

	if (!copy)
		return -1;
	if (*slot) {
		x->name_bytes -= strlen(*slot) + 1;
		free(*slot);
	}
	*slot = copy;
	x->name_bytes += strlen(copy) + 1;
	n->ring = n->ring + 1 < FW_NET_MEMBERS ? n->ring + 1 : 1;
	if (n->n_domains < UINT16_MAX)
		n->n_domains++;
	return 0;
}

static void net_drop_addr(struct fw_netidx *x, uint32_t id, uint32_t now)
{
	struct netrec *n = net_get(x, id);

	if (!n || !n->n_addrs)
		return;
	/* a network with no address left can never be joined again */
	if (!--n->n_addrs && n->flux_until <= now)
		net_release(x, n);
}

/* ---- the address table ----------------------------------------------- */

static uint32_t home(const struct fw_netidx *x, const uint8_t addr[16])
{
	return (uint32_t)fw_addr_hash(addr, x->seed) & x->mask;
}

/* Slot position of addr, or of the empty slot where it would go. */
static uint32_t probe(const struct fw_netidx *x, const uint8_t addr[16])
{
	uint32_t h = home(x, addr);

	while (x->slot[h] && memcmp(x->ent[x->slot[h] - 1].addr, addr, 16))
		h = (h + 1) & x->mask;
	return h;
}

/* Backward-shift deletion keeps every probe chain unbroken. */
static void slot_delete(struct fw_netidx *x, uint32_t i)
{
	uint32_t j = i, k;

	x->slot[i] = 0;
	for (;;) {
		j = (j + 1) & x->mask;
		if (!x->slot[j])
			return;
		k = home(x, x->ent[x->slot[j] - 1].addr);
		if (i <= j ? (i < k && k <= j) : (i < k || k <= j))
			continue;
		x->slot[i] = x->slot[j];
		x->slot[j] = 0;
		i = j;
	}
}

static void lru_unlink(struct fw_netidx *x, uint32_t e)
{
	struct addr_ent *a = &x->ent[e - 1];

	if (a->prev)
		x->ent[a->prev - 1].next = a->next;
	else
		x->lru_head = a->next;
	if (a->next)
		x->ent[a->next - 1].prev = a->prev;
	else
		x->lru_tail = a->prev;
	a->prev = a->next = NONE;
}

static void lru_push(struct fw_netidx *x, uint32_t e)
{
	struct addr_ent *a = &x->ent[e - 1];

	a->prev = NONE;
	a->next = x->lru_head;
	if (x->lru_head)
		x->ent[x->lru_head - 1].prev = e;
	x->lru_head = e;
	if (!x->lru_tail)
		x->lru_tail = e;
}

static void ent_remove(struct fw_netidx *x, uint32_t e, uint32_t now)
{
	struct addr_ent *a = &x->ent[e - 1];

	slot_delete(x, probe(x, a->addr));
	lru_unlink(x, e);
	net_drop_addr(x, a->net, now);
	memset(a, 0, sizeof(*a));
	a->next = x->free_ent;
	x->free_ent = e;
	x->count--;
}

static void expire_tail(struct fw_netidx *x, uint32_t now)
{
	int i;

	for (i = 0; i < EXPIRE_STEP && x->lru_tail; i++) {
		if (live(x, x->ent[x->lru_tail - 1].last, now))
			return;
		ent_remove(x, x->lru_tail, now);
	}
}

static uint32_t ent_alloc(struct fw_netidx *x, uint32_t now)
{
	uint32_t e;

	if (x->count >= x->p.max_addrs && x->lru_tail) {
		ent_remove(x, x->lru_tail, now);
		x->evictions++;
	}
	if (x->free_ent) {
		e = x->free_ent;
		x->free_ent = x->ent[e - 1].next;
	} else {
		e = ++x->n_ent;
	}
	memset(&x->ent[e - 1], 0, sizeof(x->ent[e - 1]));
	return e;
}

/* The live entry of addr, or 0. */
static uint32_t lookup(const struct fw_netidx *x, const uint8_t addr[16], uint32_t now)
{
	uint32_t e = x->slot[probe(x, addr)];

	return e && live(x, x->ent[e - 1].last, now) ? e : NONE;
}

static uint32_t ent_insert(struct fw_netidx *x, const uint8_t addr[16], uint32_t now)
{
	uint32_t e = ent_alloc(x, now);

	memcpy(x->ent[e - 1].addr, addr, 16);
	x->slot[probe(x, addr)] = e;
	lru_push(x, e);
	x->count++;
	return e;
}

/* Give an address to a network; the network it leaves loses it. */
static void ent_assign(struct fw_netidx *x, uint32_t e, uint32_t id, uint32_t now)
{
	struct netrec *n = net_get(x, id);
	struct addr_ent *a = &x->ent[e - 1];

	if (a->net == id)
		return;
	net_drop_addr(x, a->net, now);
	a->net = id;
	if (n)
		n->n_addrs++;
}

/* ---- joining ---------------------------------------------------------- */

struct tally {
	uint32_t id[FW_OBS_MAX_ADDRS];
	uint32_t votes[FW_OBS_MAX_ADDRS];
	uint32_t n;
};

static void vote(struct tally *t, uint32_t id)
{
	uint32_t i;

	for (i = 0; i < t->n && t->id[i] != id; i++)
		;
	if (i == t->n) {
		t->id[t->n] = id;
		t->votes[t->n++] = 0;
	}
	t->votes[i]++;
}

/* The network most known addresses belong to; the older one on a tie. */
static uint32_t winner(const struct fw_netidx *x, const struct tally *t, uint32_t *votes)
{
	uint32_t i, best = 0, best_first = 0;

	*votes = 0;
	for (i = 0; i < t->n; i++) {
		uint32_t first = net_get(x, t->id[i])->first;

		if (t->votes[i] > *votes || (t->votes[i] == *votes && first < best_first)) {
			best = t->id[i];
			best_first = first;
			*votes = t->votes[i];
		}
	}
	return best;
}

/* The response's distinct addresses, mapped, with their live entries. */
static uint32_t collect(struct fw_netidx *x, const struct fw_obs *obs, uint32_t now,
			uint8_t addr[][16], uint32_t *ent, struct tally *t)
{
	uint32_t n = 0, i, j;

	for (i = 0; i < obs->n_addrs && i < FW_OBS_MAX_ADDRS; i++) {
		fw_ip_mapped(&obs->addrs[i].ip, addr[n]);
		for (j = 0; j < n && memcmp(addr[j], addr[n], 16); j++)
			;
		if (j < n)
			continue;
		ent[n] = lookup(x, addr[n], now);
		if (ent[n] && net_get(x, x->ent[ent[n] - 1].net))
			vote(t, x->ent[ent[n] - 1].net);
		n++;
	}
	return n;
}

int fw_netidx_join(struct fw_netidx *x, const char *domain, const struct fw_obs *obs,
		   uint32_t home, uint64_t now_s, struct fw_net_join *out)
{
	uint8_t addr[FW_OBS_MAX_ADDRS][16];
	uint32_t ent[FW_OBS_MAX_ADDRS], now = rel(x, now_s), n, i;
	struct tally t = {.n = 0};
	struct netrec *net;

	memset(out, 0, sizeof(*out));
	expire_tail(x, now);
	n = collect(x, obs, now, addr, ent, &t);
	if (!n)
		return 0;
	out->id = winner(x, &t, &out->known);
	/* one shared address of several is a coincidence, not a network */
	if (out->known < (n < NET_MIN_SHARED ? n : NET_MIN_SHARED))
		out->id = 0;
	if (!out->id && fw_netidx_is_member(x, home, domain))
		out->id = home;
	net = net_get(x, out->id);
	if (!net) {
		net = net_new(x, domain, now);
		if (!net)
			return -1;
		out->id = net_id(x, (uint32_t)(net - x->net));
		out->founded = out->new_member = true;
	} else if (!net_has_member(net, domain)) {
		if (net_add_member(x, net, domain))
			return -1;
		out->new_member = true;
	}
	net->last = now;
	for (i = 0; i < n; i++) {
		if (!ent[i])
			ent[i] = ent_insert(x, addr[i], now);
		else
			lru_unlink(x, ent[i]), lru_push(x, ent[i]);
		x->ent[ent[i] - 1].last = now;
		/* addresses of another live network stay with it: networks never merge */
		if (!net_get(x, x->ent[ent[i] - 1].net))
			ent_assign(x, ent[i], out->id, now);
	}
	out->n_domains = net->n_domains;
	return 0;
}

uint32_t fw_netidx_of(const struct fw_netidx *x, const struct fw_ip *ip, uint64_t now_s)
{
	uint8_t addr[16];
	uint32_t e;

	fw_ip_mapped(ip, addr);
	e = lookup(x, addr, rel_const(x, now_s));
	return e && net_get(x, x->ent[e - 1].net) ? x->ent[e - 1].net : 0;
}

int fw_netidx_info(const struct fw_netidx *x, uint32_t id, struct fw_net_info *out)
{
	const struct netrec *n = net_get(x, id);
	int i;

	memset(out, 0, sizeof(*out));
	if (!n)
		return -1;
	out->id = id;
	out->n_domains = n->n_domains;
	out->n_addrs = n->n_addrs;
	out->first_seen_s = abs_s(x, n->first);
	out->last_seen_s = abs_s(x, n->last);
	out->flux_until_s = abs_s(x, n->flux_until);
	out->flux_score = n->score;
	for (i = 0; i < FW_NET_MEMBERS; i++)
		if (n->members[i])
			out->members[out->n_members++] = n->members[i];
	return 0;
}

bool fw_netidx_is_member(const struct fw_netidx *x, uint32_t id, const char *domain)
{
	const struct netrec *n = net_get(x, id);

	return n && net_has_member(n, domain);
}

void fw_netidx_mark_flux(struct fw_netidx *x, uint32_t id, uint64_t until_s, double score)
{
	struct netrec *n = net_get(x, id);
	uint32_t until = rel(x, until_s);

	if (!n)
		return;
	if (until > n->flux_until)
		n->flux_until = until;
	n->score = (float)score;
}

bool fw_netidx_is_flux(const struct fw_netidx *x, uint32_t id, uint64_t now_s)
{
	const struct netrec *n = net_get(x, id);

	return n && n->flux_until > rel_const(x, now_s);
}

size_t fw_netidx_addr_count(const struct fw_netidx *x)
{
	return x->count;
}

uint64_t fw_netidx_evictions(const struct fw_netidx *x)
{
	return x->evictions;
}

/* What the index holds: its arrays as far as they were ever filled, and names. */
size_t fw_netidx_mem_bytes(const struct fw_netidx *x)
{
	return sizeof(*x) + (size_t)x->n_ent * sizeof(*x->ent) +
	       ((size_t)x->mask + 1) * sizeof(*x->slot) + (size_t)x->n_net * sizeof(*x->net) +
	       x->name_bytes;
}

/* ---- saving the networks marked flux ---------------------------------- */

#define SAVE_MAGIC "# fluxwall flux networks 1"

static int save_net(const struct fw_netidx *x, FILE *out, uint32_t slot)
{
	const struct netrec *n = &x->net[slot];
	int i, sep = 0;

	fprintf(out, "network\t%u\t%llu\t%llu\t%llu\t%.2f\t%u\t", net_id(x, slot),
		(unsigned long long)abs_s(x, n->first), (unsigned long long)abs_s(x, n->last),
		(unsigned long long)abs_s(x, n->flux_until), n->score, n->n_domains);
	for (i = 0; i < FW_NET_MEMBERS; i++)
		if (n->members[i])
			fprintf(out, "%s%s", sep++ ? "," : "", n->members[i]);
	return fputc('\n', out) == EOF ? -1 : 0;
}

int fw_netidx_save(const struct fw_netidx *x, FILE *out, uint64_t now_s)
{
	uint32_t now = rel_const(x, now_s), i;
	char text[FW_IP_TEXT_MAX];
	struct fw_ip ip;

	fprintf(out, "%s\n", SAVE_MAGIC);
	for (i = 0; i < x->n_net; i++)
		if (x->net[i].used && x->net[i].flux_until > now && save_net(x, out, i))
			return -1;
	for (i = 0; i < x->n_ent; i++) {
		const struct addr_ent *a = &x->ent[i];
		const struct netrec *n = a->last ? net_get(x, a->net) : NULL;

		if (!n || n->flux_until <= now || !live(x, a->last, now))
			continue;
		memset(&ip, 0, sizeof(ip));
		if (!memcmp(a->addr, "\0\0\0\0\0\0\0\0\0\0\xff\xff", 12)) {
			ip.family = AF_INET;
			memcpy(ip.addr, a->addr + 12, 4);
		} else {
			ip.family = AF_INET6;
			memcpy(ip.addr, a->addr, 16);
		}
		fw_ip_format(&ip, text, sizeof(text));
		fprintf(out, "address\t%u\t%s\t%llu\n", a->net, text,
			(unsigned long long)abs_s(x, a->last));
	}
	return fflush(out) || ferror(out) ? -1 : 0;
}

struct idmap {
	uint32_t from, to;
};

static int load_network(struct fw_netidx *x, char *line, struct idmap *map, uint32_t *n_map,
			uint64_t now_s)
{
	unsigned long long first, last, until;
	unsigned old, domains;
	char members[4096], *m, *save = NULL;
	struct netrec *n = NULL;
	float score;

	if (sscanf(line, "network\t%u\t%llu\t%llu\t%llu\t%f\t%u\t%4095s", &old, &first, &last,
		   &until, &score, &domains, members) != 7)
		return -1;
	if (until <= now_s)
		return 0; /* expired while the daemon was down */
	for (m = strtok_r(members, ",", &save); m; m = strtok_r(NULL, ",", &save)) {
		if (!n) {
			n = net_new(x, m, rel(x, first));
			if (!n)
				return -1;
		} else if (net_add_member(x, n, m)) {
			return -1;
		}
	}
	if (!n)
		return -1;
	n->last = rel(x, last);
	n->flux_until = rel(x, until);
	n->score = score;
	n->n_domains = domains > UINT16_MAX ? UINT16_MAX : (uint16_t)domains;
	map[*n_map].from = old;
	map[(*n_map)++].to = net_id(x, (uint32_t)(n - x->net));
	return 0;
}

static int load_address(struct fw_netidx *x, const char *line, const struct idmap *map,
			uint32_t n_map, uint64_t now_s)
{
	char text[FW_IP_TEXT_MAX + 1];
	unsigned long long last;
	uint8_t addr[16];
	struct fw_ip ip;
	uint32_t e, i, now;
	unsigned old;

	if (sscanf(line, "address\t%u\t%46s\t%llu", &old, text, &last) != 3 ||
	    fw_ip_parse(text, &ip))
		return -1;
	for (i = 0; i < n_map && map[i].from != old; i++)
		;
	now = rel(x, now_s);
	if (i == n_map || !live(x, rel(x, last), now))
		return 0; /* its network expired: nothing to restore */
	fw_ip_mapped(&ip, addr);
	e = lookup(x, addr, now);
	if (!e)
		e = ent_insert(x, addr, now);
	x->ent[e - 1].last = rel(x, last);
	ent_assign(x, e, map[i].to, now);
	return 0;
}

int fw_netidx_load(struct fw_netidx *x, FILE *in, uint64_t now_s, char *err, size_t errlen)
{
	uint32_t n_map = 0, lineno = 0;
	struct idmap *map = calloc(x->p.max_networks, sizeof(*map));
	char line[8192];
	int rc = 0;

	if (!map) {
		snprintf(err, errlen, "out of memory loading flux networks");
		return -1;
	}
	rel(x, now_s); /* times are placed around now, not around the file's first one */
	while (!rc && fgets(line, sizeof(line), in)) {
		lineno++;
		line[strcspn(line, "\n")] = '\0';
		if (lineno == 1 && strcmp(line, SAVE_MAGIC))
			rc = -1;
		else if (!strncmp(line, "network\t", 8))
			rc = n_map < x->p.max_networks ? load_network(x, line, map, &n_map, now_s)
						       : 0;
		else if (!strncmp(line, "address\t", 8))
			rc = load_address(x, line, map, n_map, now_s);
		else if (lineno > 1 && line[0])
			rc = -1;
	}
	if (rc)
		snprintf(err, errlen, "line %u is not a flux network record: %.60s", lineno, line);
	free(map);
	return rc;
}
