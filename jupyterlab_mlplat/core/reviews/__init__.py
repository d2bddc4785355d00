"""Publications: the card under review, the state machine, decisions, publishing, notifications."""
