// SPDX-License-Identifier: GPL-2.0-only
/*
 * hostile - a user-space, deliberately wrong blkif frontend (tests/hostile/README.md).
 *
 * Runs inside a PV guest in which xen-blkfront is NOT loaded. It shares its own
 * pages with /dev/xen/gntalloc, allocates and signals event channels with
 * /dev/xen/evtchn, writes its frontend xenstore nodes itself through
 * /dev/xen/xenbus (xenstore wire protocol), walks the xenbus state machine and
 * then speaks blkif wrongly on purpose, one case of the table below at a time.
 *
 *   hostile                 daemon (started by the guest's init through xd.run=):
 *                           polls data/xdh/cmd = "SEQ CASE DEVID", runs the case
 *                           in a child process and answers data/xdh/res =
 *                           "SEQ ok|bad OUTCOME DETAIL"
 *   hostile -l              list the cases: "NAME DEV RULE EXPECT DESCRIPTION"
 *                           (DEV: rw or ro, the device Dom0 attaches for it)
 *   hostile run CASE DEVID  run one case now (debugging)
 *
 * Outcomes: error (the request was answered with a negative status), ok (answered
 * with success), closed (backend switched to Closing/Closed), connected (backend
 * accepted a bogus configuration), none (nothing happened within the bound),
 * survived (stress case: the device still served a verified request afterwards),
 * leak (a response carried bytes the frontend never wrote), broken (the test
 * itself could not run). Each case names the outcomes that are acceptable.
 *
 * The layouts are those of include/xen/interface/io/{blkif,ring}.h for x86_64.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/types.h>
#include <sys/wait.h>

#include "hostile-lib.h"


/* ------------------------------------------------------------------ blkif */

#define BLKIF_OP_READ		0
#define BLKIF_OP_WRITE		1
#define BLKIF_OP_FLUSH		3
#define BLKIF_OP_DISCARD	5
#define BLKIF_OP_INDIRECT	6
#define BLKIF_MAX_SEGS		11
#define BLKIF_RSP_OKAY		0

struct seg { uint32_t gref; uint8_t first_sect, last_sect; uint16_t pad; };

struct blkreq {
	uint8_t operation;
	union {
		struct __attribute__((packed)) {
			uint8_t nr_segments;
			uint16_t handle;
			uint32_t _pad1;
			uint64_t id;
			uint64_t sector_number;
			struct seg seg[BLKIF_MAX_SEGS];
		} rw;
		struct __attribute__((packed)) {
			uint8_t flag;
			uint16_t _pad1;
			uint32_t _pad2;
			uint64_t id;
			uint64_t sector_number;
			uint64_t nr_sectors;
			uint8_t _pad3;
		} discard;
		struct __attribute__((packed)) {
			uint8_t indirect_op;
			uint16_t nr_segments;
			uint32_t _pad1;
			uint64_t id;
			uint64_t sector_number;
			uint16_t handle;
			uint16_t _pad2;
			uint32_t indirect_grefs[8];
			uint32_t _pad3;
		} indirect;
	} u;
} __attribute__((packed));

struct blkrsp { uint64_t id; uint8_t operation; uint8_t pad1; int16_t status; uint32_t pad2; };

_Static_assert(sizeof(struct blkreq) == 112, "blkif_request size");
_Static_assert(sizeof(struct blkrsp) == 16, "blkif_response size");

#define SLOT_SZ   112

/* ------------------------------------------------------------- the device */

struct blk {
	int devid;
	char fe[64], be[128], bestate[160];
	int gfd, efd;
	unsigned order, nents;
	uint8_t *ring;
	uint32_t ring_ref[8];
	unsigned port;
	uint32_t req_prod_pvt, rsp_cons;
	uint8_t *data, *rodata, *ind;
	uint32_t data_gref, rodata_gref, ind_gref;
	uint64_t sectors;
	int discard, max_indirect;
	int leaked;		/* response padding carried foreign bytes */
	char note[256];		/* detail for the result line */
};

static struct sring *sring(struct blk *b) { return (struct sring *)b->ring; }
static struct blkreq *slot(struct blk *b, uint32_t i)
{
	return (struct blkreq *)(b->ring + SRING_HDR + (i & (b->nents - 1)) * SLOT_SZ);
}

static int be_state(struct blk *b) { return xs_read_long(b->bestate, XB_UNKNOWN); }

/* Wait until the backend state is one of mask (bit per state); returns it or -1. */
static int wait_be(struct blk *b, unsigned mask, int ms) { return wait_state(b->bestate, mask, ms); }

static uint8_t *gnt_alloc(struct blk *b, unsigned count, bool writable, uint32_t *refs)
{
	return gnt_share(b->gfd, count, writable, refs);
}

static void notify(struct blk *b) { evtchn_notify(b->efd, b->port); }

static void ring_init(struct blk *b)
{
	uint32_t i;

	memset(b->ring, 0, PAGE_SZ << b->order);
	/* every slot starts as 0xa5: a response may only contain these or its own bytes */
	for (i = 0; i < b->nents; i++)
		memset(slot(b, i), 0xa5, SLOT_SZ);
	sring(b)->req_event = 1;
	sring(b)->rsp_event = 1;
	b->req_prod_pvt = b->rsp_cons = 0;
}

/* Allocate pages and the event channel; nothing is written to xenstore yet. */
static int blk_open(struct blk *b, int devid, unsigned order)
{
	char buf[128];

	memset(b, 0, sizeof(*b));
	b->devid = devid;
	b->order = order;
	snprintf(b->fe, sizeof(b->fe), "device/vbd/%d", devid);
	if (xs_read(buf, sizeof(buf), "%s/backend", b->fe) < 0) {
		snprintf(b->note, sizeof(b->note), "no %s/backend", b->fe);
		return -1;
	}
	snprintf(b->be, sizeof(b->be), "%s", buf);
	snprintf(b->bestate, sizeof(b->bestate), "%s/state", b->be);
	b->gfd = open("/dev/xen/gntalloc", O_RDWR | O_CLOEXEC);
	b->efd = open("/dev/xen/evtchn", O_RDWR | O_CLOEXEC | O_NONBLOCK);
	if (b->gfd < 0 || b->efd < 0) {
		snprintf(b->note, sizeof(b->note), "cannot open /dev/xen/gntalloc or evtchn: %m");
		return -1;
	}
	b->ring = gnt_alloc(b, 1u << order, true, b->ring_ref);
	b->data = gnt_alloc(b, 1, true, &b->data_gref);
	b->rodata = gnt_alloc(b, 1, false, &b->rodata_gref);
	b->ind = gnt_alloc(b, 1, true, &b->ind_gref);
	if (!b->ring || !b->data || !b->rodata || !b->ind) {
		snprintf(b->note, sizeof(b->note), "gntalloc failed");
		return -1;
	}
	b->nents = 1;
	while (b->nents * 2 <= ((PAGE_SZ << order) - SRING_HDR) / (unsigned)SLOT_SZ)
		b->nents *= 2;
	ring_init(b);
	if (evtchn_unbound(b->efd, &b->port) < 0) {
		snprintf(b->note, sizeof(b->note), "BIND_UNBOUND_PORT: %m");
		return -1;
	}
	return 0;
}

