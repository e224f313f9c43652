"""The Logboek Dataverwerkingen (Logius LDV 1.0): one record per processing of personal data.

`collect` turns audit events into OpenTelemetry spans per database session, `subjects` names
the data subjects as pseudonyms, `register` reads the processing register (AVG art. 30) the
records point into, `export` writes them (OTLP or JSON lines), `middleware` takes a partner's
W3C traceparent.
"""
