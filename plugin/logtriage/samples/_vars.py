"""Variable samplers for the sample-log templates.

Each sampler takes a ``random.Random`` and returns a non-empty string. The pools are
written from general knowledge of what such values look like; nothing is taken from
any third-party log corpus.
"""

from __future__ import annotations

import random
from collections.abc import Callable

Sampler = Callable[[random.Random], str]

USERS = (
    "root",
    "admin",
    "ubuntu",
    "alice",
    "bob",
    "deploy",
    "git",
    "postgres",
    "jenkins",
    "carol",
    "dave",
    "erin",
    "mlopez",
    "kchen",
    "jsmith",
    "asingh",
    "svc-backup",
    "ops",
    "www-data",
    "ec2-user",
    "frank",
    "grace",
    "hnguyen",
    "ivan",
    "tmueller",
)
BAD_USERS = (
    "admin",
    "test",
    "oracle",
    "pi",
    "user",
    "ubnt",
    "guest",
    "support",
    "ftp",
    "mysql",
    "hadoop",
    "www",
    "tomcat",
    "nagios",
    "default",
    "administrator",
    "steam",
    "minecraft",
    "teamspeak",
    "postgres1",
    "dev",
    "vagrant",
    "odoo",
    "zabbix",
)
DOMAINS = (
    "example.com",
    "acme.io",
    "shop.example.net",
    "corp.internal",
    "mail.example.org",
    "api.acme.io",
    "cdn.example.com",
    "partner-bank.example",
    "status.acme.io",
)
NAMESPACES = ("default", "payments", "checkout", "kube-system", "monitoring", "search", "auth")
APPS = (
    "api",
    "web",
    "checkout",
    "payments",
    "orders",
    "inventory",
    "auth",
    "search",
    "notifier",
    "billing",
    "gateway",
    "worker",
    "catalog",
    "cart",
    "ledger",
)
IMAGES = (
    "nginx:1.25.3",
    "redis:7.2-alpine",
    "postgres:16.1",
    "registry.acme.io/payments/api:v2.3.1",
    "registry.acme.io/orders/worker:v1.18.0",
    "busybox:1.36",
    "grafana/grafana:10.2.2",
    "docker.elastic.co/elasticsearch/elasticsearch:8.11.1",
    "python:3.12-slim",
)
UNITS = (
    "nginx.service",
    "docker.service",
    "sshd.service",
    "cron.service",
    "postgresql.service",
    "redis-server.service",
    "kubelet.service",
    "containerd.service",
    "rsyslog.service",
    "systemd-journald.service",
    "NetworkManager.service",
    "elasticsearch.service",
    "backup.timer",
    "logrotate.service",
    "apt-daily.service",
    "node-exporter.service",
)
URL_PATHS = (
    "/",
    "/login",
    "/logout",
    "/api/v1/orders",
    "/api/v1/orders/{n}",
    "/api/v1/users/{n}",
    "/api/v2/cart/{hex}",
    "/static/js/app.{hex}.js",
    "/static/css/main.{hex}.css",
    "/healthz",
    "/metrics",
    "/favicon.ico",
    "/robots.txt",
    "/search?q={word}",
    "/products/{n}",
    "/checkout",
    "/api/v1/payments/{n}/capture",
    "/wp-login.php",
    "/images/{word}.png",
    "/api/v1/sessions",
    "/admin",
    "/api/v1/inventory/{n}",
)
WORDS = (
    "shoes",
    "laptop",
    "coffee",
    "banner",
    "logo",
    "report",
    "invoice",
    "summer",
    "kettle",
    "camera",
    "hero",
    "avatar",
    "chair",
    "lamp",
)
AGENTS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_2) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.2 Safari/605.1.15",
    "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0",
    "curl/8.4.0",
    "python-requests/2.31.0",
    "kube-probe/1.28",
    "Go-http-client/1.1",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148",
    "Prometheus/2.48.0",
)
STATUS = (
    200,
    200,
    200,
    200,
    200,
    200,
    201,
    204,
    301,
    302,
    304,
    304,
    400,
    401,
    403,
    404,
    404,
    409,
    429,
    500,
    502,
    503,
    504,
)
METHODS = ("GET", "GET", "GET", "GET", "POST", "POST", "PUT", "DELETE", "PATCH", "HEAD")
DIRS = ("/var/lib/app", "/srv/data", "/home/{user}", "/opt/acme", "/var/log", "/tmp", "/etc/acme")
FILES = (
    "config.yaml",
    "data.db",
    "index.html",
    "cache.bin",
    "report.csv",
    "state.json",
    "app.log",
    "upload.tmp",
    "segment_{n}.dat",
    "backup.tar.gz",
)
JCLASSES = (
    "com.acme.orders.OrderService",
    "com.acme.payments.PaymentGateway",
    "com.acme.inventory.StockRepository",
    "org.springframework.web.servlet.DispatcherServlet",
    "org.hibernate.engine.jdbc.spi.SqlExceptionHelper",
    "com.zaxxer.hikari.pool.HikariPool",
    "org.apache.catalina.core.StandardWrapperValve",
    "com.acme.auth.TokenValidator",
    "io.netty.channel.nio.NioEventLoop",
    "com.acme.billing.InvoiceJob",
)
JMETHODS = (
    "process",
    "handle",
    "invoke",
    "doFilter",
    "execute",
    "run",
    "apply",
    "call",
    "findById",
    "save",
    "capture",
    "validate",
    "getConnection",
    "lambda$submit$0",
)
JEXC = (
    "java.lang.NullPointerException",
    "java.lang.IllegalStateException",
    "java.lang.IllegalArgumentException",
    "java.sql.SQLTransientConnectionException",
    "java.net.SocketTimeoutException",
    "java.io.IOException",
    "org.springframework.dao.DataIntegrityViolationException",
    "java.util.concurrent.TimeoutException",
    "java.net.ConnectException",
    "com.fasterxml.jackson.core.JsonParseException",
)
PYEXC = (
    "KeyError: '{word}'",
    "ValueError: invalid literal for int() with base 10: '{word}'",
    "TypeError: 'NoneType' object is not subscriptable",
    "AttributeError: 'dict' object has no attribute '{word}'",
    "ConnectionResetError: [Errno 104] Connection reset by peer",
    "TimeoutError: timed out",
    "ZeroDivisionError: division by zero",
    "FileNotFoundError: [Errno 2] No such file or directory: '/srv/data/{word}.json'",
    "IndexError: list index out of range",
)
PYFILES = (
    "/app/worker/tasks.py",
    "/app/api/views.py",
    "/usr/lib/python3.12/json/decoder.py",
    "/app/.venv/lib/python3.12/site-packages/requests/adapters.py",
    "/app/core/db.py",
    "/app/billing/invoice.py",
)
PYFUNCS = (
    "handle",
    "run_job",
    "decode",
    "send",
    "post",
    "_execute",
    "render",
    "main",
    "process_event",
    "charge",
)
SQL = (
    "SELECT * FROM orders WHERE customer_id = $1",
    "UPDATE accounts SET balance = balance - $1 WHERE id = $2",
    "INSERT INTO events (id, kind, payload) VALUES ($1, $2, $3)",
    "DELETE FROM sessions WHERE expires_at < now()",
    "SELECT count(*) FROM line_items WHERE order_id = $1",
    "VACUUM ANALYZE public.audit_log",
)
TABLES = (
    "orders",
    "accounts",
    "sessions",
    "events",
    "line_items",
    "users",
    "audit_log",
    "invoices",
    "products",
)
DBS = ("shop", "billing", "auth", "analytics", "inventory")
IFACES = ("eth0", "eth1", "ens3", "ens5", "enp0s31f6", "bond0", "wlan0", "eno1")
DISKS = ("sda", "sdb", "nvme0n1", "vda", "xvdf", "sdc")
SIGNALS = ("SIGKILL", "SIGSEGV", "SIGABRT", "SIGTERM", "SIGBUS")
PROCS = (
    "java",
    "python3",
    "node",
    "postgres",
    "mysqld",
    "nginx",
    "chrome",
    "dockerd",
    "elasticsearch",
    "redis-server",
    "kafka.Kafka",
    "gunicorn",
)
CMDS = (
    "/usr/bin/apt-get update",
    "/bin/systemctl restart nginx",
    "/usr/bin/journalctl -u kubelet",
    "/usr/bin/tail -f /var/log/syslog",
    "/usr/bin/docker ps -a",
    "/bin/cat /etc/shadow",
    "/usr/sbin/iptables -L -n",
    "/usr/bin/vim /etc/hosts",
    "/usr/bin/kubectl get pods -A",
)
CRON_CMDS = (
    "/usr/local/bin/backup.sh",
    "run-parts --report /etc/cron.hourly",
    "/usr/bin/certbot renew --quiet",
    "/opt/acme/bin/rotate-keys --all",
    "test -x /usr/sbin/anacron || ( cd / && run-parts --report /etc/cron.daily )",
    "/usr/bin/php /var/www/app/artisan schedule:run",
)
TOPICS = ("orders", "payments.events", "clickstream", "audit", "inventory-updates", "emails")
REGIONS = ("us-east-1", "eu-west-1", "eu-central-1", "ap-southeast-2", "us-west-2")
AWS_SOURCES = (
    "s3.amazonaws.com",
    "ec2.amazonaws.com",
    "iam.amazonaws.com",
    "kms.amazonaws.com",
    "lambda.amazonaws.com",
    "rds.amazonaws.com",
)
AWS_WRITE = (
    "RunInstances",
    "TerminateInstances",
    "PutObject",
    "CreateBucket",
    "UpdateFunctionCode",
    "ModifyDBInstance",
    "AttachRolePolicy",
    "CreateAccessKey",
)
CARD = ("visa", "mastercard", "amex", "discover")
CURRENCY = ("USD", "EUR", "GBP", "JPY", "AUD")
ANDROID_PKGS = (
    "com.acme.fit",
    "com.acme.shop",
    "com.example.notes",
    "com.android.chrome",
    "com.whatsapp",
    "com.spotify.music",
    "com.google.android.gm",
)
JOBS = (
    "build-and-test",
    "deploy-prod",
    "lint",
    "integration-tests",
    "release",
    "nightly-e2e",
    "docker-publish",
    "terraform-plan",
)
BRANCHES = ("main", "develop", "feature/login-rate-limit", "fix/null-cart", "release/2.4")
RACKS = ("R00", "R01", "R02", "R13", "R27", "R33", "R45", "R63", "R71")
QUEUES = ("default", "root.prod", "root.adhoc", "etl", "ml")
ZONES = ("nova", "az-1", "az-2")
FLAVORS = ("m1.small", "m1.medium", "m1.large", "c5.xlarge", "r6.2xlarge")


