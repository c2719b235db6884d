// SPDX-License-Identifier: GPL-2.0-only
/*
 * xen-blkback: the Dom0 block backend (xenbus device type "vbd").
 *
 * Serves the blkif protocol of xen/interface/io/blkif.h to the stock
 * xen-blkfront of a guest: native and x86_32 ring layouts, multi-page
 * rings, several queues, indirect descriptors, read/write/flush/discard
 * carried out with bios on the block device the toolstack's hotplug script
 * names in "physical-device".
 *
 * One kernel thread per queue owns its ring: it copies each request out
 * of the shared page once, validates the copy (blkback-check.h), maps the
 * guest's grants, submits bios, and on completion unmaps and writes the
 * zeroed response.  A frontend that breaks the protocol gets its device
 * switched to Closing with the reason logged; other devices carry on.
 * Memory per queue is bounded by max_grant_pages.  The event channel uses
 * late EOI, so an event storm costs one wake-up per round trip.
 *
 * Per request, the fast path is: the thread takes it off the ring (no
 * event if it was polling, xbb_poll()), submits its bios, and the bio
 * completion answers it and notifies the frontend if it asked to be
 * (xbb_req_put()); the thread sleeps once the ring is empty (with poll_us
 * set, only after looking that long for another request).
 */

#include <linux/bio.h>
#include <linux/blkdev.h>
#include <linux/interrupt.h>
#include <linux/kthread.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/poll.h>
#include <linux/rbtree.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <xen/events.h>
#include <xen/grant_table.h>
#include <xen/page.h>
#include <xen/xen.h>
#include <xen/xenbus.h>
#include <xen/interface/io/blkif.h>
#include <xen/interface/io/protocols.h>

#include "xd_compat_blk.h"
#include "xd_evlog.h"
#include "blkback-check.h"
#include "blkback-limit.h"
#include "uapi/xen-blkback-ctl.h"

#define XBB_VERSION "0.3.1"

/* Pages of a ring's private copy of the descriptors of an indirect request. */
#define XBB_IND_BUF_PAGES \
	DIV_ROUND_UP(XBB_MAX_INDIRECT_SEGS, XBB_SEGS_PER_INDIRECT_PAGE)

/* The statistics' layout is ABI: new counters took reserved words. */
static_assert(sizeof(struct xbb_ctl_stats) == 184);
static_assert(offsetof(struct xbb_ctl_stats, pgnt_reclaimed) == 120);

static unsigned int max_ring_page_order = XENBUS_MAX_RING_GRANT_ORDER;
module_param(max_ring_page_order, uint, 0444);
MODULE_PARM_DESC(max_ring_page_order,
		 "Largest shared ring a frontend may use, as a page order (at most 4)");

static unsigned int max_queues = 4;
module_param(max_queues, uint, 0444);
MODULE_PARM_DESC(max_queues,
		 "Most queues (rings, threads) per device a frontend may use (1-16)");

static bool feature_persistent = true;
module_param(feature_persistent, bool, 0644);
MODULE_PARM_DESC(feature_persistent,
		 "Offer persistent grants (feature-persistent) to frontends connecting from now on");

static unsigned int max_persistent_grants = 1056;
module_param(max_persistent_grants, uint, 0644);
MODULE_PARM_DESC(max_persistent_grants,
		 "Most grants a queue keeps mapped persistently (more are mapped per request)");

static unsigned int persistent_grant_unused_seconds = 60;
module_param(persistent_grant_unused_seconds, uint, 0644);
MODULE_PARM_DESC(persistent_grant_unused_seconds,
		 "A persistent grant unused this many seconds is unmapped (0: kept until disconnect)");

static unsigned int max_grant_pages = 1024;
module_param(max_grant_pages, uint, 0444);
MODULE_PARM_DESC(max_grant_pages,
		 "Pages per queue for mapping guest grants (bounds memory per guest; at least 512)");

static int max_buffer_pages = 1024;
module_param(max_buffer_pages, int, 0644);
MODULE_PARM_DESC(max_buffer_pages,
		 "Most free grant pages a queue keeps for later requests; the rest goes back to the system");

static int buffer_squeeze_duration_ms = 10;
module_param(buffer_squeeze_duration_ms, int, 0644);
MODULE_PARM_DESC(buffer_squeeze_duration_ms,
		 "After a memory pressure notice, how long (ms) the queues keep no free grant pages");

static int log_stats;
module_param(log_stats, int, 0644);
MODULE_PARM_DESC(log_stats,
		 "Log each queue's request counters every 10 s while they change (0: off)");

static bool event_follows_thread = true;
module_param(event_follows_thread, bool, 0644);
MODULE_PARM_DESC(event_follows_thread,
		 "Bind a queue's event channel to the CPU its thread keeps running on, so that an event wakes the thread without a cross-CPU interrupt");

static unsigned int poll_us = XBB_POLL_US_DEFAULT;
module_param(poll_us, uint, 0644);
MODULE_PARM_DESC(poll_us,
		 "After a pass that took requests, look for the next one this long (us, at most 1000) before asking the frontend for an event (0: off)");

/* jiffies until which the queues keep no free grant pages (memory pressure) */
static unsigned long xbb_squeeze_until;

/* --------------------------------------------------------------- ABIs */

/*
 * The x86_32 layout of the ring entries, as a 32-bit guest lays them out:
 * 64-bit fields aligned to 4 bytes, so no padding before the id.
 */
struct xbb32_request_rw {
	u8 nr_segments;
	u16 handle;
	u64 id;
	u64 sector_number;
	struct blkif_request_segment seg[BLKIF_MAX_SEGMENTS_PER_REQUEST];
} __packed;

struct xbb32_request_discard {
	u8 flag;
	u16 pad1;
	u64 id;
	u64 sector_number;
	u64 nr_sectors;
	u8 pad2;
} __packed;

struct xbb32_request_other {
	u8 pad1;
	u16 pad2;
	u64 id;
} __packed;

struct xbb32_request_indirect {
	u8 indirect_op;
	u16 nr_segments;
	u64 id;
	u64 sector_number;
	u16 handle;
	u16 pad1;
	u32 indirect_grefs[BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST];
	u64 pad2;
} __packed;

struct xbb32_request {
	u8 operation;
	union {
		struct xbb32_request_rw rw;
		struct xbb32_request_discard discard;
		struct xbb32_request_other other;
		struct xbb32_request_indirect indirect;
	} u;
} __packed;

struct xbb32_response {
	u64 id;
	u8 operation;
	u8 pad;
	s16 status;
} __packed;

/* Entry = union of request and response; 4-byte aligned on x86_32. */
#define XBB32_ENTRY	ALIGN(max(sizeof(struct xbb32_request), \
				  sizeof(struct xbb32_response)), 4)
#define XBB64_ENTRY	sizeof(union blkif_sring_entry)
#define XBB_RING_HEADER	offsetof(struct blkif_sring, ring)

enum xbb_abi { XBB_ABI_NATIVE, XBB_ABI_X86_32 };

/* enum xenbus_state values (xen/interface/io/xenbus.h, part of the ABI). */
#define XBB_XS_UNKNOWN		((enum xenbus_state)0)
#define XBB_XS_INITIALISING	((enum xenbus_state)1)
#define XBB_XS_INITWAIT		((enum xenbus_state)2)
#define XBB_XS_INITIALISED	((enum xenbus_state)3)
#define XBB_XS_CONNECTED	((enum xenbus_state)4)
#define XBB_XS_CLOSING		((enum xenbus_state)5)
#define XBB_XS_CLOSED		((enum xenbus_state)6)

/* ------------------------------------------------------------ structures */

struct xbb_dev;

/**
 * struct xbb_req - one request in flight
 * @list: on the ring's done list once all bios completed
 * @ring: owner
 * @id: the frontend's id, echoed
 * @op: operation echoed in the response
 * @error: some bio failed
 * @pending: bios outstanding, plus one while submitting
 * @nr_pages: grant pages mapped (== segments)
 * @write: data goes to the device
 * @pages: the pages the grants are mapped on
 * @handles: grant handles (XBB_NO_HANDLE: nothing to unmap)
 * @segs: the validated segments
 * @pgnt: the persistent grant whose page it is (holding one of its uses),
 *	or NULL (a page mapped for this request only, returned at completion)
 */
struct xbb_req {
	struct list_head list;
	struct xbb_ring *ring;
	u64 id;
	u8 op;
	bool error;
	atomic_t pending;
	unsigned int nr_pages;
	bool write;
	struct page **pages;
	grant_handle_t *handles;
	struct xbb_seg *segs;
	struct xbb_pgnt **pgnt;
};

/**
 * struct xbb_pgnt - a guest grant kept mapped (persistent grants)
 * @node: in the queue's tree, by @gref
 * @gref: the grant reference
 * @handle: its mapping
 * @page: the page it is mapped on
 * @lru: on the queue's list, least recently used first (thread only)
 * @last_use: jiffies when a request last looked it up or completed
 * @inuse: requests in flight that use it; never unmapped while not 0
 */
struct xbb_pgnt {
	struct rb_node node;
	u32 gref;
	grant_handle_t handle;
	struct page *page;
	struct list_head lru;
	unsigned long last_use;
	atomic_t inuse;
};

struct xbb_stats {
	u64 rd_req, wr_req, f_req, ds_req, oo_req;
	u64 rd_sect, wr_sect, errors;
	u64 throttled, throttle_ns;
	u64 pgnt_reclaimed, pgnt_evicted;
};

/**
 * struct xbb_ring - one queue: a shared ring, its event channel and thread
 * @be: the device
 * @idx: queue number
 * @abi: ring layout
 * @sring: the mapped shared ring (header + entries)
 * @nr_ents: entries
 * @esz: entry size
 * @req_cons: next request to consume (private)
 * @rsp_prod_pvt: next response slot (private)
 * @irq: bound event channel
 * @eoi_pending: an event arrived; EOI owed after looking at the ring
 * @eoi_work: work was done since the last EOI (so the next is not spurious)
 * @wq: the thread waits here
 * @task: the thread
 * @done_lock: protects @done (bio completion is in interrupt context)
 * @done: completed requests waiting for unmap and response
 * @inflight: requests in flight
 * @rsp_lock: protects @rsp_prod_pvt, the response slots and rsp_prod
 *	(responses come from the thread and from bio completion)
 * @broken: protocol violation seen: consume nothing more
 * @stalled: @stalled_req waits for pages
 * @stalled_req: the copied request that waits
 * @pool: free grant pages
 * @nr_free: pages in @pool
 * @nr_alloc: pages allocated (free + in use), at most max_grant_pages
 * @map: scratch map ops (thread only)
 * @unmap: scratch unmap ops (thread only)
 * @ind_buf: scratch: private copy of an indirect request's descriptors
 *	(XBB_IND_BUF_PAGES pages)
 * @segs: scratch segments of an indirect request
 * @persistent: persistent grants negotiated
 * @pgnts: the persistent grants, by reference
 * @nr_pgnts: how many (at most @max_pgnts)
 * @max_pgnts: max_persistent_grants when the queue connected
 * @pgnt_lru: the persistent grants, least recently used first
 * @pgnt_ev_next: jiffies before which no "reclaim" event is sent
 * @pgnt_ev_count: grants reclaimed since the last "reclaim" event
 * @new_idx: scratch: segments whose grant is not mapped yet
 * @new_grefs: scratch: their references
 * @new_pages: scratch: the pages they are mapped on
 * @new_handles: scratch: their handles
 * @admitted: @stalled_req passed the I/O limits (and was charged)
 * @throttle_start: ktime_get_ns() when @stalled_req began to wait for
 *	the I/O limits, 0 if it does not
 * @throttle_jiffies: the thread sleeps at most this long (0: no limit)
 * @kick: look at @stalled_req again (the I/O limits changed, or a request
 *	completed without passing through the thread)
 * @st: statistics (written by the thread only)
 * @log_next: jiffies of the next log_stats line
 * @log_reqs: requests counted at the last log_stats line
 * @irq_cpu: the CPU the last event came in on
 * @evt_away: events in a row the thread handled on another CPU
 */
struct xbb_ring {
	struct xbb_dev *be;
	unsigned int idx;
	enum xbb_abi abi;
	void *sring;
	unsigned int nr_ents;
	unsigned int esz;
	unsigned int req_cons;
	unsigned int rsp_prod_pvt;
	int irq;
	atomic_t eoi_pending;
	bool eoi_work;
	wait_queue_head_t wq;
	struct task_struct *task;
	spinlock_t done_lock; /* protects done */
	struct list_head done;
	atomic_t inflight;
	spinlock_t rsp_lock; /* see above */
	bool broken;
	bool stalled;
	struct xbb_creq stalled_req;
	struct page **pool;
	unsigned int nr_free;
	unsigned int nr_alloc;
	struct gnttab_map_grant_ref *map;
	struct gnttab_unmap_grant_ref *unmap;
	void *ind_buf;
	struct xbb_seg *segs;
	bool persistent;
	struct rb_root pgnts;
	unsigned int nr_pgnts;
	unsigned int max_pgnts;
	struct list_head pgnt_lru;
	unsigned long pgnt_ev_next;
	unsigned int pgnt_ev_count;
	unsigned int *new_idx;
	u32 *new_grefs;
	struct page **new_pages;
	grant_handle_t *new_handles;
	bool admitted;
	u64 throttle_start;
	unsigned long throttle_jiffies;
	atomic_t kick;
	struct xbb_stats st;
	unsigned long log_next;
	u64 log_reqs;
	int irq_cpu;
	unsigned int evt_away;
};

