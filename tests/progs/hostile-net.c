// SPDX-License-Identifier: GPL-2.0-only
/*
 * hostile-net - a user-space, deliberately wrong netif (vif) frontend
 * (tests/hostile/README.md). The blkif twin is hostile.c; this one speaks netif.
 *
 * Runs inside a PV guest in which xen-netfront is NOT loaded. It shares its own
 * pages with /dev/xen/gntalloc, allocates and signals event channels with
 * /dev/xen/evtchn, writes its frontend xenstore nodes through /dev/xen/xenbus,
 * walks the xenbus state machine and then speaks netif wrongly on purpose.
 *
 *   hostile-net                 daemon: polls data/xdn/cmd = "SEQ CASE DEVID", runs
 *                               the case in a child, answers data/xdn/res =
 *                               "SEQ ok|bad|broken OUTCOME DETAIL"
 *   hostile-net -l              list the cases: "NAME DOM0-ACTION RULE EXPECT DESCRIPTION"
 *                               (DOM0-ACTION: "-"; "flood": Dom0 sends to the vif;
 *                               "send": Dom0 sends the frames the case asks for)
 *   hostile-net run CASE DEVID  run one case now (debugging)
 *
 * When the backend stops answering (neither the bad packet nor a valid one sent after
 * it), the case asks Dom0 whether the vif's carrier is down (data/xdn/probe = "SEQ",
 * answer data/xdn/probe-ack = "SEQ CARRIER"): carrier 0 means the backend disabled the
 * device (outcome "disabled"), carrier 1 means it silently stopped ("stalled").
 *
 * The positive cases (ctrl-hash, mcast-filter) check that features netfront does not
 * use work end to end: they ask Dom0 for frames (data/xdn/send = "ID ITEM...", answer
 * data/xdn/send-ack = "ID RC DETAIL"; tests/progs/hostile-frames.c sends them into the
 * bridge) and check each frame they receive (its HASH extra, its queue, whether it
 * passed the multicast filter); their outcome is "ok" or "error" (the first mismatch).
 *
 * Outcomes: error (the bad packet/request answered with an error status), ok (answered
 * with success), closed (backend switched to Closing/Closed), disabled (backend stopped
 * the vif: carrier off), stalled (no answer and the vif still up), ignored (the bad
 * packet got no answer but later ones did), connected (a bogus configuration was
 * accepted), survived (stress case: a valid packet was answered afterwards),
 * unsupported (the backend does not offer the feature), broken (the test could not run).
 *
 * The layouts are those of include/xen/interface/io/{netif,ring}.h for x86_64.
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
#include "toeplitz.h"


/* ------------------------------------------------------------------ netif */

#define TX_SLOT		12	/* union { xen_netif_tx_request; xen_netif_tx_response } */
#define RX_SLOT		8	/* union { xen_netif_rx_request; xen_netif_rx_response } */
#define CTRL_SLOT	16	/* union { xen_netif_ctrl_request; xen_netif_ctrl_response } */
#define TX_ENTS		256	/* (4096 - 64) / 12 = 336 -> 256 */
#define RX_ENTS		256	/* (4096 - 64) / 8 = 504 -> 256 */
#define CTRL_ENTS	128	/* (4096 - 64) / 16 = 252 -> 128 */

#define NETTXF_csum_blank	(1u << 0)
#define NETTXF_data_validated	(1u << 1)
#define NETTXF_more_data	(1u << 2)
#define NETTXF_extra_info	(1u << 3)

#define NETRXF_more_data	(1u << 2)
#define NETRXF_extra_info	(1u << 3)

#define EXTRA_TYPE_GSO		1
#define EXTRA_TYPE_MCAST_ADD	2
#define EXTRA_TYPE_MCAST_DEL	3
#define EXTRA_TYPE_HASH		4
#define EXTRA_FLAG_MORE		1
#define GSO_TYPE_TCPV4		1

#define RSP_DROPPED	(-2)
#define RSP_ERROR	(-1)
#define RSP_OKAY	0
#define RSP_NULL	1

#define CTRL_GET_HASH_FLAGS		1
#define CTRL_SET_HASH_FLAGS		2
#define CTRL_SET_HASH_KEY		3
#define CTRL_GET_HASH_MAPPING_SIZE	4
#define CTRL_SET_HASH_MAPPING_SIZE	5
#define CTRL_SET_HASH_MAPPING		6
#define CTRL_SET_HASH_ALGORITHM		7
#define CTRL_ALG_TOEPLITZ		1
#define HASH_TYPE_IPV4			0	/* bit numbers: the HASH extra's htype */
#define HASH_TYPE_IPV4_TCP		1
#define HASH_TYPE_IPV6			2
#define HASH_TYPE_IPV6_TCP		3

struct txreq { uint32_t gref; uint16_t offset, flags, id, size; };
struct txrsp { uint16_t id; int16_t status; };
struct extra {
	uint8_t type, flags;
	uint16_t gso_size;
	uint8_t gso_type, pad;
	uint16_t features;
};
struct rxreq { uint16_t id, pad; uint32_t gref; };
struct rxrsp { uint16_t id, offset, flags; int16_t status; };
struct ctrlreq { uint16_t id, type; uint32_t data[3]; };
struct ctrlrsp { uint16_t id, type; uint32_t status, data; };

_Static_assert(sizeof(struct txreq) == TX_SLOT, "xen_netif_tx_request");
_Static_assert(sizeof(struct extra) == 8, "xen_netif_extra_info");
_Static_assert(sizeof(struct rxreq) == RX_SLOT, "xen_netif_rx_request");
_Static_assert(sizeof(struct rxrsp) == RX_SLOT, "xen_netif_rx_response");
_Static_assert(sizeof(struct ctrlreq) == CTRL_SLOT, "xen_netif_ctrl_request");
_Static_assert(sizeof(struct ctrlrsp) == 12, "xen_netif_ctrl_response");


/* ------------------------------------------------------------- the device */

#define NDATA	4	/* tx data pages */
#define NRX	64	/* rx buffers posted */
#define NQ	2	/* queues of the multi-queue (positive) cases */

/* One packet taken off an RX ring (rxq_poll()). */
struct rxpkt {
	unsigned len;		/* bytes, all its slots */
	unsigned nslots, nextras;
	uint16_t flags;		/* the first slot's NETRXF_* */
	int16_t status;		/* the first slot's status (< 0: error) */
	unsigned extra_types;	/* 1 << type of each extra-info slot */
	bool has_hash;		/* a XEN_NETIF_EXTRA_TYPE_HASH extra came with it */
	uint8_t htype, halg;
	uint32_t hash;		/* its value (little endian on the ring) */
	unsigned headlen;
	uint8_t head[128];	/* the first bytes of the frame */
};

struct net {
	int devid;
	char fe[64], be[128], bestate[160];
	int gfd, efd;
	uint8_t *tx, *rx, *ctrl;
	uint32_t tx_ref, rx_ref, ctrl_ref;
	unsigned port, ctrl_port;
	uint32_t tx_pvt, tx_cons, rx_pvt, rx_cons, ctrl_pvt, ctrl_cons;
	uint8_t *data[NDATA], *rxbuf;
	uint32_t data_ref[NDATA], rx_refs[NRX];
	int has_ctrl;		/* backend offers feature-ctrl-ring */
	bool no_rx;		/* never post or consume RX buffers */
	unsigned rx_pkts;	/* RX responses consumed */
	char note[300];
	/* Positive cases: queue 1 (cf_mq(); queue 0 is the rings above), a control data
	 * page (hash key, mapping table), a hook that sees every received packet. */
	int nq;
	uint8_t *tx1, *rx1, *rxbuf1, *cpage;
	uint32_t tx1_ref, rx1_ref, rx1_refs[NRX], cpage_ref;
	uint32_t rx1_pvt, rx1_cons;
	unsigned port1;
	bool setup_bad;		/* the setup hook could not set the case up (note says why) */
	void (*on_pkt)(struct net *n, unsigned q, const struct rxpkt *p);
	void *ctx;
};

static struct sring *sr(uint8_t *ring) { return (struct sring *)ring; }
static struct txreq *tx_slot(struct net *n, uint32_t i)
{
	return (struct txreq *)(n->tx + SRING_HDR + (i % TX_ENTS) * TX_SLOT);
}
static struct rxreq *rx_slot(struct net *n, uint32_t i)
{
	return (struct rxreq *)(n->rx + SRING_HDR + (i % RX_ENTS) * RX_SLOT);
}
static struct ctrlreq *ctrl_slot(struct net *n, uint32_t i)
{
	return (struct ctrlreq *)(n->ctrl + SRING_HDR + (i % CTRL_ENTS) * CTRL_SLOT);
}

static int be_state(struct net *n) { return xs_read_long(n->bestate, XB_UNKNOWN); }
static bool be_closed(struct net *n) { int s = be_state(n); return s == XB_CLOSING || s == XB_CLOSED; }

static int wait_be(struct net *n, unsigned mask, int ms) { return wait_state(n->bestate, mask, ms); }

static uint8_t *gnt_alloc(struct net *n, unsigned count, uint32_t *refs)
{
	return gnt_share(n->gfd, count, true, refs);
}

static void notify_port(struct net *n, unsigned port) { evtchn_notify(n->efd, port); }
static void notify(struct net *n) { notify_port(n, n->port); }

static int bind_port(struct net *n, unsigned *port) { return evtchn_unbound(n->efd, port); }

/*
 * The frame every valid packet carries: Ethernet + IPv4 + TCP + payload, to a MAC
 * and an IP nobody has (the bridge floods it, everyone drops it). 1514 bytes.
 */
#define FRAME_LEN 1514
static void frame_fill(uint8_t *p)
{
	static const uint8_t hdr[] = {
		0x00, 0x16, 0x3e, 0x00, 0x00, 0xee, 0x00, 0x16, 0x3e, 0x00, 0x00, 0xa0, 0x08, 0x00,
		0x45, 0x00, 0x05, 0xdc, 0x00, 0x01, 0x40, 0x00, 0x40, 0x06, 0x00, 0x00,
		192, 0, 2, 160, 192, 0, 2, 250,
		0x30, 0x39, 0x00, 0x50, 0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x10, 0xff, 0xff, 0, 0, 0, 0,
	};
	memcpy(p, hdr, sizeof(hdr));
	for (unsigned i = sizeof(hdr); i < FRAME_LEN; i++)
		p[i] = (uint8_t)i;
}

static void rx_post(struct net *n)
{
	struct rxreq *r = rx_slot(n, n->rx_pvt);

	r->id = n->rx_pvt % RX_ENTS;
	r->gref = n->rx_refs[n->rx_pvt % NRX];
	n->rx_pvt++;
}

static unsigned rxq_poll(struct net *n, unsigned q);