def _ri(r: random.Random, lo: int, hi: int) -> int:
    return lo + int(r.random() * (hi - lo + 1))


def _pick(pool: tuple[str, ...]) -> Sampler:
    return lambda r: pool[int(r.random() * len(pool))]


def _int(lo: int, hi: int) -> Sampler:
    return lambda r: str(lo + int(r.random() * (hi - lo + 1)))


def _ip(r: random.Random) -> str:
    k = r.random()
    if k < 0.45:
        return f"10.{_ri(r, 0, 255)}.{_ri(r, 0, 255)}.{_ri(r, 1, 254)}"
    if k < 0.6:
        return f"192.168.{_ri(r, 0, 20)}.{_ri(r, 1, 254)}"
    if k < 0.7:
        return f"172.{_ri(r, 16, 31)}.{_ri(r, 0, 255)}.{_ri(r, 1, 254)}"
    return f"{_ri(r, 11, 223)}.{_ri(r, 0, 255)}.{_ri(r, 0, 255)}.{_ri(r, 1, 254)}"


def _hex(k: int) -> Sampler:
    return lambda r: f"{r.getrandbits(4 * k):0{k}x}"


def _uuid(r: random.Random) -> str:
    h = f"{r.getrandbits(128):032x}"
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:]}"


def _fill_pool(pool: tuple[str, ...]) -> Sampler:
    def f(r: random.Random) -> str:
        s = pool[int(r.random() * len(pool))]
        if "{" in s:
            s = (
                s.replace("{n}", str(_ri(r, 1, 99999)))
                .replace("{hex}", f"{r.getrandbits(32):08x}")
                .replace("{word}", WORDS[int(r.random() * len(WORDS))])
                .replace("{user}", USERS[int(r.random() * len(USERS))])
            )
        return s

    return f


