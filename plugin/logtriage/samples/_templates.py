# ruff: noqa: E501  (template lines are data: one log template per line)
"""Message templates per log family, written for this project from general knowledge.

Line syntax: ``CODE[*weight][!LEVEL][@component][+follow]|template`` where CODE is
C Critical Error, E Error, S Security Alert, U User Action, H HTTP Status,
R Resource Usage, N System Notification; ``{name}`` is a variable from ``_vars.SAMPLERS``
(or ``clf``/``clfms``/``auditts``/``epoch``, rendered from the line's timestamp).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FamilySpec:
    style: str  # key of _headers.HEADERS
    proc: str  # process/thread name used in the header
    components: tuple[str, ...]  # logger/component names used in the header
    hosts: tuple[str, ...]
    levels: str  # key of the level table in __init__
    templates: str
    weight: float = 1.0


def _hosts(prefix: str, k: int) -> tuple[str, ...]:
    return tuple(f"{prefix}-{i:02d}" for i in range(1, k + 1))


# Continuation lines of multi-line records. The component field names the role.
FOLLOW_SPECS: dict[str, str] = {
    "java": r"""
E@frame|	at {jframe}
E@cause|Caused by: java.net.ConnectException: Connection refused: {ip}:{sport}
E@cause|Caused by: java.sql.SQLException: Connection is not available, request timed out after {ms}ms.
E@cause|Caused by: java.net.SocketTimeoutException: Read timed out after {ms} ms
E@cause|Caused by: java.lang.NullPointerException: Cannot invoke "String.length()" because "{word}" is null
E@cause|Caused by: com.fasterxml.jackson.databind.exc.MismatchedInputException: No content to map due to end-of-input at [Source: (String)""; line: 1, column: 0]
E@cause|Caused by: java.io.EOFException: Unexpected end of stream after {bytes} bytes
E@more|	... {n} more
""",
    "python": r"""