/* Consume RX responses and give the buffers back (unless the case starves RX). */
static void rx_poll(struct net *n)
{
	bool more = false;

	if (n->no_rx)
		return;
	if (n->on_pkt) {
		for (int q = 0; q < (n->nq ? n->nq : 1); q++)
			rxq_poll(n, q);
		return;
	}
	while (n->rx_cons != sr(n->rx)->rsp_prod) {
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		n->rx_cons++;
		n->rx_pkts++;
		rx_post(n);
		more = true;
	}
	sr(n->rx)->rsp_event = n->rx_cons + 1;
	if (more) {
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		sr(n->rx)->req_prod = n->rx_pvt;
		notify(n);
	}
}

static int net_open(struct net *n, int devid)
{
	char buf[128];

	memset(n, 0, sizeof(*n));
	n->devid = devid;
	snprintf(n->fe, sizeof(n->fe), "device/vif/%d", devid);
	if (xs_read(buf, sizeof(buf), "%s/backend", n->fe) < 0) {
		snprintf(n->note, sizeof(n->note), "no %s/backend", n->fe);
		return -1;
	}
	snprintf(n->be, sizeof(n->be), "%s", buf);
	snprintf(n->bestate, sizeof(n->bestate), "%s/state", n->be);
	n->gfd = open("/dev/xen/gntalloc", O_RDWR | O_CLOEXEC);
	n->efd = open("/dev/xen/evtchn", O_RDWR | O_CLOEXEC | O_NONBLOCK);
	if (n->gfd < 0 || n->efd < 0) {
		snprintf(n->note, sizeof(n->note), "cannot open /dev/xen/gntalloc or evtchn: %m");
		return -1;
	}
	n->tx = gnt_alloc(n, 1, &n->tx_ref);
	n->rx = gnt_alloc(n, 1, &n->rx_ref);
	n->ctrl = gnt_alloc(n, 1, &n->ctrl_ref);
	n->rxbuf = gnt_alloc(n, NRX, n->rx_refs);
	for (int i = 0; i < NDATA; i++)
		if (!(n->data[i] = gnt_alloc(n, 1, &n->data_ref[i])))
			break;
	if (!n->tx || !n->rx || !n->ctrl || !n->rxbuf || !n->data[NDATA - 1]) {
		snprintf(n->note, sizeof(n->note), "gntalloc failed");
		return -1;
	}
	for (int i = 0; i < NDATA; i++)
		frame_fill(n->data[i]);
	sr(n->tx)->req_event = sr(n->tx)->rsp_event = 1;
	sr(n->rx)->req_event = sr(n->rx)->rsp_event = 1;
	sr(n->ctrl)->req_event = sr(n->ctrl)->rsp_event = 1;
	if (bind_port(n, &n->port) < 0 || bind_port(n, &n->ctrl_port) < 0) {
		snprintf(n->note, sizeof(n->note), "BIND_UNBOUND_PORT: %m");
		return -1;
	}
	return 0;
}

static void rings_reset(struct net *n)
{
	memset(n->tx, 0, PAGE_SZ);
	memset(n->rx, 0, PAGE_SZ);
	memset(n->ctrl, 0, PAGE_SZ);
	sr(n->tx)->req_event = sr(n->tx)->rsp_event = 1;
	sr(n->rx)->req_event = sr(n->rx)->rsp_event = 1;
	sr(n->ctrl)->req_event = sr(n->ctrl)->rsp_event = 1;
	n->tx_pvt = n->tx_cons = n->rx_pvt = n->rx_cons = n->ctrl_pvt = n->ctrl_cons = 0;
	if (!n->no_rx) {
		for (int i = 0; i < NRX; i++)
			rx_post(n);
		sr(n->rx)->req_prod = n->rx_pvt;
	}
}

/* The frontend nodes xen-netfront writes (one queue, one event channel, ctrl ring). */
static int net_publish(struct net *n)
{
	char v[32];
	int e = 0;

	snprintf(v, sizeof(v), "%u", n->tx_ref);
	e |= xs_write(v, "%s/tx-ring-ref", n->fe);
	snprintf(v, sizeof(v), "%u", n->rx_ref);
	e |= xs_write(v, "%s/rx-ring-ref", n->fe);
	snprintf(v, sizeof(v), "%u", n->port);
	e |= xs_write(v, "%s/event-channel", n->fe);
	e |= xs_write("1", "%s/request-rx-copy", n->fe);
	e |= xs_write("1", "%s/feature-rx-notify", n->fe);
	e |= xs_write("1", "%s/feature-sg", n->fe);
	e |= xs_write("1", "%s/feature-gso-tcpv4", n->fe);
	e |= xs_write("1", "%s/feature-gso-tcpv6", n->fe);
	e |= xs_write("1", "%s/feature-ipv6-csum-offload", n->fe);
	if (n->has_ctrl) {
		snprintf(v, sizeof(v), "%u", n->ctrl_ref);
		e |= xs_write(v, "%s/ctrl-ring-ref", n->fe);
		snprintf(v, sizeof(v), "%u", n->ctrl_port);
		e |= xs_write(v, "%s/event-channel-ctrl", n->fe);
	}
	return e ? -1 : 0;
}

static int fe_state(struct net *n, int s)
{
	char v[8];

	snprintf(v, sizeof(v), "%d", s);
	return xs_write(v, "%s/state", n->fe);
}

/* Handshake: InitWait -> (nodes) -> Connected. 0 connected, -1 broken, -2 nothing, -3 closed. */
static int net_connect(struct net *n, void (*conf)(struct net *))
{
	char p[200];
	int s;

	if (wait_be(n, 1u << XB_INITWAIT | 1u << XB_CONNECTED, 30000) < 0) {
		snprintf(n->note, sizeof(n->note), "backend never reached InitWait (state %d)", be_state(n));
		return -1;
	}
	snprintf(p, sizeof(p), "%s/feature-ctrl-ring", n->be);
	n->has_ctrl = xs_read_long(p, 0) == 1;
	rings_reset(n);
	if (net_publish(n) < 0) {
		snprintf(n->note, sizeof(n->note), "writing the frontend nodes failed");
		return -1;
	}
	if (conf)
		conf(n);
	fe_state(n, XB_CONNECTED);
	s = wait_be(n, 1u << XB_CONNECTED | 1u << XB_CLOSING | 1u << XB_CLOSED, 30000);
	if (s != XB_CONNECTED)
		return s < 0 ? -2 : -3;
	return 0;
}

static void net_close(struct net *n)
{
	fe_state(n, XB_CLOSING);
	wait_be(n, 1u << XB_CLOSING | 1u << XB_CLOSED, 5000);
	fe_state(n, XB_CLOSED);
	wait_be(n, 1u << XB_CLOSED, 10000);
}

/* ------------------------------------------------------------------ requests */

enum outcome { O_ERROR, O_OK, O_CLOSED, O_DISABLED, O_STALLED, O_IGNORED, O_CONNECTED,
	       O_SURVIVED, O_UNSUPPORTED, O_BROKEN, O_MAX };
static const char *const oname[O_MAX] = {
	"error", "ok", "closed", "disabled", "stalled", "ignored", "connected",
	"survived", "unsupported", "broken",
};
#define E(o) (1u << (o))

static void tx_req(struct net *n, unsigned page, unsigned off, unsigned flags, unsigned size)
{
	struct txreq *r = tx_slot(n, n->tx_pvt);

	r->gref = page < NDATA ? n->data_ref[page] : page;
	r->offset = off;
	r->flags = flags;
	r->id = n->tx_pvt % TX_ENTS;
	r->size = size;
	n->tx_pvt++;
}

static void tx_extra(struct net *n, unsigned type, unsigned flags, unsigned gso_size, unsigned gso_type)
{
	struct extra *x = (struct extra *)tx_slot(n, n->tx_pvt);

	memset(x, 0, TX_SLOT);
	x->type = type;
	x->flags = flags;
	x->gso_size = gso_size;
	x->gso_type = gso_type;
	n->tx_pvt++;
}

static void tx_push(struct net *n)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	sr(n->tx)->req_prod = n->tx_pvt;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	notify(n);
}

/* Take the next TX response, if the backend has produced one. */
static bool tx_take(struct net *n, struct txrsp *r)
{
	if (n->tx_cons == sr(n->tx)->rsp_prod)
		return false;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	memcpy(r, tx_slot(n, n->tx_cons), sizeof(*r));
	n->tx_cons++;
	sr(n->tx)->rsp_event = n->tx_cons + 1;
	return true;
}

/*
 * Wait for the TX response with this id (bounded). Returns 1 and the status, 0 on
 * timeout, -1 if the backend closed. Other responses are consumed on the way.
 */
static int tx_wait(struct net *n, uint16_t id, int ms, int16_t *status)
{
	double end = now() + ms / 1000.0, next_xs = 0;

	for (;;) {
		struct txrsp r;

		while (tx_take(n, &r)) {
			if (r.id == id && r.status != RSP_NULL) {
				*status = r.status;
				return 1;
			}
		}
		rx_poll(n);
		if (now() >= next_xs) {
			if (be_closed(n))
				return -1;
			next_xs = now() + 0.2;
		}
		if (now() >= end)
			return 0;
		usleep(2000);
	}
}

/* A valid one-slot packet; returns its outcome (ok, error, closed or stalled). */
static enum outcome valid_packet(struct net *n, int ms)
{
	uint16_t id = n->tx_pvt % TX_ENTS;
	int16_t st = 0;
	int r;

	tx_req(n, 0, 0, NETTXF_data_validated, 60);
	tx_push(n);
	r = tx_wait(n, id, ms, &st);
	if (r < 0)
		return O_CLOSED;
	if (r == 0)
		return O_STALLED;
	return st == RSP_OKAY ? O_OK : O_ERROR;
}

static int probe_seq;	/* the daemon's command sequence number, for data/xdn/probe */

/*
 * The backend answers nothing: ask Dom0 whether the vif's carrier is down
 * (the backend disabled the device) or still up (it silently stopped).
 */
static enum outcome ask_dom0_carrier(struct net *n)
{
	char v[64], want[32];
	double end;

	if (!probe_seq)
		return O_STALLED;
	snprintf(v, sizeof(v), "%d", probe_seq);
	xs_write(v, "data/xdn/probe");
	snprintf(want, sizeof(want), "%d ", probe_seq);
	end = now() + 30;
	while (now() < end) {
		if (xs_read(v, sizeof(v), "data/xdn/probe-ack") == 0 && !strncmp(v, want, strlen(want))) {
			snprintf(n->note + strlen(n->note), sizeof(n->note) - strlen(n->note),
				 "%sDom0: vif carrier %s", n->note[0] ? "; " : "", v + strlen(want));
			return atoi(v + strlen(want)) == 0 ? O_DISABLED : O_STALLED;
		}
		msleep(200);
	}
	return O_STALLED;
}

/* Judge a posted bad packet whose first slot has this id. */
static enum outcome judge_tx(struct net *n, uint16_t id)
{
	int16_t st = 0;
	int r = tx_wait(n, id, 6000, &st);
	enum outcome v;

