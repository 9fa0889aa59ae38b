"""Plain data types shared by every part of Ally. No I/O lives here."""