/**
 * struct xbb_dev - one virtual block device (backend/vbd/DOMID/DEVID)
 * @dev: the xenbus device
 * @mutex: serializes state changes (xenbus watch, otherend, remove)
 * @watch: on our physical-device node
 * @watch_on: @watch is registered
 * @bd: the opened backing device
 * @have_bdev: @bd is open
 * @major: of the backing device
 * @minor: of the backing device
 * @cdrom: device-type is cdrom
 * @lim: limits for request validation
 * @rings: the queues while connected
 * @nr_rings: how many
 * @name: "DOMID.vdev", for thread names and logs
 * @fatal_work: reports a protocol violation (switches to Closing)
 * @fatal_lock: protects @fatal_why
 * @fatal_why: the reason
 * @violations: protocol violations seen
 * @gone: statistics of queues already torn down
 * @node: on xbb_devs
 * @devid: the virtual device number (backend/vbd/DOMID/DEVID)
 * @cname: the name on the control device, "vbd-DOMID-DEVID"
 * @ring_order: of the connected rings
 * @sectors: size announced to the frontend
 * @resize_work: tells the frontend the backing device changed size
 * @persistent: persistent grants negotiated (at connect)
 * @lim_lock: protects @iops, @bps and @lim_last
 * @iops: request budget of the I/O limits
 * @bps: byte budget of the I/O limits
 * @lim_last: ktime_get_ns() of the last refill
 */
struct xbb_dev {
	struct xenbus_device *dev;
	struct mutex mutex; /* see above */
	struct xenbus_watch watch;
	bool watch_on;
	struct xd_bdev bd;
	bool have_bdev;
	unsigned int major, minor;
	bool cdrom;
	struct xbb_limits lim;
	struct xbb_ring *rings;
	unsigned int nr_rings;
	char name[32];
	struct work_struct fatal_work;
	spinlock_t fatal_lock; /* protects fatal_why */
	char fatal_why[160];
	atomic_t violations;
	struct xbb_stats gone;
	struct list_head node;
	unsigned int devid;
	char cname[XBB_CTL_NAME_LEN];
	unsigned int ring_order;
	bool persistent;
	u64 sectors;
	struct work_struct resize_work;
	spinlock_t lim_lock; /* see above */
	struct xbb_bucket iops, bps;
	u64 lim_last;
};

/* Every device, for the control device; the lock nests outside be->mutex. */
static LIST_HEAD(xbb_devs);
static DEFINE_MUTEX(xbb_devs_lock);
/* The event stream of /dev/xen/blkback. */
static struct xd_evlog xbb_evlog;

/* ------------------------------------------------------------- ring I/O */

static inline struct blkif_sring *xbb_hdr(struct xbb_ring *r)
{
	return r->sring;
}

static inline void *xbb_slot(struct xbb_ring *r, unsigned int i)
{
	return (u8 *)r->sring + XBB_RING_HEADER + (i & (r->nr_ents - 1)) * r->esz;
}

/**
 * xbb_fatal() - the frontend broke the protocol: stop this device
 * @r: the ring it happened on
 * @why: reason (logged and written to the device's error node)
 *
 * Called by the ring thread.  The ring stops consuming requests at once;
 * the state change happens in a work item under the device mutex.
 */
static void xbb_fatal(struct xbb_ring *r, const char *why)
{
	struct xbb_dev *be = r->be;

	if (r->broken)
		return;
	r->broken = true;
	atomic_inc(&be->violations);
	pr_warn("xen-blkback: %s queue %u: protocol violation: %s; closing the device\n",
		be->name, r->idx, why);
	xd_evlog_add(&xbb_evlog, be->cname, "violation", "queue=%u reason=%s",
		     r->idx, why);
	spin_lock(&be->fatal_lock);
	if (!be->fatal_why[0])
		scnprintf(be->fatal_why, sizeof(be->fatal_why),
			  "protocol violation on queue %u: %s", r->idx, why);
	spin_unlock(&be->fatal_lock);
	schedule_work(&be->fatal_work);
}

static void xbb_fatal_work(struct work_struct *w)
{
	struct xbb_dev *be = container_of(w, struct xbb_dev, fatal_work);
	char why[sizeof(be->fatal_why)];

	spin_lock(&be->fatal_lock);
	memcpy(why, be->fatal_why, sizeof(why));
	be->fatal_why[0] = '\0';
	spin_unlock(&be->fatal_lock);
	if (!why[0])
		return;
	mutex_lock(&be->mutex);
	xenbus_dev_fatal(be->dev, -EPROTO, "%s", why);
	mutex_unlock(&be->mutex);
}

/* Copy the request at @idx out of the shared ring, once, into @c. */
static void xbb_copy_request(struct xbb_ring *r, unsigned int idx,
			     struct xbb_creq *c)
{
	union {
		struct blkif_request n;
		struct xbb32_request x;
	} raw;
	unsigned int i;

	memcpy(&raw, xbb_slot(r, idx), r->esz < sizeof(raw) ? r->esz : sizeof(raw));
	barrier(); /* only the private copy is used from here on */
	memset(c, 0, sizeof(*c));

	if (r->abi == XBB_ABI_NATIVE) {
		struct blkif_request *q = &raw.n;

		c->op = q->operation;
		switch (c->op) {
		case BLKIF_OP_READ:
		case BLKIF_OP_WRITE:
		case BLKIF_OP_WRITE_BARRIER:
		case BLKIF_OP_FLUSH_DISKCACHE:
			c->nseg = q->u.rw.nr_segments;
			c->id = q->u.rw.id;
			c->sector = q->u.rw.sector_number;
			for (i = 0; i < BLKIF_MAX_SEGMENTS_PER_REQUEST; i++) {
				c->seg[i].gref = q->u.rw.seg[i].gref;
				c->seg[i].first = q->u.rw.seg[i].first_sect;
				c->seg[i].last = q->u.rw.seg[i].last_sect;
			}
			break;
		case BLKIF_OP_DISCARD:
			c->discard_flag = q->u.discard.flag;
			c->id = q->u.discard.id;
			c->sector = q->u.discard.sector_number;
			c->nr_sectors = q->u.discard.nr_sectors;
			break;
		case BLKIF_OP_INDIRECT:
			c->indirect_op = q->u.indirect.indirect_op;
			c->nseg = q->u.indirect.nr_segments;
			c->id = q->u.indirect.id;
			c->sector = q->u.indirect.sector_number;
			for (i = 0; i < BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST; i++)
				c->ind_grefs[i] = q->u.indirect.indirect_grefs[i];
			break;
		default:
			c->id = q->u.other.id;
			break;
		}
	} else {
		struct xbb32_request *q = &raw.x;

		c->op = q->operation;
		switch (c->op) {
		case BLKIF_OP_READ:
		case BLKIF_OP_WRITE:
		case BLKIF_OP_WRITE_BARRIER:
		case BLKIF_OP_FLUSH_DISKCACHE:
			c->nseg = q->u.rw.nr_segments;
			c->id = q->u.rw.id;
			c->sector = q->u.rw.sector_number;
			for (i = 0; i < BLKIF_MAX_SEGMENTS_PER_REQUEST; i++) {
				c->seg[i].gref = q->u.rw.seg[i].gref;
				c->seg[i].first = q->u.rw.seg[i].first_sect;
				c->seg[i].last = q->u.rw.seg[i].last_sect;
			}
			break;
		case BLKIF_OP_DISCARD:
			c->discard_flag = q->u.discard.flag;
			c->id = q->u.discard.id;
			c->sector = q->u.discard.sector_number;
			c->nr_sectors = q->u.discard.nr_sectors;
			break;
		case BLKIF_OP_INDIRECT:
			c->indirect_op = q->u.indirect.indirect_op;
			c->nseg = q->u.indirect.nr_segments;
			c->id = q->u.indirect.id;
			c->sector = q->u.indirect.sector_number;
			for (i = 0; i < BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST; i++)
				c->ind_grefs[i] = q->u.indirect.indirect_grefs[i];
			break;
		default:
			c->id = q->u.other.id;
			break;
		}
	}
}

/*
 * Queue a response (all bytes written, padding zero); pushed by
 * xbb_push().  Called with r->rsp_lock held.
 */
static void __xbb_respond(struct xbb_ring *r, u64 id, u8 op, s16 status)
{
	void *slot = xbb_slot(r, r->rsp_prod_pvt);

	if (r->abi == XBB_ABI_NATIVE) {
		struct blkif_response rsp;

		memset(&rsp, 0, sizeof(rsp));
		rsp.id = id;
		rsp.operation = op;
		rsp.status = status;
		memcpy(slot, &rsp, sizeof(rsp));
	} else {
		struct xbb32_response rsp;

		memset(&rsp, 0, sizeof(rsp));
		rsp.id = id;
		rsp.operation = op;
		rsp.status = status;
		memcpy(slot, &rsp, sizeof(rsp));
	}
	r->rsp_prod_pvt++;
	if (status != BLKIF_RSP_OKAY)
		r->st.errors++;
}

static void xbb_respond(struct xbb_ring *r, u64 id, u8 op, s16 status)
{
	unsigned long flags;

	spin_lock_irqsave(&r->rsp_lock, flags);
	__xbb_respond(r, id, op, status);
	spin_unlock_irqrestore(&r->rsp_lock, flags);
}

/* Publish queued responses; notify the frontend if it asked to be. */
static void __xbb_push(struct xbb_ring *r)
{
	struct blkif_sring *s = xbb_hdr(r);
	unsigned int old = READ_ONCE(s->rsp_prod);
	unsigned int new = r->rsp_prod_pvt;

	if (old == new)
		return;
	virt_wmb(); /* responses before the index */
	WRITE_ONCE(s->rsp_prod, new);
	virt_mb(); /* index before reading rsp_event */
	if ((unsigned int)(new - READ_ONCE(s->rsp_event)) <
	    (unsigned int)(new - old))
		notify_remote_via_irq(r->irq);
}

static void xbb_push(struct xbb_ring *r)
{
	unsigned long flags;

	spin_lock_irqsave(&r->rsp_lock, flags);
	__xbb_push(r);
	spin_unlock_irqrestore(&r->rsp_lock, flags);
}

/* ------------------------------------------------------------ grant pages */

/* Take @n pages for mapping; false if the queue's budget is used up. */
static bool xbb_get_pages(struct xbb_ring *r, struct page **pages,
			  unsigned int n)
{
	unsigned int i;

	if (r->nr_free < n) {
		unsigned int want = n - r->nr_free;

		/* Pages of persistent grants do not count: bounded apart. */
		if (r->nr_alloc + want > max_grant_pages + r->nr_pgnts)
			return false;
		if (gnttab_alloc_pages(want, r->pool + r->nr_free))
			return false;
		r->nr_free += want;
		r->nr_alloc += want;
	}
	for (i = 0; i < n; i++)
		pages[i] = r->pool[--r->nr_free];
	return true;
}

static void xbb_put_pages(struct xbb_ring *r, struct page **pages,
			  unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		r->pool[r->nr_free++] = pages[i];
}

/* Return the pages of @req that are not persistent grants to the pool. */
static void xbb_put_data_pages(struct xbb_ring *r, struct xbb_req *req)
{
	unsigned int i;

	for (i = 0; i < req->nr_pages; i++)
		if (!req->pgnt[i])
			r->pool[r->nr_free++] = req->pages[i];
}

#define XBB_NO_HANDLE ((grant_handle_t)~0U)

static int xbb_unmap(struct xbb_ring *r, struct page **pages,
		     grant_handle_t *handles, unsigned int n);

/**
 * xbb_map() - map @n guest grants onto @pages
 * @r: ring (its scratch arrays are used)
 * @grefs: grant references, from private memory
 * @n: count
 * @readonly: map read-only (the guest's data is only read)
 * @pages: pages to map onto
 * @handles: set to each grant's handle, or XBB_NO_HANDLE
 *
 * Every entry's status is checked; on any failure those that did map are
 * unmapped again and -EFAULT is returned.
 */