def _ms(r: random.Random) -> str:
    return str(int(r.lognormvariate(3.5, 1.2)) + 1)


def _secs(r: random.Random) -> str:
    return f"{r.lognormvariate(0.0, 1.0):.3f}"


def _dur(r: random.Random) -> str:
    v = r.lognormvariate(5.0, 1.8)
    if v < 1000:
        return f"{v:.1f}ms"
    if v < 120000:
        return f"{v / 1000:.2f}s"
    return f"{int(v // 60000)}m{int(v % 60000) // 1000}s"


def _size(r: random.Random) -> str:
    v = r.lognormvariate(5.0, 2.0)
    for unit in ("KiB", "MiB", "GiB"):
        if v < 1024:
            return f"{v:.1f}{unit}"
        v /= 1024
    return f"{v:.1f}TiB"


def _gsize(r: random.Random) -> str:
    v = r.lognormvariate(4.0, 1.5)
    return f"{v:.1f}GiB" if v < 1024 else f"{v / 1024:.2f}TiB"


def _blk(r: random.Random) -> str:
    return f"blk_{'-' if r.random() < 0.5 else ''}{r.getrandbits(62)}"


def _pod(r: random.Random) -> str:
    a = APPS[int(r.random() * len(APPS))]
    return f"{a}-{r.getrandbits(36):09x}-{r.getrandbits(20):05x}"


