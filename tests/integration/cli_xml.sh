#!/bin/bash
# vserlink xml: the devices it prints are the ones pairs.ini links, pasted
# into the guests' XML they pass check, and the hook wires them: bytes cross.
# Output is compared with golden files (tests/golden/xml, $T written as T).
. "$(dirname "$0")/../lib.sh"
setup
P=$T/p
GOLDEN=$VSERLINK_TOP/tests/golden/xml
# xml asks "virsh capabilities" whether libvirt runs SELinux: never this
# host's libvirt here, only a stand-in that serves a recorded answer
# (tests/golden/secmodel/$CAPS.xml; DAC alone unless a test says otherwise).
SECMODEL=$VSERLINK_TOP/tests/golden/secmodel
mkdir -p "$T/bin" "$T/empty"
cat >"$T/bin/virsh" <<EOF
#!/bin/bash
# A stand-in for virsh that knows only "capabilities".
if [ "\$*" = capabilities ] && [ -e "$SECMODEL/\${CAPS:-dac}.xml" ]; then
	/bin/cat "$SECMODEL/\${CAPS:-dac}.xml"; exit 0
fi
echo "error: failed to connect to the hypervisor" >&2; exit 1
EOF
chmod 755 "$T/bin/virsh"
export PATH=$T/bin:/usr/bin:/bin

golden() {
	local want=$GOLDEN/$1.expected got=$T/golden.got
	sed "s|$T|T|g" "$T/xout" >"$got"
	if [ "${UPDATE_GOLDEN:-0}" = 1 ]; then
		mkdir -p "$GOLDEN"; cp "$got" "$want"; return 0
	fi
	diff -u "$want" "$got" >"$T/diff" && return 0
	sed 's/^/# /' "$T/diff"
	return 1
}
# xml ARGS...: vserlink xml, with PATH=$XML_PATH when set; output in $T/xout and $T/xerr.
xml() { PATH=${XML_PATH:-$PATH} /usr/bin/timeout -k 2 "$HOOK_TIMEOUT" "$VSERLINK_BIN" xml "$@" >"$T/xout" 2>"$T/xerr"; }
vcheck() { "$VSERLINK_BIN" check "$@" >/dev/null; }
xerr_is() { [ "$(cat "$T/xerr")" = "$1" ] || { echo "# stderr was:"; sed 's/^/#   /' "$T/xerr"; return 1; }; }
# guest_xml NAME: a domain whose devices are what "vserlink xml NAME" printed.
guest_xml() {
	printf '%s\n' "<domain type='kvm'>" "  <name>$(sed "s/&/\&amp;/g; s/</\&lt;/g" <<<"$1")</name>" "  <devices>"
	cat "$T/xout"
	printf '%s\n' "  </devices>" "</domain>"
}

pairs <<INI
[port1]
guesta = org.linux-kvm.port.1
guestb = com.example.data
[console]
guesta = serial1
guestb = serial0
[printer]
guesta = parallel0
guestb = console1
INI
check "xml of a linked guest exits 0" xml -d "$P" guesta
check "  and prints a channel, serial, parallel or console per linked port" golden guesta
check "  and says nothing on stderr" xerr_is ""
guest_xml guesta >"$T/a.xml"
xml -d "$P" guestb
check "xml of its peer" golden guestb
guest_xml guestb >"$T/b.xml"
check "pasted into the guests' XML, the devices pass check" \
	vcheck "$T/a.xml" "$T/b.xml"
check "  and the hook wires the first guest" hook guesta prepare begin <"$T/a.xml"
check "  and the second" hook guestb prepare begin <"$T/b.xml"
check "bytes cross the virtio link" wired "$P/port1.guesta" "$P/port1.guestb"
check "bytes cross the serial link" wired "$P/console.guesta" "$P/console.guestb"
check "bytes cross the parallel-to-console link" wired "$P/printer.guesta" "$P/printer.guestb"
hook guesta release end <"$T/a.xml"; hook guestb release end <"$T/b.xml"

check "the default directory is /run/vserlink-pipes" \
	bash -c "'$VSERLINK_BIN' xml guesta 2>/dev/null | grep -qF \"<source path='/run/vserlink-pipes/port1.guesta'/>\""

# Names that need escaping in XML, or cannot go into a comment.
pairs <<INI
[a--b]
web&1 = it's<port>
db = org.linux-kvm.port.1
INI
check "xml escapes names in attributes" xml -d "$P" "web&1"
check "  and leaves out a comment that a name would break" golden escapes
guest_xml "web&1" >"$T/w.xml"
domain db pipe:org.linux-kvm.port.1:$P/db1 >"$T/db.xml"
check "  and the escaped XML passes check" vcheck "$T/w.xml" "$T/db.xml"

# libvirt writes <target port='7'/> back as 7: "serial07" cannot be a numbered
# port's name, so xml makes it a virtio channel of that name, which check finds.
pairs <<INI
[lead]
guesta = serial07
guestb = serial1
INI
xml -d "$P" guesta; guest_xml guesta >"$T/a.xml"
xml -d "$P" guestb; guest_xml guestb >"$T/b.xml"
check "a port name with a leading zero (serial07) is a channel of that name" \
	grep -qF "<target type='virtio' name='serial07'/>" "$T/a.xml"
check "  and the devices pass check" vcheck "$T/a.xml" "$T/b.xml"

