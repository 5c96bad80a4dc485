"""Generators and validators for logtriage's Grafana and Kibana artifacts.

``python -m dashboards.generate`` (needs the ``dev`` extra: grafana-foundation-sdk)
writes everything under ``plugin/logtriage/dashboards/grafana`` and ``.../kibana``
(package data, so an installed wheel has them); ``logtriage dashboards export``
copies those files with the user's names.
"""