	if (r < 0)
		return O_CLOSED;
	if (r > 0) {
		v = valid_packet(n, 6000);
		snprintf(n->note + strlen(n->note), sizeof(n->note) - strlen(n->note),
			 "%sstatus %d, a valid packet after it: %s", n->note[0] ? "; " : "", st, oname[v]);
		return st == RSP_OKAY ? O_OK : O_ERROR;
	}
	v = valid_packet(n, 6000);
	if (v == O_CLOSED)
		return O_CLOSED;
	if (v != O_STALLED) {
		snprintf(n->note + strlen(n->note), sizeof(n->note) - strlen(n->note),
			 "%sno answer to the bad packet, a valid one after it: %s", n->note[0] ? "; " : "",
			 oname[v]);
		return O_IGNORED;
	}
	snprintf(n->note + strlen(n->note), sizeof(n->note) - strlen(n->note),
		 "%sno answer within 12 s, backend state %d", n->note[0] ? "; " : "", be_state(n));
	return ask_dom0_carrier(n);
}

/* ----------------------------------------------------------------- cases */

struct hcase;
typedef void (*conf_fn)(struct net *);
typedef enum outcome (*run_fn)(struct net *, const struct hcase *);
typedef void (*pkt_fn)(struct net *);

struct hcase {
	const char *name;
	const char *dom0;	/* "-", "flood" or "send" */
	const char *rule;
	unsigned expect;
	pkt_fn pkt;		/* one bad packet after a normal connect */
	conf_fn conf;		/* bogus frontend nodes before Connected */
	conf_fn setup;		/* frontend nodes of a positive case before Connected */
	run_fn run;		/* custom attack after a normal connect */
	bool no_rx;
	const char *desc;
};

/* --- bad packets (the first slot's size is the packet's total size) --- */
static void pk_slots(struct net *n, unsigned nslots)
{
	for (unsigned i = 0; i < nslots; i++)
		tx_req(n, i % NDATA, 0, i + 1 < nslots ? NETTXF_more_data : 0,
		       i ? 60 : 60 * nslots);
}
static void pk_slots_30(struct net *n) { pk_slots(n, 30); }
static void pk_slots_19(struct net *n) { pk_slots(n, 19); }
static void pk_slots_200(struct net *n) { pk_slots(n, 200); }
static void pk_cross_page(struct net *n) { tx_req(n, 0, 4000, 0, 200); }
static void pk_zero_first(struct net *n) { tx_req(n, 0, 0, 0, 0); }
static void pk_zero_frag(struct net *n)
{
	tx_req(n, 0, 0, NETTXF_more_data, 120);
	tx_req(n, 1, 0, NETTXF_more_data, 0);
	tx_req(n, 2, 0, 0, 60);
}
static void pk_tiny(struct net *n) { tx_req(n, 0, 0, 0, 8); }
static void pk_oversize(struct net *n) { tx_req(n, 0, 0, 0, 65535); }
static void pk_frag_over_total(struct net *n)
{
	tx_req(n, 0, 0, NETTXF_more_data, 100);
	tx_req(n, 1, 0, 0, 1400);
}
static void pk_total_over_frags(struct net *n)
{
	tx_req(n, 0, 0, NETTXF_more_data, 9000);
	tx_req(n, 1, 0, 0, 60);
}
/* XSA-423: the 54-byte Ethernet/IPv4/TCP header spread one byte per slot */
static void pk_hdr_split(struct net *n)
{
	for (unsigned i = 0; i < 16; i++)
		tx_req(n, i % NDATA, i, NETTXF_more_data, i ? 1 : 200);
	tx_req(n, 0, 16, 0, 200 - 16);
}
static void pk_gso(struct net *n, unsigned type, unsigned size, unsigned extra_type, unsigned xflags)
{
	tx_req(n, 0, 0, NETTXF_extra_info | NETTXF_csum_blank | NETTXF_data_validated, 1514);
	tx_extra(n, extra_type, xflags, size, type);
}
static void pk_gso_type(struct net *n) { pk_gso(n, 7, 1400, EXTRA_TYPE_GSO, 0); }
static void pk_gso_size0(struct net *n) { pk_gso(n, GSO_TYPE_TCPV4, 0, EXTRA_TYPE_GSO, 0); }
static void pk_gso_size_huge(struct net *n) { pk_gso(n, GSO_TYPE_TCPV4, 65535, EXTRA_TYPE_GSO, 0); }
static void pk_gso_size1(struct net *n) { pk_gso(n, GSO_TYPE_TCPV4, 1, EXTRA_TYPE_GSO, 0); }
static void pk_extra_type0(struct net *n) { pk_gso(n, GSO_TYPE_TCPV4, 1400, 0, 0); }
static void pk_extra_type99(struct net *n) { pk_gso(n, GSO_TYPE_TCPV4, 1400, 99, 0); }
/* extra_info flag, but the chain ends at req_prod (MORE set on the last extra) */
static void pk_extra_missing(struct net *n) { pk_gso(n, GSO_TYPE_TCPV4, 1400, EXTRA_TYPE_GSO, EXTRA_FLAG_MORE); }
static void pk_extra_long(struct net *n)
{
	tx_req(n, 0, 0, NETTXF_extra_info | NETTXF_csum_blank | NETTXF_data_validated, 1514);
	for (int i = 0; i < 40; i++)
		tx_extra(n, EXTRA_TYPE_GSO, i < 39 ? EXTRA_FLAG_MORE : 0, 1400, GSO_TYPE_TCPV4);
}
static void pk_gref_bad(struct net *n) { tx_req(n, 0x7ffffff0, 0, 0, 60); }

/* --- bogus frontend nodes --- */
static void cf_queues_zero(struct net *n) { xs_write("0", "%s/multi-queue-num-queues", n->fe); }
static void cf_queues_huge(struct net *n) { xs_write("65536", "%s/multi-queue-num-queues", n->fe); }
static void cf_tx_ref_bad(struct net *n) { xs_write("2147483647", "%s/tx-ring-ref", n->fe); }
static void cf_evtchn_bad(struct net *n) { xs_write("4000", "%s/event-channel", n->fe); }
static void cf_no_rx_copy(struct net *n) { xs_write("0", "%s/request-rx-copy", n->fe); }
static void cf_ctrl_ref_bad(struct net *n)
{
	xs_write("2147483647", "%s/ctrl-ring-ref", n->fe);
	xs_write("4000", "%s/event-channel-ctrl", n->fe);
}

/* --- custom attacks --- */
static enum outcome run_prod_ahead(struct net *n, const struct hcase *c)
{
	uint16_t id = n->tx_pvt % TX_ENTS;

	(void)c;
	tx_req(n, 0, 0, 0, 60);
	sr(n->tx)->req_prod = n->tx_pvt + 10000;
	notify(n);
	return judge_tx(n, id);
}

static enum outcome run_prod_back(struct net *n, const struct hcase *c)
{
	enum outcome o;

	(void)c;
	for (int i = 0; i < 3; i++)
		if ((o = valid_packet(n, 10000)) != O_OK) {
			snprintf(n->note, sizeof(n->note), "valid packet %d before the attack: %s", i, oname[o]);
			return O_BROKEN;
		}
	sr(n->tx)->req_prod = 1;
	notify(n);
	msleep(2000);
	sr(n->tx)->req_prod = n->tx_pvt;
	return judge_tx(n, 0xffff);
}

/*
 * Double fetch (rule 1): a second thread keeps rewriting the size, flags and
 * offset of every TX slot while valid 2-slot packets are posted over them.
 * The backend must copy each request once and act on that copy: whatever it
 * saw, it answers, drops the packet or disables the vif, and Dom0 survives.
 */
static volatile int tx_flip_stop;
static void *tx_flipper(void *arg)
{
	struct net *n = arg;
	static const uint16_t sizes[] = { 60, 1514, 65535, 0, 4000 };
	unsigned k = 0;

	while (!tx_flip_stop)
		for (uint32_t i = 0; i < TX_ENTS; i++, k++) {
			volatile struct txreq *r = tx_slot(n, i);

			r->size = sizes[k % 5];
			r->flags = (k & 1) ? NETTXF_more_data : 0;
			r->offset = (k & 2) ? 4000 : 0;
		}
	return NULL;
}

static enum outcome run_tx_double_fetch(struct net *n, const struct hcase *c)
{
	const unsigned total = 4000;
	double end = now() + 20, next_xs = now() + 0.2;
	unsigned posted = 0, answered = 0, ok = 0, err = 0;
	enum outcome o = O_SURVIVED;
	struct txrsp r;
	pthread_t t;

	(void)c;
	tx_flip_stop = 0;
	pthread_create(&t, NULL, tx_flipper, n);
	while (posted < total && now() < end) {
		while (posted < total && n->tx_pvt - n->tx_cons + 2 <= TX_ENTS) {
			tx_req(n, posted % NDATA, 0, NETTXF_more_data, 1514);
			tx_req(n, (posted + 1) % NDATA, 0, 0, 1514 - 1000);
			posted++;
		}
		tx_push(n);
		while (tx_take(n, &r)) {
			if (r.status == RSP_NULL)
				continue;
			answered++;
			if (r.status == RSP_OKAY)
				ok++;
			else
				err++;
		}
		rx_poll(n);
		if (now() > next_xs) {
			if (be_closed(n)) {
				o = O_CLOSED;
				break;
			}
			next_xs = now() + 0.2;
		}
		usleep(500);
	}
	tx_flip_stop = 1;
	pthread_join(t, NULL);
	snprintf(n->note, sizeof(n->note), "%u packets posted over rewritten slots, %u slot answers (%u ok, %u error)",
		 posted, answered, ok, err);
	if (o != O_SURVIVED)
		return o;
	/* The ring's slots were garbage meanwhile: a fresh packet still works, or
	 * the backend disabled the vif (a violation it saw). */
	o = valid_packet(n, 15000);
	if (o == O_OK)
		return O_SURVIVED;
	if (o == O_STALLED)
		return ask_dom0_carrier(n);
	return o;
}

static enum outcome run_event_storm(struct net *n, const struct hcase *c)
{
	double end = now() + 5;
	unsigned long k = 0;
	enum outcome o;

	(void)c;
	while (now() < end)
		for (int i = 0; i < 1000; i++, k++)
			notify(n);
	o = valid_packet(n, 15000);
	snprintf(n->note, sizeof(n->note), "%lu notifications in 5 s, then a valid packet: %s", k, oname[o]);
	return o == O_OK ? O_SURVIVED : o;
}

/* The backend must not buffer without bound for a guest that never takes RX. */
static enum outcome run_rx_starve(struct net *n, const struct hcase *c)
{
	double end = now() + 45;
	enum outcome o;

	(void)c;
	xs_write("1", "data/xdn/flood");	/* Dom0 floods from now on */
	while (now() < end && !be_closed(n))
		msleep(500);
	if (be_closed(n))
		return O_CLOSED;
	o = valid_packet(n, 15000);
	snprintf(n->note, sizeof(n->note), "45 s without RX buffers under a Dom0 flood (rx req_prod %u), "
		 "then a valid TX packet: %s", sr(n->rx)->req_prod, oname[o]);
	return o == O_OK ? O_SURVIVED : o;
}