def _node(r: random.Random) -> str:
    if r.random() < 0.5:
        return f"ip-10-0-{_ri(r, 0, 15)}-{_ri(r, 1, 254)}.ec2.internal"
    return f"worker-{_ri(r, 1, 40):02d}"


def _mac(r: random.Random) -> str:
    return ":".join(f"{r.getrandbits(8):02x}" for _ in range(6))


def _path(r: random.Random) -> str:
    d = DIRS[int(r.random() * len(DIRS))].replace("{user}", USERS[_ri(r, 0, len(USERS) - 1)])
    f = FILES[int(r.random() * len(FILES))].replace("{n}", str(_ri(r, 1, 999)))
    return f"{d}/{f}"


def _jframe(r: random.Random) -> str:
    c = JCLASSES[int(r.random() * len(JCLASSES))]
    m = JMETHODS[int(r.random() * len(JMETHODS))]
    return f"{c}.{m}({c.rsplit('.', 1)[1]}.java:{_ri(r, 20, 900)})"


def _pyexc(r: random.Random) -> str:
    s = PYEXC[int(r.random() * len(PYEXC))]
    return s.replace("{word}", WORDS[int(r.random() * len(WORDS))])


def _email(r: random.Random) -> str:
    return f"{USERS[_ri(r, 0, len(USERS) - 1)]}@{DOMAINS[_ri(r, 0, len(DOMAINS) - 1)]}"


def _arn(r: random.Random) -> str:
    return f"arn:aws:iam::{_ri(r, 10**11, 10**12 - 1)}:user/{USERS[_ri(r, 0, 24)]}"


def _appid(r: random.Random) -> str:
    return f"application_{_ri(r, 1700000000000, 1799999999999)}_{_ri(r, 1, 9999):04d}"


def _container_y(r: random.Random) -> str:
    return (
        f"container_e{_ri(r, 1, 99):02d}_{_ri(r, 1700000000000, 1799999999999)}"
        f"_{_ri(r, 1, 9999):04d}_01_{_ri(r, 1, 999999):06d}"
    )


