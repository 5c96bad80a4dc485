"""Raw-line headers, one style per log family (how the full line would look on disk)."""

from __future__ import annotations

import json
from collections.abc import Callable

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


class TS:
    """A timestamp split into the fields the headers need (strftime is too slow here)."""

    __slots__ = ("date", "day", "epoch_ms", "hms", "mon", "month", "ms", "wday", "year")

    def __init__(
        self, epoch_ms: int, year: int, month: int, day: int, wday: int, date: str, hms: str
    ) -> None:
        self.epoch_ms = epoch_ms
        self.year = year
        self.month = month
        self.day = day
        self.wday = DAYS[wday]
        self.mon = MONTHS[month - 1]
        self.date = date
        self.hms = hms
        self.ms = f"{epoch_ms % 1000:03d}"

    @property
    def us(self) -> str:
        return f"{self.ms}000"

    @property
    def iso(self) -> str:
        return f"{self.date}T{self.hms}.{self.ms}Z"


# (dt, host, proc, pid, level, component, message) -> raw line
Header = Callable[[TS, str, str, int, str, str, str], str]


def _syslog_ts(dt: TS) -> str:
    return f"{dt.mon} {dt.day:2d} {dt.hms}"


def _ms(dt: TS) -> str:
    return dt.ms


def syslog(dt: TS, host: str, proc: str, pid: int, level: str, comp: str, msg: str) -> str:
    return f"{_syslog_ts(dt)} {host} {comp}[{pid}]: {msg}"


def kernel(dt: TS, host: str, proc: str, pid: int, level: str, comp: str, msg: str) -> str:
    up = ((dt.epoch_ms / 1000) % 8_000_000) / 7.0
    return f"{_syslog_ts(dt)} {host} kernel: [{up:12.6f}] {msg}"


def bare(dt: TS, host: str, proc: str, pid: int, level: str, comp: str, msg: str) -> str:
    """The message already is the whole line (access logs, audit records)."""
    return msg


def nginx_error(dt: TS, host: str, proc: str, pid: int, level: str, comp: str, msg: str) -> str:
    day = dt.date.replace("-", "/")
    return f"{day} {dt.hms} [{level.lower()}] {pid}#{pid % 7}: *{pid * 3 + 11} {msg}"


def apache_error(dt: TS, host: str, proc: str, pid: int, level: str, comp: str, msg: str) -> str:
    return (
        f"[{dt.wday} {dt.mon} {dt.day:02d} {dt.hms}.{dt.us} {dt.year}] [{comp}:{level.lower()}] "
        f"[pid {pid}] {msg}"
    )


def log4j(dt: TS, host: str, proc: str, pid: int, level: str, comp: str, msg: str) -> str:
    return f"{dt.date} {dt.hms},{_ms(dt)} {level:<5} [{proc}] {comp}: {msg}"


def spark(dt: TS, host: str, proc: str, pid: int, level: str, comp: str, msg: str) -> str:
    return f"{dt.date[2:].replace('-', '/')} {dt.hms} {level} {comp}: {msg}"


def pylog(dt: TS, host: str, proc: str, pid: int, level: str, comp: str, msg: str) -> str:
    return f"{dt.date} {dt.hms},{_ms(dt)} {level} [{comp}] {msg}"


def klog(dt: TS, host: str, proc: str, pid: int, level: str, comp: str, msg: str) -> str:
    return f"{level[0]}{dt.date[5:7]}{dt.date[8:]} {dt.hms}.{dt.us} {pid:>7} {comp}] {msg}"


def logfmt(dt: TS, host: str, proc: str, pid: int, level: str, comp: str, msg: str) -> str:
    return (
        f'time="{dt.date}T{dt.hms}.{dt.us}Z" level={level.lower()} '
        f"msg={json.dumps(msg)} host={host}"
    )


def postgres(dt: TS, host: str, proc: str, pid: int, level: str, comp: str, msg: str) -> str:
    return f"{dt.date} {dt.hms}.{_ms(dt)} UTC [{pid}] {level}:  {msg}"


