/*
 * virsh.c: the defined guests' XML and the host's security models, for check and xml.
 * Never for the hook: libvirt waits for it, so a call back into libvirt can deadlock.
 */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "alloc.h"
#include "cmd.h"
#include "domain.h"

extern char **environ;

/* The first executable "virsh" on $PATH, or NULL. */
static char *
find_virsh(void)
{
	const char *env = getenv("PATH");
	char *path = xstrdup(env != NULL && env[0] != '\0' ? env : "/usr/local/bin:/usr/bin:/bin");
	char *dir, *save = NULL, *f = NULL;

	for (dir = strtok_r(path, ":", &save); dir != NULL; dir = strtok_r(NULL, ":", &save)) {
		/* An empty entry is the current directory: not for a root tool, nor a relative one. */
		if (dir[0] != '/')
			continue;
		f = xasprintf("%s/virsh", dir);
		if (access(f, X_OK) == 0)
			break;
		free(f);
		f = NULL;
	}
	free(path);
	return f;
}

/*
 * Runs "virsh ARGS..." (up to four); returns its stdout, or NULL when it
 * failed (virsh has said why on stderr) or could not run (a warning says why).
 */
static char *
run_virsh(const char *virsh, size_t *len, const char *a1, const char *a2,
    const char *a3, const char *a4)
{
	const char *given[] = { "virsh", a1, a2, a3, a4 };
	char *args[6] = { NULL }, *out;
	posix_spawn_file_actions_t fa;
	int pfd[2], status, e;
	size_t i;
	pid_t pid;

	if (pipe2(pfd, O_CLOEXEC) < 0) {
		log_warning("virsh %s: %s", a1, strerror(errno));
		return NULL;
	}
	/* posix_spawn takes char *const[]; give it copies rather than cast. */
	for (i = 0; i < 5 && given[i] != NULL; i++)
		args[i] = xstrdup(given[i]);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, pfd[1], STDOUT_FILENO);
	e = posix_spawn(&pid, virsh, &fa, NULL, args, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(pfd[1]);
	for (i = 0; i < 5; i++)
		free(args[i]);
	if (e != 0) {
		close(pfd[0]);
		log_warning("%s: %s", virsh, strerror(e));
		return NULL;
	}
	out = read_all(pfd[0], CMD_MAX_XML, len);
	e = errno;
	close(pfd[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (out == NULL) {
		log_warning("virsh %s: reading its output: %s", a1, strerror(e));
	} else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		free(out);
		out = NULL;
	}
	return out;
}

/* Nonzero when name is one of the lines of list. */
static int
listed(const char *list, const char *name)
{
	size_t len, n = strlen(name);
	const char *c;

	for (c = list; *c != '\0'; c += len + (c[len] == '\n')) {
		len = strcspn(c, "\n");
		if (len == n && strncmp(c, name, n) == 0)
			return 1;
	}
	return 0;
}

int
virsh_fetch(const struct pairs *p, struct virsh_xml **out, size_t *n)
{
	char *virsh, *list;
	size_t i, j, k, len;

	if ((virsh = find_virsh()) == NULL)
		return -1;
	if ((list = run_virsh(virsh, &len, "list", "--all", "--name", NULL)) == NULL) {
		log_warning("virsh list failed; checked %s alone", p->path);
		free(virsh);
		return 0;
	}
	for (i = 0; i < p->nlinks; i++) {
		for (j = 0; j < p->links[i].nends; j++) {
			const char *d = p->links[i].ends[j].domain;
			char *xml;

			/* Each guest once: skip one an earlier link names (no link names a guest twice). */
			for (k = 0; k < i && pairs_end_of(&p->links[k], d, NULL) == NULL; k++)
				;
			if (k < i)
				continue;
			if (!listed(list, d)) {
				log_warning("guest %s: libvirt has no such guest; its links were not checked", d);
			} else if ((xml = run_virsh(virsh, &len, "dumpxml", "--inactive", "--domain", d)) == NULL) {
				log_warning("guest %s: virsh dumpxml failed; its links were not checked", d);
			} else {
				*out = xreallocarray(*out, *n + 1, sizeof(**out));
				(*out)[(*n)++] = (struct virsh_xml){ xstrdup(d), xml, len };
			}
		}
	}
	free(list);
	free(virsh);
	return 0;
}

int
virsh_secmodels(int selinux, unsigned *models)
{
	char *virsh, *out, err[256];
	size_t len;
	int rc = 1;

	*models = selinux == 'S' ? CAPS_SELINUX : 0;
	if (selinux != 0)
		return 0;
	if ((virsh = find_virsh()) == NULL)
		return -1;
	if ((out = run_virsh(virsh, &len, "capabilities", NULL, NULL, NULL)) == NULL)
		log_warning("virsh capabilities failed: libvirt's security model is not known");
	else if (caps_parse(out, len, models, err, sizeof(err)) < 0)
		log_warning("virsh capabilities: %s", err);
	else
		rc = 0;
	free(out);
	free(virsh);
	return rc;
}
