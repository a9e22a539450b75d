/*
 * gen DIR: write the benchmark's inputs into DIR (absolute, created if missing).
 *
 *   DIR/small.ini     a host with a few links: guesta <-> guestb (4 links), db1 <-> db2, app1 <-> app2
 *   DIR/big100.ini    big100's 100 links to 10 peers, plus 200 links among 40 other guests
 *   DIR/big1000.ini   big1000's 1000 links to 10 peers, plus 2000 links among 400 other guests
 *   DIR/xml/G.xml     domain XML as `virsh dumpxml` prints a running q35 guest, for
 *                     G = web1 (in no link), guesta, guestb, big100, big1000
 *   DIR/fifo/G/       where G's pipes live: the port of link L is DIR/fifo/G/L (.in, .out)
 *   DIR/state/        parent of each pairs.ini's state_dir (DIR/state/small, ...)
 *
 * The big guests have one virtio channel per link, on as many virtio-serial controllers as
 * libvirt would add, and the per-device metadata a management layer keeps, so that big1000's
 * XML is about a megabyte. Output is deterministic for a given DIR.
 */

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define PORTS_PER_CONTROLLER 30	/* virtio-serial ports 1..30 of each controller */

struct link {
	char name[32];
	char guest[2][32];
	char port[2][40];
};

struct config {
	const char *file;	/* "small.ini" */
	struct link *links;
	size_t n;
};

static const char *root;

static void fatal(const char *, ...) __attribute__((format(printf, 1, 2), noreturn));
static char *path(const char *, ...) __attribute__((format(printf, 1, 2)));

static void
fatal(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "gen: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	exit(1);
}

static char *
path(const char *fmt, ...)
{
	static char buf[4096];
	va_list ap;
	int n;

	n = snprintf(buf, sizeof(buf), "%s/", root);
	va_start(ap, fmt);
	n += vsnprintf(buf + n, sizeof(buf) - n, fmt, ap);
	va_end(ap);
	if ((size_t)n >= sizeof(buf))
		fatal("%s: path too long", root);
	return buf;
}

static void
makedir(const char *p)
{
	if (mkdir(p, 0755) == -1 && errno != EEXIST)
		fatal("%s: %s", p, strerror(errno));
}

static FILE *
create(const char *p)
{
	FILE *f = fopen(p, "w");

	if (f == NULL)
		fatal("%s: %s", p, strerror(errno));
	return f;
}

static void
finish(FILE *f, const char *p)
{
	if (ferror(f) || fclose(f) == EOF)
		fatal("%s: write error", p);
}

static void
add(struct config *c, const char *name, const char *g0, const char *p0, const char *g1, const char *p1)
{
	struct link *l;

	c->links = realloc(c->links, (c->n + 1) * sizeof(*c->links));
	if (c->links == NULL)
		fatal("out of memory");
	l = &c->links[c->n++];
	snprintf(l->name, sizeof(l->name), "%s", name);
	snprintf(l->guest[0], sizeof(l->guest[0]), "%s", g0);
	snprintf(l->port[0], sizeof(l->port[0]), "%s", p0);
	snprintf(l->guest[1], sizeof(l->guest[1]), "%s", g1);
	snprintf(l->port[1], sizeof(l->port[1]), "%s", p1);
}

/* A virtio port name, in a static buffer: use it for at most one argument of a call. */
static const char *
vport(unsigned n)
{
	static char buf[40];

	snprintf(buf, sizeof(buf), "org.linux-kvm.port.%u", n);
	return buf;
}

/* Links among guests that the workloads never start: vm0000 <-> vm0001 have 10 links, ... */
static void
add_others(struct config *c, unsigned first, unsigned n)
{
	char name[32], g0[32], g1[32], port[40];
	unsigned i;

	for (i = first; i < first + n; i++) {
		snprintf(name, sizeof(name), "f%05u", i);
		snprintf(g0, sizeof(g0), "vm%04u", 2 * (i / 10));
		snprintf(g1, sizeof(g1), "vm%04u", 2 * (i / 10) + 1);
		snprintf(port, sizeof(port), "%s", vport(i % 10 + 1));
		add(c, name, g0, port, g1, port);
	}
}