static int xbb_map(struct xbb_ring *r, const u32 *grefs, unsigned int n,
		   bool readonly, struct page **pages, grant_handle_t *handles)
{
	u32 flags = GNTMAP_host_map | (readonly ? GNTMAP_readonly : 0);
	domid_t dom = r->be->dev->otherend_id;
	unsigned int i;
	bool bad = false;
	int rc;

	for (i = 0; i < n; i++)
		gnttab_set_map_op(&r->map[i],
				  (unsigned long)pfn_to_kaddr(page_to_pfn(pages[i])),
				  flags, grefs[i], dom);
	rc = gnttab_map_refs(r->map, NULL, pages, n);
	for (i = 0; i < n; i++) {
		if (r->map[i].status == GNTST_okay) {
			handles[i] = r->map[i].handle;
		} else {
			handles[i] = XBB_NO_HANDLE;
			bad = true;
		}
	}
	if (rc || bad) {
		xbb_unmap(r, pages, handles, n);
		return -EFAULT;
	}
	return 0;
}

/* Unmap every page of @pages whose handle is valid. */
static int xbb_unmap(struct xbb_ring *r, struct page **pages,
		     grant_handle_t *handles, unsigned int n)
{
	struct gntab_unmap_queue_data q;
	struct page *tmp[64];
	unsigned int i, k = 0;
	int rc = 0, err;

	for (i = 0; i < n; i++) {
		if (handles[i] == XBB_NO_HANDLE)
			continue;
		gnttab_set_unmap_op(&r->unmap[k],
				    (unsigned long)pfn_to_kaddr(page_to_pfn(pages[i])),
				    GNTMAP_host_map, handles[i]);
		handles[i] = XBB_NO_HANDLE;
		tmp[k++] = pages[i];
		if (k == ARRAY_SIZE(tmp) || i == n - 1) {
			q.unmap_ops = r->unmap;
			q.kunmap_ops = NULL;
			q.pages = tmp;
			q.count = k;
			err = gnttab_unmap_refs_sync(&q);
			if (err) {
				pr_err_ratelimited("xen-blkback: %s: grant unmap failed: %d\n",
						   r->be->name, err);
				rc = err;
			}
			k = 0;
		}
	}
	if (k) {
		q.unmap_ops = r->unmap;
		q.kunmap_ops = NULL;
		q.pages = tmp;
		q.count = k;
		err = gnttab_unmap_refs_sync(&q);
		if (err)
			rc = err;
	}
	return rc;
}

/* ------------------------------------------------------------ completion */

/* Nothing of @req to unmap or give back: all its pages are persistent grants. */
static bool xbb_req_all_persistent(const struct xbb_req *req)
{
	unsigned int i;

	for (i = 0; i < req->nr_pages; i++)
		if (!req->pgnt[i])
			return false;
	return true;
}

/*
 * The request no longer uses its persistent grants: the queue thread may
 * unmap them from now on.  @req->pgnt[] stays as it is (it tells which
 * pages are not the request's own) but is not dereferenced after this.
 */
static void xbb_req_unuse(struct xbb_req *req, unsigned int n)
{
	unsigned long now = jiffies;
	unsigned int i;

	for (i = 0; i < n; i++) {
		struct xbb_pgnt *pg = req->pgnt[i];

		if (!pg)
			continue;
		WRITE_ONCE(pg->last_use, now);
		/* The bios are done with the page before the grant may go. */
		smp_mb__before_atomic();
		atomic_dec(&pg->inuse);
	}
}

static void xbb_req_put(struct xbb_req *req)
{
	struct xbb_ring *r = req->ring;
	unsigned long flags;

	if (!atomic_dec_and_test(&req->pending))
		return;
	xbb_req_unuse(req, req->nr_pages);
	if (xbb_req_all_persistent(req)) {
		/*
		 * Answer at once, from the completion: no thread wake-up on
		 * the way to the guest.  The thread only needs waking if it
		 * waits for requests in flight (barrier, teardown, a full
		 * response ring), and not by a bio that completed while it
		 * submitted it (a RAM disk): it looks at the ring again.
		 */
		spin_lock_irqsave(&r->rsp_lock, flags);
		__xbb_respond(r, req->id, req->op, READ_ONCE(req->error) ?
			      BLKIF_RSP_ERROR : BLKIF_RSP_OKAY);
		__xbb_push(r);
		spin_unlock_irqrestore(&r->rsp_lock, flags);
		kfree(req);
		if ((atomic_dec_and_test(&r->inflight) && current != r->task) ||
		    READ_ONCE(r->stalled)) {
			atomic_set(&r->kick, 1);
			wake_up(&r->wq);
		}
		return;
	}
	spin_lock_irqsave(&r->done_lock, flags);
	list_add_tail(&req->list, &r->done);
	spin_unlock_irqrestore(&r->done_lock, flags);
	wake_up(&r->wq);
}

static void xbb_bio_end(struct bio *bio)
{
	struct xbb_req *req = bio->bi_private;

	if (bio->bi_status)
		WRITE_ONCE(req->error, true);
	bio_put(bio);
	xbb_req_put(req);
}

/* Unmap and answer every completed request; returns how many. */
static unsigned int xbb_complete(struct xbb_ring *r)
{
	struct xbb_req *req, *tmp;
	unsigned long flags;
	unsigned int n = 0;
	LIST_HEAD(list);

	spin_lock_irqsave(&r->done_lock, flags);
	list_splice_init(&r->done, &list);
	spin_unlock_irqrestore(&r->done_lock, flags);

	list_for_each_entry_safe(req, tmp, &list, list) {
		list_del(&req->list);
		if (xbb_unmap(r, req->pages, req->handles, req->nr_pages))
			req->error = true;
		xbb_put_data_pages(r, req);
		xbb_respond(r, req->id, req->op,
			    READ_ONCE(req->error) ? BLKIF_RSP_ERROR : BLKIF_RSP_OKAY);
		atomic_dec(&r->inflight);
		kfree(req);
		n++;
	}
	if (n)
		xbb_push(r);
	return n;
}

/* ------------------------------------------------------ persistent grants */

static struct xbb_pgnt *xbb_pgnt_find(struct xbb_ring *r, u32 gref)
{
	struct rb_node *n = r->pgnts.rb_node;

	while (n) {
		struct xbb_pgnt *pg = rb_entry(n, struct xbb_pgnt, node);

		if (gref < pg->gref)
			n = n->rb_left;
		else if (gref > pg->gref)
			n = n->rb_right;
		else
			return pg;
	}
	return NULL;
}

/* Keep a new mapping; false if @gref is kept already (a duplicate). */
static bool xbb_pgnt_add(struct xbb_ring *r, struct xbb_pgnt *new)
{
	struct rb_node **link = &r->pgnts.rb_node, *parent = NULL;

	while (*link) {
		struct xbb_pgnt *pg = rb_entry(*link, struct xbb_pgnt, node);

		parent = *link;
		if (new->gref < pg->gref)
			link = &(*link)->rb_left;
		else if (new->gref > pg->gref)
			link = &(*link)->rb_right;
		else
			return false;
	}
	rb_link_node(&new->node, parent, link);
	rb_insert_color(&new->node, &r->pgnts);
	list_add_tail(&new->lru, &r->pgnt_lru);
	r->nr_pgnts++;
	return true;
}

/*
 * Forget @n persistent grants no request uses: one grant unmap call for
 * all of them (@n <= XBB_PGNT_BATCH), their pages back to the pool.
 */
static void xbb_pgnt_drop(struct xbb_ring *r, struct xbb_pgnt **pgs,
			  unsigned int n)
{
	struct page *pages[XBB_PGNT_BATCH];
	grant_handle_t handles[XBB_PGNT_BATCH];
	unsigned int i;

	for (i = 0; i < n; i++) {
		struct xbb_pgnt *pg = pgs[i];

		rb_erase(&pg->node, &r->pgnts);
		list_del(&pg->lru);
		r->nr_pgnts--;
		pages[i] = pg->page;
		handles[i] = pg->handle;
		kfree(pg);
	}
	xbb_unmap(r, pages, handles, n);
	xbb_put_pages(r, pages, n);
}

/**
 * xbb_pgnt_reclaim() - unmap persistent grants unused for too long
 * @r: ring (thread only)
 *
 * Looks at no more than XBB_PGNT_SCAN grants from the least recently used
 * end, so a pass costs a bounded time; what is left waits for the next
 * pass (the thread wakes every second while it keeps grants).  Grants in
 * use by a request in flight are skipped, whatever their age.
 */
static void xbb_pgnt_reclaim(struct xbb_ring *r)
{
	unsigned int secs = READ_ONCE(persistent_grant_unused_seconds);
	struct xbb_pgnt *pg, *tmp, *batch[XBB_PGNT_BATCH];
	unsigned int scanned = 0, n = 0, done = 0;
	unsigned long now = jiffies;

	if (!r->nr_pgnts || !secs)
		return;
	list_for_each_entry_safe(pg, tmp, &r->pgnt_lru, lru) {
		unsigned int inuse = atomic_read(&pg->inuse);

		if (scanned++ == XBB_PGNT_SCAN)
			break;
		if (!xbb_pgnt_expired(inuse, READ_ONCE(pg->last_use), now,
				      secs, HZ)) {
			if (inuse)
				continue;
			break; /* the rest were used more recently */
		}
		/* Seen unused: the bios' use of the page is over. */
		smp_rmb();
		batch[n++] = pg;
		if (n == XBB_PGNT_BATCH) {
			/* @tmp is not in the batch: the walk goes on. */
			xbb_pgnt_drop(r, batch, n);
			done += n;
			n = 0;
		}
	}
	if (n) {
		xbb_pgnt_drop(r, batch, n);
		done += n;
	}
	if (!done)
		return;
	r->st.pgnt_reclaimed += done;
	r->pgnt_ev_count += done;
	/* An event at most every 10 s per queue, with the count since the last. */
	if (time_before(now, r->pgnt_ev_next))
		return;
	xd_evlog_add(&xbb_evlog, r->be->cname, "reclaim",
		     "queue=%u count=%u kept=%u", r->idx, r->pgnt_ev_count,
		     r->nr_pgnts);
	r->pgnt_ev_count = 0;
	r->pgnt_ev_next = now + 10 * HZ;
}

/*
 * Unmap up to @want persistent grants no request uses, least recently
 * used first, to make room for a request's new ones (thread only).
 */
static void xbb_pgnt_evict(struct xbb_ring *r, unsigned int want)
{
	struct xbb_pgnt *pg, *tmp, *batch[XBB_PGNT_BATCH];
	unsigned int scanned = 0, n = 0;

	list_for_each_entry_safe(pg, tmp, &r->pgnt_lru, lru) {
		if (!want || scanned++ == XBB_PGNT_SCAN)
			break;
		if (atomic_read(&pg->inuse))
			continue;
		smp_rmb(); /* as in xbb_pgnt_reclaim() */
		batch[n++] = pg;
		want--;
		if (n == XBB_PGNT_BATCH) {
			xbb_pgnt_drop(r, batch, n);
			r->st.pgnt_evicted += n;
			n = 0;
		}
	}
	if (n) {
		xbb_pgnt_drop(r, batch, n);
		r->st.pgnt_evicted += n;
	}
}

/* Unmap every persistent grant of a stopped queue; pages back to the pool. */
static void xbb_pgnt_free_all(struct xbb_ring *r)
{
	struct xbb_pgnt *batch[XBB_PGNT_BATCH];

	/* Nothing is in flight any more: no grant is in use. */
	while (!RB_EMPTY_ROOT(&r->pgnts)) {
		struct rb_node *n = rb_first(&r->pgnts);
		unsigned int k = 0;

		for (; n && k < ARRAY_SIZE(batch); n = rb_next(n))
			batch[k++] = rb_entry(n, struct xbb_pgnt, node);
		xbb_pgnt_drop(r, batch, k);
	}
}

/**
 * xbb_map_data() - map the data pages of a request
 * @r: ring
 * @req: the request, its segments filled in
 *
 * Without persistent grants every grant is mapped now (read-only when the
 * data only goes to the device) and unmapped at completion.  With them, a
 * grant the queue keeps mapped is used as it is; the others are mapped
 * read-write (blkfront grants them so) and kept while the queue has room
 * for more, else unmapped at completion like the rest.  When the queue
 * keeps its maximum, up to XBB_PGNT_EVICT_MAX of its least recently used
 * grants that no request uses are unmapped first, so that the grants in
 * use now can be kept rather than stale ones.  Each kept grant the
 * request uses counts the request as a user until it completes.
 *
 * Return: 0, -EAGAIN (out of pages: retry after a completion) or -EFAULT
 * (a grant did not map; nothing is left mapped for this request).
 */
