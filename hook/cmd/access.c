/*
 * access.c: for check, who else touches a link's FIFOs: libvirt's security drivers
 * (README, "SELinux and AppArmor hosts") and users who may write in their directory.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "caps.h"
#include "cmd.h"
#include "fsops.h"

/* --- SELinux --- */

static int
check_selinux(const struct checked_end *e, unsigned models, int known)
{
	const struct domain_port *p = e->port, *pp = e->peer_port;
	int has_seclabel = p->selinux_relabel_off || p->selinux_label != NULL;

	if (known && !(models & CAPS_SELINUX) && has_seclabel) {
		log_error(CMD_END_FMT "the port's <source> has a <seclabel model='selinux'>, but this host's libvirt does not run SELinux and refuses the start (\"Unable to find security driver for model selinux\"); remove it",
		    CMD_END_ARGS(e));
		return 1;
	}
	/* Whether libvirt labels this guest's files as SELinux at its start. */
	if (known ? !(models & CAPS_SELINUX) : e->d->selinux_label == NULL)
		return 0;
	if (e->d->selinux_relabel_off)
		return 0;
	if (p->selinux_relabel_off) {
		log_error(CMD_END_FMT "SELinux: relabel='no' leaves %s.in and %s.out with the label of the directory they are made in, which QEMU cannot open; put %s in the port's <source> instead",
		    CMD_END_ARGS(e), p->path, p->path, SHARED_SECLABEL);
		return 1;
	}
	if (p->selinux_label == NULL) {
		log_error(CMD_END_FMT "SELinux: libvirt gives %s.in and %s.out guest %s's own label at each start, so whichever of guests %s and %s starts second fails (\"Setting different SELinux label on ... which is already in use\"); add %s inside the port's <source>",
		    CMD_END_ARGS(e), p->path, p->path, e->d->name, e->d->name, e->peer,
		    SHARED_SECLABEL);
		return 1;
	}
	/* The port's label works when it is the shared one, or the peer's port has it too. */
	if (strcmp(p->selinux_label, SHARED_SELINUX_LABEL) != 0 &&
	    (pp == NULL || pp->selinux_label == NULL || strcmp(pp->selinux_label, p->selinux_label) != 0)) {
		log_error(CMD_END_FMT "SELinux: the <label> in the port's <source> is %s, and guest %s's end of the link has not got it too, so whichever of the two starts second fails (\"Setting different SELinux label on ... which is already in use\"); give both ends %s",
		    CMD_END_ARGS(e), p->selinux_label, e->peer, SHARED_SECLABEL);
		return 1;
	}
	return 0;
}

int
access_check_labels(const struct checked_end *e, unsigned models, int known)
{
	int errors = check_selinux(e, models, known);

	if (known && (models & CAPS_APPARMOR) && strncmp(e->port->name, "console", 7) == 0) {
		log_error(CMD_END_FMT APPARMOR_CONSOLE_FMT, CMD_END_ARGS(e), e->port->path,
		    e->port->path, e->port->path);
		errors++;
	}
	if (e->d->dac_user_set)
		log_warning(CMD_END_FMT "guest %s runs QEMU as a user of its own (<seclabel model='dac'>); libvirt hands %s.in and %s.out to that user at start and refuses the second start of a link whose guests run as different users (\"already in use\"): run guests %s and %s as one user",
		    CMD_END_ARGS(e), e->d->name, e->port->path, e->port->path, e->d->name, e->peer);
	return errors;
}

/* --- who else may write in the pipe directory --- */

void
access_check_dir(const struct checked_end *e)
{
	const char *path = e->port->path, *slash = strrchr(path, '/');
	char msg[PATH_MAX + 128], why[128] = "", who[64];
	struct stat st;
	int fd, r;

	/* The dry run passed: the directory is the hook's to use. */
	if ((fd = fs_open_parent(path, msg, sizeof(msg))) < 0)
		return;
	if (fstat(fd, &st) == 0) {
		if ((st.st_mode & S_ISVTX) && ((st.st_mode & S_IWOTH) ||
		    ((st.st_mode & S_IWGRP) && st.st_gid != 0)))
			snprintf(why, sizeof(why), "is sticky and writable by others");
		else if ((r = fs_acl_writer(fd, st.st_gid, who, sizeof(who))) < 0)
			snprintf(why, sizeof(why), "cannot read its POSIX ACL (%s)", strerror(errno));
		else if (r > 0)
			snprintf(why, sizeof(why), "has a POSIX ACL that lets %s write in it", who);
	}
	if (why[0] != '\0')
		log_warning(CMD_END_FMT "%.*s: %s: any user who may write there can keep guest %s from starting by making %s.in or %s.out first; put the pipes where only root can write (make install creates " PIPE_DIR ")",
		    CMD_END_ARGS(e), slash == path ? 1 : (int)(slash - path), path, why,
		    e->d->name, path, path);
	close(fd);
}
