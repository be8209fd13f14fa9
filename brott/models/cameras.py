"""Camera surveillance sites and guard deployments."""