/* RX producer far ahead while Dom0 sends: the backend must not read garbage requests. */
static enum outcome run_rx_prod_ahead(struct net *n, const struct hcase *c)
{
	double end = now() + 20;
	enum outcome o;

	(void)c;
	n->no_rx = true;
	sr(n->rx)->req_prod = n->rx_pvt + 100000;
	notify(n);
	xs_write("1", "data/xdn/flood");
	while (now() < end && !be_closed(n))
		msleep(500);
	if (be_closed(n))
		return O_CLOSED;
	o = valid_packet(n, 10000);
	snprintf(n->note, sizeof(n->note), "rx req_prod 100000 ahead under a Dom0 flood, then a valid packet: %s",
		 oname[o]);
	if (o == O_STALLED)
		return ask_dom0_carrier(n);
	return o == O_OK ? O_SURVIVED : o;
}

/* One control request; its status, and its data if @data. */
static enum outcome ctrl_req_data(struct net *n, unsigned type, uint32_t d0, uint32_t d1, uint32_t d2,
				  uint32_t *status, uint32_t *data)
{
	struct ctrlreq *r = ctrl_slot(n, n->ctrl_pvt);
	uint16_t id = 0x100 + (n->ctrl_pvt & 0xff);
	double end = now() + 10;

	r->id = id;
	r->type = type;
	r->data[0] = d0;
	r->data[1] = d1;
	r->data[2] = d2;
	n->ctrl_pvt++;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	sr(n->ctrl)->req_prod = n->ctrl_pvt;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	notify_port(n, n->ctrl_port);
	while (now() < end) {
		while (n->ctrl_cons != sr(n->ctrl)->rsp_prod) {
			struct ctrlrsp rs;

			__atomic_thread_fence(__ATOMIC_SEQ_CST);
			memcpy(&rs, ctrl_slot(n, n->ctrl_cons), sizeof(rs));
			n->ctrl_cons++;
			sr(n->ctrl)->rsp_event = n->ctrl_cons + 1;
			if (rs.id == id) {
				*status = rs.status;
				if (data)
					*data = rs.data;
				return rs.status ? O_ERROR : O_OK;
			}
		}
		if (be_closed(n))
			return O_CLOSED;
		msleep(10);
	}
	return O_STALLED;
}

static enum outcome ctrl_req(struct net *n, unsigned type, uint32_t d0, uint32_t d1, uint32_t d2,
			     uint32_t *status)
{
	return ctrl_req_data(n, type, d0, d1, d2, status, NULL);
}

/* SET_HASH_MAPPING with a bad offset/length/grant after a valid size of 64 */
static enum outcome run_ctrl(struct net *n, uint32_t size, uint32_t gref, uint32_t len, uint32_t off)
{
	uint32_t st = 0;
	enum outcome o;

	if (!n->has_ctrl) {
		snprintf(n->note, sizeof(n->note), "backend offers no feature-ctrl-ring");
		return O_UNSUPPORTED;
	}
	o = ctrl_req(n, CTRL_SET_HASH_ALGORITHM, CTRL_ALG_TOEPLITZ, 0, 0, &st);
	if (o != O_OK) {
		snprintf(n->note, sizeof(n->note), "SET_HASH_ALGORITHM toeplitz: %s (status %u)", oname[o], st);
		return o == O_ERROR ? O_UNSUPPORTED : o;
	}
	o = ctrl_req(n, CTRL_SET_HASH_MAPPING_SIZE, size, 0, 0, &st);
	if (size != 64 || o != O_OK) {
		snprintf(n->note, sizeof(n->note), "SET_HASH_MAPPING_SIZE %u: %s (status %u)", size, oname[o], st);
		return size != 64 ? o : O_BROKEN;
	}
	o = ctrl_req(n, CTRL_SET_HASH_MAPPING, gref, len, off, &st);
	snprintf(n->note, sizeof(n->note), "SET_HASH_MAPPING gref %#x len %u off %u (mapping size 64): "
		 "%s (status %u)", gref, len, off, oname[o], st);
	if (o == O_STALLED)
		return ask_dom0_carrier(n);
	return o;
}
static enum outcome run_ctrl_off(struct net *n, const struct hcase *c)
{
	(void)c;
	return run_ctrl(n, 64, n->data_ref[0], 2, 0xffffffffu);
}
static enum outcome run_ctrl_len(struct net *n, const struct hcase *c)
{
	(void)c;
	return run_ctrl(n, 64, n->data_ref[0], 1000, 0);
}
static enum outcome run_ctrl_off_len(struct net *n, const struct hcase *c)
{
	(void)c;
	return run_ctrl(n, 64, n->data_ref[0], 16, 60);
}
static enum outcome run_ctrl_gref(struct net *n, const struct hcase *c)
{
	(void)c;
	return run_ctrl(n, 64, 0x7ffffff0, 16, 0);
}
static enum outcome run_ctrl_size(struct net *n, const struct hcase *c)
{
	(void)c;
	return run_ctrl(n, 0xffffffffu, 0, 0, 0);
}

static enum outcome run_reconnect(struct net *n, const struct hcase *c)
{
	enum outcome o;
	int i;

	(void)c;
	for (i = 0; i < 6; i++) {
		fe_state(n, XB_CLOSING);
		if (wait_be(n, 1u << XB_CLOSING | 1u << XB_CLOSED, 15000) < 0)
			goto stuck;
		fe_state(n, XB_CLOSED);
		if (wait_be(n, 1u << XB_CLOSED, 15000) < 0)
			goto stuck;
		fe_state(n, XB_INITIALISING);
		if (wait_be(n, 1u << XB_INITWAIT, 15000) < 0)
			goto stuck;
		rings_reset(n);
		net_publish(n);
		fe_state(n, XB_CONNECTED);
		if (wait_be(n, 1u << XB_CONNECTED, 15000) < 0)
			goto stuck;
		if ((o = valid_packet(n, 10000)) != O_OK) {
			snprintf(n->note, sizeof(n->note), "cycle %d: valid packet: %s", i, oname[o]);
			return o;
		}
	}
	snprintf(n->note, sizeof(n->note), "%d full close/reconnect cycles, a valid packet each", i);
	return O_SURVIVED;
stuck:
	snprintf(n->note, sizeof(n->note), "cycle %d: backend stuck in state %d", i, be_state(n));
	return O_STALLED;
}

static enum outcome run_connect_storm(struct net *n, const struct hcase *c)
{
	static const int seq[] = { XB_CLOSING, XB_CLOSED, XB_INITIALISING, XB_INITIALISED, XB_CONNECTED };
	int i, s;

	(void)c;
	for (i = 0; i < 100 * 5; i++)
		fe_state(n, seq[i % 5]);
	msleep(3000);
	s = be_state(n);
	snprintf(n->note, sizeof(n->note), "500 state writes without waiting; backend state %d", s);
	fe_state(n, XB_CLOSING);
	wait_be(n, 1u << XB_CLOSING | 1u << XB_CLOSED, 10000);
	fe_state(n, XB_CLOSED);
	if (wait_be(n, 1u << XB_CLOSED, 15000) < 0) {
		snprintf(n->note + strlen(n->note), sizeof(n->note) - strlen(n->note),
			 "; after a clean close it is still in state %d", be_state(n));
		return O_STALLED;
	}
	return O_SURVIVED;
}

static enum outcome run_state_storm(struct net *n, const struct hcase *c)
{
	static const char *const vals[] = { "4", "3", "1", "4", "2", "3", "4" };
	enum outcome o;
	int i, s;

	(void)c;
	for (i = 0; i < 1500; i++)
		xs_write(vals[i % 7], "%s/state", n->fe);
	fe_state(n, XB_CONNECTED);
	msleep(2000);
	s = be_state(n);
	if (s == XB_CLOSING || s == XB_CLOSED)
		return O_CLOSED;
	o = valid_packet(n, 10000);
	snprintf(n->note, sizeof(n->note), "1500 state rewrites; backend state %d, valid packet: %s", s, oname[o]);
	return o == O_OK ? O_SURVIVED : o;
}

/* ------------------------------------------------------------ positive cases */

/*
 * The positive cases check that a feature netfront does not use works end to end:
 * the frontend configures it, asks Dom0 to send frames (data/xdn/send, see dom0_send())
 * and checks every frame it receives. Outcome "ok" when everything matched, "error"
 * with the first mismatch otherwise, "unsupported" when the backend lacks the feature.
 */

static struct rxreq *rxr_slot(uint8_t *ring, uint32_t i)
{
	return (struct rxreq *)(ring + SRING_HDR + (i % RX_ENTS) * RX_SLOT);
}

/* The RX ring of queue @q: its ring, buffers, indices and event channel. */
struct rxq {
	uint8_t *ring, *buf;
	uint32_t *refs, *pvt, *cons;
	unsigned port;
};

static struct rxq rxq_of(struct net *n, unsigned q)
{
	if (q == 0)
		return (struct rxq){ n->rx, n->rxbuf, n->rx_refs, &n->rx_pvt, &n->rx_cons, n->port };
	return (struct rxq){ n->rx1, n->rxbuf1, n->rx1_refs, &n->rx1_pvt, &n->rx1_cons, n->port1 };
}

static void rxq_post(struct rxq *r)
{
	struct rxreq *s = rxr_slot(r->ring, *r->pvt);

	s->id = *r->pvt % RX_ENTS;
	s->gref = r->refs[*r->pvt % NRX];
	(*r->pvt)++;
}

/*
 * Take the complete packets off queue @q's RX ring: first slot, its extra-info slots
 * (netif.h "Guest receive"), its further data slots; hand each to n->on_pkt (before
 * its buffers are posted again), then give the slots back. Returns the packets taken.
 */
static unsigned rxq_poll(struct net *n, unsigned q)
{
	struct rxq r = rxq_of(n, q);
	unsigned pkts = 0;

	for (;;) {
		uint32_t prod = sr(r.ring)->rsp_prod, i = *r.cons;
		bool incomplete = false;
		struct rxpkt p;
		struct rxrsp rs;
		uint16_t fl;

		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		if (i == prod)
			break;
		memset(&p, 0, sizeof(p));
		memcpy(&rs, rxr_slot(r.ring, i), sizeof(rs));
		p.flags = fl = rs.flags;
		p.status = rs.status;
		p.nslots = 1;
		if (rs.status > 0) {
			unsigned len = (unsigned)rs.status;

			p.len = len;
			if (rs.offset < PAGE_SZ) {
				p.headlen = len < sizeof(p.head) ? len : sizeof(p.head);
				if (p.headlen > PAGE_SZ - (unsigned)rs.offset)
					p.headlen = PAGE_SZ - (unsigned)rs.offset;
				memcpy(p.head, r.buf + (i % NRX) * PAGE_SZ + rs.offset, p.headlen);
			}
		}
		i++;
		if (fl & NETRXF_extra_info) {
			uint8_t x[8];

			do {
				if (i == prod) {
					incomplete = true;
					break;
				}
				memcpy(x, rxr_slot(r.ring, i), sizeof(x));
				i++;
				p.nextras++;
				p.extra_types |= 1u << (x[0] & 31);
				if (x[0] == EXTRA_TYPE_HASH) {
					p.has_hash = true;
					p.htype = x[2];
					p.halg = x[3];
					p.hash = x[4] | x[5] << 8 | x[6] << 16 | (uint32_t)x[7] << 24;
				}
			} while ((x[1] & EXTRA_FLAG_MORE) && p.nextras < 8);
		}
		while (!incomplete && (fl & NETRXF_more_data) && p.nslots < 24) {
			if (i == prod) {
				incomplete = true;
				break;
			}
			memcpy(&rs, rxr_slot(r.ring, i), sizeof(rs));
			i++;
			p.nslots++;
			if (rs.status > 0)
				p.len += rs.status;
			fl = rs.flags;
		}
		if (incomplete)
			break;
		if (n->on_pkt)
			n->on_pkt(n, q, &p);
		while (*r.cons != i) {
			(*r.cons)++;
			rxq_post(&r);
		}
		n->rx_pkts++;
		pkts++;
	}
	sr(r.ring)->rsp_event = *r.cons + 1;
	if (pkts) {
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		sr(r.ring)->req_prod = *r.pvt;
		notify_port(n, r.port);
	}
	return pkts;
}

