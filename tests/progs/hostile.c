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

enum outcome { O_ERROR, O_OK, O_CLOSED, O_CONNECTED, O_NONE, O_SURVIVED, O_LEAK, O_BROKEN, O_MAX };
static const char *const oname[O_MAX] = {
	"error", "ok", "closed", "connected", "none", "survived", "leak", "broken",
};
#define E(o) (1u << (o))

#define ID_BASE 0xa5a5a5a5a5a5a500ull

static void post(struct blk *b, const struct blkreq *r)
{
	memcpy(slot(b, b->req_prod_pvt), r, sizeof(*r));
	b->req_prod_pvt++;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	sring(b)->req_prod = b->req_prod_pvt;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
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

/* XSA-349/350-like: connect and disconnect in a loop (waiting for the backend). */
static enum outcome run_reconnect(struct blk *b, const struct hcase *c)
{
	char v[32];
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
		fe_state(b, XB_INITIALISING);
		if (wait_be(b, 1u << XB_INITWAIT, 10000) < 0)
			goto stuck;
		ring_init(b);
		snprintf(v, sizeof(v), "%u", b->port);
		xs_write(v, "%s/event-channel", b->fe);
		fe_state(b, XB_INITIALISED);
		if (wait_be(b, 1u << XB_CONNECTED, 10000) < 0)
			goto stuck;
		fe_state(b, XB_CONNECTED);
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
	if (c->conf) {
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