/* The normal frontend nodes (what blkfront writes). */
static int blk_publish(struct blk *b)
{
	char v[32];
	unsigned i;
	int e = 0;

	if (b->order == 0) {
		snprintf(v, sizeof(v), "%u", b->ring_ref[0]);
		e |= xs_write(v, "%s/ring-ref", b->fe);
	} else {
		snprintf(v, sizeof(v), "%u", b->order);
		e |= xs_write(v, "%s/ring-page-order", b->fe);
		for (i = 0; i < (1u << b->order); i++) {
			snprintf(v, sizeof(v), "%u", b->ring_ref[i]);
			e |= xs_write(v, "%s/ring-ref%u", b->fe, i);
		}
	}
	snprintf(v, sizeof(v), "%u", b->port);
	e |= xs_write(v, "%s/event-channel", b->fe);
	e |= xs_write("x86_64-abi", "%s/protocol", b->fe);
	e |= xs_write("1", "%s/feature-persistent", b->fe);
	return e ? -1 : 0;
}

static int fe_state(struct blk *b, int s)
{
	char v[8];

	snprintf(v, sizeof(v), "%d", s);
	return xs_write(v, "%s/state", b->fe);
}

static void read_features(struct blk *b)
{
	char p[200];

	snprintf(p, sizeof(p), "%s/sectors", b->be);
	b->sectors = xs_read_long(p, 0);
	snprintf(p, sizeof(p), "%s/feature-discard", b->be);
	b->discard = xs_read_long(p, 0);
	snprintf(p, sizeof(p), "%s/feature-max-indirect-segments", b->be);
	b->max_indirect = xs_read_long(p, 0);
}

/* Full handshake: InitWait -> Initialised -> Connected. 0 on success. */
static int blk_connect(struct blk *b, void (*conf)(struct blk *))
{
	int s;

	if (wait_be(b, 1u << XB_INITWAIT | 1u << XB_CONNECTED, 30000) < 0) {
		snprintf(b->note, sizeof(b->note), "backend never reached InitWait (state %d)", be_state(b));
		return -1;
	}
	if (blk_publish(b) < 0) {
		snprintf(b->note, sizeof(b->note), "writing the frontend nodes failed");
		return -1;
	}
	if (conf)
		conf(b);
	fe_state(b, XB_INITIALISED);
	s = wait_be(b, 1u << XB_CONNECTED | 1u << XB_CLOSING | 1u << XB_CLOSED, 20000);
	if (s != XB_CONNECTED)
		return s < 0 ? -2 : -3;	/* -2: nothing, -3: closed */
	read_features(b);
	fe_state(b, XB_CONNECTED);
	return 0;
}

/* Cooperative close, bounded: the backend should end Closed. */
static void blk_close(struct blk *b)
{
	fe_state(b, XB_CLOSING);
	wait_be(b, 1u << XB_CLOSING | 1u << XB_CLOSED, 5000);
	fe_state(b, XB_CLOSED);
	wait_be(b, 1u << XB_CLOSED, 10000);
}

/* ------------------------------------------------------------- requests */

enum outcome { O_ERROR, O_OK, O_CLOSED, O_CONNECTED, O_NONE, O_SURVIVED, O_LEAK, O_CORRUPT,
	       O_BROKEN, O_MAX };
static const char *const oname[O_MAX] = {
	"error", "ok", "closed", "connected", "none", "survived", "leak", "corrupt", "broken",
};
#define E(o) (1u << (o))

#define ID_BASE 0xa5a5a5a5a5a5a500ull

