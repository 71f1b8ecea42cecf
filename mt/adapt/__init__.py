"""Learning from the editors: `transdesk adapt` fine-tunes the drafting model on approved
post-edits (`data`, `train`), measures it on held-out documents (`evaluate`) and keeps the
desk's model versions (`versions`)."""
