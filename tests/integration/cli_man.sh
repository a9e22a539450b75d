#!/bin/bash
# The manual pages: mdoc that mandoc -Tlint passes, covering every
# subcommand, option and pairs.ini setting there is, and examples that work.
. "$(dirname "$0")/../lib.sh"
setup
MAN8=$VSERLINK_TOP/install/vserlink.8
MAN5=$VSERLINK_TOP/install/vserlink-pairs.ini.5

if command -v mandoc >/dev/null; then
	for page in "$MAN8" "$MAN5"; do
		# Warnings and worse; cross references to pages this host lacks are style.
		check "$(basename "$page") passes mandoc -Tlint" \
			bash -c "mandoc -Tlint -Wwarning '$page' >'$T/lint' 2>&1"
		check "  without a message" [ ! -s "$T/lint" ]
	done
else
	not_ok "mandoc is installed (install/deps.sh installs it), to lint the manual pages"
fi

"$VSERLINK_BIN" --help | sed -n 's/^ *\(usage:\)\{0,1\} *vserlink \([a-z]*\) .*/\2/p' >"$T/cmds"
check "vserlink --help lists the subcommands" [ "$(wc -l <"$T/cmds")" -ge 5 ]
while read -r cmd; do
	check "vserlink(8) describes $cmd" grep -q "^\.It Cm $cmd\( \|$\)" "$MAN8"
	for opt in $("$VSERLINK_BIN" "$cmd" --help | sed -n 's/^  -\([a-z]\) .*/\1/p'); do
		check "vserlink(8) describes $cmd's option -$opt" grep -q "^\.It Fl $opt " "$MAN8"
	done
done <"$T/cmds"

# Every setting the parser knows is documented, and none it does not know.
sed -n '/^} settings\[\] = {/,/};/p' "$VSERLINK_TOP/parser/pairs_ini.c" |
	grep -o '{ "[a-z_]*"' | tr -d '{ "' >"$T/settings"
check "the parser's settings are found" [ "$(wc -l <"$T/settings")" -ge 5 ]
while read -r s; do
	check "vserlink-pairs.ini(5) describes $s" grep -q "^\.It .*Cm $s " "$MAN5"
done <"$T/settings"

# The examples of vserlink-pairs.ini(5) and of the installed example are valid.
sed -n '/^\.Sh EXAMPLES/,/^\.Sh/p' "$MAN5" | sed -n '/^\.Bd/,/^\.Ed/p' | sed '1d;$d' >"$T/man.ini"
sed -i "s|^state_dir = .*|state_dir = $T/run|" "$T/man.ini"
check "the example in vserlink-pairs.ini(5) passes vserlink check" \
	bash -c "PATH=/nonexistent '$VSERLINK_BIN' check -c '$T/man.ini' >'$T/out' 2>&1 && grep -qxF '$T/man.ini: 2 links, no errors' '$T/out'"
cp "$VSERLINK_TOP/install/pairs.ini.example" "$T/example.ini"
check "the installed example passes vserlink check and links nothing" \
	bash -c "PATH=/nonexistent '$VSERLINK_BIN' check -c '$T/example.ini' >'$T/out' 2>&1 && grep -qxF '$T/example.ini: 0 links, no errors' '$T/out'"
sed 's/^;\([[a-z_]\)/\1/' "$T/example.ini" | sed "s|^state_dir = .*|state_dir = $T/run|" >"$T/uncommented.ini"
check "  and uncommented, its links and settings are valid too" \
	bash -c "PATH=/nonexistent '$VSERLINK_BIN' check -c '$T/uncommented.ini' >'$T/out' 2>&1 && grep -qxF '$T/uncommented.ini: 2 links, no errors' '$T/out'"
done_testing
