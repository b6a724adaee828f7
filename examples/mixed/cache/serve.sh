# The "cache" container: asks the store (a process on the host) for its greeting through the
# address Harness injected (STORE_ADDR = the project network's gateway, STORE_PORT), writes it
# into the web root, and serves it on port 8080. stderr gets a line too, to show both streams.
set -u
for i in 1 2 3 4 5 6 7 8 9 10; do
  greeting=$(wget -qO- "http://$STORE_ADDR:$STORE_PORT/greeting") && break
  echo "cache: store at $STORE_ADDR:$STORE_PORT not answering yet (attempt $i)" >&2
  sleep 1
done
echo "cache: got '${greeting:-nothing}' from the store at $STORE_ADDR:$STORE_PORT"
echo "cache: serving on :8080" >&2
printf '%s (cached in a container)\n' "${greeting:-no greeting}" >/www/index.html
# As PID 1 a process without a handler ignores SIGTERM; this shell handles it, so a stop is quick
# and clean instead of waiting out the grace period for a SIGKILL.
httpd -f -p 8080 -h /www &
trap 'kill $! 2>/dev/null; exit 0' TERM INT
wait
