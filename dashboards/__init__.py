"""Generators and validators for logtriage's Grafana and Kibana artifacts.

``python -m dashboards.generate`` (needs the ``dev`` extra: grafana-foundation-sdk)
writes everything under ``dashboards/grafana`` and ``dashboards/kibana``;
``logtriage dashboards export`` copies those files with the user's names.
"""
