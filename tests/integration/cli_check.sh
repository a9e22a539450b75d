#!/bin/bash
# vserlink check: every misconfiguration the hook would refuse at a start is
# reported before the start, in the hook's own words. Each scenario compares
# check's output with a golden file (tests/golden/check/NAME.expected, $T
# written as T; UPDATE_GOLDEN=1 rewrites them), then starts the guests with
# the hook in the order given and proves that the hook refuses exactly when
# check failed, with no message check did not print.
. "$(dirname "$0")/../lib.sh"
setup
P=$T/p
GOLDEN=$VSERLINK_TOP/tests/golden/check
# check must never reach this host's libvirt: only the fake virsh in $T/bin.
mkdir -p "$T/bin" "$T/virsh" "$T/empty"
export PATH=$T/empty:/usr/bin:/bin
VSERLINK_PATH=$T/empty

golden() {
	local want=$GOLDEN/$1.expected got=$T/golden.got
	sed "s|$T|T|g" "$T/cout" >"$got"
	if [ "${UPDATE_GOLDEN:-0}" = 1 ]; then
		mkdir -p "$GOLDEN"; cp "$got" "$want"; return 0
	fi
	diff -u "$want" "$got" >"$T/diff" && return 0
	sed 's/^/# /' "$T/diff"
	return 1
}

# vcheck ARGS...: runs check with PATH=$VSERLINK_PATH; output in $T/cout.
vcheck() {
	PATH=$VSERLINK_PATH /usr/bin/timeout -k 2 "$HOOK_TIMEOUT" "$VSERLINK_BIN" check "$@" >"$T/cout" 2>&1
}

# scenario NAME WANT_RC ARGS...: check exits WANT_RC and prints the golden output.
scenario() {
	local name=$1 want=$2 rc
	shift 2
	vcheck "$@"
	rc=$?
	check_rc=$rc
	check "$name: check exits $want" [ "$rc" -eq "$want" ]
	check "$name: check prints the expected report" golden "$name"
}

# agree NAME GUEST:XML...: starts the guests in that order with the hook;
# it refuses a start exactly when check failed, and says nothing check did
# not. Then releases them all, so that the next scenario starts clean.
agree() {
	local name=$1 spec refused=0 g
	shift
	: >"$T/hookerr"
	for spec; do
		hook "${spec%%:*}" prepare begin <"${spec#*:}" || refused=1
		cat "$T/err" >>"$T/hookerr"
	done
	check "$name: the hook refuses a start exactly when check fails" \
		[ "$refused" -eq "$([ "$check_rc" -ne 0 ] && echo 1 || echo 0)" ]
	check "$name: every message of the hook is one check printed" not_new_lines
	for spec; do
		g=${spec%%:*}
		hook "$g" release end </dev/null
	done
}
not_new_lines() {
	local extra
	extra=$(grep -vxFf "$T/cout" "$T/hookerr")
	[ -z "$extra" ] || { echo "# the hook said, check did not:"; sed 's/^/#   /' <<<"$extra"; return 1; }
}
clean_p() { find "$P" -mindepth 1 -delete; }

pairs <<INI
[port1]
guesta = org.linux-kvm.port.1
guestb = org.linux-kvm.port.1
[port2]
guesta = org.linux-kvm.port.2
guestb = org.linux-kvm.port.2
INI
good_a() { domain guesta pipe:org.linux-kvm.port.1:$P/a1 pipe:org.linux-kvm.port.2:$P/a2; }
good_b() { domain guestb pipe:org.linux-kvm.port.1:$P/b1 pipe:org.linux-kvm.port.2:$P/b2; }
good_a >"$T/a.xml"
good_b >"$T/b.xml"
domain guestz pipe:org.linux-kvm.port.1:$P/z1 >"$T/z.xml"

