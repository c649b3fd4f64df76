"""What the ticket forms need: the policy and the workflows, described."""