def _bgl_loc(r: random.Random) -> str:
    rack = RACKS[int(r.random() * len(RACKS))]
    return f"{rack}-M{_ri(r, 0, 1)}-N{_ri(r, 0, 15):X}-C:J{_ri(r, 2, 17):02d}-U{_ri(r, 0, 1)}1"


def _amount(r: random.Random) -> str:
    return f"{r.lognormvariate(3.5, 1.3):.2f}"


def _status(r: random.Random) -> str:
    return str(STATUS[int(r.random() * len(STATUS))])


def _version(r: random.Random) -> str:
    return f"{_ri(r, 0, 9)}.{_ri(r, 0, 30)}.{_ri(r, 0, 20)}"


SAMPLERS: dict[str, Sampler] = {
    "ip": _ip,
    "port": _int(1024, 65535),
    "sport": _pick(("22", "80", "443", "3306", "5432", "6379", "8080", "9200", "9092", "2181")),
    "user": _pick(USERS),
    "huser": _pick(tuple(u for u in USERS if u != "root")),
    "baduser": _pick(BAD_USERS),
    "pid": _int(300, 65000),
    "uid": _pick(("0", "1000", "1001", "1002", "33", "999", "1005")),
    "n": _int(1, 64),
    "num": _int(100, 99999),
    "big": _int(100000, 99999999),
    "pct": _int(1, 100),
    "hipct": _int(85, 99),
    "hex8": _hex(8),
    "hex12": _hex(12),
    "hex16": _hex(16),
    "sha": _hex(64),
    "uuid": _uuid,
    "path": _path,
    "url": _fill_pool(URL_PATHS),
    "method": _pick(METHODS),
    "status": _status,
    "bytes": _int(0, 250000),
    "ua": _pick(AGENTS),
    "ref": _pick(
        (
            "-",
            "-",
            "https://www.google.com/",
            "https://acme.io/products",
            "https://example.com/checkout",
        )
    ),
    "ms": _ms,
    "secs": _secs,
    "dur": _dur,
    "size": _size,
    "mb": _int(16, 65536),
    "kb": _int(1024, 16777216),
    "gsize": _gsize,
    "try": _int(1, 5),
    "dd": lambda r: f"{1 + int(r.random() * 28):02d}",
    "blk": _blk,
    "pod": _pod,
    "ns": _pick(NAMESPACES),
    "app": _pick(APPS),
    "node": _node,
    "image": _pick(IMAGES),
    "cid": _hex(12),
    "unit": _pick(UNITS),
    "domain": _pick(DOMAINS),
    "email": _email,
    "iface": _pick(IFACES),
    "disk": _pick(DISKS),
    "mac": _mac,
    "sig": _pick(SIGNALS),
    "proc": _pick(PROCS),
    "cmd": _pick(CMDS),
    "croncmd": _pick(CRON_CMDS),
    "sql": _pick(SQL),
    "table": _pick(TABLES),
    "db": _pick(DBS),
    "topic": _pick(TOPICS),
    "region": _pick(REGIONS),
    "awssrc": _pick(AWS_SOURCES),
    "awswrite": _pick(AWS_WRITE),
    "arn": _arn,
    "acct": _int(100000000000, 999999999999),
    "jexc": _pick(JEXC),
    "jclass": _pick(JCLASSES),
    "jframe": _jframe,
    "pyexc": _pyexc,
    "pyfile": _pick(PYFILES),
    "pyfunc": _pick(PYFUNCS),
    "word": _pick(WORDS),
    "appid": _appid,
    "ycont": _container_y,
    "queue": _pick(QUEUES),
    "bgl": _bgl_loc,
    "amount": _amount,
    "cur": _pick(CURRENCY),
    "card": _pick(CARD),
    "pkg": _pick(ANDROID_PKGS),
    "job": _pick(JOBS),
    "branch": _pick(BRANCHES),
    "zone": _pick(ZONES),
    "flavor": _pick(FLAVORS),
    "version": _version,
    "temp": _int(70, 105),
    "float": lambda r: f"{r.random() * 100:.2f}",
}