/*
 * Setup hook: two queues (netif.h "Multiple transmit and receive queues"): the keys
 * under queue-0/ (the rings of the other cases) and queue-1/ (rings of its own), none
 * at the top level.
 */
static void cf_mq(struct net *n)
{
	char p[200], v[32];
	long maxq;
	int e = 0;

	snprintf(p, sizeof(p), "%s/multi-queue-max-queues", n->be);
	maxq = xs_read_long(p, 1);
	if (maxq < NQ) {
		snprintf(n->note, sizeof(n->note), "backend offers %ld queue(s), the case needs %d", maxq, NQ);
		n->setup_bad = true;
		return;
	}
	n->tx1 = gnt_alloc(n, 1, &n->tx1_ref);
	n->rx1 = gnt_alloc(n, 1, &n->rx1_ref);
	n->rxbuf1 = gnt_alloc(n, NRX, n->rx1_refs);
	if (!n->tx1 || !n->rx1 || !n->rxbuf1 || bind_port(n, &n->port1) < 0) {
		snprintf(n->note, sizeof(n->note), "queue 1: gntalloc or BIND_UNBOUND_PORT failed");
		n->setup_bad = true;
		return;
	}
	memset(n->tx1, 0, PAGE_SZ);
	memset(n->rx1, 0, PAGE_SZ);
	sr(n->tx1)->req_event = sr(n->tx1)->rsp_event = 1;
	sr(n->rx1)->req_event = sr(n->rx1)->rsp_event = 1;
	n->rx1_pvt = n->rx1_cons = 0;
	{
		struct rxq r = rxq_of(n, 1);

		for (int i = 0; i < NRX; i++)
			rxq_post(&r);
	}
	sr(n->rx1)->req_prod = n->rx1_pvt;
	for (int i = 0; i < 3; i++) {
		static const char *const top[] = { "tx-ring-ref", "rx-ring-ref", "event-channel" };

		snprintf(p, sizeof(p), "%s/%s", n->fe, top[i]);
		xs_rm(p);
	}
	for (int q = 0; q < NQ; q++) {
		snprintf(v, sizeof(v), "%u", q ? n->tx1_ref : n->tx_ref);
		e |= xs_write(v, "%s/queue-%d/tx-ring-ref", n->fe, q);
		snprintf(v, sizeof(v), "%u", q ? n->rx1_ref : n->rx_ref);
		e |= xs_write(v, "%s/queue-%d/rx-ring-ref", n->fe, q);
		snprintf(v, sizeof(v), "%u", q ? n->port1 : n->port);
		e |= xs_write(v, "%s/queue-%d/event-channel", n->fe, q);
	}
	snprintf(v, sizeof(v), "%d", NQ);
	e |= xs_write(v, "%s/multi-queue-num-queues", n->fe);
	if (e) {
		snprintf(n->note, sizeof(n->note), "writing the queue nodes failed");
		n->setup_bad = true;
		return;
	}
	n->nq = NQ;
}

/* Setup hook of ctrl-hash: two queues, and the backend must offer the control ring. */
static void cf_ctrl_hash(struct net *n)
{
	if (!n->has_ctrl) {
		snprintf(n->note, sizeof(n->note), "backend offers no feature-ctrl-ring");
		n->setup_bad = true;
		return;
	}
	cf_mq(n);
}

/* Setup hook of mcast-filter: request-multicast-control before Connected. */
static void cf_mcast(struct net *n)
{
	char p[200];

	snprintf(p, sizeof(p), "%s/feature-multicast-control", n->be);
	if (xs_read_long(p, 0) != 1) {
		snprintf(n->note, sizeof(n->note), "backend offers no feature-multicast-control");
		n->setup_bad = true;
		return;
	}
	xs_write("1", "%s/request-multicast-control", n->fe);
}

/* COUNT frames of one flow Dom0 sends (tests/progs/hostile-frames.c), tagged. */
struct item {
	unsigned count, want;	/* frames sent, frames the guest must receive */
	char dst[18];		/* destination MAC */
	char proto;		/* 't' IPv4/TCP, 'u' IPv4/UDP, 'T' IPv6/TCP, 'U' IPv6/UDP,
				 * 'r' EtherType 0x88b5 */
	uint8_t src[4], dstip[4];	/* IPv6: 2001:db8::SRC (hostile-frames.c) */
	uint16_t sport, dport;
};

#define MAX_ITEMS 16
struct pos {
	unsigned round, nitems;
	struct item it[MAX_ITEMS];
	unsigned got[MAX_ITEMS], perq[NQ];
	/* ctrl-hash: check each frame's HASH extra and queue against these */
	bool hash;
	uint32_t hflags;	/* the SET_HASH_FLAGS the guest set */
	const uint8_t *key;
	const uint32_t *map;
	unsigned mapn, hashed, unhashed;
	unsigned nbad;
	char bad[240];
};

__attribute__((format(printf, 2, 3)))
static void pos_bad(struct pos *x, const char *fmt, ...)
{
	va_list ap;

	if (!x->nbad++) {
		va_start(ap, fmt);
		vsnprintf(x->bad, sizeof(x->bad), fmt, ap);
		va_end(ap);
	}
}

static uint32_t be32(const uint8_t *p) { return (uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3]; }

/* n->on_pkt of the positive cases: count our tagged frames, check their extras. */
static void pos_on_pkt(struct net *n, unsigned q, const struct rxpkt *p)
{
	struct pos *x = n->ctx;
	const uint8_t *h = p->head;
	unsigned off, l4 = 0, proto = 0, tag, i;
	const struct item *t;

	if (p->status <= 0 || p->headlen < 14)
		return;
	if (h[12] == 0x08 && h[13] == 0x00) {
		if (p->headlen < 34 || (h[14] >> 4) != 4)
			return;
		l4 = 14 + (h[14] & 15) * 4;
		proto = h[23];
	} else if (h[12] == 0x86 && h[13] == 0xdd) {
		if (p->headlen < 54 || (h[14] >> 4) != 6)
			return;
		l4 = 54;
		proto = h[20];
	} else if (!(h[12] == 0x88 && h[13] == 0xb5)) {
		return;
	}
	if (!l4)
		off = 14;	/* EtherType 0x88b5: the tag right after the Ethernet header */
	else if (proto == 6)
		off = l4 + 20;
	else if (proto == 17)
		off = l4 + 8;
	else
		return;
	if (off + 12 > p->headlen || memcmp(h + off, "XDNF", 4))
		return;
	tag = be32(h + off + 4);
	if (tag / 100 != x->round || tag % 100 >= x->nitems)
		return;		/* a frame of an earlier round */
	i = tag % 100;
	t = &x->it[i];
	x->got[i]++;
	x->perq[q]++;
	if (!x->hash)
		return;
	if (t->proto == 'r') {
		if (p->has_hash)
			pos_bad(x, "flow %u (EtherType 0x88b5, not IP) came with a HASH extra (type %u, "
				"algorithm %u, value %#x) on queue %u", i, p->htype, p->halg, p->hash, q);
		return;
	} else {
		uint8_t ports[4] = { t->sport >> 8, t->sport & 0xff, t->dport >> 8, t->dport & 0xff };
		bool tcp = t->proto == 't' || t->proto == 'T', v6 = t->proto == 'T' || t->proto == 'U';
		unsigned l3 = v6 ? HASH_TYPE_IPV6 : HASH_TYPE_IPV4;
		unsigned l4t = v6 ? HASH_TYPE_IPV6_TCP : HASH_TYPE_IPV4_TCP;
		const char *what = v6 ? (tcp ? "IPv6/TCP" : "IPv6/UDP") : (tcp ? "TCP" : "UDP");
		uint8_t s6[16], d6[16];
		unsigned wtype, wq;
		uint32_t want;

		/* netif.h: the TCP type if enabled and the frame is TCP, else the address type */
		if (tcp && x->hflags & 1u << l4t)
			wtype = l4t;
		else if (x->hflags & 1u << l3)
			wtype = l3;
		else
			wtype = ~0u;
		if (wtype == ~0u) {
			if (p->has_hash)
				pos_bad(x, "flow %u (%s, its hash types not enabled) came with a HASH extra "
					"(type %u, algorithm %u, value %#x)", i, what, p->htype, p->halg, p->hash);
			else
				x->unhashed++;
			return;
		}
		if (v6) {
			toeplitz_test_v6(s6, t->src);
			toeplitz_test_v6(d6, t->dstip);
			want = toeplitz_ipv6(x->key, 40, s6, d6, wtype == l4t ? ports : NULL);
		} else {
			want = toeplitz_ipv4(x->key, 40, t->src, t->dstip, wtype == l4t ? ports : NULL);
		}
		wq = x->map[want % x->mapn];
		if (!p->has_hash)
			pos_bad(x, "flow %u (%s): no HASH extra (extras %#x, %u slots)", i, what,
				p->extra_types, p->nslots);
		else if (p->htype != wtype || p->halg != CTRL_ALG_TOEPLITZ || p->hash != want)
			pos_bad(x, "flow %u (%s): HASH extra type %u algorithm %u value %#x, expected type %u "
				"algorithm %u value %#x", i, what, p->htype, p->halg, p->hash,
				wtype, CTRL_ALG_TOEPLITZ, want);
		else if (q != wq)
			pos_bad(x, "flow %u (%s): on queue %u, the mapping table says %u (hash %#x %% %u = %u)",
				i, what, q, wq, want, x->mapn, want % x->mapn);
		else
			x->hashed++;
	}
}

static bool pos_complete(const struct pos *x)
{
	for (unsigned i = 0; i < x->nitems; i++)
		if (x->got[i] < x->it[i].want)
			return false;
	return true;
}

