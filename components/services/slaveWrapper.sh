# OneHub slave entry point: `/bin/sh -c "<this file>" onehub-slave <grace-seconds>`.
#
# OneHub exits at once on SIGTERM (it has no graceful shutdown), and Fargate Spot sends SIGTERM with
# the two-minute interruption notice, while streams are still running on the task. This wrapper runs
# OneHub as its child; on SIGTERM it lets OneHub go on serving its in-flight responses for the grace
# period, then passes SIGTERM on and exits with OneHub's exit status. When OneHub exits on its own,
# the wrapper exits at once with the same status. A grace period of 0 runs OneHub in place of the
# shell (exec), exactly as the image's own entry point does.
#
# POSIX sh: the image's is busybox ash, tests run it with dash and busybox. ECS's init process
# (initProcessEnabled) is PID 1 and forwards signals to this shell. OneHub is started in a session of
# its own (setsid, where the image has it), so a SIGTERM sent to the whole process group reaches only
# the wrapper. ONEHUB_BINARY replaces the image's /one-api (for tests).
grace="${1:-0}"
binary="${ONEHUB_BINARY:-/one-api}"
case "$grace" in
'' | *[!0-9]*)
    echo "onehub slave wrapper: the grace period must be whole seconds, got '$grace'" >&2
    exit 64
    ;;
esac
if [ "$grace" -eq 0 ]; then
    exec "$binary"
fi

stopping=""
trap 'stopping=1' TERM
if command -v setsid >/dev/null 2>&1; then
    setsid "$binary" &
else
    "$binary" &
fi
child=$!

# Whether OneHub still runs: a child that exited is a zombie ("Z") until it is waited for.
running() {
    stat=$(cat "/proc/$child/stat" 2>/dev/null) || return 1
    case "$stat" in
    *") Z "*) return 1 ;;
    esac
    return 0
}

# A trapped SIGTERM interrupts `wait` (POSIX); otherwise `wait` returns once OneHub exited.
wait "$child"
status=$?
if [ -z "$stopping" ] || ! running; then
    exit "$status"
fi

echo "onehub slave wrapper: SIGTERM received; OneHub keeps serving in-flight responses for ${grace} s, then gets SIGTERM" >&2
waited=0
while [ "$waited" -lt "$grace" ] && running; do
    sleep 1
    waited=$((waited + 1))
done
kill -TERM "$child" 2>/dev/null
wait "$child"
exit $?