static int xbb_map_data(struct xbb_ring *r, struct xbb_req *req)
{
	unsigned long now = jiffies;
	unsigned int i, k = 0, ev;
	int rc;

	for (i = 0; i < req->nr_pages; i++) {
		struct xbb_pgnt *pg = r->persistent ?
			xbb_pgnt_find(r, req->segs[i].gref) : NULL;

		req->pgnt[i] = pg;
		req->handles[i] = XBB_NO_HANDLE;
		if (pg) {
			atomic_inc(&pg->inuse);
			WRITE_ONCE(pg->last_use, now);
			list_move_tail(&pg->lru, &r->pgnt_lru);
			req->pages[i] = pg->page;
		} else {
			r->new_idx[k] = i;
			r->new_grefs[k++] = req->segs[i].gref;
		}
	}
	if (!k)
		return 0;
	if (r->persistent) {
		ev = xbb_pgnt_evict_count(r->nr_pgnts, r->max_pgnts, k,
					  XBB_PGNT_EVICT_MAX);
		if (ev)
			xbb_pgnt_evict(r, ev);
	}
	if (!xbb_get_pages(r, r->new_pages, k)) {
		rc = -EAGAIN;
		goto unuse;
	}
	/* Data read from the device is written into the guest's pages. */
	rc = xbb_map(r, r->new_grefs, k, req->write && !r->persistent,
		     r->new_pages, r->new_handles);
	if (rc) {
		xbb_put_pages(r, r->new_pages, k);
		goto unuse;
	}
	for (i = 0; i < k; i++) {
		unsigned int j = r->new_idx[i];
		struct xbb_pgnt *pg = NULL;

		req->pages[j] = r->new_pages[i];
		if (r->persistent && r->nr_pgnts < r->max_pgnts)
			pg = kmalloc(sizeof(*pg), GFP_KERNEL);
		if (pg) {
			pg->gref = r->new_grefs[i];
			pg->handle = r->new_handles[i];
			pg->page = r->new_pages[i];
			pg->last_use = now;
			atomic_set(&pg->inuse, 1);
			if (xbb_pgnt_add(r, pg)) {
				req->pgnt[j] = pg;
				continue;
			}
			kfree(pg);
		}
		req->handles[j] = r->new_handles[i];
	}
	return 0;

unuse:
	/* The request will not run: drop the uses taken above. */
	xbb_req_unuse(req, req->nr_pages);
	return rc;
}

/* ------------------------------------------------------------- dispatch */

static struct xbb_req *xbb_req_alloc(struct xbb_ring *r, unsigned int nseg)
{
	struct xbb_req *req;
	size_t sz = sizeof(*req) + nseg * (sizeof(struct page *) +
					   sizeof(struct xbb_pgnt *) +
					   sizeof(struct xbb_seg) +
					   sizeof(grant_handle_t));

	req = kzalloc(sz, GFP_KERNEL);
	if (!req)
		return NULL;
	req->ring = r;
	/* pointers first, then the smaller types: each array aligned */
	req->pages = (struct page **)(req + 1);
	req->pgnt = (struct xbb_pgnt **)(req->pages + nseg);
	req->segs = (struct xbb_seg *)(req->pgnt + nseg);
	req->handles = (grant_handle_t *)(req->segs + nseg);
	return req;
}

/**
 * xbb_read_indirect() - copy an indirect request's segments into r->segs
 * @r: ring (its scratch buffer @ind_buf is used)
 * @c: the request, its head already checked (nseg bounded)
 *
 * The descriptors are copied out of the guest's indirect pages with one
 * grant-copy hypercall, only the bytes that hold @c->nseg segments, into
 * private memory, and decoded from there: nothing of the guest is mapped
 * (no unmap, no TLB flush per request) and each descriptor is read once.
 *
 * Return: 0, or -EFAULT if a grant could not be read.
 */
static int xbb_read_indirect(struct xbb_ring *r, const struct xbb_creq *c)
{
	unsigned int npages = xbb_indirect_pages(c->nseg);
	struct gnttab_copy ops[XBB_IND_BUF_PAGES];
	const struct blkif_request_segment *s = r->ind_buf;
	unsigned int i, p, left = c->nseg;

	for (p = 0; p < npages; p++) {
		unsigned int n = min_t(unsigned int, left,
				       XBB_SEGS_PER_INDIRECT_PAGE);

		memset(&ops[p], 0, sizeof(ops[p]));
		ops[p].source.u.ref = c->ind_grefs[p];
		ops[p].source.domid = r->be->dev->otherend_id;
		ops[p].dest.u.gmfn = virt_to_gfn(r->ind_buf + p * XEN_PAGE_SIZE);
		ops[p].dest.domid = DOMID_SELF;
		ops[p].len = n * sizeof(*s);
		ops[p].flags = GNTCOPY_source_gref;
		left -= n;
	}
	gnttab_batch_copy(ops, npages);
	for (p = 0; p < npages; p++)
		if (ops[p].status != GNTST_okay)
			return -EFAULT;
	for (i = 0; i < c->nseg; i++) {
		r->segs[i].gref = s[i].gref;
		r->segs[i].first = s[i].first_sect;
		r->segs[i].last = s[i].last_sect;
	}
	return 0;
}

static void xbb_count(struct xbb_ring *r, const struct xbb_creq *c,
		      unsigned long long sectors)
{
	switch (c->op == BLKIF_OP_INDIRECT ? c->indirect_op : c->op) {
	case BLKIF_OP_READ:
		r->st.rd_req++;
		r->st.rd_sect += sectors;
		break;
	case BLKIF_OP_WRITE:
		r->st.wr_req++;
		r->st.wr_sect += sectors;
		break;
	case BLKIF_OP_WRITE_BARRIER:
	case BLKIF_OP_FLUSH_DISKCACHE:
		r->st.f_req++;
		r->st.wr_sect += sectors;
		break;
	case BLKIF_OP_DISCARD:
		r->st.ds_req++;
		break;
	}
}

static void xbb_discard(struct xbb_ring *r, const struct xbb_creq *c)
{
	struct block_device *bdev = r->be->bd.bdev;
	int err;

	if (c->discard_flag & BLKIF_DISCARD_SECURE)
		err = blkdev_issue_secure_erase(bdev, c->sector, c->nr_sectors,
						GFP_KERNEL);
	else
		err = blkdev_issue_discard(bdev, c->sector, c->nr_sectors,
					   GFP_KERNEL);
	xbb_respond(r, c->id, c->op,
		    err == -EOPNOTSUPP ? BLKIF_RSP_EOPNOTSUPP :
		    err ? BLKIF_RSP_ERROR : BLKIF_RSP_OKAY);
}

/* Submit the bios of a mapped request. */
static void xbb_submit(struct xbb_ring *r, struct xbb_req *req, blk_opf_t opf,
		       sector_t sector)
{
	struct block_device *bdev = r->be->bd.bdev;
	struct bio *bio = NULL;
	unsigned int i;

	atomic_set(&req->pending, 1);
	if (req->nr_pages == 0) {
		/* A flush without data. */
		bio = bio_alloc(bdev, 0, opf, GFP_KERNEL);
		bio->bi_private = req;
		bio->bi_end_io = xbb_bio_end;
		atomic_inc(&req->pending);
		submit_bio(bio);
		xbb_req_put(req);
		return;
	}
	for (i = 0; i < req->nr_pages; i++) {
		unsigned int off = req->segs[i].first << 9;
		unsigned int len = (req->segs[i].last - req->segs[i].first + 1) << 9;

		while (!bio || bio_add_page(bio, req->pages[i], len, off) != len) {
			if (bio) {
				atomic_inc(&req->pending);
				submit_bio(bio);
				opf &= ~REQ_PREFLUSH; /* the first bio flushes */
			}
			bio = bio_alloc(bdev, min_t(unsigned int,
						    req->nr_pages - i, BIO_MAX_VECS),
					opf, GFP_KERNEL);
			bio->bi_iter.bi_sector = sector;
			bio->bi_private = req;
			bio->bi_end_io = xbb_bio_end;
		}
		sector += len >> 9;
	}
	atomic_inc(&req->pending);
	submit_bio(bio);
	xbb_req_put(req);
}

/**
 * xbb_throttle() - may the ring's stalled request pass the I/O limits?
 * @r: ring (r->stalled_req is the request)
 * @bytes: its data size
 *
 * Charges the device's buckets once, when the request passes; a request
 * that passed and then waits for grant pages is not charged again.
 *
 * Return: 0 to carry it out, -ETIME to wait (at most r->throttle_jiffies).
 */
static int xbb_throttle(struct xbb_ring *r, u64 bytes)
{
	struct xbb_dev *be = r->be;
	u64 now, wait = 0;

	if (r->admitted)
		return 0;
	if (READ_ONCE(be->iops.rate) || READ_ONCE(be->bps.rate)) {
		now = ktime_get_ns();
		spin_lock(&be->lim_lock);
		xbb_bucket_fill(&be->iops, now - be->lim_last);
		xbb_bucket_fill(&be->bps, now - be->lim_last);
		be->lim_last = now;
		wait = max(xbb_bucket_wait(&be->iops), xbb_bucket_wait(&be->bps));
		if (!wait) {
			xbb_bucket_take(&be->iops, 1);
			xbb_bucket_take(&be->bps, bytes);
		}
		spin_unlock(&be->lim_lock);
		if (wait) {
			if (!r->throttle_start) {
				r->throttle_start = now;
				r->st.throttled++;
			}
			r->throttle_jiffies = DIV_ROUND_UP_ULL(wait, NSEC_PER_SEC / HZ);
			return -ETIME;
		}
	}
	if (r->throttle_start) {
		r->st.throttle_ns += ktime_get_ns() - r->throttle_start;
		r->throttle_start = 0;
	}
	r->throttle_jiffies = 0;
	r->admitted = true;
	return 0;
}

/**
 * xbb_dispatch() - carry out one copied request
 * @r: ring
 * @c: the private copy
 *
 * Return: 0 when the request is answered or in flight, -EAGAIN when the
 * queue's page budget is used up (the caller keeps @c and retries after a
 * completion), -ETIME when it waits for the I/O limits (the caller keeps
 * @c and retries after r->throttle_jiffies).
 */
static int xbb_dispatch(struct xbb_ring *r, struct xbb_creq *c)
{
	struct xbb_dev *be = r->be;
	unsigned long long nsect = 0;
	const struct xbb_seg *segs;
	struct xbb_req *req;
	enum xbb_verdict v;
	const char *why = "";
	unsigned int nseg;
	blk_opf_t opf;
	int rc;

	struct xbb_limits lim = be->lim;
	u8 rop = c->op == BLKIF_OP_INDIRECT ? c->indirect_op : c->op;

	/*
	 * A barrier is ordered after every request before it: wait until
	 * those completed (the thread retries it after each completion).
	 */
	if (c->op == BLKIF_OP_WRITE_BARRIER && atomic_read(&r->inflight))
		return -EAGAIN;

	/* The size now: the backing device may have been resized. */
	lim.dev_sectors = bdev_nr_sectors(be->bd.bdev);
	v = xbb_check_head(c, &lim, &why);
	if (v == XBB_OK && c->op == BLKIF_OP_DISCARD) {
		if (xbb_throttle(r, 0))
			return -ETIME;
		xbb_count(r, c, c->nr_sectors);
		xbb_discard(r, c);
		return 0;
	}
	nseg = c->nseg;
	if (v == XBB_OK && c->op == BLKIF_OP_INDIRECT) {
		if (xbb_read_indirect(r, c)) {
			v = XBB_REFUSE;
			why = "indirect page grant cannot be read";
		}
		segs = r->segs;
	} else {
		segs = c->seg;
	}
	if (v == XBB_OK)
		v = xbb_check_segs(segs, nseg, c->sector, &lim, &nsect, &why);
	if (v != XBB_OK) {
		xbb_respond(r, c->id, rop, v == XBB_UNSUPPORTED ?
			    BLKIF_RSP_EOPNOTSUPP : BLKIF_RSP_ERROR);
		if (v == XBB_VIOLATION)
			xbb_fatal(r, why);
		else
			pr_debug("xen-blkback: %s: request refused: %s\n",
				 be->name, why);
		return 0;
	}
	if (xbb_throttle(r, nsect << 9))
		return -ETIME;

	req = xbb_req_alloc(r, nseg);
	if (!req)
		return -EAGAIN;
	req->id = c->id;
	req->op = rop; /* blkfront expects indirect_op echoed */
	req->nr_pages = nseg;
	req->write = xbb_is_write(c);
	memcpy(req->segs, segs, nseg * sizeof(*segs));
	rc = nseg ? xbb_map_data(r, req) : 0;
	if (rc == -EAGAIN) {
		kfree(req);
		return rc;
	}
	if (rc) {
		kfree(req);
		xbb_respond(r, c->id, rop, BLKIF_RSP_ERROR);
		pr_debug("xen-blkback: %s: grant map failed\n", be->name);
		return 0;
	}

	switch (rop) {
	case BLKIF_OP_READ:
		opf = REQ_OP_READ;
		break;
	case BLKIF_OP_WRITE:
		opf = REQ_OP_WRITE | REQ_SYNC;
		break;
	default: /* flush / barrier, with or without data */
		opf = REQ_OP_WRITE | REQ_SYNC | REQ_PREFLUSH |
			(nseg ? REQ_FUA : 0);
		break;
	}
	xbb_count(r, c, nsect);
	atomic_inc(&r->inflight);
	xbb_submit(r, req, opf, c->sector);
	return 0;
}