# Paths it cannot propose.
pairs <<INI
[a]
b.c = serial0
x = serial0
[a.b]
c = serial0
y = serial0
INI
check "xml refuses a path that another end would also get" ! xml -d "$P" c
check "  naming both ends" xerr_is "vserlink: guest c: link a.b (serial0): $P/a.b.c would also be the path of guest b.c's port serial0 (link a); choose the paths by hand"
# Names as long as pairs.ini allows: a 64-byte link, a guest on a 197-byte line.
long=$(printf 'g%.0s' $(seq 187))
link=$(printf 'l%.0s' $(seq 64))
pairs <<INI
[$link]
$long = serial0
x = serial0
INI
check "xml refuses a path QEMU could not add .out to" ! xml -d "$P" "$long"
check "  saying why" xerr_is "vserlink: guest $long: link $link (serial0): $P/$link.$long: has a last component too long for \".out\" to be added"
check "xml refuses a relative directory" ! xml -d p x
check "  saying why" xerr_is "vserlink: guest x: link $link (serial0): p/$link.x: is not an absolute path"
check "xml warns when the directory does not exist" xml -d "$T/nodir" x
check "  saying so, and still prints the devices" \
	xerr_is "vserlink: warning: $T/nodir: No such file or directory; the hook needs this directory, root-owned and not writable by others (make install creates /run/vserlink-pipes)"
mkdir -m 777 "$T/open"; chmod 777 "$T/open"
check "xml warns about a directory others can write" xml -d "$T/open" x
check "  saying why the hook would refuse it" \
	xerr_is "vserlink: warning: $T/open: is writable by others and not sticky; the hook needs this directory, root-owned and not writable by others (make install creates /run/vserlink-pipes)"

# Guests it has nothing for.
check "xml of a guest pairs.ini does not link fails" ! xml nobody
check "  saying so" xerr_is "vserlink: guest nobody: $T/pairs.ini has no link for it"
pairs <<INI
[port1]
x = serial0
INI
check "xml of a guest whose link is broken fails" ! xml x
check "  with pairs.ini's errors about it" xerr_is "vserlink: $T/pairs.ini:3: link port1 has 1 end; a link joins exactly two guest ports"
check "xml without pairs.ini fails" ! xml -c "$T/none.ini" x
check "  saying so" xerr_is "vserlink: $T/none.ini: does not exist; write the links there first"
check "xml when pairs.ini cannot be opened fails" ! xml -c "$T/pairs.ini/x" x
check "  saying why" xerr_is "vserlink: $T/pairs.ini/x: Not a directory"
check "xml without a guest fails" ! xml
check "  with a usage message" xerr_is "vserlink: xml: expects one DOMAIN; see vserlink xml --help"
check "xml with two guests fails" ! xml x y
pairs <<INI
[port1]
x = serial0
y = serial0
INI
check "xml -d / puts the pipes in /" xml -d / x
check "  without a double slash" grep -qF "<source path='/port1.x'/>" "$T/xout"
check "xml -d DIR/ drops the trailing slash" xml -d "$P/" x
check "  from the path" grep -qF "<source path='$P/port1.x'/>" "$T/xout"

# --- the host's security models: a shared SELinux label where libvirt runs SELinux, and only there ---
pairs <<INI
[port1]
guesta = org.linux-kvm.port.1
guestb = console1
[console]
guesta = serial1
guestb = parallel0
INI
# hostxml NAME [ARGS...]: xml of guest a and b on the host, stdout then stderr, against a golden file.
hostxml() {
	local name=$1 g
	shift
	: >"$T/both"
	for g in guesta guestb; do
		xml -d "$P" "$@" $g || return 1
		cat "$T/xout" >>"$T/both"
		sed 's/^/stderr: /' "$T/xerr" >>"$T/both"
	done
	cp "$T/both" "$T/xout"
	golden "$name"
}
CAPS=selinux check "on an SELinux host every pipe source gets the shared label" hostxml host-selinux
check "  which the output holds, one per linked port" [ "$(grep -c "<label>system_u:object_r:svirt_image_t:s0</label>" "$T/xout")" -eq 4 ]
CAPS=apparmor check "on an AppArmor host no seclabel, and a warning for the linked <console>" hostxml host-apparmor
check "  and no seclabel" ! grep -q seclabel "$T/xout"
CAPS=dac check "on a host with neither, no seclabel" hostxml host-dac
check "  none at all" ! grep -q seclabel "$T/xout"
CAPS=dac check "--selinux writes the label for an SELinux host from any host" hostxml host-told-selinux --selinux
CAPS=selinux check "--no-selinux leaves it out on an SELinux host" hostxml host-told-no --no-selinux
CAPS=broken check "when virsh capabilities fails, no seclabel, and a warning" hostxml host-virsh-fails
XML_PATH=$T/empty check "without virsh, no seclabel, and a warning" hostxml host-no-virsh

# What xml wrote for an SELinux host passes check there, and the hook wires it.
CAPS=selinux xml -d "$P" guesta; guest_xml guesta >"$T/a.xml"
CAPS=selinux xml -d "$P" guestb; guest_xml guestb >"$T/b.xml"
hostcheck() { env CAPS=$1 "$VSERLINK_BIN" check "$T/a.xml" "$T/b.xml" >/dev/null 2>&1; }
check "the SELinux host's XML passes check on that host" hostcheck selinux
check "  but not on a host without SELinux, where libvirt would refuse it" ! hostcheck dac
check "  and the hook wires the first guest" hook guesta prepare begin <"$T/a.xml"
check "  and the second" hook guestb prepare begin <"$T/b.xml"
check "  and bytes cross the link" wired "$P/port1.guesta" "$P/port1.guestb"
hook guesta release end <"$T/a.xml"; hook guestb release end <"$T/b.xml"
CAPS=dac xml -d "$P" guesta; guest_xml guesta >"$T/a.xml"
CAPS=dac xml -d "$P" guestb; guest_xml guestb >"$T/b.xml"
check "the XML for a host without SELinux fails check on an SELinux host" ! hostcheck selinux
check "  and passes on its own host" hostcheck dac
done_testing
