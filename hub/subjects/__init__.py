"""Data-subject requests at the contact point (AVG art. 15-18, WGS art. 1.4(4), UAVG art. 41)."""
