"""The two errors a command reports in one line (the CLI prints them, nothing else does).

`UsageError`: bad usage or input (a flag, a file, a part id), exit 2.
`CommandFailed`: a command that could not finish, for a reason said in one line, exit 1.

Raised anywhere below the CLI; only `answerkey.cli` turns them into messages and exit codes.
"""


class UsageError(Exception):
    """Bad usage or input: printed as one line, exit 2."""


class CommandFailed(Exception):
    """A command that could not finish, for a reason said in one line: exit 1."""