scenario good 0 "$T/a.xml" "$T/b.xml" "$T/z.xml"
check "good: check changes nothing on disk" [ -z "$(ls -A "$P")" ]
check "good: nor creates the state directory" absent "$STATE"
agree good guesta:"$T/a.xml" guestb:"$T/b.xml"
scenario only-one-end 0 "$T/a.xml"

# --- one guest's XML or files in its way: the dry run of prepare ---
bad_a() { domain guesta "$@" >"$T/x.xml"; }
bad_a pty:org.linux-kvm.port.1: pipe:org.linux-kvm.port.2:$P/a2
scenario port-type 1 "$T/x.xml" "$T/b.xml"
agree port-type guesta:"$T/x.xml" guestb:"$T/b.xml"
bad_a pipe:org.linux-kvm.port.2:$P/a2
scenario port-missing 1 "$T/x.xml" "$T/b.xml"
agree port-missing guesta:"$T/x.xml" guestb:"$T/b.xml"
bad_a pipe:org.linux-kvm.port.1: pipe:org.linux-kvm.port.2:$P/a2
scenario no-source 1 "$T/x.xml"
agree no-source guesta:"$T/x.xml"
bad_a pipe:org.linux-kvm.port.1:relative/a1 pipe:org.linux-kvm.port.2:$P/../p/a2
scenario bad-paths 1 "$T/x.xml"
agree bad-paths guesta:"$T/x.xml"
bad_a pipe:org.linux-kvm.port.1:$P/a1 pipe:org.linux-kvm.port.1:$P/a1bis pipe:org.linux-kvm.port.2:$P/a2
scenario port-twice 1 "$T/x.xml"
agree port-twice guesta:"$T/x.xml"
bad_a pipe:org.linux-kvm.port.1:$P/same pipe:org.linux-kvm.port.2:$P/same
scenario one-guest-one-path 1 "$T/x.xml"
agree one-guest-one-path guesta:"$T/x.xml"
bad_a pipe:org.linux-kvm.port.1:$P/a1 pipe:org.linux-kvm.port.2:$P/nodir/a2
scenario missing-dir 1 "$T/x.xml" "$T/b.xml"
agree missing-dir guesta:"$T/x.xml" guestb:"$T/b.xml"

echo precious >"$P/a1.in"
mkdir "$P/a2.out"
ln -s "$T/pairs.ini" "$P/b1.out"
mkfifo "$P/b2.in"
snapshot=$(cd "$P" && stat -c '%n %F %i %s %a %Y' * | sort)
scenario foreign-files 1 "$T/a.xml" "$T/b.xml"
check "foreign-files: check leaves every foreign file as it was" \
	[ "$(cd "$P" && stat -c '%n %F %i %s %a %Y' * | sort)" = "$snapshot" ]
agree foreign-files guesta:"$T/a.xml" guestb:"$T/b.xml"
clean_p

ln -s "$P" "$T/plink"
mkdir -m 777 "$T/open"; chmod 777 "$T/open"
bad_a pipe:org.linux-kvm.port.1:$T/plink/a1 pipe:org.linux-kvm.port.2:$T/open/a2
scenario unsafe-dirs 1 "$T/x.xml"
agree unsafe-dirs guesta:"$T/x.xml"

# --- what only the second start of a link refuses: across the XML given ---
domain guestb pipe:org.linux-kvm.port.1:$P/a1 pipe:org.linux-kvm.port.2:$P/b2 >"$T/y.xml"
scenario ends-same-path 1 "$T/a.xml" "$T/y.xml"
agree ends-same-path guesta:"$T/a.xml" guestb:"$T/y.xml"
domain guestb pipe:org.linux-kvm.port.1:$P/b1 pipe:org.linux-kvm.port.2:$P/a1 >"$T/y.xml"
scenario path-in-two-links 1 "$T/a.xml" "$T/y.xml"
agree path-in-two-links guesta:"$T/a.xml" guestb:"$T/y.xml"
# The same, with guesta running: the dry run sees its attached end.
hook guesta prepare begin <"$T/a.xml"
domain guestb pipe:org.linux-kvm.port.1:$P/a1 pipe:org.linux-kvm.port.2:$P/a1 >"$T/y.xml"
scenario running-peer-paths 1 "$T/y.xml"
agree running-peer-paths guestb:"$T/y.xml"
scenario running-peer-good 0 "$T/b.xml" "$T/a.xml"
hook guesta release end </dev/null

