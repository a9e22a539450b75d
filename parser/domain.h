/*
 * domain.h: the character devices of a libvirt domain XML, as plain structs,
 * and the security drivers of "virsh capabilities".
 *
 * Only what vserlink needs is kept: each <serial>, <parallel>, <console> and
 * virtio <channel>, under the name pairs.ini uses for it, with its type and
 * source path. Nothing of libxml2 crosses this header.
 */
#ifndef VSERLINK_DOMAIN_H
#define VSERLINK_DOMAIN_H

#include <stddef.h>

struct domain_port {
	char		*name;		/* "org.linux-kvm.port.1", "serial1", ... */
	char		*type;		/* the device's type='...', "" if absent */
	char		*path;		/* <source path='...'/>, NULL if absent */
	unsigned	 line;		/* of the device element in the XML */
	int		 selinux_relabel_off;	/* <seclabel model='selinux' relabel='no'/> on the source */
	char		*selinux_label;	/* that seclabel's <label>, NULL if none */
};

struct domain {
	char			*name;		/* <name>, NULL if absent */
	char			*selinux_label;	/* <seclabel type=...> model selinux, NULL if none */
	int			 selinux_relabel_off;	/* that seclabel keeps libvirt from labelling */
	int			 dac_user_set;	/* a <seclabel model='dac'> names the QEMU user */
	struct domain_port	*ports;		/* sorted by name */
	size_t			 nports;
};

/*
 * Parses a domain XML document of len bytes, untrusted (sax.h: no network,
 * entities or DTD, no DOCTYPE). Returns 0, or -1 with a one-line reason in err.
 */
int	domain_parse(const char *buf, size_t len, struct domain *out,
	    char *err, size_t errlen);

/*
 * The port called name, or NULL. *count (when not NULL) says how many ports
 * have that name: libvirt refuses duplicates, a hand-written file may not.
 */
const struct domain_port *domain_find_port(const struct domain *d,
	    const char *name, size_t *count);

void	domain_free(struct domain *d);

#define CAPS_SELINUX	0x1u	/* <model>selinux</model> */
#define CAPS_APPARMOR	0x2u	/* <model>apparmor</model> */

/*
 * Parses "virsh capabilities" (len bytes, as untrusted as a domain XML) and
 * sets *models to the CAPS_* bits of the security drivers libvirt's QEMU
 * driver runs (<host><secmodel><model>: "selinux" or "apparmor", then "dac";
 * 0 for DAC alone or none). Returns 0, or -1 with a one-line reason in err.
 */
int	caps_parse(const char *buf, size_t len, unsigned *models, char *err,
	    size_t errlen);

#endif
