"""Run a command as Gradescope's container runs run_autograder: root, with Docker's
default capability set only, under the part of Docker's default seccomp profile that
decides what a sandbox can do there (no new namespaces, no mounts, no keyrings, no bpf
or perf without CAP_SYS_ADMIN).

    python tests/modes/docker_like.py -- COMMAND [ARG...]

Used by tests/test_adversarial.py's ``docker`` mode. The filter is loaded first (as
root, which may), then ``setpriv`` drops every capability Docker does not grant and
runs the command.
"""

import errno
import os
import sys

import pyseccomp as seccomp

#: Docker's default capabilities (moby's oci/caps/defaults.go).
DOCKER_CAPABILITIES = (
    "chown", "dac_override", "fsetid", "fowner", "mknod", "net_raw", "setgid", "setuid", "setfcap", "setpcap",
    "net_bind_service", "sys_chroot", "kill", "audit_write",
)
#: What Docker's default profile refuses to a container without CAP_SYS_ADMIN, among
#: the calls a sandbox would use (moby's profiles/seccomp/default.json).
REFUSED = (
    "unshare", "setns", "mount", "umount2", "pivot_root", "keyctl", "add_key", "request_key", "bpf",
    "perf_event_open", "open_by_handle_at", "name_to_handle_at", "io_uring_setup", "io_uring_enter",
    "io_uring_register", "fsopen", "fsmount", "fspick", "open_tree", "move_mount", "mount_setattr",
)
CLONE_NAMESPACES = 0x7E020000  # CLONE_NEWNS | NEWCGROUP | NEWUTS | NEWIPC | NEWUSER | NEWPID | NEWNET


def main(argv):
    if argv[:1] != ["--"] or len(argv) < 2:
        sys.exit(__doc__)
    profile = seccomp.SyscallFilter(defaction=seccomp.ALLOW)
    for name in REFUSED:
        profile.add_rule(seccomp.ERRNO(errno.EPERM), name)
    for flag in range(17, 31):
        if CLONE_NAMESPACES & (1 << flag):
            profile.add_rule(seccomp.ERRNO(errno.EPERM), "clone", seccomp.Arg(0, seccomp.MASKED_EQ, 1 << flag, 1 << flag))
    profile.add_rule(seccomp.ERRNO(errno.ENOSYS), "clone3")
    profile.load()
    keep = ",".join(f"+{name}" for name in DOCKER_CAPABILITIES)
    os.execvp("setpriv", ["setpriv", f"--bounding-set=-all,{keep}", "--inh-caps=-all", "--", *argv[1:]])


if __name__ == "__main__":
    main(sys.argv[1:])
