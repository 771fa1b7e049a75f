// The EDI target arrives with issue 4.
