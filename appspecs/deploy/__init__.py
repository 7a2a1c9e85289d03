"""Pulumi through its Automation API: run the stack program's preview and read what it reports."""
