/*
 * cmd_access.c: for "vserlink check", who else will touch a link's FIFOs:
 * libvirt's security drivers, which label them or write them into a
 * profile at each start, and users other than root who may write in the
 * directory they are made in. See cmd.h.
 *
 * What the drivers do rests on libvirt's source (README, "SELinux and
 * AppArmor hosts"): security_selinux.c labels PATH.in and PATH.out of a pipe
 * chardev with the guest's own image label unless its <source> holds a
 * <seclabel model='selinux'> with relabel='no' or a <label>, and with
 * remembered labels refuses a second, different label on a file in use;
 * security_manager.c refuses a start whose XML names a model it does not
 * run; virt-aa-helper.c allows a <console> only PATH.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "alloc.h"
#include "caps.h"
#include "cmd.h"
#include "log.h"

#define END_FMT		CMD_END_FMT
#define END_ARGS(e)	(e)->d->name, (e)->link, (e)->port->name

/* --- SELinux --- */

/* Whether libvirt labels this guest's files as SELinux at its start. */
static int
selinux_labels(const struct checked_end *e, unsigned models, int known)
{
	const struct domain *d = e->d;

	if (known ? !(models & CAPS_SELINUX) : d->selinux_label == NULL)
		return 0;
	return !d->selinux_relabel_off;
}

/* The port's label works when it is the shared one, or the peer's port has it too. */
static int
label_shared(const struct checked_end *e)
{
	const char *mine = e->port->selinux_label;

	if (strcmp(mine, SHARED_SELINUX_LABEL) == 0)
		return 1;
	return e->peer_port != NULL && e->peer_port->selinux_label != NULL &&
	    strcmp(e->peer_port->selinux_label, mine) == 0;
}

static int
check_selinux(const struct checked_end *e, unsigned models, int known)
{
	const struct domain_port *p = e->port;
	int has_seclabel = p->selinux_relabel_off || p->selinux_label != NULL;

	if (known && !(models & CAPS_SELINUX) && has_seclabel) {
		log_error(END_FMT "the port's <source> has a <seclabel model='selinux'>, but this host's libvirt does not run SELinux and refuses the start (\"Unable to find security driver for model selinux\"); remove it",
		    END_ARGS(e));
		return 1;
	}
	if (!selinux_labels(e, models, known))
		return 0;
	if (p->selinux_relabel_off) {
		log_error(END_FMT "SELinux: relabel='no' leaves %s.in and %s.out with the label of the directory they are made in, which QEMU cannot open; put %s in the port's <source> instead",
		    END_ARGS(e), p->path, p->path, SHARED_SECLABEL);
		return 1;
	}
	if (p->selinux_label == NULL) {
		log_error(END_FMT "SELinux: libvirt gives %s.in and %s.out guest %s's own label at each start, so whichever of guests %s and %s starts second fails (\"Setting different SELinux label on ... which is already in use\"); add %s inside the port's <source>",
		    END_ARGS(e), p->path, p->path, e->d->name, e->d->name, e->peer,
		    SHARED_SECLABEL);
		return 1;
	}
	if (!label_shared(e)) {
		log_error(END_FMT "SELinux: the <label> in the port's <source> is %s, and guest %s's end of the link has not got it too, so whichever of the two starts second fails (\"Setting different SELinux label on ... which is already in use\"); give both ends %s",
		    END_ARGS(e), p->selinux_label, e->peer, SHARED_SECLABEL);
		return 1;
	}
	return 0;
}

int
access_check_labels(const struct checked_end *e, unsigned models, int known)
{
	int errors = check_selinux(e, models, known);

	if (known && (models & CAPS_APPARMOR) && strncmp(e->port->name, "console", 7) == 0) {
		log_error(END_FMT APPARMOR_CONSOLE_FMT, END_ARGS(e), e->port->path,
		    e->port->path, e->port->path);
		errors++;
	}
	if (e->d->dac_user_set)
		log_warning(END_FMT "guest %s runs QEMU as a user of its own (<seclabel model='dac'>); libvirt hands %s.in and %s.out to that user at start and refuses the second start of a link whose guests run as different users (\"already in use\"): run guests %s and %s as one user",
		    END_ARGS(e), e->d->name, e->port->path, e->port->path, e->d->name, e->peer);
	return errors;
}