/*
 * Ask Dom0 to send the frames of x->it (data/xdn/send = "ID ITEM...", ITEM =
 * "COUNT,DSTMAC,PROTO,SRC,DST,SPORT,DPORT,TAG"; Dom0 answers data/xdn/send-ack =
 * "ID RC DETAIL" once sent; at most 150 s), receiving meanwhile; then receive until every expected
 * frame is in (at most 10 s) and @settle seconds more (a frame that must not come).
 */
static enum outcome dom0_send(struct net *n, struct pos *x, double settle)
{
	char spec[2048], id[32], v[256];
	double end, next_xs = 0;
	size_t l;

	snprintf(id, sizeof(id), "%d.%u", probe_seq, x->round);
	l = snprintf(spec, sizeof(spec), "%s", id);
	for (unsigned i = 0; i < x->nitems && l < sizeof(spec); i++) {
		const struct item *t = &x->it[i];

		l += snprintf(spec + l, sizeof(spec) - l, " %u,%s,%c,%u.%u.%u.%u,%u.%u.%u.%u,%u,%u,%u",
			      t->count, t->dst, t->proto, t->src[0], t->src[1], t->src[2], t->src[3],
			      t->dstip[0], t->dstip[1], t->dstip[2], t->dstip[3], t->sport, t->dport,
			      x->round * 100 + i);
	}
	memset(x->got, 0, sizeof(x->got));
	memset(x->perq, 0, sizeof(x->perq));
	if (!probe_seq || xs_write(spec, "data/xdn/send") < 0) {
		snprintf(n->note, sizeof(n->note), "cannot ask Dom0 to send (not run by the daemon?)");
		return O_BROKEN;
	}
	end = now() + 150;	/* Dom0 polls once a second; a loaded TCG host is slow */
	for (;;) {
		rx_poll(n);
		if (now() >= next_xs) {
			if (xs_read(v, sizeof(v), "data/xdn/send-ack") == 0 && !strncmp(v, id, strlen(id)) &&
			    v[strlen(id)] == ' ')
				break;
			if (be_closed(n))
				return O_CLOSED;
			next_xs = now() + 0.05;
		}
		if (now() > end) {
			snprintf(n->note, sizeof(n->note), "Dom0 did not answer data/xdn/send %s within 150 s", id);
			return O_BROKEN;
		}
		msleep(2);
	}
	if (atoi(v + strlen(id) + 1) != 0) {
		snprintf(n->note, sizeof(n->note), "Dom0 could not send: %s", v);
		return O_BROKEN;
	}
	end = now() + 10;
	while (now() < end && !pos_complete(x)) {
		rx_poll(n);
		msleep(2);
	}
	end = now() + settle;
	while (now() < end) {
		rx_poll(n);
		msleep(2);
	}
	return O_OK;
}

/* Compare what arrived with what must; appends "LABEL: ..." to the note. */
static bool pos_judge(struct net *n, struct pos *x, const char *label, const char *const *names)
{
	size_t l = strlen(n->note);
	bool ok = x->nbad == 0;

	l += snprintf(n->note + l, sizeof(n->note) - l, "%s%s:", l ? "; " : "", label);
	for (unsigned i = 0; i < x->nitems && l < sizeof(n->note); i++) {
		if (x->got[i] != x->it[i].want)
			ok = false;
		if (names)
			l += snprintf(n->note + l, sizeof(n->note) - l, " %s %u/%u", names[i], x->got[i],
				      x->it[i].want);
	}
	if (!names && l < sizeof(n->note)) {
		unsigned got = 0, want = 0;

		for (unsigned i = 0; i < x->nitems; i++) {
			got += x->got[i];
			want += x->it[i].want;
		}
		l += snprintf(n->note + l, sizeof(n->note) - l, " %u/%u frames", got, want);
	}
	if (x->nbad && l < sizeof(n->note))
		snprintf(n->note + l, sizeof(n->note) - l, " (%u bad: %s)", x->nbad, x->bad);
	return ok;
}

static void item_set(struct item *t, unsigned count, unsigned want, const char *dst, char proto,
		     const uint8_t src[4], const uint8_t dstip[4], uint16_t sport, uint16_t dport)
{
	t->count = count;
	t->want = want;
	snprintf(t->dst, sizeof(t->dst), "%s", dst);
	t->proto = proto;
	memcpy(t->src, src, 4);
	memcpy(t->dstip, dstip, 4);
	t->sport = sport;
	t->dport = dport;
}

/* Our MAC (the toolstack's device/vif/N/mac). */
static int own_mac(struct net *n, char *mac, size_t sz)
{
	if (xs_read(mac, sz, "%s/mac", n->fe) < 0 || strlen(mac) != 17) {
		snprintf(n->note, sizeof(n->note), "cannot read %s/mac", n->fe);
		return -1;
	}
	return 0;
}

/* The flows of ctrl-hash; with the Microsoft key, 6 map to queue 0 and 4 to queue 1. */
struct flow {
	char proto;
	uint8_t src[4], dst[4];
	uint16_t sport, dport;
};
static const struct flow hash_flows[] = {
	{ 't', { 198, 51, 100, 1 }, { 192, 0, 2, 10 }, 40001, 80 },
	{ 't', { 198, 51, 100, 2 }, { 192, 0, 2, 10 }, 40002, 443 },
	{ 't', { 198, 51, 100, 3 }, { 192, 0, 2, 11 }, 40003, 22 },
	{ 't', { 198, 51, 100, 4 }, { 192, 0, 2, 12 }, 51000, 8080 },
	{ 't', { 203, 0, 113, 5 }, { 192, 0, 2, 13 }, 1234, 5678 },
	{ 't', { 203, 0, 113, 6 }, { 192, 0, 2, 14 }, 65000, 25 },
	{ 'u', { 198, 51, 100, 7 }, { 192, 0, 2, 10 }, 5353, 5353 },
	{ 'u', { 198, 51, 100, 8 }, { 192, 0, 2, 11 }, 40000, 53 },
	{ 'u', { 203, 0, 113, 9 }, { 192, 0, 2, 12 }, 123, 123 },
	{ 'u', { 203, 0, 113, 10 }, { 192, 0, 2, 13 }, 4789, 4789 },
	{ 'r', { 0 }, { 0 }, 0, 0 },	/* not IP: no hash */
};

/*
 * The flows of ctrl-hash6 (addresses 2001:db8::A.B.C.D): 5 TCP and 3 UDP over IPv6,
 * 2 IPv4/TCP flows that must come without a HASH extra (only the IPv6 types are
 * enabled), and a non-IP one.
 */
static const struct flow hash6_flows[] = {
	{ 'T', { 198, 51, 100, 1 }, { 192, 0, 2, 10 }, 40001, 80 },
	{ 'T', { 198, 51, 100, 2 }, { 192, 0, 2, 10 }, 40002, 443 },
	{ 'T', { 198, 51, 100, 3 }, { 192, 0, 2, 11 }, 40003, 22 },
	{ 'T', { 203, 0, 113, 5 }, { 192, 0, 2, 13 }, 1234, 5678 },
	{ 'T', { 203, 0, 113, 6 }, { 192, 0, 2, 14 }, 65000, 25 },
	{ 'U', { 198, 51, 100, 7 }, { 192, 0, 2, 10 }, 5353, 5353 },
	{ 'U', { 198, 51, 100, 8 }, { 192, 0, 2, 11 }, 40000, 53 },
	{ 'U', { 203, 0, 113, 9 }, { 192, 0, 2, 12 }, 123, 123 },
	{ 't', { 198, 51, 100, 4 }, { 192, 0, 2, 12 }, 51000, 8080 },
	{ 't', { 203, 0, 113, 10 }, { 192, 0, 2, 13 }, 4789, 4789 },
	{ 'r', { 0 }, { 0 }, 0, 0 },
};
#define PER_FLOW 3
static const uint32_t hash_map[8] = { 0, 1, 1, 0, 1, 0, 0, 1 };

/*
 * Two queues and the control ring; Toeplitz with hash types @flags, the Microsoft key,
 * an 8-entry mapping table; Dom0 sends 3 frames of each of @flows. Each frame of an
 * enabled type must carry a HASH extra (TCP: type IPV4_TCP/IPV6_TCP over the addresses
 * and ports if that type is enabled, else IPV4/IPV6 over the addresses; algorithm
 * Toeplitz; the value toeplitz.h computes) and arrive on the queue mapping[hash % 8];
 * the other frames (non-IP, types not enabled) carry none.
 */
static enum outcome ctrl_hash_flows(struct net *n, uint32_t flags, const char *flags_name,
				    const struct flow *flows, unsigned nflows)
{
	static const struct {
		unsigned type;
		const char *name;
	} steps[] = {
		{ CTRL_SET_HASH_ALGORITHM, "SET_HASH_ALGORITHM toeplitz" },
		{ CTRL_GET_HASH_FLAGS, "GET_HASH_FLAGS" },
		{ CTRL_SET_HASH_FLAGS, "SET_HASH_FLAGS" },
		{ CTRL_SET_HASH_KEY, "SET_HASH_KEY (40 octets)" },
		{ CTRL_GET_HASH_MAPPING_SIZE, "GET_HASH_MAPPING_SIZE" },
		{ CTRL_SET_HASH_MAPPING_SIZE, "SET_HASH_MAPPING_SIZE 8" },
		{ CTRL_SET_HASH_MAPPING, "SET_HASH_MAPPING 8 entries" },
	};
	char mac[32];
	struct pos x;
	enum outcome o;

	if (n->setup_bad)
		return O_UNSUPPORTED;
	if (own_mac(n, mac, sizeof(mac)) < 0)
		return O_BROKEN;
	n->cpage = gnt_alloc(n, 1, &n->cpage_ref);
	if (!n->cpage) {
		snprintf(n->note, sizeof(n->note), "gntalloc failed (control data page)");
		return O_BROKEN;
	}
	for (size_t s = 0; s < sizeof(steps) / sizeof(steps[0]); s++) {
		uint32_t d0 = 0, d1 = 0, st = 0, data = 0;

		switch (steps[s].type) {
		case CTRL_SET_HASH_ALGORITHM: d0 = CTRL_ALG_TOEPLITZ; break;
		case CTRL_SET_HASH_FLAGS: d0 = flags; break;
		case CTRL_SET_HASH_KEY:
			memcpy(n->cpage, toeplitz_ms_key, 40);
			d0 = n->cpage_ref;
			d1 = 40;
			break;
		case CTRL_SET_HASH_MAPPING_SIZE: d0 = 8; break;
		case CTRL_SET_HASH_MAPPING:
			memcpy(n->cpage, hash_map, sizeof(hash_map));	/* little endian */
			d0 = n->cpage_ref;
			d1 = 8;
			break;
		}
		o = ctrl_req_data(n, steps[s].type, d0, d1, 0, &st, &data);
		if (o == O_OK && steps[s].type == CTRL_GET_HASH_FLAGS && (data & flags) != flags) {
			snprintf(n->note, sizeof(n->note), "%s: %#x, without %s", steps[s].name, data, flags_name);
			return O_ERROR;
		}
		if (o == O_OK && steps[s].type == CTRL_GET_HASH_MAPPING_SIZE && data < 8) {
			snprintf(n->note, sizeof(n->note), "%s: %u (< 8)", steps[s].name, data);
			return O_ERROR;
		}
		if (o != O_OK) {
			snprintf(n->note, sizeof(n->note), "%s%s%s: %s (status %u)", steps[s].name,
				 steps[s].type == CTRL_SET_HASH_FLAGS ? " " : "",
				 steps[s].type == CTRL_SET_HASH_FLAGS ? flags_name : "", oname[o], st);
			return o == O_STALLED ? ask_dom0_carrier(n) : o;
		}
	}
	memset(&x, 0, sizeof(x));
	x.round = 1;
	x.hash = true;
	x.hflags = flags;
	x.key = toeplitz_ms_key;
	x.map = hash_map;
	x.mapn = 8;
	x.nitems = nflows;
	for (unsigned i = 0; i < nflows; i++)
		item_set(&x.it[i], PER_FLOW, PER_FLOW, mac, flows[i].proto, flows[i].src, flows[i].dst,
			 flows[i].sport, flows[i].dport);
	n->ctx = &x;
	n->on_pkt = pos_on_pkt;
	o = dom0_send(n, &x, 0.5);
	if (o != O_OK)
		return o;
	if (!pos_judge(n, &x, "to our MAC", NULL))
		return O_ERROR;
	snprintf(n->note + strlen(n->note), sizeof(n->note) - strlen(n->note),
		 "; %u frames with the expected HASH extra and queue, %u rightly without (queue 0: %u, "
		 "queue 1: %u)", x.hashed, x.unhashed, x.perq[0], x.perq[1]);
	return O_OK;
}

