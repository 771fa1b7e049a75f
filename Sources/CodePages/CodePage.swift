// The code page tables arrive with issue 3.
