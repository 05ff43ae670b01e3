"""Format readers: each turns one file type into the text that every offset points into."""
