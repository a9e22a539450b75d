#!/usr/bin/env python3
"""Reverts each safety check of the hook, one at a time, and runs the tests.

Every mutant below removes or weakens one check in a scratch copy of the
committed tree (git archive HEAD), builds it, and runs the hardening and
refusal tests against it. A mutant is killed when at least one test fails;
the table it prints says which. Nothing in the work tree is touched.

usage: tests/hardening/mutate.py [SCRATCH_DIR] [MUTANT_ID... | -MUTANT_ID...]
"""
import os, re, shutil, subprocess, sys, time

# (id, check, file, old, new, count): replace old by new (count times).
MUTANTS = [
    ("walk-nofollow", "O_NOFOLLOW on every directory of a pipe path (fs_open_dir)",
     "hook/fsops.c", "#define DIR_FLAGS\t(O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)", "#define DIR_FLAGS\t(O_RDONLY | O_DIRECTORY | O_CLOEXEC)", 1),
    ("dir-trust", "directories owned by root, not writable by others unless sticky",
     "hook/fsops.c", "untrusted_dir(int fd, const struct stat *st)\n{\n",
     "untrusted_dir(int fd, const struct stat *st)\n{\n\treturn S_ISDIR(st->st_mode) ? NULL : \"is not a directory\";\n", 1),
    ("dir-acl", "a directory an ACL lets others write is not trusted",
     "hook/fsops.c", "\tif (fs_acl_writer(fd, st->st_gid, who, sizeof(who)) != 0)", "\tif (0 && fs_acl_writer(fd, st->st_gid, who, sizeof(who)) != 0)", 1),
    ("state-is-ours", "only FIFOs recorded in the state are the hook's (state_end_has)",
     "hook/state_find.c", "\treturn f->ino != 0 && S_ISFIFO(st->st_mode) && f->dev == st->st_dev &&\n\t    f->ino == st->st_ino && same_birth(&f->birth, birth);",
     "\treturn (void)f, (void)birth, (void)same_birth, S_ISFIFO(st->st_mode);", 1),
    ("name-owner", "a FIFO of the hook's is this end's only under the name recorded for it",
     "hook/wire_prepare.c", "\tif (n->exists && !name_is(n, own, k) && refuse_unrecorded(w, pl, n, k))",
     "\tif (n->exists && !(name_is(n, own, k) || state_owner(&w->s, &n->st, &n->birth, &(int){0})) && refuse_unrecorded(w, pl, n, k))", 1),
    ("place-identity", "ends are compared by directory and name, not by spelling",
     "hook/wire_prepare.c", "\t\tif (pl->d[k].mine.exists)\n\t\t\te = state_end_at(", "\t\tif (0)\n\t\t\te = state_end_at(", 1),
    ("lookup-everywhere", "a FIFO no file loaded records is sought in every guest's file",
     "hook/state_find.c", "\t} while (state_load_all(s, NULL, 0) > 0);", "\t} while (0);", 1),
    ("release-peers", "release reads the peers' files too: a FIFO's last name takes every record of it along",
     "hook/wire_release.c", "\t\tfor (j = 0; r[i].l != NULL && j < r[i].l->nends; j++)",
     "\t\tfor (j = 0; 0 && r[i].l != NULL && j < r[i].l->nends; j++)", 1),
    ("ends-sorted", "a guest's ends stay in the order of their links, where state_find_end seeks them",
     "hook/state_find.c", "\t\tmemmove(&f->r.ends[i + 1], &f->r.ends[i], (f->r.nends - 1 - i) * sizeof(e));\n\t\treturn f->r.ends[i] = e;",
     "\t\treturn (void)i, e;", 1),
    ("links-intent", "an intent of the file-per-link layout moves into links/ before its records move",
     "hook/state_load.c", "\trc = s->lockfd >= 0 && renameat(s->dirfd, STATE_INTENT, s->dirfd, STATE_LINKS_INTENT) < 0 &&\n\t    errno != ENOENT ? -1 : 0;",
     "\trc = 0;", 1),
    ("drain-cap", "a drain reads at most the pipe's capacity",
     "hook/fsops.c", "\tif ((cap = fcntl(fd, F_GETPIPE_SZ)) < 0)\n\t\tcap = 65536;", "\tcap = LONG_MAX;", 1),
    ("birth-time", "a FIFO is the hook's only if its birth time matches the record too",
     "hook/state_find.c", "\treturn a->tv_sec == b->tv_sec && a->tv_nsec == b->tv_nsec;", "\treturn 1;", 1),
    ("link-precheck", "fs_link links the FIFO it checked (O_PATH + AT_EMPTY_PATH)",
     "hook/fsops.c", "\tr = linkat(fd, \"\", ddfd, dname, AT_EMPTY_PATH);",
     "\tr = linkat(sdfd, sname, ddfd, dname, 0);", 1),
    ("link-verify", "fs_link checks the new name after linking",
     "hook/fsops.c", "\tif (fs_lstat(ddfd, dname, &st) < 0 || !is_fifo(&st, expect))\n\t\treturn close_fail(-1, ESTALE);", "", 1),
    ("unlink-verify", "fs_unlink removes only the FIFO it was given",
     "hook/fsops.c", "\tif (!is_fifo(&st, expect))\n\t\treturn close_fail(-1, ESTALE);\n\treturn unlinkat", "\treturn unlinkat", 1),
    ("adopt-owner", "a pending FIFO is adopted only if root's (or owner's) and unlinked",
     "hook/wire_run.c", "return st->st_nlink == 1 &&\n\t\t    (st->st_uid == 0 || st->st_uid == w->p->settings.owner);",
     "return st->st_nlink == 1;", 1),
    ("forget-first", "a FIFO's record is dropped before its last name is unlinked",
     "hook/wire_apply.c", "\t\t\tstate_end_set(&w->s, e, s->k, NULL, NULL);\n\t\t\tif (n->st.st_nlink == 1)\n\t\t\t\tstate_forget(&w->s, e->link, &n->st, &n->birth);", "\t\t\t(void)e;", 1),
    ("intent-pending", "names about to be made are recorded as pending before mkfifo",
     "hook/wire_apply.c", "(s->op != STEP_UNLINK && n->exists))", "s->op != STEP_UNLINK)", 1),
    ("doctype", "a domain XML with a DOCTYPE is refused",
     "parser/sax.c", "\t\t.internalSubset = on_doctype };", "\t\t.internalSubset = ((void)on_doctype, NULL) };", 1),
    ("ini-long-line", "pairs.ini lines longer than inih's buffer are refused",
     "parser/pairs_ini.c", "\telse if (end - start + 2 > num)", "\telse if (0)", 1),
    ("ini-nul", "pairs.ini lines with a NUL byte are refused",
     "parser/pairs_ini.c", "\tif (next != NULL)\n\t\tmsg = \"line contains a NUL byte\";\n\telse ",
     "\t", 1),
    ("ini-trust-mode", "pairs.ini writable by group or others is refused",
     "parser/pairs.c", "\tif (sb.st_mode & (S_IWGRP | S_IWOTH))", "\tif (0)", 1),
    ("ini-trust-owner", "pairs.ini not owned by root is refused",
     "parser/pairs.c", "\tif (sb.st_uid != 0 && sb.st_uid != geteuid())", "\tif (0)", 1),
    ("ini-nofollow", "pairs.ini that is a symlink is refused",
     "parser/pairs.c", "\t\tpairs_add_error(out, 0, NULL, -1, \"is a symbolic link; refusing to use it\");", "", 1),
    ("path-dotdot", "pipe paths with . or .. components are refused",
     "hook/fsops.c", "\tif (path_has_dot(path))\n\t\treturn \"contains a \\\".\\\" or \\\"..\\\" component\";\n", "", 1),
    ("path-control", "pipe paths with control characters are refused",
     "hook/fsops.c", "\tif (text_has_control(path))\n\t\treturn \"contains a control character\";\n", "", 1),
    ("fifo-nonblock", "FIFOs are opened O_NONBLOCK (drain)",
     "hook/fsops.c", "O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY",
     "O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY", 1),
    ("state-tmp-nofollow", "state.new is never opened through a symlink",
     "hook/state.c", "O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC", "O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC", 1),
    ("intent-replay", "a dead run's intent is put back in the guests' files before anything else",
     "hook/state_load.c", "(rc = read_spread(s, STATE_INTENT, 1, msg, msglen)) == 1", "(rc = 0)", 1),
    ("domains-nofollow", "domains/ and links/ are never entered through a symlink",
     "hook/state_load.c", "fs_lstat(s->dirfd, sub[i], &st) == 0 && !S_ISDIR(st.st_mode)",
     "fs_lstat(s->dirfd, sub[i], &st) == 0 && 0 && !S_ISDIR(st.st_mode)", 1),
    ("lock-nofollow", "the lock file is never opened through a symlink",
     "hook/state.c", "O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK", "O_RDWR | O_CREAT | O_CLOEXEC | O_NONBLOCK", 1),
    ("lock-timeout", "waiting for the lock is limited (30 s)",
     "hook/state.c", "\talarm(timeout);", "\t(void)timeout;", 1),
    ("xml-size", "domain XML over 64 MB is refused",
     "hook/hook.c", "#define MAX_XML_SIZE\t(64u << 20)", "#define MAX_XML_SIZE\t(1024u << 20)", 1),
]
# Mutants without a check of their own are applied together with the one before.
TESTS = ["attack_aliases", "attack_symlinks", "attack_files", "attack_input", "attack_config", "attack_race",
         "attack_toctou", "attack_inode_reuse", "refusals", "config", "crash", "storm", "wiring", "fuzz_regress",
         "state_upgrade"]