if [ "$(stat -c %d /dev/shm)" != "$(stat -c %d "$P")" ]; then
	S=$(mktemp -d /dev/shm/vserlink-test.XXXXXX); chmod 755 "$S"
	domain guestb pipe:org.linux-kvm.port.1:$S/b1 pipe:org.linux-kvm.port.2:$P/b2 >"$T/y.xml"
	vcheck "$T/a.xml" "$T/y.xml"; check_rc=$?
	sed -i "s|$S|S|g" "$T/cout"
	check "two-file-systems: check exits 1" [ "$check_rc" -eq 1 ]
	check "two-file-systems: check prints the expected report" golden two-file-systems
	vcheck "$T/a.xml" "$T/y.xml"
	agree two-file-systems guesta:"$T/a.xml" guestb:"$T/y.xml"
	rm -rf "$S"
else
	not_ok "a second file system (/dev/shm) to test hard links across"
fi

# --- pairs.ini: every error, and whom it stops ---
cp "$T/pairs.ini" "$T/good.ini"
pairs <<INI
[port1]
guesta = org.linux-kvm.port.1
guestb = org.linux-kvm.port.1
[lonely]
guestc = serial0
[twice]
guestd = serial0
guestz = serial0
[twice-again]
guestd = serial0
guestb = serial1
this is not ini
INI
domain guestc pipe:serial0:$P/c0 >"$T/c.xml"
domain guestd pipe:serial0:$P/d0 >"$T/d.xml"
domain guestb pipe:org.linux-kvm.port.1:$P/b1 pipe:serial1:$P/b-s1 >"$T/y.xml"
scenario config-errors 1 "$T/a.xml" "$T/y.xml" "$T/c.xml" "$T/d.xml" "$T/z.xml"
agree config-errors guesta:"$T/a.xml" guestb:"$T/y.xml" guestc:"$T/c.xml" guestd:"$T/d.xml" guestz:"$T/z.xml"
{ echo "[vserlink]"; echo "state_dri = $STATE"; sed 1,2d "$T/good.ini"; } >"$T/pairs.ini"
scenario setting-error 1 "$T/a.xml" "$T/b.xml"
agree setting-error guesta:"$T/a.xml" guestb:"$T/b.xml"
cp "$T/good.ini" "$T/pairs.ini"; chmod 666 "$T/pairs.ini"
scenario writable-config 1 "$T/a.xml"
agree writable-config guesta:"$T/a.xml"
chmod 644 "$T/pairs.ini"
scenario missing-config 1 -c "$T/nothing.ini" "$T/a.xml"
scenario config-not-openable 1 -c "$T/pairs.ini/x" "$T/a.xml"
printf 'vserlink-state 2\nthis is no state\n' >"$T/state.bad"
mkdir -p "$STATE"; cp "$T/state.bad" "$STATE/state"
scenario bad-state 1 "$T/a.xml"
agree bad-state guesta:"$T/a.xml"
rm -rf "$STATE"

# --- the XML files themselves ---
echo "<domain><name>guesta</name><devices>" >"$T/broken.xml"
domain "" pipe:org.linux-kvm.port.1:$P/a1 | grep -v '<name>' >"$T/noname.xml"
scenario xml-files 1 "$T/broken.xml" "$T/noname.xml" "$T/nosuch.xml" "$T/a.xml" "$T/a.xml"
check "a domain XML can come from a pipe, as with <(virsh dumpxml g)" \
	vcheck <(cat "$T/a.xml") "$T/b.xml"

