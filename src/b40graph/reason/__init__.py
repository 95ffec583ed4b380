"""Stage 3, reason: the OWL 2 RL closure (owlrl as the reference; compiled rules for speed)."""
