"""The streaming detection engine: causal, stateful, one state per host × signal. Pure (no I/O, no clock).

``detect batch`` replays a file through it, ``detect replay`` replays a past period of Prometheus
through it, and the live detection job feeds it minute by minute: what runs live is what is measured.
"""
