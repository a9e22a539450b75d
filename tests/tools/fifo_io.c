/*
 * fifo_io: moves bytes through FIFOs the way QEMU and a guest would, and
 * never blocks (every open is O_NONBLOCK), so a broken wiring fails a test
 * instead of hanging it.
 *
 *   fifo_io send WPATH RPATH DATA   opens RPATH for reading and WPATH for
 *                                   writing, writes DATA into WPATH and
 *                                   prints what RPATH yields; exit 0 when it
 *                                   is exactly DATA, 1 otherwise
 *   fifo_io write PATH DATA         writes DATA into PATH (opened read-write,
 *                                   as QEMU does, so it never fails for want
 *                                   of a reader); someone must hold PATH open
 *                                   for DATA to stay
 *   fifo_io read PATH               prints what PATH holds now
 *   fifo_io hold PATH...            opens every PATH read-write, as QEMU's
 *                                   pipe chardev does, prints "held" and
 *                                   keeps them open until stdin closes
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int
open_or_die(const char *path, int flags)
{
	int fd = open(path, flags | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0) {
		fprintf(stderr, "fifo_io: %s: %s\n", path, strerror(errno));
		_exit(2);
	}
	return fd;
}

static size_t
read_now(int fd, char *buf, size_t cap)
{
	size_t n = 0;
	ssize_t r;

	/* Give the kernel a moment; pipes are synchronous, so this is generous. */
	poll(&(struct pollfd){ .fd = fd, .events = POLLIN }, 1, 50);
	while (n < cap && ((r = read(fd, buf + n, cap - n)) > 0 || (r < 0 && errno == EINTR)))
		if (r > 0)
			n += (size_t)r;
	return n;
}

int
main(int argc, char **argv)
{
	char buf[1 << 17];
	size_t n;
	int rfd, wfd, i;

	if (argc == 5 && strcmp(argv[1], "send") == 0) {
		rfd = open_or_die(argv[3], O_RDONLY);
		wfd = open_or_die(argv[2], O_RDWR);
		if (write(wfd, argv[4], strlen(argv[4])) != (ssize_t)strlen(argv[4]))
			return 2;
		n = read_now(rfd, buf, sizeof(buf) - 1);
		buf[n] = '\0';
		printf("%s\n", buf);
		return strcmp(buf, argv[4]) == 0 ? 0 : 1;
	}
	if (argc == 4 && strcmp(argv[1], "write") == 0) {
		wfd = open_or_die(argv[2], O_RDWR);
		return write(wfd, argv[3], strlen(argv[3])) == (ssize_t)strlen(argv[3]) ? 0 : 2;
	}
	if (argc == 3 && strcmp(argv[1], "read") == 0) {
		rfd = open_or_die(argv[2], O_RDONLY);
		n = read_now(rfd, buf, sizeof(buf) - 1);
		buf[n] = '\0';
		printf("%s\n", buf);
		return 0;
	}
	if (argc >= 3 && strcmp(argv[1], "hold") == 0) {
		for (i = 2; i < argc; i++)
			open_or_die(argv[i], O_RDWR);
		printf("held\n");
		fflush(stdout);
		while (read(STDIN_FILENO, buf, sizeof(buf)) > 0)
			;
		return 0;
	}
	fprintf(stderr, "usage: fifo_io send|write|read|hold ...\n");
	return 2;
}
