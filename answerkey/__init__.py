"""answerkey: a verified answer key for EECS 182 HW6."""

__version__ = "0.1.0"