/*
 * ctrl-hash: IPV4|IPV4_TCP; 6 TCP flows, 4 UDP flows and a non-IP flow.
 */
static enum outcome run_ctrl_hash(struct net *n, const struct hcase *c)
{
	(void)c;
	return ctrl_hash_flows(n, 1u << HASH_TYPE_IPV4 | 1u << HASH_TYPE_IPV4_TCP, "IPV4|IPV4_TCP",
			       hash_flows, sizeof(hash_flows) / sizeof(hash_flows[0]));
}

/*
 * ctrl-hash6: IPV6|IPV6_TCP only; 5 TCP and 3 UDP flows over IPv6 must be hashed, the
 * 2 IPv4/TCP flows and the non-IP flow must not.
 */
static enum outcome run_ctrl_hash6(struct net *n, const struct hcase *c)
{
	(void)c;
	return ctrl_hash_flows(n, 1u << HASH_TYPE_IPV6 | 1u << HASH_TYPE_IPV6_TCP, "IPV6|IPV6_TCP",
			       hash6_flows, sizeof(hash6_flows) / sizeof(hash6_flows[0]));
}

/* A dummy TX request carrying one MCAST_ADD/MCAST_DEL extra (netif.h "multicast control"). */
static enum outcome mcast_op(struct net *n, unsigned type, const uint8_t addr[6], int16_t *st)
{
	uint16_t id = n->tx_pvt % TX_ENTS;
	uint8_t *x;
	int r;

	tx_req(n, 0, 0, NETTXF_extra_info, 0);
	x = (uint8_t *)tx_slot(n, n->tx_pvt);
	memset(x, 0, TX_SLOT);
	x[0] = type;
	memcpy(x + 2, addr, 6);
	n->tx_pvt++;
	tx_push(n);
	r = tx_wait(n, id, 10000, st);
	if (r < 0)
		return O_CLOSED;
	if (r == 0)
		return O_STALLED;
	return *st == RSP_OKAY ? O_OK : O_ERROR;
}

/*
 * mcast-filter: request-multicast-control, MCAST_ADD 01:00:5e:01:02:03 (group A); Dom0
 * sends 5 frames each to group 01:00:5e:04:05:06 (B), to A, to broadcast and to our
 * MAC: we must get A, broadcast and unicast, not B. MCAST_DEL A, the same again: now
 * broadcast and unicast only. Frames enter the bridge from a veth (like another host's
 * multicast), not straight into the vif.
 */
static enum outcome run_mcast_filter(struct net *n, const struct hcase *c)
{
	static const uint8_t ga[6] = { 0x01, 0x00, 0x5e, 0x01, 0x02, 0x03 };
	static const uint8_t src[4] = { 198, 51, 100, 20 }, ipa[4] = { 239, 1, 2, 3 },
			     ipb[4] = { 239, 4, 5, 6 }, ipbc[4] = { 255, 255, 255, 255 },
			     ipu[4] = { 192, 0, 2, 10 };
	static const char *const names[] = { "group-B", "group-A", "broadcast", "unicast" };
	char mac[32];
	struct pos x;
	enum outcome o;
	int16_t st = 0;
	bool ok;

	(void)c;
	if (n->setup_bad)
		return O_UNSUPPORTED;
	if (own_mac(n, mac, sizeof(mac)) < 0)
		return O_BROKEN;
	memset(&x, 0, sizeof(x));
	n->ctx = &x;
	n->on_pkt = pos_on_pkt;
	o = mcast_op(n, EXTRA_TYPE_MCAST_ADD, ga, &st);
	if (o != O_OK) {
		snprintf(n->note, sizeof(n->note), "MCAST_ADD 01:00:5e:01:02:03: %s (status %d)", oname[o], st);
		return o == O_STALLED ? ask_dom0_carrier(n) : o;
	}
	for (x.round = 1; x.round <= 2; x.round++) {
		/* B first: had it passed, it would be in before the others complete. */
		x.nitems = 4;
		item_set(&x.it[0], 5, 0, "01:00:5e:04:05:06", 'u', src, ipb, 5000, 5001);
		item_set(&x.it[1], 5, x.round == 1 ? 5 : 0, "01:00:5e:01:02:03", 'u', src, ipa, 5000, 5001);
		item_set(&x.it[2], 5, 5, "ff:ff:ff:ff:ff:ff", 'u', src, ipbc, 5000, 5001);
		item_set(&x.it[3], 5, 5, mac, 'u', src, ipu, 5000, 5001);
		x.nbad = 0;
		o = dom0_send(n, &x, 1.5);
		if (o != O_OK)
			return o;
		ok = pos_judge(n, &x, x.round == 1 ? "after MCAST_ADD A" : "after MCAST_DEL A", names);
		if (!ok)
			return O_ERROR;
		if (x.round == 1) {
			o = mcast_op(n, EXTRA_TYPE_MCAST_DEL, ga, &st);
			if (o != O_OK) {
				snprintf(n->note + strlen(n->note), sizeof(n->note) - strlen(n->note),
					 "; MCAST_DEL 01:00:5e:01:02:03: %s (status %d)", oname[o], st);
				return o == O_STALLED ? ask_dom0_carrier(n) : o;
			}
		}
	}
	return O_OK;
}

/*
 * mcast-churn: 400 alternating MCAST_ADD/MCAST_DEL of one group, each answered OKAY,
 * then a valid packet. Each changes the filter list, so a backend that reports such
 * changes gets 400 events from a guest in a few seconds: Dom0 checks that ours limits
 * them (hostile-net-lib.sh, hn_churn_events).
 */
static enum outcome run_mcast_churn(struct net *n, const struct hcase *c)
{
	static const uint8_t g[6] = { 0x01, 0x00, 0x5e, 0x07, 0x08, 0x09 };
	enum outcome o;
	int16_t st = 0;
	double t0 = now();

	(void)c;
	if (n->setup_bad)
		return O_UNSUPPORTED;
	for (unsigned i = 0; i < 400; i++) {
		o = mcast_op(n, i & 1 ? EXTRA_TYPE_MCAST_DEL : EXTRA_TYPE_MCAST_ADD, g, &st);
		if (o != O_OK) {
			snprintf(n->note, sizeof(n->note), "operation %u (%s): %s (status %d)", i,
				 i & 1 ? "MCAST_DEL" : "MCAST_ADD", oname[o], st);
			return o == O_STALLED ? ask_dom0_carrier(n) : o;
		}
	}
	o = valid_packet(n, 10000);
	snprintf(n->note, sizeof(n->note), "400 alternating MCAST_ADD/MCAST_DEL of 01:00:5e:07:08:09 answered "
		 "OKAY in %.1f s, then a valid packet: %s", now() - t0, oname[o]);
	return o == O_OK ? O_SURVIVED : o;
}

/*
 * hash-churn: SET_HASH_ALGORITHM Toeplitz, then 400 SET_HASH_FLAGS alternating between
 * two values, each answered SUCCESS, then a valid packet. 401 configuration changes:
 * Dom0 checks that ours limits the "hash" events they cause (hostile-net-lib.sh,
 * hn_churn_events).
 */
static enum outcome run_hash_churn(struct net *n, const struct hcase *c)
{
	const uint32_t f0 = 1u << HASH_TYPE_IPV4, f1 = f0 | 1u << HASH_TYPE_IPV4_TCP;
	uint32_t st = 0;
	enum outcome o;
	double t0 = now();

	(void)c;
	if (!n->has_ctrl) {
		snprintf(n->note, sizeof(n->note), "backend offers no feature-ctrl-ring");
		return O_UNSUPPORTED;
	}
	o = ctrl_req(n, CTRL_SET_HASH_ALGORITHM, CTRL_ALG_TOEPLITZ, 0, 0, &st);
	for (unsigned i = 0; o == O_OK && i < 400; i++) {
		o = ctrl_req(n, CTRL_SET_HASH_FLAGS, i & 1 ? f0 : f1, 0, 0, &st);
		if (o != O_OK)
			snprintf(n->note, sizeof(n->note), "SET_HASH_FLAGS %u: %s (status %u)", i, oname[o], st);
	}
	if (o != O_OK) {
		if (o == O_STALLED)
			return ask_dom0_carrier(n);
		return o == O_ERROR ? O_BROKEN : o;
	}
	o = valid_packet(n, 10000);
	snprintf(n->note, sizeof(n->note), "SET_HASH_ALGORITHM and 400 alternating SET_HASH_FLAGS answered "
		 "SUCCESS in %.1f s, then a valid packet: %s", now() - t0, oname[o]);
	return o == O_OK ? O_SURVIVED : o;
}

/* Bad input: an error answer, a shutdown or a disabled vif are all fine. */
#define BAD   (E(O_ERROR) | E(O_CLOSED) | E(O_DISABLED))
/* Odd but legal (or tolerable) input: must not hurt; any clean reaction is fine. */
#define ANY   (BAD | E(O_OK))
#define CLOSE (E(O_CLOSED))
#define SURV  (E(O_SURVIVED) | E(O_CLOSED))
#define CTRLX (E(O_ERROR) | E(O_CLOSED) | E(O_DISABLED) | E(O_UNSUPPORTED))