def mysql(dt: TS, host: str, proc: str, pid: int, level: str, comp: str, msg: str) -> str:
    return (
        f"{dt.date}T{dt.hms}.{dt.us}Z {pid % 500} [{level.title()}] "
        f"[MY-{pid % 13000:06d}] [{comp}] {msg}"
    )


def mongo(dt: TS, host: str, proc: str, pid: int, level: str, comp: str, msg: str) -> str:
    rec = {
        "t": {"$date": f"{dt.date}T{dt.hms}.{dt.ms}+00:00"},
        "s": level[0],
        "c": comp,
        "id": pid % 100000,
        "ctx": "conn" + str(pid % 977),
        "msg": msg,
    }
    return json.dumps(rec, separators=(",", ":"))


def redis(dt: TS, host: str, proc: str, pid: int, level: str, comp: str, msg: str) -> str:
    mark = {"WARN": "#", "ERROR": "#", "FATAL": "#", "INFO": "*"}.get(level, "-")
    return f"{pid}:M {dt.day:02d} {dt.mon} {dt.year} {dt.hms}.{_ms(dt)} {mark} {msg}"


def elastic(dt: TS, host: str, proc: str, pid: int, level: str, comp: str, msg: str) -> str:
    return f"[{dt.date}T{dt.hms},{dt.ms}][{level:<5}][{comp}] [{host}] {msg}"


def kafka(dt: TS, host: str, proc: str, pid: int, level: str, comp: str, msg: str) -> str:
    return f"[{dt.date} {dt.hms},{_ms(dt)}] {level} {msg} ({comp})"


def zk(dt: TS, host: str, proc: str, pid: int, level: str, comp: str, msg: str) -> str:
    return f"{dt.date} {dt.hms},{_ms(dt)} - {level:<5} [{comp}] - {msg}"


def openstack(dt: TS, host: str, proc: str, pid: int, level: str, comp: str, msg: str) -> str:
    return f"{dt.date} {dt.hms}.{_ms(dt)} {pid} {level} {comp} [req-{pid:08x}] {msg}"


def cloudtrail(dt: TS, host: str, proc: str, pid: int, level: str, comp: str, msg: str) -> str:
    return f"{dt.date}T{dt.hms}Z {host} cloudtrail: {msg}"


def windows(dt: TS, host: str, proc: str, pid: int, level: str, comp: str, msg: str) -> str:
    return f"{dt.date} {dt.hms} {host} {comp}[{proc}] {level}: {msg}"


def android(dt: TS, host: str, proc: str, pid: int, level: str, comp: str, msg: str) -> str:
    return f"{dt.date[5:]} {dt.hms}.{_ms(dt)} {pid:5d} {pid + 17:5d} {level[0]} {comp}: {msg}"


def ras(dt: TS, host: str, proc: str, pid: int, level: str, comp: str, msg: str) -> str:
    return (
        f"- {dt.epoch_ms // 1000} {dt.date.replace('-', '.')} {host} "
        f"{dt.date}-{dt.hms.replace(':', '.')}.{dt.us} {host} RAS {comp} {level} {msg}"
    )


def iso(dt: TS, host: str, proc: str, pid: int, level: str, comp: str, msg: str) -> str:
    return f"{dt.iso} [{comp}] {level} {msg}"


def bind(dt: TS, host: str, proc: str, pid: int, level: str, comp: str, msg: str) -> str:
    return f"{dt.day:02d}-{dt.mon}-{dt.year} {dt.hms}.{_ms(dt)} {comp}: {msg}"


HEADERS: dict[str, Header] = {
    "syslog": syslog,
    "kernel": kernel,
    "bare": bare,
    "nginx_error": nginx_error,
    "apache_error": apache_error,
    "log4j": log4j,
    "spark": spark,
    "pylog": pylog,
    "klog": klog,
    "logfmt": logfmt,
    "postgres": postgres,
    "mysql": mysql,
    "mongo": mongo,
    "redis": redis,
    "elastic": elastic,
    "kafka": kafka,
    "zk": zk,
    "openstack": openstack,
    "cloudtrail": cloudtrail,
    "windows": windows,
    "android": android,
    "ras": ras,
    "iso": iso,
    "bind": bind,
}
