/*
 * wire.h: the wiring of linked ports, on prepare and on release.
 *
 * For a link between guest A's pipe path P and guest B's pipe path Q, the
 * wiring is two FIFOs with two names each: P.out = Q.in (A writes, B reads)
 * and P.in = Q.out (B writes, A reads), hard links on one file system. An
 * end that prepares while its peer is attached joins the very FIFOs the
 * peer's QEMU holds open; otherwise it creates them and the peer joins later.
 */
#ifndef VSERLINK_WIRE_H
#define VSERLINK_WIRE_H

#include <stdio.h>

#include "domain.h"
#include "pairs.h"
#include "state.h"

struct wire_opts {
	/* Non-NULL: print each step as a line here and change nothing. */
	FILE	*plan;
};

/*
 * Wires every link of guest domain that pairs.ini declares, with the ports
 * of its XML. Returns 0, or 1 after reporting every problem found; nothing
 * is changed when a problem is found before the first change.
 */
int	wire_prepare(const char *domain, const struct domain *xml,
	    const struct pairs *p, const struct wire_opts *o);

/*
 * Removes every name prepare made for guest domain, as its state records
 * them (they came from its XML at prepare), whatever pairs.ini says now.
 */
int	wire_release(const char *domain, const struct pairs *p,
	    const struct wire_opts *o);

#endif
