"""Probes for load balancers and orchestrators: liveness and readiness, as JSON."""