/*
 * Dispatch r->stalled_req.  Out of resources with nothing in flight, no
 * completion will ever free any: answer an error instead of waiting.
 */
static int xbb_dispatch_or_fail(struct xbb_ring *r)
{
	struct xbb_creq *c = &r->stalled_req;
	int rc = xbb_dispatch(r, c);

	if (rc == -EAGAIN && atomic_read(&r->inflight) == 0) {
		xbb_respond(r, c->id, c->op == BLKIF_OP_INDIRECT ?
			    c->indirect_op : c->op, BLKIF_RSP_ERROR);
		rc = 0;
	}
	if (!rc)
		r->admitted = false; /* the next request is charged afresh */
	return rc;
}

/**
 * xbb_consume() - take new requests off the ring
 * @r: ring
 * @taken: set to the number of requests taken off the ring
 *
 * Takes every request the frontend has produced, unless one has to wait
 * (pages, ordering, I/O limits), there is no free response slot, or the
 * frontend broke the protocol.  It does not ask for an event: the caller
 * polls (xbb_poll()) or asks (xbb_arm()) when this returns true.
 *
 * Return: true if the ring is drained: everything produced was taken and
 * nothing waits.
 */
static bool xbb_consume(struct xbb_ring *r, unsigned int *taken)
{
	struct blkif_sring *s = xbb_hdr(r);
	unsigned int prod, batch = 0;
	bool drained = false;
	struct blk_plug plug;
	int rc;

	*taken = 0;
	blk_start_plug(&plug);
	if (r->stalled) {
		(*taken)++;
		if (xbb_dispatch_or_fail(r))
			goto out;
		r->stalled = false;
	}
	for (;;) {
		prod = READ_ONCE(s->req_prod);
		virt_rmb(); /* the index before the requests it covers */
		if (!xbb_prod_ok(prod, r->req_cons, r->nr_ents)) {
			xbb_fatal(r, "request producer index more than a ring ahead");
			goto out;
		}
		if (r->req_cons == prod)
			break;
		while (r->req_cons != prod) {
			/* No free response slot for this one yet. */
			if (r->req_cons - r->rsp_prod_pvt >= r->nr_ents)
				goto out;
			(*taken)++;
			xbb_copy_request(r, r->req_cons, &r->stalled_req);
			r->req_cons++;
			rc = xbb_dispatch_or_fail(r);
			if (rc) {
				/* Out of pages, ordered, or throttled: wait. */
				r->stalled = true;
				if (rc == -EAGAIN &&
				    r->stalled_req.op != BLKIF_OP_WRITE_BARRIER)
					r->st.oo_req++;
				goto out;
			}
			if (r->broken)
				goto out;
			if (++batch % 32 == 0) {
				xbb_push(r);
				blk_finish_plug(&plug);
				cond_resched();
				blk_start_plug(&plug);
			}
		}
	}
	drained = true;
out:
	blk_finish_plug(&plug);
	xbb_push(r);
	return drained;
}

/*
 * Ask the frontend for an event for its next request, then look again.
 * Return: true if a request came in meanwhile (no event will announce it).
 */
static bool xbb_arm(struct xbb_ring *r)
{
	struct blkif_sring *s = xbb_hdr(r);

	WRITE_ONCE(s->req_event, r->req_cons + 1);
	virt_mb(); /* req_event written before req_prod is read again */
	return READ_ONCE(s->req_prod) != r->req_cons;
}

/**
 * xbb_poll() - look for more work for a short while instead of sleeping
 * @r: ring, just drained, with its req_event not moved past the requests
 *	taken (so the frontend sends no event for the next one)
 *
 * Spins for at most poll_us microseconds (clamped to XBB_POLL_US_MAX),
 * less if the CPU is wanted by another task.  Called only after a pass
 * that took requests (xbb_poll_budget()): an idle frontend, or one that
 * only sends events, never makes the thread spin, and each request buys
 * at most one poll.
 *
 * Return: true if a request, a completion or a wake-up reason arrived.
 */
static bool xbb_poll(struct xbb_ring *r)
{
	struct blkif_sring *s = xbb_hdr(r);
	u64 ns = xbb_poll_budget(READ_ONCE(poll_us)), end;

	if (!ns)
		return false;
	end = ktime_get_ns() + ns;
	do {
		if (READ_ONCE(s->req_prod) != r->req_cons ||
		    !list_empty(&r->done) || atomic_read(&r->kick) ||
		    atomic_read(&r->eoi_pending) || kthread_should_stop())
			return true;
		if (need_resched())
			return false;
		cpu_relax();
	} while (ktime_get_ns() < end);
	return false;
}

static bool xbb_thread_wake(struct xbb_ring *r)
{
	return atomic_read(&r->eoi_pending) || !list_empty(&r->done) ||
		atomic_read(&r->kick) || kthread_should_stop();
}

/*
 * The backing device changed size (lvextend, losetup -c, ...): have the
 * frontend told in a work item.  Checked whenever queue 0 wakes up.
 */
static void xbb_check_size(struct xbb_dev *be)
{
	if (bdev_nr_sectors(be->bd.bdev) != READ_ONCE(be->sectors))
		schedule_work(&be->resize_work);
}

static void xbb_resize_work(struct work_struct *w)
{
	struct xbb_dev *be = container_of(w, struct xbb_dev, resize_work);
	struct xenbus_device *dev = be->dev;
	struct xenbus_transaction xbt;
	u64 old, now;
	int err;

	mutex_lock(&be->mutex);
	if (!be->rings || dev->state != XBB_XS_CONNECTED)
		goto out;
	old = be->sectors;
	now = bdev_nr_sectors(be->bd.bdev);
	if (now == old)
		goto out;
again:
	err = xenbus_transaction_start(&xbt);
	if (err)
		goto fail;
	err = xenbus_printf(xbt, dev->nodename, "sectors", "%llu", now);
	/* Rewriting Connected makes blkfront read "sectors" again. */
	if (!err)
		err = xenbus_printf(xbt, dev->nodename, "state", "%d", dev->state);
	if (err) {
		xenbus_transaction_end(xbt, 1);
		goto fail;
	}
	err = xenbus_transaction_end(xbt, 0);
	if (err == -EAGAIN)
		goto again;
	if (err)
		goto fail;
	pr_info("xen-blkback: %s: resized from %llu to %llu sectors\n",
		be->name, old, now);
	xd_evlog_add(&xbb_evlog, be->cname, "resize", "old=%llu new=%llu",
		     old, now);
	goto done;
fail:
	pr_warn("xen-blkback: %s: cannot announce the new size (%llu sectors): %d\n",
		be->name, now, err);
done:
	/* Either way, do not try again until the size changes again. */
	WRITE_ONCE(be->sectors, now);
out:
	mutex_unlock(&be->mutex);
}

/*
 * Give the free grant pages beyond max_buffer_pages back to the system
 * (all of them for buffer_squeeze_duration_ms after a memory pressure
 * notice).  Thread only: the pool is the thread's.
 */
static void xbb_trim_pool(struct xbb_ring *r)
{
	unsigned int keep = max(READ_ONCE(max_buffer_pages), 0);
	unsigned int n;

	if (time_before(jiffies, READ_ONCE(xbb_squeeze_until)))
		keep = 0;
	if (r->nr_free <= keep)
		return;
	n = r->nr_free - keep;
	gnttab_free_pages(n, r->pool + keep);
	r->nr_free = keep;
	r->nr_alloc -= n;
}

/*
 * log_stats: one line per queue and 10 s, if its requests changed
 * (totals since connect, where the in-tree driver resets them).
 */
static void xbb_log_stats(struct xbb_ring *r)
{
	const struct xbb_stats *st = &r->st;
	u64 reqs = st->rd_req + st->wr_req + st->f_req + st->ds_req + st->oo_req;

	if (!READ_ONCE(log_stats) || time_before(jiffies, r->log_next))
		return;
	r->log_next = jiffies + 10 * HZ;
	if (reqs == r->log_reqs)
		return;
	r->log_reqs = reqs;
	/*
	 * The in-tree driver's layout, so that log scrapers keep working
	 * ("pg": persistent grants / the most the queue keeps, which is
	 * max_persistent_grants when it connected), then the free
	 * grant pages the queue keeps (max_buffer_pages bounds them), and
	 * the persistent grants unmapped as unused too long ("reclaimed")
	 * or to make room for new ones ("evicted").
	 */
	pr_info("xen-blkback: (%s-%u): oo %3llu  |  rd %4llu  |  wr %4llu  |  f %4llu  |  ds %4llu | pg: %4u/%4u | free: %u | reclaimed: %llu | evicted: %llu\n",
		r->be->name, r->idx, st->oo_req, st->rd_req, st->wr_req,
		st->f_req, st->ds_req, r->nr_pgnts, r->max_pgnts, r->nr_free,
		st->pgnt_reclaimed, st->pgnt_evicted);
}

/*
 * The event channel follows the thread: after XBB_FOLLOW_AFTER events in a
 * row that the thread handled on another CPU than the one the event came
 * in on, bind the channel to the thread's CPU.  The interrupt then wakes the
 * thread on its own CPU (the scheduler keeps it there, the waker's CPU)
 * instead of sending it an inter-processor interrupt, which under Xen is
 * one more hypercall and virtual CPU wake-up per request.  Rebinding is a
 * hypercall too, hence the hysteresis.
 */
#define XBB_FOLLOW_AFTER 8

static void xbb_follow(struct xbb_ring *r)
{
	int cpu = raw_smp_processor_id();

	if (!READ_ONCE(event_follows_thread) || cpu == READ_ONCE(r->irq_cpu)) {
		r->evt_away = 0;
		return;
	}
	if (++r->evt_away < XBB_FOLLOW_AFTER)
		return;
	r->evt_away = 0;
	irq_set_affinity(r->irq, cpumask_of(cpu));
}

static int xbb_thread(void *arg)
{
	struct xbb_ring *r = arg;
	bool busy = false;

	while (!kthread_should_stop()) {
		long tmo = MAX_SCHEDULE_TIMEOUT;
		unsigned int taken = 0;
		bool eoi, work;

		if (r->stalled && r->throttle_jiffies)
			tmo = r->throttle_jiffies;
		if (READ_ONCE(log_stats))
			tmo = min_t(long, tmo, 10 * HZ);
		/* Look for persistent grants unused too long every second. */
		if (r->nr_pgnts && READ_ONCE(persistent_grant_unused_seconds))
			tmo = min_t(long, tmo, HZ);
		/* Busy: work arrived with no event (polled, or before arming). */
		if (busy)
			cond_resched();
		else
			wait_event_interruptible_timeout(r->wq, xbb_thread_wake(r), tmo);
		busy = false;
		eoi = atomic_xchg(&r->eoi_pending, 0);
		atomic_set(&r->kick, 0);
		if (r->idx == 0)
			xbb_check_size(r->be);
		work = xbb_complete(r) != 0;
		if (!r->broken && xbb_consume(r, &taken)) {
			/*
			 * Drained.  After taking requests, look for the next
			 * one a little while before asking for an event: at
			 * queue depth 1 that saves the frontend's event and
			 * this thread's sleep and wake-up per request.
			 */
			busy = (taken && xbb_poll(r)) || xbb_arm(r);
		}
		work |= taken != 0;
		/*
		 * An event is spurious only if nothing was done since the
		 * last EOI: the request it announces is often taken off the
		 * ring already, by the pass a completion woke us for.
		 * Flagging those would make Xen delay the event channel more
		 * and more (up to a second) on a perfectly normal ring.
		 */
		r->eoi_work |= work;
		if (eoi) {
			xbb_follow(r);
			xen_irq_lateeoi(r->irq, r->eoi_work ? 0 : XEN_EOI_FLAG_SPURIOUS);
			r->eoi_work = false;
		}
		xbb_pgnt_reclaim(r);
		xbb_trim_pool(r);
		xbb_log_stats(r);
	}
	/* Drain: every bio in flight completes before the grants go. */
	while (atomic_read(&r->inflight)) {
		wait_event_timeout(r->wq, !list_empty(&r->done) ||
				   !atomic_read(&r->inflight), HZ);
		xbb_complete(r);
	}
	if (r->stalled) {
		xbb_respond(r, r->stalled_req.id,
			    r->stalled_req.op == BLKIF_OP_INDIRECT ?
			    r->stalled_req.indirect_op : r->stalled_req.op,
			    BLKIF_RSP_ERROR);
		r->stalled = false;
		xbb_push(r);
	}
	return 0;
}