/* bigN's N links, each to one of 10 peers: link i goes to peer i % 10. */
static void
add_big(struct config *c, unsigned n)
{
	char name[32], guest[32], peer[48], pport[40];
	unsigned i;

	snprintf(guest, sizeof(guest), "big%u", n);
	for (i = 1; i <= n; i++) {
		snprintf(name, sizeof(name), "b%u-%04u", n, i);
		snprintf(peer, sizeof(peer), "%s-peer%u", guest, i % 10);
		snprintf(pport, sizeof(pport), "%s", vport(i / 10 + 1));
		add(c, name, guest, vport(i), peer, pport);
	}
}

static void
write_ini(const struct config *c, const char *what)
{
	char stem[64];
	const char *p;
	FILE *f;
	size_t i;

	snprintf(stem, sizeof(stem), "%.*s", (int)strcspn(c->file, "."), c->file);
	p = path("%s", c->file);
	f = create(p);
	fprintf(f, "; vserlink benchmark: %s\n\n[vserlink]\nstate_dir = %s\n", what,
	    path("state/%s", stem));
	for (i = 0; i < c->n; i++) {
		const struct link *l = &c->links[i];

		if (i % 100 == 0)
			fprintf(f, "\n; links %zu to %zu\n", i + 1, i + 100 < c->n ? i + 100 : c->n);
		fprintf(f, "\n[%s]\n%s = %s\n%s = %s\n", l->name, l->guest[0], l->port[0],
		    l->guest[1], l->port[1]);
	}
	finish(f, path("%s", c->file));
}