E@tb|Traceback (most recent call last):
E@file|  File "{pyfile}", line {num}, in {pyfunc}
E@code|    result = handler(payload)
E@code|    return self._send(request, timeout={n})
E@code|    row = cursor.fetchone()[0]
E@code|    data = json.loads(body)
E@code|    amount = int(form["{word}"])
E@exc|KeyError: '{word}'
E@exc|ValueError: invalid literal for int() with base 10: '{word}'
E@exc|TypeError: 'NoneType' object is not subscriptable
E@exc|AttributeError: 'dict' object has no attribute '{word}'
E@exc|ConnectionResetError: [Errno 104] Connection reset by peer
E@exc|requests.exceptions.ReadTimeout: HTTPSConnectionPool(host='{domain}', port=443): Read timed out. (read timeout={n})
E@exc|json.decoder.JSONDecodeError: Expecting value: line 1 column {n} (char {num})
E@exc|psycopg2.OperationalError: could not connect to server: Connection refused
""",
}

SSHD = r"""
U*3|Accepted password for {user} from {ip} port {port} ssh2 (session {hex8})
U|Accepted gssapi-with-mic for {user} from {ip} port {port} ssh2
U*3|Accepted publickey for {user} from {ip} port {port} ssh2: ED25519 SHA256:{hex16}{hex16}
U|Accepted keyboard-interactive/pam for {user} from {ip} port {port} ssh2
U*2|pam_unix(sshd:session): session opened for user {user}(uid={uid}) by (uid=0)
U*2|pam_unix(sshd:session): session closed for user {user} on pts/{n}
U|Disconnected from user {user} {ip} port {port}
U|Received disconnect from {ip} port {port}:11: disconnected by user
S*4|Failed password for {user} from {ip} port {port} ssh2 [attempt {n}]
S*4|Failed password for invalid user {baduser} from {ip} port {port} ssh2 (retry {n})
S*3|Invalid user {baduser} from {ip} port {port} (no such account)
S|Failed publickey for {user} from {ip} port {port} ssh2: RSA SHA256:{hex16}{hex16}
S|error: maximum authentication attempts exceeded for {user} from {ip} port {port} ssh2 [preauth]
S|reverse mapping checking getaddrinfo for host-{num}.{domain} [{ip}] failed - POSSIBLE BREAK-IN ATTEMPT!
S|pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost={ip}  user={user} tries={n}
S|PAM {n} more authentication failures; logname= uid=0 euid=0 tty=ssh ruser= rhost={ip}  user={user} (sshd)
S|Disconnecting invalid user {baduser} {ip} port {port}: Too many authentication failures [preauth]
S|User {user} from {ip} not allowed because not listed in AllowUsers
S|Unable to negotiate with {ip} port {port}: no matching key exchange method found [preauth]
S|banner exchange: Connection from {ip} port {port}: invalid format
N*2|Connection closed by authenticating user {user} {ip} port {port} [preauth] after {n} tries
N|Server listening on 0.0.0.0 port {sport}.
N|Received signal 15; terminating.
N|Timeout before authentication for {ip} port {port}
E|error: kex_exchange_identification: read: Connection reset by peer from {ip}:{port}
E|fatal: Read from socket failed: Connection reset by peer [preauth] peer {ip}
C|fatal: daemon() failed: No space left on device (sshd pid {pid})
C|fatal: Cannot bind any address on port {sport}; sshd exiting.
"""

SUDO = r"""
U*3|{user} : TTY=pts/{n} ; PWD=/home/{user} ; USER=root ; COMMAND={cmd}
U*2|pam_unix(sudo:session): session opened for user root(uid=0) by {user}(uid={uid})
U*2|pam_unix(sudo:session): session closed for user root (was {user})
U|pam_unix(su-l:session): session opened for user {user}(uid={uid}) by {user}(uid=0)
U|(to {user}) root on pts/{n} via su
U|Successful su for {user} by root on pts/{n}
U|{user} changed password for account {user} (chage by {user})
U|new user: name={user}{n}, UID={num}, GID={num}, home=/home/{user}{n}, shell=/bin/bash
S*3|{user} : user NOT in sudoers ; TTY=pts/{n} ; PWD=/home/{user} ; USER=root ; COMMAND={cmd}
S*2|{user} : {n} incorrect password attempts ; TTY=pts/{n} ; PWD=/home/{user} ; USER=root ; COMMAND={cmd}
S|pam_unix(sudo:auth): authentication failure; logname={user} uid={uid} euid=0 tty=/dev/pts/{n} ruser={user} rhost=  user={user}
S|FAILED SU (to root) {user} on pts/{n}
S|pam_unix(su:auth): auth could not identify password for [{user}] attempt {n}
S|{user} : command not allowed ; TTY=pts/{n} ; PWD=/tmp ; USER=root ; COMMAND=/bin/bash -i
S|pam_faillock(sudo:auth): Consecutive login failures for user {user} account temporarily locked
N|pam_unix(cron:session): session opened for user root(uid=0) by (uid=0) [cron {pid}]
"""

NGINX_ACCESS = r"""
H*30|{ip} - - [{clf}] "{method} {url} HTTP/1.1" {status} {bytes} "{ref}" "{ua}"
H*8|{ip} - {user} [{clf}] "{method} {url} HTTP/2.0" {status} {bytes} "{ref}" "{ua}" rt={secs} uct="{secs}" urt="{secs}"
H*3|{ip} - - [{clf}] "GET /healthz HTTP/1.1" 200 2 "-" "kube-probe/1.28"
H*2|{ip} - - [{clf}] "POST /api/v1/sessions HTTP/1.1" {status} {bytes} "-" "{ua}" request_time={secs}
S|{ip} - - [{clf}] "GET /wp-login.php?action=register HTTP/1.1" 403 153 "-" "{ua}" blocked by WAF rule {num}
S|{ip} - - [{clf}] "GET /../../etc/passwd HTTP/1.1" 400 157 "-" "sqlmap/1.7" denied: path traversal
"""

NGINX_ERROR = r"""
E*4|upstream timed out (110: Connection timed out) while reading response header from upstream, client: {ip}, server: {domain}, request: "{method} {url} HTTP/1.1", upstream: "http://{ip}:{sport}{url}"
E*3|connect() failed (111: Connection refused) while connecting to upstream, client: {ip}, server: {domain}, request: "GET {url} HTTP/1.1", upstream: "http://{ip}:{sport}/"
E*2|open() "/usr/share/nginx/html{url}" failed (2: No such file or directory), client: {ip}, server: {domain}
E|recv() failed (104: Connection reset by peer) while reading response header from upstream, client: {ip}, server: {domain}
E|upstream prematurely closed connection while reading response header from upstream, client: {ip}, request: "{method} {url} HTTP/1.1"
E|SSL_do_handshake() failed (SSL: error:0A00010B:SSL routines::wrong version number) while SSL handshaking, client: {ip}
E|client intended to send too large body: {big} bytes, client: {ip}, server: {domain}
R|{n} worker_connections are not enough, reusing connections (active {num})
R!warn|an upstream response is buffered to a temporary file /var/cache/nginx/proxy_temp/{n}/{num} while reading upstream ({size})
S|access forbidden by rule, client: {ip}, server: {domain}, request: "GET {url} HTTP/1.1"
S|limiting requests, excess: {float} by zone "login", client: {ip}, server: {domain}, request: "POST /login HTTP/1.1"
S|no user/password was provided for basic authentication, client: {ip}, server: {domain}
S|user "{baduser}": password mismatch, client: {ip}, server: {domain}
C!emerg|bind() to 0.0.0.0:{sport} failed (98: Address already in use)
C!emerg|open() "/etc/nginx/conf.d/{word}.conf" failed (2: No such file or directory) in /etc/nginx/nginx.conf:{n}
C!alert|worker process {pid} exited on signal 11 (core dumped)
N!notice|signal process started
N!notice|using the "epoll" event method
N!notice|start worker processes (worker {pid})
N!notice|gracefully shutting down worker {pid}
"""

APACHE_ACCESS = r"""
H*25|{ip} - - [{clf}] "{method} {url} HTTP/1.1" {status} {bytes}
H*6|{ip} - {user} [{clf}] "{method} {url} HTTP/1.1" {status} {bytes} "{ref}" "{ua}" {num}us
H|{domain}:443 {ip} - - [{clf}] "GET {url} HTTP/1.1" {status} {bytes} "{ref}" "{ua}"
S|{ip} - - [{clf}] "POST /xmlrpc.php HTTP/1.1" 403 {bytes} "-" "{ua}" ModSecurity: Access denied (rule {num})
S|{ip} - {baduser} [{clf}] "GET /admin/ HTTP/1.1" 401 {bytes} auth-failure
"""

APACHE_ERROR = r"""
E*3@proxy|AH01114: HTTP: failed to make connection to backend: {ip}:{sport}
E*2@proxy_http|AH01102: error reading status line from remote server {ip}:{sport}
E*2@php|PHP Warning:  Undefined array key "{word}" in /var/www/html/{word}.php on line {num}
E@php|PHP Fatal error:  Uncaught Error: Call to a member function {word}() on null in /var/www/html/lib/{word}.php:{n}
E@cgi|AH01215: script timed out after {n}s: /usr/lib/cgi-bin/{word}.cgi
E@core|AH00037: Symbolic link not allowed or link target not accessible: /var/www/html/{word}
S*2@auth_basic|AH01618: user {baduser} not found: /admin
S@auth_basic|AH01617: user {user}: authentication failure for "/admin": Password Mismatch
S@authz_core|AH01630: client denied by server configuration: /var/www/html/.git/config
S@ssl|AH02039: Certificate Verification: Error ({n}): certificate has expired, client {ip}
C@core|AH00060: seg fault or similar nasty error detected in the parent process
R@mpm_event|AH00484: server reached MaxRequestWorkers setting, consider raising the MaxRequestWorkers setting; no more connections accepted
C@core|AH00015: Unable to open logs, apache2 is exiting
N*2@mpm_event|AH00489: Apache/2.4.58 (Ubuntu) configured -- resuming normal operations
N@core|AH00094: Command line: '/usr/sbin/apache2'
N@mpm_event|AH00491: caught SIGTERM, shutting down
N@ssl|AH01909: {domain}:443:0 server certificate does NOT include an ID which matches the server name
R@mpm_event|AH00485: scoreboard is full, not at MaxRequestWorkers; idle workers {n}, busy workers {num}
"""

KERNEL = r"""
C*2|Out of memory: Killed process {pid} ({proc}) total-vm:{kb}kB, anon-rss:{kb}kB, file-rss:{kb}kB, shmem-rss:0kB, UID:{uid} pgtables:{kb}kB oom_score_adj:0
C|Memory cgroup out of memory: Killed process {pid} ({proc}) total-vm:{kb}kB, anon-rss:{kb}kB
C|Kernel panic - not syncing: Fatal exception in interrupt
C|Kernel panic - not syncing: VFS: Unable to mount root fs on unknown-block(0,0)
C|EXT4-fs error (device {disk}1): ext4_lookup:{num}: inode #{num}: comm {proc}: deleted inode referenced: {num}
C|EXT4-fs ({disk}1): Remounting filesystem read-only
C|XFS ({disk}2): Corruption of in-memory data detected.  Shutting down filesystem
C|mce: [Hardware Error]: Machine check events logged: CPU {n} Bank {n}: b200000000070005
C|EDAC MC0: 1 UE uncorrectable error on CPU_SrcID#0_Ha#0_Chan#{n}_DIMM#0 (channel:{n} slot:0 page:0x{hex8})
C|BUG: unable to handle page fault for address: ffff{hex12}
C|blk_update_request: critical medium error, dev {disk}, sector {big} op 0x0:(READ)
C|INFO: task {proc}:{pid} blocked for more than 120 seconds.
E*2|{proc}[{pid}]: segfault at {hex8} ip 0000{hex12} sp 00007ff{hex8} error 4 in lib{word}.so.6[7f{hex8}+{hex8}]
E|traps: {proc}[{pid}] general protection fault ip:{hex12} sp:{hex12} error:0 in {proc}[{hex8}+{hex8}]
E|ata{n}.00: failed command: READ FPDMA QUEUED
E|I/O error, dev {disk}, sector {big} op 0x1:(WRITE) flags 0x800 phys_seg {n} prio class 0
E|nfs: server {ip} not responding, still trying
E|{iface}: tx hang {n} detected on queue {n}, resetting adapter
S*3|[UFW BLOCK] IN={iface} OUT= MAC={mac} SRC={ip} DST={ip} LEN={num} TOS=0x00 PREC=0x00 TTL={n} ID={num} PROTO=TCP SPT={port} DPT={sport} WINDOW={num} RES=0x00 SYN URGP=0
S|audit: type=1400 audit({auditts}): apparmor="DENIED" operation="open" profile="/usr/sbin/{proc}" name="{path}" pid={pid} comm="{proc}" requested_mask="r" denied_mask="r"
S|TCP: request_sock_TCP: Possible SYN flooding on port {sport}. Sending cookies.
R|{proc} invoked oom-killer: gfp_mask=0x{hex8}, order=0, oom_score_adj=0
R|Mem-Info: active_anon:{big} inactive_anon:{big} isolated_anon:0 free:{num} slab_reclaimable:{num}
R|CPU{n}: Package temperature above threshold, cpu clock throttled (total events = {num})
E|nf_conntrack: nf_conntrack: table full, dropping packet ({num} entries)
R|Memory: {kb}K/{kb}K available ({kb}K kernel code, {kb}K rwdata, {kb}K reserved)
N*2|{iface}: Link is Up - {n}Gbps/Full - flow control off
N*2|{iface}: Link is Down
N|usb {n}-{n}: new high-speed USB device number {n} using xhci_hcd
N|usb {n}-{n}: USB disconnect, device number {n}
N|ACPI: Power Button [PWRF]
N|ACPI: bus type PCI registered
N|EXT4-fs ({disk}1): mounted filesystem {uuid} r/w with ordered data mode. Quota mode: none.
N|IPv6: ADDRCONF(NETDEV_CHANGE): {iface}: link becomes ready
N|Linux version 6.5.0-{n}-generic (buildd@lcy02-amd64-{num}) (gcc-12)
N|sd {n}:0:0:0: [{disk}] Attached SCSI disk
N|docker0: port {n}(veth{hex8}) entered forwarding state
"""

SYSTEMD = r"""
N*4|Started {unit}.
N*3|Stopped {unit}.
N*2|Starting {unit}...
N*2|Reloading {unit}...
N|Reached target Multi-User System.
N|{unit}: Deactivated successfully.
N|{unit}: Consumed {secs}s CPU time.
N|Startup finished in {secs}s (kernel) + {secs}s (userspace) = {secs}s.
N|Created slice User Slice of UID {num}.
N|Finished Daily apt upgrade and clean activities.
N|Started Session {num} of User {user}.
U|New session {num} of user {user}.
U|Session {num} logged out. Waiting for processes to exit.
U|Removed session {num}.
E*2|{unit}: Failed with result 'exit-code'.
E|Failed to start {unit}.
E|{unit}: Scheduled restart job, restart counter is at {n}.
E|{unit}: Start request repeated too quickly.
C|{unit}: Main process exited, code=killed, status=9/KILL
C|{unit}: Main process exited, code=dumped, status=6/ABRT
C|{unit}: A process of this unit has been killed by the OOM killer.
C|Watchdog timeout (limit 3min)! Service {unit} is unresponsive, aborting
R|{unit}: Memory usage exceeds MemoryHigh={mb}M, throttling (current {mb}M)
R|Journal started, runtime journal is using {mb}M (max allowed {mb}M, trying to leave {mb}M free of {mb}M available)
R|System journal (/var/log/journal/{hex16}) is {size}, max {size}, {size} free.
"""

CRON = r"""
N*4|(root) CMD ({croncmd})
U*2|({huser}) CMD ({croncmd})
U|({user}) REPLACE ({user})
U|({user}) BEGIN EDIT ({user})
U|({user}) END EDIT ({user})
U|({user}) LIST ({user})
N|(CRON) INFO (Running @reboot jobs)
N|(CRON) INFO (pidfile fd = {n})
N|(*system*) RELOAD (/etc/crontab)
E|(CRON) error (grandchild #{pid} failed with exit status {n})
E|(root) MAIL (mailed {num} bytes of output but got status 0x{hex8} from MTA)
S|({baduser}) AUTH (crontab command not allowed for user)
C|(CRON) DEATH (can't lock /var/run/crond.pid, otherpid may be {pid}: Resource temporarily unavailable)
"""

KUBELET = r"""
N*3@kubelet.go:2432|SyncLoop (PLEG): event for pod pod="{ns}/{pod}" event={type="ContainerStarted" data="{sha}"}
N*2@kuberuntime_manager.go:1010|Creating PodSandbox for pod pod="{ns}/{pod}"
N@kubelet.go:2324|SyncLoop ADD source="api" pods=["{ns}/{pod}"]
N@kubelet.go:2340|SyncLoop DELETE source="api" pods=["{ns}/{pod}"]
N@reconciler.go:357|operationExecutor.VerifyControllerAttachedVolume started for volume "kube-api-access-{hex8}" pod="{ns}/{pod}"
N@kubelet_node_status.go:72|Attempting to register node node="{node}"
N@kubelet_node_status.go:108|Successfully registered node node="{node}"
N@topology_manager.go:215|Topology Admit Handler podUID="{uuid}" podNamespace="{ns}" podName="{pod}"
E*2@pod_workers.go:1300|Error syncing pod, skipping err="failed to \"StartContainer\" for \"{app}\" with CrashLoopBackOff: \"back-off 5m0s restarting failed container={app} pod={pod}_{ns}({uuid})\"" pod="{ns}/{pod}"
E*2@prober.go:107|Probe failed probeType="Readiness" pod="{ns}/{pod}" podUID="{uuid}" containerName="{app}" probeResult="failure" output="Get \"http://{ip}:8080/healthz\": dial tcp {ip}:8080: connect: connection refused"
E@remote_image.go:180|PullImage from image service failed err="rpc error: code = NotFound desc = failed to pull and unpack image \"{image}\": not found" image="{image}"
E@kuberuntime_manager.go:1256|container start failed: ImagePullBackOff: Back-off pulling image "{image}"
E@reflector.go:147|Failed to watch *v1.Service: failed to list *v1.Service: Get "https://{ip}:6443/api/v1/services?limit=500": dial tcp {ip}:6443: i/o timeout
C@kubelet.go:2855|Container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized
C@run.go:74|command failed err="failed to run Kubelet: running with swap on is not supported, please disable swap!"
C@kubelet_node_status.go:585|Node became not ready node="{node}" condition={"type":"Ready","status":"False","reason":"KubeletNotReady"}
R*2@eviction_manager.go:366|eviction manager: attempting to reclaim resourceName="memory" available={mb}Mi threshold={mb}Mi
R@eviction_manager.go:377|eviction manager: must evict pod(s) to reclaim resourceName="ephemeral-storage" available={gsize} capacity={gsize}
R@image_gc_manager.go:310|Disk usage on image filesystem is over the high threshold, trying to free bytes down to the low threshold usage={hipct} highThreshold=85 amountToFree={big}
R@container_manager_linux.go:510|Node allocatable: cpu={n} memory={mb}Mi pods=110 ephemeral-storage={size}
H@httplog.go:132|"HTTP" verb="GET" URI="/healthz" latency="{dur}" userAgent="kube-probe/1.28" srcIP="{ip}:{port}" resp={status}
S@server.go:3167|Unauthorized request to kubelet API from {ip}: anonymous requests are disabled path="/exec/{ns}/{pod}/{app}"
"""

KUBE_APISERVER = r"""
H*6@httplog.go:132|"HTTP" verb="{method}" URI="/api/v1/namespaces/{ns}/pods/{pod}" latency="{dur}" userAgent="kubectl/v1.28.4" audit-ID="{uuid}" srcIP="{ip}:{port}" resp={status}
H*3@httplog.go:132|"HTTP" verb="LIST" URI="/apis/apps/v1/namespaces/{ns}/deployments?limit=500" latency="{dur}" userAgent="{ua}" srcIP="{ip}:{port}" resp={status}
S*2@authentication.go:63|"Unable to authenticate the request" err="[invalid bearer token, token has been invalidated]" srcIP="{ip}:{port}"
S@authorization.go:88|"Forbidden" user="system:serviceaccount:{ns}:{app}" verb="create" resource="pods/exec" namespace="{ns}" reason="RBAC: access denied"
S@audit.go:41|audit: user "system:anonymous" cannot list resource "secrets" in API group "" at the cluster scope
U*2@audit.go:87|audit: user "{email}" verb="create" resource="deployments" namespace="{ns}" name="{app}" decision="allow"
U@audit.go:87|audit: user "{email}" verb="delete" resource="pods" namespace="{ns}" name="{pod}" decision="allow"
U@audit.go:87|audit: user "{email}" scaled deployment {ns}/{app} to {n} replicas
E@status.go:71|apiserver received an error that is not an metav1.Status: context deadline exceeded
E@controller.go:113|loading OpenAPI spec for "v1beta1.metrics.k8s.io" failed with: failed to retrieve openAPI spec, http error: ResponseCode: 503
E@watcher.go:201|watch chan error: etcdserver: mvcc: required revision has been compacted
C@server.go:245|"Error starting server" err="listen tcp 0.0.0.0:6443: bind: address already in use"
C@run.go:74|"command failed" err="unable to load server certificate: open /etc/kubernetes/pki/apiserver.crt: no such file or directory"
N@controller.go:624|quota admission added evaluator for: leases.coordination.k8s.io
N@alloc.go:330|"allocated clusterIPs" service="{ns}/{app}" clusterIPs={"IPv4":"{ip}"}
N@storage_scheduling.go:111|all system priority classes are created successfully or already exist.
R@apf_controller.go:400|priority level "workload-low" concurrency limit {n}, seats in use {n}, queued requests {num}
"""

KUBE_SCHEDULER = r"""
N*3@schedule_one.go:286|"Successfully bound pod to node" pod="{ns}/{pod}" node="{node}" evaluatedNodes={n} feasibleNodes={n}
N@leaderelection.go:250|attempting to acquire leader lease kube-system/kube-scheduler...
N@leaderelection.go:260|successfully acquired lease kube-system/kube-scheduler
N@eventhandlers.go:118|"Add event for unscheduled pod" pod="{ns}/{pod}"
R*2@schedule_one.go:870|"Unable to schedule pod; no fit; waiting" pod="{ns}/{pod}" err="0/{n} nodes are available: {n} Insufficient cpu, {n} Insufficient memory."
R@schedule_one.go:870|"Unable to schedule pod" pod="{ns}/{pod}" err="0/{n} nodes are available: {n} node(s) exceed max volume count."
E@schedule_one.go:906|"Error scheduling pod; retrying" err="Operation cannot be fulfilled on pods/binding \"{pod}\": pod {pod} is already assigned to node \"{node}\"" pod="{ns}/{pod}"
E@reflector.go:535|k8s.io/client-go/informers/factory.go:150: failed to list *v1.Node: Get "https://{ip}:6443/api/v1/nodes?limit=500": net/http: TLS handshake timeout
C@leaderelection.go:285|failed to renew lease kube-system/kube-scheduler: timed out waiting for the condition; leaderelection lost
C@server.go:240|"Leaderelection lost" - scheduler exiting
"""

DOCKER = r"""
N*3|Container {cid} started (image={image}, name={app}-{n})
N*2|Container {cid} stopped with exit code 0
N|Loading containers: done.
N|Docker daemon commit={hex8} graphdriver=overlay2 version=24.0.{n}
N|API listen on /run/docker.sock
N|ignoring event topic=/tasks/delete namespace=moby module=libcontainerd type="*events.TaskDelete"
N|shim disconnected id={sha} namespace=moby
U*2|Pulling image {image} requested by {user} via docker CLI
U|{user} executed "docker exec -it {cid} /bin/sh"
U|{user} removed container {cid} ({app}-{n})
E*2|Handler for POST /v1.43/containers/{cid}/start returned error: driver failed programming external connectivity on endpoint {app}-{n}: Bind for 0.0.0.0:{sport} failed: port is already allocated
E|Error response from daemon: pull access denied for {image}, repository does not exist or may require 'docker login'
E|error pulling image {image}: toomanyrequests: You have reached your pull rate limit.
E|Container {cid} failed to exit within 10 seconds of signal 15 - using the force
E|failed to create task for container: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: exec: "{word}": executable file not found in $PATH
C|Container {cid} ({app}) was OOM killed (exit code 137)
C|containerd: failed to start daemon: timeout waiting for containerd to start
C|panic: runtime error: invalid memory address or nil pointer dereference [signal SIGSEGV: segmentation violation code=0x1 addr=0x{hex8}]
R|Container {cid} stats: cpu={float}% mem={mb}MiB / {mb}MiB net_io={size} / {size} block_io={size}
R|overlay2: disk usage of /var/lib/docker is {hipct}% ({gsize} free)
R|build cache size {size}, reclaimable {size}
H|API request {method} /v1.43/containers/{cid}/json from uid {num} returned {status} in {ms}ms
S|Unauthorized access to /var/run/docker.sock by uid {num} denied (authz plugin)
"""

JAVA_APP = r"""
E*3@com.acme.orders.OrderController+java|Request processing failed: {jexc}: {word} must not be null
E*2@org.hibernate.engine.jdbc.spi.SqlExceptionHelper+java|SQL Error: 0, SQLState: 08001 - Connection to {ip}:5432 refused
E*2@com.zaxxer.hikari.pool.HikariPool+java|HikariPool-1 - Connection is not available, request timed out after {ms}ms.
E@com.acme.payments.PaymentGateway+java|Payment provider call failed after {n} attempts: {jexc}
E@org.apache.catalina.core.StandardWrapperValve+java|Servlet.service() for servlet [dispatcherServlet] threw exception {jexc}
E@com.acme.orders.OrderService|Retrying order {num} sync (attempt {try}/5) after {jexc}
E@io.netty.channel.DefaultChannelPipeline+java|An exceptionCaught() event was fired, and it reached at the tail of the pipeline: java.io.IOException: Connection reset by peer
C@org.springframework.boot.SpringApplication+java|Application run failed
C@com.acme.Main|FATAL: Unable to load keystore /etc/acme/keystore.jks, shutting down
C@java.lang.Runtime|Exception in thread "main" java.lang.OutOfMemoryError: Java heap space
C@com.acme.ledger.LedgerWriter|Ledger journal {path} is corrupted at offset {big}; refusing to continue
N*3@org.springframework.boot.web.embedded.tomcat.TomcatWebServer|Tomcat started on port(s): 8080 (http) with context path ''
N*2@com.acme.Main|Started OrderApplication in {secs} seconds (process running for {secs})
N@com.zaxxer.hikari.HikariDataSource|HikariPool-1 - Start completed.
N@org.flywaydb.core.internal.command.DbMigrate|Successfully applied {n} migrations to schema "public", now at version v{n}
N@com.acme.orders.OrderService|Scheduled job reconcileOrders finished in {ms} ms, {num} orders checked
N@org.springframework.kafka.listener.KafkaMessageListenerContainer|orders-consumer: partitions assigned: [{topic}-{n}]
R@com.zaxxer.hikari.pool.HikariPool|HikariPool-1 - Pool stats (total={n}, active={n}, idle={n}, waiting={n})
R@com.acme.monitor.JvmMonitor|Heap usage {pct}% ({mb}MB of {mb}MB), GC pause {ms}ms
R@com.acme.cache.CacheManager|Cache 'products' size={num} entries, hit ratio {float}%, evictions={num}
U@com.acme.auth.LoginController|User {email} logged in from {ip}
U@com.acme.orders.OrderController|User {email} placed order {num} ({n} items, total {amount} {cur})
S@com.acme.auth.LoginController|Login failed for {email} from {ip}: bad credentials ({n} consecutive failures)
H@org.apache.catalina.valves.AccessLogValve|{ip} - - [{clf}] "{method} {url} HTTP/1.1" {status} {bytes} {ms}
S@com.acme.auth.TokenValidator|Rejected JWT for subject {email}: signature verification failed
H@org.springframework.web.servlet.DispatcherServlet|Completed {status} for {method} "{url}" in {ms} ms
"""

PYTHON_APP = r"""
E*3@worker.tasks+python|Unhandled exception while processing job {uuid}
E*2@api.views+python|Internal Server Error: {url}
E@billing.invoice|Failed to render invoice {num}: template '{word}.html' not found
E@worker.tasks|Task send_email[{uuid}] retry: Retry in {n}s: SMTPServerDisconnected('Connection unexpectedly closed')
E@core.db|OperationalError on attempt {n}: could not connect to server at {ip}:5432, retrying in {n}s
C@celery.worker|Worker exited prematurely: signal 9 (SIGKILL) Job: {num}.
C@gunicorn.error|WORKER TIMEOUT (pid:{pid}) - worker killed, master shutting down: Reason: Worker failed to boot.
C@app|CRITICAL: database migrations failed, cannot continue; exiting with status 1
N*3@celery.worker|Task process_event[{uuid}] succeeded in {secs}s: None
N*2@gunicorn.error|Booting worker with pid: {pid}
N@gunicorn.error|Listening at: http://0.0.0.0:8000 ({pid})
N@apscheduler.scheduler|Job "refresh_rates (trigger: interval[0:05:00], next run at: {clf})" executed successfully
N@app|Loaded configuration from /etc/acme/app.toml (environment=production)
H*3@gunicorn.access|{ip} - - [{clf}] "{method} {url} HTTP/1.1" {status} {bytes} "-" "{ua}"
H@urllib3.connectionpool|https://{domain}:443 "{method} {url} HTTP/1.1" {status} {bytes}
H@uvicorn.access|{ip}:{port} - "{method} {url} HTTP/1.1" {status}
U@app.auth|user {email} logged out after {n} minutes
U@app.profile|user {email} updated notification settings (email={word}, sms=false)
U@app.export|user {email} requested export of {num} rows from report {word}
S@app.auth|CSRF token missing or incorrect for POST {url} from {ip}
S@django.security.DisallowedHost|Invalid HTTP_HOST header: '{ip}:{port}'. You may need to add '{ip}' to ALLOWED_HOSTS.
R@worker.monitor|queue depth: {num} pending, {n} workers busy, rss={mb}MB
"""

POSTGRES = r"""
N*3|checkpoint starting: time
N*2|checkpoint complete: wrote {num} buffers ({float}%); 0 WAL file(s) added, 0 removed, {n} recycled; write={secs} s, sync={secs} s, total={secs} s
N|database system is ready to accept connections
N|database system was shut down at {clf}
N|listening on IPv4 address "0.0.0.0", port 5432
N|automatic vacuum of table "{db}.public.{table}": index scans: {n}
U*2|connection authorized: user={user} database={db} application_name=psql
U|statement: ALTER ROLE {user} WITH PASSWORD '********'
U|disconnection: session time: 0:{n}:{n}.{num} user={user} database={db} host={ip} port={port}
S*3|password authentication failed for user "{user}"
S|no pg_hba.conf entry for host "{ip}", user "{baduser}", database "{db}", no encryption
S|permission denied for table {table}
S|role "{baduser}" does not exist
E*2|duplicate key value violates unique constraint "{table}_pkey"
E|canceling statement due to statement timeout
E|deadlock detected
E|relation "{table}_archive" does not exist at character {n}
E|could not serialize access due to concurrent update
E|terminating connection due to idle-in-transaction timeout
C|could not write to file "pg_wal/xlogtemp.{pid}": No space left on device
C|server process (PID {pid}) was terminated by signal 9: Killed
C|the database system is in recovery mode
C|invalid page in block {num} of relation base/{num}/{num}
R|temporary file: path "base/pgsql_tmp/pgsql_tmp{pid}.{n}", size {big}
E|sorry, too many clients already (max_connections={num})
R|duration: {ms}.{n} ms  statement: {sql}
R|using {mb} MB of shared_buffers, {num} buffers dirty, {pct}% of WAL segment used
"""

MYSQL = r"""
N*3@Server|/usr/sbin/mysqld: ready for connections. Version: '8.0.{n}'  socket: '/var/run/mysqld/mysqld.sock'  port: 3306  MySQL Community Server - GPL.
N@InnoDB|Buffer pool(s) load completed at {clf}
N@Server|Received SHUTDOWN from user <system>. Shutting down mysqld (Version: 8.0.{n}).
N@Repl|Replica I/O thread for channel '': connected to source 'repl@{ip}:3306',replication started in log 'binlog.{num}' at position {big}
S*3@Server|Access denied for user '{user}'@'{ip}' (using password: YES)
S@Server|Access denied for user '{baduser}'@'{ip}' (using password: NO)
S@Server|Host '{ip}' is blocked because of many connection errors; unblock with 'mysqladmin flush-hosts'
U*2@Server|User '{user}'@'{ip}' granted SELECT, INSERT on {db}.* by 'root'@'localhost'
U@Server|Connect {user}@{ip} on {db} using SSL/TLS
E*2@Server|Aborted connection {num} to db: '{db}' user: '{user}' host: '{ip}' (Got timeout reading communication packets).
E@InnoDB|Lock wait timeout exceeded; try restarting transaction (table {db}.{table})
E@Repl|Replica SQL for channel '': Error 'Duplicate entry '{num}' for key '{table}.PRIMARY'' on query. Default database: '{db}'.
C@InnoDB|Database page corruption on disk or a failed file read of page [page id: space={n}, page number={num}]. You may have to recover from a backup.
C@Server|mysqld got signal 11 ;
C@InnoDB|Unable to lock ./ibdata1 error: 11; InnoDB cannot continue
R@InnoDB|Buffer pool size {mb}M, {pct}% of pages are dirty, {num} free pages
E@Server|Too many connections (max_connections={num}, current {num})
R@Server|Slow query: Query_time: {secs}  Lock_time: 0.000{n} Rows_sent: {num}  Rows_examined: {big}
"""

MONGODB = r"""
N*3@NETWORK|Connection accepted from {ip}:{port} #{num} ({num} connections now open)
N*2@NETWORK|Connection ended from {ip}:{port} #{num}
N@REPL|Transition to primary complete; database writes are now permitted
N@STORAGE|WiredTiger message: checkpoint completed in {ms} ms
N@CONTROL|Waiting for connections on port 27017
U@ACCESS|Successfully authenticated as principal {user} on {db} from client {ip}:{port}
U@COMMAND|createIndexes invoked by {user}: {db}.{table} index {word}_1
S*2@ACCESS|Authentication failed for principal {user} on {db} from client {ip}:{port}: UserNotFound
S@ACCESS|Unauthorized: not authorized on admin to execute command { listDatabases: 1 } by {baduser}
E@COMMAND|Slow query failed: {db}.{table} planSummary: COLLSCAN errMsg: operation exceeded time limit
E@NETWORK|Error sending response to client, ending connection: HostUnreachable: Connection reset by peer remote={ip}:{port}
E@REPL|Error in heartbeat request to {node}:27017; HostUnreachable: Connection refused
C@STORAGE|WiredTiger error: WT_PANIC: WiredTiger library panic; Fatal assertion {num}
C@REPL|Member {node}:27017 is now in state DOWN; no primary available, stepping down
R@STORAGE|WiredTiger cache usage {pct}% of {mb}MB, dirty {float}%, eviction workers {n}
R@FTDC|Resident memory {mb}MiB, virtual {mb}MiB, {num} open cursors
"""

REDIS = r"""
N*3|Background saving started by pid {pid}
N*2|DB saved on disk
N|Ready to accept connections tcp
N|Server initialized
N|Replica {ip}:6379 asks for synchronization
N|Synchronization with replica {ip}:6379 succeeded
R*2|{n} changes in {n} seconds. Saving...
R|Background saving: {mb} MB of memory used by copy-on-write
R|WARNING: {pct}% of maxmemory ({mb}mb) used, evicting keys with allkeys-lru
R|DB 0: {num} keys ({num} volatile) in {num} slots HT.
E*2|Error condition on socket for SYNC: Connection refused
E|Background saving error
E|MASTER aborted replication with an error: NOAUTH Authentication required.
C|# Redis is now ready to exit, bye bye... (unexpected shutdown: out of memory allocating {big} bytes!)
C|Short read or OOM loading DB. Unrecoverable error, aborting now.
S|Possible SECURITY ATTACK detected. It looks like somebody is sending POST or Host: commands to Redis from {ip}:{port}. Connection aborted.
S|AUTH failed: WRONGPASS invalid username-password pair or user is disabled. client={ip}:{port}
U|Client id={num} addr={ip}:{port} user={user} executed CONFIG SET maxmemory {mb}mb
"""

ELASTICSEARCH = r"""
N*3@o.e.c.m.MetadataCreateIndexService|[logs-{word}-2026.01.{dd}] creating index, cause [auto(bulk api)], templates [logs], shards [1]/[1]
N*2@o.e.c.r.a.AllocationService|current.health="GREEN" message="Cluster health status changed from [YELLOW] to [GREEN] (reason: [shards started [[logs-{word}][0]]])." previous.health="YELLOW" reason="shards started"
N@o.e.n.Node|started {node} [{uuid}]
N@o.e.c.s.MasterService|node-join[{node} {{node}}{{uuid}} join existing leader], term: {n}, version: {num}
N@o.e.x.i.IndexLifecycleRunner|policy [logs] for index [logs-{word}-2026.01.{dd}] on an error step due to a transient error, moving back to the failed step [rollover] for execution. retry attempt [{try}]
R*2@o.e.c.r.a.DiskThresholdMonitor|high disk watermark [90%] exceeded on [{uuid}][{node}][/var/lib/elasticsearch] free: {gsize}[{n}%], shards will be relocated away from this node
R@o.e.m.j.JvmGcMonitorService|[gc][{num}] overhead, spent [{ms}ms] collecting in the last [1s]
E@o.e.i.b.HierarchyCircuitBreakerService|[parent] Data too large, data for [<http_request>] would be [{big}/{size}], which is larger than the limit of [{big}/{size}]
R@o.e.m.f.FsHealthService|filesystem {path} usage {hipct}%, {gsize} free of {gsize}
E*2@o.e.a.b.TransportShardBulkAction|[logs-{word}][0] failed to execute bulk item (index) index {num}
E@o.e.x.s.a.AuthenticationService|Authentication to realm ldap1 failed - bind timed out ({ms}ms)
E@o.e.a.s.TransportSearchAction|[{node}] Failed to execute fetch phase: SearchPhaseExecutionException: all shards failed
C@o.e.b.ElasticsearchUncaughtExceptionHandler|fatal error in thread [elasticsearch[{node}][write][T#{n}]], exiting java.lang.OutOfMemoryError: Java heap space
C@o.e.c.c.Coordinator|master not discovered or elected yet, an election requires at least {n} nodes; cluster state RED, {n} primary shards unassigned
S@o.e.x.s.a.AuthenticationService|Authentication of [{baduser}] was terminated by realm [native] - failed to authenticate user [{baduser}]
S@o.e.x.s.a.l.LoggingAuditTrail|action="indices:data/read/search" access_denied user.name="{user}" origin.address="{ip}" indices=["security-*"]
H@o.e.h.HttpTracer|[{uuid}][{ip}:{port}] sent response to [{method} /_bulk] with status [{status}] in [{ms}ms]
H@o.e.h.AbstractHttpServerTransport|{method} /{word}/_search?pretty 200 OK took [{ms}ms] from {ip}:{port}
"""

KAFKA = r"""
N*3@kafka.coordinator.group.GroupCoordinator|[GroupCoordinator {n}]: Stabilized group {app}-consumers generation {n} (__consumer_offsets-{n}) with {n} members
N*2@kafka.log.LogManager|Created log for partition {topic}-{n} in /var/lib/kafka/data/{topic}-{n} with properties {}
N@kafka.server.KafkaServer|[KafkaServer id={n}] started
N@kafka.controller.KafkaController|[Controller id={n}] Processing automatic preferred replica leader election
N@kafka.cluster.Partition|[Partition {topic}-{n} broker={n}] ISR updated to {n},{n} and version updated to {n}
N@kafka.log.LogCleaner|[kafka-log-cleaner-thread-0]: Log cleaner thread 0 cleaned log __consumer_offsets-{n} (dirty section = [{num}, {num}])
E*2@kafka.server.ReplicaFetcherThread|[ReplicaFetcher replicaId={n}, leaderId={n}, fetcherId=0] Error sending fetch request (sessionId={num}, epoch={num}) to node {n}: java.io.IOException: Connection to {n} was disconnected before the response was read
E@org.apache.kafka.clients.NetworkClient|[Producer clientId={app}-producer] Error while fetching metadata with correlation id {num} : {{topic}=LEADER_NOT_AVAILABLE}
E@org.apache.kafka.clients.consumer.internals.ConsumerCoordinator|[Consumer clientId={app}, groupId={app}-consumers] Offset commit failed on partition {topic}-{n} at offset {big}: The coordinator is not available.
C@kafka.server.KafkaServer|Fatal error during KafkaServer startup. Prepare to shutdown
C@kafka.log.LogManager|Shutdown broker because all log dirs in /var/lib/kafka/data have failed
C@kafka.controller.KafkaController|[Controller id={n}] Broker {n} has been declared dead: session expired
R@kafka.server.ReplicaManager|Partition {topic}-{n} under-replicated: ISR size {n} < min.insync.replicas {n}
R@kafka.log.Log|Log segment {topic}-{n} rolled at {big} bytes, retention {size}, total log size {size}
R@kafka.server.ClientQuotaManager|Throttled client {app}-producer for {ms} ms: produce byte rate {num} B/s exceeds quota {num} B/s
H@org.apache.kafka.connect.runtime.rest.RestServer|{ip} - - [{clf}] "{method} /connectors/{app}-sink/status HTTP/1.1" {status} {bytes} "-" "{ua}" {ms}
S@org.apache.kafka.common.security.authenticator.SaslServerAuthenticator|Failed authentication with /{ip} (Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512)
S@kafka.authorizer.logger|Principal = User:{baduser} is Denied Operation = Write from host = {ip} on resource = Topic:LITERAL:{topic}
"""

ZOOKEEPER = r"""
N*3@NIOServerCxnFactory|Accepted socket connection from /{ip}:{port}
N*2@ZooKeeperServer|Established session 0x{hex16} with negotiated timeout {num} for client /{ip}:{port}
N@NIOServerCnxn|Closed socket connection for client /{ip}:{port} which had sessionid 0x{hex16}
N@QuorumPeer|LEADING - LEADER ELECTION TOOK - {ms} MS
N@FastLeaderElection|New election. My id = {n}, proposed zxid=0x{hex8}
N@FileTxnSnapLog|Snapshotting: 0x{hex8} to /var/lib/zookeeper/version-2/snapshot.{hex8}
E*2@QuorumCnxManager|Cannot open channel to {n} at election address /{ip}:3888 java.net.ConnectException: Connection refused
E@NIOServerCnxn|Unable to read additional data from client sessionid 0x{hex16}, likely client has closed socket
E@Learner|Exception when following the leader java.net.SocketTimeoutException: Read timed out
C@QuorumPeer|Unexpected exception causing shutdown while sock still open; quorum lost
C@FileTxnLog|Severe unrecoverable error, exiting: transaction log /var/lib/zookeeper/version-2/log.{hex8} is corrupt
E@ZooKeeperServer|Too many connections from /{ip} - max is {n}
R@FileTxnLog|fsync-ing the write ahead log in SyncThread:0 took {ms}ms which will adversely effect operation latency.
H@JettyAdminServer|GET /commands/mntr from {ip} -> HTTP {status} ({ms} ms)
S@SaslServerCallbackHandler|Failed to authenticate client /{ip}:{port}: digest mismatch for user {baduser}
S@ServerCnxn|Authentication failed for session 0x{hex16}: KeeperErrorCode = NoAuth for /brokers/ids
"""

HDFS = r"""
N*4@org.apache.hadoop.hdfs.server.datanode.DataNode|Receiving {blk} src: /{ip}:{port} dest: /{ip}:50010
N*3@org.apache.hadoop.hdfs.server.datanode.DataNode|Received {blk} of size {big} from /{ip}
N*2@org.apache.hadoop.hdfs.StateChange|BLOCK* allocate {blk}, replicas={ip}:50010, {ip}:50010 for /user/{user}/{word}/part-{num}
N@org.apache.hadoop.hdfs.server.datanode.DataNode|PacketResponder {n} for {blk} terminating
N@org.apache.hadoop.hdfs.server.namenode.FSNamesystem|Roll Edit Log from {ip}
N@org.apache.hadoop.hdfs.server.datanode.DataBlockScanner|Block scanner verified {blk} (checksum OK)
N@org.apache.hadoop.hdfs.server.datanode.fsdataset.impl.FsDatasetAsyncDiskService|Deleted {blk} file /data/dfs/dn/current/finalized/{blk}
U@org.apache.hadoop.hdfs.server.namenode.FSNamesystem.audit|allowed=true ugi={user} (auth:KERBEROS) ip=/{ip} cmd=delete src=/user/{user}/{word} dst=null perm=null
U@org.apache.hadoop.hdfs.server.namenode.FSNamesystem.audit|allowed=true ugi={user} (auth:SIMPLE) ip=/{ip} cmd=mkdirs src=/user/{user}/{word}-{n} dst=null perm={user}:hadoop:rwxr-xr-x
S@org.apache.hadoop.hdfs.server.namenode.FSNamesystem.audit|allowed=false ugi={baduser} (auth:SIMPLE) ip=/{ip} cmd=open src=/user/hive/warehouse/{table} dst=null perm=null
H@org.apache.hadoop.hdfs.server.datanode.web.webhdfs.WebHdfsHandler|{ip} {method} /webhdfs/v1/user/{user}/{word}?op=OPEN&offset=0 {status}
S@org.apache.hadoop.ipc.Server|Auth failed for {ip}:{port}:null (GSS initiate failed) with true cause: (Checksum failed)
E*2@org.apache.hadoop.hdfs.server.datanode.DataNode|{ip}:50010:Got exception while serving {blk} to /{ip}: java.net.SocketTimeoutException: {num} millis timeout while waiting for channel to be ready for write
E@org.apache.hadoop.hdfs.server.datanode.DataNode|writeBlock {blk} received exception java.io.IOException: Connection reset by peer
E@org.apache.hadoop.hdfs.DFSClient|Failed to connect to /{ip}:50010 for block {blk}, add to deadNodes and continue.
C@org.apache.hadoop.hdfs.server.namenode.NameNode|Failed to start namenode. java.io.IOException: NameNode is not formatted.
C@org.apache.hadoop.hdfs.server.blockmanagement.BlockManager|Block {blk} is CORRUPT: all {n} replicas are corrupt
C@org.apache.hadoop.hdfs.server.datanode.DataNode|DataNode is shutting down: DataNode failed volumes:/data/{n}/dfs/dn; volume failures tolerated: 0
C@org.apache.hadoop.hdfs.server.blockmanagement.HeartbeatManager|Lost datanode {ip}:50010, declaring it dead after {num} ms without heartbeat
R@org.apache.hadoop.hdfs.server.namenode.FSNamesystem|Capacity {gsize}, DFS used {gsize} ({pct}%), remaining {gsize}, {num} blocks, {n} under-replicated
R@org.apache.hadoop.hdfs.server.namenode.FSDirectory|Quota exceeded: /user/{user} namespace quota {num} diskspace quota {gsize} used {gsize}
"""

YARN = r"""
N*3@org.apache.hadoop.yarn.server.resourcemanager.rmapp.RMAppImpl|{appid} State change from ACCEPTED to RUNNING on event = ATTEMPT_REGISTERED
N*2@org.apache.hadoop.yarn.server.resourcemanager.rmcontainer.RMContainerImpl|{ycont} Container Transitioned from ALLOCATED to ACQUIRED
N@org.apache.hadoop.yarn.server.nodemanager.containermanager.container.ContainerImpl|Container {ycont} transitioned from LOCALIZED to RUNNING
N@org.apache.hadoop.mapreduce.v2.app.job.impl.TaskAttemptImpl|attempt_{num}_{n}_m_{num}_0 TaskAttempt Transitioned from RUNNING to SUCCEEDED
N@org.apache.hadoop.mapreduce.v2.app.rm.RMContainerAllocator|Slow-start threshold for reducers reached ({pct}% maps complete), scheduling reduce tasks
U*2@org.apache.hadoop.yarn.server.resourcemanager.ClientRMService|Application {appid} submitted by user {user} to queue {queue}
U@org.apache.hadoop.yarn.server.resourcemanager.RMAuditLogger|USER={user} OPERATION=Kill Application Request TARGET=ClientRMService RESULT=SUCCESS APPID={appid}
S@org.apache.hadoop.yarn.server.resourcemanager.RMAuditLogger|USER={baduser} OPERATION=Submit Application Request TARGET=ClientRMService RESULT=FAILURE DESCRIPTION=User doesn't have permissions to SUBMIT_APPLICATIONS on queue {queue}
R*2@org.apache.hadoop.yarn.server.resourcemanager.scheduler.capacity.LeafQueue|Queue {queue} usage: used=<memory:{mb}, vCores:{n}> capacity={pct}% absoluteUsed={float}%
R@org.apache.hadoop.yarn.server.nodemanager.containermanager.monitor.ContainersMonitorImpl|Memory usage of ProcessTree {pid} for container-id {ycont}: {gsize} of {gsize} physical memory used; {gsize} of {gsize} virtual memory used
H@org.apache.hadoop.yarn.webapp.View|REST call GET /ws/v1/cluster/apps/{appid} from {ip} status {status} ({ms}ms)
C@org.apache.hadoop.yarn.server.nodemanager.containermanager.monitor.ContainersMonitorImpl|Container [pid={pid},containerID={ycont}] is running beyond physical memory limits. Killing container.
C@org.apache.hadoop.yarn.server.resourcemanager.rmnode.RMNodeImpl|Deactivating Node {node}:8041 as it is now LOST
E@org.apache.hadoop.mapreduce.v2.app.job.impl.TaskAttemptImpl|Diagnostics report from attempt_{num}_{n}_m_{num}_0: Error: java.io.IOException: Failed on local exception: Connection reset; Host Details: local host is: "{node}"
E@org.apache.hadoop.ipc.Client|Retrying connect to server: {node}/{ip}:8030. Already tried {try} time(s); retry policy is RetryUpToMaximumCountWithFixedSleep(maxRetries=10, sleepTime=1000 MILLISECONDS)
"""

SPARK = r"""
N*3@executor.Executor|Finished task {n}.0 in stage {n}.0 (TID {num}). {num} bytes result sent to driver
N*2@scheduler.TaskSetManager|Starting task {n}.0 in stage {n}.0 (TID {num}, {node}, executor {n}, partition {n}, PROCESS_LOCAL, {num} bytes)
N@scheduler.DAGScheduler|Job {n} finished: collect at {word}.scala:{n}, took {secs} s
N@storage.BlockManagerInfo|Added broadcast_{n}_piece0 in memory on {node}:{port} (size: {size}, free: {size})
N@spark.SecurityManager|Setting modify acls for application to user(s): {user}
R*2@storage.MemoryStore|Block rdd_{n}_{n} stored as values in memory (estimated size {size}, free {size})
R@storage.MemoryStore|MemoryStore started with capacity {gsize}
R@memory.TaskMemoryManager|Task {num} spilling sort data of {size} to disk ({n} times so far)
E*2@scheduler.TaskSetManager|Lost task {n}.0 in stage {n}.0 (TID {num}) ({node} executor {n}): java.io.FileNotFoundException: /tmp/spark-{uuid}/shuffle_{n}_{n}_0.data (No such file or directory)
E@network.client.TransportClientFactory|Failed to connect to {node}/{ip}:{port}, retrying ({try}/3)
E@scheduler.DAGScheduler|ShuffleMapStage {n} (map at {word}.scala:{n}) failed in {secs} s due to FetchFailed
C@cluster.YarnScheduler|Lost executor {n} on {node}: Container killed by YARN for exceeding memory limits. {gsize} of {gsize} physical memory used.
C@executor.CoarseGrainedExecutorBackend|RECEIVED SIGNAL TERM; driver disassociated, executor exiting with code 1
C@scheduler.TaskSetManager|Task {n} in stage {n}.0 failed 4 times; aborting job
H@ui.JettyUtils|GET /api/v1/applications/{appid}/jobs from {ip} returned {status} in {ms} ms
U@deploy.SparkSubmit|User {user} submitted application {word}-etl to {queue} with {n} executors
"""

OPENSTACK = r"""
H*8@nova.osapi_compute.wsgi.server|{ip} "{method} /v2.1/{hex16}/servers/{uuid} HTTP/1.1" status: {status} len: {num} time: {secs}
H*4@nova.osapi_compute.wsgi.server|{ip} "GET /v2.1/{hex16}/servers/detail?all_tenants=True HTTP/1.1" status: {status} len: {num} time: {secs}
H*2@nova.metadata.wsgi.server|{ip} "GET /openstack/2013-10-17/meta_data.json HTTP/1.1" status: {status} len: {num} time: {secs}
N*3@nova.compute.manager|[instance: {uuid}] Lifecycle event: VM started on {node}
N*2@nova.compute.manager|[instance: {uuid}] Instance spawned successfully in {secs} seconds.
N@nova.scheduler.host_manager|Instance list for host '{node}' synchronized with scheduler ({n} instances)
N@nova.compute.manager|[instance: {uuid}] Deleting instance from hypervisor as requested
N@nova.virt.libvirt.imagecache|image {uuid} at (/var/lib/nova/instances/_base/{sha}): checking
U*2@nova.api.openstack.compute.servers|User {user} (project {hex16}) requested server create '{word}-{n}' flavor {flavor} in zone {zone}
U@nova.api.openstack.compute.servers|User {user} rebooted instance {uuid} (type HARD)
R*2@nova.compute.claims|[instance: {uuid}] Total memory: {mb} MB, used: {mb} MB, memory limit: {mb} MB, free: {mb} MB
R@nova.compute.resource_tracker|Final resource view: name={node} phys_ram={mb}MB used_ram={mb}MB phys_disk={n}GB used_disk={n}GB total_vcpus={n} used_vcpus={n}
R@nova.quota|Quota exceeded for project {hex16}: instances used {n} of {n}, cores {n} of {n}
E*2@nova.compute.manager|[instance: {uuid}] Build of instance aborted: Failed to allocate the network(s), not rescheduling.
E@nova.compute.manager|[instance: {uuid}] Instance failed to spawn: libvirtError: internal error: process exited while connecting to monitor
E@oslo.messaging._drivers.impl_rabbit|AMQP server on {ip}:5672 is unreachable: timed out. Trying again in {n} seconds.
C@nova.compute.manager|Compute service of {node} is down: no heartbeat for {num} seconds, instances evacuated
C@nova.virt.libvirt.driver|Connection to libvirt lost: 1; nova-compute cannot continue
S@keystonemiddleware.auth_token|Authorization failed for token {hex16}: The request you have made requires authentication. (HTTP 401) from {ip}
S@nova.api.openstack.wsgi|Policy check for os_compute_api:servers:migrate failed with credentials user_id={hex16}: access denied
"""

NEUTRON = r"""
H*6@neutron.wsgi|{ip} "{method} /v2.0/ports/{uuid} HTTP/1.1" status: {status}  len: {num} time: {secs}
H*3@neutron.wsgi|{ip} "GET /v2.0/networks?tenant_id={hex16} HTTP/1.1" status: {status}  len: {num} time: {secs}
N*2@neutron.agent.securitygroups_rpc|Refresh firewall rules for ports {uuid}
N@neutron.plugins.ml2.plugin|Port {uuid} bound to host {node} via openvswitch
N@neutron.agent.dhcp.agent|DHCP configuration for ports {uuid} is completed
E@neutron.agent.linux.utils|Exit code: 1; Cmd: ['ip', 'netns', 'exec', 'qrouter-{uuid}', 'arping', '-c', '1', '{ip}']; Stderr: Interface {iface} not found
E@neutron.plugins.ml2.managers|Failed to bind port {uuid} on host {node} for vnic_type normal using segments
R@neutron.db.ipam_backend_mixin|Subnet {uuid} allocation pool usage {pct}% ({num} of {num} addresses)
U@neutron.api.v2.base|User {user} created security group rule allowing tcp/{sport} from {ip}/32
"""

CLOUDTRAIL = r"""
U*3|eventName=ConsoleLogin eventSource=signin.amazonaws.com userIdentity.arn={arn} sourceIPAddress={ip} responseElements.ConsoleLogin=Success MFAUsed=Yes
U*3|eventName={awswrite} eventSource={awssrc} awsRegion={region} userIdentity.arn={arn} sourceIPAddress={ip} requestID={uuid}
U|eventName=AssumeRole eventSource=sts.amazonaws.com userIdentity.arn={arn} roleSessionName={user}-session awsRegion={region}
U|eventName=CreateUser eventSource=iam.amazonaws.com userIdentity.arn={arn} requestParameters.userName={user}{n}
S*3|eventName=ConsoleLogin eventSource=signin.amazonaws.com userIdentity.arn={arn} sourceIPAddress={ip} responseElements.ConsoleLogin=Failure errorMessage="Failed authentication"
S*2|eventName={awswrite} eventSource={awssrc} userIdentity.arn={arn} sourceIPAddress={ip} errorCode=AccessDenied errorMessage="User is not authorized to perform this action"
S|eventName=GetSecretValue eventSource=secretsmanager.amazonaws.com userIdentity.type=Root sourceIPAddress={ip} awsRegion={region} (root credentials used)
S|eventName=StopLogging eventSource=cloudtrail.amazonaws.com userIdentity.arn={arn} sourceIPAddress={ip} (trail tampering)
S|eventName=PutBucketPolicy eventSource=s3.amazonaws.com bucket=acme-{word}-{n} policy grants Principal "*" s3:GetObject
H*2|eventName=GetObject eventSource=s3.amazonaws.com httpMethod=GET requestPath=/acme-{word}-{n}/{word}.json statusCode={status} bytesTransferredOut={bytes}
E|eventName={awswrite} eventSource={awssrc} awsRegion={region} errorCode=ThrottlingException errorMessage="Rate exceeded" requestID={uuid}
H|eventName=Invoke eventSource=lambda.amazonaws.com httpMethod=POST requestPath=/2015-03-31/functions/{app}-handler/invocations statusCode={status}
E|eventName=Invoke eventSource=lambda.amazonaws.com functionName={app}-handler errorCode=ServiceException errorMessage="Task timed out after {n}.00 seconds"
R|eventName=PutMetricData namespace=AWS/EC2 instanceId=i-{hex16} CPUUtilization={float} NetworkIn={big} bytes
R|service quota warning: account {acct} region {region} running On-Demand vCPUs {num} of limit {num}
N|eventName=DescribeInstances eventSource=ec2.amazonaws.com userAgent=aws-sdk-go/1.44 awsRegion={region} readOnly=true
N|eventName=Decrypt eventSource=kms.amazonaws.com userIdentity.invokedBy=ec2.amazonaws.com readOnly=true keyId={uuid}
C|eventName=DeleteDBInstance eventSource=rds.amazonaws.com dbInstanceIdentifier={db}-prod skipFinalSnapshot=true: instance {db}-prod lost without snapshot
C|health event AWS_EC2_INSTANCE_STORE_DRIVE_PERFORMANCE_DEGRADED instance i-{hex16} region {region}: hardware failure, instance retired
"""

FIREWALL = r"""
S*5|[UFW BLOCK] IN={iface} OUT= MAC={mac} SRC={ip} DST={ip} LEN={n} TOS=0x00 PREC=0x00 TTL={n} ID={num} DF PROTO=TCP SPT={port} DPT={sport} WINDOW={num} RES=0x00 SYN URGP=0
S*3|IPTABLES-DROP: IN={iface} OUT= SRC={ip} DST={ip} LEN={n} PROTO=UDP SPT={port} DPT={port} LEN={n}
S*2|iptables denied: IN={iface} SRC={ip} DST={ip} PROTO=TCP DPT=22 reason=port-scan threshold {n} exceeded
S@fail2ban-server|fail2ban.actions: NOTICE [sshd] Ban {ip}
S@fail2ban-server|fail2ban.filter: INFO [sshd] Found {ip} - {clf}
U@fail2ban-server|fail2ban.actions: NOTICE [sshd] Unban {ip} (manual unban by {user})
U@ufw|ufw: rule added by {user}: allow {sport}/tcp from {ip}
N*2|[UFW ALLOW] IN={iface} OUT= SRC={ip} DST={ip} PROTO=TCP SPT={port} DPT=443
N@fail2ban-server|fail2ban.server: INFO Starting Fail2ban v1.0.{n}
N@firewalld|firewalld: reloaded zone public ({n} rules)
R|nf_conntrack: {num} connections tracked, max {num} ({pct}% used)
E@iptables-restore|iptables-restore: line {n} failed: Couldn't load match `{word}':No such file or directory
"""

AUDITD = r"""
S*3|type=USER_AUTH msg=audit({auditts}): pid={pid} uid=0 auid=4294967295 ses=4294967295 msg='op=PAM:authentication grantors=? acct="{baduser}" exe="/usr/sbin/sshd" hostname={ip} addr={ip} terminal=ssh res=failed'
S*2|type=AVC msg=audit({auditts}): avc:  denied  { read } for  pid={pid} comm="{proc}" name="{word}" dev="{disk}1" ino={num} scontext=system_u:system_r:httpd_t:s0 tcontext=unconfined_u:object_r:user_home_t:s0 tclass=file permissive=0
E|type=ANOM_ABEND msg=audit({auditts}): auid={num} uid={uid} gid={uid} ses={n} pid={pid} comm="{proc}" reason="memory violation" sig=11
S|type=USER_CMD msg=audit({auditts}): pid={pid} uid={num} auid={num} msg='cwd="/tmp" cmd=2F62696E2F7368 exe="/usr/bin/sudo" terminal=pts/{n} res=failed'
S|type=SYSCALL msg=audit({auditts}): arch=c000003e syscall=2 success=no exit=-13 comm="{proc}" exe="/usr/bin/{proc}" key="shadow-access"
U*3|type=USER_LOGIN msg=audit({auditts}): pid={pid} uid=0 auid={num} ses={n} msg='op=login id={num} exe="/usr/sbin/sshd" hostname={ip} addr={ip} terminal=/dev/pts/{n} res=success'
U*2|type=USER_START msg=audit({auditts}): pid={pid} uid=0 auid={num} ses={n} msg='op=PAM:session_open grantors=pam_unix acct="{user}" exe="/usr/bin/sudo" res=success'
U|type=ADD_USER msg=audit({auditts}): pid={pid} uid=0 auid={num} msg='op=add-user id={num} exe="/usr/sbin/useradd" res=success'
U|type=EXECVE msg=audit({auditts}): argc=3 a0="systemctl" a1="restart" a2="{unit}"
N*2|type=SERVICE_START msg=audit({auditts}): pid=1 uid=0 auid=4294967295 msg='unit={unit} comm="systemd" exe="/usr/lib/systemd/systemd" res=success'
N|type=DAEMON_START msg=audit({auditts}): op=start ver=3.1.{n} format=enriched kernel=6.5.0 auid=4294967295 pid={pid} res=success
R|type=DAEMON_ERR msg=audit({auditts}): audit backlog limit exceeded: backlog={num} limit=8192 lost={num}
E|type=SERVICE_START msg=audit({auditts}): pid=1 uid=0 msg='unit={unit} comm="systemd" exe="/usr/lib/systemd/systemd" res=failed'
"""

WINDOWS = r"""
S*4!Audit Failure@Microsoft-Windows-Security-Auditing|An account failed to log on. Subject: Security ID: NULL SID Account Name: {baduser} Failure Reason: Unknown user name or bad password. Source Network Address: {ip}
S!Audit Failure@Microsoft-Windows-Security-Auditing|The user account {user} was locked out after {n} failed attempts. Caller Computer Name: WS-{num}
S!Audit Success@Microsoft-Windows-Security-Auditing|A member was added to a security-enabled global group. Group Name: Domain Admins Member: CN={user}
S@Microsoft-Windows-Defender|Microsoft Defender Antivirus has detected malware: Trojan:Win32/{word}!ml in C:\Users\{user}\Downloads\{word}.exe
S@Microsoft-Windows-Eventlog|The audit log was cleared. Subject: Account Name: {user}
U*3!Audit Success@Microsoft-Windows-Security-Auditing|An account was successfully logged on. Account Name: {user} Logon Type: {n} Source Network Address: {ip}
U!Audit Success@Microsoft-Windows-Security-Auditing|An account was logged off. Account Name: {user} Logon ID: 0x{hex8}
U!Audit Success@Microsoft-Windows-Security-Auditing|A user account was changed. Target Account Name: {user} Changed by: {user}
H@W3SVC1|{ip} {method} {url} - 443 {user} {ip} {ua} {status} 0 0 {ms}
N*2@Service Control Manager|The {word} Update Service service entered the running state.
N@Service Control Manager|The Windows Modules Installer service entered the stopped state.
N@Microsoft-Windows-Kernel-General|The system time has changed to {clf} from {clf}.
N@EventLog|The Event log service was started.
N@Microsoft-Windows-WindowsUpdateClient|Installation Successful: Windows successfully installed the following update: KB{big}
E*2@Service Control Manager|The {word} Agent service terminated with the following error: The system cannot find the file specified.
E@Microsoft-Windows-DistributedCOM|The server {uuid} did not register with DCOM within the required timeout.
E@Application Error|Faulting application name: {word}.exe, version: {version}, faulting module name: ntdll.dll, exception code: 0xc0000005
C@Microsoft-Windows-Kernel-Power|The system has rebooted without cleanly shutting down first. This error could be caused if the system stopped responding, crashed, or lost power unexpectedly.
C@BugCheck|The computer has rebooted from a bugcheck. The bugcheck was: 0x0000007e (0xffffffffc0000005, 0x{hex16}). A dump was saved in: C:\Windows\MEMORY.DMP.
C@disk|The device, \Device\Harddisk{n}\DR{n}, has a bad block.
R@Microsoft-Windows-Resource-Exhaustion-Detector|Windows successfully diagnosed a low virtual memory condition. {word}.exe ({pid}) consumed {big} bytes
R@srv|The server was unable to allocate from the system nonpaged pool because the pool was empty ({num} allocations).
R@Microsoft-Windows-Kernel-Power|Battery level {pct}%, estimated remaining time {n} minutes, power source: DC
"""

ANDROID = r"""
U*3@ActivityManager|START u0 {act=android.intent.action.MAIN cat=[android.intent.category.LAUNCHER] flg=0x10200000 cmp={pkg}/.MainActivity} from uid {num}
U*2@PowerManagerService|Waking up from sleep (uid {num} reason=android.policy:POWER)
U@PowerManagerService|Going to sleep due to power button (uid {num})...
U@StepCounter|onStepChanged: total steps {num}, today {num}
U@InputDispatcher|Delivering touch to {pkg}/.{word}Activity: action=0x1, x={num}, y={num}
U@{pkg}|user tapped "{word}" on screen {word}_detail
U@PackageManager|Package {pkg} installed by user 0 (version {version})
N*3@ActivityManager|Displayed {pkg}/.MainActivity: +{ms}ms
N*2@WifiStateMachine|{iface}: CONNECTED to SSID "{word}-net" rssi=-{n}
N@BluetoothAdapter|getState(): STATE_ON
N@JobScheduler|Running job {num} for {pkg} (periodic sync)
N@AlarmManager|set alarm type=RTC_WAKEUP when={big} for {pkg}
H@OkHttp|<-- {status} https://{domain}{url} ({ms}ms, {size} body)
H@OkHttp|--> {method} https://{domain}{url} h2 ({bytes}-byte body)
R*2@BatteryService|level:{pct} scale:100 status:2 health:2 present:true voltage:{num} temperature:{num}
R@ActivityManager|Low on memory: {num}K free, {n} cached processes, trimming {pkg}
R@StorageManager|Storage low: {gsize} free of {gsize} on /data
E*2@AndroidRuntime|FATAL EXCEPTION: main Process: {pkg}, PID: {pid} java.lang.IllegalStateException: Fragment not attached to a context.
E@{pkg}|Failed to sync account data: java.net.UnknownHostException: Unable to resolve host "{domain}"
E@MediaPlayer|error (1, -{num}) while preparing stream
C@ActivityManager|ANR in {pkg} (Reason: Input dispatching timed out (Waiting to send non-key event because the touched window has not finished processing)), process killed
C@lowmemorykiller|Killing '{pkg}' ({pid}), adj {num}, to free {kb}kB because cache {kb}kB is below limit
C@watchdog|*** WATCHDOG KILLING SYSTEM PROCESS: Blocked in handler on main thread (android.ui)
S@PackageManager|Signature verification failed for {pkg}: signatures do not match the previously installed version; ignoring!
S@keystore|Fingerprint authentication failed for uid {num} ({n} attempts), lockout for 30 seconds
"""

BGL = r"""
N*4@KERNEL|writing core file core.{num} for rank {n}
N*3@KERNEL|L1 instruction cache parity error corrected on core {n}
N*2@KERNEL|CE sym {n}, at 0x{hex8}, mask 0x{hex8}
N@MMCS|idoproxy communication started for block {word}_{n}
N@KERNEL|{n} ddr errors(s) detected and corrected on rank 0, symbol {n}, bit {n}
C*2@KERNEL|machine check interrupt (bit=0x{hex8}): L2 dcache unit data parity error
C@KERNEL|uncorrectable torus receiver error on link {n}, node card {bgl} halted
C@MONITOR|node card {bgl} power module {n} failed: voltage out of range, card powered off
C@KERNEL|rts: kernel panic on core {n}, halting node
C@APP|ciod: Error loading /bgl/apps/{word}/bin/{word}: invalid or missing program image, Exec format error
C@HARDWARE|Link card {bgl} declared dead: no response to {n} consecutive polls
E*2@KERNEL|data TLB error interrupt at 0x{hex8} on core {n}
E@APP|ciod: failed to read message prefix on control stream (CioStream socket to {ip}:{port})
E@KERNEL|MidplaneSwitchController performing bit sparing on {bgl} bit {n}
E@DISCOVERY|Node card VPD check: missing {n} nodes on {bgl}
R*2@MONITOR|fan module {bgl} speed {num} rpm, ambient temperature {temp}C
R@MONITOR|power supply {bgl} output {float} V, {float} A, {num} W
R@KERNEL|corrected {n} DDR errors on rank {n} in the last {num} seconds
S@MMCS|security: unauthorized JTAG access attempt to {bgl} from service node {ip}
U@MMCS|job {num} submitted by {user} on partition {word} ({n} nodes)
"""

HAPROXY = r"""
H*12|{ip}:{port} [{clfms}] fe_https~ be_{app}/{app}-{n} 0/0/{n}/{ms}/{ms} {status} {bytes} - - ---- {n}/{n}/{n}/{n}/0 0/0 "{method} {url} HTTP/1.1"
H*2|{ip}:{port} [{clfms}] fe_http be_{app}/<NOSRV> 0/-1/-1/-1/{ms} 503 217 - - SC-- {n}/{n}/0/0/0 0/0 "GET {url} HTTP/1.1"
E*3|Server be_{app}/{app}-{n} is DOWN, reason: Layer4 connection problem, info: "Connection refused", check duration: {ms}ms. {n} active and 0 backup servers left.
E|Server be_{app}/{app}-{n} is DOWN, reason: Layer7 wrong status, code: 500, info: "Internal Server Error", check duration: {ms}ms.
E|{ip}:{port} [{clfms}] fe_https/1: SSL handshake failure
C*2|backend be_{app} has no server available!
C|Proxy fe_https stopped (cumulated conns: FE: {num}, BE: 0) - haproxy exiting on fatal error
N*2|Server be_{app}/{app}-{n} is UP, reason: Layer7 check passed, code: 200, check duration: {ms}ms. {n} active and 0 backup servers online.
N|Proxy fe_https started.
N|Loading success.
N|Reexecuting Master process
R|Server be_{app}/{app}-{n}: current sessions {n}, max {num}, queue {n}, {num} req/s
R|global maxconn reached ({num}), {num} connections queued
S|{ip}:{port} denied by ACL bad_bots on frontend fe_https (tarpit {n}s)
S|stick-table abuse: {ip} exceeded http_req_rate({num}/10s), connection rejected
"""

POSTFIX = r"""
N*4@postfix/qmgr|{hex12}: from=<{email}>, size={num}, nrcpt={n} (queue active)
N*3@postfix/smtp|{hex12}: to=<{email}>, relay={domain}[{ip}]:25, delay={float}, delays=0.1/0/0.2/0.3, dsn=2.0.0, status=sent (250 2.0.0 OK)
N*2@postfix/smtpd|connect from unknown[{ip}]
N@postfix/smtpd|disconnect from unknown[{ip}] ehlo=1 mail=1 rcpt=1 data=1 quit=1 commands=5
N@postfix/cleanup|{hex12}: message-id=<{uuid}@{domain}>
N@postfix/qmgr|{hex12}: removed
U@postfix/smtpd|{hex12}: client=unknown[{ip}], sasl_method=PLAIN, sasl_username={email}
U@postfix/sendmail|{user} submitted message {hex12} to {n} recipients via sendmail
S*3@postfix/smtpd|warning: unknown[{ip}]: SASL LOGIN authentication failed: UGFzc3dvcmQ6
S@postfix/smtpd|NOQUEUE: reject: RCPT from unknown[{ip}]: 554 5.7.1 <{email}>: Relay access denied; from=<{email}> to=<{email}> proto=ESMTP
S@postfix/smtpd|NOQUEUE: reject: RCPT from unknown[{ip}]: 550 5.7.1 Client host rejected: listed by zen.spamhaus.org
E*2@postfix/smtp|{hex12}: to=<{email}>, relay=none, delay={float}, status=deferred (connect to {domain}[{ip}]:25: Connection timed out)
E@postfix/smtp|{hex12}: to=<{email}>, relay={domain}[{ip}]:25, dsn=5.1.1, status=bounced (host said: 550 5.1.1 User unknown)
C@postfix/master|fatal: bind 0.0.0.0 port 25: Address already in use
C@postfix/qmgr|fatal: scan_dir_push: open directory defer: Permission denied; mail system halted
R@postfix/qmgr|warning: mail queue size {num} messages ({size}), {n} deferred
R@postfix/smtpd|warning: not enough free space in mail queue: {big} bytes < 1.5*message size limit
"""

BIND = r"""
N*6@queries|client @0x{hex12} {ip}#{port} ({domain}): query: {domain} IN A +E(0)K ({ip})
N*2@queries|client @0x{hex12} {ip}#{port} ({domain}): query: {domain} IN AAAA + ({ip})
N@general|zone {domain}/IN: loaded serial {big}
N@general|all zones loaded
N@general|server is up and running
N@xfer-out|client @0x{hex12} {ip}#{port} ({domain}): transfer of '{domain}/IN': AXFR-style IXFR ended
E*2@resolver|{domain}/A: network unreachable resolving '{domain}/A/IN': {ip}#53
E@lame-servers|timed out resolving '{domain}/AAAA/IN': {ip}#53
E@dnssec|validating {domain}/DNSKEY: no valid signature found
S*2@security|client @0x{hex12} {ip}#{port} ({domain}): zone transfer '{domain}/AXFR/IN' denied
S@security|client @0x{hex12} {ip}#{port} ({domain}): query (cache) '{domain}/ANY/IN' denied
S@rate-limit|limit responses to {ip}/24 for {domain} IN ANY ({hex8})
C@general|loading configuration: failure; exiting (due to fatal error)
C@general|zone {domain}/IN: journal file is corrupt: unexpected end of input; not loaded
R@general|recursive-clients soft limit exceeded ({num}/{num}/{num}), aborting oldest query
R@stats|cache size {size}, {num} records, hit rate {float}%
H@doh|DoH request GET /dns-query?dns={hex16} from {ip}:{port} status {status} ({bytes} bytes)
U@update|client @0x{hex12} {ip}#{port}/key {user}-ddns: updating zone '{domain}/IN': adding an RR at 'host-{n}.{domain}' A {ip}
"""

CICD = r"""
U*3@trigger|Pipeline #{num} triggered by {user} for branch {branch} (commit {hex8})
U*2@trigger|{user} approved deployment of {app} v{version} to production
U@trigger|Job {job} manually retried by {user}
U@trigger|{user} cancelled pipeline #{num}
N*4@runner|Job {job} #{num} succeeded in {dur}
N*2@runner|Running with gitlab-runner 16.{n}.0 on runner-{hex8} (docker executor)
N@runner|Checking out {hex8} as detached HEAD (ref is {branch})...
N@runner|Restoring cache for key {job}-{hex8}
N@runner|Uploading artifacts for successful job (dist/, {n} files)
N@deploy|Deployment of {app} v{version} to staging finished: {n}/{n} pods updated
E*3@runner|Job {job} #{num} failed: exit code {n} (script failure)
E@runner|ERROR: Job failed: execution took longer than 1h0m0s seconds
E@runner|npm ERR! code ERESOLVE unable to resolve dependency tree in {app}
E@deploy|helm upgrade {app} failed: timed out waiting for the condition (rolled back to revision {n})
E@runner|FAIL tests/test_{word}.py::test_{word}_{n} - AssertionError: assert {num} == {num}
C@runner|Runner runner-{hex8} is unhealthy: executor docker daemon unreachable, all jobs failing
C@deploy|Production deploy of {app} aborted: database migration {num} failed, service down for {n} minutes
H@runner|POST https://gitlab.acme.io/api/v4/jobs/request {status} in {ms}ms (runner-{hex8})
R@runner|Cache size {size} exceeds limit {size}, pruning {n} oldest entries
R@runner|Runner concurrency: {n}/{n} jobs running, {n} pending in queue
S@trigger|Blocked pipeline #{num}: secret detection found an AWS access key in {path}
S@trigger|Protected branch main: push by {baduser} rejected (insufficient permissions)
"""

PAYMENTS = r"""
U*4@checkout|order {num} placed by customer {num} amount={amount} {cur} items={n}
U*2@checkout|customer {num} added card ending {num} ({card}) to wallet
U@checkout|customer {num} requested refund for order {num} amount={amount} {cur}
U@account|customer {num} changed shipping address (country={word})
U@account|customer {num} subscribed to plan premium-annual
N*3@payments|payment {uuid} captured amount={amount} {cur} provider={card} latency={ms}ms
N*2@payments|settlement batch {num} closed: {num} transactions
N@ledger|ledger entry {uuid} posted to account {num}
N@payments|webhook charge.succeeded for {uuid} delivered in {ms}ms
E*3@payments|payment {uuid} declined by issuer: insufficient_funds (card {card})
E@payments|provider timeout after {ms}ms authorizing payment {uuid}, retrying ({try}/3)
E@payments|webhook delivery to {domain} failed with status 502, will retry in {n}s
E@ledger|idempotency conflict for key {hex16}: request already in progress
C@payments|payment processor unavailable: circuit breaker OPEN for provider {card}, all captures failing
C@ledger|ledger balance mismatch of {amount} {cur} for account {num}; writes halted to prevent data loss
S*2@fraud|fraud score {pct} for payment {uuid} from {ip}: velocity rule triggered, payment blocked
S@fraud|card testing suspected: {num} failed authorizations from {ip} in {n} minutes, IP blocked
S@account|account takeover suspected for customer {num}: login from new country, session revoked
R@payments|rate limit usage for provider {card}: {num}/{num} requests per minute ({pct}%)
R@payments|connection pool payments-db: {n} active, {n} idle, {n} waiting, max {n}
H@gateway|outbound POST https://api.{card}.example/v1/authorize -> {status} ({ms} ms, {bytes} bytes)
H*2@gateway|POST /v1/charges {status} {ms}ms idempotency_key={hex16}
"""

ENVOY = r"""
H*10|[{clf}] "{method} {url} HTTP/2" {status} - via_upstream - "-" {bytes} {bytes} {ms} {ms} "{ip}" "{ua}" "{uuid}" "{app}.{ns}.svc.cluster.local:8080" "{ip}:8080" outbound|8080||{app}.{ns}.svc.cluster.local
H*2|[{clf}] "GET /healthz/ready HTTP/1.1" {status} - - - "-" 0 0 {n} - "-" "kube-probe/1.28" "{uuid}" "-" "-"
E*2|[{clf}] "{method} {url} HTTP/2" 503 UF upstream_reset_before_response_started(connection_failure) - "-" 0 {n} {ms} - "{ip}" "{ua}" "{uuid}" "{app}.{ns}.svc.cluster.local:8080" "-"
E|[{clf}] "{method} {url} HTTP/2" 504 UT response_timeout - "-" 0 {n} {ms} - "{ip}" "{ua}" "{uuid}" "{app}:8080" "{ip}:8080"
E|gRPC config stream to xds-grpc closed since {n}s ago: 14, connection error: desc = "transport: Error while dialing: dial tcp {ip}:15012: i/o timeout"
S|[{clf}] "{method} {url} HTTP/2" 403 - rbac_access_denied_matched_policy[none] - "-" 0 19 {n} - "{ip}" "{ua}" "{uuid}" "{app}:8080" "-"
S|[{clf}] "POST {url} HTTP/2" 401 - jwt_authn_access_denied(Jwt_verification_fails) - "-" 0 {n} {n} - "{ip}" "{ua}" "{uuid}" "{app}:8080" "-"
S|TLS error: 268435581:SSL routines:OPENSSL_internal:CERTIFICATE_VERIFY_FAILED from peer {ip}:{port}
N*2|cds: add {n} cluster(s), remove {n} cluster(s)
N|lds: add/update listener '0.0.0.0_{sport}'
N|all clusters initialized. initializing init manager
N|Envoy proxy is ready
C|Envoy exited with code 1: error initializing configuration '/etc/istio/proxy/envoy-rev.json': Unable to parse JSON
R|overload manager: envoy.resource_monitors.fixed_heap at {float}% of max heap {mb}MB, shedding load
R|circuit breaker open for cluster outbound|8080||{app}.{ns}.svc.cluster.local: {n} pending requests, max_pending_requests {n}
"""

TRAEFIK = r"""
H*6|{ip} - - [{clf}] "{method} {url} HTTP/1.1" {status} {bytes} "-" "-" {num} "{app}@kubernetescrd" "http://{ip}:8080" {ms}ms
H|request {method} {url} from {ip} forwarded to router {app}@docker, service answered {status} after {ms}ms
N*2|Configuration loaded from flags.
N|Starting provider *crd.Provider
N|Adding certificate for domain(s) {domain}
E|Error while peeking first byte: read tcp {ip}:443->{ip}:{port}: i/o timeout
E|Unable to obtain ACME certificate for domains "{domain}": unable to generate a certificate for the domains [{domain}]: acme: error: 429 :: rateLimited
E|'502 Bad Gateway' caused by: dial tcp {ip}:8080: connect: connection refused
S|Rate limit exceeded for {ip} on middleware {app}-ratelimit@file (average {n}/s, burst {n})
S|ipallowlist: rejecting request from {ip}: not in allowed source range for router admin@file
C|command traefik error: error while building entryPoint websecure: error preparing server: listen tcp :443: bind: permission denied
U|Dashboard accessed by {user} from {ip} with basic auth
R|Service {app}@kubernetes: {n} active connections, {num} requests/s, {size} transferred
"""

VAULT = r"""
U*4|audit: type=response auth.display_name={user} request.operation=read request.path=secret/data/{app}/config response.status=success remote_address={ip}
U*2|audit: type=request auth.display_name=oidc-{email} request.operation=update request.path=auth/token/renew-self remote_address={ip}
U|audit: {user} created policy {app}-read via sys/policies/acl/{app}-read
U|core: user {email} enabled secrets engine kv-v2 at path {app}/
S*3|audit: type=response error="permission denied" auth.display_name={user} request.operation=read request.path=secret/data/prod/{app} remote_address={ip}
S|audit: type=request error="invalid token" request.path=sys/seal remote_address={ip}
S|core: failed to authenticate: method=userpass username={baduser} error="invalid username or password" remote_address={ip}
S|core: root token generated by {user} from {ip}
N*2|core: successfully unsealed with {n} keys
N|core: post-unseal setup complete
N|expiration: revoked lease: lease_id=auth/kubernetes/login/{hex16}
N|core: acquired lock, enabling active operation
E|storage.raft: failed to heartbeat to: peer={ip}:8201 backoff time={ms}ms error="dial tcp {ip}:8201: connect: connection refused"
E|expiration: failed to revoke lease: lease_id=database/creds/{app}/{hex16} error="failed to revoke entry: connection reset by peer"
C|core: vault is sealed: barrier integrity check failed, shutting down
C|storage.raft: raft cluster lost quorum: {n} of {n} voters unreachable, writes disabled
R|storage.raft: snapshot size {size}, log entries {num}, disk usage {pct}%
R|core: lease count {num} of max {num} ({pct}%)
"""

HARDWARE = r"""
C*2@smartd|Device: /dev/{disk} [SAT], FAILED SMART self-check. BACK UP DATA NOW!
C@smartd|Device: /dev/{disk} [SAT], {n} Currently unreadable (pending) sectors
C@ipmievd|Power Supply #{n} | Failure detected | Asserted
C@ipmievd|Memory #{n} | Uncorrectable ECC | Asserted (DIMM_{word})
C@mdadm|DegradedArray event detected on md device /dev/md{n}: disk /dev/{disk}1 faulty
E@smartd|Device: /dev/{disk} [SAT], SMART Usage Attribute: 187 Reported_Uncorrect changed from {n} to {n}
E@ipmievd|Fan #{n} | Lower Critical going low | Asserted, reading {num} RPM
E@chronyd|Can't synchronise: no selectable sources
R*2@smartd|Device: /dev/{disk} [SAT], SMART Usage Attribute: 194 Temperature_Celsius changed from {n} to {temp}
R@ipmievd|Temp #{n} | Upper Non-critical going high | reading {temp} C, threshold 85 C
R@upsd|UPS ups@localhost on battery, charge {pct}%, runtime {num} s, load {pct}%
R@sensors|coretemp-isa-0000 Package id 0: +{temp}.0 C (high = +80.0 C, crit = +100.0 C)
N*2@chronyd|Selected source {ip} (ntp.{domain})
N@chronyd|System clock wrong by {float} seconds, adjustment started
N@smartd|Device: /dev/{disk}, opened
N@smartd|Device: /dev/{disk} [SAT], is SMART capable. Adding to "monitor" list.
N@upsd|UPS ups@localhost on line power
N@mdadm|RebuildFinished event detected on md device /dev/md{n}
U@ipmitool|{user} issued chassis power cycle via IPMI from {ip}
S@ipmievd|Chassis intrusion detected | Physical Security | Asserted
S@sshd-bmc|BMC login failed for user {baduser} from {ip} (IPMI over LAN)
"""

FAMILY_SPECS: dict[str, FamilySpec] = {
    "sshd": FamilySpec("syslog", "sshd", ("sshd",), _hosts("bastion", 4), "syslog", SSHD, 1.5),
    "sudo": FamilySpec("syslog", "sudo", ("sudo", "sudo", "su"), _hosts("app", 8), "syslog", SUDO),
    "nginx_access": FamilySpec(
        "bare", "nginx", ("access",), _hosts("web", 6), "std", NGINX_ACCESS, 2.5
    ),
    "nginx_error": FamilySpec(
        "nginx_error", "nginx", ("error",), _hosts("web", 6), "syslog", NGINX_ERROR
    ),
    "apache_access": FamilySpec(
        "bare", "httpd", ("access",), _hosts("www", 4), "std", APACHE_ACCESS, 1.5
    ),
    "apache_error": FamilySpec(
        "apache_error", "httpd", ("core",), _hosts("www", 4), "syslog", APACHE_ERROR
    ),
    "kernel": FamilySpec(
        "kernel", "kernel", ("kernel",), _hosts("node", 12), "syslog", KERNEL, 1.5
    ),
    "systemd": FamilySpec("syslog", "systemd", ("systemd",), _hosts("node", 12), "syslog", SYSTEMD),
    "cron": FamilySpec("syslog", "CRON", ("cron",), _hosts("node", 12), "syslog", CRON),
    "kubelet": FamilySpec(
        "klog", "kubelet", ("kubelet.go:2432",), _hosts("k8s-worker", 10), "std", KUBELET
    ),
    "kube_apiserver": FamilySpec(
        "klog", "kube-apiserver", ("httplog.go:132",), _hosts("k8s-cp", 3), "std", KUBE_APISERVER
    ),
    "kube_scheduler": FamilySpec(
        "klog",
        "kube-scheduler",
        ("schedule_one.go:286",),
        _hosts("k8s-cp", 3),
        "std",
        KUBE_SCHEDULER,
    ),
    "docker": FamilySpec("logfmt", "dockerd", ("dockerd",), _hosts("docker", 6), "std", DOCKER),
    "java_app": FamilySpec(
        "log4j", "http-nio-8080-exec-1", ("com.acme.Main",), _hosts("orders", 5), "std", JAVA_APP
    ),
    "python_app": FamilySpec("pylog", "gunicorn", ("app",), _hosts("api", 5), "py", PYTHON_APP),
    "postgresql": FamilySpec(
        "postgres", "postgres", ("postgres",), _hosts("pg", 3), "pg", POSTGRES
    ),
    "mysql": FamilySpec("mysql", "mysqld", ("Server",), _hosts("mysql", 3), "std", MYSQL),
    "mongodb": FamilySpec("mongo", "mongod", ("NETWORK",), _hosts("mongo", 3), "std", MONGODB),
    "redis": FamilySpec("redis", "redis-server", ("redis",), _hosts("redis", 3), "std", REDIS),
    "elasticsearch": FamilySpec(
        "elastic", "elasticsearch", ("o.e.n.Node",), _hosts("es-data", 6), "std", ELASTICSEARCH
    ),
    "kafka": FamilySpec(
        "kafka", "kafka", ("kafka.server.KafkaServer",), _hosts("kafka", 3), "std", KAFKA
    ),
    "zookeeper": FamilySpec("zk", "zookeeper", ("QuorumPeer",), _hosts("zk", 3), "std", ZOOKEEPER),
    "hdfs": FamilySpec("log4j", "DataXceiver", ("hdfs",), _hosts("dn", 20), "std", HDFS),
    "yarn": FamilySpec("log4j", "AsyncDispatcher", ("yarn",), _hosts("nm", 20), "std", YARN),
    "spark": FamilySpec("spark", "spark", ("spark",), _hosts("spark-exec", 20), "std", SPARK),
    "openstack_nova": FamilySpec(
        "openstack", "nova", ("nova",), _hosts("compute", 8), "std", OPENSTACK
    ),
    "openstack_neutron": FamilySpec(
        "openstack", "neutron", ("neutron",), _hosts("network", 3), "std", NEUTRON
    ),
    "cloudtrail": FamilySpec(
        "cloudtrail",
        "cloudtrail",
        ("cloudtrail",),
        ("aws-account-prod", "aws-account-dev"),
        "std",
        CLOUDTRAIL,
    ),
    "firewall": FamilySpec("syslog", "kernel", ("kernel",), _hosts("fw", 2), "syslog", FIREWALL),
    "auditd": FamilySpec("bare", "auditd", ("auditd",), _hosts("node", 12), "std", AUDITD),
    "windows": FamilySpec(
        "windows",
        "4624",
        ("Microsoft-Windows-Security-Auditing",),
        _hosts("WIN-DC", 3),
        "win",
        WINDOWS,
    ),
    "android": FamilySpec(
        "android", "app", ("ActivityManager",), _hosts("pixel", 8), "std", ANDROID
    ),
    "bgl": FamilySpec("ras", "ras", ("KERNEL",), _hosts("R02-M1-N0", 16), "ras", BGL),
    "haproxy": FamilySpec("syslog", "haproxy", ("haproxy",), _hosts("lb", 2), "syslog", HAPROXY),
    "postfix": FamilySpec(
        "syslog", "postfix", ("postfix/smtpd",), _hosts("mx", 2), "syslog", POSTFIX
    ),
    "bind": FamilySpec("bind", "named", ("general",), _hosts("ns", 2), "syslog", BIND),
    "cicd": FamilySpec("iso", "runner", ("runner",), _hosts("ci-runner", 4), "std", CICD),
    "payments": FamilySpec("logfmt", "payments", ("payments",), _hosts("pay", 4), "std", PAYMENTS),
    "envoy": FamilySpec("bare", "envoy", ("envoy",), _hosts("istio-proxy", 6), "std", ENVOY),
    "traefik": FamilySpec("logfmt", "traefik", ("traefik",), _hosts("edge", 2), "std", TRAEFIK),
    "vault": FamilySpec("iso", "vault", ("vault",), _hosts("vault", 3), "std", VAULT),
    "hardware": FamilySpec("syslog", "smartd", ("smartd",), _hosts("node", 12), "syslog", HARDWARE),
}