static irqreturn_t xbb_irq(int irq, void *arg)
{
	struct xbb_ring *r = arg;

	WRITE_ONCE(r->irq_cpu, smp_processor_id());
	atomic_set(&r->eoi_pending, 1);
	wake_up(&r->wq);
	return IRQ_HANDLED;
}

/* ------------------------------------------------------ connect / teardown */

static void xbb_ring_stats_add(struct xbb_stats *to, const struct xbb_stats *s)
{
	to->rd_req += s->rd_req;
	to->wr_req += s->wr_req;
	to->f_req += s->f_req;
	to->ds_req += s->ds_req;
	to->oo_req += s->oo_req;
	to->rd_sect += s->rd_sect;
	to->wr_sect += s->wr_sect;
	to->errors += s->errors;
	to->throttled += s->throttled;
	to->throttle_ns += s->throttle_ns;
	to->pgnt_reclaimed += s->pgnt_reclaimed;
	to->pgnt_evicted += s->pgnt_evicted;
}

static void xbb_ring_free(struct xbb_ring *r)
{
	if (r->task) {
		kthread_stop(r->task);
		r->task = NULL;
	}
	if (r->irq > 0) {
		unbind_from_irqhandler(r->irq, r);
		r->irq = 0;
	}
	if (r->sring) {
		xenbus_unmap_ring_vfree(r->be->dev, r->sring);
		r->sring = NULL;
	}
	xbb_pgnt_free_all(r);
	if (r->pool) {
		if (r->nr_free != r->nr_alloc)
			pr_err("xen-blkback: %s: %u grant pages not returned\n",
			       r->be->name, r->nr_alloc - r->nr_free);
		gnttab_free_pages(r->nr_free, r->pool);
		kvfree(r->pool);
		r->pool = NULL;
	}
	kvfree(r->map);
	r->map = NULL;
	kvfree(r->unmap);
	r->unmap = NULL;
	kvfree(r->segs);
	r->segs = NULL;
	free_pages((unsigned long)r->ind_buf,
		   get_order(XBB_IND_BUF_PAGES * XEN_PAGE_SIZE));
	r->ind_buf = NULL;
	kvfree(r->new_idx);
	r->new_idx = NULL;
	kvfree(r->new_grefs);
	r->new_grefs = NULL;
	kvfree(r->new_pages);
	r->new_pages = NULL;
	kvfree(r->new_handles);
	r->new_handles = NULL;
	xbb_ring_stats_add(&r->be->gone, &r->st);
	memset(&r->st, 0, sizeof(r->st));
}

/* Stop every queue (waiting for I/O in flight) and forget them. */
static void xbb_disconnect(struct xbb_dev *be)
{
	unsigned int i;

	if (!be->rings)
		return;
	for (i = 0; i < be->nr_rings; i++)
		xbb_ring_free(&be->rings[i]);
	kfree(be->rings);
	be->rings = NULL;
	be->nr_rings = 0;
	xd_evlog_add(&xbb_evlog, be->cname, "disconnect", "%s", "");
}

/* Read the ring-refs and event channel of one queue from @dir and set it up. */
static int xbb_ring_connect(struct xbb_ring *r, const char *dir,
			    unsigned int order, enum xbb_abi abi)
{
	struct xbb_dev *be = r->be;
	struct xenbus_device *dev = be->dev;
	grant_ref_t refs[XENBUS_MAX_RING_GRANTS];
	unsigned int nr = 1U << order, i, evtchn;
	char node[32];
	int err;

	err = xenbus_scanf(XBT_NIL, dir, "event-channel", "%u", &evtchn);
	if (err != 1) {
		xenbus_dev_fatal(dev, -EINVAL, "reading %s/event-channel", dir);
		return -EINVAL;
	}
	for (i = 0; i < nr; i++) {
		if (order)
			snprintf(node, sizeof(node), "ring-ref%u", i);
		else
			strscpy(node, "ring-ref", sizeof(node));
		err = xenbus_scanf(XBT_NIL, dir, node, "%u", &refs[i]);
		if (err != 1) {
			xenbus_dev_fatal(dev, -EINVAL, "reading %s/%s", dir, node);
			return -EINVAL;
		}
	}

	r->abi = abi;
	r->esz = abi == XBB_ABI_NATIVE ? XBB64_ENTRY : XBB32_ENTRY;
	r->nr_ents = xbb_ring_entries(nr * XEN_PAGE_SIZE, XBB_RING_HEADER, r->esz);
	init_waitqueue_head(&r->wq);
	spin_lock_init(&r->done_lock);
	r->log_next = jiffies;
	spin_lock_init(&r->rsp_lock);
	INIT_LIST_HEAD(&r->done);

	/* Room for every page: transient ones and those of persistent grants. */
	r->persistent = be->persistent;
	r->max_pgnts = r->persistent ? min(READ_ONCE(max_persistent_grants), 65536U) : 0;
	r->pool = kvcalloc(max_grant_pages + r->max_pgnts, sizeof(*r->pool),
			   GFP_KERNEL);
	r->map = kvcalloc(XBB_MAX_INDIRECT_SEGS, sizeof(*r->map), GFP_KERNEL);
	r->unmap = kvcalloc(XBB_MAX_INDIRECT_SEGS, sizeof(*r->unmap), GFP_KERNEL);
	r->segs = kvcalloc(XBB_MAX_INDIRECT_SEGS, sizeof(*r->segs), GFP_KERNEL);
	r->ind_buf = (void *)__get_free_pages(GFP_KERNEL,
					      get_order(XBB_IND_BUF_PAGES * XEN_PAGE_SIZE));
	r->new_idx = kvcalloc(XBB_MAX_INDIRECT_SEGS, sizeof(*r->new_idx), GFP_KERNEL);
	r->new_grefs = kvcalloc(XBB_MAX_INDIRECT_SEGS, sizeof(*r->new_grefs), GFP_KERNEL);
	r->new_pages = kvcalloc(XBB_MAX_INDIRECT_SEGS, sizeof(*r->new_pages), GFP_KERNEL);
	r->new_handles = kvcalloc(XBB_MAX_INDIRECT_SEGS, sizeof(*r->new_handles),
				  GFP_KERNEL);
	r->pgnts = RB_ROOT;
	INIT_LIST_HEAD(&r->pgnt_lru);
	r->pgnt_ev_next = jiffies;
	if (!r->pool || !r->map || !r->unmap || !r->segs || !r->ind_buf || !r->new_idx ||
	    !r->new_grefs || !r->new_pages || !r->new_handles) {
		xenbus_dev_fatal(dev, -ENOMEM, "allocating queue %u", r->idx);
		return -ENOMEM;
	}

	err = xenbus_map_ring_valloc(dev, refs, nr, &r->sring);
	if (err) {
		r->sring = NULL;
		return err; /* xenbus_dev_fatal() was called */
	}
	/*
	 * Start after the last response the frontend has seen; requests it
	 * already queued are served (their indices are checked like any).
	 */
	r->rsp_prod_pvt = READ_ONCE(xbb_hdr(r)->rsp_prod);
	r->req_cons = r->rsp_prod_pvt;

	err = bind_interdomain_evtchn_to_irqhandler_lateeoi(dev, evtchn, xbb_irq,
							    0, "blkif-backend", r);
	if (err < 0) {
		xenbus_dev_fatal(dev, err, "binding event channel %u", evtchn);
		return err;
	}
	r->irq = err;

	/* "blkback.DOMID.VDEV-QUEUE", cut to the task name length. */
	r->task = kthread_run(xbb_thread, r, "blkback.%s-%u", be->name, r->idx);
	if (IS_ERR(r->task)) {
		err = PTR_ERR(r->task);
		r->task = NULL;
		xenbus_dev_fatal(dev, err, "starting the queue thread");
		return err;
	}
	return 0;
}

/* Map the frontend's rings (state Initialised/Connected). */
static int xbb_connect_rings(struct xbb_dev *be)
{
	struct xenbus_device *dev = be->dev;
	const char *fe = dev->otherend;
	unsigned int nq, order, i;
	enum xbb_abi abi = XBB_ABI_NATIVE;
	char *proto;
	int err;

	proto = xenbus_read(XBT_NIL, fe, "protocol", NULL);
	if (!IS_ERR(proto)) {
		if (!strcmp(proto, XEN_IO_PROTO_ABI_X86_32)) {
			abi = XBB_ABI_X86_32;
		} else if (strcmp(proto, XEN_IO_PROTO_ABI_NATIVE) &&
			   strcmp(proto, XEN_IO_PROTO_ABI_X86_64)) {
			xenbus_dev_fatal(dev, -EINVAL, "unknown protocol %.32s", proto);
			kfree(proto);
			return -EINVAL;
		}
		kfree(proto);
	}
	nq = xenbus_read_unsigned(fe, "multi-queue-num-queues", 1);
	if (!xbb_queues_ok(nq, max_queues)) {
		xenbus_dev_fatal(dev, -EINVAL, "multi-queue-num-queues %u (1-%u)",
				 nq, max_queues);
		return -EINVAL;
	}
	order = xenbus_read_unsigned(fe, "ring-page-order", 0);
	if (!xbb_ring_order_ok(order, max_ring_page_order)) {
		xenbus_dev_fatal(dev, -EINVAL, "ring-page-order %u (at most %u)",
				 order, max_ring_page_order);
		return -EINVAL;
	}

	be->persistent = READ_ONCE(feature_persistent) &&
		xenbus_read_unsigned(fe, "feature-persistent", 0);
	be->rings = kcalloc(nq, sizeof(*be->rings), GFP_KERNEL);
	if (!be->rings)
		return -ENOMEM;
	be->nr_rings = nq;
	for (i = 0; i < nq; i++) {
		be->rings[i].be = be;
		be->rings[i].idx = i;
	}
	for (i = 0; i < nq; i++) {
		struct xbb_ring *r = &be->rings[i];
		char *dir;

		if (nq == 1)
			dir = kstrdup(fe, GFP_KERNEL);
		else
			dir = kasprintf(GFP_KERNEL, "%s/queue-%u", fe, i);
		if (!dir) {
			err = -ENOMEM;
			goto fail;
		}
		err = xbb_ring_connect(r, dir, order, abi);
		kfree(dir);
		if (err)
			goto fail;
	}
	pr_info("xen-blkback: %s: connected, %u queue(s), ring order %u, %s ABI%s\n",
		be->name, nq, order, abi == XBB_ABI_NATIVE ? "native" : "x86_32",
		be->persistent ? ", persistent grants" : "");
	be->ring_order = order;
	xd_evlog_add(&xbb_evlog, be->cname, "connect",
		     "queues=%u order=%u abi=%s persistent=%d device=%x:%x sectors=%llu mode=%s",
		     nq, order, abi == XBB_ABI_NATIVE ? "native" : "x86_32",
		     be->persistent,
		     be->major, be->minor, bdev_nr_sectors(be->bd.bdev),
		     be->lim.readonly ? "r" : "w");
	return 0;
fail:
	xbb_disconnect(be);
	return err;
}

/* Tell the frontend about the disk; switch to Connected. */
static void xbb_announce(struct xbb_dev *be)
{
	struct xenbus_device *dev = be->dev;
	struct block_device *bdev = be->bd.bdev;
	struct xenbus_transaction xbt;
	unsigned int info = 0;
	bool flush;
	int err;

	be->lim.dev_sectors = bdev_nr_sectors(bdev);
	WRITE_ONCE(be->sectors, be->lim.dev_sectors);
	if (be->lim.readonly)
		info |= VDISK_READONLY;
	if (be->cdrom)
		info |= VDISK_CDROM;
	if (bdev->bd_disk->flags & GENHD_FL_REMOVABLE)
		info |= VDISK_REMOVABLE;
	/* Flush and barrier both need a write cache to mean anything. */
	flush = bdev_write_cache(bdev) && !be->lim.readonly;
again:
	err = xenbus_transaction_start(&xbt);
	if (err) {
		xenbus_dev_fatal(dev, err, "starting transaction");
		return;
	}
	err = xenbus_printf(xbt, dev->nodename, "feature-flush-cache", "%d",
			    flush);
	if (!err)
		err = xenbus_printf(xbt, dev->nodename, "feature-barrier", "%d",
				    flush);
	if (!err)
		err = xenbus_printf(xbt, dev->nodename, "feature-discard", "%d",
				    be->lim.discard ? 1 : 0);
	if (!err && be->lim.discard) {
		err = xenbus_printf(xbt, dev->nodename, "discard-granularity", "%u",
				    bdev_discard_granularity(bdev));
		if (!err)
			err = xenbus_printf(xbt, dev->nodename, "discard-alignment",
					    "%u", bdev_discard_alignment(bdev));
		if (!err)
			err = xenbus_printf(xbt, dev->nodename, "discard-secure",
					    "%d", be->lim.secure ? 1 : 0);
	}
	if (!err)
		err = xenbus_printf(xbt, dev->nodename, "sectors", "%llu",
				    be->lim.dev_sectors);
	if (!err)
		err = xenbus_printf(xbt, dev->nodename, "info", "%u", info);
	if (!err)
		err = xenbus_printf(xbt, dev->nodename, "sector-size", "%u",
				    bdev_logical_block_size(bdev));
	if (!err)
		err = xenbus_printf(xbt, dev->nodename, "physical-sector-size",
				    "%u", bdev_physical_block_size(bdev));
	if (err) {
		xenbus_transaction_end(xbt, 1);
		xenbus_dev_fatal(dev, err, "writing the disk's properties");
		return;
	}
	err = xenbus_transaction_end(xbt, 0);
	if (err == -EAGAIN)
		goto again;
	if (err) {
		xenbus_dev_fatal(dev, err, "ending transaction");
		return;
	}
	err = xenbus_switch_state(dev, XBB_XS_CONNECTED);
	if (err)
		xenbus_dev_fatal(dev, err, "switching to Connected");
}