static unsigned
hash(const char *s)
{
	unsigned h = 2166136261u;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

static void
xml_head(FILE *f, const char *g, unsigned id, const char *uuid)
{
	fprintf(f,
	    "<domain type='kvm' id='%u'>\n"
	    "  <name>%s</name>\n"
	    "  <uuid>%s</uuid>\n"
	    "  <title>%s</title>\n"
	    "  <metadata>\n"
	    "    <libosinfo:libosinfo xmlns:libosinfo=\"http://libosinfo.org/xmlns/libvirt/domain/1.0\">\n"
	    "      <libosinfo:os id=\"http://debian.org/debian/12\"/>\n"
	    "    </libosinfo:libosinfo>\n", id, g, uuid, g);
}

static void
xml_port_metadata(FILE *f, const struct link *l, int end, unsigned alias)
{
	fprintf(f,
	    "      <fleet:device alias='channel%u' type='channel'>\n"
	    "        <fleet:port>%s</fleet:port>\n"
	    "        <fleet:link name='%s' peer='%s' peer-port='%s'/>\n"
	    "        <fleet:owner team='serial-links' contact='ops-serial@example.org'/>\n"
	    "        <fleet:purpose>null-modem link %s between %s and %s, console and telemetry"
	    " relay</fleet:purpose>\n"
	    "        <fleet:custom>\n"
	    "          <fleet:property name='vm_custom_serial_baud'>115200</fleet:property>\n"
	    "          <fleet:property name='vm_custom_serial_flow'>none</fleet:property>\n"
	    "          <fleet:property name='monitoring'>enabled</fleet:property>\n"
	    "        </fleet:custom>\n"
	    "      </fleet:device>\n",
	    alias, l->port[end], l->name, l->guest[!end], l->port[!end], l->name, l->guest[0],
	    l->guest[1]);
}

static void
xml_body(FILE *f, const char *g, unsigned id, const char *uuid, unsigned rootports,
    unsigned controllers)
{
	unsigned h = hash(g), i;

	fprintf(f,
	    "  </metadata>\n"
	    "  <memory unit='KiB'>4194304</memory>\n"
	    "  <currentMemory unit='KiB'>4194304</currentMemory>\n"
	    "  <vcpu placement='static'>2</vcpu>\n"
	    "  <resource>\n"
	    "    <partition>/machine</partition>\n"
	    "  </resource>\n"
	    "  <os>\n"
	    "    <type arch='x86_64' machine='pc-q35-7.2'>hvm</type>\n"
	    "    <boot dev='hd'/>\n"
	    "  </os>\n"
	    "  <features>\n"
	    "    <acpi/>\n"
	    "    <apic/>\n"
	    "    <vmport state='off'/>\n"
	    "  </features>\n"
	    "  <cpu mode='host-passthrough' check='none' migratable='on'/>\n"
	    "  <clock offset='utc'>\n"
	    "    <timer name='rtc' tickpolicy='catchup'/>\n"
	    "    <timer name='pit' tickpolicy='delay'/>\n"
	    "    <timer name='hpet' present='no'/>\n"
	    "  </clock>\n"
	    "  <on_poweroff>destroy</on_poweroff>\n"
	    "  <on_reboot>restart</on_reboot>\n"
	    "  <on_crash>destroy</on_crash>\n"
	    "  <pm>\n"
	    "    <suspend-to-mem enabled='no'/>\n"
	    "    <suspend-to-disk enabled='no'/>\n"
	    "  </pm>\n"
	    "  <devices>\n"
	    "    <emulator>/usr/bin/qemu-system-x86_64</emulator>\n"
	    "    <disk type='file' device='disk'>\n"
	    "      <driver name='qemu' type='qcow2' discard='unmap'/>\n"
	    "      <source file='/var/lib/libvirt/images/%s.qcow2' index='2'/>\n"
	    "      <backingStore/>\n"
	    "      <target dev='vda' bus='virtio'/>\n"
	    "      <alias name='virtio-disk0'/>\n"
	    "      <address type='pci' domain='0x0000' bus='0x04' slot='0x00' function='0x0'/>\n"
	    "    </disk>\n"
	    "    <disk type='file' device='disk'>\n"
	    "      <driver name='qemu' type='raw' cache='none' io='native'/>\n"
	    "      <source file='/var/lib/libvirt/images/%s-data.img' index='1'/>\n"
	    "      <backingStore/>\n"
	    "      <target dev='vdb' bus='virtio'/>\n"
	    "      <alias name='virtio-disk1'/>\n"
	    "      <address type='pci' domain='0x0000' bus='0x07' slot='0x00' function='0x0'/>\n"
	    "    </disk>\n"
	    "    <disk type='file' device='cdrom'>\n"
	    "      <driver name='qemu' type='raw'/>\n"
	    "      <target dev='sda' bus='sata'/>\n"
	    "      <readonly/>\n"
	    "      <alias name='sata0-0-0'/>\n"
	    "      <address type='drive' controller='0' bus='0' target='0' unit='0'/>\n"
	    "    </disk>\n"
	    "    <controller type='usb' index='0' model='qemu-xhci' ports='15'>\n"
	    "      <alias name='usb'/>\n"
	    "      <address type='pci' domain='0x0000' bus='0x02' slot='0x00' function='0x0'/>\n"
	    "    </controller>\n"
	    "    <controller type='pci' index='0' model='pcie-root'>\n"
	    "      <alias name='pcie.0'/>\n"
	    "    </controller>\n",
	    g, g);
	for (i = 1; i <= rootports; i++)
		fprintf(f,
		    "    <controller type='pci' index='%u' model='pcie-root-port'>\n"
		    "      <model name='pcie-root-port'/>\n"
		    "      <target chassis='%u' port='0x%x'/>\n"
		    "      <alias name='pci.%u'/>\n"
		    "      <address type='pci' domain='0x0000' bus='0x00' slot='0x%02x' function='0x%x'%s/>\n"
		    "    </controller>\n",
		    i, i, 0x10 + i - 1, i, 2 + (i - 1) / 8, (i - 1) % 8,
		    (i - 1) % 8 == 0 ? " multifunction='on'" : "");
	fprintf(f,
	    "    <controller type='sata' index='0'>\n"
	    "      <alias name='ide'/>\n"
	    "      <address type='pci' domain='0x0000' bus='0x00' slot='0x1f' function='0x2'/>\n"
	    "    </controller>\n");
	for (i = 0; i < controllers; i++)
		fprintf(f,
		    "    <controller type='virtio-serial' index='%u'>\n"
		    "      <alias name='virtio-serial%u'/>\n"
		    "      <address type='pci' domain='0x0000' bus='0x%02x' slot='0x00' function='0x0'/>\n"
		    "    </controller>\n",
		    i, i, i == 0 ? 3 : 14 + i);
	fprintf(f,
	    "    <interface type='network'>\n"
	    "      <mac address='52:54:00:%02x:%02x:%02x'/>\n"
	    "      <source network='default' portid='%s' bridge='virbr0'/>\n"
	    "      <target dev='vnet%u'/>\n"
	    "      <model type='virtio'/>\n"
	    "      <alias name='net0'/>\n"
	    "      <address type='pci' domain='0x0000' bus='0x01' slot='0x00' function='0x0'/>\n"
	    "    </interface>\n"
	    "    <interface type='bridge'>\n"
	    "      <mac address='52:54:00:%02x:%02x:%02x'/>\n"
	    "      <source bridge='br-storage'/>\n"
	    "      <target dev='vnet%u'/>\n"
	    "      <model type='virtio'/>\n"
	    "      <mtu size='9000'/>\n"
	    "      <alias name='net1'/>\n"
	    "      <address type='pci' domain='0x0000' bus='0x08' slot='0x00' function='0x0'/>\n"
	    "    </interface>\n"
	    "    <serial type='pty'>\n"
	    "      <source path='/dev/pts/%u'/>\n"
	    "      <target type='isa-serial' port='0'>\n"
	    "        <model name='isa-serial'/>\n"
	    "      </target>\n"
	    "      <alias name='serial0'/>\n"
	    "    </serial>\n",
	    h & 0xff, (h >> 8) & 0xff, (h >> 16) & 0xff, uuid, 2 * id,
	    (h >> 4) & 0xff, (h >> 12) & 0xff, (h >> 20) & 0xff, 2 * id + 1, id + 2);
}

static void
xml_serial_pipe(FILE *f, const char *p, const char *port)
{
	fprintf(f,
	    "    <serial type='pipe'>\n"
	    "      <source path='%s'/>\n"
	    "      <target type='isa-serial' port='%s'>\n"
	    "        <model name='isa-serial'/>\n"
	    "      </target>\n"
	    "      <alias name='serial%s'/>\n"
	    "    </serial>\n",
	    p, port, port);
}

static void
xml_console_and_channels(FILE *f, const char *g, unsigned id)
{
	fprintf(f,
	    "    <console type='pty' tty='/dev/pts/%u'>\n"
	    "      <source path='/dev/pts/%u'/>\n"
	    "      <target type='serial' port='0'/>\n"
	    "      <alias name='serial0'/>\n"
	    "    </console>\n"
	    "    <channel type='unix'>\n"
	    "      <source mode='bind' path='/run/libvirt/qemu/channel/%u-%s/org.qemu.guest_agent.0'/>\n"
	    "      <target type='virtio' name='org.qemu.guest_agent.0' state='connected'/>\n"
	    "      <alias name='channel0'/>\n"
	    "      <address type='virtio-serial' controller='0' bus='0' port='1'/>\n"
	    "    </channel>\n"
	    "    <channel type='spicevmc'>\n"
	    "      <target type='virtio' name='com.redhat.spice.0' state='disconnected'/>\n"
	    "      <alias name='channel1'/>\n"
	    "      <address type='virtio-serial' controller='0' bus='0' port='2'/>\n"
	    "    </channel>\n",
	    id + 2, id + 2, id, g);
}

static void
xml_channel_pipe(FILE *f, const char *p, const char *name, unsigned alias)
{
	/* channelN is on controller N / 30, port N % 30 + 1; channel0 and 1 are agent and spice. */
	fprintf(f,
	    "    <channel type='pipe'>\n"
	    "      <source path='%s'/>\n"
	    "      <target type='virtio' name='%s' state='disconnected'/>\n"
	    "      <alias name='channel%u'/>\n"
	    "      <address type='virtio-serial' controller='%u' bus='0' port='%u'/>\n"
	    "    </channel>\n",
	    p, name, alias, alias / PORTS_PER_CONTROLLER, alias % PORTS_PER_CONTROLLER + 1);
}

static void
xml_tail(FILE *f, const char *uuid)
{
	fprintf(f,
	    "    <input type='tablet' bus='usb'>\n"
	    "      <alias name='input0'/>\n"
	    "      <address type='usb' bus='0' port='1'/>\n"
	    "    </input>\n"
	    "    <input type='mouse' bus='ps2'>\n"
	    "      <alias name='input1'/>\n"
	    "    </input>\n"
	    "    <input type='keyboard' bus='ps2'>\n"
	    "      <alias name='input2'/>\n"
	    "    </input>\n"
	    "    <graphics type='spice' port='5900' autoport='yes' listen='127.0.0.1'>\n"
	    "      <listen type='address' address='127.0.0.1'/>\n"
	    "      <image compression='off'/>\n"
	    "    </graphics>\n"
	    "    <sound model='ich9'>\n"
	    "      <alias name='sound0'/>\n"
	    "      <address type='pci' domain='0x0000' bus='0x00' slot='0x1b' function='0x0'/>\n"
	    "    </sound>\n"
	    "    <audio id='1' type='spice'/>\n"
	    "    <video>\n"
	    "      <model type='qxl' ram='65536' vram='65536' vgamem='16384' heads='1' primary='yes'/>\n"
	    "      <alias name='video0'/>\n"
	    "      <address type='pci' domain='0x0000' bus='0x00' slot='0x01' function='0x0'/>\n"
	    "    </video>\n"
	    "    <redirdev bus='usb' type='spicevmc'>\n"
	    "      <alias name='redir0'/>\n"
	    "      <address type='usb' bus='0' port='2'/>\n"
	    "    </redirdev>\n"
	    "    <redirdev bus='usb' type='spicevmc'>\n"
	    "      <alias name='redir1'/>\n"
	    "      <address type='usb' bus='0' port='3'/>\n"
	    "    </redirdev>\n"
	    "    <watchdog model='itco' action='reset'>\n"
	    "      <alias name='watchdog0'/>\n"
	    "    </watchdog>\n"
	    "    <memballoon model='virtio'>\n"
	    "      <stats period='10'/>\n"
	    "      <alias name='balloon0'/>\n"
	    "      <address type='pci' domain='0x0000' bus='0x05' slot='0x00' function='0x0'/>\n"
	    "    </memballoon>\n"
	    "    <rng model='virtio'>\n"
	    "      <backend model='random'>/dev/urandom</backend>\n"
	    "      <alias name='rng0'/>\n"
	    "      <address type='pci' domain='0x0000' bus='0x06' slot='0x00' function='0x0'/>\n"
	    "    </rng>\n"
	    "  </devices>\n"
	    "  <seclabel type='dynamic' model='apparmor' relabel='yes'>\n"
	    "    <label>libvirt-%s</label>\n"
	    "    <imagelabel>libvirt-%s</imagelabel>\n"
	    "  </seclabel>\n"
	    "  <seclabel type='dynamic' model='dac' relabel='yes'>\n"
	    "    <label>+64055:+64055</label>\n"
	    "    <imagelabel>+64055:+64055</imagelabel>\n"
	    "  </seclabel>\n"
	    "</domain>\n",
	    uuid, uuid);
}

/* Write DIR/xml/G.xml with a pipe device for each of G's ends in c (c may be NULL). */
static void
write_xml(const char *g, const struct config *c)
{
	char uuid[40], xmlpath[4096];
	unsigned h = hash(g), id = h % 60 + 3, ends = 0, alias;
	size_t i;
	int e;
	FILE *f;

	snprintf(uuid, sizeof(uuid), "%08x-%04x-4%03x-8%03x-%012llx", h, h >> 16, h & 0xfff,
	    (h >> 8) & 0xfff, (unsigned long long)h * 2654435761u & 0xffffffffffffull);
	for (i = 0; c != NULL && i < c->n; i++)
		for (e = 0; e < 2; e++)
			ends += strcmp(c->links[i].guest[e], g) == 0;

	snprintf(xmlpath, sizeof(xmlpath), "%s", path("xml/%s.xml", g));
	f = create(xmlpath);
	xml_head(f, g, id, uuid);
	if (ends > 0)
		fprintf(f, "    <fleet:devices xmlns:fleet=\"http://example.org/xmlns/fleet/1.0\">\n");
	for (alias = 2, i = 0; c != NULL && i < c->n; i++)
		for (e = 0; e < 2; e++)
			if (strcmp(c->links[i].guest[e], g) == 0 &&
			    strncmp(c->links[i].port[e], "serial", 6) != 0)
				xml_port_metadata(f, &c->links[i], e, alias++);
	if (ends > 0)
		fprintf(f, "    </fleet:devices>\n");
	xml_body(f, g, id, uuid, 14 + (alias + PORTS_PER_CONTROLLER - 1) / PORTS_PER_CONTROLLER,
	    (alias + PORTS_PER_CONTROLLER - 1) / PORTS_PER_CONTROLLER);
	for (i = 0; c != NULL && i < c->n; i++)
		for (e = 0; e < 2; e++)
			if (strcmp(c->links[i].guest[e], g) == 0 &&
			    strncmp(c->links[i].port[e], "serial", 6) == 0)
				xml_serial_pipe(f, path("fifo/%s/%s", g, c->links[i].name),
				    c->links[i].port[e] + 6);
	xml_console_and_channels(f, g, id);
	for (alias = 2, i = 0; c != NULL && i < c->n; i++)
		for (e = 0; e < 2; e++)
			if (strcmp(c->links[i].guest[e], g) == 0 &&
			    strncmp(c->links[i].port[e], "serial", 6) != 0)
				xml_channel_pipe(f, path("fifo/%s/%s", g, c->links[i].name),
				    c->links[i].port[e], alias++);
	xml_tail(f, uuid);
	finish(f, xmlpath);
	if (ends > 0)
		makedir(path("fifo/%s", g));
}

int
main(int argc, char **argv)
{
	struct config small = { "small.ini", NULL, 0 };
	struct config big100 = { "big100.ini", NULL, 0 };
	struct config big1000 = { "big1000.ini", NULL, 0 };
	unsigned i;
	char name[16], port[40];

	if (argc != 2 || argv[1][0] != '/') {
		fprintf(stderr, "usage: gen DIR (an absolute path)\n");
		return 1;
	}
	root = argv[1];
	umask(022);	/* vserlink refuses a pairs.ini that group or others may write */
	makedir(root);
	makedir(path("xml"));
	makedir(path("fifo"));
	makedir(path("state"));

	for (i = 1; i <= 3; i++) {
		snprintf(name, sizeof(name), "port%u", i);
		snprintf(port, sizeof(port), "%s", vport(i));
		add(&small, name, "guesta", port, "guestb", port);
	}
	add(&small, "console", "guesta", "serial1", "guestb", "serial1");
	add(&small, "db-sync", "db1", "org.linux-kvm.port.1", "db2", "org.linux-kvm.port.1");
	add(&small, "db-repl", "db1", "org.linux-kvm.port.2", "db2", "org.linux-kvm.port.2");
	add(&small, "app-log", "app1", "org.linux-kvm.port.1", "app2", "org.linux-kvm.port.7");
	write_ini(&small, "a host with a few linked guests");

	/* The big guest's sections sit between two halves of the others'. */
	add_others(&big100, 0, 100);
	add_big(&big100, 100);
	add_others(&big100, 100, 100);
	write_ini(&big100, "big100's 100 links among 300");

	add_others(&big1000, 0, 1000);
	add_big(&big1000, 1000);
	add_others(&big1000, 1000, 1000);
	write_ini(&big1000, "big1000's 1000 links among 3000");

	write_xml("web1", NULL);
	write_xml("guesta", &small);
	write_xml("guestb", &small);
	write_xml("big100", &big100);
	write_xml("big1000", &big1000);
	return 0;
}
