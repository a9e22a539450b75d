/*
 * wire.h: the wiring of linked ports, on prepare and on release, as data.
 *
 * For a link between guest A's pipe path P and guest B's pipe path Q, the
 * wiring is two FIFOs with two names each: P.out = Q.in (A writes, B reads)
 * and P.in = Q.out (B writes, A reads), hard links on one file system. An
 * end that prepares while its peer is attached joins the very FIFOs the
 * peer's QEMU holds open; otherwise it creates them and the peer joins later.
 *
 * A plan is worked out first, every refusal reported before anything is
 * touched: a list of steps, each naming what it expects to find. The hook
 * applies it; "vserlink plan" prints it; "vserlink check" only wants the
 * refusals. The three cannot drift apart.
 */
#ifndef VSERLINK_WIRE_H
#define VSERLINK_WIRE_H

#include <stdio.h>

#include "domain.h"
#include "pairs.h"

struct wiring;

/* How a plan opens the state: to look at it, or locked, to act on it. */
enum wire_mode { WIRE_LOOK, WIRE_ACT };

/*
 * The steps that wire every link pairs.ini declares for guest domain, with
 * the ports of its XML. Returns 0, or 1 after reporting every refusal; *w is
 * set either way and freed with wire_free.
 */
int	wire_plan_prepare(const char *domain, const struct domain *xml,
	    const struct pairs *p, enum wire_mode m, struct wiring **w);

/*
 * The steps that remove every name prepare made for guest domain, as the
 * state records them (from its XML at prepare), whatever pairs.ini says now.
 */
int	wire_plan_release(const char *domain, const struct pairs *p,
	    enum wire_mode m, struct wiring **w);

/* Takes the steps of a plan made with WIRE_ACT: 0, or 1 after reporting. */
int	wire_apply(struct wiring *w);

/* One line a step: mkfifo PATH, link EXISTING NEW, unlink PATH, drain PATH. */
void	wire_print(const struct wiring *w, FILE *out);

void	wire_free(struct wiring *w);

/*
 * The refusals that only the second end's start meets, in the words
 * "vserlink check" uses too when it predicts them across the guests' XML.
 * Each takes the guest, its link and port, then what the name says.
 */
#define WIRE_SAME_PATH	"guest %s: link %s (%s): %s: guest %s's end of this link has the " \
			"same path; each end needs its own"
#define WIRE_IN_USE	"guest %s: link %s (%s): %s: already in use by guest %s (link %s)"
#define WIRE_TWO_FS	"guest %s: link %s (%s): %s and guest %s's %s are on different file " \
			"systems; both ends of a link must be on one, as their FIFOs are hard links"

#endif