/* Put a request on the ring and publish req_prod, without an event. */
static void push(struct blk *b, const struct blkreq *r)
{
	memcpy(slot(b, b->req_prod_pvt), r, sizeof(*r));
	b->req_prod_pvt++;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	sring(b)->req_prod = b->req_prod_pvt;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

static void post(struct blk *b, const struct blkreq *r)
{
	push(b, r);
	notify(b);
}

/* Consume one response if there is one; 1 if consumed. */
static int take_rsp(struct blk *b, struct blkrsp *out, bool check_pad)
{
	struct blkrsp r;
	const uint8_t *p;

	if (b->rsp_cons == sring(b)->rsp_prod)
		return 0;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	p = (const uint8_t *)slot(b, b->rsp_cons);
	memcpy(&r, p, sizeof(r));
	/* padding bytes (9, 12-15): zero, or what the frontend itself wrote there (0xa5) */
	if (check_pad) {
		static const int pad[] = { 9, 12, 13, 14, 15 };

		for (unsigned k = 0; k < 5; k++)
			if (p[pad[k]] != 0 && p[pad[k]] != 0xa5 && !b->leaked) {
				b->leaked = 1;
				snprintf(b->note, sizeof(b->note),
					 "response padding byte %d is %#x, not the frontend's own byte",
					 pad[k], p[pad[k]]);
			}
	}
	b->rsp_cons++;
	sring(b)->rsp_event = b->rsp_cons + 1;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	*out = r;
	return 1;
}

/* Wait for the response to id (bounded), or the backend closing. */
static enum outcome wait_rsp(struct blk *b, uint64_t id, int ms, int16_t *status)
{
	double end = now() + ms / 1000.0, next_xs = 0;
	struct blkrsp r;

	for (;;) {
		while (take_rsp(b, &r, true)) {
			if (r.id != id)
				continue;
			*status = r.status;
			if (b->leaked)
				return O_LEAK;
			return r.status == BLKIF_RSP_OKAY ? O_OK : O_ERROR;
		}
		if (now() >= next_xs) {
			int s = be_state(b);

			if (s == XB_CLOSING || s == XB_CLOSED)
				return O_CLOSED;
			next_xs = now() + 0.2;
		}
		if (now() >= end)
			return O_NONE;
		usleep(2000);
	}
}

/* A valid request: read one full page at sector 0 into the data page. */
static void mk_read(struct blk *b, struct blkreq *r)
{
	memset(r, 0, sizeof(*r));
	r->operation = BLKIF_OP_READ;
	r->u.rw.nr_segments = 1;
	r->u.rw.handle = b->devid;
	r->u.rw.id = ID_BASE | (b->req_prod_pvt & 0xff);
	r->u.rw.sector_number = 0;
	r->u.rw.seg[0].gref = b->data_gref;
	r->u.rw.seg[0].first_sect = 0;
	r->u.rw.seg[0].last_sect = 7;
}

/* Post a valid read and check the data: sector N of the disk starts with "XDH N". */
static enum outcome valid_read(struct blk *b, int ms)
{
	struct blkreq r;
	int16_t st = 0;
	enum outcome o;
	char want[32];

	mk_read(b, &r);
	memset(b->data, 0, PAGE_SZ);
	post(b, &r);
	o = wait_rsp(b, r.u.rw.id, ms, &st);
	if (o != O_OK)
		return o;
	snprintf(want, sizeof(want), "XDH %d", 0);
	if (memcmp(b->data, want, strlen(want)) != 0) {
		snprintf(b->note, sizeof(b->note), "valid read returned wrong data");
		return O_BROKEN;
	}
	return O_OK;
}

/* ----------------------------------------------------------------- cases */

struct hcase;
typedef void (*mk_fn)(struct blk *, struct blkreq *);
typedef void (*conf_fn)(struct blk *);
typedef enum outcome (*run_fn)(struct blk *, const struct hcase *);

struct hcase {
	const char *name;
	const char *dev;	/* rw | ro */
	const char *rule;	/* security-checklist.md rule(s) */
	unsigned expect;	/* acceptable outcomes */
	mk_fn mk;		/* one bad request after a normal connect */
	conf_fn conf;		/* bogus frontend nodes before Initialised */
	run_fn run;		/* custom attack after a normal connect */
	unsigned order;		/* ring-page-order used by the frontend */
	const char *desc;
};

/* --- bad requests: a valid read, then one thing wrong --- */
static void mk_nseg0(struct blk *b, struct blkreq *r) { mk_read(b, r); r->u.rw.nr_segments = 0; }
static void mk_nseg12(struct blk *b, struct blkreq *r) { mk_read(b, r); r->u.rw.nr_segments = 12; }
static void mk_nseg255(struct blk *b, struct blkreq *r) { mk_read(b, r); r->u.rw.nr_segments = 255; }
static void mk_first_gt_last(struct blk *b, struct blkreq *r)
{
	mk_read(b, r);
	r->u.rw.seg[0].first_sect = 5;
	r->u.rw.seg[0].last_sect = 2;
}
static void mk_last_beyond(struct blk *b, struct blkreq *r) { mk_read(b, r); r->u.rw.seg[0].last_sect = 8; }
static void mk_last_255(struct blk *b, struct blkreq *r) { mk_read(b, r); r->u.rw.seg[0].last_sect = 255; }
static void mk_sect_end(struct blk *b, struct blkreq *r) { mk_read(b, r); r->u.rw.sector_number = b->sectors - 4; }
static void mk_sect_far(struct blk *b, struct blkreq *r) { mk_read(b, r); r->u.rw.sector_number = 1ull << 40; }
static void mk_sect_wrap(struct blk *b, struct blkreq *r) { mk_read(b, r); r->u.rw.sector_number = ~0ull - 3; }
static void mk_write_ro(struct blk *b, struct blkreq *r) { mk_read(b, r); r->operation = BLKIF_OP_WRITE; }
static void mk_op_unknown(struct blk *b, struct blkreq *r) { mk_read(b, r); r->operation = 99; }
static void mk_gref_bad(struct blk *b, struct blkreq *r) { mk_read(b, r); r->u.rw.seg[0].gref = 0x7ffffff0; }
static void mk_gref_ro(struct blk *b, struct blkreq *r) { mk_read(b, r); r->u.rw.seg[0].gref = b->rodata_gref; }
static void mk_discard(struct blk *b, struct blkreq *r, uint64_t sector, uint64_t n)
{
	uint64_t id = ID_BASE | (b->req_prod_pvt & 0xff);

	memset(r, 0, sizeof(*r));
	r->operation = BLKIF_OP_DISCARD;
	r->u.discard.id = id;
	r->u.discard.sector_number = sector;
	r->u.discard.nr_sectors = n;
}
static void mk_discard_end(struct blk *b, struct blkreq *r) { mk_discard(b, r, b->sectors - 8, 64); }
static void mk_discard_wrap(struct blk *b, struct blkreq *r) { mk_discard(b, r, ~0ull - 7, 16); }
static void mk_indirect(struct blk *b, struct blkreq *r, unsigned nseg, uint32_t gref)
{
	struct seg *s = (struct seg *)b->ind;
	unsigned i;

	for (i = 0; i < PAGE_SZ / sizeof(*s); i++)
		s[i] = (struct seg){ .gref = b->data_gref, .first_sect = 0, .last_sect = 7 };
	memset(r, 0, sizeof(*r));
	r->operation = BLKIF_OP_INDIRECT;
	r->u.indirect.indirect_op = BLKIF_OP_READ;
	r->u.indirect.nr_segments = nseg;
	r->u.indirect.id = ID_BASE | (b->req_prod_pvt & 0xff);
	r->u.indirect.handle = b->devid;
	r->u.indirect.indirect_grefs[0] = gref;
}
static void mk_ind_nseg0(struct blk *b, struct blkreq *r) { mk_indirect(b, r, 0, b->ind_gref); }
static void mk_ind_nseg_huge(struct blk *b, struct blkreq *r) { mk_indirect(b, r, 4096, b->ind_gref); }
static void mk_ind_gref_bad(struct blk *b, struct blkreq *r) { mk_indirect(b, r, 16, 0x7ffffff0); }
static void mk_ind_seg_bad(struct blk *b, struct blkreq *r)
{
	mk_indirect(b, r, 16, b->ind_gref);
	((struct seg *)b->ind)[15].last_sect = 9;
}
static void mk_ind_op_bad(struct blk *b, struct blkreq *r)
{
	mk_indirect(b, r, 16, b->ind_gref);
	r->u.indirect.indirect_op = BLKIF_OP_DISCARD;
}

/* --- bogus frontend nodes at connect time --- */
static void cf_order_huge(struct blk *b) { xs_write("20", "%s/ring-page-order", b->fe); }
static void cf_order_norefs(struct blk *b)
{
	char p[96];

	xs_write("2", "%s/ring-page-order", b->fe);
	snprintf(p, sizeof(p), "%s/ring-ref", b->fe);
	xs_rm(p);
}
static void cf_queues_zero(struct blk *b) { xs_write("0", "%s/multi-queue-num-queues", b->fe); }
static void cf_queues_huge(struct blk *b) { xs_write("65536", "%s/multi-queue-num-queues", b->fe); }
static void cf_ring_ref_bad(struct blk *b) { xs_write("2147483647", "%s/ring-ref", b->fe); }
static void cf_evtchn_bad(struct blk *b) { xs_write("4000", "%s/event-channel", b->fe); }
static void cf_protocol_bad(struct blk *b) { xs_write("x86_16-abi", "%s/protocol", b->fe); }

/* --- custom attacks --- */
static enum outcome wait_closed(struct blk *b, int ms, const char *what)
{
	int s = wait_be(b, 1u << XB_CLOSING | 1u << XB_CLOSED, ms);

	if (s >= 0)
		return O_CLOSED;
	snprintf(b->note, sizeof(b->note), "%s: backend still in state %d after %d s "
		 "(ring processing halted silently?)", what, be_state(b), ms / 1000);
	return O_NONE;
}

static enum outcome run_prod_ahead(struct blk *b, const struct hcase *c)
{
	(void)c;
	sring(b)->req_prod = b->req_prod_pvt + 1000;
	notify(b);
	return wait_closed(b, 10000, "req_prod = req_cons + 1000");
}

static enum outcome run_prod_back(struct blk *b, const struct hcase *c)
{
	enum outcome o;

	(void)c;
	for (int i = 0; i < 3; i++)
		if ((o = valid_read(b, 10000)) != O_OK) {
			snprintf(b->note, sizeof(b->note), "valid read %d before the attack: %s", i, oname[o]);
			return O_BROKEN;
		}
	sring(b)->req_prod = 1;	/* three were consumed */
	notify(b);
	return wait_closed(b, 10000, "req_prod moved back from 3 to 1");
}

/* XSA-155: a second thread rewrites nr_segments and last_sect of posted requests. */
static volatile int flip_stop;
static void *flipper(void *arg)
{
	struct blk *b = arg;

	while (!flip_stop)
		for (uint32_t i = 0; i < b->nents; i++) {
			volatile uint8_t *p = (volatile uint8_t *)slot(b, i);

			p[1] = 255;
			p[29] = 200;
			p[1] = 1;
			p[29] = 7;
		}
	return NULL;
}

static enum outcome run_double_fetch(struct blk *b, const struct hcase *c)
{
	const unsigned total = 2000;
	unsigned posted = 0, answered = 0, ok = 0, err = 0;
	double end = now() + 40, next_xs = now() + 0.5;
	pthread_t t;
	struct blkrsp rsp;
	struct blkreq r;
	enum outcome o = O_SURVIVED;

	(void)c;
	flip_stop = 0;
	pthread_create(&t, NULL, flipper, b);
	while (answered < total) {
		while (posted < total && b->req_prod_pvt - b->rsp_cons < b->nents) {
			mk_read(b, &r);
			post(b, &r);
			posted++;
		}
		while (take_rsp(b, &rsp, false)) {
			answered++;
			if (rsp.status == BLKIF_RSP_OKAY)
				ok++;
			else
				err++;
		}
		if (now() > end || (now() > next_xs && be_state(b) >= XB_CLOSING)) {
			o = be_state(b) >= XB_CLOSING ? O_CLOSED : O_NONE;
			break;
		}
		if (now() > next_xs)
			next_xs = now() + 0.5;
		usleep(500);
	}
	flip_stop = 1;
	pthread_join(t, NULL);
	snprintf(b->note, sizeof(b->note), "%u posted, %u answered (%u ok, %u error)",
		 posted, answered, ok, err);
	if (o != O_SURVIVED)
		return o;
	/* the slots are garbage now: a fresh request must still work */
	o = valid_read(b, 10000);
	return o == O_OK ? O_SURVIVED : o;
}

/* XSA-332: a storm of notifications without work. */
static enum outcome run_event_storm(struct blk *b, const struct hcase *c)
{
	double end = now() + 5;
	unsigned long n = 0;
	enum outcome o;

	(void)c;
	while (now() < end)
		for (int i = 0; i < 1000; i++, n++)
			notify(b);
	o = valid_read(b, 15000);
	snprintf(b->note + strlen(b->note), sizeof(b->note) - strlen(b->note),
		 "%lu notifications in 5 s, then a valid read: %s", n, oname[o]);
	return o == O_OK ? O_SURVIVED : o;
}

/*
 * Once the backend is Closed: start over on the same pages with fresh ring
 * indices and connect again (InitWait -> Initialised -> Connected), waiting at
 * most MS per step. 0 or -1.
 */
static int blk_reconnect(struct blk *b, int ms)
{
	char v[32];

	fe_state(b, XB_INITIALISING);
	if (wait_be(b, 1u << XB_INITWAIT, ms) < 0)
		return -1;
	ring_init(b);
	snprintf(v, sizeof(v), "%u", b->port);
	xs_write(v, "%s/event-channel", b->fe);
	fe_state(b, XB_INITIALISED);
	if (wait_be(b, 1u << XB_CONNECTED, ms) < 0)
		return -1;
	fe_state(b, XB_CONNECTED);
	return 0;
}

/* XSA-349/350-like: connect and disconnect in a loop (waiting for the backend). */
static enum outcome run_reconnect(struct blk *b, const struct hcase *c)
{
	enum outcome o;
	int i;

	(void)c;
	for (i = 0; i < 8; i++) {
		fe_state(b, XB_CLOSING);
		if (wait_be(b, 1u << XB_CLOSING | 1u << XB_CLOSED, 10000) < 0)
			goto stuck;
		fe_state(b, XB_CLOSED);
		if (wait_be(b, 1u << XB_CLOSED, 10000) < 0)
			goto stuck;
		if (blk_reconnect(b, 10000) < 0)
			goto stuck;
		if ((o = valid_read(b, 10000)) != O_OK) {
			snprintf(b->note, sizeof(b->note), "cycle %d: valid read: %s", i, oname[o]);
			return o;
		}
	}
	snprintf(b->note, sizeof(b->note), "%d full close/reconnect cycles, verified read each", i);
	return O_SURVIVED;
stuck:
	snprintf(b->note, sizeof(b->note), "cycle %d: backend stuck in state %d", i, be_state(b));
	return O_NONE;
}

/* Rewrite the watched frontend state node in a loop, without waiting. */
static enum outcome run_state_storm(struct blk *b, const struct hcase *c)
{
	static const char *const vals[] = { "4", "3", "1", "4", "2", "3", "4" };
	enum outcome o;
	int i, s;

	(void)c;
	for (i = 0; i < 1500; i++)
		xs_write(vals[i % 7], "%s/state", b->fe);
	fe_state(b, XB_CONNECTED);
	/* the backend may stay Connected (then it must still work) or shut down */
	msleep(2000);
	s = be_state(b);
	if (s == XB_CLOSING || s == XB_CLOSED)
		return O_CLOSED;
	o = valid_read(b, 10000);
	snprintf(b->note, sizeof(b->note), "1500 state rewrites; backend state %d, valid read: %s",
		 s, oname[o]);
	return o == O_OK ? O_SURVIVED : o;
}

/* A garbage state value: the backend must not crash; shutting down is fine. */
static enum outcome run_state_garbage(struct blk *b, const struct hcase *c)
{
	enum outcome o;
	int s;

	(void)c;
	xs_write("junk", "%s/state", b->fe);
	msleep(3000);
	s = be_state(b);
	if (s == XB_CLOSING || s == XB_CLOSED)
		return O_CLOSED;
	o = valid_read(b, 10000);
	snprintf(b->note, sizeof(b->note), "state 'junk': backend state %d, valid read: %s", s, oname[o]);
	return o == O_OK ? O_SURVIVED : o;
}

/* Fast connect/disconnect storm, not waiting for the backend at all. */
static enum outcome run_connect_storm(struct blk *b, const struct hcase *c)
{
	static const int seq[] = { XB_CLOSING, XB_CLOSED, XB_INITIALISING, XB_INITIALISED, XB_CONNECTED };
	int i, s;

	(void)c;
	for (i = 0; i < 100 * 5; i++)
		fe_state(b, seq[i % 5]);
	msleep(3000);
	s = be_state(b);
	snprintf(b->note, sizeof(b->note), "500 state writes without waiting; backend state %d", s);
	/* the backend must still answer a proper close */
	fe_state(b, XB_CLOSING);
	wait_be(b, 1u << XB_CLOSING | 1u << XB_CLOSED, 10000);
	fe_state(b, XB_CLOSED);
	if (wait_be(b, 1u << XB_CLOSED, 15000) < 0) {
		snprintf(b->note + strlen(b->note), sizeof(b->note) - strlen(b->note),
			 "; after a clean close it is still in state %d", be_state(b));
		return O_NONE;
	}
	return O_SURVIVED;
}

/* ------------------------------------ lifecycle: requests in flight, revoked grants */

/* include/uapi/xen/gntalloc.h: stop offering grants (freed once unmapped here too) */
struct ioctl_gntalloc_dealloc_gref { uint64_t index; uint32_t count; };
#define IOCTL_GNTALLOC_DEALLOC_GREF \
	_IOC(_IOC_NONE, 'G', 6, sizeof(struct ioctl_gntalloc_dealloc_gref))
_Static_assert(IOCTL_GNTALLOC_DEALLOC_GREF == 0x00104706, "gntalloc ABI");

#define POOL_MAX 64

/* Pages granted to Dom0 by one gntalloc allocation, revoked as a whole. */
struct gpool {
	uint8_t *p;
	uint64_t index;
	unsigned int n;
	uint32_t ref[POOL_MAX];
};

static int pool_get(struct blk *b, struct gpool *g, unsigned int n)
{
	size_t sz = sizeof(struct ioctl_gntalloc_alloc_gref) + n * sizeof(uint32_t);
	struct ioctl_gntalloc_alloc_gref *a = calloc(1, sz);
	void *p;

	memset(g, 0, sizeof(*g));
	if (!a || n > POOL_MAX)
		goto fail;
	a->domid = 0;
	a->flags = GNTALLOC_FLAG_WRITABLE;
	a->count = n;
	if (ioctl(b->gfd, IOCTL_GNTALLOC_ALLOC_GREF, a) < 0)
		goto fail;
	p = mmap(NULL, n * PAGE_SZ, PROT_READ | PROT_WRITE, MAP_SHARED, b->gfd, a->index);
	if (p == MAP_FAILED)
		goto fail;
	g->p = p;
	g->index = a->index;
	g->n = n;
	memcpy(g->ref, a->gref_ids, n * sizeof(uint32_t));
	free(a);
	memset(g->p, 0, n * PAGE_SZ);
	return 0;
fail:
	snprintf(b->note + strlen(b->note), sizeof(b->note) - strlen(b->note),
		 "%sgntalloc: %u pages: %m", b->note[0] ? "; " : "", n);
	free(a);
	return -1;
}

/*
 * Revoke a pool: IOCTL_GNTALLOC_DEALLOC_GREF, then drop the mapping. gntalloc
 * then ends the foreign access of each page: one the backend does not have
 * mapped is freed with its reference (which a later allocation may reuse); one
 * the backend still has mapped stays granted and allocated until the backend
 * unmaps it (the guest's grant table defers the free). The frontend no longer
 * owns or sees any of them.
 */
static int pool_revoke(struct blk *b, struct gpool *g)
{
	struct ioctl_gntalloc_dealloc_gref d = { .index = g->index, .count = g->n };
	int r = ioctl(b->gfd, IOCTL_GNTALLOC_DEALLOC_GREF, &d);

	if (r < 0)
		snprintf(b->note + strlen(b->note), sizeof(b->note) - strlen(b->note),
			 "%sDEALLOC_GREF: %m", b->note[0] ? "; " : "");
	munmap(g->p, g->n * PAGE_SZ);
	g->p = NULL;
	return r;
}

/* A READ or WRITE of NSEG whole pages REFS[] starting at SECTOR. */
static void mk_pages(struct blk *b, struct blkreq *r, uint8_t op, uint64_t sector,
		     const uint32_t *refs, unsigned int nseg)
{
	memset(r, 0, sizeof(*r));
	r->operation = op;
	r->u.rw.nr_segments = nseg;
	r->u.rw.handle = b->devid;
	r->u.rw.id = ID_BASE | (b->req_prod_pvt & 0xff);
	r->u.rw.sector_number = sector;
	for (unsigned int i = 0; i < nseg; i++)
		r->u.rw.seg[i] = (struct seg){ .gref = refs[i], .first_sect = 0, .last_sect = 7 };
}

/*
 * Take responses until every posted request is answered, counting OKAY and
 * other statuses. O_OK: all answered; O_CLOSED: the backend closed first;
 * O_NONE: MS passed.
 */
static enum outcome drain(struct blk *b, int ms, unsigned int *ok, unsigned int *err)
{
	double end = now() + ms / 1000.0, next_xs = 0;
	struct blkrsp r;

	while (b->rsp_cons != b->req_prod_pvt) {
		while (take_rsp(b, &r, true))
			(r.status == BLKIF_RSP_OKAY ? (*ok)++ : (*err)++);
		if (b->rsp_cons == b->req_prod_pvt)
			break;
		if (now() >= next_xs) {
			if (be_state(b) >= XB_CLOSING)
				return O_CLOSED;
			next_xs = now() + 0.2;
		}
		if (now() >= end)
			return O_NONE;
		usleep(1000);
	}
	return O_OK;
}

#define note_add(b, ...) \
	snprintf((b)->note + strlen((b)->note), sizeof((b)->note) - strlen((b)->note), __VA_ARGS__)

/*
 * Fill the whole ring with large requests over the pool's pages: INDIRECT with
 * up to 256 segments when offered (one shared indirect page), else 11 segments;
 * reads and writes alternate, writes stay clear of sector 0 ("XDH 0"). One
 * notification at the end. Returns the number posted.
 */
static unsigned int fill_ring(struct blk *b, const struct gpool *g, unsigned int *nseg_out)
{
	unsigned int nseg = b->max_indirect >= 16 ? (b->max_indirect < 256 ? b->max_indirect : 256) : 0;
	uint64_t span = (nseg ? nseg : BLKIF_MAX_SEGS) * 8ull;
	struct seg *s = (struct seg *)b->ind;
	uint32_t refs[BLKIF_MAX_SEGS];
	struct blkreq r;
	unsigned int i, k;

	for (k = 0; k < nseg; k++)
		s[k] = (struct seg){ .gref = g->ref[k % g->n], .first_sect = 0, .last_sect = 7 };
	for (i = 0; i < b->nents; i++) {
		bool wr = i & 1;
		uint64_t sector = (wr ? 2048 : 0) + (i * span) % (b->sectors - 2048 - span);

		if (nseg) {
			memset(&r, 0, sizeof(r));
			r.operation = BLKIF_OP_INDIRECT;
			r.u.indirect.indirect_op = wr ? BLKIF_OP_WRITE : BLKIF_OP_READ;
			r.u.indirect.nr_segments = nseg;
			r.u.indirect.id = ID_BASE | (b->req_prod_pvt & 0xff);
			r.u.indirect.sector_number = sector;
			r.u.indirect.handle = b->devid;
			r.u.indirect.indirect_grefs[0] = b->ind_gref;
		} else {
			for (k = 0; k < BLKIF_MAX_SEGS; k++)
				refs[k] = g->ref[(i + k) % g->n];
			mk_pages(b, &r, wr ? BLKIF_OP_WRITE : BLKIF_OP_READ, sector, refs, BLKIF_MAX_SEGS);
		}
		push(b, &r);
	}
	notify(b);
	*nseg_out = nseg ? nseg : BLKIF_MAX_SEGS;
	return i;
}

/*
 * Close while requests are in flight: a full ring of large reads and writes,
 * one notification, then Closing and Closed at once (CLOSE_STARTED: as soon as
 * the first response is there) without waiting for the others. The backend must reach Closed (it may finish or abandon the
 * requests). TEARDOWN: the frontend then also drops every grant (ring, data,
 * indirect page) and its event channel right away; else it waits, counts the
 * responses written after the backend said Closed (harmless: the ring page is
 * still granted), and connects again on fresh ring indices: a verified read
 * must work.
 */
enum { CLOSE_NOW, CLOSE_TEARDOWN, CLOSE_STARTED };

static enum outcome close_inflight(struct blk *b, int how)
{
	bool teardown = how == CLOSE_TEARDOWN;
	double t_end;
	unsigned int n, nseg, at_close, at_closed, late;
	struct gpool g;
	enum outcome o;
	int s;

	if (b->sectors < 8192) {
		note_add(b, "disk too small (%llu sectors)", (unsigned long long)b->sectors);
		return O_BROKEN;
	}
	if (pool_get(b, &g, 32) < 0)
		return O_BROKEN;
	n = fill_ring(b, &g, &nseg);
	/* CLOSE_STARTED: the backend is seen working on the ring (a first response) */
	for (t_end = now() + 10; how == CLOSE_STARTED && !sring(b)->rsp_prod && now() < t_end;)
		usleep(200);
	fe_state(b, XB_CLOSING);
	fe_state(b, XB_CLOSED);
	at_close = sring(b)->rsp_prod;
	note_add(b, "%u requests of %u segments posted, %u answered when the frontend wrote Closed",
		 n, nseg, at_close);
	if (teardown) {
		munmap(g.p, g.n * PAGE_SZ);
		munmap(b->data, PAGE_SZ);
		munmap(b->rodata, PAGE_SZ);
		munmap(b->ind, PAGE_SZ);
		munmap(b->ring, PAGE_SZ << b->order);
		close(b->gfd);	/* gntalloc ends every grant of the file */
		close(b->efd);	/* the port is closed */
		b->ring = b->data = b->rodata = b->ind = NULL;
		s = wait_be(b, 1u << XB_CLOSED, 60000);
		note_add(b, "; grants and port dropped at once; backend state %d", be_state(b));
		b->be[0] = 0;	/* nothing left to close cooperatively with */
		return s == XB_CLOSED ? O_CLOSED : O_NONE;
	}
	s = wait_be(b, 1u << XB_CLOSED, 60000);
	if (s < 0) {
		note_add(b, "; backend still in state %d 60 s later", be_state(b));
		return O_NONE;
	}
	at_closed = sring(b)->rsp_prod;
	msleep(2000);
	late = sring(b)->rsp_prod - at_closed;
	note_add(b, ", %u when the backend reported Closed, %u more in the 2 s after", at_closed, late);
	if (blk_reconnect(b, 15000) < 0) {
		note_add(b, "; reconnect: backend stuck in state %d", be_state(b));
		return O_NONE;
	}
	o = valid_read(b, 10000);
	note_add(b, "; reconnected, verified read: %s", oname[o]);
	return o == O_OK ? O_SURVIVED : o;
}

static enum outcome run_close_inflight(struct blk *b, const struct hcase *c)
{
	(void)c;
	return close_inflight(b, CLOSE_NOW);
}

static enum outcome run_close_started(struct blk *b, const struct hcase *c)
{
	(void)c;
	return close_inflight(b, CLOSE_STARTED);
}

static enum outcome run_close_teardown(struct blk *b, const struct hcase *c)
{
	(void)c;
	return close_inflight(b, CLOSE_TEARDOWN);
}

/*
 * A stream of small reads and writes (1-4 pages) keeping the ring full, over a
 * pool that is revoked and replaced right after every 40 requests posted on it:
 * the backend meets grants revoked before it mapped them and grants revoked
 * while it has them mapped. At most SECS seconds; then every request must be
 * answered within 15 s.
 */
static enum outcome revoke_stream(struct blk *b, double secs, unsigned int *posted,
				  unsigned int *ok, unsigned int *err, unsigned int *rot)
{
	double end = now() + secs, next_xs = 0;
	unsigned int since = 0, i, j, k;
	struct blkrsp rsp;
	struct blkreq r;
	struct gpool g;
	uint32_t refs[4];
	enum outcome o;

	if (pool_get(b, &g, 8) < 0)
		return O_BROKEN;
	while (now() < end) {
		for (k = 0; b->req_prod_pvt - b->rsp_cons < b->nents && since < 40; k++, since++) {
			i = (*posted)++;
			for (j = 0; j < 4; j++)
				refs[j] = g.ref[(i + j) % g.n];
			if (i % 5 == 4)
				mk_pages(b, &r, BLKIF_OP_WRITE, 4096 + (i % 1024) * 8, refs, 1 + i % 4);
			else
				mk_pages(b, &r, BLKIF_OP_READ, (i % 1024) * 8, refs, 1 + i % 4);
			push(b, &r);
		}
		if (k)
			notify(b);
		if (since >= 40) {
			pool_revoke(b, &g);
			if (pool_get(b, &g, 8) < 0)
				return O_BROKEN;
			since = 0;
			(*rot)++;
		}
		while (take_rsp(b, &rsp, true))
			(rsp.status == BLKIF_RSP_OKAY ? (*ok)++ : (*err)++);
		if (now() >= next_xs) {
			if (be_state(b) >= XB_CLOSING)
				return O_CLOSED;
			next_xs = now() + 0.3;
		}
		usleep(500);
	}
	o = drain(b, 15000, ok, err);
	pool_revoke(b, &g);
	return o;
}

/* The stream, then a verified read; the result of a revocation case. */
static enum outcome stream_then_read(struct blk *b)
{
	unsigned int posted = 0, ok = 0, err = 0, rot = 0;
	enum outcome o = revoke_stream(b, 5, &posted, &ok, &err, &rot);

	note_add(b, "; stream: %u posted, %u ok, %u error, %u pools revoked under it: %s",
		 posted, ok, err, rot, o == O_OK ? "all answered" : oname[o]);
	if (o != O_OK)
		return o;
	o = valid_read(b, 10000);
	note_add(b, "; verified read: %s", oname[o]);
	return o == O_OK ? O_SURVIVED : o;
}

static void cf_no_persistent(struct blk *b) { xs_write("0", "%s/feature-persistent", b->fe); }

/*
 * Grants revoked, without persistent grants (feature-persistent 0): four
 * 11-page requests are posted, their pages revoked, then the backend notified.
 * The grants are gone when the backend maps them: every request must be
 * answered with an error (an OKAY means the backend did I/O on a page it could
 * not map). Then the revoking stream and a verified read.
 */
static enum outcome run_grant_revoked(struct blk *b, const struct hcase *c)
{
	unsigned int ok = 0, err = 0, i;
	struct blkreq r;
	struct gpool g;
	enum outcome o;

	(void)c;
	if (b->sectors < 16384 || pool_get(b, &g, BLKIF_MAX_SEGS) < 0) {
		note_add(b, "%sno room (%llu sectors)", b->note[0] ? "; " : "",
			 (unsigned long long)b->sectors);
		return O_BROKEN;
	}
	for (i = 0; i < 4; i++) {
		mk_pages(b, &r, i & 1 ? BLKIF_OP_WRITE : BLKIF_OP_READ, i & 1 ? 4096 + 88 * i : 0,
			 g.ref, BLKIF_MAX_SEGS);
		push(b, &r);
	}
	pool_revoke(b, &g);
	notify(b);
	o = drain(b, 10000, &ok, &err);
	note_add(b, "%s4 requests on pages revoked before the notify: %u ok, %u error",
		 b->note[0] ? "; " : "", ok, err);
	if (o != O_OK)
		return o;
	if (ok) {
		note_add(b, " (I/O on grants that no longer existed)");
		return O_OK;
	}
	return stream_then_read(b);
}

/*
 * Grants revoked under persistent grants: two 8-page reads make the backend map
 * (and keep) 16 grants; the frontend revokes them, allocates 16 new pages
 * filled with 0x5a, and posts two reads and two writes naming the revoked
 * references. The backend may answer from its kept mapping (the guest keeps
 * those pages until the backend unmaps them) or with an error; but a new page
 * whose reference no request named must still be all 0x5a (else: corrupt).
 * Then the revoking stream and a verified read.
 */
static enum outcome run_grant_revoked_pers(struct blk *b, const struct hcase *c)
{
	unsigned int ok = 0, err = 0, i, j, reused = 0;
	uint32_t old[16];
	struct gpool p, q;
	struct blkreq r;
	enum outcome o;
	char path[200];
	long bep;

	(void)c;
	snprintf(path, sizeof(path), "%s/feature-persistent", b->be);
	bep = xs_read_long(path, -1);
	if (b->sectors < 16384 || pool_get(b, &p, 16) < 0) {
		note_add(b, "%sno room (%llu sectors)", b->note[0] ? "; " : "",
			 (unsigned long long)b->sectors);
		return O_BROKEN;
	}
	for (i = 0; i < 2; i++) {
		mk_pages(b, &r, BLKIF_OP_READ, 0, p.ref + 8 * i, 8);
		push(b, &r);
	}
	notify(b);
	o = drain(b, 10000, &ok, &err);
	if (o != O_OK || err || memcmp(p.p, "XDH 0", 5) || memcmp(p.p + 8 * PAGE_SZ, "XDH 0", 5)) {
		note_add(b, "warm-up reads: %s, %u ok, %u error", oname[o], ok, err);
		return o == O_CLOSED ? O_CLOSED : O_BROKEN;
	}
	memcpy(old, p.ref, sizeof(old));
	pool_revoke(b, &p);
	if (pool_get(b, &q, 16) < 0)
		return O_BROKEN;
	memset(q.p, 0x5a, 16 * PAGE_SZ);
	for (j = 0; j < 16; j++)
		for (i = 0; i < 16; i++)
			reused += q.ref[j] == old[i];
	ok = err = 0;
	for (i = 0; i < 4; i++) {
		mk_pages(b, &r, i & 1 ? BLKIF_OP_WRITE : BLKIF_OP_READ, i & 1 ? 8192 : 0,
			 old + 8 * (i >> 1), 8);
		push(b, &r);
	}
	notify(b);
	o = drain(b, 10000, &ok, &err);
	note_add(b, "backend feature-persistent %ld; 16 grants used, then revoked; %u of 16 new "
		 "grants reuse a revoked ref; 4 requests on the revoked refs: %u ok, %u error",
		 bep, reused, ok, err);
	if (o != O_OK)
		return o;
	for (j = 0; j < 16; j++) {
		bool named = false;

		for (i = 0; i < 16; i++)
			named |= q.ref[j] == old[i];
		for (i = 0; i < PAGE_SZ && !named; i++)
			if (q.p[j * PAGE_SZ + i] != 0x5a) {
				note_add(b, "; new page %u (ref %u, named by no request) was written "
					 "at byte %u", j, q.ref[j], i);
				return O_CORRUPT;
			}
	}
	pool_revoke(b, &q);
	return stream_then_read(b);
}

#define CERR  (E(O_ERROR) | E(O_CLOSED))
#define CLOSE E(O_CLOSED)
#define SURV  (E(O_SURVIVED) | E(O_CLOSED))

static const struct hcase cases[] = {
	/* ring indices (rule 2) */
	{ "prod-far-ahead", "rw", "2,4", CLOSE, .run = run_prod_ahead,
	  .desc = "req_prod set 1000 ahead of the consumer" },
	{ "prod-backwards", "rw", "2,4", CLOSE, .run = run_prod_back,
	  .desc = "req_prod moved backwards below req_cons" },
	/* request fields (rule 3) */
	{ "nseg-zero", "rw", "3", CERR, .mk = mk_nseg0, .desc = "READ with 0 segments" },
	{ "nseg-12", "rw", "3", CERR, .mk = mk_nseg12, .desc = "READ with 12 segments (max 11)" },
	{ "nseg-255", "rw", "3", CERR, .mk = mk_nseg255, .desc = "READ with 255 segments" },
	{ "sect-first-gt-last", "rw", "3", CERR, .mk = mk_first_gt_last, .desc = "first_sect 5 > last_sect 2" },
	{ "sect-last-8", "rw", "3", CERR, .mk = mk_last_beyond, .desc = "last_sect 8 (beyond the page)" },
	{ "sect-last-255", "rw", "3", CERR, .mk = mk_last_255, .desc = "last_sect 255" },
	{ "sector-past-end", "rw", "3", CERR, .mk = mk_sect_end, .desc = "8 sectors from sectors-4" },
	{ "sector-far", "rw", "3", CERR, .mk = mk_sect_far, .desc = "sector 2^40" },
	{ "sector-wrap", "rw", "3", CERR, .mk = mk_sect_wrap, .desc = "sector 2^64-4: sector+count wraps" },
	{ "write-readonly", "ro", "3", CERR, .mk = mk_write_ro, .desc = "WRITE to a read-only vbd" },
	{ "op-unknown", "rw", "3", CERR, .mk = mk_op_unknown, .desc = "operation 99" },
	{ "discard-past-end", "rw", "3", CERR, .mk = mk_discard_end, .desc = "DISCARD 64 sectors from sectors-8" },
	{ "discard-wrap", "rw", "3", CERR, .mk = mk_discard_wrap, .desc = "DISCARD at 2^64-8, 16 sectors: wraps" },
	{ "indirect-nseg-zero", "rw", "3", CERR, .mk = mk_ind_nseg0, .desc = "INDIRECT READ with 0 segments" },
	{ "indirect-nseg-huge", "rw", "3", CERR, .mk = mk_ind_nseg_huge, .desc = "INDIRECT READ with 4096 segments" },
	{ "indirect-bad-seg", "rw", "3", CERR, .mk = mk_ind_seg_bad, .desc = "INDIRECT: segment 15 has last_sect 9" },
	{ "indirect-bad-op", "rw", "3", CERR, .mk = mk_ind_op_bad, .desc = "INDIRECT with indirect_op DISCARD" },
	/* grants (rule 5) */
	{ "gref-invalid", "rw", "5", CERR, .mk = mk_gref_bad, .desc = "segment grant ref 0x7ffffff0" },
	{ "gref-readonly-read", "rw", "5", CERR, .mk = mk_gref_ro, .desc = "READ into a read-only grant" },
	{ "indirect-gref-invalid", "rw", "5", CERR, .mk = mk_ind_gref_bad, .desc = "indirect page grant ref 0x7ffffff0" },
	/* double fetch (rule 1) */
	{ "double-fetch-nseg", "rw", "1", SURV | E(O_ERROR), .run = run_double_fetch,
	  .desc = "2000 reads while a thread flips nr_segments 1<->255 and last_sect 7<->200" },
	/* events (rule 7) */
	{ "event-storm", "rw", "7", SURV, .run = run_event_storm, .desc = "5 s of notifications without work" },
	/* lifecycle (rules 3, 4, 9) */
	{ "ring-order-huge", "rw", "3,4", CLOSE, .conf = cf_order_huge, .desc = "ring-page-order 20" },
	{ "ring-order-no-refs", "rw", "3,4", CLOSE, .conf = cf_order_norefs,
	  .desc = "ring-page-order 2 without ring-ref0..3" },
	{ "queues-zero", "rw", "3,4", CLOSE, .conf = cf_queues_zero, .desc = "multi-queue-num-queues 0" },
	{ "queues-huge", "rw", "3,4", CLOSE, .conf = cf_queues_huge, .desc = "multi-queue-num-queues 65536" },
	{ "ring-ref-invalid", "rw", "4,5", CLOSE, .conf = cf_ring_ref_bad, .desc = "ring-ref 2^31-1" },
	{ "evtchn-invalid", "rw", "4", CLOSE, .conf = cf_evtchn_bad, .desc = "event-channel 4000 (not bound)" },
	{ "protocol-bogus", "rw", "4", CLOSE, .conf = cf_protocol_bad, .desc = "protocol x86_16-abi" },
	{ "reconnect-loop", "rw", "9", SURV, .run = run_reconnect,
	  .desc = "8 close/reconnect cycles, a verified read each" },
	{ "state-storm", "rw", "9", SURV, .run = run_state_storm,
	  .desc = "1500 rewrites of the watched state node while connected" },
	{ "state-garbage", "rw", "4,9", SURV, .run = run_state_garbage, .desc = "state node set to 'junk'" },
	{ "connect-storm", "rw", "9", E(O_SURVIVED), .run = run_connect_storm,
	  .desc = "500 state writes (Closing..Connected) without waiting, then a clean close" },
	{ "close-in-flight", "rw", "9", E(O_SURVIVED), .run = run_close_inflight, .order = 2,
	  .desc = "a full 128-slot ring of large reads/writes, then Closing+Closed at once; "
		  "backend must reach Closed, then a reconnect and a verified read work" },
	{ "close-in-flight-started", "rw", "9", E(O_SURVIVED), .run = run_close_started, .order = 2,
	  .desc = "as close-in-flight, but Closing+Closed right after the first response "
		  "(the backend is busy with the ring)" },
	{ "close-in-flight-teardown", "rw", "5,9", CLOSE, .run = run_close_teardown, .order = 2,
	  .desc = "as close-in-flight, then every grant and the port dropped at once; "
		  "backend must reach Closed" },
	/* revoked grants (rule 5) */
	{ "grant-revoked", "rw", "5", SURV, .conf = cf_no_persistent, .run = run_grant_revoked,
	  .desc = "no persistent grants; pages revoked between posting and notifying (every "
		  "request must fail), then 5 s of I/O with pools revoked under it, verified read" },
	{ "grant-revoked-persistent", "rw", "5", SURV, .run = run_grant_revoked_pers,
	  .desc = "16 grants mapped persistently, revoked, reused by new requests (ok or error; "
		  "no unnamed page written), then 5 s of revoking I/O, verified read" },
};
#define NCASES (sizeof(cases) / sizeof(cases[0]))

static const struct hcase *find_case(const char *name)
{
	for (size_t i = 0; i < NCASES; i++)
		if (!strcmp(cases[i].name, name))
			return &cases[i];
	return NULL;
}

static void expect_str(unsigned m, char *buf, size_t sz)
{
	buf[0] = 0;
	for (int o = 0; o < O_MAX; o++)
		if (m & E(o))
			snprintf(buf + strlen(buf), sz - strlen(buf), "%s%s", buf[0] ? "|" : "", oname[o]);
}

/* Run one case; fills verdict line "ok|bad OUTCOME DETAIL". */
static int run_case(const struct hcase *c, int devid, char *res, size_t ressz)
{
	struct blk b;
	enum outcome o;
	char exp[80];
	int r;
	double t0 = now();

	say("case %s on vbd %d: %s", c->name, devid, c->desc);
	if (blk_open(&b, devid, c->order) < 0) {
		o = O_BROKEN;
		goto out;
	}
	r = blk_connect(&b, c->conf);
	if (c->conf && !c->run) {
		o = r == 0 ? O_CONNECTED : r == -3 ? O_CLOSED : O_NONE;
		if (r == -1)
			o = O_BROKEN;
		if (o == O_CONNECTED)
			snprintf(b.note, sizeof(b.note), "backend connected with the bogus nodes");
		else if (o == O_NONE)
			snprintf(b.note, sizeof(b.note), "backend neither connected nor closed (state %d)",
				 be_state(&b));
	} else if (r < 0) {
		if (!b.note[0])
			snprintf(b.note, sizeof(b.note), "normal connect failed (backend state %d)", be_state(&b));
		o = O_BROKEN;
	} else if (c->mk) {
		struct blkreq rq;
		int16_t st = 0;

		c->mk(&b, &rq);
		post(&b, &rq);
		/* the id is at the same offset (8) in every request variant */
		o = wait_rsp(&b, rq.u.rw.id, 10000, &st);
		if (o == O_ERROR || o == O_OK)
			snprintf(b.note + strlen(b.note), sizeof(b.note) - strlen(b.note),
				 "%sstatus %d", b.note[0] ? "; " : "", st);
		else if (o == O_NONE)
			snprintf(b.note, sizeof(b.note), "no response within 10 s, backend state %d",
				 be_state(&b));
	} else {
		o = c->run(&b, c);
	}
	if (b.leaked && o != O_BROKEN)
		o = O_LEAK;
	if (b.be[0])
		blk_close(&b);
out:
	expect_str(c->expect, exp, sizeof(exp));
	snprintf(res, ressz, "%s %s %s%s(expected %s; %.1f s)",
		 (c->expect & E(o)) ? "ok" : o == O_BROKEN ? "broken" : "bad",
		 oname[o], b.note, b.note[0] ? " " : "", exp, now() - t0);
	for (char *p = res; *p; p++)
		if (*p == '\n')
			*p = ' ';
	say("result %s %s", c->name, res);
	return (c->expect & E(o)) ? 0 : 1;
}

static bool case_known(const char *name) { return find_case(name) != NULL; }

static void case_child(const char *name, int devid, int seq, char *res, size_t ressz)
{
	(void)seq;
	run_case(find_case(name), devid, res, ressz);
}

static int daemon_loop(void)
{
	/*
	 * The netif twin (hostile-net.c) runs next to it in the same guest, so one
	 * attacker guest serves the vbd and the vif cases (hostile-blk.sh).
	 */
	if (access("/xd/progs/hostile-net", X_OK) == 0 && fork() == 0) {
		execl("/xd/progs/hostile-net", "hostile-net", (char *)NULL);
		_exit(127);
	}
	return hostile_daemon("data/xdh", 150, case_known, case_child);
}

int main(int argc, char **argv)
{
	char exp[80], res[512];

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc >= 2 && !strcmp(argv[1], "-l")) {
		for (size_t i = 0; i < NCASES; i++) {
			expect_str(cases[i].expect, exp, sizeof(exp));
			printf("%s %s %s %s %s\n", cases[i].name, cases[i].dev, cases[i].rule, exp,
			       cases[i].desc);
		}
		return 0;
	}
	if (argc == 4 && !strcmp(argv[1], "run")) {
		const struct hcase *c = find_case(argv[2]);

		if (!c || xs_open() < 0)
			return 2;
		return run_case(c, atoi(argv[3]), res, sizeof(res));
	}
	if (argc != 1) {
		fprintf(stderr, "usage: hostile | hostile -l | hostile run CASE DEVID\n");
		return 2;
	}
	return daemon_loop();
}
