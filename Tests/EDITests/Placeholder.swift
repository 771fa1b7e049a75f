// Tests arrive with the target's code.
