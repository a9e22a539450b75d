/*
 * caps.h: the security drivers that libvirt's QEMU driver runs, from "virsh
 * capabilities" (<capabilities><host><secmodel><model>: "selinux" or
 * "apparmor", then "dac"). Nothing of libxml2 crosses this header.
 */
#ifndef VSERLINK_CAPS_H
#define VSERLINK_CAPS_H

#include <stddef.h>

#define CAPS_SELINUX	0x1u	/* <model>selinux</model> */
#define CAPS_APPARMOR	0x2u	/* <model>apparmor</model> */

/*
 * Parses a capabilities document of len bytes, as untrusted as a domain XML
 * (sax.h), and sets *models to the CAPS_* bits of the security models it
 * lists (0 for DAC alone or none). Returns 0, or -1 with a one-line reason in err.
 */
int	caps_parse(const char *buf, size_t len, unsigned *models, char *err,
	    size_t errlen);

#endif