# --- what libvirt's security drivers will do to shared FIFOs ---
# Without virsh, the guests' own <seclabel model='selinux'> says that SELinux labels.
sed "s|</devices>|</devices><seclabel type='dynamic' model='selinux' relabel='yes'/>|" \
	"$T/a.xml" >"$T/sa.xml"
sed -e "s|</devices>|</devices><seclabel type='dynamic' model='selinux' relabel='yes'/>|" \
	-e "s|<source path='\([^']*\)'/>|<source path='\1'><seclabel model='selinux' relabel='no'/></source>|" \
	"$T/b.xml" >"$T/sb.xml"
scenario selinux 1 "$T/sa.xml" "$T/sb.xml"
sed "s|</devices>|</devices><seclabel type='none' model='selinux'/>|" "$T/a.xml" >"$T/na.xml"
scenario selinux-guest-unlabelled 0 "$T/na.xml" "$T/b.xml"
sed "s|</devices>|</devices><seclabel type='static' model='dac' relabel='yes'><label>+1001:+1001</label></seclabel>|" \
	"$T/b.xml" >"$T/db.xml"
scenario dac 0 "$T/a.xml" "$T/db.xml"

# On hosts whose libvirt says what it runs: recorded "virsh capabilities"
# (tests/golden/secmodel) served by a stand-in virsh.
SECMODEL=$VSERLINK_TOP/tests/golden/secmodel
mkdir -p "$T/host"
cat >"$T/host/virsh" <<EOF
#!/bin/bash
# A stand-in for virsh that knows only the capabilities in $T/caps.xml.
if [ "\$*" = capabilities ] && [ -e "$T/caps.xml" ]; then /bin/cat "$T/caps.xml"; exit 0; fi
echo "error: failed to connect to the hypervisor" >&2; exit 1
EOF
chmod 755 "$T/host/virsh"
# labelled LABEL < XML: every <source> gets a <seclabel model='selinux'> with LABEL.
labelled() {
	sed "s|<source path='\([^']*\)'/>|<source path='\1'><seclabel model='selinux' relabel='yes'><label>$1</label></seclabel></source>|"
}
labelled system_u:object_r:svirt_image_t:s0 <"$T/a.xml" >"$T/la.xml"
labelled system_u:object_r:svirt_image_t:s0 <"$T/b.xml" >"$T/lb.xml"
labelled system_u:object_r:svirt_image_t:s0:c1,c2 <"$T/b.xml" >"$T/xb.xml"
VSERLINK_PATH=$T/host
cp "$SECMODEL/selinux.xml" "$T/caps.xml"
scenario selinux-host-unlabelled 1 "$T/a.xml" "$T/b.xml"
scenario selinux-host-labelled 0 "$T/la.xml" "$T/lb.xml"
agree selinux-host-labelled guesta:"$T/la.xml" guestb:"$T/lb.xml"
scenario selinux-host-relabel-no 1 "$T/la.xml" "$T/sb.xml"
scenario selinux-host-labels-differ 1 "$T/la.xml" "$T/xb.xml"
scenario selinux-host-told-no 0 --no-selinux "$T/a.xml" "$T/b.xml"
cp "$SECMODEL/apparmor.xml" "$T/caps.xml"
scenario apparmor-host 0 "$T/a.xml" "$T/b.xml"
scenario apparmor-host-selinux-label 1 "$T/la.xml" "$T/b.xml"
cp "$T/pairs.ini" "$T/keep.ini"
sed -i 's/^guestb = org.linux-kvm.port.1$/guestb = console1/' "$T/pairs.ini"
domain guestb pipe:console1:$P/b1 pipe:org.linux-kvm.port.2:$P/b2 >"$T/cb.xml"
scenario apparmor-host-console 1 "$T/a.xml" "$T/cb.xml"
cp "$T/keep.ini" "$T/pairs.ini"
cp "$SECMODEL/dac.xml" "$T/caps.xml"
scenario dac-host 0 "$T/a.xml" "$T/b.xml"
scenario dac-host-selinux-label 1 "$T/la.xml" "$T/lb.xml"
scenario dac-host-told-selinux 1 --selinux "$T/a.xml" "$T/b.xml"
rm "$T/caps.xml"
scenario capabilities-fail 1 "$T/sa.xml" "$T/b.xml"
VSERLINK_PATH=$T/empty
scenario told-selinux-without-virsh 0 --selinux "$T/la.xml" "$T/lb.xml"