/* Connect if both the backing device and the frontend are ready. */
static void xbb_try_connect(struct xbb_dev *be)
{
	enum xenbus_state fs;

	if (!be->have_bdev || be->rings)
		return;
	fs = xenbus_read_driver_state(be->dev->otherend);
	if (fs != XBB_XS_INITIALISED && fs != XBB_XS_CONNECTED)
		return;
	if (be->dev->state == XBB_XS_CONNECTED)
		return;
	if (xbb_connect_rings(be))
		return;
	xbb_announce(be);
}

/* Watch on physical-device: the hotplug script names the backing device. */
static void xbb_pdev_changed(struct xenbus_watch *watch, const char *path,
			     const char *token)
{
	struct xbb_dev *be = container_of(watch, struct xbb_dev, watch);
	struct xenbus_device *dev = be->dev;
	unsigned int major, minor;
	char *mode, *type;
	bool write;
	int err;

	err = xenbus_scanf(XBT_NIL, dev->nodename, "physical-device", "%x:%x",
			   &major, &minor);
	if (err != 2)
		return; /* not written yet */

	mutex_lock(&be->mutex);
	if (be->have_bdev) {
		if (be->major != major || be->minor != minor)
			pr_warn("xen-blkback: %s: changing physical-device to %x:%x is not supported\n",
				be->name, major, minor);
		goto out;
	}
	mode = xenbus_read(XBT_NIL, dev->nodename, "mode", NULL);
	if (IS_ERR(mode)) {
		xenbus_dev_fatal(dev, PTR_ERR(mode), "reading mode");
		goto out;
	}
	write = strchr(mode, 'w');
	kfree(mode);
	type = xenbus_read(XBT_NIL, dev->otherend, "device-type", NULL);
	if (!IS_ERR(type)) {
		be->cdrom = !strcmp(type, "cdrom");
		kfree(type);
	}

	err = xd_bdev_open(MKDEV(major, minor), write, &be->bd);
	if (err) {
		xenbus_dev_fatal(dev, err, "opening device %x:%x", major, minor);
		goto out;
	}
	be->have_bdev = true;
	be->major = major;
	be->minor = minor;
	be->lim.readonly = !write || bdev_read_only(be->bd.bdev);
	/* The toolstack's discard-enable (0 for read-only disks) has the last word. */
	be->lim.discard = bdev_max_discard_sectors(be->bd.bdev) > 0 &&
			  xenbus_read_unsigned(dev->nodename, "discard-enable", 1);
	be->lim.secure = bdev_max_secure_erase_sectors(be->bd.bdev) > 0;
	be->lim.max_indirect = XBB_MAX_INDIRECT_SEGS;
	be->lim.dev_sectors = bdev_nr_sectors(be->bd.bdev);
	pr_info("xen-blkback: %s: device %x:%x, %llu sectors, %s\n", be->name,
		major, minor, be->lim.dev_sectors,
		be->lim.readonly ? "read-only" : "read-write");
	xbb_try_connect(be);
out:
	mutex_unlock(&be->mutex);
}

static void xbb_frontend_changed(struct xenbus_device *dev,
				 enum xenbus_state fs)
{
	struct xbb_dev *be = dev_get_drvdata(&dev->dev);
	bool unregister = false;

	mutex_lock(&be->mutex);
	switch (fs) {
	case XBB_XS_INITIALISING:
		if (dev->state == XBB_XS_CLOSED) {
			pr_info("xen-blkback: %s: frontend reconnects\n", be->name);
			xenbus_switch_state(dev, XBB_XS_INITWAIT);
		}
		break;
	case XBB_XS_INITIALISED:
	case XBB_XS_CONNECTED:
		if (dev->state == XBB_XS_CONNECTED)
			break;
		/* A frontend that reconnects without closing first. */
		xbb_disconnect(be);
		xbb_try_connect(be);
		break;
	case XBB_XS_CLOSING:
		xbb_disconnect(be);
		xenbus_switch_state(dev, XBB_XS_CLOSING);
		break;
	case XBB_XS_CLOSED:
		xbb_disconnect(be);
		xenbus_switch_state(dev, XBB_XS_CLOSED);
		/* Detached by the toolstack (online 0): the device goes. */
		unregister = !xenbus_dev_is_online(dev);
		break;
	case XBB_XS_UNKNOWN:
		/*
		 * The frontend is gone (guest destroyed): stop I/O and
		 * remove the device; xenbus then writes Closed, which the
		 * toolstack waits for.
		 */
		xbb_disconnect(be);
		unregister = true;
		break;
	default:
		break;
	}
	mutex_unlock(&be->mutex);
	if (unregister)
		device_unregister(&dev->dev); /* frees be (xbb_remove) */
}

/* ------------------------------------------------------------- statistics */

static void xbb_sum(struct xbb_dev *be, struct xbb_stats *s)
{
	unsigned int i;

	mutex_lock(&be->mutex);
	*s = be->gone;
	for (i = 0; i < be->nr_rings; i++) {
		struct xbb_stats t;

		memcpy(&t, &be->rings[i].st, sizeof(t));
		xbb_ring_stats_add(s, &t);
	}
	mutex_unlock(&be->mutex);
}

/* statistics/NAME: one show function, the field found by offset. */
struct xbb_stat_attr {
	struct device_attribute attr;
	size_t off;
};

static ssize_t xbb_stat_show(struct device *d, struct device_attribute *a,
			     char *buf)
{
	struct xbb_stat_attr *sa = container_of(a, struct xbb_stat_attr, attr);
	struct xbb_dev *be = dev_get_drvdata(d);
	struct xbb_stats s;
	u64 v;

	xbb_sum(be, &s);
	memcpy(&v, (u8 *)&s + sa->off, sizeof(v));
	return sysfs_emit(buf, "%llu\n", v);
}

static struct xbb_stat_attr xbb_st_rd_req = {
	__ATTR(rd_req, 0444, xbb_stat_show, NULL), offsetof(struct xbb_stats, rd_req)
};

static struct xbb_stat_attr xbb_st_wr_req = {
	__ATTR(wr_req, 0444, xbb_stat_show, NULL), offsetof(struct xbb_stats, wr_req)
};

static struct xbb_stat_attr xbb_st_f_req = {
	__ATTR(f_req, 0444, xbb_stat_show, NULL), offsetof(struct xbb_stats, f_req)
};

static struct xbb_stat_attr xbb_st_ds_req = {
	__ATTR(ds_req, 0444, xbb_stat_show, NULL), offsetof(struct xbb_stats, ds_req)
};

static struct xbb_stat_attr xbb_st_oo_req = {
	__ATTR(oo_req, 0444, xbb_stat_show, NULL), offsetof(struct xbb_stats, oo_req)
};

static struct xbb_stat_attr xbb_st_rd_sect = {
	__ATTR(rd_sect, 0444, xbb_stat_show, NULL), offsetof(struct xbb_stats, rd_sect)
};

static struct xbb_stat_attr xbb_st_wr_sect = {
	__ATTR(wr_sect, 0444, xbb_stat_show, NULL), offsetof(struct xbb_stats, wr_sect)
};

static struct attribute *xbb_stat_attrs[] = {
	&xbb_st_rd_req.attr.attr,
	&xbb_st_wr_req.attr.attr,
	&xbb_st_f_req.attr.attr,
	&xbb_st_ds_req.attr.attr,
	&xbb_st_oo_req.attr.attr,
	&xbb_st_rd_sect.attr.attr,
	&xbb_st_wr_sect.attr.attr,
	NULL,
};

static const struct attribute_group xbb_stat_group = {
	.name = "statistics",
	.attrs = xbb_stat_attrs,
};

static ssize_t physical_device_show(struct device *d,
				    struct device_attribute *a, char *buf)
{
	struct xbb_dev *be = dev_get_drvdata(d);

	return sysfs_emit(buf, "%x:%x\n", be->major, be->minor);
}
static DEVICE_ATTR_RO(physical_device);

static ssize_t mode_show(struct device *d, struct device_attribute *a,
			 char *buf)
{
	struct xbb_dev *be = dev_get_drvdata(d);

	return sysfs_emit(buf, "%s\n", be->lim.readonly ? "r" : "w");
}
static DEVICE_ATTR_RO(mode);

static ssize_t violations_show(struct device *d, struct device_attribute *a,
			       char *buf)
{
	struct xbb_dev *be = dev_get_drvdata(d);

	return sysfs_emit(buf, "%d\n", atomic_read(&be->violations));
}
static DEVICE_ATTR_RO(violations);

static struct attribute *xbb_attrs[] = {
	&dev_attr_physical_device.attr,
	&dev_attr_mode.attr,
	&dev_attr_violations.attr,
	NULL,
};

static const struct attribute_group xbb_attr_group = {
	.attrs = xbb_attrs,
};

/* --------------------------------------------------------- control device */

/* The device of @domid/@devid; call with xbb_devs_lock held. */
static struct xbb_dev *xbb_find(u32 domid, u32 devid)
{
	struct xbb_dev *be;

	list_for_each_entry(be, &xbb_devs, node)
		if (be->dev->otherend_id == domid && be->devid == devid)
			return be;
	return NULL;
}

static void xbb_ctl_fill(struct xbb_dev *be, struct xbb_ctl_dev *d)
{
	memset(d, 0, sizeof(*d));
	mutex_lock(&be->mutex);
	d->domid = be->dev->otherend_id;
	d->devid = be->devid;
	d->state = be->dev->state;
	d->nr_queues = be->nr_rings;
	d->major = be->major;
	d->minor = be->minor;
	if (be->rings)
		d->flags |= XBB_CTL_F_CONNECTED;
	if (be->lim.readonly)
		d->flags |= XBB_CTL_F_READONLY;
	if (be->cdrom)
		d->flags |= XBB_CTL_F_CDROM;
	if (be->lim.discard)
		d->flags |= XBB_CTL_F_DISCARD;
	if (READ_ONCE(be->iops.rate) || READ_ONCE(be->bps.rate))
		d->flags |= XBB_CTL_F_LIMITED;
	d->ring_order = be->rings ? be->ring_order : 0;
	d->sectors = READ_ONCE(be->sectors);
	strscpy(d->name, be->cname, sizeof(d->name));
	mutex_unlock(&be->mutex);
}

/* Most devices one XBB_CTL_LIST returns. */
#define XBB_CTL_LIST_MAX	4096

static long xbb_ctl_list(void __user *arg)
{
	struct xbb_ctl_list l;
	struct xbb_ctl_dev *v = NULL;
	struct xbb_dev *be;
	u32 n = 0, cap;
	long err = 0;

	if (copy_from_user(&l, arg, sizeof(l)))
		return -EFAULT;
	cap = min_t(u32, l.count, XBB_CTL_LIST_MAX);
	if (cap) {
		v = kvcalloc(cap, sizeof(*v), GFP_KERNEL);
		if (!v)
			return -ENOMEM;
	}
	mutex_lock(&xbb_devs_lock);
	list_for_each_entry(be, &xbb_devs, node) {
		if (n < cap)
			xbb_ctl_fill(be, &v[n]);
		n++;
	}
	mutex_unlock(&xbb_devs_lock);
	if (min(n, cap) &&
	    copy_to_user(u64_to_user_ptr(l.devs), v, min(n, cap) * sizeof(*v)))
		err = -EFAULT;
	l.count = n;
	if (!err && copy_to_user(arg, &l, sizeof(l)))
		err = -EFAULT;
	kvfree(v);
	return err;
}

