"""Deliver: write the digest out (stdout or a file, atomically), or send it."""