# --- pipe directories in which others can write: sticky ones the hook
# accepts, and check warns; others, by mode or ACL, the hook refuses ---
mkdir -m 1777 "$T/sticky"; chmod 1777 "$T/sticky"
domain guesta pipe:org.linux-kvm.port.1:$T/sticky/a1 pipe:org.linux-kvm.port.2:$P/a2 >"$T/x.xml"
scenario sticky-dir 0 "$T/x.xml"
mkdir -m 755 "$T/acl"
domain guesta pipe:org.linux-kvm.port.1:$T/acl/a1 pipe:org.linux-kvm.port.2:$P/a2 >"$T/x.xml"
setfacl -m u:nobody:rwx "$T/acl"
scenario acl-user 1 "$T/x.xml"
setfacl -b "$T/acl"; setfacl -m g:nogroup:rwx,m::r-x "$T/acl"
scenario acl-masked 0 "$T/x.xml"
setfacl -b "$T/acl"; setfacl -m g:nogroup:rwx "$T/acl"
scenario acl-group 1 "$T/x.xml"
setfacl -b "$T/acl"; chmod 1755 "$T/acl"; setfacl -m u:nobody:rwx "$T/acl"
scenario acl-sticky 0 "$T/x.xml"

# --- without XML files: the defined guests' XML from virsh, if there is one ---
cat >"$T/bin/virsh" <<EOF
#!/bin/bash
# A stand-in for virsh: guests are the files in $T/virsh.
case "\$*" in
capabilities) /bin/cat "$VSERLINK_TOP/tests/golden/secmodel/dac.xml" ;;
"list --all --name") for f in $T/virsh/*.xml; do [ -e "\$f" ] && f=\${f##*/} && echo "\${f%.xml}"; done; echo ;;
"dumpxml --inactive --domain "*)
	if [ -e "$T/virsh/\$4.broken" ]; then echo "error: internal error" >&2; exit 1; fi
	/bin/cat "$T/virsh/\$4.xml" ;;
*) echo "error: unexpected virsh \$*" >&2; exit 1 ;;
esac
EOF
chmod 755 "$T/bin/virsh"
cat >"$T/good.ini" <<INI
[vserlink]
state_dir = $STATE
[port1]
guesta = org.linux-kvm.port.1
guestb = org.linux-kvm.port.1
[port9]
guesta = org.linux-kvm.port.9
guestq = org.linux-kvm.port.9
INI
cp "$T/good.ini" "$T/pairs.ini"
domain guesta pipe:org.linux-kvm.port.1:$P/a1 pipe:org.linux-kvm.port.9:$P/a9 >"$T/virsh/guesta.xml"
domain guestb pipe:org.linux-kvm.port.1:$P/a1 >"$T/virsh/guestb.xml"
domain guestz pipe:org.linux-kvm.port.1:$P/z1 >"$T/virsh/guestz.xml"
VSERLINK_PATH=$T/bin
scenario virsh 1
touch "$T/virsh/guestb.broken"
scenario virsh-dumpxml-fails 0
printf '#!/bin/sh\necho "error: failed to connect to the hypervisor" >&2; exit 1\n' >"$T/bin/virsh"
scenario virsh-list-fails 0
printf '#!/nonexistent/interpreter\n' >"$T/bin/virsh"
scenario virsh-cannot-run 0
VSERLINK_PATH=$T/empty
scenario no-virsh 0

done_testing