static long xbb_ctl_stats(void __user *arg)
{
	struct xbb_ctl_stats cs;
	struct xbb_stats s;
	struct xbb_dev *be;
	unsigned int i;

	if (copy_from_user(&cs, arg, sizeof(cs)))
		return -EFAULT;
	mutex_lock(&xbb_devs_lock);
	be = xbb_find(cs.domid, cs.devid);
	if (!be) {
		mutex_unlock(&xbb_devs_lock);
		return -ENODEV;
	}
	memset(&cs, 0, sizeof(cs));
	cs.domid = be->dev->otherend_id;
	cs.devid = be->devid;
	xbb_sum(be, &s);
	mutex_lock(&be->mutex);
	for (i = 0; i < be->nr_rings; i++) {
		struct xbb_ring *r = &be->rings[i];

		/* Owned by the ring thread: a snapshot. */
		cs.inflight += atomic_read(&r->inflight);
		cs.grant_pages += READ_ONCE(r->nr_alloc) - READ_ONCE(r->nr_free);
		cs.persistent_grants += READ_ONCE(r->nr_pgnts);
	}
	mutex_unlock(&be->mutex);
	cs.violations = atomic_read(&be->violations);
	mutex_unlock(&xbb_devs_lock);
	cs.rd_req = s.rd_req;
	cs.wr_req = s.wr_req;
	cs.flush_req = s.f_req;
	cs.discard_req = s.ds_req;
	cs.oo_req = s.oo_req;
	cs.rd_sect = s.rd_sect;
	cs.wr_sect = s.wr_sect;
	cs.errors = s.errors;
	cs.throttled = s.throttled;
	cs.throttle_ns = s.throttle_ns;
	cs.pgnt_reclaimed = s.pgnt_reclaimed;
	cs.pgnt_evicted = s.pgnt_evicted;
	return copy_to_user(arg, &cs, sizeof(cs)) ? -EFAULT : 0;
}

static void xbb_ctl_get_limits(struct xbb_dev *be, struct xbb_ctl_limits *l)
{
	spin_lock(&be->lim_lock);
	l->iops = be->iops.rate;
	l->bps = be->bps.rate;
	l->iops_burst = be->iops.burst;
	l->bps_burst = be->bps.burst;
	spin_unlock(&be->lim_lock);
}

static long xbb_ctl_limits(void __user *arg, bool set)
{
	struct xbb_ctl_limits l;
	struct xbb_bucket iops, bps;
	struct xbb_dev *be;
	unsigned int i;

	if (copy_from_user(&l, arg, sizeof(l)))
		return -EFAULT;
	if (set && (xbb_bucket_set(&iops, l.iops, l.iops_burst) ||
		    xbb_bucket_set(&bps, l.bps, l.bps_burst)))
		return -EINVAL;
	mutex_lock(&xbb_devs_lock);
	be = xbb_find(l.domid, l.devid);
	if (!be) {
		mutex_unlock(&xbb_devs_lock);
		return -ENODEV;
	}
	if (set) {
		spin_lock(&be->lim_lock);
		be->iops = iops;
		be->bps = bps;
		be->lim_last = ktime_get_ns();
		spin_unlock(&be->lim_lock);
		/* A request waiting under the old limits looks again. */
		mutex_lock(&be->mutex);
		for (i = 0; i < be->nr_rings; i++) {
			atomic_set(&be->rings[i].kick, 1);
			wake_up(&be->rings[i].wq);
		}
		mutex_unlock(&be->mutex);
	}
	memset(&l, 0, sizeof(l));
	l.domid = be->dev->otherend_id;
	l.devid = be->devid;
	xbb_ctl_get_limits(be, &l);
	if (set)
		xd_evlog_add(&xbb_evlog, be->cname, "limits",
			     "iops=%llu bps=%llu iops_burst=%llu bps_burst=%llu",
			     l.iops, l.bps, l.iops_burst, l.bps_burst);
	mutex_unlock(&xbb_devs_lock);
	if (set)
		return 0;
	return copy_to_user(arg, &l, sizeof(l)) ? -EFAULT : 0;
}

static long xbb_ctl_ioctl(struct file *file, unsigned int cmd,
			  unsigned long arg)
{
	void __user *p = (void __user *)arg;

	switch (cmd) {
	case XBB_CTL_LIST:
		return xbb_ctl_list(p);
	case XBB_CTL_GET_STATS:
		return xbb_ctl_stats(p);
	case XBB_CTL_SET_LIMITS:
		return xbb_ctl_limits(p, true);
	case XBB_CTL_GET_LIMITS:
		return xbb_ctl_limits(p, false);
	default:
		return -ENOTTY;
	}
}

/* Each open file reads the event stream from its own position. */
static int xbb_ctl_open(struct inode *inode, struct file *file)
{
	return xd_evlog_open(&xbb_evlog, inode, file);
}

static const struct file_operations xbb_ctl_fops = {
	.owner = THIS_MODULE,
	.open = xbb_ctl_open,
	.release = xd_evlog_release,
	.read = xd_evlog_file_read,
	.poll = xd_evlog_file_poll,
	.unlocked_ioctl = xbb_ctl_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

static struct miscdevice xbb_ctl_dev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "xen/blkback",
	.fops = &xbb_ctl_fops,
	.mode = 0600,
};

/* ---------------------------------------------------------- xenbus driver */

static void xbb_remove(struct xenbus_device *dev)
{
	struct xbb_dev *be = dev_get_drvdata(&dev->dev);

	if (!be)
		return;
	mutex_lock(&xbb_devs_lock);
	list_del(&be->node);
	mutex_unlock(&xbb_devs_lock);
	if (be->watch_on) {
		unregister_xenbus_watch(&be->watch);
		kfree(be->watch.node);
		be->watch_on = false;
	}
	sysfs_remove_group(&dev->dev.kobj, &xbb_stat_group);
	sysfs_remove_group(&dev->dev.kobj, &xbb_attr_group);
	mutex_lock(&be->mutex);
	xbb_disconnect(be);
	mutex_unlock(&be->mutex);
	cancel_work_sync(&be->fatal_work);
	cancel_work_sync(&be->resize_work);
	mutex_lock(&be->mutex);
	if (be->have_bdev) {
		xd_bdev_close(&be->bd);
		be->have_bdev = false;
	}
	mutex_unlock(&be->mutex);
	xd_evlog_add(&xbb_evlog, be->cname, "remove", "%s", "");
	dev_set_drvdata(&dev->dev, NULL);
	kfree(be);
}

static int xbb_probe(struct xenbus_device *dev,
		     const struct xenbus_device_id *id)
{
	struct xenbus_transaction xbt;
	struct xbb_dev *be;
	char *vdev;
	int err;

	be = kzalloc(sizeof(*be), GFP_KERNEL);
	if (!be) {
		xenbus_dev_fatal(dev, -ENOMEM, "allocating backend structure");
		return -ENOMEM;
	}
	be->dev = dev;
	mutex_init(&be->mutex);
	spin_lock_init(&be->fatal_lock);
	INIT_WORK(&be->fatal_work, xbb_fatal_work);
	INIT_WORK(&be->resize_work, xbb_resize_work);
	spin_lock_init(&be->lim_lock);
	INIT_LIST_HEAD(&be->node);
	if (kstrtouint(strrchr(dev->nodename, '/') + 1, 10, &be->devid))
		be->devid = ~0U;
	strscpy(be->cname, dev_name(&dev->dev), sizeof(be->cname));
	vdev = xenbus_read(XBT_NIL, dev->nodename, "dev", NULL);
	if (!IS_ERR(vdev)) {
		snprintf(be->name, sizeof(be->name), "%d.%s", dev->otherend_id, vdev);
		kfree(vdev);
	} else {
		snprintf(be->name, sizeof(be->name), "%d.%s", dev->otherend_id,
			 strrchr(dev->nodename, '/') + 1);
	}
	dev_set_drvdata(&dev->dev, be);

	err = sysfs_create_group(&dev->dev.kobj, &xbb_stat_group);
	if (!err) {
		err = sysfs_create_group(&dev->dev.kobj, &xbb_attr_group);
		if (err)
			sysfs_remove_group(&dev->dev.kobj, &xbb_stat_group);
	}
	if (err) {
		xenbus_dev_fatal(dev, err, "creating sysfs entries");
		goto fail;
	}

again:
	err = xenbus_transaction_start(&xbt);
	if (err)
		goto fail_sysfs;
	err = xenbus_printf(xbt, dev->nodename, "feature-max-indirect-segments",
			    "%u", XBB_MAX_INDIRECT_SEGS);
	if (!err)
		err = xenbus_printf(xbt, dev->nodename, "feature-persistent",
				    "%d", READ_ONCE(feature_persistent) ? 1 : 0);
	if (!err)
		err = xenbus_printf(xbt, dev->nodename, "max-ring-page-order",
				    "%u", max_ring_page_order);
	if (!err)
		err = xenbus_printf(xbt, dev->nodename, "multi-queue-max-queues",
				    "%u", max_queues);
	if (err) {
		xenbus_transaction_end(xbt, 1);
		goto fail_sysfs;
	}
	err = xenbus_transaction_end(xbt, 0);
	if (err == -EAGAIN)
		goto again;
	if (err)
		goto fail_sysfs;

	err = xenbus_watch_pathfmt(dev, &be->watch, NULL, xbb_pdev_changed,
				   "%s/%s", dev->nodename, "physical-device");
	if (err)
		goto fail_sysfs;
	be->watch_on = true;

	err = xenbus_switch_state(dev, XBB_XS_INITWAIT);
	if (err)
		goto fail_watch;
	mutex_lock(&xbb_devs_lock);
	list_add_tail(&be->node, &xbb_devs);
	mutex_unlock(&xbb_devs_lock);
	xd_evlog_add(&xbb_evlog, be->cname, "add", "domid=%u devid=%u",
		     dev->otherend_id, be->devid);
	return 0;

fail_watch:
	unregister_xenbus_watch(&be->watch);
	kfree(be->watch.node);
	be->watch_on = false;
fail_sysfs:
	sysfs_remove_group(&dev->dev.kobj, &xbb_attr_group);
	sysfs_remove_group(&dev->dev.kobj, &xbb_stat_group);
	xenbus_dev_fatal(dev, err, "setting up the backend");
fail:
	dev_set_drvdata(&dev->dev, NULL);
	kfree(be);
	return err;
}

static const struct xenbus_device_id xbb_ids[] = {
	{ "vbd" },
	{ "" }
};

/*
 * Memory pressure (xenbus's shrinker): the queues of every device give
 * their free grant pages back for buffer_squeeze_duration_ms.  Only a
 * flag and a wake-up here; the threads free the pages.
 */
static void xbb_reclaim_memory(struct xenbus_device *dev)
{
	struct xbb_dev *be = dev_get_drvdata(&dev->dev);
	unsigned int i;

	WRITE_ONCE(xbb_squeeze_until, jiffies +
		   msecs_to_jiffies(max(READ_ONCE(buffer_squeeze_duration_ms), 0)));
	/* Never wait for a connect or disconnect in the shrinker. */
	if (!be || !mutex_trylock(&be->mutex))
		return;
	for (i = 0; be->rings && i < be->nr_rings; i++) {
		atomic_set(&be->rings[i].kick, 1);
		wake_up(&be->rings[i].wq);
	}
	mutex_unlock(&be->mutex);
}

static struct xd_xenbus_driver xbb_driver = {
	.drv = {
		.ids = xbb_ids,
		.probe = xbb_probe,
		.remove = xd_xenbus_remove,
		.otherend_changed = xbb_frontend_changed,
		.reclaim_memory = xbb_reclaim_memory,
	},
	.remove = xbb_remove,
};

static int __init xbb_init(void)
{
	int err;

	if (!xen_domain())
		return -ENODEV;
	if (max_ring_page_order > XENBUS_MAX_RING_GRANT_ORDER)
		max_ring_page_order = XENBUS_MAX_RING_GRANT_ORDER;
	max_queues = clamp(max_queues, 1U, 16U);
	max_grant_pages = max(max_grant_pages,
			      (unsigned int)(2 * (XBB_MAX_INDIRECT_SEGS +
						  XBB_MAX_INDIRECT_PAGES)));
	xd_evlog_init(&xbb_evlog);
	err = misc_register(&xbb_ctl_dev);
	if (err) {
		pr_err("xen-blkback: cannot register /dev/xen/blkback: %d\n", err);
		return err;
	}
	err = xenbus_register_backend(&xbb_driver.drv);
	if (err)
		misc_deregister(&xbb_ctl_dev);
	return err;
}
module_init(xbb_init);

static void __exit xbb_exit(void)
{
	xenbus_unregister_driver(&xbb_driver.drv);
	misc_deregister(&xbb_ctl_dev);
}
module_exit(xbb_exit);

MODULE_DESCRIPTION("Xen virtual block device backend (xen-dom0)");
MODULE_LICENSE("GPL");
MODULE_VERSION(XBB_VERSION);
MODULE_ALIAS("xen-backend:vbd");
