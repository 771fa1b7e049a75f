// The copybook model arrives with issue 3.