UNITS = ["test_domain", "test_pairs", "test_state_codec"]


def sh(cmd, cwd, env=None, timeout=None):
    return subprocess.run(cmd, cwd=cwd, env=env, shell=True, capture_output=True,
                          text=True, timeout=timeout)


SKIP = []


def groups(ids):
    out = []
    for m in MUTANTS:
        if m[1] is None:
            out[-1].append(m)
        else:
            out.append([m])
    return [g for g in out if (not ids or g[0][0] in ids) and g[0][0] not in SKIP]


def run_tests(tree, build):
    env = dict(os.environ, VSERLINK_BIN=f"{tree}/{build}/vserlink", VSERLINK_BUILD=f"{tree}/{build}",
               VSERLINK_TOP=tree, STORM_ROUNDS="40", RACE_ROUNDS="40", HOOK_TIMEOUT="5",
               CRASH_BACKLOGS="keep")
    failed = []
    for u in UNITS:
        r = sh(f"{build}/tests/unit/{u}", tree, env, 300)
        if r.returncode != 0 or re.search(r"^not ok", r.stdout, re.M):
            failed.append(f"unit/{u}")
    for t in TESTS:
        try:
            r = sh(f"bash tests/integration/{t}.sh", tree, env, 300)
            out, rc = r.stdout, r.returncode
        except subprocess.TimeoutExpired:
            out, rc = "not ok - timed out", 124
        bad = re.findall(r"^not ok \d* ?-? ?(.*)$", out, re.M)
        if bad or rc != 0:
            failed.append(f"{t} ({len(bad)}: {bad[0][:70] if bad else 'exit %d' % rc})")
    return failed


