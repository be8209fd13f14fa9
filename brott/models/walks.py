"""Safety walks (trygghetsvandringar), their findings and action plans."""
