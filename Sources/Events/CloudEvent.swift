// Placeholder until the Events target lands (issue 2, canonical events).