/* --- who else may write in the pipe directory --- */

/* system.posix_acl_access: a 4-byte header (version 2), then 8-byte entries. */
#define ACL_VERSION	2
#define ACL_USER_OBJ	0x01
#define ACL_USER	0x02
#define ACL_GROUP_OBJ	0x04
#define ACL_GROUP	0x08
#define ACL_MASK	0x10
#define ACL_WRITE	0x02
#define ACL_MAX_BYTES	(4 + 8 * 1024)

struct acl_entry {
	uint16_t tag, perm;
	uint32_t id;
};

/* The xattr is little-endian, whatever the host. */
static uint32_t
le32(const unsigned char *b)
{
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

static struct acl_entry
acl_entry_at(const unsigned char *b)
{
	struct acl_entry a;

	a.tag = (uint16_t)(b[0] | b[1] << 8);
	a.perm = (uint16_t)(b[2] | b[3] << 8);
	a.id = le32(b + 4);
	return a;
}

/*
 * Whether fd's access ACL lets a user or group other than root write: a
 * named user or group, or the owning group (gid), each limited by the mask.
 * Sets *who ("user 1000", "group 27"). Returns 1, 0, or -1 (unreadable ACL).
 */
static int
acl_lets_others_write(int fd, gid_t gid, char *who, size_t wholen)
{
	unsigned char buf[ACL_MAX_BYTES];
	struct acl_entry a;
	uint16_t mask = 0xffff;
	ssize_t n;
	size_t i;

	if ((n = fgetxattr(fd, "system.posix_acl_access", buf, sizeof(buf))) < 0)
		return errno == ENODATA || errno == ENOTSUP ? 0 : -1;
	if (n < 4 || (n - 4) % 8 != 0 || le32(buf) != ACL_VERSION) {
		errno = EINVAL;
		return -1;
	}
	for (i = 4; i < (size_t)n; i += 8)
		if ((a = acl_entry_at(buf + i)).tag == ACL_MASK)
			mask = a.perm;
	for (i = 4; i < (size_t)n; i += 8) {
		a = acl_entry_at(buf + i);
		if (a.tag == ACL_GROUP_OBJ)
			a.id = (uint32_t)gid;
		if (!(a.perm & mask & ACL_WRITE) || a.id == 0 ||
		    (a.tag != ACL_USER && a.tag != ACL_GROUP && a.tag != ACL_GROUP_OBJ))
			continue;
		snprintf(who, wholen, "%s %u", a.tag == ACL_USER ? "user" : "group", (unsigned)a.id);
		return 1;
	}
	return 0;
}

/* Why others may write in the directory fd, or NULL; why is filled. */
static const char *
open_to_others(int fd, const struct stat *st, char *why, size_t whylen)
{
	char who[64];
	int r;

	if ((st->st_mode & S_ISVTX) && ((st->st_mode & S_IWOTH) ||
	    ((st->st_mode & S_IWGRP) && st->st_gid != 0))) {
		snprintf(why, whylen, "is sticky and writable by others");
		return why;
	}
	if ((r = acl_lets_others_write(fd, st->st_gid, who, sizeof(who))) < 0) {
		snprintf(why, whylen, "cannot read its POSIX ACL (%s)", strerror(errno));
		return why;
	}
	if (r > 0) {
		snprintf(why, whylen, "has a POSIX ACL that lets %s write in it", who);
		return why;
	}
	return NULL;
}

void
access_check_dir(const struct checked_end *e)
{
	const char *path = e->port->path, *slash = strrchr(path, '/');
	char *dir, why[128];
	struct stat st;
	int fd;

	/* The dry run passed: path is absolute and no component is a symbolic link. */
	dir = slash == path ? xstrdup("/") : xstrndup(path, (size_t)(slash - path));
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) >= 0) {
		if (fstat(fd, &st) == 0 && open_to_others(fd, &st, why, sizeof(why)) != NULL)
			log_warning(END_FMT "%s: %s: any user who may write there can keep guest %s from starting by making %s.in or %s.out first; put the pipes where only root can write (make install creates " PIPE_DIR ")",
			    END_ARGS(e), dir, why, e->d->name, path, path);
		close(fd);
	}
	free(dir);
}