static const struct hcase cases[] = {
	/* ring indices (rule 2) */
	{ "tx-prod-far-ahead", "-", "2,4", BAD, .run = run_prod_ahead, .desc = "tx req_prod 10000 ahead" },
	{ "tx-prod-backwards", "-", "2,4", BAD | E(O_OK), .run = run_prod_back,
	  .desc = "tx req_prod moved back from 3 to 1 (then forward again)" },
	{ "rx-prod-far-ahead", "flood", "2,4", SURV | E(O_DISABLED), .run = run_rx_prod_ahead, .no_rx = true,
	  .desc = "rx req_prod 100000 ahead (garbage requests) while Dom0 sends" },
	/* slots (rule 3) */
	{ "slots-30", "-", "3", BAD, .pkt = pk_slots_30, .desc = "a packet of 30 slots (max 18 + fatal 20)" },
	{ "slots-19", "-", "3", BAD | E(O_OK), .pkt = pk_slots_19, .desc = "a packet of 19 slots" },
	{ "slots-200", "-", "3", BAD, .pkt = pk_slots_200, .desc = "a packet of 200 slots" },
	{ "slot-cross-page", "-", "3", BAD, .pkt = pk_cross_page, .desc = "offset 4000 + size 200 crosses the page" },
	{ "slot-zero-first", "-", "3", BAD, .pkt = pk_zero_first, .desc = "a packet of size 0" },
	{ "slot-tiny", "-", "3", BAD | E(O_OK), .pkt = pk_tiny, .desc = "a packet of 8 bytes (< Ethernet header)" },
	{ "slot-zero-frag", "-", "3", ANY, .pkt = pk_zero_frag, .desc = "a zero-length middle slot" },
	{ "slot-oversize", "-", "3", BAD, .pkt = pk_oversize, .desc = "one slot, size 65535" },
	{ "frag-over-total", "-", "3", BAD, .pkt = pk_frag_over_total,
	  .desc = "total size 100, second slot 1400" },
	{ "total-over-frags", "-", "3", BAD, .pkt = pk_total_over_frags,
	  .desc = "total size 9000, slots hold 4156" },
	{ "hdr-split", "-", "10", ANY, .pkt = pk_hdr_split,
	  .desc = "Ethernet/IP/TCP header spread one byte per slot over 16 slots (XSA-423)" },
	{ "gref-invalid", "-", "5", BAD, .pkt = pk_gref_bad, .desc = "slot grant ref 0x7ffffff0" },
	/* GSO and extra info (rule 3) */
	{ "gso-bad-type", "-", "3", BAD, .pkt = pk_gso_type, .desc = "GSO type 7" },
	{ "gso-size-zero", "-", "3", BAD, .pkt = pk_gso_size0, .desc = "GSO TCPv4, size 0" },
	{ "gso-size-1", "-", "3", ANY, .pkt = pk_gso_size1, .desc = "GSO TCPv4, size 1 (1460 segments)" },
	{ "gso-size-huge", "-", "3", ANY, .pkt = pk_gso_size_huge, .desc = "GSO TCPv4, size 65535" },
	{ "extra-type-zero", "-", "3", BAD, .pkt = pk_extra_type0, .desc = "extra info of type 0 (NONE)" },
	{ "extra-type-99", "-", "3", BAD, .pkt = pk_extra_type99, .desc = "extra info of type 99" },
	{ "extra-missing", "-", "3", BAD, .pkt = pk_extra_missing,
	  .desc = "extra info chain with MORE set ends at req_prod" },
	{ "extra-long-chain", "-", "3", ANY, .pkt = pk_extra_long, .desc = "40 chained GSO extras" },
	/* control ring (rule 3) */
	{ "ctrl-map-offset", "-", "3", CTRLX, .run = run_ctrl_off,
	  .desc = "SET_HASH_MAPPING off 2^32-1 len 2 (wraps)" },
	{ "ctrl-map-len", "-", "3", CTRLX, .run = run_ctrl_len, .desc = "SET_HASH_MAPPING len 1000 > size 64" },
	{ "ctrl-map-off-len", "-", "3", CTRLX, .run = run_ctrl_off_len, .desc = "SET_HASH_MAPPING off 60 + len 16 > 64" },
	{ "ctrl-map-gref", "-", "5", CTRLX, .run = run_ctrl_gref, .desc = "SET_HASH_MAPPING grant ref 0x7ffffff0" },
	{ "ctrl-map-size-huge", "-", "3", CTRLX, .run = run_ctrl_size, .desc = "SET_HASH_MAPPING_SIZE 2^32-1" },
	/* events (rule 7) and RX (rule 8) */
	{ "tx-double-fetch", "-", "1", SURV | E(O_DISABLED), .run = run_tx_double_fetch,
	  .desc = "a thread rewrites size, flags and offset of every TX slot while valid packets are posted" },
	{ "event-storm", "-", "7", SURV, .run = run_event_storm, .desc = "5 s of notifications without work" },
	{ "rx-never-consumed", "flood", "8", SURV, .run = run_rx_starve, .no_rx = true,
	  .desc = "no RX buffers for 45 s while Dom0 floods the vif" },
	/* lifecycle (rules 3, 4, 9) */
	{ "queues-zero", "-", "3,4", CLOSE, .conf = cf_queues_zero, .desc = "multi-queue-num-queues 0" },
	{ "queues-huge", "-", "3,4", CLOSE, .conf = cf_queues_huge, .desc = "multi-queue-num-queues 65536" },
	{ "tx-ring-ref-invalid", "-", "4,5", CLOSE, .conf = cf_tx_ref_bad, .desc = "tx-ring-ref 2^31-1" },
	{ "evtchn-invalid", "-", "4", CLOSE, .conf = cf_evtchn_bad, .desc = "event-channel 4000 (not bound)" },
	{ "ctrl-ring-invalid", "-", "4,5", CLOSE, .conf = cf_ctrl_ref_bad,
	  .desc = "ctrl-ring-ref 2^31-1, event-channel-ctrl 4000" },
	{ "no-rx-copy", "-", "4", CLOSE, .conf = cf_no_rx_copy, .desc = "request-rx-copy 0 (flip mode)" },
	{ "reconnect-loop", "-", "9", SURV, .run = run_reconnect,
	  .desc = "6 close/reconnect cycles, a valid packet each" },
	{ "state-storm", "-", "9", SURV, .run = run_state_storm,
	  .desc = "1500 rewrites of the watched state node while connected" },
	{ "connect-storm", "-", "9", E(O_SURVIVED), .run = run_connect_storm,
	  .desc = "500 state writes without waiting, then a clean close" },
	/* positive: features netfront does not use, end to end (rule 3: they must work) */
	{ "ctrl-hash", "send", "3", E(O_OK), .setup = cf_ctrl_hash, .run = run_ctrl_hash,
	  .desc = "2 queues, Toeplitz hashing with a mapping table: HASH extras and queues of 11 flows from Dom0" },
	{ "ctrl-hash6", "send", "3", E(O_OK), .setup = cf_ctrl_hash, .run = run_ctrl_hash6,
	  .desc = "the same with IPv6 hashing only: 8 IPv6 flows hashed, 2 IPv4 and a non-IP flow not" },
	{ "mcast-filter", "send", "3", E(O_OK), .setup = cf_mcast, .run = run_mcast_filter,
	  .desc = "MCAST_ADD a group: it, broadcast and unicast arrive, another group not; MCAST_DEL: it stops" },
	{ "mcast-churn", "-", "8", E(O_SURVIVED), .setup = cf_mcast, .run = run_mcast_churn,
	  .desc = "400 alternating MCAST_ADD/MCAST_DEL of one group (Dom0: events limited)" },
	{ "hash-churn", "-", "8", E(O_SURVIVED), .run = run_hash_churn,
	  .desc = "SET_HASH_ALGORITHM, then 400 alternating SET_HASH_FLAGS (Dom0: events limited)" },
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

/* Run one case; fills the verdict line "ok|bad|broken OUTCOME DETAIL". */
static int run_case(const struct hcase *c, int devid, char *res, size_t ressz)
{
	struct net n;
	enum outcome o;
	char exp[120];
	int r;
	double t0 = now();

	say("case %s on vif %d: %s", c->name, devid, c->desc);
	if (net_open(&n, devid) < 0) {
		o = O_BROKEN;
		goto out;
	}
	n.no_rx = c->no_rx;
	r = net_connect(&n, c->conf ? c->conf : c->setup);
	if (c->conf) {
		o = r == 0 ? O_CONNECTED : r == -3 ? O_CLOSED : O_STALLED;
		if (r == -1)
			o = O_BROKEN;
		if (o == O_CONNECTED) {
			enum outcome v;

			msleep(2000);
			v = valid_packet(&n, 5000);
			snprintf(n.note, sizeof(n.note), "backend connected with the bogus nodes "
				 "(state %d 2 s later, a valid packet: %s)", be_state(&n), oname[v]);
		}
		else if (o == O_STALLED)
			snprintf(n.note, sizeof(n.note), "backend neither connected nor closed (state %d)",
				 be_state(&n));
	} else if (r < 0) {
		if (!n.note[0])
			snprintf(n.note, sizeof(n.note), "normal connect failed (backend state %d)", be_state(&n));
		o = O_BROKEN;
	} else if (c->pkt) {
		uint16_t id = n.tx_pvt % TX_ENTS;
		enum outcome v = valid_packet(&n, 15000);

		if (v != O_OK) {
			snprintf(n.note, sizeof(n.note), "a valid packet before the attack: %s", oname[v]);
			o = O_BROKEN;
		} else {
			id = n.tx_pvt % TX_ENTS;
			c->pkt(&n);
			tx_push(&n);
			o = judge_tx(&n, id);
		}
	} else {
		o = c->run(&n, c);
	}
	if (n.be[0])
		net_close(&n);
out:
	expect_str(c->expect, exp, sizeof(exp));
	snprintf(res, ressz, "%s %s %s%s(expected %s; %.1f s)",
		 (c->expect & E(o)) ? "ok" : o == O_BROKEN ? "broken" : "bad",
		 oname[o], n.note, n.note[0] ? " " : "", exp, now() - t0);
	for (char *p = res; *p; p++)
		if (*p == '\n')
			*p = ' ';
	say("result %s %s", c->name, res);
	return (c->expect & E(o)) ? 0 : 1;
}

static bool case_known(const char *name) { return find_case(name) != NULL; }

static void case_child(const char *name, int devid, int seq, char *res, size_t ressz)
{
	probe_seq = seq;
	run_case(find_case(name), devid, res, ressz);
}

static int daemon_loop(void) { return hostile_daemon("data/xdn", 170, case_known, case_child); }

int main(int argc, char **argv)
{
	char exp[120], res[512];

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc >= 2 && !strcmp(argv[1], "-l")) {
		for (size_t i = 0; i < NCASES; i++) {
			expect_str(cases[i].expect, exp, sizeof(exp));
			printf("%s %s %s %s %s\n", cases[i].name, cases[i].dom0, cases[i].rule, exp,
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
		fprintf(stderr, "usage: hostile-net | hostile-net -l | hostile-net run CASE DEVID\n");
		return 2;
	}
	return daemon_loop();
}