def main():
    top = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    scratch = sys.argv[1] if len(sys.argv) > 1 else "/tmp/vserlink-mutants"
    ids = [a for a in sys.argv[2:] if not a.startswith("-")]
    skip = [a[1:] for a in sys.argv[2:] if a.startswith("-")]
    SKIP.extend(skip)
    base = os.path.join(scratch, "base")
    shutil.rmtree(scratch, ignore_errors=True)
    os.makedirs(base)
    sh(f"git -C {top} archive HEAD | tar -x -C {base}", top)
    build = "build"
    targets = f"{build}/vserlink {build}/fault/vserlink {build}/tests/tools/fifo_io " \
              f"{build}/tests/fuzz/replay_domain {build}/tests/fuzz/replay_pairs " + \
              " ".join(f"{build}/tests/unit/{u}" for u in UNITS)
    r = sh(f"make -s {targets}", base)
    if r.returncode != 0:
        sys.exit("the unmutated tree does not build:\n" + r.stderr[-2000:])
    clean = run_tests(base, build)
    print(f"unmutated tree: {'all tests pass' if not clean else 'FAILING: ' + ', '.join(clean)}")
    print("| mutant | safety check removed | killed by |")
    print("|---|---|---|")
    killed = total = 0
    for g in groups(ids):
        tree = os.path.join(scratch, g[0][0])
        shutil.copytree(base, tree, symlinks=True)
        ok = True
        for (mid, check, path, old, new, count) in g:
            p = os.path.join(tree, path)
            s = open(p).read()
            if s.count(old) != count:
                ok = False
                break
            open(p, "w").write(s.replace(old, new))
            os.utime(p, (time.time() + 2, time.time() + 2))
        total += 1
        if not ok:
            print(f"| {g[0][0]} | {g[0][1]} | (code changed: anchor not found) |")
            continue
        r = sh(f"make -s {targets}", tree)
        if r.returncode != 0:
            print(f"| {g[0][0]} | {g[0][1]} | (does not build: {r.stderr.strip().splitlines()[-1][:80]}) |")
            continue
        failed = run_tests(tree, build)
        killed += bool(failed)
        print(f"| {g[0][0]} | {g[0][1]} | {'; '.join(failed) if failed else 'SURVIVED'} |", flush=True)
        shutil.rmtree(tree, ignore_errors=True)
    print(f"\n{killed} of {total} mutants killed")


main()
